#!/bin/sh
# --move never removes a source that is its own library copy. A library
# folder bind-mounted into a drop folder shows the library's files under a
# second path: each is a "duplicate" of itself (or already imported, or,
# if the catalogue does not know it yet, found at its own library name),
# and removing that source removed the library's only copy. A hard link
# into the library looks the same (one inode) and is kept too. Each case:
# the library copy is still there and whole, the source is kept, a
# message names it, and the run exits 0 (kept sources are warnings).
. "$TOP/tests/functional/safety-lib.sh"

one=$CARD/IMG_0001.JPG
two=$CARD/IMG_0002.JPG

first_import() {
	rm -rf "$LIB" "$T/first"
	mkdir -p "$T/first"
	cp -p "$one" "$T/first/"
	csb import --no-progress "$T/first"
	expect_rc 0
	rel=$(q "SELECT path FROM files WHERE lower(hex(sha256)) = '$(sum "$one")'")
	[ -f "$LIB/$rel" ] || fail "first import: $(libfiles)"
}

still_there() {	# $1: what was done
	cmp -s "$LIB/$rel" "$one" ||
	    { cat "$T/out" "$T/err" >&2; fail "$1: library copy $rel gone or changed"; }
	[ "$(lib_count "$one")" = 1 ] || fail "$1: $(libfiles)"
}

# A hard link into the library, imported with --move, twice (a duplicate,
# then a source the catalogue knows).
first_import
mkdir -p "$T/drop"
ln "$LIB/$rel" "$T/drop/LINKED.JPG"
for run in duplicate already; do
	csb import --move --no-progress "$T/drop"
	expect_rc 0
	still_there "hard link, $run"
	[ -f "$T/drop/LINKED.JPG" ] || fail "hard link, $run: source removed"
	named LINKED.JPG
	grep -q "library's own copy" "$T/err" || fail "hard link, $run: no reason given"
done
rm -rf "$T/drop"

[ "$(id -u)" = 0 ] || { echo "hard links checked; bind mounts need root"; exit 0; }
mnt=$T/drop/share
unmount_share() { umount "$mnt" 2>/dev/null; }
cleanup_hooks="unmount_share"

# The library's own folder bind-mounted into the drop folder: a duplicate,
# then already imported.
first_import
year=${rel%%/*}
mkdir -p "$mnt"
mount --bind "$LIB/$year" "$mnt" 2>"$T/mount.err" ||
    { echo "cannot bind-mount: $(cat "$T/mount.err")"; exit 77; }
for run in duplicate already; do
	csb import --move --no-progress "$T/drop"
	expect_rc 0
	still_there "bind mount, $run"
	named "${rel#*/}"
done
umount "$mnt"

# A file put into the library by hand (not catalogued), seen through the
# bind mount: found at its own library name and adopted; it stays. A new
# file in the same folder is filed elsewhere and is not its own copy: it
# is removed from the source as usual.
rm -rf "$LIB"
mkdir -p "$T/seed"
cp -p "$two" "$T/seed/"
csb import --no-progress "$T/seed"
expect_rc 0
mkdir -p "$LIB/$(dirname "$rel")"
cp -p "$one" "$LIB/$rel"
mount --bind "$LIB/$year" "$mnt" ||  fail "bind mount"
csb import --move --no-progress "$T/drop"
expect_rc 0
still_there "bind mount, uncatalogued library file"
named "${rel#*/}"
[ "$(cat_count "$one")" = 1 ] || fail "the library file was not catalogued"
umount "$mnt"
exit 0
