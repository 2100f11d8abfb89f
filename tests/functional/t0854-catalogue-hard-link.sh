#!/bin/sh
# A library copied with cp -al (or a snapshot tool that hard-links what did
# not change, rsnapshot): its catalogue is one file under two names, and
# sqlite writes pages in place, so an import into the library changed the
# snapshot's catalogue too (it listed a photo the snapshot does not hold).
# Every command that writes the catalogue now refuses, names it, says why
# and how to give it a file of its own (exit 2); reading (status, find)
# still works. Done as it says, the library works and the snapshot's
# catalogue stays as it was.
. "$TOP/tests/lib/common.sh"
command -v sqlite3 >/dev/null || { echo "skipped: no sqlite3"; exit 77; }

sample_library
mkdir -p "$T/usb"
sb sync
expect_rc 0
rm -f "$LIB/.shoebox/catalog.db-wal" "$LIB/.shoebox/catalog.db-shm"
cp -al "$LIB" "$T/snap"
cp "$T/snap/.shoebox/catalog.db" "$T/snap.db"
rows=$(q "SELECT count(*) FROM files")
S=$T/drop
distinct_jpegs "$S" 1 2 drop
set_mtimes "$S"

for cmd in import sync verify adopt forget; do
	case $cmd in
	import)	sb import --no-progress "$S" ;;
	forget)	sb forget --missing ;;
	*)	sb $cmd ;;
	esac
	cat "$T/out" "$T/err"
	expect_rc 2
	[ "$(grep -c "catalog.db: 2 hard links share its file" "$T/err")" = 1 ] ||
	    fail "$cmd: the shared catalogue not named, once"
	grep -q "cp -p catalog.db catalog.db.own && mv catalog.db.own catalog.db" \
	    "$T/err" || fail "$cmd: not said how to give it a file of its own"
	cmp -s "$T/snap/.shoebox/catalog.db" "$T/snap.db" ||
	    fail "$cmd: the snapshot's catalogue was written to"
done
[ -n "$(find "$S" -type f)" ] || fail "import took the drop folder's files"
for cmd in status find; do
	sb $cmd
	expect_rc 0
done

(cd "$LIB/.shoebox" && cp -p catalog.db catalog.db.own &&
    mv catalog.db.own catalog.db) || fail "the advice"
sb import --no-progress "$S"
cat "$T/out" "$T/err"
expect_rc 0
grep -q "^2 files seen: 2 imported" "$T/out" || fail "not imported"
[ "$(q "SELECT count(*) FROM files")" = $((rows + 2)) ] || fail "not catalogued"
cmp -s "$T/snap/.shoebox/catalog.db" "$T/snap.db" ||
    fail "the snapshot's catalogue was written to"
[ "$(sqlite3 "$T/snap/.shoebox/catalog.db" "SELECT count(*) FROM files")" = "$rows" ] ||
    fail "the snapshot's catalogue lists files it does not hold"
exit 0
