#!/bin/sh
# One drop folder, imported with --move into several libraries at once (a
# NAS with one library per family member, each with its own nightly
# unit). A source another import removed a moment before this one removes
# it is gone as this one wanted: no warning, exit 0, even when it was
# taken away while this one read it again to check it; one taken away as
# this one copied it is gone too, not "left for the next run". Then four
# imports at once into four libraries: every content ends in a library,
# none lost.
. "$TOP/tests/functional/safety-lib.sh"

S=$T/drop
mkdir -p "$S"
cp "$CARD/IMG_0001.JPG" "$CARD/IMG_0002.JPG" "$S/"

# The other import's removal, made exact just before this one renames the
# source aside to remove it (its copy is filed and durable by then).
export SB_HOOK_ON=rename:IMG_0001.JPG
export SB_HOOK_CMD="rm '$S/IMG_0001.JPG'"
hsb import --move --no-progress "$S"
hook_fired
unset SB_HOOK_ON SB_HOOK_CMD
cat "$T/out" "$T/err"
expect_rc 0
grep -q 'not removed\|cannot remove' "$T/err" &&
    fail "a source already gone was reported as not removed"
grep -q 'with warnings' "$T/out" && fail "a source already gone made a warning"
[ "$(lib_count "$CARD/IMG_0001.JPG")" = 1 ] || fail "IMG_0001.JPG not filed"
[ "$(lib_count "$CARD/IMG_0002.JPG")" = 1 ] || fail "IMG_0002.JPG not filed"
[ ! -e "$S/IMG_0002.JPG" ] || fail "IMG_0002.JPG not moved"

# The same, while this one reads the source again before removing it: two
# names of one file (a hard link), whose ctime moved when the first was
# removed, so the second's content is checked again; the other import
# renames it away and removes it meanwhile (at that check's first read).
# It was gone, not "changed as it was being removed; kept".
rm -rf "$S" "$LIB"
mkdir -p "$S"
cp "$CARD/IMG_0002.JPG" "$S/A.JPG"
ln "$S/A.JPG" "$S/B.JPG"
export SB_HOOK_ON=read:B.JPG SB_HOOK_NTH=2
export SB_HOOK_CMD="mv '$S/B.JPG' '$T/B-other' && rm '$T/B-other'"
hsb import --move --no-progress "$S"
hook_fired
unset SB_HOOK_ON SB_HOOK_NTH SB_HOOK_CMD
cat "$T/out" "$T/err"
expect_rc 0
grep -q 'not removed\|cannot remove' "$T/err" &&
    fail "a source another import removed as it was checked was reported kept"
grep -q 'with warnings' "$T/out" &&
    fail "a source another import removed as it was checked made a warning"
[ "$(lib_count "$CARD/IMG_0002.JPG")" = 1 ] || fail "A.JPG not filed"
[ -z "$(ls -A "$S")" ] || fail "left in the drop folder: $(ls "$S")"

# And while this one copies it: the other import's rename moves its ctime
# (a copy of no real state, not filed), and it is gone, not "changed
# while being copied; left for the next run" (nothing is left).
rm -rf "$S" "$LIB"
mkdir -p "$S"
cp "$CARD/IMG_0002.JPG" "$S/C.JPG"
cp "$CARD/IMG_0004.JPG" "$S/D.JPG"
export SB_HOOK_ON=read:drop/C.JPG
export SB_HOOK_CMD="mv '$S/C.JPG' '$T/C-other' && rm '$T/C-other'"
hsb import --move --no-progress "$S"
hook_fired
unset SB_HOOK_ON SB_HOOK_CMD
cat "$T/out" "$T/err"
expect_rc 0
grep -q 'C.JPG' "$T/err" &&
    fail "a source another import took as it was copied was reported"
grep -q 'left for the next run' "$T/out" &&
    fail "a source another import took as it was copied was counted left"
[ "$(lib_count "$CARD/IMG_0002.JPG")" = 0 ] || fail "C.JPG was filed"
[ "$(lib_count "$CARD/IMG_0004.JPG")" = 1 ] || fail "D.JPG not filed"
[ -z "$(ls -A "$S")" ] || fail "left in the drop folder: $(ls "$S")"

# Four at once. Each file is in one library at least, or still at the
# source; a run that lost a race says so (exit 0 or 1, never a crash).
rm -rf "$S" "$LIB"
mkdir -p "$S/DCIM/100CANON"
cp -p "$CARD"/* "$S/DCIM/100CANON/"
pids=
for i in 1 2 3 4; do
	"$SHOEBOX" -c "$CFG" -L "$T/lib$i" import --move --no-progress "$S" \
	    >"$T/out$i" 2>"$T/err$i" &
	pids="$pids $!"
done
for p in $pids; do
	rc=0
	wait "$p" || rc=$?
	[ $rc -le 1 ] || { cat "$T"/err?; fail "an import exited $rc"; }
done
for f in "$CARD"/*; do
	s=$(sum "$f")
	found=$(find "$T/lib1" "$T/lib2" "$T/lib3" "$T/lib4" "$S" -type f \
	    ! -path '*/.shoebox/*' -exec sha256sum {} + | grep -c "^$s ")
	[ "$found" -ge 1 ] || fail "$(basename "$f"): its content is nowhere"
done
for i in 1 2 3 4; do
	[ -d "$T/lib$i" ] || continue
	sb -L "$T/lib$i" verify
	expect_rc 0
done
exit 0
