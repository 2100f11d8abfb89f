#!/bin/sh
# Sources as a shell gives them, and files' times at the ends of the range:
#  - import --move DROP/*.JPG of 600 photos under a soft limit of 200 open
#    files: all filed, none "Too many open files" (the files of one folder
#    share its descriptor);
#  - a photo whose mtime is in 2446 (ext4 keeps times up to then) and one
#    from 1969 with a fraction of a second: imported (no overflow: the ASan
#    pass runs this too), the catalogue holds the nearest time it can, a
#    second run calls them already imported, and both go to a dir remote
#    and verify there;
#  - overlapping sources (a folder, a folder and a file inside it, a link
#    to one): each file taken and counted once, not as its own duplicate.
. "$TOP/tests/lib/common.sh"
command -v python3 >/dev/null || { echo "python3 is needed"; exit 77; }

distinct_jpegs "$T/drop" 1 600 args
(
	ulimit -Sn 200 || exit 77
	cd "$T" && "$SHOEBOX" import --move --settle 0 --no-progress \
	    drop/*.JPG >"$T/out" 2>"$T/err"
) || { cat "$T/out" "$T/err" >&2; fail "import of 600 arguments failed"; }
grep -q "^600 files seen: 600 imported" "$T/out" ||
    { cat "$T/out" "$T/err" >&2; fail "not all 600 imported"; }
[ -z "$(ls "$T/drop")" ] || fail "sources left after --move"
[ "$(q "SELECT count(*) FROM files")" = 600 ] || fail "catalogue count"

mkdir "$T/ends"
distinct_jpegs "$T/ends" 1 2 ends
# Their Exif dates kept out: the mtime is what dates them.
python3 - "$T/ends" <<'PY' || fail "strip"
import os, struct, sys
for n in os.listdir(sys.argv[1]):
    p = os.path.join(sys.argv[1], n)
    d, i, out = open(p, "rb").read(), 2, bytearray(b"\xff\xd8")
    while d[i + 1] != 0xda:
        l = struct.unpack(">H", d[i + 2:i + 4])[0]
        if d[i + 1] != 0xe1:
            out += d[i:i + 2 + l]
        i += 2 + l
    open(p, "wb").write(bytes(out + d[i:]))
PY
touch -d '2446-01-01 12:00:00 UTC' "$T/ends/IMG_0001.JPG"
touch -d '1969-12-31 23:59:59.5 UTC' "$T/ends/IMG_0002.JPG"
[ "$(stat -c %Y "$T/ends/IMG_0001.JPG")" -gt 9000000000 ] ||
    { echo "skipped: this filesystem keeps no time after 2038"; exit 77; }
mkdir "$T/usb"
cat >>"$T/config" <<EOF
[remote usb]
type = dir
path = $T/usb
EOF
sb import --settle 0 --no-progress "$T/ends"
expect_rc 0
[ -f "$LIB/2446/01/01/IMG_0001.JPG" ] || { libfiles >&2; fail "2446 file"; }
[ -f "$LIB/1969/12/31/IMG_0002.JPG" ] || { libfiles >&2; fail "1969 file"; }
[ "$(q "SELECT mtime_ns FROM files WHERE path LIKE '2446/%'")" = \
    9223372036854775807 ] || fail "2446: mtime not held at the end"
[ "$(q "SELECT mtime_ns FROM files WHERE path LIKE '1969/%'")" = \
    -500000000 ] || fail "1969: mtime_ns"
sb import --settle 0 --no-progress "$T/ends"
expect_rc 0
grep -q "2 already imported" "$T/out" || { cat "$T/out" >&2
    fail "second run: not already imported"; }
sb verify
expect_rc 0
sb sync --no-progress usb
expect_rc 0
[ "$(stat -c %Y "$T/usb/1969/12/31/IMG_0002.JPG")" = -1 ] ||
    fail "1969: mtime on the remote"
sb verify --remote usb --download
expect_rc 0

# Sources that overlap: a folder and a folder inside it, one of its files,
# the folder again with a slash, through a link to it. Each file is taken
# once and counted once, none "a duplicate" of itself; a hidden folder
# named on its own (which the walk leaves alone) is still taken; --move
# empties them all.
O=$T/over
mkdir -p "$O/sub" "$O/.hidden"
distinct_jpegs "$O/sub" 200 3 over
distinct_jpegs "$O" 210 1 top
distinct_jpegs "$O/.hidden" 220 1 hid
ln -s "$O/sub" "$T/sublink"
sb import --settle 0 --no-progress --move "$O" "$O/sub" "$T/sublink" \
    "$O/sub/" "$(ls "$O"/*.jpg "$O"/*.JPG 2>/dev/null | head -1)" "$O/.hidden"
expect_rc 0
grep -q "^5 files seen: 5 imported, 0 duplicates" "$T/out" ||
    { cat "$T/out" "$T/err" >&2; fail "overlapping sources"; }
grep -q "sub: inside .*over; taken from there, once" "$T/err" ||
    { cat "$T/err" >&2; fail "overlap not said"; }
[ -z "$(find "$O" -type f)" ] || fail "--move left $(find "$O" -type f)"
# A folder the walk of its parent leaves alone (a NAS's #recycle, a folder
# over 64 deep), named on its own beside the parent: still taken; the
# library inside a source folder, named too: still refused (exit 2).
mkdir -p "$O/#recycle"
distinct_jpegs "$O/#recycle" 230 1 rec
deep=$O/d
i=0
while [ $i -lt 66 ]; do
	deep=$deep/d
	i=$((i + 1))
	[ $i = 63 ] && mid=$deep
done
distinct_jpegs "$deep" 240 1 deep
distinct_jpegs "$mid" 245 1 mid
sb import --settle 0 --no-progress "$O" "$O/#recycle" "$mid" "$deep"
grep -q "^[0-9]* files seen: 3 imported" "$T/out" ||
    { cat "$T/out" "$T/err" >&2; fail "#recycle or a deep folder named"; }
distinct_jpegs "$O/twice" 250 1 twice
sb import --settle 0 --no-progress "$O/twice/IMG_0250.JPG" \
    "$O/./twice/IMG_0250.JPG"
grep -q "^1 files seen: 1 imported, 0 duplicates" "$T/out" ||
    { cat "$T/out" "$T/err" >&2; fail "one file named twice"; }
# One folder at two mount points (root only: bind mounts): a source's
# sub-folder mounted elsewhere and given beside it, and the source itself
# mounted elsewhere too; each file taken once, from one of them.
B=$T/bound
if [ "$(id -u)" = 0 ] && mkdir -p "$B/sub" "$T/m1" "$T/m2" &&
    mount --bind "$B/sub" "$T/m1" 2>/dev/null; then
	unbind() { umount "$T/m1" 2>/dev/null; umount "$T/m2" 2>/dev/null; }
	cleanup_hooks="unbind"
	mount --bind "$B" "$T/m2" || fail "mount --bind"
	distinct_jpegs "$B/sub" 260 2 bound
	distinct_jpegs "$B" 270 1 btop
	sb import --settle 0 --no-progress --move "$B" "$T/m1" "$T/m2"
	expect_rc 0
	grep -q "^3 files seen: 3 imported, 0 duplicates" "$T/out" ||
	    { cat "$T/out" "$T/err" >&2; fail "one folder at two mounts"; }
	grep -q "bound/sub: the same folder as .*/m1 (mounted there too); taken from there, once" \
	    "$T/err" || { cat "$T/err" >&2; fail "the sub-folder's mount not said"; }
	grep -q "m2: the same folder as .*/bound (mounted there too); taken from there, once" \
	    "$T/err" || { cat "$T/err" >&2; fail "the source's mount not said"; }
	[ -z "$(find "$B" -type f)" ] || fail "--move left $(find "$B" -type f)"
	unbind
fi
sb import --settle 0 --no-progress "$T" "$LIB"
expect_rc 2
grep -q "is the library or inside it, not a source" "$T/err" ||
    { cat "$T/err" >&2; fail "the library named beside its parent"; }
echo "ok"
