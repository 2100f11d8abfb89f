#!/bin/sh
# shoebox verify --sample PERCENT checks a slice of the library each run,
# files never verified first, then those verified longest ago: repeated
# runs go round the whole library, each file once before any twice.
# --since DATE checks the files catalogued since then. A partial run does
# not look for untracked files (that needs the whole tree).
. "$TOP/tests/lib/common.sh"

card=$T/card
mkdir -p "$card"
cp -R "$TOP/tests/sample-card/DCIM" "$TOP/tests/sample-card/PRIVATE" "$card/"
set_mtimes "$card"
sb import --no-progress "$card"
expect_rc 0
q "SELECT path FROM files ORDER BY path" >"$T/all"
[ "$(wc -l <"$T/all")" = 10 ] || fail "imported $(wc -l <"$T/all") files"
echo stray >"$LIB/stray.txt"	# a full run would report it: a sample does not

# checked N: the paths the last `shoebox -v verify` found intact, sorted.
checked() {
	sed -n 's/^ok  *//p' "$T/out" | LC_ALL=C sort >"$T/run$1"
}

# 30% of 10 files: 3 a run. Four runs take every file; the first three
# never take one twice.
for run in 1 2 3 4; do
	sb -v verify --sample 30
	expect_rc 0
	checked $run
	[ "$(wc -l <"$T/run$run")" = 3 ] || fail "run $run checked: $(cat "$T/run$run")"
	grep -q "^3 files verified (a 30% sample, those verified longest ago): 3 intact" "$T/out" ||
	    fail "run $run summary: $(tail -n 1 "$T/out")"
done
grep -q untracked "$T/out" && fail "a sample looked for untracked files"
cat "$T/run1" "$T/run2" "$T/run3" | sort | uniq -d | grep . &&
    fail "a file was checked twice before all were checked once"
cat "$T/run1" "$T/run2" "$T/run3" "$T/run4" | LC_ALL=C sort -u | diff -u "$T/all" - ||
    fail "four runs of 30% did not cover the library"
[ "$(q 'SELECT count(*) FROM files WHERE verified_at IS NULL')" = 0 ] ||
    fail "files left unverified"

# Oldest first: the three files verified longest ago are the next slice,
# whatever their place in the catalogue; one never verified goes first.
q "UPDATE files SET verified_at = strftime('%s', '2020-01-01') WHERE path IN
   ('2021/07/04/C0001.MP4', '2004/06/21/IMG_0002.JPG');
   UPDATE files SET verified_at = NULL WHERE path = '2020/04/17/IMG_3578.HEIC'"
sb -v verify --sample 30
expect_rc 0
checked 5
printf '%s\n' 2004/06/21/IMG_0002.JPG 2020/04/17/IMG_3578.HEIC \
    2021/07/04/C0001.MP4 | diff -u - "$T/run5" || fail "not the oldest verified first"

# A damaged file is reported by the run whose slice holds it.
printf 'X' | dd of="$LIB/2003/09/25/IMG_0004.JPG" bs=1 seek=5000 conv=notrunc 2>/dev/null
q "UPDATE files SET verified_at = strftime('%s', '2019-01-01') WHERE path = '2003/09/25/IMG_0004.JPG'"
sb verify --sample 10
expect_rc 1
grep -q '^changed  *2003/09/25/IMG_0004.JPG: content differs' "$T/out" ||
    fail "damage in the slice not reported: $(cat "$T/out")"

# --since: only the files catalogued since then (with --sample: a slice
# of those).
q "UPDATE files SET imported_at = '2019-01-01T00:00:00Z';
   UPDATE files SET imported_at = '2020-05-01T10:00:00Z' WHERE path LIKE '2021/%'"
sb -v verify --since 2020-05-01
expect_rc 0	# the damage and the stray file are outside it
checked since
q "SELECT path FROM files WHERE path LIKE '2021/%' ORDER BY path" |
    diff -u - "$T/runsince" || fail "--since 2020-05-01 checked otherwise"
grep -q '^4 files verified (catalogued since 2020-05-01): 4 intact' "$T/out" ||
    fail "--since summary: $(tail -n 1 "$T/out")"
sb verify --since 2020-06
expect_rc 0
grep -q '^0 files verified' "$T/out" || fail "--since 2020-06: $(cat "$T/out")"
sb -v verify --since 2020 --sample 50
expect_rc 0
checked both
[ "$(wc -l <"$T/runboth")" = 2 ] || fail "--since with --sample: $(cat "$T/runboth")"
grep -c '^2021/' "$T/runboth" | grep -qx 2 || fail "--sample took files outside --since"
exit 0
