#!/bin/sh
# A file deleted or moved away between the walk's listing of its folder
# and its look at the name, or between the walk and its open (another
# library's --move, a user tidying the drop folder), is not there to
# import: the run goes on, nothing counts as failed, exit 0. The same for
# verify's walk of the library. A folder renamed under the walk, or a card
# unmounted under it, is not that: failures, named, exit 1.
. "$TOP/tests/functional/safety-lib.sh"

S=$T/drop
mkdir -p "$S"
cp "$CARD/IMG_0001.JPG" "$CARD/IMG_0002.JPG" "$S/"
export SB_HOOK_ON=stat:IMG_0002.JPG SB_HOOK_CMD="rm '$S/IMG_0002.JPG'"
hsb import --no-progress "$S"
hook_fired
cat "$T/out" "$T/err"
expect_rc 0
grep -q ", 0 failed" "$T/out" || fail "a file gone mid-walk counted failed"
grep -q "IMG_0002" "$T/err" && fail "a file gone mid-walk said as an error"
[ "$(lib_count "$CARD/IMG_0001.JPG")" = 1 ] || fail "the other file not filed"

# Gone between the walk and its open: skipped, named with -v.
rm -rf "$S" "$LIB" && mkdir -p "$S"
cp "$CARD/IMG_0001.JPG" "$CARD/IMG_0004.JPG" "$S/"
export SB_HOOK_ON=open:IMG_0004.JPG SB_HOOK_CMD="rm '$S/IMG_0004.JPG'"
hsb -v import --no-progress "$S"
hook_fired
cat "$T/out" "$T/err"
expect_rc 0
grep -q ", 1 skipped, 0 failed" "$T/out" || fail "a file gone before its open: not skipped"
grep -q "IMG_0004.JPG.*gone since the walk saw it" "$T/out" "$T/err" ||
    fail "a file gone before its open: not said with -v"

# A folder renamed under the walk (its files not walked), and a card
# mounted inside the source unmounted before its files are opened (its
# folder now the empty mount point): not "gone", failures, named, exit 1.
rm -rf "$S" "$LIB" && mkdir -p "$S/trip"
cp "$CARD/IMG_0001.JPG" "$CARD/IMG_0002.JPG" "$S/trip/"
cp "$CARD/IMG_0004.JPG" "$S/"
export SB_HOOK_ON=stat:trip SB_HOOK_CMD="mv '$S/trip' '$S/trip-2004'"
hsb import --no-progress "$S"
hook_fired
cat "$T/out" "$T/err"
expect_rc 1
grep -q "drop/trip" "$T/err" || fail "a folder renamed under the walk: not named"
if [ "$(id -u)" = 0 ] && mkdir -p "$T/media/card" &&
    mount -t tmpfs -o size=16m shoebox-t0734 "$T/media/card" 2>/dev/null; then
	cleanup_hooks="${cleanup_hooks:-} umount_card"
	umount_card() { umount -l "$T/media/card" 2>/dev/null; }
	cp "$CARD/IMG_0001.JPG" "$CARD/IMG_0002.JPG" "$T/media/card/"
	export SB_HOOK_ON=open:IMG_0001.JPG SB_HOOK_CMD="umount -l '$T/media/card'"
	hsb import --no-progress "$T/media"
	hook_fired
	cat "$T/out" "$T/err"
	expect_rc 1
	grep -q "card/IMG_0001.JPG: cannot open: its folder is on another disk than when the walk saw it" \
	    "$T/err" || fail "a card unmounted under the import: not said"
fi

# verify: a library file deleted as the walk for untracked files reaches
# it is missing, not also unreadable.
p=$(libfiles | head -n 1)
export SB_HOOK_ON=stat:"$(basename "$p")" SB_HOOK_CMD="rm '$LIB/$p'"
hsb verify --no-progress
hook_fired
cat "$T/out" "$T/err"
expect_rc 1
grep -q "^missing" "$T/out" || fail "verify: the file gone is not missing"
grep -q " 0 unreadable" "$T/out" || fail "verify: a file gone mid-walk counted unreadable"
exit 0
