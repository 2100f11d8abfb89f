#!/bin/sh
# restore --rebuild from a backup disk holding one folder it cannot list
# (folders 70 deep, left by some other program): that folder is named
# ("folders too deep ... not listed") and counted failed, every other file
# comes back and is catalogued, exit 1. Before, the one folder stopped the
# listing: files half restored and no catalogue at all.
. "$TOP/tests/lib/common.sh"
. "$TOP/tests/functional/restore-lib.sh"

rs_synced_library
n=$(q "SELECT count(*) FROM files")
deep=$T/usb/junk
i=0
while [ $i -lt 70 ]; do deep=$deep/d; i=$((i + 1)); done
mkdir -p "$deep"
printf 'x' >"$deep/deep.jpg"

sb restore --remote usb --rebuild --to "$T/new" --no-progress
expect_rc 1
grep -q "junk/d/.*: folders too deep (over 64); not listed" "$T/err" ||
    fail "the deep folder was not named: $(cat "$T/out" "$T/err")"
grep -q "$n restored, 0 present, 0 different, 1 failed" "$T/out" ||
    fail "summary: $(cat "$T/out")"
sb -L "$T/new" verify --no-progress
expect_rc 0
grep -q ": $n intact, 0 changed, 0 missing" "$T/out" ||
    fail "the rebuilt library: $(cat "$T/out" "$T/err")"
echo "ok"
