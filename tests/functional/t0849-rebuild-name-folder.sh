#!/bin/sh
# restore --rebuild from S3, which holds an object NAME and objects under
# NAME/ side by side: a disk cannot, so whichever comes second cannot be
# placed. Our sidecar IMG_0002.XMP went up while another program's
# IMG_0002.XMP/inner was there; the rebuild restored inner first, found a
# folder at the sidecar's name and called it "present", exit 0: a
# catalogued, uploaded file silently not restored. Now that file is
# failed, named with the reason, and the run exits 1; the rest is
# restored and catalogued.
. "$TOP/tests/functional/remote-lib.sh"
sb_init
command -v rclone >/dev/null || sb_skip "rclone not installed"
sb_start_s3rver photos
cat >"$CFG" <<EOF2
settle = 0
$(sb_s3_section s3)
retry_delay = 0.1
EOF2
sb() { "$SHOEBOX" -c "$CFG" "$@"; }
card=$W/card
mkdir -p "$card"
cp "$TOP/tests/sample-card/DCIM/100CANON/IMG_0002.JPG" "$card/"
printf '<x:xmpmeta xmlns:x="adobe:ns:meta/">two</x:xmpmeta>\n' >"$card/IMG_0002.XMP"
sb -L "$LIB" import --no-progress "$card" >/dev/null 2>"$W/err" ||
    { cat "$W/err"; sb_fail "import"; }
jpg=$(sqlite3 "$LIB/.shoebox/catalog.db" "SELECT path FROM files WHERE path LIKE '%IMG_0002.JPG'")
xmp=${jpg%.JPG}.XMP
[ -f "$LIB/$xmp" ] || sb_fail "setup: no $xmp"
sb_rclone_s3 "$S3_PORT"
printf 'not ours' | sb_rclone rcat "s3:photos/$xmp/inner" ||
    sb_fail "rclone rcat"
sb -L "$LIB" sync --no-progress >/dev/null 2>"$W/err" ||
    { cat "$W/err"; sb_fail "sync"; }
sb_rclone cat "s3:photos/$xmp" >"$W/up.xmp" 2>/dev/null &&
    cmp -s "$W/up.xmp" "$LIB/$xmp" || sb_fail "the sidecar did not go up as $xmp"

rc=0
sb -L "$LIB" restore --remote s3 --rebuild --to "$W/new" --no-progress \
    >"$W/out" 2>"$W/err" || rc=$?
cat "$W/out" "$W/err"
[ "$rc" = 1 ] || sb_fail "restore --rebuild exited $rc, not 1"
# Whichever came first, the sidecar's place is a folder or the sidecar:
# either way one of the two is named failed, with why.
if [ -d "$W/new/$xmp" ]; then
	grep -q "$xmp: not restored: a folder holds its name" "$W/err" ||
	    sb_fail "the sidecar is not said not restored"
else
	cmp -s "$W/new/$xmp" "$LIB/$xmp" || sb_fail "sidecar neither restored nor said"
	grep -q "$xmp/inner" "$W/err" || sb_fail "inner is not said not restored"
fi
grep -q ' [1-9][0-9]* present' "$W/out" &&
    sb_fail "something counted present in a new library"
cmp -s "$W/new/$jpg" "$LIB/$jpg" || sb_fail "the photo was not restored"
[ "$(sqlite3 "$W/new/.shoebox/catalog.db" "SELECT count(*) FROM files WHERE path = '$jpg'")" = 1 ] ||
    sb_fail "the photo is not catalogued"
exit 0
