#!/bin/sh
# A batch's copies are made durable by one syncfs(), which runs while the
# next batch is copied; when it fails (as it does after a writeback error
# anywhere on the filesystem), each copy of that batch is fsync'ed on its
# own instead, and each library folder after its names. 600 photos, three
# batches: with every syncfs() failing, and with only one of them failing
# (each in turn of the first four), every photo is filed byte for byte, the
# catalogue's SHA-256 is its own, and --move removes exactly what was filed.
. "$TOP/tests/lib/common.sh"
command -v python3 >/dev/null || { echo "skipped: no python3"; exit 77; }
shim badsync

distinct_jpegs "$T/orig/DCIM/100CANON" 0 600 t0263

for nth in 0 1 2 3 4; do
	rm -rf "$LIB" "$T/card" "$T/synclog"
	cp -a "$T/orig" "$T/card"
	rc=0
	BADSYNC_NTH=$nth BADSYNC_LOG="$T/synclog" LD_PRELOAD="$T/badsync.so" \
	    "$SHOEBOX" import --no-progress --move "$T/card" >"$T/out" \
	    2>"$T/err" || rc=$?
	[ $rc = 0 ] || fail "nth=$nth: exit $rc: $(cat "$T/out" "$T/err")"
	grep -q "^600 files seen: 600 imported," "$T/out" ||
	    fail "nth=$nth: summary: $(cat "$T/out" "$T/err")"
	failed=$(grep -c "^syncfs failed" "$T/synclog")
	fsyncs=$(grep -c "^fsync" "$T/synclog")
	if [ "$nth" = 0 ]; then
		[ "$failed" -ge 3 ] || fail "every syncfs: only $failed failed"
		[ "$fsyncs" -ge 600 ] ||
		    fail "every syncfs failed, but only $fsyncs copies fsync'ed"
	else
		[ "$failed" -eq 1 ] || fail "nth=$nth: $failed syncfs failed"
	fi
	# The first syncfs() is the first batch's: each of its copies fsync'ed.
	[ "$nth" != 1 ] || [ "$fsyncs" -ge 256 ] ||
	    fail "the first batch's syncfs failed, but $fsyncs copies fsync'ed"
	[ "$(lib_sums | cut -d' ' -f1 | sort)" = "$(sums "$T/orig")" ] ||
	    fail "nth=$nth: the library's photos are not the card's"
	[ "$(q 'SELECT count(*) FROM files')" = 600 ] ||
	    fail "nth=$nth: $(q 'SELECT count(*) FROM files') catalogued"
	catalog_matches_lib "nth=$nth"
	[ -z "$(find "$T/card" -type f)" ] ||
	    fail "nth=$nth: --move left: $(find "$T/card" -type f | head -3)"
done
echo "ok"
