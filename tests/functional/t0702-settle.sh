#!/bin/sh
# A file still being written is not taken (issue 9, bug 2). A writer puts
# half of a JPEG in the drop folder and pauses; an import --move with a
# settle time of 10 s (the config's "settle = 10s", then the option
# "--settle 10s") in the pause must neither file nor delete it, and name
# it. Once complete, "--settle 0" files it whole. Then a file that grows
# while it is being copied (tests/lib/hook.c appends at its first read) is
# not catalogued and its source is kept, left for the next run (not a
# failure: exit 0, as for a file still arriving); the next run files it
# whole.
. "$TOP/tests/functional/safety-lib.sh"

S=$T/drop
mkdir -p "$S"
cp "$CARD/IMG_0002.JPG" "$T/full.jpg"
size=$(stat -c %s "$T/full.jpg")
half=$((size / 2))
head -c $half "$T/full.jpg" >"$T/half.jpg"
printf 'settle = 10s\n' >"$T/settle10"

# The writer: half, then the rest once told to go (at most 30 s later).
(
	head -c $half "$T/full.jpg" >"$S/IMG_0002.JPG"
	: >"$T/half-written"
	wait_for "$T/go" 300
	tail -c +$((half + 1)) "$T/full.jpg" >>"$S/IMG_0002.JPG"
) &
writer=$!
cleanup_hooks="stop_writer"
wait_for "$T/half-written" 100

sb -c "$T/settle10" import --move --no-progress "$S"
cat "$T/out" "$T/err"
[ -f "$S/IMG_0002.JPG" ] || fail "a file being written was deleted (settle = 10s)"
[ "$(lib_count "$T/half.jpg")" = 0 ] || fail "half a file was filed (settle = 10s)"
[ "$(cat_count "$T/half.jpg")" = 0 ] || fail "half a file was catalogued"
named IMG_0002.JPG

csb import --move --settle 10s --no-progress "$S"
cat "$T/out" "$T/err"
[ "$rc" != 2 ] || fail "--settle 10s refused"
[ -f "$S/IMG_0002.JPG" ] || fail "a file being written was deleted (--settle 10s)"
[ "$(lib_count "$T/half.jpg")" = 0 ] || fail "half a file was filed (--settle 10s)"
named IMG_0002.JPG

stop_writer
cmp -s "$S/IMG_0002.JPG" "$T/full.jpg" || fail "the writer did not finish its file"
csb import --move --settle 0 --no-progress "$S"
cat "$T/out" "$T/err"
expect_rc 0
[ "$(lib_count "$T/full.jpg")" = 1 ] || fail "the complete file was not filed: $(libfiles)"
[ "$(cat_count "$T/full.jpg")" = 1 ] || fail "the complete file was not catalogued"
[ ! -e "$S/IMG_0002.JPG" ] || fail "the complete file was not moved"
[ "$(q 'SELECT count(*) FROM files')" = 1 ] || fail "catalogue: $(q 'SELECT path, size FROM files')"

# Grown while copied: appended to at its first read by shoebox.
rm -rf "$S" "$LIB"
mkdir -p "$S"
cp "$CARD/IMG_0003.CR3" "$S/IMG_0003.CR3"
cp "$CARD/IMG_0003.CR3" "$T/before.cr3"
head -c 70000 /dev/urandom >"$T/more"
export SB_HOOK_ON=read:IMG_0003.CR3
export SB_HOOK_CMD="cat '$T/more' >>'$S/IMG_0003.CR3'"
hsb import --move --no-progress "$S"
hook_fired
cat "$T/out" "$T/err"
cat "$T/before.cr3" "$T/more" >"$T/after.cr3"
[ "$(q 'SELECT count(*) FROM files')" = "$(cat_count "$T/after.cr3")" ] ||
    fail "a file that grew while copied was catalogued with other content"
if [ "$(lib_count "$T/after.cr3")" = 0 ]; then
	# (filed whole is fine too: it grew before shoebox started copying)
	cmp -s "$S/IMG_0003.CR3" "$T/after.cr3" || fail "a file that grew while copied was not kept whole"
	[ "$(lib_count "$T/before.cr3")" = 0 ] || fail "a file that grew while copied was filed"
	named IMG_0003.CR3
	grep -q "IMG_0003.CR3: changed while being copied; left for the next run$" "$T/err" ||
	    fail "the change is not said"
	grep -q ", 1 left for the next run (still arriving or changed)$" "$T/out" ||
	    fail "not counted as left for the next run: $(cat "$T/out")"
	expect_rc 0
fi
unset SB_HOOK_ON SB_HOOK_CMD
csb import --move --no-progress "$S"
expect_rc 0
[ "$(lib_count "$T/after.cr3")" = 1 ] || fail "not filed whole once it stopped growing: $(libfiles)"
exit 0
