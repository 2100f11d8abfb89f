#!/bin/sh
# shoebox restore from a dir remote: files deleted from the library come
# back with their bytes and mtimes; --dry-run says what would come back and
# changes nothing; a file present with other content is reported and never
# replaced (exit 1) until moved aside; a remote copy that is not the
# catalogued file (a flipped byte) is refused: nothing is linked, nothing
# left behind, the rest is restored, exit 1. --since and --json; a remote
# the config has not is named, and --to makes nothing for it.
. "$TOP/tests/lib/common.sh"
. "$TOP/tests/functional/restore-lib.sh"

rs_synced_library
n=$(q "SELECT count(*) FROM files")
[ "$n" = 10 ] || fail "imported $n files"
lib_sums >"$T/sums.before"
(cd "$LIB" && find . -type f -not -path './.shoebox/*' -printf '%P %T@\n' |
    LC_ALL=C sort) >"$T/mtimes.before"

sb restore --remote usb --no-progress
expect_rc 0
grep -q "^10 files on remote usb: 0 restored, 10 present, 0 different, 0 failed" "$T/out" ||
    fail "nothing to restore: $(cat "$T/out")"

gone1=2004/06/21/IMG_0002.JPG
gone2=$(q "SELECT path FROM files WHERE path LIKE '%.HEIC' LIMIT 1")
rm "$LIB/$gone1" "$LIB/$gone2"
rmdir "$(dirname "$LIB/$gone2")" 2>/dev/null

sb restore --remote usb --dry-run --no-progress
expect_rc 0
grep -q "^missing  *$gone1\$" "$T/out" || fail "dry run: $(cat "$T/out")"
grep -q "2 missing (would be restored), 8 present" "$T/out" ||
    fail "dry run summary: $(cat "$T/out")"
[ -e "$LIB/$gone1" ] && fail "dry run restored a file"

sb restore --remote usb --no-progress -v
expect_rc 0
grep -q "^restored  *$gone2\$" "$T/out" || fail "restored line: $(cat "$T/out")"
grep -q "2 restored, 8 present, 0 different, 0 failed" "$T/out" ||
    fail "summary: $(cat "$T/out")"
lib_sums | diff "$T/sums.before" - || fail "restored bytes differ"
(cd "$LIB" && find . -type f -not -path './.shoebox/*' -printf '%P %T@\n' |
    LC_ALL=C sort) | diff "$T/mtimes.before" - || fail "restored mtimes differ"
[ -z "$(ls -A "$LIB/.shoebox/tmp")" ] || fail "temporaries left"

# A file changed in the library is reported, not replaced.
printf 'edited' >"$LIB/$gone1"
sb restore --remote usb --no-progress
expect_rc 1
grep -q "^different  *$gone1: .*not replaced" "$T/out" ||
    fail "different: $(cat "$T/out")"
[ "$(cat "$LIB/$gone1")" = edited ] || fail "a changed file was replaced"
mv "$LIB/$gone1" "$T/aside"
sb restore --remote usb --no-progress
expect_rc 0
lib_sums | diff "$T/sums.before" - || fail "after moving aside"

# A remote copy with a flipped byte is refused; the others still come back.
rm "$LIB/$gone1" "$LIB/$gone2"
python3 - "$T/usb/$gone1" <<'PY'
import sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
b[len(b) // 2] ^= 1
open(p, "wb").write(b)
PY
sb restore --remote usb --no-progress --json
expect_rc 1
grep -q "\"path\":\"$gone1\".*\"status\":\"failed\".*not the catalogued file" "$T/out" ||
    fail "corrupt copy: $(cat "$T/out")"
grep -q '"summary":{"files":10,"restored":1,"present":8,"different":0,"failed":1' "$T/out" ||
    fail "json summary: $(cat "$T/out")"
grep -q "$gone1: the remote's copy at $gone1 is not the catalogued file" "$T/err" ||
    fail "message: $(cat "$T/err")"
[ -e "$LIB/$gone1" ] && fail "a corrupt copy was linked"
[ -f "$LIB/$gone2" ] || fail "the good file was not restored"
[ -z "$(ls -A "$LIB/.shoebox/tmp")" ] || fail "temporaries left"
find "$LIB" -name '*partial*' | grep -q . && fail "partial file left"

# --since: only files catalogued on or after the day.
sb restore --remote usb --since 2999-01-01 --no-progress
expect_rc 0
grep -q "^0 files on remote usb" "$T/out" || fail "--since: $(cat "$T/out")"
sb restore --remote usb --since yesterday
expect_rc 2
sb restore
expect_rc 2
grep -q "remote NAME is needed" "$T/err" || fail "no --remote: $(cat "$T/err")"
# A remote the config has not: said so, and --to makes no folder for it.
sb restore --remote usbb --to "$T/new"
expect_rc 2
grep -q "restore: no \[remote usbb\] in the config" "$T/err" ||
    fail "no such remote: $(cat "$T/err")"
[ -e "$T/new" ] && fail "--to made a folder for a remote that is not there"
exit 0
