#!/bin/sh
# restore killed (-9) mid-file on a library filesystem without O_TMPFILE
# (the fatlike shim): its download is a named temporary,
# .shoebox/tmp/partial.*. Before, the next restore finished the job and
# left it there for good (only import removed them). Now restore removes
# them as import does: under the library's lock, which every run that
# makes them holds while they live; while another run holds the lock,
# restore waits and they stay.
. "$TOP/tests/lib/common.sh"
. "$TOP/tests/functional/restore-lib.sh"
shim fatlike
shim hook
command -v flock >/dev/null || { echo "skipped: no flock(1)"; exit 77; }

rs_synced_library
rel=$(q "SELECT path FROM files WHERE path LIKE '%IMG_0002.JPG'")
rm "$LIB/$rel"
# killed once the download is whole, before it is linked
rc=0
LD_PRELOAD="$T/fatlike.so $T/hook.so" SB_HOOK_ON=fsync:partial. \
    SB_HOOK_SIGNAL=KILL SB_HOOK_LOG="$T/hook.log" \
    "$SHOEBOX" restore --remote usb --no-progress >"$T/out" 2>"$T/err" ||
    rc=$?
[ $rc = 137 ] || fail "restore exited $rc, not killed: $(cat "$T/err")"
[ -s "$T/hook.log" ] || fail "the hook did not fire: $(cat "$T/err")"
left=$(ls "$LIB/.shoebox/tmp" | grep '^partial\.')
[ -n "$left" ] || fail "no partial download left to clean: $(ls -l "$LIB/.shoebox/tmp")"
[ -e "$LIB/$rel" ] && fail "restored before it was killed"

# another run holds the lock: restore waits, the leftover stays
mkfifo "$T/go"
flock "$LIB/.shoebox/lock" sh -c "cat '$T/go' >/dev/null" &
holder=$!
i=0
while flock -n "$LIB/.shoebox/lock" true; do
	i=$((i + 1)); [ $i -lt 100 ] || fail "the lock was not taken"
	sleep 0.1
done
LD_PRELOAD="$T/fatlike.so" "$SHOEBOX" restore --remote usb --no-progress \
    >"$T/out" 2>"$T/err" &
pid=$!
i=0
until grep -q "waiting for it to finish" "$T/err"; do
	i=$((i + 1)); [ $i -lt 100 ] || { echo >"$T/go"; fail "restore did not wait"; }
	sleep 0.1
done
[ -e "$LIB/.shoebox/tmp/$left" ] || { echo >"$T/go"; fail "removed under another run's lock"; }
echo >"$T/go"
wait $holder
rc=0
wait $pid || rc=$?
[ $rc = 0 ] || fail "restore exited $rc: $(cat "$T/out" "$T/err")"
[ -e "$LIB/.shoebox/tmp/$left" ] && fail "$left is still there"
ls "$LIB/.shoebox/tmp" | grep -q '^partial\.' &&
    fail "left in tmp: $(ls -l "$LIB/.shoebox/tmp")"
cmp -s "$LIB/$rel" "$card/DCIM/100CANON/IMG_0002.JPG" ||
    fail "$rel did not come back"
sb verify --no-progress
expect_rc 0
echo ok
