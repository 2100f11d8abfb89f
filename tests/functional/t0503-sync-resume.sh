#!/bin/sh
# A sync killed with SIGKILL in the middle of a multipart upload resumes:
# the UploadId and the parts done are in the catalogue, the next sync sends
# only the missing parts, and the object is whole.
. "$TOP/tests/functional/remote-lib.sh"
sb_init
command -v rclone >/dev/null || sb_skip "rclone not installed"
sb_start_s3rver photos
cat >"$CFG" <<EOF2
$(sb_s3_section s3)
multipart_threshold = 5M
part_size = 5M
upload_concurrency = 2
EOF2
head -c 42000000 /dev/urandom >"$W/big"
sb_add "$W/big" "2022/02/02/long video.mp4"
db="$LIB/.shoebox/catalog.db"
parts() { sqlite3 "$db" "SELECT count(*) FROM upload_parts" 2>/dev/null || echo 0; }

"$SHOEBOX" -L "$LIB" -c "$CFG" sync --no-progress --bwlimit 24M >"$W/out1" 2>&1 &
pid=$!
i=0
while [ "$(parts)" -lt 3 ] && [ $i -lt 300 ]; do
	sleep 0.1
	i=$((i + 1))
done
kill -9 $pid
wait $pid 2>/dev/null
done_parts=$(sqlite3 "$db" "SELECT part FROM upload_parts ORDER BY part")
[ -n "$done_parts" ] || sb_fail "no part recorded before the kill"
[ "$(sqlite3 "$db" "SELECT count(*) FROM upload_jobs WHERE upload_id IS NOT NULL")" = 1 ] ||
    sb_fail "no UploadId kept"
echo "parts done at the kill:" $done_parts

"$SHOEBOX" -v -L "$LIB" -c "$CFG" sync --no-progress >"$W/out2" 2>&1 || { cat "$W/out2"; sb_fail "resumed sync"; }
cat "$W/out2"
grep -q resuming "$W/out2" || sb_fail "did not resume"
[ "$(grep -c '^POST .*uploads' "$W/s3rver.log")" = 1 ] || sb_fail "a second multipart upload was started"
for p in $done_parts; do
	n=$(grep -c "^PUT .*partNumber=$p&.* 200\$" "$W/s3rver.log")
	[ "$n" = 1 ] || sb_fail "part $p sent $n times"
done
[ "$(sqlite3 "$db" "SELECT status FROM upload_jobs")" = done ] || sb_fail "job not done"
[ "$(parts)" = 0 ] || sb_fail "parts not forgotten"
sb_rclone_s3 "$S3_PORT"
sb_check s3:photos
exit 0
