#!/bin/sh
# A sync stopped while it sent a big file to S3 in parts, then the file
# deleted from the library and forgotten. The catalogue's record of the
# multipart upload (its UploadId) went with the file, unsaid, and S3 kept
# the parts, billing them, with nothing left to find them by. forget now
# aborts it (--dry-run says it would), and one it cannot abort (its
# remote out of the config) is named with its upload id, exit 1; so is
# each one forget --remote lets go of. A sync that finds the name taken
# meanwhile aborts the upload begun there before it sends the file under
# another name.
. "$TOP/tests/functional/remote-lib.sh"
sb_init
sb_start_s3rver photos
sect="$(sb_s3_section s3)
multipart_threshold = 5M
part_size = 5M
upload_concurrency = 1"
printf '%s\n' "$sect" >"$CFG"
db="$LIB/.shoebox/catalog.db"
uploads="$W/s3data/photos/._S3rver_uploads"

# started_then_killed REL [keep]: a sync killed once REL's first part is
# sent; then REL removed from the library, unless kept
started_then_killed() {
	head -c 16000000 /dev/urandom >"$W/big"
	sb_add "$W/big" "$1"
	"$SHOEBOX" -L "$LIB" -c "$CFG" sync --no-progress --bwlimit 4M \
	    >"$W/out1" 2>&1 &
	pid=$!
	i=0
	while [ "$(sqlite3 "$db" "SELECT count(*) FROM upload_parts" \
	    2>/dev/null)" != 1 ] && [ $i -lt 300 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	kill -9 $pid
	wait $pid 2>/dev/null
	id=$(sqlite3 "$db" "SELECT upload_id FROM upload_jobs WHERE
	    upload_id IS NOT NULL")
	[ -n "$id" ] || sb_fail "$1: no multipart upload under way"
	[ -d "$uploads/$id" ] || sb_fail "$1: s3rver holds no upload $id"
	[ -n "${2:-}" ] || rm "$LIB/$1"
}

started_then_killed "2022/02/02/long video.mp4"
sbf() { "$SHOEBOX" -L "$LIB" -c "$CFG" forget "$@" >"$W/out" 2>"$W/err"; }
sbf --dry-run "2022/02/02/long video.mp4" ||
    { cat "$W/out" "$W/err"; sb_fail "dry run"; }
grep -q "^  would abort its unfinished upload to s3 (2022/02/02/long video.mp4)$" \
    "$W/out" || { cat "$W/out"; sb_fail "dry run: not said"; }
[ -d "$uploads/$id" ] || sb_fail "dry run aborted it"
sbf "2022/02/02/long video.mp4" || { cat "$W/out" "$W/err"; sb_fail "forget"; }
cat "$W/out"
grep -q "^aborted the unfinished upload of 2022/02/02/long video.mp4 to s3$" \
    "$W/out" || sb_fail "not said"
grep -q "^DELETE /photos/2022/02/02/long%20video.mp4?uploadId=$id 204$" \
    "$W/s3rver.log" || sb_fail "no abort sent"
[ ! -d "$uploads/$id" ] || sb_fail "its parts are still there"

# its remote out of the config: said, with the upload id, exit 1
started_then_killed "2022/02/03/other.mp4"
printf '%s\n' "$sect" | sed 's/^\[remote s3\]$/[remote s3new]/' >"$CFG"
sbf "2022/02/03/other.mp4"
rc=$?
cat "$W/out" "$W/err"
[ $rc = 1 ] || sb_fail "out of the config: exit $rc, expected 1"
grep -q "^shoebox: forget: remote s3: the unfinished upload of 2022/02/03/other.mp4 (upload id $id) could not be aborted (not in the config): S3 keeps its parts, and bills them, until it is$" \
    "$W/err" || sb_fail "out of the config: the message"
grep -q '^1 file forgotten$' "$W/out" || sb_fail "out of the config: forgotten"

# the next sync finds another file at that name meanwhile: the file goes
# up as NAME-1, and the upload begun under NAME is aborted, not let go of
printf '%s\n' "$sect" >"$CFG"
if command -v rclone >/dev/null; then
	started_then_killed "2022/02/05/taken.mp4" keep
	sb_rclone_s3 "$S3_PORT"
	head -c 1000 /dev/urandom >"$W/other"
	sb_rclone copyto "$W/other" "s3:photos/2022/02/05/taken.mp4" ||
	    sb_fail "rclone copyto"
	sb_sync >"$W/out" 2>"$W/err" || { cat "$W/out" "$W/err"; sb_fail "taken"; }
	grep -q "^DELETE /photos/2022/02/05/taken.mp4?uploadId=$id 204$" \
	    "$W/s3rver.log" || { cat "$W/err"; sb_fail "taken: not aborted"; }
	[ ! -d "$uploads/$id" ] || sb_fail "taken: its parts are still there"
	[ "$(sqlite3 "$db" "SELECT remote_path FROM upload_jobs j JOIN files f
	    ON f.id = j.file_id WHERE f.path = '2022/02/05/taken.mp4'")" = \
	    2022/02/05/taken-1.mp4 ] || sb_fail "taken: not sent as taken-1"
fi

# forget --remote, the remote out of the config: each is named, exit 1
started_then_killed "2022/02/04/third.mp4"
: >"$CFG"
"$SHOEBOX" -L "$LIB" -c "$CFG" forget --remote s3 >"$W/out" 2>"$W/err"
rc=$?
cat "$W/out" "$W/err"
[ $rc = 1 ] || sb_fail "--remote: exit $rc, expected 1"
grep -q "^shoebox: forget: remote s3: the unfinished upload of 2022/02/04/third.mp4 (upload id $id) stays there: S3 keeps its parts, and bills them, until it is aborted$" \
    "$W/err" || sb_fail "--remote: the message"
[ "$(sqlite3 "$db" "SELECT count(*) FROM upload_jobs")" = 0 ] ||
    sb_fail "--remote: not forgotten"
exit 0
