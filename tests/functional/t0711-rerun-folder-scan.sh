#!/bin/sh
# A re-run reads each folder's sources from the catalogue in one scan, in
# name order, merged with the folder's files as the walk hands them over
# (catalog_seen_folder), instead of two index lookups a file. It must decide
# what those lookups decide, file by file: a file replaced by another of the
# same name, size and mtime on a new inode is read again; one grown is read
# again; a name that several runs recorded (a file changed between them)
# matches the row of what is there now; a second name of a recorded inode
# (a hard link) is found by its inode; a sidecar that sorts before its main
# file (GoPro's GL/GX) and a folder whose files come in two turns (a
# subfolder sorts between them) are answered too; a file not media stays
# skipped; new files, deleted files and a file swapped for a symbolic link
# change nothing else; and a source row another process deleted, before
# the run or between two turns of its folder, is not trusted.
. "$TOP/tests/functional/safety-lib.sh"

D=$T/card/DCIM/100CANON
dated_jpegs "$D" 40
mkdir "$D/IMG_0020"		# sorts after IMG_0020.JPG: two turns
cp "$CARD/IMG_0001.JPG" "$D/IMG_0020/IMG_0001.JPG"
printf 'xmp\n' >"$D/IMG_0003.XMP"
cp "$CARD/MVI_0005.MOV" "$D/GX010001.MOV"
printf 'lrv\n' >"$D/GL010001.LRV"	# a sidecar before its main
printf 'notes\n' >"$D/notes.txt"
ln "$D/IMG_0008.JPG" "$D/HARD_0008.JPG"
set_mtimes "$T/card"

# variant N SRC DEST: SRC with other bytes in its image data (same size,
# same EXIF date), written as a new file (a new inode) over DEST, with the
# card's mtime.
variant() {
	cp "$2" "$T/v.tmp"
	printf 'variant %s' "$1" | dd of="$T/v.tmp" bs=1 seek=6000 \
	    conv=notrunc 2>/dev/null
	touch -d '2001-02-03 04:05:06 UTC' "$T/v.tmp"
	mv "$T/v.tmp" "$3"
}

# status NAME: NAME's status in the last --json run.
status() {
	grep -F "/100CANON/$1\"" "$T/out" | grep -o '"status":"[a-z_]*"' | cut -d'"' -f4
}

# expect STATUS NAME...: each NAME has STATUS in the last --json run.
expect() {
	_want=$1
	shift
	for _n in "$@"; do
		_got=$(status "$_n")
		[ "$_got" = "$_want" ] || { cat "$T/err" >&2
		    fail "$_n: '$_got', expected '$_want'"; }
	done
}

csb import --no-progress "$T/card"
expect_rc 0
grep -q '^46 files seen: 42 imported, 0 duplicates, 2 sidecars, 1 already imported, 1 skipped, 0 failed' "$T/out" ||
    fail "first import: $(cat "$T/out" "$T/err")"

# IMG_0010.JPG changes: a second row under its name.
variant 10 "$D/IMG_0010.JPG" "$D/IMG_0010.JPG"
csb import --no-progress "$T/card"
expect_rc 0
grep -q ' 1 imported, 0 duplicates, 0 sidecars, 44 already' "$T/out" ||
    fail "second import: $(cat "$T/out" "$T/err")"
[ "$(q "SELECT count(*) FROM sources WHERE path LIKE '%/IMG_0010.JPG'")" = 2 ] ||
    fail "IMG_0010.JPG: not two rows"

# Between runs.
variant 5 "$D/IMG_0005.JPG" "$D/IMG_0005.JPG"
cp "$D/IMG_0005.JPG" "$T/v5"
printf 'grown' >>"$D/IMG_0006.JPG"
touch -d '2001-02-03 04:05:06 UTC' "$D/IMG_0006.JPG"
cp "$D/IMG_0006.JPG" "$T/v6"
rm "$D/IMG_0030.JPG" "$D/IMG_0011.JPG"
ln -s IMG_0012.JPG "$D/IMG_0011.JPG"
variant 100 "$D/IMG_0001.JPG" "$D/AAA_0001.JPG"
variant 41 "$D/IMG_0002.JPG" "$D/IMG_0041.JPG"
q "DELETE FROM sources WHERE path LIKE '%/100CANON/IMG_0021.JPG'"

csb import --json --no-progress "$T/card"
expect_rc 0
expect already IMG_0001.JPG IMG_0003.JPG IMG_0003.XMP IMG_0008.JPG \
    HARD_0008.JPG IMG_0010.JPG IMG_0012.JPG IMG_0020.JPG IMG_0020/IMG_0001.JPG \
    IMG_0022.JPG IMG_0040.JPG GX010001.MOV GL010001.LRV
expect imported IMG_0005.JPG IMG_0006.JPG AAA_0001.JPG IMG_0041.JPG
expect duplicate IMG_0021.JPG
expect skipped notes.txt
[ -z "$(status IMG_0011.JPG)" ] || fail "a symbolic link was taken"
grep -q '"seen":47,"imported":4,"duplicate":1,"sidecar":0,"already":40,"skipped":2,' "$T/out" ||
    fail "third import: $(tail -n 1 "$T/out")"
[ "$(lib_count "$T/v5")" = 1 ] || fail "the replaced IMG_0005.JPG was not filed"
[ "$(lib_count "$T/v6")" = 1 ] || fail "the grown IMG_0006.JPG was not filed"
grep -F '/100CANON/IMG_0010.JPG"' "$T/out" | grep -q '"dest":"[^"]*IMG_0010-1.JPG"' ||
    fail "IMG_0010.JPG: not matched to its second row"

# Another process deletes IMG_0022.JPG's row between the folder's two
# turns (as the walk enters IMG_0020/): the second turn must not answer
# from what the first read.
SB_HOOK_ON=open:IMG_0020 SB_HOOK_CMD="sqlite3 '$LIB/.shoebox/catalog.db' \
    \"DELETE FROM sources WHERE path LIKE '%/100CANON/IMG_0022.JPG'\"" \
    hsb import --json --no-progress "$T/card"
hook_fired
expect_rc 0
expect duplicate IMG_0022.JPG
expect already IMG_0020.JPG IMG_0021.JPG IMG_0023.JPG
grep -q '"seen":47,"imported":0,"duplicate":1,"sidecar":0,"already":44,' "$T/out" ||
    fail "fourth import: $(tail -n 1 "$T/out")"

# And once more: nothing left to do.
csb import --no-progress "$T/card"
expect_rc 0
grep -q '^47 files seen: 0 imported, 0 duplicates, 0 sidecars, 45 already imported, 2 skipped, 0 failed' "$T/out" ||
    fail "last import: $(cat "$T/out" "$T/err")"
exit 0
