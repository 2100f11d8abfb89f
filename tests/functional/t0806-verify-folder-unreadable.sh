#!/bin/sh
# A library folder verify cannot read: its catalogued files are each
# unreadable (a line each on stdout), the folder itself is named on
# stderr and counted apart, so that the summary's counts of files add up
# to the files verified; the exit status is 1. Files from tests/fixtures.
. "$TOP/tests/lib/common.sh"

mkdir -p "$T/card"
cp "$FIX/FurnaceCreekInn.jpg" "$FIX/FurnaceCreekInn2.jpg" \
    "$FIX/exiv2-canon-eos-20d.jpg" "$T/card/"
set_mtimes "$T/card"
sb import --no-progress "$T/card"
expect_rc 0

# Root reads any folder: verify runs as nobody, owner of the library.
as_nobody
chmod 000 "$LIB/2008/05/08"
sb verify
chmod 755 "$LIB/2008/05/08"
expect_rc 1
grep -q '^3 files verified: 1 intact, 0 changed, 0 missing, 2 unreadable; 0 untracked, 1 folder not read (named above) ' "$T/out" ||
    fail "summary: $(cat "$T/out")"
[ "$(grep -c '^unreadable 2008/05/08/' "$T/out")" = 2 ] ||
    fail "each file of the folder not listed: $(cat "$T/out")"
grep -qx "shoebox: $LIB/2008/05/08: Permission denied" "$T/err" ||
    fail "the folder not named: $(cat "$T/err")"

chmod 000 "$LIB/2008/05/08"
sb --json verify
chmod 755 "$LIB/2008/05/08"
expect_rc 1
tail -n 1 "$T/out" | python3 -c '
import json, sys
s = json.load(sys.stdin)["summary"]
assert s["checked"] == 3 and s["intact"] == 1, s
assert s["unreadable"] == 2 and s["unreadable_folders"] == 1, s
' || fail "JSON summary: $(tail -n 1 "$T/out")"

sb verify
expect_rc 0
exit 0
