#!/bin/sh
# shoebox watch DIR where DIR itself goes away and comes back: removed and
# made again (a script that empties the drop folder with rm -rf), and a
# disk mounted over it and unmounted (a share remounted), removed and made
# again at once (the same inode number). Its old inotify watch sees nothing
# of the new folder; watch notices within seconds, says so, and files
# written into the new DIR are imported, each once. Before, watch went on
# quietly and imported nothing, ever. With --move, DIR swapped for a link
# to a private folder is said and not followed (nor on a SIGHUP rescan).
. "$TOP/tests/lib/common.sh"

S=$TOP/tests/sample-card/DCIM/100CANON
D=$T/drop
mkdir -p "$D"
has() {
	[ "$(libfiles | grep -c "$1")" -ge 1 ]
}
stop() {
	[ -n "${wpid:-}" ] && kill -TERM "$wpid" 2>/dev/null
	wait 2>/dev/null
	[ -n "${mounted:-}" ] && umount "$D" 2>/dev/null
}
cleanup_hooks="stop"

"$SHOEBOX" watch --settle 1s "$D" >"$T/w.out" 2>"$T/w.err" &
wpid=$!
wait_until 10 grep -q 'start: looking at every file' "$T/w.err" ||
    fail "watch did not start"
cp "$S/IMG_0002.JPG" "$D/FIRST.JPG"
wait_until 15 has FIRST || fail "the first file: $(cat "$T/w.err")"

# Removed and made again.
rm -rf "$D"
wait_until 10 grep -q 'drop is gone' "$T/w.err" ||
    fail "a DIR gone was not said: $(cat "$T/w.err")"
mkdir "$D"
cp "$S/IMG_0004.JPG" "$D/AGAIN.JPG"
wait_until 15 has AGAIN ||
    fail "a file in the DIR made again: $(cat "$T/w.err")"
grep -q 'drop is back' "$T/w.err" || fail "not said: $(cat "$T/w.err")"

# A disk mounted over it, then taken away again.
if [ "$(id -u)" = 0 ] && mount -t tmpfs -o size=8m shoebox-t0922 "$D" \
    2>/dev/null; then
	mounted=1
	cp "$FIX/exiv2-nikon-e950.jpg" "$D/MOUNTED.JPG"
	wait_until 15 has MOUNTED ||
	    fail "a file on a disk mounted over DIR: $(cat "$T/w.err")"
	grep -q 'drop is another folder now' "$T/w.err" ||
	    fail "the mount was not said: $(cat "$T/w.err")"
	umount "$D" && mounted=""
	cp "$FIX/exiv2-nikon-d70.jpg" "$D/UNDER.JPG"
	wait_until 15 has UNDER ||
	    fail "a file after the unmount: $(cat "$T/w.err")"
else
	echo "note: cannot mount a tmpfs; the mount over DIR is not tested"
fi
# Removed and made again at once: ext4 hands the same inode number out
# again, so the folder's own watch ending is what says it is new.
rm -rf "$D" && mkdir "$D"
sleep 3
cp "$FIX/exiv2-nikon-d70.jpg" "$D/QUICK.JPG"
printf 'x' >>"$D/QUICK.JPG"
wait_until 15 has QUICK ||
    fail "a file in the DIR made again at once: $(cat "$T/w.err")"
stop
wpid=""

# watch --move of a shared folder whose parent another user can write:
# DIR renamed away and a link to a private folder put at its name. The
# link is said and never followed; the private photos stay.
# The same with a folder above DIR swapped (share2/sub for a link to a
# private folder holding an 'in' of its own).
mkdir -p "$T/share/incoming" "$T/private" "$T/share2/sub/in" "$T/private2/in"
distinct_jpegs "$T/private" 300 3 private
distinct_jpegs "$T/private2/in" 310 2 private2
"$SHOEBOX" watch --move --settle 0 "$T/share/incoming" "$T/share2/sub/in" \
    >"$T/w2.out" 2>"$T/w2.err" &
wpid=$!
wait_until 10 grep -q 'start: looking at every file' "$T/w2.err" ||
    fail "the second watch did not start"
mv "$T/share/incoming" "$T/share/incoming.old"
ln -s "$T/private" "$T/share/incoming"
mv "$T/share2/sub" "$T/share2/sub.old"
ln -s "$T/private2" "$T/share2/sub"
wait_until 10 grep -q 'folder .*/share/incoming is a symbolic link; not followed' \
    "$T/w2.err" || fail "the link was not said: $(cat "$T/w2.err")"
wait_until 10 grep -q 'folder .*/share2/sub is a symbolic link; not followed' \
    "$T/w2.err" || fail "the link above was not said: $(cat "$T/w2.err")"
kill -HUP "$wpid"
sleep 3
[ "$(ls "$T/private" | wc -l)" = 3 ] && [ "$(ls "$T/private2/in" | wc -l)" = 2 ] ||
    fail "photos moved out of a private folder: $(cat "$T/w2.err")"
libfiles | grep -q 'IMG_03[01]' && fail "a private folder's photos were imported"
for n in FIRST AGAIN; do
	[ "$(libfiles | grep -c $n)" = 1 ] || fail "$n imported more than once"
done
echo "ok"
