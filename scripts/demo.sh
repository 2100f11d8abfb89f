#!/bin/sh
# make demo: import the bundled sample card into ./demo-library, for real,
# then show the summary, the tree and the catalogue.
set -e
cd "$(dirname "$0")/.."
rm -rf demo-library
echo "\$ ./shoebox -L demo-library import tests/sample-card"
rc=0
./shoebox -L demo-library import --settle 0 --no-progress tests/sample-card || rc=$?
echo
echo "\$ find demo-library -type f -not -path '*/.shoebox/*' | sort"
find demo-library -type f -not -path '*/.shoebox/*' | sort
echo
echo "\$ sqlite3 demo-library/.shoebox/catalog.db 'SELECT path, kind, taken, date_source, make, model FROM catalog'"
sqlite3 -header -column demo-library/.shoebox/catalog.db \
    'SELECT path, kind, taken, date_source, make, model FROM catalog ORDER BY path'
echo
echo "\$ ./shoebox -L demo-library import tests/sample-card   # again: nothing to do"
./shoebox -L demo-library import --settle 0 --no-progress tests/sample-card || true
exit $rc
