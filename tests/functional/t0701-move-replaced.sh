#!/bin/sh
# --move deletes a source only if the file at that path is still the one
# that was read and filed (issue 9, bug 1). Two races, made exact with
# tests/lib/hook.c at the copy's first sync (after the source was read,
# before the catalogue commits and --move deletes):
# - the source is moved aside and a new file written at the same name (a
#   drop folder refilled): the new content must survive, at the source or
#   in the library, and the old one be in the library;
# - the directory holding the source is renamed away and replaced by a
#   symbolic link to a directory outside the source holding a same-named
#   file: that outside file must not be deleted (nor its content filed).
. "$TOP/tests/functional/safety-lib.sh"

S=$T/drop
mkdir -p "$S" "$T/aside"
cp "$CARD/IMG_0001.JPG" "$S/IMG_0001.JPG"
cp "$CARD/IMG_0004.JPG" "$T/new.jpg"	# the file that takes its name

export SB_HOOK_ON=fsync
export SB_HOOK_CMD="mv '$S/IMG_0001.JPG' '$T/aside/IMG_0001.JPG' &&
    cp '$T/new.jpg' '$S/IMG_0001.JPG'"
hsb import --move --no-progress "$S"
hook_fired
cat "$T/out" "$T/err"
[ "$(lib_count "$CARD/IMG_0001.JPG")" = 1 ] || fail "the content read was not filed"
if [ -f "$S/IMG_0001.JPG" ] && cmp -s "$S/IMG_0001.JPG" "$T/new.jpg"; then
	# kept: then it is reported, by name, and the run says so (a
	# warning: what was read is filed, the new file waits for next time)
	named IMG_0001.JPG
	expect_rc 0
	grep -q 'with warnings' "$T/out" || fail "kept source: no 'with warnings'"
elif [ "$(lib_count "$T/new.jpg")" != 1 ]; then
	fail "a file written at the source's name during the import was deleted unread"
fi
cmp -s "$T/aside/IMG_0001.JPG" "$CARD/IMG_0001.JPG" || fail "the file moved aside changed"

# A directory of the source swapped for a symlink to one outside it.
rm -rf "$S" "$T/aside" "$LIB"
mkdir -p "$S/A" "$T/aside" "$T/outside"
cp "$CARD/IMG_0002.JPG" "$S/A/IMG_0002.JPG"
cp "$CARD/IMG_0004.JPG" "$T/outside/IMG_0002.JPG"
export SB_HOOK_CMD="mv '$S/A' '$T/aside/A' && ln -s '$T/outside' '$S/A'"
hsb import --move --no-progress "$S"
hook_fired
cat "$T/out" "$T/err"
[ -f "$T/outside/IMG_0002.JPG" ] ||
    fail "a file outside the source, reached through a symlink, was deleted"
cmp -s "$T/outside/IMG_0002.JPG" "$CARD/IMG_0004.JPG" || fail "the outside file changed"
[ "$(lib_count "$CARD/IMG_0002.JPG")" = 1 ] || fail "the content read was not filed"
[ "$(lib_count "$CARD/IMG_0004.JPG")" = 0 ] || fail "the outside file was imported"
# The file read may be deleted where it went (by a directory fd held since
# the walk: it is the very file filed); if it is kept, the run says so.
if [ -e "$T/aside/A/IMG_0002.JPG" ]; then
	cmp -s "$T/aside/A/IMG_0002.JPG" "$CARD/IMG_0002.JPG" || fail "the file moved aside changed"
	named IMG_0002.JPG
	expect_rc 0
	grep -q 'with warnings' "$T/out" || fail "kept source: no 'with warnings'"
fi
exit 0
