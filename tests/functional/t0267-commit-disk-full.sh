#!/bin/sh
# The library's disk fills after a batch was copied and made durable but
# before the catalogue recorded it (tests/lib/hook.c fills it at the
# batch's syncfs): the commit fails, the copies of that batch are removed,
# and they count as not attempted with the rest, in the one message that
# says how many files are left and what they need; none is counted failed
# without being named. Sources stay (--move), the library and catalogue
# agree, and the re-run, with room made, files everything.
. "$TOP/tests/functional/safety-lib.sh"
[ "$(id -u)" = 0 ] || { echo "skipped: needs root to mount a tmpfs"; exit 77; }
disk=$T/disk
mkdir -p "$disk"
mount -t tmpfs -o size=8m shoebox-t0267 "$disk" || { echo "skipped: no tmpfs"; exit 77; }
unmount() { umount "$disk" 2>/dev/null; }
cleanup_hooks="unmount"
S=$T/drop
dated_jpegs "$S" 30
cp -a "$S" "$T/orig"
LIB=$disk/lib
export SB_HOOK_ON=syncfs
export SB_HOOK_CMD="dd if=/dev/zero of='$disk/filler' bs=4k 2>/dev/null; sync"
hsb -L "$LIB" import --move --no-progress "$S"
hook_fired
cat "$T/out" "$T/err"
[ $rc = 1 ] || fail "exit $rc"
grep -q ' 0 failed' "$T/out" || fail "files counted failed: $(cat "$T/out")"
n=$(sed -n 's/.* \([0-9]*\) not attempted (the library.s disk is full).*/\1/p' "$T/out")
[ -n "$n" ] && [ "$n" -gt 0 ] || fail "not attempted: $(cat "$T/out")"
grep -q "needed for the $n files\{0,1\} left" "$T/err" || fail "the message counts another number: $(cat "$T/err")"
catalog_matches_lib "full at commit"
moved_safely "$T/orig" "$S"
# Still full: whatever sqlite calls it ("disk I/O error" when its shared
# memory file cannot grow), the message says the disk is full.
rm -f "$LIB/.shoebox/catalog.db-shm"
csb -L "$LIB" import --move --no-progress "$S"
cat "$T/err"
[ $rc != 0 ] || fail "full: exit 0"
grep -q "full\|No space left on device" "$T/err" || fail "full: not said: $(cat "$T/err")"
grep -q "I/O error" "$T/err" && ! grep -q "disk is full" "$T/err" && fail "full: called an I/O error"
rm -f "$disk/filler"
csb -L "$LIB" import --move --no-progress "$S"
expect_rc 0
[ -z "$(ls -A "$S")" ] || fail "re-run left $(ls "$S")"
catalog_matches_lib "re-run"
exit 0
