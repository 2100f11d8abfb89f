#!/bin/sh
# A small file (read whole, or its first 256 kB, by the probe, and its copy
# made from those bytes) grown, shrunk, rewritten in place or replaced
# between that first read and the copy (tests/lib/hook.c, right after the
# first read of it): at 100 kB, exactly 256 kB, 256 kB + 1 and 300 kB, with
# --move. No library file but one holding the bytes the source held when
# scanned, every library file its catalogue SHA-256, a changed file named
# and kept in the source, the run carried on with the others.
. "$TOP/tests/functional/safety-lib.sh"
command -v python3 >/dev/null || { echo "skipped: no python3"; exit 77; }

S=$T/drop
check_lib() {
	catalog_matches_lib "$1"
	libfiles | while IFS= read -r p; do
		grep -qx "$(sum "$LIB/$p")" "$T/orig.sums" ||
		    { echo "FAIL: $1: $p holds bytes no source held" >&2; exit 1; }
	done || exit 1
}
for size in 102400 262144 262145 307200; do
	for how in grow shrink rewrite replace; do
		rm -rf "$S" "$LIB" "$T/aside"
		mkdir -p "$S" "$T/aside"
		dated_jpegs "$S" 3
		python3 - "$S/IMG_0002.JPG" "$size" <<'PY' || fail "pad"
import sys
p, n = sys.argv[1], int(sys.argv[2])
b = open(p, "rb").read()
b += bytes((i * 7 + 3) & 0xff for i in range(n - len(b)))
open(p, "wb").write(b)
PY
		for f in "$S"/*; do sum "$f"; done >"$T/orig.sums"
		cp "$S/IMG_0002.JPG" "$T/orig2"
		case $how in
		grow)	cmd="printf xyz >>'$S/IMG_0002.JPG'" ;;
		shrink)	cmd="truncate -s 50000 '$S/IMG_0002.JPG'" ;;
		rewrite) cmd="printf ZZZZ | dd of='$S/IMG_0002.JPG' bs=1 seek=$((size - 10)) conv=notrunc 2>/dev/null &&
		    printf ZZZZ | dd of='$S/IMG_0002.JPG' bs=1 seek=1000 conv=notrunc 2>/dev/null &&
		    touch -r '$T/orig2' '$S/IMG_0002.JPG'" ;;
		replace) cmd="cp '$S/IMG_0002.JPG' '$T/new' && printf ZZZZ | dd of='$T/new' bs=1 seek=1000 conv=notrunc 2>/dev/null &&
		    touch -r '$T/orig2' '$T/new' && mv '$S/IMG_0002.JPG' '$T/aside/' && mv '$T/new' '$S/IMG_0002.JPG'" ;;
		esac
		export SB_HOOK_ON=read:IMG_0002 SB_HOOK_WHEN=after SB_HOOK_CMD="$cmd"
		hsb import --move --no-progress "$S"
		hook_fired
		check_lib "$size $how"
		for f in IMG_0001.JPG IMG_0003.JPG; do
			[ ! -e "$S/$f" ] || fail "$size $how: $f not filed: $(cat "$T/out" "$T/err")"
		done
		if [ "$(lib_count "$T/orig2")" = 0 ]; then
			[ -f "$S/IMG_0002.JPG" ] || fail "$size $how: source gone, not filed"
			named IMG_0002.JPG
			[ "$rc" != 0 ] || grep -q 'with warnings' "$T/out" ||
			    grep -q ' 1 left for the next run' "$T/out" ||
			    fail "$size $how: kept, but the run says all is well"
		fi
		echo "$size $how: rc $rc, $(grep 'files seen' "$T/out")"
		grep IMG_0002 "$T/err" || :
	done
done
exit 0
