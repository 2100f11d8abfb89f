#!/bin/sh
# A server's Retry-After is honoured up to 60 s a wait: "Retry-After: 3600"
# on a PUT costs a minute, not an hour, and the file then goes up.
. "$TOP/tests/functional/remote-lib.sh"
sb_init
command -v rclone >/dev/null || sb_skip "rclone not installed"
sb_start_s3rver photos
sb_start_proxy "$S3_PORT" "PUT:503ra=3600"
cat >"$CFG" <<EOF2
$(sb_s3_section slow "$PROXY_PORT")
EOF2
head -c 1000 /dev/urandom >"$W/r1"
sb_add "$W/r1" "2019/07/04/IMG 0001.JPG"
t0=$(date +%s)
"$SHOEBOX" -v -L "$LIB" -c "$CFG" sync --no-progress >"$W/out" 2>"$W/err" ||
    { cat "$W/err"; sb_fail "sync"; }
t1=$(date +%s)
grep 'Retry\|wait' "$W/err"
echo "Retry-After: 3600 cost $((t1 - t0)) s"
grep -q 'injected' "$W/proxy.log" || sb_fail "no fault injected"
grep -q 'remote slow: the server asks to wait 3600 s; waiting 60$' "$W/err" ||
    sb_fail "no word of the capped wait"
[ $((t1 - t0)) -ge 59 ] || sb_fail "waited less than the cap"
[ $((t1 - t0)) -lt 90 ] || sb_fail "waited $((t1 - t0)) s: Retry-After not capped"
sb_rclone_s3 "$S3_PORT"
sb_check s3:photos
exit 0
