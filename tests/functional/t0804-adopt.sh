#!/bin/sh
# shoebox adopt catalogues a tree already in the library where it lies: a
# tree laid out YYYY/mm/dd by hand (as ExifTool's recipe `exiftool
# '-Directory<DateTimeOriginal' -d %Y/%m/%d` would), with a sidecar, a
# duplicate, a non-media file, a dot-file and a link. Every file keeps its
# bytes, name and mtime; each gets a files row at its own path (sidecars
# attached to their main), a sources row and an upload job; the duplicate
# is catalogued and reported; a second adopt reads nothing. A tree outside
# the library, or the catalogue's own folder, is refused.
. "$TOP/tests/lib/common.sh"

s=$TOP/tests/sample-card/DCIM
mkdir -p "$LIB/2003/09/25" "$LIB/2004/06/21" "$LIB/2006/08/02" \
    "$LIB/2019/12/31" "$LIB/2021/05/12" "$LIB/2020/04/17" "$LIB/scans/old"
cp -p "$s/100CANON/IMG_0004.JPG" "$LIB/2003/09/25/"
cp -p "$s/100CANON/IMG_0002.JPG" "$LIB/2004/06/21/"
cp -p "$s/100CANON/IMG_0001.JPG" "$LIB/2006/08/02/"
cp -p "$s/100CANON/MVI_0005.MOV" "$LIB/2019/12/31/"
cp -p "$s/100CANON/IMG_0003.CR3" "$s/100CANON/IMG_0003.xmp" "$LIB/2021/05/12/"
cp -p "$s/101CANON/IMG_3578.HEIC" "$LIB/2020/04/17/"
cp -p "$s/101CANON/IMG_0002 copy.JPG" "$LIB/scans/old/"	# same bytes as IMG_0002
echo "what the folders are" >"$LIB/scans/README.txt"
: >"$LIB/2004/06/21/.DS_Store"
ln -s ../../2004/06/21/IMG_0002.JPG "$LIB/scans/old/link.jpg"
find "$LIB" -type f -exec touch -d '2010-10-10 10:10:10.123456789 UTC' {} +
cat >>"$T/config" <<EOF
[remote usb]
type = dir
path = $T/usb
EOF

# What adopt must leave exactly as it is.
state() {
	(cd "$LIB" && find . -path ./.shoebox -prune -o -path . -o \
	    -printf '%p %y %s %T@ %l\n' | LC_ALL=C sort &&
	    find . -path ./.shoebox -prune -o -type f -print | LC_ALL=C sort |
	    xargs -d '\n' sha256sum)
}
state >"$T/before"

sb adopt --no-progress
expect_rc 0
state | diff -u "$T/before" - || fail "adopt changed the tree"
grep -q '^10 files seen: 6 adopted, 1 duplicates, 1 sidecars, 0 already catalogued, 2 skipped, 0 failed$' "$T/out" ||
    fail "summary: $(cat "$T/out")"
grep -q '^duplicate scans/old/IMG_0002 copy.JPG: same content as 2004/06/21/IMG_0002.JPG$' "$T/out" ||
    fail "duplicate not reported: $(cat "$T/out")"

# The catalogue: every media file at its own path, dated by its content.
cat >"$T/expected" <<EOF
2003/09/25/IMG_0004.JPG|image|2003-09-25|
2004/06/21/IMG_0002.JPG|image|2004-06-21|
2006/08/02/IMG_0001.JPG|image|2006-08-02|
2019/12/31/MVI_0005.MOV|video|2019-12-31|
2020/04/17/IMG_3578.HEIC|image|2020-04-17|
2021/05/12/IMG_0003.CR3|raw|2021-05-12|
2021/05/12/IMG_0003.xmp|sidecar|2021-05-12|2021/05/12/IMG_0003.CR3
scans/old/IMG_0002 copy.JPG|image|2004-06-21|
EOF
q "SELECT path, kind, substr(taken, 1, 10), coalesce(sidecar_of, '') FROM catalog ORDER BY path" |
    diff -u "$T/expected" - || fail "catalogue"
[ "$(q "SELECT count(*) FROM files f JOIN files d ON d.sha256 = f.sha256 AND d.id != f.id")" = 2 ] ||
    fail "the duplicate's content"
[ "$(q "SELECT count(*) FROM files WHERE mtime_ns = 1286705410123456789")" = 8 ] ||
    fail "mtimes: $(q 'SELECT path, mtime_ns FROM files')"
L=$(cd "$LIB" && pwd -P)
[ "$(q "SELECT count(*) FROM catalog WHERE source = '$L/' || path")" = 8 ] ||
    fail "sources: $(q 'SELECT path, status FROM sources')"
[ "$(q "SELECT count(*) FROM upload_jobs WHERE remote_id = (SELECT id FROM remotes WHERE name = 'usb') AND status = 'pending'")" = 8 ] ||
    fail "not queued for the remote"
sha=$(sha256sum <"$LIB/2021/05/12/IMG_0003.CR3" | cut -d' ' -f1)
[ "$(q "SELECT lower(hex(sha256)) FROM files WHERE path = '2021/05/12/IMG_0003.CR3'")" = "$sha" ] ||
    fail "wrong SHA-256"
# verify agrees, but for the text file adopt skipped (not media).
sb verify
expect_rc 1
grep '^[a-z]' "$T/out" | grep -v 'files verified' >"$T/got" || true
diff -u - "$T/got" <<EOF || fail "verify after adopt"
untracked  scans/README.txt
EOF

# A second adopt reads nothing: every file already catalogued or skipped.
sb adopt --no-progress
expect_rc 0
grep -q '^10 files seen: 0 adopted, 0 duplicates, 0 sidecars, 8 already catalogued, 2 skipped, 0 failed$' "$T/out" ||
    fail "second run: $(cat "$T/out")"
grep -q '^0 B read' "$T/out" || fail "second run read files: $(cat "$T/out")"
if command -v strace >/dev/null 2>&1; then
	# Files are opened by name from their folder's descriptor (source.c);
	# the library's lock is opened so too, from .shoebox's (lock.c).
	strace -f -e trace=open,openat -o "$T/trace" "$SHOEBOX" adopt \
	    --no-progress >/dev/null 2>&1
	grep -E 'openat\([0-9]+, "' "$T/trace" | grep -v O_DIRECTORY |
	    grep -v '"lock", O_RDWR|O_CREAT' | grep . &&
	    fail "second run opened files"
fi
state | diff -u "$T/before" - || fail "second adopt changed the tree"

# Resumable: as if stopped after the first folders, the rest is adopted.
q "DELETE FROM upload_jobs WHERE file_id IN (SELECT id FROM files WHERE path LIKE '2021/%');
   DELETE FROM sources WHERE file_id IN (SELECT id FROM files WHERE path LIKE '2021/%');
   DELETE FROM files WHERE path = '2021/05/12/IMG_0003.xmp';
   DELETE FROM files WHERE path = '2021/05/12/IMG_0003.CR3'"
sb adopt --no-progress --json
expect_rc 0
grep -q '"adopted":1,"duplicate":0,"sidecar":1,"already":6,"skipped":2,"waiting":0,"failed":0' "$T/out" ||
    fail "resumed run: $(tail -n 1 "$T/out")"
[ "$(q "SELECT sidecar_of FROM catalog WHERE path = '2021/05/12/IMG_0003.xmp'")" = 2021/05/12/IMG_0003.CR3 ] ||
    fail "resumed sidecar not attached"

# A folder of the library, later: only what is in it.
mkdir -p "$LIB/2004/03/30"
cp -p "$TOP/tests/sample-card/.Trashes/501/deleted.jpg" "$LIB/2004/03/30/DSC_0100.JPG"
sb adopt --no-progress "$LIB/2004"
expect_rc 0
grep -q '^2 files seen: 1 adopted, 0 duplicates, 0 sidecars, 1 already catalogued, 0 skipped, 0 failed$' "$T/out" ||
    fail "sub-folder: $(cat "$T/out")"
[ "$(q "SELECT model FROM catalog WHERE path = '2004/03/30/DSC_0100.JPG'")" = "NIKON D70" ] ||
    fail "sub-folder file not catalogued at its path"

# A catalogued file whose content changed is left for verify to report.
printf 'X' | dd of="$LIB/2003/09/25/IMG_0004.JPG" bs=1 seek=5000 conv=notrunc 2>/dev/null
sb adopt --no-progress "$LIB/2003"
expect_rc 1
grep -q '2003/09/25/IMG_0004.JPG: catalogued already, with other content' "$T/err" ||
    fail "changed file: $(cat "$T/err")"
grep -q ', 1 failed$' "$T/out" || fail "changed file not counted failed"

# Not the library, or the catalogue's folder: refused, nothing written.
mkdir -p "$T/elsewhere"
cp -p "$s/100CANON/IMG_0004.JPG" "$T/elsewhere/"
n=$(q "SELECT count(*) FROM files")
sb adopt "$T/elsewhere"
expect_rc 2
grep -q 'not inside the library' "$T/err" || fail "outside: $(cat "$T/err")"
sb adopt "$LIB/.shoebox"
expect_rc 2
sb adopt "$LIB/2003" "$LIB/2004"
expect_rc 2
[ "$(q "SELECT count(*) FROM files")" = "$n" ] || fail "a refused adopt catalogued files"

# A file with a damaged header, filed by import with a warning (exit 0):
# adopt takes it with the same warning and exits 0 too.
rm -rf "$LIB" "$T/cut"
mkdir -p "$T/cut"
head -c 3000 "$TOP/tests/fixtures/Reagan.jpg" >"$T/cut/cut.jpg"
sb import --no-progress "$T/cut"
expect_rc 0
rm "$LIB/.shoebox/catalog.db"
sb adopt --no-progress
cat "$T/out" "$T/err"
expect_rc 0
grep -q 'cut.jpg: JPEG APP1 segment truncated' "$T/err" || fail "adopt: the warning"
grep -q 'with warnings' "$T/out" || fail "adopt: 'with warnings'"
exit 0
