#!/bin/sh
# An S3 server carries out the completion of a multipart upload, but its
# answer is lost (a reverse proxy's 502). The retried completion finds no
# such upload: a 404 (NoSuchUpload, as MinIO answers) stopped the remote
# as one refusing, the file "failed" though it was there whole, and the
# files after it were not attempted (exit 1); s3rver's 500 failed the file
# after every retry. Where the object is now tells: it counts as sent.
. "$TOP/tests/functional/remote-lib.sh"
sb_init
sb_start_s3rver photos
sb_start_proxy "$S3_PORT" "POST:pass,POST:pass502,POST:404"
cat >"$CFG" <<EOF2
transfers = 1

$(sb_s3_section s3 "$PROXY_PORT")
multipart_threshold = 5M
part_size = 5M
retry_delay = 0.1
EOF2
head -c 6000000 /dev/urandom >"$W/big"
sb_add "$W/big" "2022/02/02/video.mp4"
for i in 1 2 3; do
	head -c $((1000 + i)) /dev/urandom >"$W/f"
	sb_add "$W/f" "2022/02/03/f$i.jpg"
done

sb_sync >"$W/out" 2>"$W/err"
rc=$?
cat "$W/out" "$W/err"
grep -q '^RES POST 502 after passing' "$W/proxy.log" &&
    grep -q '^RES POST 404 injected' "$W/proxy.log" ||
    { cat "$W/proxy.log"; sb_fail "the faults were not met"; }
[ $rc = 0 ] || sb_fail "exit $rc, expected 0"
grep -q '^remote s3: 4 files: 4 uploaded ' "$W/out" || sb_fail "the summary"
[ "$(sqlite3 "$LIB/.shoebox/catalog.db" "SELECT count(*) FROM uploads
    WHERE status = 'done' AND remote_path = path")" = 4 ] ||
    sb_fail "not all done under their own names"
cmp "$W/big" "$W/s3data/photos/2022/02/02/video.mp4._S3rver_object" ||
    sb_fail "the video is not whole there"
exit 0
