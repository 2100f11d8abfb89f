#!/bin/sh
# shoebox restore from WebDAV (rclone serve webdav, with a password) and
# SFTP (rclone serve sftp, a key, known_hosts checked): files deleted from
# the library come back byte for byte with their mtimes, from each; a file
# whose bytes changed on the server is refused (exit 1) and not linked.
# With --rebuild, every file each lists comes back.
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
chmod 600 "$W/dav.secret"
cat >"$CFG" <<EOF2
[remote nas]
type = webdav
url = http://127.0.0.1:$DAV_PORT/
prefix = photos
user = photo
secret_file = $W/dav.secret
retry_delay = 0.1

[remote box]
type = sftp
url = sftp://127.0.0.1:$SFTP_PORT/
prefix = backup/photos
user = photo
key_file = $W/ssh/client
known_hosts = $W/ssh/known_hosts
retry_delay = 0.1
EOF2
sb_add_set
head -c 3000000 /dev/urandom >"$W/big"
sb_add "$W/big" "2022/02/02/VID 0002.MP4" 1643800000500000000
n=$((NFILES + 1))
sb_sync >/dev/null 2>"$W/err" || { cat "$W/err"; sb_fail "sync"; }

state() {
	(cd "$LIB" && find . -type f -not -path './.shoebox/*' \
	    -exec openssl dgst -sha256 -r {} + | sort
	find . -type f -not -path './.shoebox/*' -printf '%P %T@\n' | LC_ALL=C sort)
}
state >"$W/before"
rst() { "$SHOEBOX" -L "$LIB" -c "$CFG" restore --no-progress "$@"; }
for r in nas box; do
	rm "$LIB/2019/07/04/Ünïcödé été+plus~1.jpg" "$LIB/2022/02/02/VID 0002.MP4" \
	    "$LIB/2020/01/01/empty.jpg"
	rst --remote $r >"$W/out" 2>"$W/err" || { cat "$W/out" "$W/err"; sb_fail "restore from $r"; }
	grep -q "^$n files on remote $r: 3 restored, $((n - 3)) present, 0 different, 0 failed" "$W/out" ||
	    { cat "$W/out"; sb_fail "$r: summary"; }
	state | diff "$W/before" - || sb_fail "$r: restored library differs"
done

# library and catalogue lost: both back from each, by its listing alone
# (PROPFIND, SFTP folder listings; sb_add_set's files are not media, so
# adopt catalogues none of them: the files are what is compared)
for r in nas box; do
	new=$W/new-$r
	"$SHOEBOX" -L "$new" -c "$CFG" restore --rebuild --remote $r --to "$new" \
	    --no-progress >"$W/out" 2>"$W/err" || { cat "$W/out" "$W/err"; sb_fail "rebuild from $r"; }
	grep -q "^$n files on remote $r: $n restored, 0 present, 0 different, 0 failed" "$W/out" ||
	    { cat "$W/out"; sb_fail "$r: rebuild summary"; }
	diff -r -x .shoebox "$LIB" "$new" || sb_fail "$r: rebuilt tree differs"
done

# a flipped byte on the servers (the same size: rclone's directory cache
# would otherwise announce the old length): refused
for f in "$W/dav/photos/2019/07/04/IMG 0001.JPG" \
    "$W/sftp/backup/photos/2019/07/04/IMG 0001.JPG"; do
	python3 - "$f" <<'PY'
import sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
b[500] ^= 1
open(p, "wb").write(b)
PY
done
for r in nas box; do
	rm -f "$LIB/2019/07/04/IMG 0001.JPG"
	rc=0
	rst --remote $r >"$W/out" 2>"$W/err" || rc=$?
	[ $rc = 1 ] || { cat "$W/out" "$W/err"; sb_fail "$r: exit $rc, expected 1"; }
	grep -q "IMG 0001.JPG: the remote's copy at 2019/07/04/IMG 0001.JPG is not the catalogued file (1000 bytes" "$W/err" ||
	    { cat "$W/err"; sb_fail "$r: message"; }
	[ -e "$LIB/2019/07/04/IMG 0001.JPG" ] && sb_fail "$r: other bytes were linked"
	[ -z "$(ls -A "$LIB/.shoebox/tmp")" ] || sb_fail "$r: temporaries left"
done
exit 0
