#!/bin/sh
# --bwlimit holds on a dir remote too (a backup disk on a slow USB link, or
# one a NAS shares with its users): 4 MB at 2M a second take 1.5 s or more,
# where the limit was applied only through curl and a dir remote ignored
# it (20 MB "sent in 0.0 s"). Only a lower bound is asserted: a loaded
# machine makes it slower, never faster. The copies arrive whole.
. "$TOP/tests/lib/common.sh"
command -v python3 >/dev/null || { echo "python3 is needed"; exit 77; }
mkdir -p "$T/src" "$T/usb"
padded_video "$FIX/mp4_utc_2021-07-04T183015Z.mp4" "$T/src/a.mp4" 2
padded_video "$FIX/mp4_utc_2021-07-04T183015Z.mp4" "$T/src/b.mp4" 2
cat >>"$T/config" <<EOF
[remote usb]
type = dir
path = $T/usb
EOF
sb import --no-progress "$T/src"
expect_rc 0
t0=$(date +%s.%N)
sb sync --no-progress --bwlimit 2M
expect_rc 0
t1=$(date +%s.%N)
awk -v a="$t0" -v b="$t1" 'BEGIN { exit !(b - a >= 1.5) }' ||
    fail "4 MB at --bwlimit 2M took $(awk -v a="$t0" -v b="$t1" \
    'BEGIN { print b - a }') s"
[ "$(sums "$T/usb")" = "$(sums "$T/src")" ] || fail "copies differ"
echo "ok"
