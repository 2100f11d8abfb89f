#!/bin/sh
# A photo so deep in its source (36 folders of 233-byte names: an absolute
# path of more than 8 kB) that its path cannot be recorded whole: two such
# files cut short to the same recorded source would be taken for one. The
# import says so for each (its path, its middle left out to fit the
# message, its own name kept, and the reason), leaves them (and with --move keeps
# them), files the photo beside the deep folders, and exits 1; a re-run
# says the same again instead of taking either for imported.
. "$TOP/tests/lib/common.sh"
command -v python3 >/dev/null || { echo "skipped: no python3"; exit 77; }

mkdir -p "$T/card"
cp "$FIX/Reagan.jpg" "$T/card/IMG_0001.JPG"
python3 - "$T/card" "$FIX/exiv2-canon-eos-20d.jpg" "$FIX/exiv2-nikon-d70.jpg" <<'PY' ||
import os, sys
fd = os.open(sys.argv[1], os.O_RDONLY | os.O_DIRECTORY)
for i in range(36):
    name = ("%02d" % i) + "d" * 231
    os.mkdir(name, dir_fd=fd)
    nfd = os.open(name, os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
    os.close(fd)
    fd = nfd
for k, src in enumerate(sys.argv[2:]):
    name = ("IMG_%d" % k) + "x" * 190 + ".JPG"
    out = os.open(name, os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd)
    os.write(out, open(src, "rb").read())
    os.close(out)
PY
    fail "cannot build the deep folders"

for run in 1 2; do
	sb import --no-progress --move "$T/card"
	expect_rc 1
	[ "$(grep -c 'its path is too long to record (8191 bytes or more); left as it is' "$T/err")" = 2 ] ||
	    fail "run $run: not said for both: $(cat "$T/err")"
	for k in 0 1; do
		grep -q "^shoebox: $T/card/00d*/01d.*\.\.\..*/35d*/IMG_${k}x*\.JPG: its path is too long" "$T/err" ||
		    fail "run $run: IMG_$k not named: $(cut -c1-200 "$T/err")"
	done
	want='^3 files seen: 1 imported, .*, 2 failed$'
	[ $run = 1 ] || want='^2 files seen: 0 imported, .*, 2 failed$'
	grep -q "$want" "$T/out" || fail "run $run: summary: $(cat "$T/out")"
	[ "$(find "$T/card" -name 'IMG_*x.JPG' | wc -l)" = 2 ] ||
	    fail "run $run: --move took a file it did not import"
done
[ "$(q 'SELECT count(*) FROM files')" = 1 ] || fail "catalogue: $(q 'SELECT path FROM files')"
[ "$(q "SELECT count(*) FROM sources WHERE length(path) > 4096")" = 0 ] ||
    fail "a deep source was recorded"
[ ! -e "$T/card/IMG_0001.JPG" ] || fail "the photo beside was not moved"
echo "ok"
