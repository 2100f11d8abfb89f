#!/bin/sh
# An SFTP server renames an upload's temporary to its name, but the
# connection drops before its answer comes back. The retried rename found
# no temporary: "the upload is not on the server ... (a server that keeps
# nothing?)", the file failed (exit 1) though it was there, whole, under
# its name. Where the file is now tells: it counts as sent. The server is
# Debian's sshd with its sftp-server behind sftp-rename-lost.py, which
# loses the answer to the first rename by ending the SFTP subsystem, the
# SSH session left open: the sync waited for that answer for good (curl's
# low-speed limit does not watch an SFTP command); now the request is
# given up after connect_timeout + timeout with nothing moving, and tried
# again.
. "$TOP/tests/functional/remote-lib.sh"
sb_init
command -v ssh-keygen >/dev/null || sb_skip "ssh-keygen not installed (openssh-client)"
[ -x /usr/lib/openssh/sftp-server ] || sb_skip "no /usr/lib/openssh/sftp-server"
S=$W/ssh
mkdir -p "$S" "$W/srv"
echo 'interceptor_via_lib:libssh2.so' >"$W/asan.supp"
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}suppressions=$W/asan.supp"
ssh-keygen -q -t ed25519 -N '' -f "$S/host_ed25519" || sb_fail ssh-keygen
ssh-keygen -q -t ed25519 -N '' -f "$S/client" || sb_fail ssh-keygen
cp "$S/client.pub" "$S/authorized_keys"
SB_SFTP_SUBSYSTEM="/usr/bin/python3 $TOP/tests/functional/sftp-rename-lost.py $W/lost /usr/lib/openssh/sftp-server" \
    sb_serve_openssh ed25519
ssh-keyscan -t ed25519 -p "$SSH_PORT" 127.0.0.1 >"$S/known" 2>/dev/null
cat >"$CFG" <<EOF2
transfers = 1

[remote nas]
type = sftp
url = sftp://127.0.0.1:$SSH_PORT$W/srv
user = $(id -un)
key_file = $S/client
known_hosts = $S/known
retry_delay = 0.1
connect_timeout = 2
timeout = 3
EOF2
for i in 1 2 3; do
	head -c $((1000 + i)) /dev/urandom >"$W/f"
	sb_add "$W/f" "2019/07/0$i/f$i.jpg"
done

sb_sync >"$W/out" 2>"$W/err"
rc=$?
cat "$W/out" "$W/err"
[ -f "$W/lost" ] || sb_fail "no rename's answer was lost"
[ $rc = 0 ] || sb_fail "exit $rc, expected 0"
grep -q '^remote nas: 3 files: 3 uploaded ' "$W/out" || sb_fail "the summary"
[ "$(sqlite3 "$LIB/.shoebox/catalog.db" "SELECT count(*) FROM uploads
    WHERE status = 'done' AND remote_path = path")" = 3 ] ||
    sb_fail "not all done under their own names"
[ "$(find "$W/srv" -type f | wc -l)" = 3 ] ||
    sb_fail "not 3 files: $(find "$W/srv" -type f)"
sb_remote_whole "$W/srv"
exit 0
