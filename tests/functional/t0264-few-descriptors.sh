#!/bin/sh
# An import where the process may open few files (ulimit -n 200, as on
# some small NAS firmware or under a tight service limit): each copy in
# flight holds its unnamed file open, for two batches (the one being made
# durable and the one being copied), so a batch holds fewer copies there;
# and the unnamed file the hashing thread makes ahead for the next copy is
# never made twice over, its descriptor lost. 1,200 photos over 12 days,
# imported with --move: every one filed byte for byte, none failed with
# "Too many open files", the card emptied, the catalogue the library's.
. "$TOP/tests/lib/common.sh"
command -v python3 >/dev/null || { echo "skipped: no python3"; exit 77; }

distinct_jpegs "$T/orig/DCIM/100CANON" 0 1200 t0264 100
cp -a "$T/orig" "$T/card"

rc=0
(ulimit -n 200 && exec "$SHOEBOX" import --no-progress --move "$T/card") \
    >"$T/out" 2>"$T/err" || rc=$?
[ $rc = 0 ] || fail "exit $rc: $(tail -n 3 "$T/out" "$T/err")"
grep -q "^1200 files seen: 1200 imported, .* 0 failed$" "$T/out" ||
    fail "summary: $(cat "$T/out") $(head -n 3 "$T/err")"
! grep -q "Too many open files" "$T/err" || fail "$(head -n 3 "$T/err")"
[ "$(find "$LIB" -mindepth 3 -maxdepth 3 -type d -not -path '*/.shoebox*' |
    wc -l)" -eq 12 ] || fail "not 12 day folders: $(libfiles | head)"
[ "$(lib_sums | cut -d' ' -f1 | sort)" = "$(sums "$T/orig")" ] ||
    fail "the library's photos are not the card's"
catalog_matches_lib "few descriptors"
[ -z "$(find "$T/card" -type f)" ] || fail "--move left files on the card"
echo "ok"
