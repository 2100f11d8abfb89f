#!/bin/sh
# verify --remote --resend of photos with sidecars (a dir remote). One
# photo's copy changed on the disk: it goes up beside it as IMG-1.JPG,
# and its sidecar must go beside that as IMG-1.XMP, or the two no longer
# pair by name (restore --rebuild would give the XMP to the damaged copy,
# and none to the good one); the old XMP stays. Another's copy was
# deleted: it goes back to its own name, where its sidecar still is,
# found there and not sent again.
. "$TOP/tests/functional/remote-lib.sh"
sb_init
mkdir -p "$W/disk"
cat >"$CFG" <<EOF2
[remote usb]
type = dir
path = $W/disk
EOF2
d=2019/07/01
for n in A B C; do
	head -c 1000 /dev/urandom >"$W/f"
	sb_add "$W/f" "$d/IMG_$n.JPG"
done
for n in A B; do
	head -c 100 /dev/urandom >"$W/f"
	sb_add "$W/f" "$d/IMG_$n.XMP"
	sqlite3 "$LIB/.shoebox/catalog.db" "UPDATE files SET main_id = (SELECT
	    id FROM files WHERE path = '$d/IMG_$n.JPG') WHERE path =
	    '$d/IMG_$n.XMP'" || sb_fail "sqlite3"
done
sb_sync >"$W/out" 2>"$W/err" || { cat "$W/out" "$W/err"; sb_fail "first sync"; }
cp "$W/disk/$d/IMG_A.XMP" "$W/a.xmp"
head -c 1000 /dev/urandom >"$W/disk/$d/IMG_A.JPG"	# changed there
rm "$W/disk/$d/IMG_B.JPG"				# lost there

"$SHOEBOX" -L "$LIB" -c "$CFG" verify --remote usb --download --resend \
    >"$W/out" 2>"$W/err"
rc=$?
cat "$W/out" "$W/err"
[ $rc = 1 ] || sb_fail "verify: exit $rc, expected 1"
grep -q "^changed    $d/IMG_A.JPG" "$W/out" || sb_fail "A not changed"
grep -q "^missing    $d/IMG_B.JPG" "$W/out" || sb_fail "B not missing"

sb_sync >"$W/out" 2>"$W/err"
rc=$?
cat "$W/out" "$W/err"
[ $rc = 0 ] || sb_fail "sync: exit $rc"
grep -q '^remote usb: 4 files: 3 uploaded (2.1 kB), 1 already there, 0 failed$' \
    "$W/out" || sb_fail "the summary"
cmp -s "$W/disk/$d/IMG_A-1.JPG" "$LIB/$d/IMG_A.JPG" || sb_fail "IMG_A-1.JPG"
cmp -s "$W/disk/$d/IMG_A-1.XMP" "$LIB/$d/IMG_A.XMP" ||
    sb_fail "A's sidecar did not go beside it as IMG_A-1.XMP"
cmp -s "$W/disk/$d/IMG_A.XMP" "$W/a.xmp" || sb_fail "the old XMP"
cmp -s "$W/disk/$d/IMG_B.JPG" "$LIB/$d/IMG_B.JPG" || sb_fail "IMG_B.JPG"
cmp -s "$W/disk/$d/IMG_B.XMP" "$LIB/$d/IMG_B.XMP" || sb_fail "IMG_B.XMP"
[ "$(find "$W/disk" -type f | wc -l)" = 7 ] ||
    sb_fail "copies: $(find "$W/disk" -type f)"

# the catalogue knows where each is, and verify finds them all intact
"$SHOEBOX" -L "$LIB" -c "$CFG" verify --remote usb --download >"$W/out" \
    2>"$W/err" || { cat "$W/out" "$W/err"; sb_fail "verify after"; }
grep -q "^5 copies on usb verified: 5 intact," "$W/out" ||
    { cat "$W/out"; sb_fail "verify after"; }
exit 0
