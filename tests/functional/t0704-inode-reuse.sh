#!/bin/sh
# "Already imported" is not decided by device, inode, size and mtime alone
# (issue 9, bug 4). After import --move deleted a source, a new file with
# other content but the same size and mtime (usual after cp -p or rsync -t
# from FAT's 2 s mtimes) is made in the same folder on the freed inode: the
# drop folder is a fresh ext4 on a loop device, where a new file gets the
# lowest free inode (elsewhere the test makes empty files until one gets
# it, or says it could not). import --move must file its content,
# not take it as seen and delete it. Then the same with the same name (a
# camera counting from IMG_0001 again), which the catalogue also knows by
# path, size and mtime.
. "$TOP/tests/functional/safety-lib.sh"

S=$T/drop
mkdir -p "$S"
loop=""
release() {
	umount "$S" 2>/dev/null
	[ -n "$loop" ] && losetup -d "$loop" 2>/dev/null
}
cleanup_hooks="release"
if [ "$(id -u)" = 0 ] && command -v mkfs.ext4 >/dev/null &&
    truncate -s 16M "$T/drop.img" && mkfs.ext4 -q -F "$T/drop.img" &&
    loop=$(losetup -f --show "$T/drop.img" 2>/dev/null) && mount "$loop" "$S"; then
	rmdir "$S/lost+found"
else
	echo "note: no loop-mounted ext4; the drop folder is on $(stat -f -c %T "$T")"
fi

# variant N FILE: FILE with other bytes in its image data, same size.
variant() {
	cp "$CARD/IMG_0001.JPG" "$2"
	printf 'variant %s' "$1" | dd of="$2" bs=1 seek=15000 conv=notrunc 2>/dev/null
	touch -d '2001-02-03 04:05:06 UTC' "$2"
}

cp "$CARD/IMG_0001.JPG" "$S/IMG_0001.JPG"
touch -d '2001-02-03 04:05:06 UTC' "$S/IMG_0001.JPG"
ino=$(stat -c %i "$S/IMG_0001.JPG")
csb import --move --no-progress "$S"
expect_rc 0
[ ! -e "$S/IMG_0001.JPG" ] || fail "first import did not move"

seq 1 3000 | sed "s|^|$S/.fill.|" | xargs touch
reused=$(find "$S" -maxdepth 1 -name '.fill.*' -inum "$ino")
if [ -n "$reused" ]; then
	mv "$reused" "$S/IMG_0101.JPG"
else
	: >"$S/IMG_0101.JPG"
fi
find "$S" -maxdepth 1 -name '.fill.*' -delete
variant 1 "$T/v1"
cat "$T/v1" >"$S/IMG_0101.JPG"		# in place: the inode stays
touch -d '2001-02-03 04:05:06 UTC' "$S/IMG_0101.JPG"
if [ "$(stat -c %i "$S/IMG_0101.JPG")" = "$ino" ]; then
	echo "inode $ino reused by the new file"
else
	echo "note: inode not reused ($ino, now $(stat -c %i "$S/IMG_0101.JPG")) on $(stat -f -c %T "$S"); this case only checks that nothing is lost"
fi
[ "$(stat -c %s "$T/v1")" = "$(stat -c %s "$CARD/IMG_0001.JPG")" ] || fail "variant size"
csb import --move --no-progress "$S"
cat "$T/out" "$T/err"
[ "$(lib_count "$T/v1")" = 1 ] ||
    fail "a new file on a reused inode, same size and mtime, was not filed$([ -e "$S/IMG_0101.JPG" ] || echo ' (and its source was deleted)')"
[ ! -e "$S/IMG_0101.JPG" ] || fail "filed but not moved"

# The same name again.
variant 2 "$S/IMG_0001.JPG"
cp "$S/IMG_0001.JPG" "$T/v2"
csb import --move --no-progress "$S"
cat "$T/out" "$T/err"
[ "$(lib_count "$T/v2")" = 1 ] ||
    fail "a new file with a known name, size and mtime was not filed$([ -e "$S/IMG_0001.JPG" ] || echo ' (and its source was deleted)')"
[ "$(lib_count "$CARD/IMG_0001.JPG")" = 1 ] || fail "the first file: $(libfiles)"
[ "$(q 'SELECT count(*) FROM files')" = 3 ] || fail "catalogue: $(q 'SELECT path FROM files')"
exit 0
