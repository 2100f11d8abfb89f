#!/bin/sh
# Another shoebox library inside a drop folder (a .shoebox/catalog.db of
# its own) is not walked: import --move of the drop folder took every one
# of its files and left its catalogue listing nothing that was there. It
# is said, its files stay and it still verifies intact; named as a source
# itself (merging an old library), it is imported as any folder. watch
# --move neither watches one nor takes the files of one made meanwhile.
. "$TOP/tests/lib/common.sh"

d=$T/drop
mkdir -p "$d/DCIM" "$T/old-card"
cp "$FIX/exiv2-canon-eos-20d.jpg" "$d/DCIM/IMG_0001.JPG"
cp "$FIX/exiv2-nikon-d70.jpg" "$T/old-card/DSC_0001.JPG"
cp "$FIX/Reagan.jpg" "$T/old-card/REAGAN.JPG"
sb -L "$d/old" import --settle 0 --no-progress "$T/old-card"
expect_rc 0
set_mtimes "$d"

sb import --move --settle 0 --no-progress --json "$d"
expect_rc 0
grep -q "old: is another shoebox library, not scanned" "$T/err" ||
    fail "the other library is not named: $(cat "$T/err")"
grep -q '"imported":1,' "$T/out" || fail "summary: $(tail -1 "$T/out")"
[ -e "$d/DCIM/IMG_0001.JPG" ] && fail "the drop folder's photo was kept"
n=$(find "$d/old" -path '*/.shoebox' -prune -o -type f -print | wc -l)
[ "$n" = 2 ] || fail "the other library has $n files, not 2"
sb -L "$d/old" verify --no-progress
expect_rc 0
grep -q "2 intact, 0 changed, 0 missing" "$T/out" ||
    fail "the other library: $(cat "$T/out")"

# watch --move: the library there is not watched, and one made there
# while it runs has its files left alone (each was imported and removed)
stop() {
	[ -n "${wpid:-}" ] && kill -TERM "$wpid" 2>/dev/null
	wait 2>/dev/null
}
cleanup_hooks="stop"
W=$T/watched
mkdir -p "$W/DCIM"
"$SHOEBOX" -L "$W/old" import --settle 0 --no-progress "$T/old-card" \
    >/dev/null 2>&1 || fail "making the watched folder's library"
"$SHOEBOX" -L "$T/wlib" watch --move --settle 1s "$W" >"$T/w.out" \
    2>"$T/w.err" &
wpid=$!
wait_until 10 grep -q 'start: looking at every file' "$T/w.err" ||
    fail "watch did not start"
cp "$FIX/FurnaceCreekInn.jpg" "$W/old/NEW.JPG"
"$SHOEBOX" -L "$W/new" import --settle 0 --no-progress "$T/old-card" \
    >/dev/null 2>&1 || fail "making a library in the watched folder"
cp "$FIX/exiv2-canon-eos-20d.jpg" "$W/DCIM/IMG_0002.JPG"
wait_until 15 test ! -e "$W/DCIM/IMG_0002.JPG" ||
    fail "watch did not import: $(cat "$T/w.err")"
sleep 3
stop
wpid=
grep -q "old: is another shoebox library, not watched" "$T/w.err" ||
    fail "watch: the library is not named: $(cat "$T/w.err")"
for l in old:3 new:2; do
	n=$(find "$W/${l%:*}" -path '*/.shoebox' -prune -o -type f -print |
	    wc -l)
	[ "$n" = "${l#*:}" ] ||
	    fail "watch took files of the library ${l%:*} ($n left)"
done
[ -e "$W/old/NEW.JPG" ] || fail "watch took a file written in a library"

# a .shoebox link to a library's folder makes no library of a folder: it
# is walked (the link not looked through)
mkdir -p "$d/linked"
cp "$FIX/smiley2.jpg" "$d/linked/R.JPG"
ln -s "$d/old/.shoebox" "$d/linked/.shoebox"
set_mtimes "$d/linked"
sb import --settle 0 --no-progress "$d/linked/.."
expect_rc 0
grep -q "linked: is another shoebox library" "$T/err" &&
    fail "a .shoebox link was looked through: $(cat "$T/err")"
libfiles | grep -q "R.JPG" || fail "the folder with a .shoebox link was not walked"

# named as a source: merged (without --move, it stays whole)
sb import --settle 0 --no-progress --json "$d/old"
expect_rc 0
grep -q '"imported":2,' "$T/out" || fail "merge: $(tail -1 "$T/out")"
exit 0
