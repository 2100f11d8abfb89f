#!/bin/sh
# A dir remote whose backup disk has its mount point in /etc/fstab and is
# not mounted: its path is then an empty folder on the system's disk. The
# check for an emptied folder needs copies sent there before, so the first
# sync (and every one after it) filled the mount point unseen, exit 0.
# Such a remote is now refused, with a message naming the mount point; a
# folder made below it on the system's disk too. Once the disk is mounted,
# the files go to it. A sync of every remote leaves it out and goes on
# with the others (exit 1), as for a disk whose mount point is gone.
# Runs in its own mount namespace, with its own fstab bind-mounted over
# /etc/fstab there.
. "$TOP/tests/lib/mount-ns.sh"
. "$TOP/tests/functional/remote-lib.sh"
sb_init
mkdir -p "$W/disk" "$W/real" "$W/elsewhere"
printf '%s\n' "# a comment" "/dev/sdz1 none swap sw 0 0" \
    "LABEL=backup $W/disk ext4 noauto,nofail 0 2" >"$W/fstab"
mount --bind "$W/fstab" /etc/fstab || sb_skip "cannot bind-mount"
trap 'umount "$W/disk" 2>/dev/null; sb_cleanup' EXIT
cat >"$CFG" <<EOF2
[remote other]
type = dir
path = $W/elsewhere
prefix = other
EOF2
head -c 1000 /dev/urandom >"$W/f"
sb_add "$W/f" "2019/07/01/a.jpg"
cat >>"$CFG" <<EOF2

[remote usb]
type = dir
path = $W/disk
EOF2

sb_sync usb >"$W/out" 2>"$W/err"
rc=$?
cat "$W/out" "$W/err"
[ -z "$(find "$W/disk" -mindepth 1 | head -n 1)" ] ||
    sb_fail "written to the empty mount point: $(find "$W/disk")"
[ $rc = 2 ] || sb_fail "exit $rc, expected 2"
grep -q "^shoebox: remote usb: nothing is mounted at $W/disk (a mount point in /etc/fstab): is the disk mounted?$" \
    "$W/err" || sb_fail "the message"
# verify and restore ask the same
"$SHOEBOX" -L "$LIB" -c "$CFG" restore --remote usb --to "$W/back" \
    >/dev/null 2>"$W/err" && sb_fail "restore went on"
grep -q "nothing is mounted at $W/disk" "$W/err" || sb_fail "restore's message"

# a folder made below the mount point, on the system's disk: the same
mkdir "$W/disk/photos"
sed -i "s|^path = $W/disk\$|path = $W/disk/photos|" "$CFG"
sb_sync usb >"$W/out" 2>"$W/err" && sb_fail "sync to the folder below went on"
grep -q "nothing is mounted at $W/disk " "$W/err" || sb_fail "below: the message"
[ -z "$(find "$W/disk/photos" -mindepth 1 | head -n 1)" ] ||
    sb_fail "written below the empty mount point"
rmdir "$W/disk/photos"
sed -i "s|^path = $W/disk/photos\$|path = $W/disk|" "$CFG"

# another remote below a mounted folder is not concerned
sb_sync other >"$W/out" 2>"$W/err" || { cat "$W/err"; sb_fail "other"; }

# every remote synced: the others still get their files, exit 1; the
# same for a disk whose mount point is gone (udisks removes its own).
# Such a remote stopped the sync (exit 2): nothing went anywhere.
head -c 1500 /dev/urandom >"$W/g"
sb_add "$W/g" "2019/07/02/b.jpg"
for gone in "" "$W/gone"; do
	[ -z "$gone" ] || sed -i "s|^path = $W/disk\$|path = $gone|" "$CFG"
	sb_sync >"$W/out" 2>"$W/err"
	rc=$?
	cat "$W/out" "$W/err"
	[ $rc = 1 ] || sb_fail "all remotes ($gone): exit $rc, expected 1"
	grep -q "^shoebox: remote usb: .*(is the disk mounted?)\$\|: is the disk mounted?\$" "$W/err" ||
	    sb_fail "all remotes ($gone): the message"
	[ -z "$(find "$W/disk" -mindepth 1 | head -n 1)" ] ||
	    sb_fail "all remotes ($gone): written to the mount point"
done
cmp "$W/g" "$W/elsewhere/other/2019/07/02/b.jpg" ||
    sb_fail "the other remote did not get its file"
sed -i "s|^path = $W/gone\$|path = $W/disk|" "$CFG"

# the disk mounted: the files go to it
mount --bind "$W/real" "$W/disk" || sb_fail "mount"
sb_sync usb >"$W/out" 2>"$W/err" || { cat "$W/out" "$W/err"; sb_fail "mounted"; }
grep -q '^remote usb: 2 files: 2 uploaded ' "$W/out" || sb_fail "the summary"
cmp "$W/f" "$W/real/2019/07/01/a.jpg" || sb_fail "not on the disk"
cmp "$W/g" "$W/real/2019/07/02/b.jpg" || sb_fail "b not on the disk"
umount "$W/disk"
exit 0
