#!/bin/sh
# Two syncs at once, and a photo whose name on the remote holds another
# camera's file: sync A sends the photo as IMG_0001-1.JPG. Sync B, run
# while A sends it, must not take the photo's sidecar and send it under
# its own name IMG_0001.XMP, beside the other camera's IMG_0001.JPG, where
# by name it pairs with that file (restore --rebuild did so). B leaves the
# sidecar to A, which sends it as IMG_0001-1.XMP; a rebuild from the
# remote pairs it with our photo.
. "$TOP/tests/functional/safety-lib.sh"

card=$T/card
mkdir -p "$card" "$T/usb"
cp "$TOP/tests/fixtures/exiv2-nikon-d70.jpg" "$card/IMG_0001.JPG"
printf '<x:xmpmeta xmlns:x="adobe:ns:meta/">one</x:xmpmeta>\n' >"$card/IMG_0001.XMP"
printf '[remote usb]\ntype = dir\npath = %s\n' "$T/usb" >>"$CFG"
csb import --no-progress "$card"
expect_rc 0
jpg=$(q "SELECT path FROM files WHERE path LIKE '%IMG_0001.JPG'")
d=$(dirname "$jpg")
mkdir -p "$T/usb/$d"
head -c 5000 /dev/urandom >"$T/usb/$d/IMG_0001.JPG"	# another camera's

# Sync B runs when sync A first reads the photo (tests/lib/hook.c): A
# holds its job then, and is sending it.
export SB_HOOK_ON=read:IMG_0001.JPG
export SB_HOOK_CMD="\"$SHOEBOX\" -c \"$CFG\" sync --no-progress >\"$T/b.out\" 2>&1"
hsb sync --no-progress
hook_fired
cp "$T/out" "$T/a.out"
cat "$T/err" >>"$T/a.out"
expect_rc 0
cat "$T/a.out" "$T/b.out"
cmp -s "$T/usb/$d/IMG_0001-1.JPG" "$LIB/$jpg" ||
    fail "the photo did not go up as IMG_0001-1.JPG: $(ls "$T/usb/$d")"
cmp -s "$T/usb/$d/IMG_0001-1.XMP" "$card/IMG_0001.XMP" ||
    fail "the sidecar did not follow it as IMG_0001-1.XMP: $(ls "$T/usb/$d")"
[ ! -e "$T/usb/$d/IMG_0001.XMP" ] ||
    fail "the sidecar went up as IMG_0001.XMP, beside the other camera's photo"
grep -q 'taken by another sync' "$T/b.out" ||
    fail "sync B did not leave the files to A"

csb restore --remote usb --rebuild --to "$T/rebuilt" --no-progress
expect_rc 0
[ "$(sqlite3 "$T/rebuilt/.shoebox/catalog.db" "SELECT s.path || ' ' || m.path FROM files s JOIN files m ON m.id = s.main_id")" = "$d/IMG_0001-1.XMP $d/IMG_0001-1.JPG" ] ||
    fail "rebuilt pairs: $(sqlite3 "$T/rebuilt/.shoebox/catalog.db" "SELECT s.path, m.path FROM files s JOIN files m ON m.id = s.main_id")"
exit 0
