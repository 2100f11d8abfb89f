#!/bin/sh
# watch --move on a shared drop folder, against a user who swaps a folder
# for a symbolic link after its file arrived: drop/sub/IMG_0001.JPG is
# written, and before it settles drop/sub becomes a link to a private
# folder (mode 700) that holds an IMG_0001.JPG and an IMG_0002.JPG. watch
# imports the settled files through their folders, opened from the
# watched folder one at a time without following a link: none of the
# private files is filed, catalogued or deleted, the link is named in a
# message, and a file that arrived beside it (drop/ok) is imported and
# moved as usual. Before, the folder's path was given to import, which
# followed the link and moved the private folder's photos into the library.
. "$TOP/tests/functional/safety-lib.sh"

S=$T/drop
P=$T/private
mkdir -p "$S" "$P"
cp "$CARD/IMG_0001.JPG" "$P/IMG_0001.JPG"
cp "$CARD/IMG_0004.JPG" "$P/IMG_0002.JPG"
chmod 600 "$P/IMG_0001.JPG" "$P/IMG_0002.JPG"
chmod 700 "$P"
(cd "$P" && sha256sum IMG_0001.JPG IMG_0002.JPG) >"$T/private.sums"

stop() {
	[ -n "${wpid:-}" ] && kill -TERM "$wpid" 2>/dev/null
	wait 2>/dev/null
}
cleanup_hooks="stop"

"$SHOEBOX" -c "$CFG" watch --move --settle 5s "$S" >"$T/w.out" 2>"$T/w.err" &
wpid=$!
wait_until 10 grep -q 'start: looking at every file' "$T/w.err" ||
    fail "watch did not start: $(cat "$T/w.err")"
sleep 0.5
mkdir "$S/sub" "$S/ok"
cp "$CARD/IMG_0002.JPG" "$S/sub/IMG_0001.JPG"
cp "$CARD/../101CANON/IMG_3578.HEIC" "$S/ok/IMG_3578.HEIC"
sleep 2		# the events are in, the files not settled yet
mv "$S/sub" "$T/sub.aside"
ln -s "$P" "$S/sub"
wait_until 20 test ! -e "$S/ok/IMG_3578.HEIC" ||
    fail "the file beside it was not moved: $(cat "$T/w.err")"
sleep 1
stop
wpid=
cat "$T/w.err"
(cd "$P" && sha256sum -c --quiet "$T/private.sums") ||
    fail "a private file was changed or deleted through the link"
for f in "$P/IMG_0001.JPG" "$P/IMG_0002.JPG"; do
	[ "$(lib_count "$f")" = 0 ] || fail "private ${f#"$T"/} reached the library"
	[ "$(cat_count "$f")" = 0 ] || fail "private ${f#"$T"/} was catalogued"
done
grep -q "drop: folder sub is a symbolic link; not followed" "$T/w.err" ||
    fail "the link is not named: $(cat "$T/w.err")"
[ "$(lib_count "$CARD/../101CANON/IMG_3578.HEIC")" = 1 ] ||
    fail "the file beside it was not filed"

# A watched folder renamed to a dot-name (not followed; its watch ends
# since t0926, and before kept the old path) and a link put at its old
# name: a folder made in the renamed one was named by the stale path,
# which led through the link.
# Nothing outside the DIR is watched or listed (max_user_watches spent on
# / through a link to it).
rm -rf "$S" "$T/private2"
mkdir -p "$S/sub" "$T/private2/deep/deeper"
cp "$CARD/IMG_0001.JPG" "$T/private2/deep/P1.JPG"
"$SHOEBOX" -c "$CFG" -v watch --settle 1s "$S" >"$T/w.out" 2>"$T/w.err" &
wpid=$!
wait_until 10 grep -q 'start: looking at every file' "$T/w.err" ||
    fail "watch did not start: $(cat "$T/w.err")"
sleep 0.5
mv "$S/sub" "$S/.gone"
ln -s "$T/private2" "$S/sub"
mkdir "$S/.gone/deep"
sleep 2
fdn=$(ls -l "/proc/$wpid/fd" | awk '/inotify/ {print $9; exit}')
grep '^inotify' "/proc/$wpid/fdinfo/$fdn" >"$T/watches"
stop
wpid=
cat "$T/w.err" "$T/watches"
for d in "$T/private2/deep" "$T/private2/deep/deeper"; do
	ino=$(printf '%x' "$(stat -c %i "$d")")
	! grep -q " ino:$ino " "$T/watches" ||
	    fail "${d#"$T"/}, outside the DIR, watched through the link"
done
[ "$(lib_count "$T/private2/deep/P1.JPG")" = 0 ] || fail "a private file was filed"
exit 0
