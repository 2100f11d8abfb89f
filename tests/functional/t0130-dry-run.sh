#!/bin/sh
# --dry-run prints what would happen and writes nothing at all.
. "$TOP/tests/lib/common.sh"

cp -r "$TOP/tests/sample-card" "$T/card"
set_mtimes "$T/card"
sb import --dry-run "$T/card"
expect_rc 0
[ ! -e "$LIB" ] || fail "dry run created the library"
c=$T/card
expect_out "the plan, file by file, and its summary" <<EOF
would: imported  $c/DCIM/100CANON/IMG_0001.JPG -> 2006/08/02/IMG_0001.JPG (2006-08-02T21:53:01, exif)
would: sidecar   $c/DCIM/100CANON/IMG_0001.JPG.xmp -> 2006/08/02/IMG_0001.JPG.xmp (2006-08-02T21:53:01, exif)
would: imported  $c/DCIM/100CANON/IMG_0002.JPG -> 2004/06/21/IMG_0002.JPG (2004-06-21T23:37:53, exif)
would: imported  $c/DCIM/100CANON/IMG_0003.CR3 -> 2021/05/12/IMG_0003.CR3 (2021-05-12T12:21:21+02:00, exif)
would: sidecar   $c/DCIM/100CANON/IMG_0003.xmp -> 2021/05/12/IMG_0003.xmp (2021-05-12T12:21:21+02:00, exif)
would: imported  $c/DCIM/100CANON/IMG_0004.JPG -> 2003/09/25/IMG_0004.JPG (2003-09-25T20:18:50, exif)
would: imported  $c/DCIM/100CANON/MVI_0005.MOV -> 2019/12/31/MVI_0005.MOV (2019-12-31T23:59:58+00:00, quicktime)
would: duplicate $c/DCIM/101CANON/IMG_0002 copy.JPG (2004-06-21T23:37:53, exif)
would: imported  $c/DCIM/101CANON/IMG_3578.HEIC -> 2020/04/17/IMG_3578.HEIC (2020-04-17T10:03:40-06:00, exif)
would: skipped   $c/MISC/SETTINGS.TXT: not media (text/plain)
would: imported  $c/PRIVATE/M4ROOT/CLIP/C0001.MP4 -> 2021/07/04/C0001.MP4 (2021-07-04T18:30:15+00:00, quicktime)
would: sidecar   $c/PRIVATE/M4ROOT/CLIP/C0001M01.XML -> 2021/07/04/C0001M01.XML (2021-07-04T18:30:15+00:00, quicktime)
would: skipped   $c/README: not media (text/plain)
dry run: 13 files seen: 7 imported, 1 duplicates, 3 sidecars, 0 already imported, 2 skipped, 0 failed
EOF

# Into an existing library: still nothing written, catalogue untouched.
sb import --no-progress "$T/card/DCIM/100CANON"
expect_rc 0
before=$(cd "$LIB" && find . -exec stat -c '%n %s %Y' {} + | sort | sha256sum)
sb import --dry-run --json "$T/card"
expect_rc 0
grep -q '"status":"already"' "$T/out" || fail "already-imported files not reported"
after=$(cd "$LIB" && find . -exec stat -c '%n %s %Y' {} + | sort | sha256sum)
[ "$before" = "$after" ] || fail "dry run changed the library"
exit 0
