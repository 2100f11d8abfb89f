#!/bin/sh
# An SFTP remote (a stock OpenSSH server, its folder a 1 MB tmpfs) with
# too little room, as the dir remote of t0615: the server says only
# "failure" when its disk is full, so shoebox asks it what is free
# (statvfs@openssh.com):
#  - a file bigger than what is free there fails once, then the ones as
#    big are not tried; the smaller ones still go; one message for them
#    all, exit 1; they stay queued, no attempt counted;
#  - no inodes left: the remote stops with one message, the files left
#    stay queued ("the remote is full");
#  - nothing half-written is left there, every file there is whole;
#  - with room again, one sync sends the rest.
# One transfer at a time: with several, a write refused for want of room
# now and then comes back as an SSH-layer error, and by the time shoebox
# asks what is free, another transfer's temporary file is gone and the
# file fits; it is counted failed (and sent by the next sync), not "too
# big", and the one message this test asserts becomes two.
. "$TOP/tests/functional/remote-lib.sh"
sb_init
[ "$(id -u)" = 0 ] || sb_skip "needs root to mount a tmpfs"
command -v ssh-keygen >/dev/null || sb_skip "ssh-keygen not installed (openssh-client)"
BK=$W/srv
mkdir -p "$BK"
mount -t tmpfs -o size=1m shoebox-t0616 "$BK" 2>"$W/mount.err" ||
    sb_skip "cannot mount a tmpfs: $(cat "$W/mount.err")"
umount_bk() { sb_stop; umount "$BK" 2>/dev/null; sb_cleanup; }
trap umount_bk EXIT

S=$W/ssh
mkdir -p "$S"
ssh-keygen -q -t ed25519 -N '' -f "$S/host_ed25519" || sb_fail ssh-keygen
ssh-keygen -q -t ed25519 -N '' -f "$S/client" || sb_fail ssh-keygen
cp "$S/client.pub" "$S/authorized_keys"
sb_serve_openssh ed25519
ssh-keyscan -t ed25519 -p "$SSH_PORT" 127.0.0.1 >"$S/known" 2>/dev/null
cat >"$CFG" <<EOF2
transfers = 1
[remote bk]
type = sftp
url = sftp://127.0.0.1:$SSH_PORT$BK
user = $(id -un)
key_file = $S/client
known_hosts = $S/known
retry_delay = 0.1
EOF2

sb_add_full_set
sb_full_remote "$BK" "the remote's disk" "no room left for new files"
exit 0
