#!/bin/sh
# A batch of copies is made durable (its syncfs(), on a thread of its own)
# while the next batch is copied, and only then filed and, with --move,
# its sources deleted: the window between a photo's read and its source's
# deletion spans the next batch's copying. Attacked in that window, at the
# first batch's syncfs() (tests/lib/hook.c), with 300 photos in each of two
# folders (batches of 256):
# - a photo of the first batch moved aside and another file written at its
#   name: what was read is filed, the new file is kept (and named) or
#   filed, never deleted unread, and the one moved aside is untouched;
# - the first folder swapped for a symbolic link to a folder outside the
#   source holding files of the same names: nothing outside is deleted,
#   changed or filed, and every photo is in the library or still whole
#   where it was moved;
# - the import killed (SIGKILL) there: no source is gone, the library holds
#   nothing the catalogue does not, and a re-run files and removes them all.
. "$TOP/tests/functional/safety-lib.sh"
command -v python3 >/dev/null || { echo "skipped: no python3"; exit 77; }

distinct_jpegs "$T/orig/DCIM/100CANON" 0 300 t0718
distinct_jpegs "$T/orig/DCIM/101CANON" 300 300 t0718
distinct_jpegs "$T/outside/100CANON" 0 300 outside
distinct_jpegs "$T/outside/101CANON" 300 300 outside
S=$T/card
export SB_HOOK_ON=syncfs

# 1. A photo of the sealed batch replaced at its name.
cp -a "$T/orig" "$S"
mkdir -p "$T/aside"
cp "$T/outside/100CANON/IMG_0010.JPG" "$T/new.jpg"
export SB_HOOK_CMD="mv '$S/DCIM/100CANON/IMG_0010.JPG' '$T/aside/' &&
    cp '$T/new.jpg' '$S/DCIM/100CANON/IMG_0010.JPG'"
hsb import --move --no-progress "$S"
hook_fired
[ "$rc" = 0 ] || { cat "$T/out" "$T/err"; fail "replaced: exit $rc"; }
cmp -s "$T/aside/IMG_0010.JPG" "$T/orig/DCIM/100CANON/IMG_0010.JPG" ||
    fail "replaced: the photo moved aside changed"
[ "$(lib_count "$T/orig/DCIM/100CANON/IMG_0010.JPG")" = 1 ] ||
    fail "replaced: the photo read was not filed"
if [ -f "$S/DCIM/100CANON/IMG_0010.JPG" ]; then
	cmp -s "$S/DCIM/100CANON/IMG_0010.JPG" "$T/new.jpg" ||
	    fail "replaced: the new file changed"
	named IMG_0010.JPG
	grep -q 'with warnings' "$T/out" || fail "replaced: no 'with warnings'"
else
	[ "$(lib_count "$T/new.jpg")" = 1 ] ||
	    fail "replaced: the new file was deleted unread"
fi
[ "$(sums "$T/orig" | sort -u | wc -l)" = 600 ] || fail "photos not distinct"
lib_sums | cut -d' ' -f1 | sort >"$T/lib.sums"
[ -z "$(sums "$T/orig" | comm -23 - "$T/lib.sums")" ] ||
    fail "replaced: photos of the card are not in the library"
catalog_matches_lib "replaced"

# 2. The first folder swapped for a link to a folder outside the source.
rm -rf "$S" "$T/aside" "$LIB"
cp -a "$T/orig" "$S"
mkdir -p "$T/aside"
sums "$T/outside" >"$T/outside.sums"
export SB_HOOK_CMD="mv '$S/DCIM/100CANON' '$T/aside/' &&
    ln -s '$T/outside/100CANON' '$S/DCIM/100CANON'"
hsb import --move --no-progress "$S"
hook_fired
[ "$rc" -le 1 ] || fail "swapped: exit $rc"
[ "$(sums "$T/outside")" = "$(cat "$T/outside.sums")" ] ||
    fail "swapped: a file outside the source was deleted or changed"
lib_sums | cut -d' ' -f1 | sort >"$T/lib.sums"
[ -z "$(comm -12 "$T/lib.sums" "$T/outside.sums")" ] ||
    fail "swapped: a file outside the source was filed"
# Every photo: in the library, or whole where it was (moved aside or not).
sums "$T/orig" | comm -23 - "$T/lib.sums" >"$T/missing"
find "$T/aside" "$S" -type f -exec sha256sum {} + | cut -d' ' -f1 |
    sort >"$T/left.sums"
[ -z "$(comm -23 "$T/missing" "$T/left.sums")" ] ||
    fail "swapped: $(comm -23 "$T/missing" "$T/left.sums" | wc -l) photos lost"
catalog_matches_lib "swapped"

# 3. Killed while the first batch is synced and the next one copied.
rm -rf "$S" "$T/aside" "$LIB"
cp -a "$T/orig" "$S"
unset SB_HOOK_CMD
rc=0
SB_HOOK_SIGNAL=KILL LD_PRELOAD="$T/hook.so" SB_HOOK_LOG="$T/hook.log" \
    "$SHOEBOX" -c "$CFG" import --move --no-progress "$S" >"$T/out" \
    2>"$T/err" || rc=$?
hook_fired
[ $rc = 137 ] || fail "killed: exit $rc, not 137 (SIGKILL)"
[ "$(sums "$S")" = "$(sums "$T/orig")" ] || fail "killed: a source is gone"
[ "$(libfiles | wc -l)" = "$(q 'SELECT count(*) FROM files')" ] ||
    fail "killed: the library holds what the catalogue does not"
catalog_matches_lib "killed"
unset SB_HOOK_ON
csb import --move --no-progress "$S"
expect_rc 0
[ -z "$(find "$S" -type f)" ] || fail "killed: the re-run left sources"
[ "$(lib_sums | cut -d' ' -f1 | sort)" = "$(sums "$T/orig")" ] ||
    fail "killed: the library after the re-run is not the card"
catalog_matches_lib "killed, then run again"
echo "ok"
