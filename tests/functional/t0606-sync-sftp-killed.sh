#!/bin/sh
# SFTP and a sync killed (SIGKILL):
#  1. in the middle of sending a file: the next sync removes the temporary
#     file it left (recorded in the catalogue) and sends the file again;
#  2. between the rename into place and what follows it (strace holds the
#     server's answer to the rename for a few seconds): the file must
#     already have its modification time, set on the temporary before the
#     rename, and the next sync finds it there, proven by reading it back.
# Both times the remote file ends with the library's bytes and mtime, and
# no temporary file remains.
. "$TOP/tests/functional/remote-lib.sh"
sb_init
command -v rclone >/dev/null || sb_skip "rclone not installed"
command -v ssh-keygen >/dev/null || sb_skip "ssh-keygen not installed (openssh-client)"

sb_serve_sftp
server=$SFTP_PID
cat >"$CFG" <<EOF2
$(sb_sftp_section box)
prefix = backup
EOF2
db="$LIB/.shoebox/catalog.db"
d=2022/02/02
rd=$W/sftp/backup/$d
head -c 3000000 /dev/urandom >"$W/v1"
head -c 3000000 /dev/urandom >"$W/v2"
sb_add "$W/v1" "$d/VID_0001.MP4" 1643800000500000000
leftovers() { find "$W/sftp" -name '.*' -type f; }

# check FILE: the remote copy of FILE has its bytes and its mtime; no temp
check() {
	cmp "$W/$2" "$rd/$1" || sb_fail "$1: the remote bytes differ"
	[ "$(stat -c %Y "$rd/$1")" = 1643800000 ] ||
	    sb_fail "$1: remote mtime $(stat -c %Y "$rd/$1"), not 1643800000"
	[ -z "$(leftovers)" ] || { leftovers; sb_fail "$1: a temporary file is left"; }
}

# 1. killed while sending
"$SHOEBOX" -L "$LIB" -c "$CFG" sync --no-progress --bwlimit 500k >"$W/out1" 2>&1 &
pid=$!
i=0
until [ -n "$(leftovers)" ] && [ "$(stat -c %s $(leftovers) | head -n 1)" -gt 100000 ]; do
	sleep 0.05
	i=$((i + 1))
	[ $i -lt 400 ] || { cat "$W/out1"; sb_fail "the upload never started"; }
done
kill -9 $pid
wait $pid 2>/dev/null
echo "1. killed while sending, left:" $(leftovers)
[ -f "$rd/VID_0001.MP4" ] && sb_fail "1. killed too late"
sb_sync >"$W/out2" 2>&1 || { cat "$W/out2"; sb_fail "1. the sync after the kill"; }
check VID_0001.MP4 v1

# 2. killed while the server holds its answer to the rename
command -v strace >/dev/null || sb_skip "strace not installed (part 2)"
sb_add "$W/v2" "$d/VID_0002.MP4" 1643800000500000000
strace -f -qq -o "$W/strace.log" -p $server -e trace=rename,renameat,renameat2 \
    -e inject=rename,renameat,renameat2:delay_exit=4000000 2>"$W/strace.err" &
tracer=$!
# wait until every thread of the server is traced
i=0
while grep -q 'TracerPid:[[:space:]]*0$' /proc/$server/task/*/status; do
	kill -0 $tracer 2>/dev/null || { cat "$W/strace.err"; sb_skip "strace cannot attach here"; }
	sleep 0.1
	i=$((i + 1))
	[ $i -lt 100 ] || sb_fail "strace did not attach"
done
"$SHOEBOX" -L "$LIB" -c "$CFG" sync --no-progress >"$W/out3" 2>&1 &
pid=$!
i=0
until [ -f "$rd/VID_0002.MP4" ]; do
	sleep 0.05
	i=$((i + 1))
	[ $i -lt 400 ] || { cat "$W/out3"; sb_fail "2. the file was never renamed into place"; }
done
kill -9 $pid
wait $pid 2>/dev/null
kill $tracer
wait $tracer 2>/dev/null
echo "2. killed after the rename: remote mtime $(stat -c %Y "$rd/VID_0002.MP4")"
"$SHOEBOX" -v -L "$LIB" -c "$CFG" sync --no-progress >"$W/out4" 2>&1 || { cat "$W/out4"; sb_fail "2. the sync after the kill"; }
cat "$W/out4"
check VID_0002.MP4 v2
check VID_0001.MP4 v1
[ "$(sqlite3 "$db" "SELECT count(*) FROM upload_jobs WHERE status = 'done'
    AND tmp_path IS NULL AND claimed_by IS NULL")" = 2 ] || sb_fail "the jobs are not done"
exit 0
