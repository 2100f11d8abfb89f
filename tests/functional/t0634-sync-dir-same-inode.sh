#!/bin/sh
# A dir remote whose "copies" are the library's own files: a hard link to
# a library file at its name there (cp -al, rsync --link-dest), or the
# library itself at the remote's path through a bind mount, which no
# comparison of paths tells apart. Neither is a backup: the hard link is
# passed over, named, and a real copy goes beside it (so damage to the
# library file leaves an intact copy); the bind-mounted library is refused
# as path = LIB is, nothing sent, no job done; so is a folder of the
# library bind-mounted there (LIB/2019 as the disk), and a disk folder
# that holds the library when the library is a bind of a folder inside
# it, which only the paths inside the filesystem tell.
. "$TOP/tests/functional/remote-lib.sh"
sb_init
D=2019/07/04
mkdir -p "$W/disk/$D"
printf '[remote usb]\ntype = dir\npath = %s\n' "$W/disk" >"$CFG"
head -c 50000 /dev/urandom >"$W/a"
sb_add "$W/a" "$D/a.jpg"
ln "$LIB/$D/a.jpg" "$W/disk/$D/a.jpg"
sb_sync >"$W/out" 2>"$W/err"
rc=$?
cat "$W/out" "$W/err"
[ $rc = 0 ] || sb_fail "hard link: exit $rc"
grep -q "a.jpg is the library's own file $D/a.jpg (a hard link to it), not a copy" "$W/err" ||
    sb_fail "hard link: not named"
cmp -s "$W/disk/$D/a-1.jpg" "$W/a" || sb_fail "hard link: no copy beside it: $(ls "$W/disk/$D")"
printf XXXX | dd of="$LIB/$D/a.jpg" bs=1 seek=1000 conv=notrunc 2>/dev/null
cmp -s "$W/disk/$D/a-1.jpg" "$W/a" || sb_fail "hard link: the copy changed with the library"

# The library bind-mounted at the remote's path.
[ "$(id -u)" = 0 ] || { echo "ok (bind mount skipped: not root)"; exit 0; }
rm -rf "$W/lib" "$W/disk" && mkdir -p "$W/lib" "$W/disk"
sb_add "$W/a" "$D/a.jpg"
mount --bind "$LIB" "$W/disk" || { echo "ok (bind mount skipped: mount failed)"; exit 0; }
trap 'umount "$W/disk"; sb_cleanup' EXIT
sb_sync >"$W/out" 2>"$W/err"
rc=$?
cat "$W/out" "$W/err"
[ $rc = 0 ] && sb_fail "bind mount: exit 0"
grep -q "remote usb: $W/disk is the library $LIB: copies there would be no backup" "$W/err" ||
    sb_fail "bind mount: not refused"
[ "$(sqlite3 "$LIB/.shoebox/catalog.db" "SELECT count(*) FROM upload_jobs WHERE status = 'done'")" = 0 ] ||
    sb_fail "bind mount: a job counted done"
umount "$W/disk"
trap sb_cleanup EXIT

# A folder of the library bind-mounted as the disk.
mount --bind "$LIB/2019" "$W/disk" || sb_fail "bind mount of LIB/2019"
trap 'umount "$W/disk"; sb_cleanup' EXIT
sb_sync >"$W/out" 2>"$W/err"
rc=$?
cat "$W/out" "$W/err"
[ $rc = 0 ] && sb_fail "bind of a library folder: exit 0"
grep -q "remote usb: $W/disk is inside the library $LIB: copies there would be no backup" "$W/err" ||
    sb_fail "bind of a library folder: not refused"
[ ! -e "$LIB/2019/2019" ] || sb_fail "bind of a library folder: a copy was put in the library"
umount "$W/disk"
trap sb_cleanup EXIT

# The library a bind of a folder inside the disk's folder.
mkdir -p "$W/big/inner" "$W/lib2"
cp -a "$LIB/." "$W/big/inner/"
mount --bind "$W/big/inner" "$W/lib2" || sb_fail "bind mount of big/inner"
trap 'umount "$W/lib2"; sb_cleanup' EXIT
printf '[remote usb]\ntype = dir\npath = %s\n' "$W/big" >"$CFG"
"$SHOEBOX" -L "$W/lib2" -c "$CFG" sync --no-progress >"$W/out" 2>"$W/err"
rc=$?
cat "$W/out" "$W/err"
[ $rc = 0 ] && sb_fail "disk holding the library's bind source: exit 0"
grep -q "remote usb: $W/big holds the library $W/lib2" "$W/err" ||
    sb_fail "disk holding the library's bind source: not refused"
exit 0
