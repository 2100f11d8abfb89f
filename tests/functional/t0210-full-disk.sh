#!/bin/sh
# A library on a small tmpfs and a card with more than fits: a file that
# does not fit in what is free is not attempted and the run goes on with
# the others (an 8 MB video first on the card does not keep the photos
# after it out), with one message at the end saying what is free and what
# the files left need (not one "No space left on device" per file); it
# counts those files as not attempted, exits 1; the library holds
# no partial or empty file, every filed file is whole, the catalogue
# matches the library file for file, and with --move the sources that did
# not fit are still there. After making room a re-run completes. Then the same checks at many levels of free space, so
# that the disk also fills up while the catalogue itself is being written.
. "$TOP/tests/lib/common.sh"

[ "$(id -u)" = 0 ] || { echo "needs root to mount a tmpfs"; exit 77; }
mkdir -p "$LIB"
mount -t tmpfs -o size=2m shoebox-t0210 "$LIB" 2>"$T/mount.err" ||
    { echo "cannot mount a tmpfs: $(cat "$T/mount.err")"; exit 77; }
unmount_lib() { umount "$LIB" 2>/dev/null; }
cleanup_hooks="unmount_lib"

# About 3 MB of photos, each of a day of its own (more directories), and
# three duplicates.
d="$T/card/DCIM/100CANON"
dated_jpegs "$d" 90
for n in 0002 0005 0040; do
	cp "$d/IMG_$n.JPG" "$d/IMG_${n}a.JPG"
done
# First on the card, and bigger than the whole library: 8 MB (sparse).
cp "$d/IMG_0001.JPG" "$d/IMG_0000.JPG"
truncate -s 8M "$d/IMG_0000.JPG"
set_mtimes "$T/card"
cp -a "$T/card" "$T/orig"
sums "$T/orig" | uniq >"$T/allsums"
echo "card: $(du -sk "$T/card" | cut -f1) kB in 93 files, library: 2 MB"

# check_library: whole files only, none empty, catalogue == library (the
# same paths, each with the SHA-256 of the file there).
check_library() {
	lib_nonempty
	lib_whole "$T/allsums"
	lib_sums >"$T/lib.sums"
	q "SELECT lower(hex(sha256)) || ' *./' || path FROM files" | sort >"$T/cat.sums"
	diff "$T/cat.sums" "$T/lib.sums" || fail "catalogue and library differ"
	[ -z "$(ls -A "$LIB/.shoebox/tmp")" ] || fail "left in .shoebox/tmp"
}

sb import --move --no-progress "$T/card"
expect_rc 1
cat "$T/out" "$T/err"
# (the run's closing "import of ... failed" line quotes its first problem)
[ "$(grep -v '^shoebox: import of .* failed: ' "$T/err" | grep -c 'No space left on device')" = 1 ] ||
    fail "not one message for the full disk: $(cat "$T/err")"
grep -q "^shoebox: library $LIB: No space left on device: [0-9.]* [kM]\{0,1\}B free, [0-9.]* [kM]\{0,1\}B needed for the [0-9]* files\{0,1\} left (with room for the catalogue); \(import stopped\|they were not attempted, the others were\): make room and run it again$" "$T/err" ||
    fail "the full disk message says not what is free and needed: $(cat "$T/err")"
check_library
[ -f "$T/card/DCIM/100CANON/IMG_0000.JPG" ] || fail "the 8 MB file is gone from the card"
libfiles | grep -q IMG_0001 || fail "the photo after the file too big for the disk was not imported: $(cat "$T/err")"
left=$(find "$T/card" -type f | wc -l)
[ "$left" -gt 0 ] || fail "everything fitted: make the card bigger"
[ "$(libfiles | wc -l)" -gt 0 ] || fail "nothing fitted"
# Each source still there is counted failed or not attempted, and unchanged.
failed=$(sed -n 's/.* \([0-9]*\) failed.*/\1/p' "$T/out")
nottried=$(sed -n "s/.* \([0-9]*\) not attempted (the library's disk is full)$/\1/p" "$T/out")
[ -n "$nottried" ] && [ "$nottried" -gt 0 ] || fail "no files counted as not attempted"
[ $((failed + nottried)) = "$left" ] ||
    fail "$left sources left, but $failed failed and $nottried not attempted"
moved_safely "$T/orig" "$T/card"

# Make room: the re-run files the rest.
mount -o remount,size=32m "$LIB" || fail "cannot grow the tmpfs"
sb import --move --no-progress "$T/card"
expect_rc 0
cat "$T/out"
check_library
[ -z "$(find "$T/card" -type f)" ] || fail "re-run left sources: $(find "$T/card" -type f)"
lib_sums | cut -d' ' -f1 >"$T/libsums"
diff "$T/allsums" "$T/libsums" || fail "library is not the card's content once"

# The disk filling at every point of a run: data, directories, catalogue.
for free in 8 40 120 300 520 560 600 700 800 1000 1300; do
	umount "$LIB"
	mount -t tmpfs -o size=2m shoebox-t0210 "$LIB" || fail "remount"
	avail=$(df -k --output=avail "$LIB" | tail -n 1)
	if [ "$avail" -gt "$free" ]; then
		mkdir -p "$LIB/.shoebox"	# libfiles leaves it out
		head -c $(((avail - free) * 1024)) /dev/zero >"$LIB/.shoebox/filler" 2>/dev/null
	fi
	sb import --no-progress "$T/orig"
	[ "$rc" = 0 ] || [ "$rc" = 1 ] || [ "$rc" = 2 ] || fail "free=$free: exit $rc"
	echo "free ${free} kB: exit $rc, $(libfiles | wc -l) filed; $(head -n 1 "$T/out")"
	if [ -f "$LIB/.shoebox/catalog.db" ] && [ "$rc" != 2 ]; then
		check_library
	else
		# No catalogue could be made: nothing may have been filed.
		[ -z "$(libfiles)" ] || fail "free=$free: files but no catalogue"
		grep -q 'catalog' "$T/err" || fail "free=$free: no reason given"
	fi
	# Room again: the same library completes.
	rm -f "$LIB/.shoebox/filler"
	mount -o remount,size=32m "$LIB"
	sb import --no-progress "$T/orig"
	expect_rc 0
	check_library
	lib_sums | cut -d' ' -f1 >"$T/libsums"
	diff "$T/allsums" "$T/libsums" || fail "free=$free: re-run did not complete the library"
done
exit 0
