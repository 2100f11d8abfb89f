#!/bin/sh
# A sidecar that goes up after its photo (an edit saved later) and finds
# its name on the remote taken by another file: it goes up as the photo's
# whole name there and its own extension (IMG_0001.JPG.XMP), then
# IMG_0001.JPG.1.XMP ..., names that pair with that photo alone, also
# when the photo itself went up as IMG_0002-1.JPG. Before, it went up as
# IMG_0001-1.XMP, which pairs by name with another photo IMG_0001-1.JPG,
# or IMG_0001.JPG-1.XMP, which pairs with none: restore --rebuild from the
# remote left it out, or gave it to another photo. The files already
# there are left alone, and the rebuilt catalogue pairs each of ours with
# its photo; a sidecar there that pairs with none is catalogued alone.
# (Another camera's IMG_0001.XMP there pairs with our photo by name too:
# the rebuild cannot tell; see shoebox(1).)
. "$TOP/tests/functional/remote-lib.sh"
sb_init

mkdir -p "$W/disk"
printf '[remote usb]\ntype = dir\npath = %s\n' "$W/disk" >"$CFG"
sb_catalog
d=2019/07/04
xmp() { printf '<x:xmpmeta xmlns:x="adobe:ns:meta/">%s</x:xmpmeta>\n' "$1"; }
for f in mine1 mine2 theirs1 theirs2 theirs3; do xmp "$f" >"$W/$f"; done
head -c 40000 /dev/urandom >"$W/theirs.jpg"
# sidecar_of SIDECAR PHOTO: the catalogue pairs them, as import does
sidecar_of() {
	sqlite3 "$LIB/.shoebox/catalog.db" "UPDATE files SET main_id = (SELECT
	    id FROM files WHERE path = '$d/$2') WHERE path = '$d/$1'"
}

# Two photos go up: IMG_0001.JPG as itself, IMG_0002.JPG as -1 (another
# file holds its name there).
sb_add "$TOP/tests/fixtures/exiv2-nikon-d70.jpg" "$d/IMG_0001.JPG"
sb_add "$TOP/tests/fixtures/exiv2-canon-eos-20d.jpg" "$d/IMG_0002.JPG"
mkdir -p "$W/disk/$d"
cp "$W/theirs.jpg" "$W/disk/$d/IMG_0002.JPG"
sb_sync >"$W/out" 2>"$W/err" || { cat "$W/out" "$W/err"; sb_fail "sync"; }
cmp -s "$W/disk/$d/IMG_0002-1.JPG" "$TOP/tests/fixtures/exiv2-canon-eos-20d.jpg" ||
    sb_fail "IMG_0002.JPG did not go up as IMG_0002-1.JPG: $(ls "$W/disk/$d")"

# Then other files take the names their sidecars would have, and the
# sidecars come.
cp "$W/theirs1" "$W/disk/$d/IMG_0001.XMP"
cp "$W/theirs2" "$W/disk/$d/IMG_0001.JPG.XMP"
cp "$W/theirs3" "$W/disk/$d/IMG_0002-1.XMP"
sb_add "$W/mine1" "$d/IMG_0001.XMP"
sidecar_of IMG_0001.XMP IMG_0001.JPG
sb_add "$W/mine2" "$d/IMG_0002.XMP"
sidecar_of IMG_0002.XMP IMG_0002.JPG
sb_sync >"$W/out" 2>"$W/err" || { cat "$W/out" "$W/err"; sb_fail "second sync"; }
cat "$W/err"
cmp -s "$W/disk/$d/IMG_0001.JPG.1.XMP" "$W/mine1" ||
    sb_fail "IMG_0001.XMP is not IMG_0001.JPG.1.XMP there: $(ls "$W/disk/$d")"
cmp -s "$W/disk/$d/IMG_0002-1.JPG.XMP" "$W/mine2" ||
    sb_fail "IMG_0002.XMP is not IMG_0002-1.JPG.XMP there: $(ls "$W/disk/$d")"
for f in IMG_0001.XMP:theirs1 IMG_0001.JPG.XMP:theirs2 IMG_0002-1.XMP:theirs3 \
    IMG_0002.JPG:theirs.jpg; do
	cmp -s "$W/disk/$d/${f%%:*}" "$W/${f#*:}" || sb_fail "${f%%:*} there changed"
done
grep -q "remote usb: $d/IMG_0001.XMP: a different file has that name there; sent as $d/IMG_0001.JPG.1.XMP" "$W/err" ||
    sb_fail "the sidecar's name is not said"

# Rebuilt from the remote, each of ours is its own photo's sidecar. A
# sidecar there that pairs with no file (renamed by hand) is catalogued
# on its own, and said, not left out of the catalogue.
xmp lone >"$W/disk/$d/ZZZ_0001.XMP"
"$SHOEBOX" -L "$LIB" -c "$CFG" restore --rebuild --remote usb --to "$W/re" \
    --no-progress >"$W/out" 2>"$W/err" || { cat "$W/out" "$W/err"; sb_fail "rebuild"; }
[ "$(sqlite3 "$W/re/.shoebox/catalog.db" "SELECT count(*) FROM files WHERE
    path = '$d/ZZZ_0001.XMP' AND main_id IS NULL")" = 1 ] ||
    sb_fail "rebuilt: the lone sidecar is not catalogued: $(cat "$W/out" "$W/err")"
grep -q "ZZZ_0001.XMP: a sidecar whose name pairs with no file here; catalogued on its own" "$W/err" ||
    sb_fail "rebuilt: the lone sidecar is not said: $(cat "$W/err")"
for s in IMG_0001.JPG.1.XMP:IMG_0001.JPG IMG_0002-1.JPG.XMP:IMG_0002-1.JPG; do
	m=$(sqlite3 "$W/re/.shoebox/catalog.db" "SELECT m.path FROM files s
	    JOIN files m ON m.id = s.main_id WHERE s.path = '$d/${s%%:*}'")
	[ "$m" = "$d/${s#*:}" ] || sb_fail "rebuilt: ${s%%:*} is the sidecar of '$m':
$(sqlite3 "$W/re/.shoebox/catalog.db" "SELECT id, path, main_id FROM files")"
done
exit 0
