#!/bin/sh
# A remote that cannot be reached is given up on once, not file by file:
#  1. a port nothing listens on, beside a dir remote, with 200 files queued:
#     one message, given up within seconds (3 tries and their delays), the
#     200 files still pending with no attempt counted, the dir remote gets
#     all of them, exit 3; status says 200 pending;
#  2. a listening socket that never accepts (the first connection is taken
#     into its backlog and never answered, the next ones time out): given
#     up within the documented bound, 3 x max(connect_timeout, timeout)
#     plus the retry delays;
#  3. the next sync, with the remote back, uploads everything.
. "$TOP/tests/functional/remote-lib.sh"
sb_init
command -v rclone >/dev/null || sb_skip "rclone not installed"

NF=200
mkdir -p "$W/disk" "$LIB/2020/01/01"
DEAD_PORT=$(sb_free_port)
cat >"$CFG" <<EOF2
$(sb_s3_section dead "$DEAD_PORT")
retry_delay = 0.2

[remote usb]
type = dir
path = $W/disk
EOF2
sb_catalog
# NF small files, catalogued in one transaction
i=0
while [ $i -lt $NF ]; do
	printf 'file %d\n' $i >"$LIB/2020/01/01/f$i.jpg"
	echo "INSERT INTO files (path, sha256, size, mtime_ns, type_id,
	    date_source, imported_at) VALUES ('2020/01/01/f$i.jpg',
	    '$(sha256sum <"$LIB/2020/01/01/f$i.jpg" | cut -d' ' -f1)',
	    $(stat -c %s "$LIB/2020/01/01/f$i.jpg"), 1577836800000000000,
	    (SELECT id FROM types WHERE mime = 'image/jpeg'), 'test',
	    '2024-01-01T00:00:00Z');"
	i=$((i + 1))
done >"$W/files.sql"
(echo "BEGIN; INSERT OR IGNORE INTO types (mime, kind) VALUES ('image/jpeg', 'image');"
    cat "$W/files.sql"; echo 'COMMIT;') |
    sqlite3 "$LIB/.shoebox/catalog.db" || sb_fail "sqlite3 insert"
db="$LIB/.shoebox/catalog.db"
ms() { echo $(($(date +%s%N) / 1000000)); }

# 1. refused
t0=$(ms)
sb_sync >"$W/out" 2>"$W/err"
rc=$?
t1=$(ms)
cat "$W/err"
echo "refused: given up in $((t1 - t0)) ms, $(wc -l <"$W/err") lines"
[ $rc = 3 ] || sb_fail "exit $rc, expected 3 (a remote not reached)"
[ "$(grep -c 'unreachable' "$W/err")" = 1 ] || sb_fail "one message"
grep -q "^shoebox: remote dead: unreachable (HEAD: .*port $DEAD_PORT.*; 3 tries in [0-9]* s): $NF files left queued; the next sync tries again$" "$W/err" ||
    sb_fail "the message"
[ "$(wc -l <"$W/err")" -le 3 ] || sb_fail "more than the message and two summaries"
# 3 tries, 2 delays of at most 0.2 and 0.4 s; generous for a loaded machine
[ $((t1 - t0)) -lt 8000 ] || sb_fail "took $((t1 - t0)) ms"
[ "$(sqlite3 "$db" "SELECT count(*) FROM upload_jobs WHERE remote_id = (SELECT id FROM remotes WHERE name = 'dead')
    AND status = 'pending' AND attempts = 0")" = $NF ] ||
    sb_fail "the files should stay pending, with no attempt counted"
[ "$(sqlite3 "$db" "SELECT count(*) FROM upload_jobs WHERE remote_id = (SELECT id FROM remotes WHERE name = 'usb')
    AND status = 'done'")" = $NF ] || sb_fail "the other remote should go on"
sb_check "$W/disk"
"$SHOEBOX" -L "$LIB" -c "$CFG" status >"$W/status" || sb_fail status
cat "$W/status"
grep -q "^dead: $NF pending ([0-9.]* [kMG]*B), 0 done, 0 failed$" "$W/status" ||
    sb_fail "status counts"
[ "$(grep -c '^  pending' "$W/status")" -le 4 ] ||
    sb_fail "status lists more than the files in flight"

# --json: the files in flight are "pending", the exit status the same
sb_sync --json dead >"$W/out.json" 2>"$W/err"
rc=$?
[ $rc = 3 ] || sb_fail "exit $rc with --json"
grep -q '"status":"failed"' "$W/out.json" && sb_fail "a file marked failed"

# 2. a socket that never accepts
python3 -c '
import os, socket, threading, time
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(0)
print(s.getsockname()[1], flush=True)
threading.Timer(120, lambda: os._exit(0)).start()
time.sleep(120)' >"$W/hole.port" &
SB_PIDS="$SB_PIDS $!"
HOLE_PORT=$(sb_wait_port "$W/hole.port") || sb_fail "no socket"
cat >>"$CFG" <<EOF2

[remote hole]
type = webdav
url = http://127.0.0.1:$HOLE_PORT/
connect_timeout = 1
timeout = 2
retry_delay = 0.2
EOF2
t0=$(ms)
sb_sync hole >"$W/out" 2>"$W/err"
rc=$?
t1=$(ms)
cat "$W/err"
echo "blackhole: given up in $((t1 - t0)) ms, $(wc -l <"$W/err") lines"
[ $rc = 3 ] || sb_fail "exit $rc for a blackhole"
grep -q "^shoebox: remote hole: unreachable (.*): $NF files left queued; the next sync tries again$" "$W/err" ||
    sb_fail "the message for a blackhole"
# the bound: 3 x max(connect_timeout, timeout) + 0.2 + 0.4 s = 6.6 s
[ $((t1 - t0)) -lt 6600 ] || sb_fail "took $((t1 - t0)) ms (bound 6600)"
[ "$(sqlite3 "$db" "SELECT count(*) FROM upload_jobs WHERE remote_id = (SELECT id FROM remotes WHERE name = 'hole')
    AND status = 'pending' AND attempts = 0")" = $NF ] ||
    sb_fail "the files should stay pending"

# 3. the remote is back: everything goes
sb_start_s3rver photos
sed -i "s/127.0.0.1:$DEAD_PORT/127.0.0.1:$S3_PORT/" "$CFG"
sb_sync dead 2>"$W/err" || { cat "$W/err"; sb_fail "sync once the remote is back"; }
[ "$(sqlite3 "$db" "SELECT count(*) FROM upload_jobs WHERE remote_id = (SELECT id FROM remotes WHERE name = 'dead')
    AND status = 'done' AND attempts = 1 AND last_error IS NULL")" = $NF ] ||
    sb_fail "not everything uploaded once back"
exit 0
