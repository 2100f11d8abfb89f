#!/bin/sh
# A folder is read in slices of names (scan.c, SCAN_SLICE names at a time,
# SHOEBOX_SCAN_SLICE here), so that a flat folder of very many files (a
# phone app's uploads) is not held whole. Read in slices of 7, a folder of
# 300 photos with XMP sidecars of both kinds, notes, subfolders between
# them and names that sort around them gives the same import as read
# whole: the same files in the same order, the same outcomes and places,
# the same catalogue (sidecars with their main files; a note IMG_0091.txt
# beside IMG_0091.JPG does not take its XMP); its re-run reads nothing;
# verify and adopt in slices agree; Sony's clips keep their XML files at
# every slice size. Then memory: the peak RSS of
# an import and its re-run of a flat folder of 20,000 files stays within a
# small margin of the same at 2,000 (slices of 1,000).
. "$TOP/tests/lib/common.sh"
[ -x /usr/bin/time ] || { echo "skipped: /usr/bin/time not installed"; exit 77; }
command -v python3 >/dev/null || { echo "skipped: no python3"; exit 77; }
command -v sqlite3 >/dev/null || { echo "skipped: no sqlite3"; exit 77; }
margin=3072	# kB

python3 - "$T/src" "$FIX/exiv2-empty.jpg" <<'EOF'
import os, sys
d, jpg = sys.argv[1], open(sys.argv[2], 'rb').read()
os.makedirs(d)
for i in range(300):
    stem = os.path.join(d, 'IMG_%04d' % i)
    open(stem + '.JPG', 'wb').write(jpg + b'%08d' % i)
    if i % 7 == 0:
        open(stem + '.XMP', 'wb').write(b'<x n="%d"/>' % i)
    if i % 11 == 0:
        open(stem + '.JPG.xmp', 'wb').write(b'<y n="%d"/>' % i)
    if i % 13 == 0:
        open(stem + '.txt', 'wb').write(b'a note')
    if i % 29 == 0:
        os.makedirs(stem)
        open(os.path.join(stem, 'A.JPG'), 'wb').write(jpg + b'sub%08d' % i)
open(os.path.join(d, 'IMG_0005-1.JPG'), 'wb').write(jpg + b'dash')
EOF
set_mtimes "$T/src"

# rows FILE: a JSON line's path, status and dest; the summary's counts.
rows() {
	python3 - "$1" <<'EOF'
import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    if 'summary' in r:
        s = r['summary']
        print('summary', *(s[k] for k in ('seen', 'imported', 'duplicate',
              'sidecar', 'already', 'skipped', 'failed')))
    else:
        print(r.get('path'), r.get('status'), r.get('dest'))
EOF
}
catalogue() {
	sqlite3 "$1/.shoebox/catalog.db" "SELECT f.path, lower(hex(f.sha256)),
	    coalesce(m.path, '') FROM files f LEFT JOIN files m ON m.id = f.main_id
	    ORDER BY f.path"
}

SHOEBOX_SCAN_SLICE=7 sb -L "$T/libA" import --no-progress --json "$T/src"
expect_rc 0
rows "$T/out" >"$T/sliced"
sb -L "$T/libB" import --no-progress --json "$T/src"
expect_rc 0
rows "$T/out" >"$T/whole"
check "slices of 7: the import as read whole" diff -u "$T/whole" "$T/sliced"
grep -q '^summary 407 312 0 71 0 24 0$' "$T/whole" || fail "not every file as expected: $(tail -n 1 "$T/whole")"
catalogue "$T/libA" >"$T/catA"
catalogue "$T/libB" >"$T/catB"
check "slices of 7: the same catalogue" diff -u "$T/catB" "$T/catA"

SHOEBOX_SCAN_SLICE=7 sb -L "$T/libA" import --no-progress "$T/src"
expect_rc 0
grep -q '^407 files seen: 0 imported, 0 duplicates, 0 sidecars, 383 already imported, 24 skipped, 0 failed' "$T/out" ||
    fail "re-run in slices: $(cat "$T/out")"
SHOEBOX_SCAN_SLICE=5 sb -L "$T/libA" verify --no-progress
expect_rc 0
grep -q '^383 files verified: 383 intact, 0 changed, 0 missing, 0 unreadable; 0 untracked' "$T/out" ||
    fail "verify in slices: $(tail -n 1 "$T/out")"
cp -R "$T/libB" "$T/libC"
rm -rf "$T/libC/.shoebox"
# (the library's day folders are 3 deep: slices of 28 / 4 there)
SHOEBOX_SCAN_SLICE=28 sb -L "$T/libC" adopt --no-progress
expect_rc 0
catalogue "$T/libC" >"$T/catC"
check "adopt in slices of 7: the same catalogue" diff -u "$T/catB" "$T/catC"

# Sony's clips (C0001.MP4 and C0001M01.XML, whose names share no base up
# to a '.') in slices of every size from 2 to 9 (the CLIP folder is 3
# deep): each XML stays with its clip, never cut off into the next slice.
c=$T/sony/PRIVATE/M4ROOT/CLIP
mkdir -p "$c"
i=1
while [ $i -le 20 ]; do
	n=$(printf 'C%04d' $i)
	cp "$FIX/mp4_utc_2021-07-04T183015Z.mp4" "$c/$n.MP4"
	printf 'clip %d' $i >>"$c/$n.MP4"
	printf '<?xml version="1.0"?><NonRealTimeMeta/>' >"$c/${n}M01.XML"
	i=$((i + 1))
done
set_mtimes "$T/sony"
for k in 8 12 16 20 24 28 32 36; do
	rm -rf "$T/libS"
	SHOEBOX_SCAN_SLICE=$k sb -L "$T/libS" import --no-progress "$T/sony"
	expect_rc 0
	grep -q '^40 files seen: 20 imported, 0 duplicates, 20 sidecars, 0 already imported, 0 skipped, 0 failed' "$T/out" ||
	    fail "Sony clips in slices of $((k / 4)): $(cat "$T/out")"
done

# measure BIN N: a first import of a flat folder of N photos, and its
# re-run, in slices of 1,000: their peak RSS in $T/rss.N.
measure() {
	_w=$T/flat$2
	python3 - "$_w/src" "$2" "$FIX/exiv2-empty.jpg" <<'EOF'
import os, sys
d, n, jpg = sys.argv[1], int(sys.argv[2]), open(sys.argv[3], 'rb').read()
os.makedirs(d)
for i in range(n):
    open(os.path.join(d, 'IMG_%06d.JPG' % i), 'wb').write(jpg + b'%08d' % i)
EOF
	SHOEBOX_SCAN_SLICE=1000 rss_run "import $2" 0 "$1" -L "$_w/lib" import --no-progress "$_w/src"
	grep -q "^$2 files seen: $2 imported" "$T/out" || fail "import $2: $(cat "$T/out")"
	echo "$rss" >"$T/rss.$2"
	SHOEBOX_SCAN_SLICE=1000 rss_run "re-import $2" 0 "$1" -L "$_w/lib" import --no-progress "$_w/src"
	grep -q "^$2 files seen: 0 imported, 0 duplicates, 0 sidecars, $2 already" "$T/out" ||
	    fail "re-import $2: $(cat "$T/out")"
	echo "$rss" >>"$T/rss.$2"
	rm -rf "$_w"
}
rss_flat "flat folder, import" "flat folder, re-import"
exit 0
