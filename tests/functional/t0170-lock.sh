#!/bin/sh
# Two imports into the same library at once: the second waits for the
# first, saying so, and the library ends up consistent. A verify stopped
# while it waits says so.
. "$TOP/tests/lib/common.sh"

mkdir -p "$T/a" "$T/b"
padded_video "$FIX/mov_utc_2019-12-31T235958Z.mov" "$T/a/BIG.MOV" 100
cp "$FIX/Reagan.jpg" "$T/b/R.JPG"
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
same_text "the waiting message, alone" "$T/err" \
    "shoebox: another shoebox (pid 4242) is importing into $LIB; waiting for it to finish"
check "second import completed" [ -f "$LIB/2004/06/21/R.JPG" ]

# Two real imports at once both complete, nothing lost or doubled.
"$SHOEBOX" import --no-progress "$T/a" >"$T/o1" 2>&1 &
p1=$!
"$SHOEBOX" import --no-progress "$T/b" "$T/a" >"$T/o2" 2>&1 &
p2=$!
wait $p1 || fail "first concurrent import failed: $(cat "$T/o1")"
wait $p2 || fail "second concurrent import failed: $(cat "$T/o2")"
q 'SELECT path FROM files ORDER BY path' >"$T/cat"
libfiles >"$T/got"
printf '2004/06/21/R.JPG\n2019/12/31/BIG.MOV\n' >"$T/want"
check "library: the photo and the big video, once each" diff -u "$T/want" "$T/got"
check "catalogue: the same" diff -u "$T/want" "$T/cat"
cmp "$T/a/BIG.MOV" "$LIB/2019/12/31/BIG.MOV" || fail "BIG.MOV copied wrong"

# verify stopped (SIGTERM) while it waits for the lock says that, and
# only that (it said "lock ...: Interrupted system call", then that it
# could not look through the library)
# (its own file: $T/err holds the first import's waiting message, which
# the wait below could find before verify's redirection empties it, and
# verify be stopped before it catches the signal, exit 143)
exec 9>>"$LIB/.shoebox/lock"
flock 9
"$SHOEBOX" verify --no-progress >"$T/out" 2>"$T/verr" &
vpid=$!
wait_until 10 grep -q "waiting for it to finish" "$T/verr" ||
    fail "verify did not wait: $(cat "$T/verr")"
kill -TERM $vpid
rc=0
wait $vpid || rc=$?
exec 9>&-
[ $rc = 1 ] || fail "verify stopped while waiting: exit $rc"
grep -q "interrupted while waiting for the lock on $LIB; nothing was done" \
    "$T/verr" || fail "verify stopped while waiting: $(cat "$T/verr")"
grep -q "Interrupted system call\|could not look through" "$T/verr" &&
    fail "verify stopped while waiting: $(cat "$T/verr")"
exit 0
