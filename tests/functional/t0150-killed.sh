#!/bin/sh
# An import killed with SIGKILL in the middle leaves no partial file in the
# library, and a re-run completes it without duplicating anything.
. "$TOP/tests/lib/common.sh"

mkdir -p "$T/card/DCIM/100CANON"
i=0
for f in "$CORPUS"/exiv2/exiv2-[cfgkops]*.jpg "$CORPUS"/exiv2/exiv2-bug[4-9]*.jpg; do
	i=$((i + 1))
	cp "$f" "$T/card/DCIM/100CANON/IMG_$(printf %04d $i).JPG"
done
# Big files take long enough to be killed in the middle of their copy.
for n in 1 2 3; do
	head -c 150000000 /dev/urandom >"$T/card/DCIM/100CANON/MVI_000$n.MOV.tmp"
	cat "$CORPUS/video/mov_utc_2019-12-31T235958Z.mov" "$T/card/DCIM/100CANON/MVI_000$n.MOV.tmp" \
	    >"$T/card/DCIM/100CANON/MVI_000$n.MOV"
	rm "$T/card/DCIM/100CANON/MVI_000$n.MOV.tmp"
done
set_mtimes "$T/card"

"$SHOEBOX" import --no-progress "$T/card" >"$T/out1" 2>&1 &
pid=$!
# Wait until some files are in, then kill it without warning.
n=0
while [ $n -lt 200 ]; do
	[ -d "$LIB" ] && [ "$(libfiles | wc -l)" -ge 3 ] && break
	sleep 0.05
	n=$((n + 1))
done
sleep 0.3
kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
echo "killed after $(libfiles | wc -l) files"

# Whatever is in the library now is whole: it equals some source file.
(cd "$T/card/DCIM/100CANON" && sha256sum * | cut -d' ' -f1 | sort) >"$T/srcsums"
libfiles | while read -r p; do
	s=$(sha256sum "$LIB/$p" | cut -d' ' -f1)
	grep -qx "$s" "$T/srcsums" || fail "partial file in library: $p"
done || exit 1

sb import --no-progress "$T/card"
expect_rc 0
cat "$T/out"
# Every source is now in the library exactly once.
libfiles | while read -r p; do sha256sum "$LIB/$p" | cut -d' ' -f1; done | sort >"$T/libsums"
sort -u "$T/srcsums" | diff - "$T/libsums" || fail "library is not exactly the card's content once"
[ -z "$(ls -A "$LIB/.shoebox/tmp")" ] || fail "partial files left in .shoebox/tmp"
[ "$(q 'SELECT count(*) FROM files')" = "$(wc -l <"$T/libsums")" ] || fail "catalogue does not match library"
exit 0
