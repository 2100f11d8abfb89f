#!/bin/sh
# Errors said by what they mean, once per remote:
#  - 401 to a request with credentials: the settings to check (and the
#    secret file they come from), exit 2;
#  - 401 without credentials: a login is needed, exit 2;
#  - 403 without credentials: a permission, not a password, exit 1; the
#    server's body in the message is shortened and its control characters
#    escaped;
#  - 404 NoSuchBucket: the bucket is missing, exit 2;
#  - 507 Insufficient Storage (a WebDAV server's full disk): said once, not
#    retried, the remote stopped, the files left queued, exit 1; a sync
#    once there is room sends them;
#  - S3 refusing requests signed by a clock over 15 minutes off (a NAS
#    booted without NTP; tests/lib/skew.c sets ours 2 h 3 min behind):
#    said as the clock, by how much, not as the keys, from the error's
#    ServerTime or, for a 403 with no body (as AWS answers a HEAD), from
#    the Date: header; the files stay queued, exit 1; a right clock sends
#    them.
. "$TOP/tests/functional/remote-lib.sh"
sb_init
command -v rclone >/dev/null || sb_skip "rclone not installed"

sb_serve_webdav open
OPEN_PORT=$DAV_PORT
sb_serve_webdav dav --user photo --pass right
sb_start_s3rver photos
# the secret is not the server's password
sb_dav_secret wrong
cat >"$CFG" <<EOF2
$(sb_webdav_section nas)
user = photo
secret_file = $W/dav.secret

$(sb_webdav_section anon)

$(sb_s3_section s3 "$S3_PORT" nosuch)
EOF2
sb_add_set


sb_expect nas 2 "HEAD 401 Unauthorized: check user and password, in secret_file $W/dav.secret"
grep -q wrong "$W/err" && sb_fail "the password was printed"
sb_expect anon 2 "HEAD 401 Unauthorized: the server wants a login: set user = and password ="
sb_expect s3 2 "PUT 404 NoSuchBucket: bucket nosuch does not exist: check bucket =, endpoint = and region ="

# proxied NAME FAULTS: a WebDAV remote NAME reached through a new fault
# proxy in front of the open server.
proxied() {
	sb_start_proxy "$OPEN_PORT" "$2"
	printf '\n[remote %s]\ntype = webdav\nurl = http://127.0.0.1:%s/\n' \
	    "$1" "$PROXY_PORT" >>"$CFG"
}
# all_pending NAME: every job of remote NAME still pending, no attempt
# counted (the remote's fault, not the files').
all_pending() {
	[ "$(sqlite3 "$LIB/.shoebox/catalog.db" "SELECT count(*) FROM upload_jobs
	    WHERE remote_id = (SELECT id FROM remotes WHERE name = '$1') AND
	    status = 'pending' AND attempts = 0")" = "$NFILES" ]
}

# 403 to a request without credentials, with a hostile body
proxied shut "PUT:403"
sb_expect shut 1 'PUT 403 Forbidden: Denied\\x1b\[2J\\x1b]0;pwned\\x07 by policy?\\xff xx*\.\.\.: the server refuses it to anyone (no credentials are sent): check its permissions'
LC_ALL=C grep -q "$(printf '\033')" "$W/err" && sb_fail "a raw escape character"
n=$(grep '^shoebox: remote shut' "$W/err" | wc -c)
echo "403 message: $n bytes"
[ "$n" -lt 300 ] || sb_fail "the server's body should be shortened"
# it stays pending: a remote that refuses is not a file that failed
all_pending shut || sb_fail "jobs of a refusing remote should stay pending"

# 507: the remote's disk is full.
proxied full "PUT:507"
sb_expect full 1 'PUT 507 InsufficientStorage: injected: the remote has no room left: make room there; the files left stay queued'
[ "$(grep -c '^REQ PUT' "$W/proxy.log")" = 1 ] || sb_fail "507 was retried, or the next files tried: $(cat "$W/proxy.log")"
grep -q "^remote full: $NFILES files: 0 uploaded (0 B), 0 already there, 0 failed, $NFILES not attempted (the remote is full)$" "$W/out" ||
    sb_fail "the summary does not say the remote is full: $(cat "$W/out")"
all_pending full || sb_fail "jobs of a full remote should stay pending"
sb_sync full >"$W/out" 2>"$W/err" || sb_fail "room again: sync failed: $(cat "$W/err")"
grep -q "^remote full: $NFILES files: $NFILES uploaded" "$W/out" || sb_fail "room again: $(cat "$W/out")"

# A clock 2 h 3 min behind: S3 (s3rver checks it) refuses the signature's
# time. Then the same through a proxy answering a bare 403 with its Date:.
command -v cc >/dev/null || sb_skip "no C compiler for tests/lib/skew.c"
cc -shared -fPIC -o "$W/skew.so" "$TOP/tests/lib/skew.c" -ldl || sb_fail "cannot build skew.c"
printf '\n%s\n' "$(sb_s3_section sk)" >>"$CFG"
sb_start_proxy "$S3_PORT" "any:403bare,any:403bare"
printf '\n%s\n' "$(sb_s3_section bare "$PROXY_PORT")" >>"$CFG"
export LD_PRELOAD="$W/skew.so" SB_SKEW=-7380
export ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0"
clock="this machine's clock is 2 h 0[23] min behind the remote's ([0-9-]* [0-9:]* UTC there): set it right (NTP, systemd-timesyncd) and sync again; the files stay queued"
sb_expect sk 1 "[A-Z]* 403 RequestTimeTooSkewed: $clock"
all_pending sk || sb_fail "jobs of a remote refusing our clock should stay pending"
sb_expect bare 1 "[A-Z]* 403 Forbidden: $clock"
unset LD_PRELOAD SB_SKEW
sb_sync sk >"$W/out" 2>"$W/err" || sb_fail "clock right: sync failed: $(cat "$W/err")"
grep -q "^remote sk: $NFILES files: $NFILES uploaded" "$W/out" || sb_fail "clock right: $(cat "$W/out")"
exit 0
