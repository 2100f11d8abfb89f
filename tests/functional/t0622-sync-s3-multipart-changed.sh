#!/bin/sh
# A library file whose bytes changed since import (bit rot, an edit in
# place, the same size) is not sent to S3 under the catalogue's SHA-256,
# however large: a file sent in a multipart upload is refused as a single
# PUT is ("SHA-256 differs from the catalogue's"), its upload aborted, no
# object left for verify --remote to call intact, and the other files go
# on. The same when a killed sync had sent the changed bytes in a part
# before it died: the resumed upload checks every byte, those of the parts
# sent before too. Once the file is right again, the next sync sends it.
. "$TOP/tests/functional/remote-lib.sh"
sb_init
command -v rclone >/dev/null || sb_skip "rclone not installed"
sb_start_s3rver photos
cat >"$CFG" <<EOF2
$(sb_s3_section s3)
multipart_threshold = 5M
part_size = 5M
upload_concurrency = 2
retries = 1
retry_delay = 0.1
EOF2
db="$LIB/.shoebox/catalog.db"
d=2022/02/02
head -c 12000000 /dev/urandom >"$W/rotten"
head -c 11000000 /dev/urandom >"$W/good"
head -c 300000 /dev/urandom >"$W/small"
sb_add "$W/rotten" "$d/rotten.mp4"
sb_add "$W/good" "$d/good.mp4"
sb_add "$W/small" "$d/small.jpg"
# flip BYTE-OFFSET FILE: one byte of FILE inverted in place, size the same
# (not overwritten with a constant: one random byte in 256 already is it)
flip() {
	python3 - "$1" "$2" <<'PY' || sb_fail "cannot flip a byte of $2"
import sys
with open(sys.argv[2], "r+b") as f:
    f.seek(int(sys.argv[1]))
    b = f.read(1)[0]
    f.seek(int(sys.argv[1]))
    f.write(bytes([b ^ 0xFF]))
PY
	cmp -s "$2" "$W/$(basename "$2" .mp4)" && sb_fail "nothing flipped"
}
objects() { find "$W/s3data" -name "*$1*._S3rver_object" | wc -l; }
job() {
	sqlite3 "$db" "SELECT j.status, j.upload_id IS NULL, (SELECT count(*)
	    FROM upload_parts p WHERE p.job_id = j.id) FROM upload_jobs j JOIN
	    files f ON f.id = j.file_id WHERE f.path = '$d/$1'"
}
msg="shoebox: remote s3: $d/rotten.mp4: SHA-256 differs from the catalogue's (changed since import?)"

# In the second of its three parts: refused, aborted, the rest sent.
flip 7000000 "$LIB/$d/rotten.mp4"
sb_sync >"$W/out" 2>"$W/err"
rc=$?
cat "$W/out" "$W/err"
[ $rc = 1 ] || sb_fail "changed: exit $rc, expected 1"
grep -qx "$msg" "$W/err" || sb_fail "changed: the message"
grep -q "^remote s3: 3 files: 2 uploaded ([0-9.]* MB), 0 already there, 1 failed$" \
    "$W/out" || sb_fail "changed: the summary"
[ "$(objects rotten)" = 0 ] || sb_fail "changed: an object was made"
# (AbortMultipartUpload: s3rver answers it 404, not implemented)
grep -q '^DELETE .*rotten.mp4?uploadId=' "$W/s3rver.log" ||
    sb_fail "changed: the multipart upload was not aborted"
[ "$(job rotten.mp4)" = "failed|1|0" ] ||
    sb_fail "changed: the job: $(job rotten.mp4)"
"$SHOEBOX" -L "$LIB" -c "$CFG" verify --no-progress --remote s3 >"$W/out" \
    2>&1 || { cat "$W/out"; sb_fail "verify --remote"; }
grep -q "^2 copies on s3 verified: 2 intact" "$W/out" ||
    { cat "$W/out"; sb_fail "verify --remote: $(cat "$W/out")"; }

# Right again: it goes.
cp "$W/rotten" "$LIB/$d/rotten.mp4"
sb_sync >"$W/out" 2>"$W/err" || { cat "$W/err"; sb_fail "put right"; }
[ "$(job rotten.mp4)" = "done|1|0" ] || sb_fail "put right: the job"

# Killed after its first part went, then changed in that part: the
# resumed upload sends only the parts left, and is refused.
head -c 20000000 /dev/urandom >"$W/killed"
sb_add "$W/killed" "$d/killed.mp4"
"$SHOEBOX" -L "$LIB" -c "$CFG" sync --no-progress --bwlimit 8M \
    >"$W/out1" 2>&1 &
pid=$!
i=0
until [ "$(sqlite3 "$db" "SELECT count(*) FROM upload_parts WHERE part = 1" \
    2>/dev/null)" = 1 ] || [ $i -ge 300 ]; do
	sleep 0.1
	i=$((i + 1))
done
kill -9 $pid
wait $pid 2>/dev/null
[ "$(job killed.mp4 | cut -d'|' -f2)" = 0 ] ||
    { cat "$W/out1"; sb_fail "killed: no UploadId kept"; }
flip 1000 "$LIB/$d/killed.mp4"
sb_sync -v >"$W/out" 2>"$W/err"
rc=$?
cat "$W/out" "$W/err"
[ $rc = 1 ] || sb_fail "resumed: exit $rc, expected 1"
grep -q 'killed.mp4: resuming upload' "$W/err" || sb_fail "did not resume"
[ "$(grep -c '^PUT .*killed.mp4?partNumber=1&.* 200$' "$W/s3rver.log")" = 1 ] ||
    sb_fail "resumed: the first part sent again"
grep -qx "$(echo "$msg" | sed 's/rotten/killed/')" "$W/err" ||
    sb_fail "resumed: the message"
[ "$(objects killed)" = 0 ] || sb_fail "resumed: an object was made"
grep -q '^DELETE .*killed.mp4?uploadId=' "$W/s3rver.log" ||
    sb_fail "resumed: the multipart upload was not aborted"
[ "$(job killed.mp4)" = "failed|1|0" ] ||
    sb_fail "resumed: the job: $(job killed.mp4)"
cp "$W/killed" "$LIB/$d/killed.mp4"
sb_sync >"$W/out" 2>"$W/err" || { cat "$W/err"; sb_fail "killed put right"; }
sb_rclone_s3 "$S3_PORT"
sb_check s3:photos
exit 0
