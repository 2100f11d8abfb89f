#!/bin/sh
# sync through a proxy that answers 500 and 503 (Retry-After), drops a
# connection mid-body and stalls: every object arrives intact and none is
# stored twice. Too many failures mark the file failed (exit 1) and the next
# sync finishes it. A wrong secret gives one clear error, not a retry storm.
. "$TOP/tests/functional/remote-lib.sh"
sb_init
command -v rclone >/dev/null || sb_skip "rclone not installed"
sb_start_s3rver photos
sb_start_proxy "$S3_PORT" "HEAD:503,PUT:503,PUT:500,PUT:drop,PUT:stall,POST:500,PUT:drop"
remote() {	# remote NAME PORT SECRET RETRIES
	cat >>"$CFG" <<EOF2
[remote $1]
type = s3
endpoint = http://127.0.0.1:$2
bucket = photos
prefix = $1
access_key_id = AKTEST
secret_access_key = $3
multipart_threshold = 6M
part_size = 5M
retries = $4
retry_delay = 0.05
timeout = 2

EOF2
}
remote flaky "$PROXY_PORT" SKTEST 5
sb_add_set
head -c 12000000 /dev/urandom >"$W/big"
sb_add "$W/big" "2022/02/02/big one.mov"

sb_sync --transfers 2 --json flaky >"$W/out.json" 2>"$W/err" ||
    { cat "$W/err" "$W/proxy.log"; sb_fail "sync through faults"; }
grep -q "\"summary\":true,\"uploaded\":$((NFILES + 1))," "$W/out.json" ||
    { cat "$W/out.json"; sb_fail "not everything uploaded"; }
grep -q 'injected\|drop\|stall' "$W/proxy.log" || sb_fail "no faults injected"
echo "requests through the proxy: $(grep -c '^REQ' "$W/proxy.log")" \
    "($(grep -c '^RES.*\(injected\|drop\|stall\)' "$W/proxy.log") faults)"
# none stored twice: one successful PUT per object or part
grep '^PUT .* 200$' "$W/s3rver.log" | sort | uniq -d >"$W/dups"
[ ! -s "$W/dups" ] || { cat "$W/dups"; sb_fail "duplicate uploads"; }
sb_rclone_s3 "$S3_PORT"
sb_check s3:photos/flaky

# a file that keeps failing is marked failed with its last error
sb_start_proxy "$S3_PORT" "PUT:500,PUT:500,PUT:500"
remote weak "$PROXY_PORT" SKTEST 2
sb_add "$W/r1" "2023/03/03/weak.jpg"
sb_sync --transfers 1 weak >"$W/out" 2>"$W/err"
rc=$?
cat "$W/err"
[ $rc = 1 ] || sb_fail "exit $rc, expected 1 when a file failed"
grep -q 'remote weak: .*: PUT 500 InternalError' "$W/err" || sb_fail "no error for the failed file"
[ "$(sqlite3 "$LIB/.shoebox/catalog.db" "SELECT count(*) FROM upload_jobs
    WHERE remote_id = (SELECT id FROM remotes WHERE name = 'weak') AND status = 'failed' AND last_error LIKE '%500%'")" = 1 ] ||
    sb_fail "job not marked failed"
# status shows it, with its last error
"$SHOEBOX" -L "$LIB" -c "$CFG" status >"$W/status" || sb_fail "status"
cat "$W/status"
grep -q '^weak: 0 pending (0 B), [0-9]* done, 1 failed$' "$W/status" ||
    sb_fail "status counts"
grep -q '^  failed .*: PUT 500 InternalError' "$W/status" || sb_fail "status error"
"$SHOEBOX" -L "$LIB" -c "$CFG" status --json >"$W/status.json" || sb_fail "status --json"
grep -q '"remote":"weak".*"failed":1,"errors":\[{"path":' "$W/status.json" ||
    { cat "$W/status.json"; sb_fail "status --json"; }
sb_sync weak 2>"$W/err" || { cat "$W/err"; sb_fail "retry of the failed file"; }
sb_check s3:photos/weak

# a wrong secret: one message naming the problem, no retries, no secret
sb_start_proxy "$S3_PORT" none
remote bad "$PROXY_PORT" NOT-THE-SECRET-1234 5
sb_sync bad >"$W/out" 2>"$W/err"
rc=$?
cat "$W/err"
[ $rc = 2 ] || sb_fail "exit $rc, expected 2 for bad credentials"
[ "$(grep -c SignatureDoesNotMatch "$W/err")" = 1 ] || sb_fail "one clear message"
grep -q 'remote bad: .*403 SignatureDoesNotMatch.*secret_access_key' "$W/err" ||
    sb_fail "message should name the remote, the code and the setting"
grep -q NOT-THE-SECRET "$W/err" "$W/out" && sb_fail "the secret was printed"
n=$(grep -c '^REQ' "$W/proxy.log")
echo "requests with a wrong secret: $n"
[ "$n" -le 2 ] || sb_fail "$n requests with a wrong secret"
exit 0
