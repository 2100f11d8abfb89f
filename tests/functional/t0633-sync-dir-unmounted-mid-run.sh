#!/bin/sh
# The backup disk of a dir remote unmounted while a sync copies to it
# (ejected, or unplugged and cleaned up by udisks): its path is then the
# empty mount point, on the system's disk. The copies left must not go
# there: they were counted sent (exit 0), hidden when the disk was mounted
# again, and could fill the system's disk. The sync stops sending to that
# remote with one message, its files left pending; once the disk is back,
# the next sync sends them to it.
. "$TOP/tests/functional/remote-lib.sh"
sb_init
[ "$(id -u)" = 0 ] || sb_skip "needs root to mount"
command -v cc >/dev/null || sb_skip "no C compiler for tests/lib/hook.c"
cc -shared -fPIC -o "$W/hook.so" "$TOP/tests/lib/hook.c" -ldl ||
    sb_fail "cannot build tests/lib/hook.c"
# ASan wants to come first among preloaded libraries; ours need not.
export ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0"
# the disk: a folder bind-mounted at the mount point
mkdir -p "$W/real" "$W/disk"
mount --bind "$W/real" "$W/disk" || sb_skip "cannot bind-mount"
trap 'umount "$W/disk" 2>/dev/null; sb_cleanup' EXIT
cat >"$CFG" <<EOF2
transfers = 1

[remote usb]
type = dir
path = $W/disk
EOF2
i=1
while [ $i -le 5 ]; do
	head -c $((1000 + i)) /dev/urandom >"$W/f"
	sb_add "$W/f" "2019/07/0$i/f$i.jpg"
	i=$((i + 1))
done

# unmounted as the third file is opened in the library to be copied: its
# folder on the disk is open already, so that copy still lands on the
# disk (lazily unmounted, it stays reachable through what is open)
SB_HOOK_ON=open:f3.jpg SB_HOOK_CMD="umount -l '$W/disk'" \
    SB_HOOK_LOG="$W/hook.log" LD_PRELOAD="$W/hook.so" \
    "$SHOEBOX" -L "$LIB" -c "$CFG" sync --no-progress >"$W/out" 2>"$W/err"
rc=$?
cat "$W/out" "$W/err"
grep -q "^fired open .*f3.jpg" "$W/hook.log" || sb_fail "the hook did not fire"
[ -z "$(find "$W/disk" -mindepth 1 | head -n 1)" ] ||
    sb_fail "written beneath the mount point: $(find "$W/disk" -type f)"
[ $rc = 1 ] || sb_fail "exit $rc, expected 1"
[ "$(grep -c '^shoebox: remote usb: ' "$W/err")" = 1 ] ||
    sb_fail "one message"
grep -q "^shoebox: remote usb: $W/disk is not the folder it was when this run began (was its disk unmounted?)$" \
    "$W/err" || sb_fail "the message"
grep -q '^remote usb: 5 files: 3 uploaded (3.0 kB), 0 already there, 0 failed, 2 not attempted' \
    "$W/out" || sb_fail "the summary"
[ "$(sb_unattempted pending)" = 2 ] ||
    sb_fail "the files left should be pending, no attempt counted"

# the disk back: the rest goes to it
mount --bind "$W/real" "$W/disk" || sb_fail "mount again"
sb_sync >"$W/out" 2>"$W/err" || { cat "$W/out" "$W/err"; sb_fail "second sync"; }
grep -q '^remote usb: 2 files: 2 uploaded ' "$W/out" ||
    { cat "$W/out" "$W/err"; sb_fail "second sync's summary"; }
[ "$(find "$W/real" -type f | wc -l)" = 5 ] || sb_fail "not all on the disk"
sb_remote_whole "$W/real"
exit 0
