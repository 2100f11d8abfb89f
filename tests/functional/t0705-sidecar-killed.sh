#!/bin/sh
# A group (a main file and its sidecar) cut by SIGTERM is completed by the
# next run (issue 9, bug 5). tests/lib/hook.c raises SIGTERM in shoebox
# as it opens the main file IMG_0001.JPG (the run stops between the main
# file and its sidecar), or as it opens the sidecar IMG_0001.XMP; the
# re-run must file the sidecar beside its main file, catalogued as its
# sidecar, with and without --move, and a third run finds nothing to do.
# A --move SIGKILLed as it unlinks the sidecar it renamed aside
# (IMG_0001~shoebox-PID.XMP) leaves it for the next run to remove: its
# content is the filed sidecar's. A user's own sidecar whose name only
# looks like that (trip~shoebox-12.xmp) still goes with its own photo
# (trip~shoebox-12.JPG), not trip.JPG.
. "$TOP/tests/functional/safety-lib.sh"

S=$T/drop
for at in IMG_0001.JPG IMG_0001.XMP; do
for move in "" --move; do
	what="SIGTERM at $at, import ${move:-(copy)}"
	rm -rf "$S" "$LIB"
	mkdir -p "$S"
	cp "$CARD/IMG_0001.JPG" "$S/IMG_0001.JPG"
	cp "$CARD/IMG_0001.JPG.xmp" "$S/IMG_0001.XMP"
	cp "$CARD/IMG_0001.JPG.xmp" "$T/xmp"
	cp "$CARD/IMG_0002.JPG" "$S/IMG_0002.JPG"

	SB_HOOK_ON=open:$at SB_HOOK_SIGNAL=TERM \
	    hsb import $move --no-progress "$S"
	SB_HOOK_ON=open:$at hook_fired
	cat "$T/out" "$T/err"
	[ "$rc" != 0 ] || fail "$what: interrupted, yet exit 0"
	[ -f "$S/IMG_0001.XMP" ] || [ "$(lib_count "$T/xmp")" = 1 ] ||
	    fail "$what: the sidecar was lost at SIGTERM"

	csb import $move --no-progress "$S"
	cat "$T/out" "$T/err"
	expect_rc 0
	main=$(q "SELECT path FROM files WHERE path LIKE '%/IMG_0001.JPG'")
	[ -n "$main" ] || fail "$what: main file not catalogued: $(libfiles)"
	cmp -s "$LIB/${main%.JPG}.XMP" "$T/xmp" ||
	    fail "$what: after the re-run, no sidecar beside $main: $(libfiles)"
	[ "$(q "SELECT count(*) FROM catalog WHERE path = '${main%.JPG}.XMP' AND sidecar_of = '$main'")" = 1 ] ||
	    fail "$what: sidecar not catalogued as $main's: $(q 'SELECT path, sidecar_of FROM catalog')"
	[ "$(lib_count "$T/xmp")" = 1 ] || fail "$what: sidecar filed $(lib_count "$T/xmp") times"
	if [ -n "$move" ]; then
		[ -z "$(ls -A "$S")" ] || fail "$what: left in the source: $(ls -A "$S")"
	fi

	csb import $move --no-progress "$S"
	expect_rc 0
	[ "$(libfiles | wc -l)" = 3 ] || fail "$what: third run: $(libfiles)"
done
done

# SIGKILL between renaming the sidecar aside and unlinking it.
rm -rf "$S" "$LIB"
mkdir -p "$S"
cp "$CARD/IMG_0001.JPG" "$S/IMG_0001.JPG"
cp "$CARD/IMG_0001.JPG.xmp" "$S/IMG_0001.XMP"
SB_HOOK_ON=unlink:.XMP SB_HOOK_SIGNAL=KILL LD_PRELOAD="$T/hook.so" \
    SB_HOOK_LOG="$T/hook.log" "$SHOEBOX" -c "$CFG" import --move \
    --no-progress "$S" >"$T/out" 2>"$T/err" && fail "not killed"
hook_fired
ls "$S" | grep -q '^IMG_0001~shoebox-[0-9]*\.XMP$' ||
    fail "no sidecar put aside: $(ls "$S")"
csb import --move --no-progress "$S"
cat "$T/out" "$T/err"
expect_rc 0
[ -z "$(ls -A "$S")" ] || fail "after SIGKILL at the unlink: left $(ls -A "$S")"
[ "$(lib_count "$CARD/IMG_0001.JPG.xmp")" = 1 ] || fail "sidecar not filed once"

# A name that only looks put aside: a late sidecar with its own photo.
rm -rf "$S" "$LIB"
mkdir -p "$S"
cp "$CARD/IMG_0001.JPG" "$S/trip.JPG"
cp "$CARD/IMG_0004.JPG" "$S/trip~shoebox-12.JPG"
csb import --move --no-progress "$S"
expect_rc 0
printf '<x:xmpmeta>edits</x:xmpmeta>\n' >"$S/trip~shoebox-12.xmp"
csb import --move --no-progress "$S"
expect_rc 0
m=$(q "SELECT lower(hex(m.sha256)) FROM files f JOIN files m ON m.id = f.main_id WHERE f.path LIKE '%.xmp'")
[ "$m" = "$(sum "$CARD/IMG_0004.JPG")" ] || fail "trip~shoebox-12.xmp paired with another photo"

# A photo another library's --move had put aside (its unlink killed, or
# still to come) is filed under its own name, not IMG_0002~shoebox-PID.
rm -rf "$S" "$LIB"
mkdir -p "$S"
cp "$CARD/IMG_0002.JPG" "$S/IMG_0002~shoebox-4242.JPG"
csb import --no-progress "$S"
expect_rc 0
libfiles | grep -q '/IMG_0002\.JPG$' || fail "filed as: $(libfiles)"
# Its sidecar still at its own name pairs with it.
rm -rf "$S" "$LIB"
mkdir -p "$S"
cp "$CARD/IMG_0003.CR3" "$S/IMG_0003~shoebox-4242.CR3"
cp "$CARD/IMG_0003.xmp" "$S/IMG_0003.xmp"
csb import --no-progress "$S"
cat "$T/out" "$T/err"
expect_rc 0
m=$(q "SELECT m.path FROM files f JOIN files m ON m.id = f.main_id WHERE f.path LIKE '%.xmp'")
case "$m" in
*/IMG_0003.CR3) ;;
*) fail "the sidecar of a photo put aside: paired with '$m'; $(libfiles)" ;;
esac
exit 0
