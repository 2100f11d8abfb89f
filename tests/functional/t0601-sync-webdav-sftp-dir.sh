#!/bin/sh
# sync to WebDAV (rclone serve webdav, with a password), SFTP (rclone serve
# sftp, a key, known_hosts checked) and a directory; rclone check agrees
# with the library; a second pass finds everything already there; a host
# key not in known_hosts is refused.
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

mkdir -p "$W/dav" "$W/sftp" "$W/disk" "$W/ssh"
DAV_PORT=$(sb_free_port)
rclone serve webdav --addr "127.0.0.1:$DAV_PORT" --user photo --pass 'pa ss' \
    "$W/dav" >"$W/dav.log" 2>&1 &
SB_PIDS="$SB_PIDS $!"
ssh-keygen -q -t ed25519 -N '' -f "$W/ssh/host" || sb_fail ssh-keygen
ssh-keygen -q -t ed25519 -N '' -f "$W/ssh/client" || sb_fail ssh-keygen
cp "$W/ssh/client.pub" "$W/ssh/authorized_keys"
SFTP_PORT=$(sb_free_port)
rclone serve sftp --addr "127.0.0.1:$SFTP_PORT" --user photo \
    --key "$W/ssh/host" --authorized-keys "$W/ssh/authorized_keys" \
    "$W/sftp" >"$W/sftp.log" 2>&1 &
SB_PIDS="$SB_PIDS $!"
echo "[127.0.0.1]:$SFTP_PORT $(cut -d' ' -f1,2 "$W/ssh/host.pub")" >"$W/ssh/known_hosts"
wait_port "$DAV_PORT"
wait_port "$SFTP_PORT"

printf 'password = pa ss\n' >"$W/dav.secret"
chmod 644 "$W/dav.secret"
cat >"$CFG" <<EOF2
[remote nas]
type = webdav
url = http://127.0.0.1:$DAV_PORT/
prefix = photos
user = photo
secret_file = $W/dav.secret

[remote box]
type = sftp
url = sftp://127.0.0.1:$SFTP_PORT/
prefix = backup/photos
user = photo
key_file = $W/ssh/client
known_hosts = $W/ssh/known_hosts

[remote usb]
type = dir
path = $W/disk
EOF2

# a secret file others can read is refused, saying how to fix it
sb_sync nas >"$W/out" 2>"$W/err" && sb_fail "readable secret_file accepted"
grep -q "chmod 600 $W/dav.secret" "$W/err" || { cat "$W/err"; sb_fail "no chmod hint"; }
chmod 600 "$W/dav.secret"

sb_add_set
head -c 3000000 /dev/urandom >"$W/big"
sb_add "$W/big" "2022/02/02/VID 0002.MP4" 1643800000500000000
n=$((NFILES + 1))
sb_sync --json >"$W/out.json" 2>"$W/err" || { cat "$W/err" "$W/out.json"; sb_fail "sync"; }
grep -q "\"summary\":true,\"uploaded\":$((3 * n))," "$W/out.json" ||
    { cat "$W/out.json"; sb_fail "not everything uploaded"; }
grep -q 'pa ss' "$W/err" "$W/out.json" && sb_fail "the password was printed"

cat >"$W/rclone.conf" <<EOR
[dav]
type = webdav
url = http://127.0.0.1:$DAV_PORT/
user = photo
pass = $(rclone obscure 'pa ss')
EOR
sb_check dav:photos
sb_check "$W/sftp/backup/photos"
sb_check "$W/disk"
# the directory copy keeps mtimes to the nanosecond
[ "$(stat -c %.9Y "$W/disk/2022/02/02/VID 0002.MP4")" = 1643800000.500000000 ] ||
    sb_fail "dir mtime"
ls -la "$W/disk/2022/02/02/" | grep -q shoebox && sb_fail "temporary file left"

# everything is found already there
sqlite3 "$LIB/.shoebox/catalog.db" "UPDATE upload_jobs SET status = 'pending'"
sb_sync --json >"$W/out2.json" 2>"$W/err" || { cat "$W/err"; sb_fail "second sync"; }
grep -q "\"summary\":true,\"uploaded\":0,\"bytes\":0,\"skipped\":$((3 * n))," "$W/out2.json" ||
    { cat "$W/out2.json"; sb_fail "second sync should skip everything"; }

# an unknown host key is refused, with a hint, and not retried
ssh-keygen -q -t ed25519 -N '' -f "$W/ssh/other" || sb_fail ssh-keygen
echo "[127.0.0.1]:$SFTP_PORT $(cut -d' ' -f1,2 "$W/ssh/other.pub")" >"$W/ssh/known_hosts"
sqlite3 "$LIB/.shoebox/catalog.db" "UPDATE upload_jobs SET status = 'pending' WHERE remote = 'box'"
sb_sync box >"$W/out" 2>"$W/err"
rc=$?
cat "$W/err"
[ $rc = 2 ] || sb_fail "exit $rc with a wrong host key"
grep -q 'known_hosts' "$W/err" || sb_fail "no known_hosts hint"
exit 0
