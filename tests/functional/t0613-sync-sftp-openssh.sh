#!/bin/sh
# SFTP against a stock OpenSSH server (Debian's sshd on 127.0.0.1, with RSA,
# ECDSA and Ed25519 host keys as it makes them) through this libssh2:
#  - known_hosts as "ssh-keyscan" often writes it (ssh-rsa first): libssh2
#    asks only for ssh-rsa, the server refuses; one message naming the fix
#    (the ed25519 key first, or host_key_sha256), exit 2;
#  - known_hosts from "ssh-keyscan -t ed25519": the files go up;
#  - host_key_sha256 with the fingerprints "ssh-keyscan | ssh-keygen -lf -"
#    prints: the files go up; with only the Ed25519 one: refused, and the
#    message names the key the server showed (its ECDSA key);
#  - an RSA client key: the login is refused, and the message says why;
#  - a port where nothing listens: unreachable, once, exit 3.
. "$TOP/tests/functional/remote-lib.sh"
sb_init
command -v rclone >/dev/null || sb_skip "rclone not installed"
command -v ssh-keygen >/dev/null || sb_skip "ssh-keygen not installed (openssh-client)"

S=$W/ssh
mkdir -p "$S" "$W/srv"
# libssh2 1.10's libssh2_session_method_pref copies overlapping memory
# when curl asks for ssh-rsa (its bug, not ours): under ASan, not reported
echo 'interceptor_via_lib:libssh2.so' >"$W/asan.supp"
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}suppressions=$W/asan.supp"
for t in rsa ecdsa ed25519; do
	ssh-keygen -q -t $t -N '' -f "$S/host_$t" || sb_fail ssh-keygen
done
ssh-keygen -q -t ed25519 -N '' -f "$S/client" || sb_fail ssh-keygen
ssh-keygen -q -t rsa -b 3072 -N '' -f "$S/client_rsa" || sb_fail ssh-keygen
cat "$S/client.pub" "$S/client_rsa.pub" >"$S/authorized_keys"
sb_serve_openssh rsa ecdsa ed25519
PORT=$SSH_PORT
# ssh-keyscan lists the keys as they come, often ssh-rsa first: so here
{ ssh-keyscan -t rsa -p "$PORT" 127.0.0.1
  ssh-keyscan -t ecdsa,ed25519 -p "$PORT" 127.0.0.1; } >"$S/keyscan" 2>/dev/null
ssh-keyscan -t ed25519 -p "$PORT" 127.0.0.1 >"$S/known_ed25519" 2>/dev/null
fp() { ssh-keygen -lf "$1" | cut -d' ' -f2; }
ssh-keyscan -t ecdsa -p "$PORT" 127.0.0.1 >"$S/ecdsa.line" 2>/dev/null
ssh-keyscan -t ed25519 -p "$PORT" 127.0.0.1 >"$S/ed25519.line" 2>/dev/null
FP_ECDSA=$(fp "$S/ecdsa.line")
FP_ED25519=$(fp "$S/ed25519.line")
ALL=$(ssh-keyscan -p "$PORT" 127.0.0.1 2>/dev/null | ssh-keygen -lf - |
    cut -d' ' -f2 | tr '\n' ' ')

# remote NAME SETTINGS...: a [remote NAME] to this server, for user $(id -un)
remote() {
	name=$1
	shift
	printf '\n[remote %s]\ntype = sftp\nurl = sftp://127.0.0.1:%s%s\nuser = %s\n' \
	    "$name" "$PORT" "$W/srv/$name" "$(id -un)" >>"$CFG"
	for kv in "$@"; do
		printf '%s\n' "$kv" >>"$CFG"
	done
}
remote keyscan "key_file = $S/client" "known_hosts = $S/keyscan"
remote ed25519 "key_file = $S/client" "known_hosts = $S/known_ed25519"
remote pinned "key_file = $S/client" "host_key_sha256 = $ALL"
remote pin1 "key_file = $S/client" "host_key_sha256 = $FP_ED25519"
remote rsakey "key_file = $S/client_rsa" "known_hosts = $S/known_ed25519"
DEAD=$(sb_free_port)
printf '\n[remote dead]\ntype = sftp\nurl = sftp://127.0.0.1:%s/x\nuser = u\nkey_file = %s\nhost_key_sha256 = %s\nretry_delay = 0.1\n' \
    "$DEAD" "$S/client" "$FP_ED25519" >>"$CFG"
sb_add_set


sb_expect keyscan 2 "STAT: Failure establishing ssh session: -5, .*put the ed25519 key first (ssh-keyscan -t ed25519 -p $PORT 127.0.0.1 > FILE, known_hosts = FILE), or set host_key_sha256 = .*"
# (sshd may write its log line a moment after the client gave up)
i=0
until grep -q 'no matching host key type found. Their offer: ssh-rsa' \
    "$W/sshd.log"; do
	i=$((i + 1))
	[ $i -le 50 ] || sb_fail "sshd should have refused ssh-rsa"
	sleep 0.1
done

sb_sync ed25519 2>"$W/err" || { cat "$W/err" "$W/sshd.log"; sb_fail "known_hosts with the ed25519 key"; }
sb_check "$W/srv/ed25519"
sb_sync pinned 2>"$W/err" || { cat "$W/err" "$W/sshd.log"; sb_fail "host_key_sha256"; }
sb_check "$W/srv/pinned"

sb_expect pin1 2 "STAT: .*(the server showed its ECDSA key, $FP_ECDSA; not in host_key_sha256; .*ssh-keyscan -p $PORT 127.0.0.1 | ssh-keygen -lf -)"
sb_expect rsakey 2 "STAT: .*(check user and key_file: it is an RSA key, which this libssh2 signs with ssh-rsa (SHA-1), refused by OpenSSH 8.8 and later: use an ed25519 key.*"
sb_expect dead 3 "unreachable (STAT: Failed to connect to 127.0.0.1 port $DEAD.*; 3 tries in [0-9]* s): $NFILES files left queued; the next sync tries again"
exit 0
