#!/bin/sh
# sync's progress line counts each byte of a file once: a PUT answered 500
# after its body went, or dropped halfway, is sent again from the start,
# and the line must not say more was sent than the queue holds.
. "$TOP/tests/functional/remote-lib.sh"
sb_init
sb_start_s3rver photos
sb_start_proxy "$S3_PORT" "PUT:500,PUT:drop"
cat >>"$CFG" <<EOF2
$(sb_s3_section flaky "$PROXY_PORT")
retries = 5
retry_delay = 0.05
timeout = 2
EOF2
head -c 1500000 /dev/urandom >"$W/f"
sb_add "$W/f" "2022/02/02/f.jpg"
"$SHOEBOX" -L "$LIB" -c "$CFG" sync --progress flaky >"$W/out" 2>"$W/err" ||
    { cat "$W/err" "$W/proxy.log"; sb_fail "sync through faults"; }
[ "$(grep -c '^RES.*\(injected\|drop\)' "$W/proxy.log")" = 2 ] ||
    { cat "$W/proxy.log"; sb_fail "the two faults were not injected"; }
last=$(tr '\r' '\n' <"$W/err" | grep '^sync: ' | tail -n 1)
echo "last progress line: $last"
case "$last" in
"sync: 1/1 files  1.5 MB/1.5 MB  "*) ;;
*) sb_fail "progress counts retried bytes again: $last" ;;
esac
exit 0
