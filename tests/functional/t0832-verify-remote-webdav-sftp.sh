#!/bin/sh
# verify --remote on WebDAV and SFTP (rclone serve): size only without
# --download ("unverified", exit 0); a deleted copy is missing; a copy
# replaced by other bytes of the same size is seen with --download.
# (rclone serves with no directory cache: the test changes its folders
# behind its back)
. "$TOP/tests/functional/remote-lib.sh"
sb_init
command -v rclone >/dev/null || sb_skip "rclone not installed"
command -v ssh-keygen >/dev/null || sb_skip "ssh-keygen not installed (openssh-client)"

wait_port() {
	python3 - "$1" <<'EOP' || sb_fail "server on port $1 did not start"
import socket, sys, time
for _ in range(100):
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close()
        sys.exit(0)
    except OSError:
        time.sleep(0.1)
sys.exit(1)
EOP
}

mkdir -p "$W/dav" "$W/sftp" "$W/ssh"
DAV_PORT=$(sb_free_port)
rclone serve webdav --dir-cache-time 0s --addr "127.0.0.1:$DAV_PORT" --user photo --pass secret \
    "$W/dav" >"$W/dav.log" 2>&1 &
SB_PIDS="$SB_PIDS $!"
ssh-keygen -q -t ed25519 -N '' -f "$W/ssh/host" || sb_fail ssh-keygen
ssh-keygen -q -t ed25519 -N '' -f "$W/ssh/client" || sb_fail ssh-keygen
cp "$W/ssh/client.pub" "$W/ssh/authorized_keys"
SFTP_PORT=$(sb_free_port)
rclone serve sftp --dir-cache-time 0s --addr "127.0.0.1:$SFTP_PORT" --user photo \
    --key "$W/ssh/host" --authorized-keys "$W/ssh/authorized_keys" \
    "$W/sftp" >"$W/sftp.log" 2>&1 &
SB_PIDS="$SB_PIDS $!"
echo "[127.0.0.1]:$SFTP_PORT $(cut -d' ' -f1,2 "$W/ssh/host.pub")" >"$W/ssh/known_hosts"
wait_port "$DAV_PORT"
wait_port "$SFTP_PORT"
printf 'password = secret\n' >"$W/dav.secret"
chmod 600 "$W/dav.secret"
cat >"$CFG" <<EOF2
settle = 0

[remote nas]
type = webdav
url = http://127.0.0.1:$DAV_PORT/
prefix = photos
user = photo
secret_file = $W/dav.secret
retries = 1
retry_delay = 0.1

[remote box]
type = sftp
url = sftp://127.0.0.1:$SFTP_PORT/
prefix = backup/photos
user = photo
key_file = $W/ssh/client
known_hosts = $W/ssh/known_hosts
retries = 1
retry_delay = 0.1
EOF2
sb_add_set
sb_sync >"$W/out" 2>"$W/err" || { cat "$W/err"; sb_fail "sync"; }
sbv() {
	"$SHOEBOX" -L "$LIB" -c "$CFG" verify --no-progress "$@" >"$W/out" \
	    2>"$W/err"
}
rel="2019/07/04/Ünïcödé été+plus~1.jpg"
head -c 300000 /dev/urandom >"$W/other"

for r in nas:dav/photos box:sftp/backup/photos; do
	name=${r%%:*}
	D=$W/${r#*:}
	sbv --remote "$name" || { cat "$W/out" "$W/err"; sb_fail "$name intact: rc $?"; }
	grep -q "^$NFILES copies on $name verified: 0 intact, 0 changed, 0 missing, 0 unreadable, $NFILES unverified" \
	    "$W/out" || { cat "$W/out"; sb_fail "$name summary"; }
	sbv --remote "$name" --download ||
	    { cat "$W/out" "$W/err"; sb_fail "$name --download: rc $?"; }
	grep -q "^$NFILES copies on $name verified: $NFILES intact" "$W/out" ||
	    { cat "$W/out"; sb_fail "$name summary with --download"; }

	rm "$D/2019/07/04/IMG 0001.JPG" || sb_fail "$D"
	cp "$W/other" "$D/$rel"
	sbv --remote "$name" && { cat "$W/out" "$W/err"; ls -laR "$D"; sb_fail "$name damage: rc 0"; }
	grep -q '^missing  *2019/07/04/IMG 0001.JPG$' "$W/out" ||
	    { cat "$W/out"; sb_fail "$name: deleted copy not reported"; }
	grep -q "^changed" "$W/out" && { cat "$W/out"; sb_fail "$name: seen without reading?"; }
	sbv --remote "$name" --download && sb_fail "$name --download: rc 0"
	grep -q "^changed  *$rel: content read back differs" "$W/out" ||
	    { cat "$W/out"; sb_fail "$name: replaced copy not reported"; }
done
exit 0
