#!/bin/sh
# A dir remote on a mount whose disk or share is gone, but not its mount
# point: a FUSE mount whose program ended (sshfs, rclone mount; here one
# nothing serves), as systemd's automount of an unplugged disk (ENODEV)
# or a network share whose server is gone. Opening its path failed with
# 'Transport endpoint is not connected', which stopped the whole sync,
# exit 2: nothing went to the other remotes while it was away. It is now
# left out with its message, as a disk whose mount point is gone, and the
# others get their files, exit 1. Runs in its own mount namespace.
. "$TOP/tests/lib/mount-ns.sh"
. "$TOP/tests/functional/remote-lib.sh"
sb_init
[ -c /dev/fuse ] || sb_skip "no /dev/fuse"
command -v python3 >/dev/null || sb_skip "no python3"
trap 'umount -l "$W/nas" 2>/dev/null; sb_cleanup' EXIT
mkdir -p "$W/other" "$W/nas"
printf '[remote other]\ntype = dir\npath = %s\n' "$W/other" >"$CFG"
head -c 1000 /dev/urandom >"$W/f"
sb_add "$W/f" "2019/07/01/a.jpg"
# a FUSE mount whose server is gone: its /dev/fuse closed once mounted
python3 - "$W/nas" <<'PY' || sb_skip "cannot mount FUSE"
import os, subprocess, sys
fd = os.open("/dev/fuse", os.O_RDWR)
subprocess.check_call(["mount", "-i", "-t", "fuse", "-o",
    "fd=%d,rootmode=40000,user_id=0,group_id=0" % fd, "gone", sys.argv[1]],
    pass_fds=[fd])
PY
ls "$W/nas" >/dev/null 2>&1 && sb_skip "the FUSE mount answers"
printf '\n[remote nas]\ntype = dir\npath = %s\n' "$W/nas/photos" >>"$CFG"

sb_sync >"$W/out" 2>"$W/err"
rc=$?
cat "$W/out" "$W/err"
[ $rc = 1 ] || sb_fail "exit $rc, expected 1"
grep -q "^shoebox: remote nas: $W/nas/photos: .* (is the disk or the share there?)$" \
    "$W/err" || sb_fail "the message"
cmp "$W/f" "$W/other/2019/07/01/a.jpg" ||
    sb_fail "the other remote did not get its file"
# that remote alone: nothing to do but say so, exit 2
sb_sync nas >"$W/out" 2>"$W/err"
rc=$?
[ $rc = 2 ] || { cat "$W/err"; sb_fail "nas alone: exit $rc, expected 2"; }
exit 0
