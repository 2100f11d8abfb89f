#!/bin/sh
# Nothing inside a library's .shoebox is reached through a symbolic link:
# its owner could point the lock, the catalogue (or sqlite's -wal, -shm,
# -journal beside it), .shoebox itself or its
# tmp folder or a year's folder anywhere, and a shoebox run by root (by
# hand, on a user's library) would truncate and write the file there,
# migrate another program's database, or file copies there; so could a
# link on a dir remote's disk for sync. Each is refused, naming it; what
# it points to is untouched. A library reached through a link (the -L
# path) is fine.
. "$TOP/tests/lib/common.sh"

CARD=$TOP/tests/sample-card/DCIM/100CANON
S=$T/src
mkdir -p "$S"
cp "$CARD/IMG_0001.JPG" "$S/"
printf 'precious\n' >"$T/victim"
sqlite3 "$T/other.db" "CREATE TABLE t(x); INSERT INTO t VALUES (1);" 2>/dev/null ||
    { echo "skipped: no sqlite3"; exit 77; }
cp "$T/other.db" "$T/other.db.orig"

fresh() {
	rm -rf "$LIB"
	sb import --no-progress "$TOP/tests/sample-card/DCIM/100CANON"
	expect_rc 0
}
untouched() {
	same_text "$1: the file a link pointed to changed" "$T/victim" precious
	cmp -s "$T/other.db" "$T/other.db.orig" || fail "$1: another database was written"
}
refused() {
	cat "$T/err"
	expect_rc 2
	grep -q "$2" "$T/err" || fail "$1: the link is not named"
	grep -q 'refusing to use it' "$T/err" || fail "$1: not refused"
	untouched "$1"
}

fresh
rm "$LIB/.shoebox/lock"
ln -s "$T/victim" "$LIB/.shoebox/lock"
sb import --no-progress "$S"
refused "lock" '.shoebox/lock'

fresh
mkdir "$T/elsewhere"
mv "$LIB/.shoebox/catalog.db" "$T/elsewhere/"
mv "$LIB/.shoebox" "$T/real"
ln -s "$T/elsewhere" "$LIB/.shoebox"
ln -s "$T/victim" "$T/elsewhere/lock"
for cmd in import verify adopt status; do
	if [ $cmd = import ]; then sb import --no-progress "$S"; else sb $cmd; fi
	refused ".shoebox ($cmd)" '\.shoebox'
done
[ ! -e "$T/elsewhere/tmp" ] || fail "a tmp folder was made through the link"
rm -rf "$T/elsewhere" "$T/real"

fresh
rm "$LIB/.shoebox/catalog.db"
ln -s "$T/other.db" "$LIB/.shoebox/catalog.db"
for cmd in import verify find; do
	if [ $cmd = import ]; then sb import --no-progress "$S"; else sb $cmd; fi
	refused "catalog.db ($cmd)" 'catalog.db'
done

# sqlite's files beside the catalogue: the link is named, not a bare
# "unable to open database file".
for f in catalog.db-wal catalog.db-shm catalog.db-journal; do
	fresh
	ln -s "$T/victim" "$LIB/.shoebox/$f"
	for cmd in import status; do
		if [ $cmd = import ]; then sb import --no-progress "$S"; else sb $cmd; fi
		refused "$f ($cmd)" "\.shoebox/$f: is a symbolic link"
	done
done

fresh
rmdir "$LIB/.shoebox/tmp"
mkdir "$T/elsewhere"
ln -s "$T/elsewhere" "$LIB/.shoebox/tmp"
touch "$T/elsewhere/partial.keep"
sb import --no-progress "$S"
refused "tmp" '.shoebox/tmp'
[ -e "$T/elsewhere/partial.keep" ] || fail "a file was removed through the tmp link"

# A folder of the library swapped for a link to one elsewhere: nothing is
# filed through it; the file fails, naming it, and its source stays.
fresh
mkdir "$T/elsewhere"
mv "$LIB/2006" "$T/elsewhere/2006"
ln -s "$T/elsewhere/2006" "$LIB/2006"
before=$(find "$T/elsewhere" | sort)
rm -rf "$S" && mkdir -p "$S"
cp "$CARD/IMG_0001.JPG" "$S/new.jpg"
printf 'distinct' >>"$S/new.jpg"
sb import --move --no-progress "$S"
cat "$T/out" "$T/err"
expect_rc 1
grep -q 'library folder 2006 is a symbolic link; not followed' "$T/err" ||
    fail "the library folder link is not named"
[ -f "$S/new.jpg" ] || fail "the source of a file not filed was removed"
[ "$(find "$T/elsewhere" | sort)" = "$before" ] || fail "a copy was filed through the link"
rm -rf "$T/elsewhere"
# A file imported before from the same folder, into a folder now a link:
# the message names the link, not damage. So too for one of more than
# 64 MB (its library copy's size and mtime looked at, not its content),
# which was taken as intact through the link, and its source removed.
rm -rf "$S" "$LIB" && mkdir -p "$S" "$T/elsewhere"
cp "$CARD/IMG_0001.JPG" "$S/"
{ cat "$CARD/IMG_0001.JPG"; head -c 70000000 /dev/zero; } >"$S/BIG.JPG"
sb import --no-progress "$S"
expect_rc 0
mv "$LIB/2006" "$T/elsewhere/2006"
ln -s "$T/elsewhere/2006" "$LIB/2006"
sb import --move --no-progress "$S"
cat "$T/err"
expect_rc 1
grep -q 'IMG_0001.JPG: imported earlier as 2006/.*cannot be read (folder 2006 is a symbolic link; not followed); source kept' "$T/err" ||
    fail "imported earlier, folder a link: $(cat "$T/err")"
[ -f "$S/IMG_0001.JPG" ] || fail "a source whose copy is behind a link was removed"
grep -q 'BIG.JPG: imported earlier as 2006/.*cannot be read (folder 2006 is a symbolic link; not followed); source kept' "$T/err" ||
    fail "imported earlier, over 64 MB, folder a link: $(cat "$T/err")"
[ -f "$S/BIG.JPG" ] ||
    fail "a source over 64 MB whose copy is behind a link was removed"
rm -rf "$T/elsewhere"

# A dir remote's folder swapped for a link (a backup disk others can
# write to): sync sends nothing through it; that file fails, naming it,
# the others go up. Nor do sync and verify read a library file through a
# link.
fresh
mkdir -p "$T/usb/2006" "$T/elsewhere"
rmdir "$T/usb/2006"
ln -s "$T/elsewhere" "$T/usb/2006"
printf 'settle = 0\n[remote usb]\ntype = dir\npath = %s\n' "$T/usb" >"$T/r.conf"
sb -c "$T/r.conf" sync
cat "$T/out" "$T/err"
expect_rc 1
grep -q 'folder 2006 is a symbolic link; not followed' "$T/err" ||
    fail "sync: the remote folder link is not named"
[ -z "$(ls -A "$T/elsewhere")" ] || fail "sync wrote through a link on the remote: $(ls -A "$T/elsewhere")"
[ -n "$(find "$T/usb" -type f)" ] || fail "sync sent nothing else"
rm -rf "$T/elsewhere" "$T/usb"

# A library file, or a library folder, swapped for a link to a file only
# root may read: sync (run by root) reads nothing through it, so sends
# nothing of it away; those files fail, naming why.
fresh
printf 'secret of root\n' >"$T/secret"
f=$(libfiles | grep -m 1 '\.JPG$')
rm "$LIB/$f"
ln -s "$T/secret" "$LIB/$f"
d=$(dirname "$(libfiles | grep -v "^$(dirname "$f")/" | grep -m 1 '\.JPG$')")
mv "$LIB/$d" "$T/moved"
ln -s "$T/moved" "$LIB/$d"
mkdir -p "$T/usb"
sb -c "$T/r.conf" sync
cat "$T/out" "$T/err"
expect_rc 1
grep -q "$f: is a symbolic link; not followed" "$T/err" || fail "sync: the file link is not named"
grep -q "folder $d is a symbolic link; not followed" "$T/err" ||
    fail "sync: the library folder link is not named"
grep -rq 'secret of root' "$T/usb" && fail "sync sent a file through a link in the library"
[ -z "$(find "$T/usb" -path "*$d/*" -type f)" ] || fail "sync sent files through a folder link"
# verify reads nothing through them either: each is named, not intact.
sb verify
expect_rc 1
grep -q "^changed  *$f: no longer a regular file (a symbolic link)$" "$T/out" ||
    fail "verify: the file link: $(cat "$T/out")"
grep -q "^unreadable  *$d/.*: folder $d is a symbolic link; not followed$" "$T/out" ||
    fail "verify: the folder link: $(cat "$T/out")"
rm -rf "$T/usb" "$T/moved" "$T/secret"

# The library itself reached through a link: as usual.
fresh
ln -s "$LIB" "$T/via-link"
sb -L "$T/via-link" import --no-progress "$S"
expect_rc 0
sb -L "$T/via-link" verify
expect_rc 0
exit 0
