#!/bin/sh
# Peak memory of a sync of a 3 GB (sparse) file to S3, multipart, stays
# under a fixed bound: the file is streamed, never held. Under ASan the
# file is smaller and the bound looser (its shadow memory is not ours).
# The endpoint is s3-sink.py, which checks each part's SHA-256 and
# keeps only sizes (s3rver would spend over a minute of CPU storing it).
. "$TOP/tests/functional/remote-lib.sh"
sb_init
[ -x /usr/bin/time ] || sb_skip "/usr/bin/time not installed (package time)"
size=3G bound=40000	# kB
case "$SHOEBOX" in *asan*) size=300M bound=150000 ;; esac
sb_start_s3sink
cat >"$CFG" <<EOF2
$(sb_s3_section s3)
part_size = 64M
EOF2
truncate -s "$size" "$W/huge"
sb_add "$W/huge" "2024/01/01/huge.mov"
rm -f "$W/huge"
/usr/bin/time -f %M -o "$W/rss" "$SHOEBOX" -L "$LIB" -c "$CFG" sync \
    --no-progress >"$W/out" 2>"$W/err" || { cat "$W/err"; sb_fail "sync"; }
rss=$(tail -n 1 "$W/rss")
echo "peak RSS for a $size file: $rss kB (bound $bound kB)"
[ "$rss" -lt "$bound" ] || sb_fail "peak RSS $rss kB"
# the object is whole: every part arrived with the SHA-256 it was sent with,
# and they add up to the file's size
bytes=$(stat -c %s "$LIB/2024/01/01/huge.mov")
cat "$W/s3sink.log"
echo "OBJECT /photos/2024/01/01/huge.mov $bytes $(((bytes + 67108863) / 67108864))" |
    cmp - "$W/s3sink.log" || sb_fail "object size or parts"
exit 0
