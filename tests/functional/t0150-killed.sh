#!/bin/sh
# An import killed with SIGKILL in the middle of copying a big file leaves
# no partial file in the library, and a re-run completes it without
# duplicating anything.
. "$TOP/tests/lib/common.sh"

cp -r "$TOP/tests/sample-card" "$T/card"
for n in 6 7 8; do
	padded_video "$FIX/mov_utc_2019-12-31T235958Z.mov" "$T/card/DCIM/100CANON/MVI_000$n.MOV" 64
done
set_mtimes "$T/card"
sums "$T/card" >"$T/srcsums"

# mid_copy PID: PID is writing an unnamed copy in the library, past its
# first megabyte.
mid_copy() {
	for fd in /proc/$1/fd/*; do
		case $(readlink "$fd") in "$LIB/"*" (deleted)") ;; *) continue ;; esac
		pos=$(sed -n 's/^pos:[[:space:]]*//p' "/proc/$1/fdinfo/${fd##*/}")
		[ "${pos:-0}" -gt 1048576 ] && return 0
	done 2>/dev/null
	return 1
}

"$SHOEBOX" import --no-progress "$T/card" >"$T/out1" 2>&1 &
pid=$!
# Once the small files are in, kill it without warning in a big copy.
n=0
while [ $n -lt 3000 ] && kill -0 $pid 2>/dev/null; do
	[ -d "$LIB" ] && [ "$(libfiles | wc -l)" -ge 3 ] && mid_copy $pid && break
	sleep 0.01
	n=$((n + 1))
done
kill -9 $pid 2>/dev/null || echo "note: the import ended before the kill"
wait $pid 2>/dev/null
echo "killed after $(libfiles | wc -l) files"
lib_whole "$T/srcsums"

sb import --no-progress "$T/card"
expect_rc 0
cat "$T/out"
# Every source is now in the library exactly once (but the card's
# non-media files and its .Trashes, which are not taken).
lib_sums | cut -d' ' -f1 >"$T/libsums"
rm -r "$T/card/.Trashes" "$T/card/README" "$T/card/MISC"
sums "$T/card" | uniq >"$T/want"
check "library is the card's media, each once" diff "$T/want" "$T/libsums"
check "nothing left in .shoebox/tmp" [ -z "$(ls -A "$LIB/.shoebox/tmp")" ]
check "catalogue matches library" [ "$(q 'SELECT count(*) FROM files')" = "$(wc -l <"$T/libsums")" ]
exit 0
