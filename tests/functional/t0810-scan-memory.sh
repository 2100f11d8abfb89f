#!/bin/sh
# Import, adopt and verify walk a tree a directory at a time: their peak
# memory does not grow with the number of files (issue 12). Trees of 2,000
# and 20,000 files (folders of 100: a few unique small JPEGs, a few XMP
# sidecars, and files that are not media, quick to tell, with long names,
# so that a walk holding every path would show) are imported (a first run, then a re-run), adopted in place in a
# second library, and verified there; the peak RSS of each at 20,000 files
# stays within a small margin of the same at 2,000 (the catalogue's page
# cache, at most 2 MB, grows with the catalogue). Every file is accounted
# for in each summary. RSS is measured with the normal build (ASan keeps
# freed memory in quarantine); the ASan pass runs the small tree only.
. "$TOP/tests/lib/common.sh"
[ -x /usr/bin/time ] || { echo "skipped: /usr/bin/time not installed"; exit 77; }
command -v python3 >/dev/null || { echo "skipped: no python3"; exit 77; }
margin=3072	# kB

# tree DIR N: N files in folders of 100: two unique small JPEGs in each,
# an XMP sidecar beside the first in every 20th folder, the rest not media.
# Prints how many imported, sidecars and skipped an import should count.
tree() {
	python3 - "$1" "$2" "$FIX/exiv2-empty.jpg" <<'EOF'
import os, sys
d, n, jpg = sys.argv[1], int(sys.argv[2]), open(sys.argv[3], 'rb').read()
gz = bytes([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3])
count = [0, 0, 0]
for i in range(n):
    sub = os.path.join(d, 'folder%04d' % (i // 100))
    k = i % 100
    if k == 0:
        os.makedirs(sub)
    if k < 2:
        name, data, c = 'IMG_%06d.JPG' % i, jpg + b'%08d' % i, 0
    elif k == 2 and (i // 100) % 20 == 0:
        name, data, c = 'IMG_%06d.xmp' % (i - 2), b'<x n="%d"/>' % i, 1
    else:
        name, data, c = 'data-%s-%06d.gz' % ('x' * 180, i), gz, 2
    open(os.path.join(sub, name), 'wb').write(data)
    count[c] += 1
print(*count)
EOF
}

# seen N: the last summary accounts for N files.
seen() {
	grep -q "^$1 files seen: " "$T/out" || fail "summary does not account for $1 files: $(cat "$T/out")"
}

# measure BIN N: import (twice), adopt, verify of a tree of N files; the
# peak RSS of each in $T/rss.N (one line each).
measure() {
	_bin=$1 _n=$2 _w=$T/w$2
	tree "$_w/src" "$_n" >"$T/counts"
	read -r imp side skip <"$T/counts"
	mkdir -p "$_w/lib2"
	cp -R "$_w/src" "$_w/lib2/tree"
	rss_run "import $_n" 0 "$_bin" -L "$_w/lib" import --no-progress "$_w/src"
	seen "$_n"
	grep -q " $imp imported, 0 duplicates, $side sidecars, 0 already imported, $skip skipped, 0 failed" "$T/out" ||
	    fail "import $_n: $(cat "$T/out")"
	echo "$rss" >"$T/rss.$_n"
	rss_run "re-import $_n" 0 "$_bin" -L "$_w/lib" import --no-progress "$_w/src"
	seen "$_n"
	echo "$rss" >>"$T/rss.$_n"
	rss_run "adopt $_n" 0 "$_bin" -L "$_w/lib2" adopt --no-progress
	seen "$_n"
	grep -q " $imp adopted, 0 duplicates, $side sidecars, 0 already catalogued, $skip skipped, 0 failed" "$T/out" ||
	    fail "adopt $_n: $(cat "$T/out")"
	echo "$rss" >>"$T/rss.$_n"
	rss_run "verify $_n" 1 "$_bin" -L "$_w/lib2" verify --no-progress
	# the files not media: in the library, but not catalogued
	grep -q "^$((imp + side)) files verified: $((imp + side)) intact, .*; $skip untracked" "$T/out" ||
	    fail "verify $_n: $(tail -n 1 "$T/out")"
	echo "$rss" >>"$T/rss.$_n"
	rm -rf "$_w"
}

rss_flat import re-import adopt verify
exit 0
