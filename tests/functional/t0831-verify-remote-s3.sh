#!/bin/sh
# verify --remote on S3 (s3rver), from HEAD alone: all intact exits 0; an
# object deleted is missing; one replaced by other bytes of the same size
# is changed, seen by its metadata (our x-amz-meta-sha256, or without it
# the ETag, an MD5 compared with the library file's); bytes replaced under
# a x-amz-meta-sha256 that still claims the old content are seen only with
# --download. Also a multipart object (its ETag is no MD5).
. "$TOP/tests/functional/remote-lib.sh"
sb_init
command -v rclone >/dev/null || sb_skip "rclone not installed"
sb_start_s3rver photos
cat >"$CFG" <<EOF2
settle = 0

$(sb_s3_section s3)
prefix = backup
multipart_threshold = 6M
part_size = 5M
retry_delay = 0.1
retries = 1
EOF2
sb_add_set
head -c 7000000 /dev/urandom >"$W/big"
sb_add "$W/big" "2022/02/02/VID 0001.MP4" 1643800000999999999
n=$((NFILES + 1))
sb_sync >"$W/out" 2>"$W/err" || { cat "$W/err"; sb_fail "sync"; }
sb_rclone_s3 "$S3_PORT"
sbv() {
	"$SHOEBOX" -L "$LIB" -c "$CFG" verify --no-progress "$@" >"$W/out" \
	    2>"$W/err"
}

sbv --remote s3 || { cat "$W/out" "$W/err"; sb_fail "intact: rc $?"; }
grep -q "^$n copies on s3 verified: $n intact, 0 changed, 0 missing, 0 unreadable, 0 unverified" \
    "$W/out" || { cat "$W/out"; sb_fail "summary"; }
grep -q '^GET ' "$W/s3rver.log" && sb_fail "objects were read without --download"
sbv --remote s3 --download || { cat "$W/out" "$W/err"; sb_fail "--download: rc $?"; }
grep -q "^$n copies on s3 verified: $n intact" "$W/out" ||
    { cat "$W/out"; sb_fail "summary with --download"; }

# deleted: missing
sb_rclone deletefile "s3:photos/backup/2019/07/04/IMG 0001.JPG" ||
    sb_fail "rclone deletefile"
# other bytes of the same size by another tool: no x-amz-meta-sha256, an
# ETag that is not the library file's MD5
rel="2019/07/04/Ünïcödé été+plus~1.jpg"
head -c 300000 /dev/urandom >"$W/other"
sb_rclone copyto --ignore-times "$W/other" "s3:photos/backup/$rel" || sb_fail "rclone copyto"
sbv --remote s3 && sb_fail "damage: rc 0"
grep -q '^missing  *2019/07/04/IMG 0001.JPG$' "$W/out" ||
    { cat "$W/out"; sb_fail "deleted object not reported"; }
grep -q "^changed  *$rel: the remote's MD5 (ETag) is" "$W/out" ||
    { cat "$W/out"; sb_fail "replaced object not reported by its ETag"; }
grep -q "^$n copies on s3 verified: $((n - 2)) intact, 1 changed, 1 missing" "$W/out" ||
    { cat "$W/out"; sb_fail "summary after damage"; }

# the same, but claiming another SHA-256 in its metadata
sb_rclone copyto --ignore-times --header-upload "x-amz-meta-sha256: $(printf '%064d' 1)" \
    "$W/other" "s3:photos/backup/$rel" || sb_fail "rclone copyto"
sbv --remote s3 && sb_fail "damage: rc 0"
grep -q "^changed  *$rel: the remote's SHA-256 is 0*1, catalogued" "$W/out" ||
    { cat "$W/out"; sb_fail "replaced object not reported by its SHA-256"; }

# other bytes under the library file's own SHA-256: only a read shows it
sha=$(openssl dgst -sha256 -r "$LIB/$rel" | cut -d' ' -f1)
sb_rclone copyto --ignore-times --header-upload "x-amz-meta-sha256: $sha" \
    "$W/other" "s3:photos/backup/$rel" || sb_fail "rclone copyto"
sb_rclone copyto --ignore-times "$LIB/2019/07/04/IMG 0001.JPG" \
    "s3:photos/backup/2019/07/04/IMG 0001.JPG" || sb_fail "rclone copyto"
sbv --remote s3 || { cat "$W/out" "$W/err"; sb_fail "metadata alone: rc $?"; }
sbv --remote s3 --download --json && sb_fail "--download: rc 0"
grep -q "\"path\":\"$rel\",\"remote\":\"s3\",\"remote_path\":\"$rel\",\"status\":\"changed\",.*\"error\":\"content read back differs" \
    "$W/out" || { cat "$W/out"; sb_fail "--download did not see the bytes"; }
grep -q "\"changed\":1," "$W/out" || { cat "$W/out"; sb_fail "JSON summary"; }

# a remote that cannot be reached: exit 3, nothing recorded as checked
before=$(sqlite3 "$LIB/.shoebox/catalog.db" "SELECT group_concat(verified_at) FROM upload_jobs")
kill $SB_PIDS 2>/dev/null
wait 2>/dev/null
SB_PIDS=
sbv --remote s3
rc=$?
[ $rc = 3 ] || { cat "$W/out" "$W/err"; sb_fail "unreachable: rc $rc"; }
[ "$before" = "$(sqlite3 "$LIB/.shoebox/catalog.db" "SELECT group_concat(verified_at) FROM upload_jobs")" ] ||
    sb_fail "an unreachable remote's copies were recorded as checked"
exit 0
