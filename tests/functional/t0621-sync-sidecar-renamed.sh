#!/bin/sh
# A remote that already holds a different file at a photo's name: the
# photo goes up as NAME-1.EXT, and its sidecars (NAME.JPG.xmp, NAME.XMP)
# follow it, as NAME-1.JPG.xmp and NAME-1.XMP, so that on the remote they
# still pair by name: restore --rebuild from it files them as that
# photo's sidecars, not the other file's. The file already there is left
# alone, restore with the catalogue brings each back from where it went,
# and a sidecar that arrives in a later sync (its photo went up before)
# follows it too. A photo whose own name is free there but not its
# sidecar's takes -1 with its sidecars. On a dir remote and on S3, with
# four transfers: a sidecar claimed while another transfer sends its
# photo waits for it.
. "$TOP/tests/functional/remote-lib.sh"
sb_init
command -v rclone >/dev/null || sb_skip "rclone not installed"

sha() { sha256sum <"$1" | cut -d' ' -f1; }

mkdir -p "$W/disk"
printf 'bwlimit = 8M\n\n[remote usb]\ntype = dir\npath = %s\n' "$W/disk" >"$CFG"
sb_catalog
d=2019/07/04
# (a real photo, with 2 MB after its end: still one by its bytes)
cat "$TOP/tests/fixtures/exiv2-nikon-d70.jpg" >"$W/photo"
head -c 2000000 /dev/urandom >>"$W/photo"
head -c 50000 /dev/urandom >"$W/theirs"
# A first file proves each remote; then four transfers take the photo (2
# MB, at a quarter of 8 MB/s on S3) and its sidecars at once: each
# sidecar waits for the photo to land to learn its name.
sb_add "$TOP/tests/fixtures/Reagan.jpg" "$d/A_FIRST.JPG"
printf '<x:xmpmeta xmlns:x="adobe:ns:meta/">one</x:xmpmeta>\n' >"$W/xmp1"
printf '<x:xmpmeta xmlns:x="adobe:ns:meta/">two</x:xmpmeta>\n' >"$W/xmp2"
printf '<x:xmpmeta xmlns:x="adobe:ns:meta/">late</x:xmpmeta>\n' >"$W/xmp3"
sb_add "$W/photo" "$d/IMG_0001.JPG"
sb_add "$W/xmp1" "$d/IMG_0001.JPG.xmp"
sb_add "$W/xmp2" "$d/IMG_0001.XMP"
# sidecars [N]: IMG_000N's sidecars catalogued as such (N: 1)
sidecars() {
	sqlite3 "$LIB/.shoebox/catalog.db" "UPDATE files SET main_id = (SELECT
	    id FROM files WHERE path = '$d/IMG_000${1:-1}.JPG') WHERE path LIKE
	    '$d/IMG_000${1:-1}%' AND path <> '$d/IMG_000${1:-1}.JPG'"
}
sidecars
# Another photo whose own name is free there, but not its sidecar's
# (another camera's IMG_0002.XMP): the photo takes -1 too, so that its
# sidecar goes up beside it and pairs with it, not with the other's.
cat "$TOP/tests/fixtures/exiv2-canon-eos-20d.jpg" >"$W/photo2"
printf '<x:xmpmeta xmlns:x="adobe:ns:meta/">mine</x:xmpmeta>\n' >"$W/xmp4"
printf '<x:xmpmeta xmlns:x="adobe:ns:meta/">theirs</x:xmpmeta>\n' >"$W/xmp5"
sb_add "$W/photo2" "$d/IMG_0002.JPG"
sb_add "$W/xmp4" "$d/IMG_0002.XMP"
sidecars 2

# The dir remote and S3 hold another file at the photo's name.
mkdir -p "$W/disk/$d"
cp "$W/theirs" "$W/disk/$d/IMG_0001.JPG"
cp "$W/xmp5" "$W/disk/$d/IMG_0002.XMP"
sb_start_s3rver photos
sb_rclone_s3 "$S3_PORT"
sb_rclone copyto "$W/theirs" "s3:photos/$d/IMG_0001.JPG" || sb_fail "seeding s3"
sb_rclone copyto "$W/xmp5" "s3:photos/$d/IMG_0002.XMP" || sb_fail "seeding s3"
printf '\n%s\n' "$(sb_s3_section s3)" >>"$CFG"

sb_sync >"$W/out" 2>"$W/err" || { cat "$W/out" "$W/err"; sb_fail "sync"; }
cat "$W/out" "$W/err"
# on_remote NAME FILE: the remote's NAME holds FILE's bytes
on_remote() {
	cmp -s "$W/disk/$1" "$2" || sb_fail "usb: $1 is not $(basename "$2")"
	sb_rclone cat "s3:photos/$1" >"$W/got" 2>/dev/null
	cmp -s "$W/got" "$2" || sb_fail "s3: $1 is not $(basename "$2")"
}
on_remote "$d/IMG_0001.JPG" "$W/theirs"
on_remote "$d/IMG_0001-1.JPG" "$W/photo"
on_remote "$d/IMG_0001-1.JPG.xmp" "$W/xmp1"
on_remote "$d/IMG_0001-1.XMP" "$W/xmp2"
[ ! -e "$W/disk/$d/IMG_0001.JPG.xmp" ] && [ ! -e "$W/disk/$d/IMG_0001.XMP" ] ||
    sb_fail "a sidecar went up under its own name: $(ls "$W/disk/$d")"
grep -q "IMG_0001.XMP: sent as $d/IMG_0001-1.XMP, beside its main file, which went up under another name" "$W/err" ||
    sb_fail "the sidecar's new name is not said"
on_remote "$d/IMG_0002.XMP" "$W/xmp5"
on_remote "$d/IMG_0002-1.JPG" "$W/photo2"
on_remote "$d/IMG_0002-1.XMP" "$W/xmp4"
[ ! -e "$W/disk/$d/IMG_0002.JPG" ] ||
    sb_fail "a photo went up where its sidecar cannot follow it"
grep -q "remote usb: $d/IMG_0002.JPG: a different file has its sidecar's name there; sent as $d/IMG_0002-1.JPG, for its sidecars to go beside it" \
    "$W/err" || sb_fail "why the photo took -1 is not said"

# A sidecar that comes later follows too.
sb_add "$W/xmp3" "$d/IMG_0001.JPG.json"
sidecars
sb_sync >"$W/out" 2>"$W/err" || { cat "$W/out" "$W/err"; sb_fail "second sync"; }
on_remote "$d/IMG_0001-1.JPG.json" "$W/xmp3"

# restore --rebuild from the dir remote: the sidecars pair with the photo
# they went up with.
"$SHOEBOX" -L "$LIB" -c "$CFG" restore --rebuild --remote usb --to "$W/re" \
    --no-progress >"$W/out" 2>"$W/err" || { cat "$W/out" "$W/err"; sb_fail "rebuild"; }
for s in IMG_0001-1.JPG.xmp IMG_0001-1.XMP IMG_0001-1.JPG.json \
    IMG_0002-1.XMP; do
	[ "$(sqlite3 "$W/re/.shoebox/catalog.db" "SELECT m.path FROM files s
	    JOIN files m ON m.id = s.main_id WHERE s.path = '$d/$s'")" = "$d/${s%%-*}-1.JPG" ] ||
	    sb_fail "rebuilt: $s is not IMG_0001-1.JPG's sidecar: $(sqlite3 "$W/re/.shoebox/catalog.db" "SELECT id, path, main_id FROM files")"
done

# restore with the catalogue: each sidecar back from where it went.
rm "$LIB/$d/IMG_0001.JPG.xmp" "$LIB/$d/IMG_0001.XMP"
for r in usb s3; do
	"$SHOEBOX" -L "$LIB" -c "$CFG" restore --remote "$r" --no-progress \
	    >"$W/out" 2>"$W/err" || { cat "$W/out" "$W/err"; sb_fail "restore from $r"; }
	cmp -s "$LIB/$d/IMG_0001.JPG.xmp" "$W/xmp1" && cmp -s "$LIB/$d/IMG_0001.XMP" "$W/xmp2" ||
	    sb_fail "restore from $r: the sidecars are not back"
	rm "$LIB/$d/IMG_0001.JPG.xmp" "$LIB/$d/IMG_0001.XMP"
done
exit 0
