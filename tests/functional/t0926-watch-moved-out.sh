#!/bin/sh
# shoebox watch on a drop share whose users move their albums out (to
# their own folders): the watches of the folders moved away end, not
# spend fs.inotify.max_user_watches for as long as the folders live
# elsewhere (until the limit leaves new folders unwatched); a folder moved
# back in, or renamed within the DIR, is watched again under its name and
# what is written in it, deep down, is imported.
. "$TOP/tests/lib/common.sh"

S=$TOP/tests/sample-card/DCIM/100CANON
D=$T/drop
mkdir -p "$D" "$T/mine"
stop() {
	[ -n "${wpid:-}" ] && kill -TERM "$wpid" 2>/dev/null
	wait 2>/dev/null
}
cleanup_hooks="stop"

"$SHOEBOX" watch --settle 1s "$D" >"$T/w.out" 2>"$T/w.err" &
wpid=$!
wait_until 10 grep -q 'start: looking at every file' "$T/w.err" ||
    fail "watch did not start: $(cat "$T/w.err")"
watches() {
	fdn=$(ls -l "/proc/$wpid/fd" | awk '/inotify/ {print $9; exit}')
	grep -c '^inotify' "/proc/$wpid/fdinfo/$fdn"
}
for i in 1 2 3 4 5 6 7 8 9 10; do
	mkdir -p "$D/album$i/raw"
done
sleep 1
[ "$(watches)" = 21 ] || fail "$(watches) watches for 21 folders"
for i in 1 2 3 4 5 6 7 8 9 10; do
	mv "$D/album$i" "$T/mine/"
done
one() {
	[ "$(watches)" = 1 ]
}
wait_until 5 one ||
    fail "folders moved out still watched: $(watches) watches, 1 folder left"

mv "$T/mine/album1" "$D/back"
mv "$D/back" "$D/renamed"
sleep 0.5
cp "$S/IMG_0002.JPG" "$D/renamed/raw/DEEP.JPG"
has() {
	libfiles | grep -q DEEP.JPG
}
wait_until 10 has ||
    fail "a file written in a folder moved back and renamed not imported: $(cat "$T/w.err")"
[ "$(watches)" = 3 ] || fail "$(watches) watches for 3 folders"
kill -0 "$wpid" || fail "the watch died: $(cat "$T/w.err")"
