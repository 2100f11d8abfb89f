#!/bin/sh
# A photo whose upload fails (here: missing from the library for a while;
# a large video on a flaky link does the same) and its sidecar, on a
# remote that holds another camera's IMG_0001.JPG. The sidecar waits for
# its photo instead of going up first under its own name beside the
# stranger's photo: once the photo is sent as IMG_0001-1.JPG, the sidecar
# follows as IMG_0001-1.XMP, and the two pair. A photo that keeps failing
# holds its sidecar back no longer once it failed 3 times (the third
# sync sends the sidecar alone). A video too big for what is free on the
# remote (left pending, not its fault) holds its small sidecar back not at
# all.
. "$TOP/tests/functional/remote-lib.sh"
sb_init
mkdir -p "$W/disk"
printf '[remote usb]\ntype = dir\npath = %s\n' "$W/disk" >"$CFG"
d=2019/07/04
sb_catalog
printf '<x:xmpmeta xmlns:x="adobe:ns:meta/">mine</x:xmpmeta>\n' >"$W/mine.xmp"
head -c 40000 /dev/urandom >"$W/theirs.jpg"
head -c 30000 /dev/urandom >"$W/ours.jpg"
sb_add "$W/ours.jpg" "$d/IMG_0001.JPG"
sb_add "$W/mine.xmp" "$d/IMG_0001.XMP"
sqlite3 "$LIB/.shoebox/catalog.db" "UPDATE files SET main_id = (SELECT id FROM
    files WHERE path = '$d/IMG_0001.JPG') WHERE path = '$d/IMG_0001.XMP'"
mkdir -p "$W/disk/$d"
cp "$W/theirs.jpg" "$W/disk/$d/IMG_0001.JPG"
mv "$LIB/$d/IMG_0001.JPG" "$W/aside.jpg"
sb_sync >"$W/out" 2>"$W/err"
rc=$?
cat "$W/out" "$W/err"
[ $rc = 1 ] || sb_fail "first sync: exit $rc"
[ ! -e "$W/disk/$d/IMG_0001.XMP" ] || sb_fail "the sidecar went up before its photo"
grep -q "1 not attempted (taken by another sync, or sidecars waiting for their main file)" "$W/out" ||
    sb_fail "first sync: the summary"
mv "$W/aside.jpg" "$LIB/$d/IMG_0001.JPG"
sb_sync >"$W/out" 2>"$W/err"
rc=$?
cat "$W/out" "$W/err"
[ $rc = 0 ] || sb_fail "second sync: exit $rc"
cmp -s "$W/disk/$d/IMG_0001-1.JPG" "$W/ours.jpg" || sb_fail "the photo: $(ls "$W/disk/$d")"
cmp -s "$W/disk/$d/IMG_0001-1.XMP" "$W/mine.xmp" || sb_fail "the sidecar: $(ls "$W/disk/$d")"
cmp -s "$W/disk/$d/IMG_0001.JPG" "$W/theirs.jpg" || sb_fail "the other camera's photo changed"
[ ! -e "$W/disk/$d/IMG_0001.XMP" ] || sb_fail "a sidecar by the other photo's name"

# A photo that keeps failing: its third failure lets its sidecar go alone.
rm -rf "$W/disk" && mkdir -p "$W/disk"
sqlite3 "$LIB/.shoebox/catalog.db" "DELETE FROM upload_jobs"
mv "$LIB/$d/IMG_0001.JPG" "$W/aside.jpg"
for i in 1 2; do
	sb_sync >"$W/out" 2>"$W/err"
	[ ! -e "$W/disk/$d/IMG_0001.XMP" ] || sb_fail "sync $i: the sidecar went alone too soon"
done
sb_sync >"$W/out" 2>"$W/err"
cat "$W/out" "$W/err"
cmp -s "$W/disk/$d/IMG_0001.XMP" "$W/mine.xmp" || sb_fail "the sidecar never went alone: $(ls -R "$W/disk")"

# A main file that does not fit: its small sidecar goes all the same.
[ "$(id -u)" = 0 ] || { echo "ok (no tmpfs: not root)"; exit 0; }
rm -rf "$W/lib" "$W/disk" && mkdir -p "$W/lib" "$W/disk"
mount -t tmpfs -o size=1m tmpfs "$W/disk" || { echo "ok (no tmpfs)"; exit 0; }
trap 'umount "$W/disk"; sb_cleanup' EXIT
head -c 3000000 /dev/urandom >"$W/big"
sb_add "$W/big" "$d/MVI_0005.MOV"
sb_add "$W/mine.xmp" "$d/MVI_0005.XMP"
sqlite3 "$LIB/.shoebox/catalog.db" "UPDATE files SET main_id = (SELECT id FROM
    files WHERE path = '$d/MVI_0005.MOV') WHERE path = '$d/MVI_0005.XMP'"
for i in 1 2 3; do
	sb_sync >"$W/out" 2>"$W/err"
done
cat "$W/out" "$W/err"
cmp -s "$W/disk/$d/MVI_0005.XMP" "$W/mine.xmp" || sb_fail "nofit: the sidecar never went"
[ "$(sqlite3 "$LIB/.shoebox/catalog.db" "SELECT status FROM upload_jobs j JOIN files f ON f.id = j.file_id WHERE f.path = '$d/MVI_0005.MOV'")" = pending ] ||
    sb_fail "nofit: the video is no longer pending"
exit 0
