#!/bin/sh
# A dir remote's backup disk mounted on demand (fstab's noauto,
# x-systemd.automount; autofs) and not mounted yet as sync starts. Its
# folder was taken, by stat(2), which does not mount it, for the autofs
# folder; the first file's open mounted the disk there, which was then
# "not the folder it was when this run began (was its disk unmounted?)":
# every sync to it stopped (exit 1), nothing sent. The folder is now
# opened, as for each file, to know it. tests/lib/automount.c acts the
# automount point.
. "$TOP/tests/functional/remote-lib.sh"
sb_init
command -v cc >/dev/null || sb_skip "no C compiler for tests/lib/automount.c"
cc -shared -fPIC -o "$W/automount.so" "$TOP/tests/lib/automount.c" -ldl ||
    sb_fail "cannot build tests/lib/automount.c"
# ASan wants to come first among preloaded libraries; ours need not.
export ASAN_OPTIONS="${ASAN_OPTIONS:-}:verify_asan_link_order=0"
mkdir -p "$W/disk" "$W/autofs"
cat >"$CFG" <<EOF2
[remote usb]
type = dir
path = $W/disk
EOF2
i=1
while [ $i -le 3 ]; do
	head -c $((1000 + i)) /dev/urandom >"$W/f"
	sb_add "$W/f" "2019/07/0$i/f$i.jpg"
	i=$((i + 1))
done

AUTOMOUNT_AT="$W/disk" AUTOMOUNT_STUB="$W/autofs" \
    LD_PRELOAD="$W/automount.so" sb_sync >"$W/out" 2>"$W/err"
rc=$?
cat "$W/out" "$W/err"
[ $rc = 0 ] || sb_fail "exit $rc, expected 0"
grep -q '^remote usb: 3 files: 3 uploaded ' "$W/out" || sb_fail "the summary"
[ "$(find "$W/disk" -type f | wc -l)" = 3 ] || sb_fail "not on the disk"
