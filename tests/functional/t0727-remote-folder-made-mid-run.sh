#!/bin/sh
# A dir remote's folder made inside the drop share while import --move
# walks it, on the same filesystem: a sync (hourly, or run while the
# import waited for the library) makes share/usb/backup and fills it with
# the library's copies. The folder was not there when the run began, so
# it was not known by its inode then; the walk meets it after the card
# (usb sorts after a-card) and must still see it is remote usb's folder:
# none of the backup's copies is walked, or deleted as a duplicate of the
# library's. The card itself is moved as usual.
. "$TOP/tests/functional/safety-lib.sh"

S=$T/share
mkdir -p "$S/a-card" "$S/usb"
cp "$CARD/IMG_0001.JPG" "$CARD/IMG_0002.JPG" "$CARD/IMG_0004.JPG" \
    "$S/a-card/"
printf '[remote usb]\ntype = dir\npath = %s\n' "$S/usb/backup" >>"$CFG"

# The library, and what a sync to usb makes of it (kept in $T/made).
cp -r "$CARD" "$T/old"
csb import --no-progress "$T/old"
expect_rc 0
mkdir -p "$T/made/backup"
sed "s|$S/usb/backup|$T/made/backup|" "$CFG" >"$T/cfg-made"
sb -c "$T/cfg-made" sync
expect_rc 0
n=$(find "$T/made/backup" -type f | wc -l)
[ "$n" -gt 3 ] || fail "the backup holds $n files: $(cat "$T/out" "$T/err")"
(cd "$T/made" && find . -type f -exec sha256sum {} + | sort) >"$T/backup.sums"

# The sync's folder appears when the walk opens the card's first photo.
export SB_HOOK_ON=open:IMG_000
export SB_HOOK_CMD="cp -a '$T/made/backup' '$S/usb/'"
hsb import --move --no-progress "$S"
hook_fired
cat "$T/out" "$T/err"
expect_rc 0
(cd "$S/usb" && find . -type f -exec sha256sum {} + | sort) >"$T/after.sums"
diff "$T/backup.sums" "$T/after.sums" >&2 ||
    fail "the remote's folder made mid-run lost copies to --move"
grep -q "share/usb/backup: is remote usb's folder, not scanned" "$T/err" ||
    fail "the remote's folder is not said fenced: $(cat "$T/err")"
[ -z "$(ls -A "$S/a-card")" ] || fail "the card was not moved: $(ls "$S/a-card")"
exit 0
