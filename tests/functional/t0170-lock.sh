#!/bin/sh
# Two imports into the same library at once: the second waits for the
# first, saying so, and the library ends up consistent.
. "$TOP/tests/lib/common.sh"

mkdir -p "$T/a" "$T/b"
head -c 100000000 /dev/urandom >"$T/a/BIG.MOV"
cp "$CORPUS/exiv2/Reagan.jpg" "$T/b/R.JPG"
cat "$CORPUS/video/mov_utc_2019-12-31T235958Z.mov" >>"$T/a/BIG.MOV.x"
set_mtimes "$T"

mkdir -p "$LIB/.shoebox"
# Hold the library's lock as a first import would.
exec 9>"$LIB/.shoebox/lock"
flock 9
echo 4242 >&9
( sleep 1; flock -u 9 ) &
"$SHOEBOX" import --no-progress "$T/b" >"$T/out" 2>"$T/err"
rc=$?
exec 9>&-
wait
[ $rc = 0 ] || fail "second import failed ($rc)"
grep -q 'another shoebox (pid 4242) is importing into .*; waiting' "$T/err" || { cat "$T/err"; fail "no waiting message"; }
[ -f "$LIB/2004/06/21/R.JPG" ] || fail "second import did not complete"

# Two real imports at once both complete, nothing lost or doubled.
"$SHOEBOX" import --no-progress "$T/a" >"$T/o1" 2>&1 &
p1=$!
"$SHOEBOX" import --no-progress "$T/b" "$T/a" >"$T/o2" 2>&1 &
p2=$!
wait $p1 || fail "first concurrent import failed: $(cat "$T/o1")"
wait $p2 || fail "second concurrent import failed: $(cat "$T/o2")"
[ "$(q 'SELECT count(*) FROM files')" = 2 ] || fail "catalogue: $(q 'SELECT path FROM files')"
[ "$(libfiles | wc -l)" = 2 ] || fail "library: $(libfiles)"
exit 0
