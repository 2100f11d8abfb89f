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
#   file: that outside file must not be deleted (nor its content filed);
# - the source is rewritten in place as --move removes it (same inode and
#   size, its mtime put back: only the ctime tells): a writer that opens
#   it once --move holds it (its lease) is seen, and the source kept with
#   the new content;
# - a new upload of the same name renamed into place (rsync, Samba) while
#   --move reads the source again (its ctime changed: a chmod), on a
#   filesystem without RENAME_NOREPLACE (NFS): the new file is kept, not
#   unlinked unread by the old one's name; nor one renamed into place just
#   before the unlink;
# - without a lease (another user's file), a writer appending as --move
#   removes it is seen by the size, and the source kept.
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

# Rewritten in place, its mtime put back, as --move renames it aside: the
# writer opens it under --move's lease (and waits for it to be dropped).
rm -rf "$S" "$T/aside" "$T/outside" "$LIB"
mkdir -p "$S"
cp "$CARD/IMG_0002.JPG" "$S/A.JPG"
touch -d '2020-01-01 00:00' "$S/A.JPG"
touch -r "$S/A.JPG" "$T/ref"
cp "$S/A.JPG" "$T/new.jpg"
printf Z | dd of="$T/new.jpg" bs=1 seek=1000 conv=notrunc 2>/dev/null
export SB_HOOK_ON=rename:A.JPG SB_HOOK_WHEN=before
export SB_HOOK_CMD="(dd if='$T/new.jpg' of='$S/A.JPG' conv=notrunc 2>/dev/null
    touch -r '$T/ref' '$S/A.JPG'; touch '$T/written') & sleep 1"
hsb import --move --no-progress "$S"
hook_fired
cat "$T/out" "$T/err"
wait_for "$T/written" 100
[ -e "$T/written" ] || fail "the writer never finished"
[ "$(lib_count "$CARD/IMG_0002.JPG")" = 1 ] || fail "the content read was not filed"
cmp -s "$S/A.JPG" "$T/new.jpg" ||
    fail "a source rewritten in place as --move removed it was deleted unread"
named A.JPG
grep -q 'opened for writing by another program' "$T/err" ||
    fail "the reason: $(cat "$T/err")"
expect_rc 0

# Replaced at its name while --move reads it again. Two hooks: the first
# chmods the source before --move opens it to remove it (its second open),
# so that its content is read again; the second renames the new upload
# into place at that read (the source's second read: its first was the
# copy's).
rm -rf "$S" "$LIB" "$T/hook.log"
unset SB_HOOK_WHEN
mkdir -p "$S"
cp "$CARD/IMG_0002.JPG" "$S/B.JPG"
cp "$CARD/IMG_0004.JPG" "$S/.B.JPG.up"
sed 's/SB_HOOK_/H2_HOOK_/g' "$TOP/tests/lib/hook.c" >"$T/h2.c"
cc -shared -fPIC -o "$T/h2.so" "$T/h2.c" -ldl || fail "cannot build the second hook"
rc=0
LD_PRELOAD="$T/hook.so:$T/h2.so" SB_HOOK_LOG="$T/hook.log" \
    SB_HOOK_ON=open:B.JPG SB_HOOK_NTH=2 SB_HOOK_CMD="chmod 600 '$S/B.JPG'" \
    SB_HOOK_NOREPLACE=EINVAL H2_HOOK_LOG="$T/hook.log" \
    H2_HOOK_ON=read:drop/B.JPG H2_HOOK_NTH=2 \
    H2_HOOK_CMD="mv '$S/.B.JPG.up' '$S/B.JPG'" \
    "$SHOEBOX" -c "$CFG" import --move --no-progress "$S" >"$T/out" 2>"$T/err" || rc=$?
cat "$T/out" "$T/err" "$T/hook.log"
[ "$(grep -c '^fired' "$T/hook.log")" = 2 ] || fail "the hooks did not both fire"
[ "$(lib_count "$CARD/IMG_0002.JPG")" = 1 ] || fail "the content read was not filed"
cmp -s "$S/B.JPG" "$CARD/IMG_0004.JPG" ||
    fail "a new upload renamed into place as --move read the old file again was deleted unread"
named B.JPG
grep -q 'replaced at its name as it was being removed; kept\|changed as it was being removed; kept' "$T/err" ||
    fail "the reason: $(cat "$T/err")"
[ $rc = 0 ] || fail "exit $rc"

# The same filesystem without RENAME_NOREPLACE: the source is still put
# aside (a plain rename once the aside name is seen free) before it is
# unlinked, so an upload renamed into place just before the unlink stays.
rm -rf "$S" "$LIB" "$T/hook.log"
mkdir -p "$S"
cp "$CARD/IMG_0002.JPG" "$S/B.JPG"
cp "$CARD/IMG_0004.JPG" "$S/.B.JPG.up"
rc=0
LD_PRELOAD="$T/hook.so" SB_HOOK_LOG="$T/hook.log" SB_HOOK_NOREPLACE=EINVAL \
    SB_HOOK_ON=unlink:B~shoebox- SB_HOOK_CMD="mv '$S/.B.JPG.up' '$S/B.JPG'" \
    "$SHOEBOX" -c "$CFG" import --move --no-progress "$S" >"$T/out" 2>"$T/err" || rc=$?
cat "$T/out" "$T/err" "$T/hook.log"
hook_fired
cmp -s "$S/B.JPG" "$CARD/IMG_0004.JPG" ||
    fail "no RENAME_NOREPLACE: an upload renamed into place before the unlink was deleted"
[ "$(lib_count "$CARD/IMG_0002.JPG")" = 1 ] || fail "no RENAME_NOREPLACE: not filed"
[ -z "$(ls "$S" | grep shoebox)" ] || fail "no RENAME_NOREPLACE: left $(ls "$S")"
[ $rc = 0 ] || fail "no RENAME_NOREPLACE: exit $rc"

# No lease to be had (shoebox as the library's owner, the upload another
# user's in a shared folder; NFS alike): a writer appending just before
# the rename aside is seen by the file's size, and the source kept.
if [ "$(id -u)" = 0 ] && setpriv --reuid=nobody --regid=nogroup --clear-groups true 2>/dev/null; then
	rm -rf "$S" "$LIB" "$T/hook.log" "$T/nl"
	mkdir -p "$S" "$T/nl/lib" "$T/nl/log"
	chmod 755 "$T" "$T/hook.so" && chmod 777 "$S" "$T/nl/log"
	chown -R nobody "$T/nl/lib"
	cp "$CARD/IMG_0002.JPG" "$S/C.JPG" && chmod 666 "$S/C.JPG"
	cp "$CFG" "$T/nl/config" && chmod 644 "$T/nl/config"
	rc=0
	LD_PRELOAD="$T/hook.so" SB_HOOK_LOG="$T/nl/log/hook.log" \
	    SB_HOOK_ON=rename:C.JPG SB_HOOK_CMD="printf 'MORE' >>'$S/C.JPG'" \
	    setpriv --reuid=nobody --regid=nogroup --clear-groups env HOME=/ \
	    "$SHOEBOX" -c "$T/nl/config" -L "$T/nl/lib" import --move --no-progress "$S" \
	    >"$T/out" 2>"$T/err" || rc=$?
	cat "$T/out" "$T/err" "$T/nl/log/hook.log"
	grep -q '^fired' "$T/nl/log/hook.log" || fail "no lease: the hook never fired"
	[ -f "$S/C.JPG" ] && [ "$(tail -c 4 "$S/C.JPG")" = MORE ] ||
	    fail "no lease: a source appended to as --move removed it was deleted"
	grep -q 'C.JPG: filed, but not removed from the source: changed as it was being removed; kept' "$T/err" ||
	    fail "no lease: the reason: $(cat "$T/err")"
fi
exit 0
