#!/bin/sh
# sync claims its jobs one at a time and the dir remote copies through a
# fixed buffer: its peak memory does not grow with the number of files
# (issue 12). Libraries of 2,000 and 20,000 small unique JPEGs are synced
# to a dir remote; the peak RSS at 20,000 stays within a small margin of
# the same at 2,000 (sync's page cache is capped at 512 KiB), and every
# file arrives. RSS is measured with the normal build (ASan keeps freed
# memory in quarantine); the ASan pass syncs the small library only.
. "$TOP/tests/lib/common.sh"
[ -x /usr/bin/time ] || { echo "skipped: /usr/bin/time not installed"; exit 77; }
command -v python3 >/dev/null || { echo "skipped: no python3"; exit 77; }
margin=1024	# kB (sqlite's default 2 MB page cache: +1.3 MB)

# jpegs DIR N: N unique small JPEGs in folders of 500.
jpegs() {
	python3 - "$1" "$2" "$FIX/exiv2-empty.jpg" <<'EOF'
import os, sys
d, n, jpg = sys.argv[1], int(sys.argv[2]), open(sys.argv[3], 'rb').read()
for i in range(n):
    sub = os.path.join(d, 'folder%03d' % (i // 500))
    if i % 500 == 0:
        os.makedirs(sub)
    open(os.path.join(sub, 'IMG_%06d.JPG' % i), 'wb').write(jpg + b'%08d' % i)
EOF
}

# measure BIN N: import N files, sync them to a dir remote; sync's peak
# RSS (kB) in $T/rss.N.
measure() {
	_bin=$1 _n=$2 _w=$T/w$2
	mkdir -p "$_w/disk"
	printf 'settle = 0\n[remote usb]\ntype = dir\npath = %s\n' \
	    "$_w/disk" >"$_w/config"
	jpegs "$_w/src" "$_n"
	"$_bin" -c "$_w/config" -L "$_w/lib" -q import --no-progress \
	    "$_w/src" || fail "import $_n"
	rss_run "sync $_n" 0 "$_bin" -c "$_w/config" -L "$_w/lib" sync \
	    --no-progress
	grep -q "^remote usb: $_n files: $_n uploaded" "$T/out" ||
	    fail "sync $_n: $(cat "$T/out")"
	got=$(find "$_w/disk" -type f -name '*.JPG' | wc -l)
	[ "$got" -eq "$_n" ] || fail "sync $_n: $got files on the remote"
	echo "$rss" >"$T/rss.$_n"
	rm -rf "$_w"
}

rss_flat "sync to dir"
exit 0
