#!/bin/sh
# A library folder swapped for a symbolic link to a copy elsewhere (the
# same files, sizes and mtimes) is not the library's copy: restore and
# verify never look through it. restore names the link, replaces nothing
# (exit 1); with the link moved aside the files come back; verify calls
# them not the catalogued files. Before, both took the files behind the
# link for the library's own, and restore brought nothing back.
. "$TOP/tests/lib/common.sh"
. "$TOP/tests/functional/restore-lib.sh"

rs_synced_library
lib_sums >"$T/sums.before"
day=2004/06/21
n=$(q "SELECT count(*) FROM files WHERE path LIKE '$day/%'")
[ "$n" -ge 1 ] || fail "no files of $day"
mkdir -p "$T/elsewhere"
cp -a "$LIB/2004" "$T/elsewhere/2004"
rm -r "$LIB/2004"
ln -s "$T/elsewhere/2004" "$LIB/2004"

sb restore --remote usb --no-progress
expect_rc 1
grep -q "^failed  *$day/.*folder 2004 is a symbolic link; not followed" \
    "$T/out" || fail "restore through a folder link: $(cat "$T/out")"
[ -L "$LIB/2004" ] || fail "the link was replaced"
sb verify --no-progress
expect_rc 1
grep -q "2004 is a symbolic link" "$T/out" "$T/err" ||
    fail "verify through a folder link: $(cat "$T/out" "$T/err")"

mv "$LIB/2004" "$T/aside"
sb restore --remote usb --no-progress
expect_rc 0
grep -q "$n restored" "$T/out" || fail "after the link went: $(cat "$T/out")"
lib_sums | diff "$T/sums.before" - || fail "restored bytes differ"
echo "ok"
