#!/bin/sh
# A sync whose catalogue is locked by another program (a long write, a
# stuck sqlite3 shell) just after a file went up: the upload cannot be
# recorded. sync must not call that run good: it says so, exits 1, and
# the next sync (the lock gone) finds the file there and records it; every
# file ends up on the remote once.
. "$TOP/tests/lib/common.sh"
command -v sqlite3 >/dev/null || { echo "skipped: sqlite3 is needed"; exit 77; }
shim hook
sample_library
mkdir "$T/usb"
DB=$L/.shoebox/catalog.db
n=$(q "SELECT count(*) FROM upload_jobs WHERE status = 'pending'")
[ "$n" -gt 2 ] || fail "expected pending uploads, got $n"

# The first copy made durable on the remote: another program takes the
# catalogue for 4 s (waited for until it holds it); we wait 1 s at most.
cat >"$T/lock.sh" <<EOF
(echo 'BEGIN EXCLUSIVE;'; echo "SELECT 'locked';"; sleep 4; echo 'COMMIT;') |
    sqlite3 "$DB" >"$T/locked" 2>&1 &
i=0
while [ ! -s "$T/locked" ] && [ \$i -lt 50 ]; do sleep 0.1; i=\$((i + 1)); done
EOF
rc=0 sb_args="sync, the catalogue locked after the first copy"
LD_PRELOAD=$T/hook.so SB_HOOK_ON="fsync:$T/usb" SB_HOOK_WHEN=after \
    SB_HOOK_CMD="sh $T/lock.sh" SB_HOOK_LOG=$T/hook.log \
    SHOEBOX_BUSY_TIMEOUT=1000 "$SHOEBOX" sync --no-progress -t 1 \
    >"$T/out" 2>"$T/err" || rc=$?
grep -q fired "$T/hook.log" || fail "the hook never fired"
grep -q locked "$T/locked" || fail "the catalogue was never locked"
expect_rc 1
grep -q "the catalogue could not record what became of" "$T/err" ||
    { cat "$T/err" >&2; fail "no word that an upload went unrecorded"; }
sleep 4
sb sync --no-progress
expect_rc 0
[ "$(q "SELECT count(*) FROM upload_jobs WHERE status != 'done'")" = 0 ] ||
    fail "uploads left undone: $(q "SELECT path, status FROM upload_jobs")"
# Every library file is on the remote once, whole.
(cd "$L" && find . -type f -not -path './.shoebox/*' | sort) >"$T/lib.list"
(cd "$T/usb" && find . -type f | sort) >"$T/usb.list"
diff -u "$T/lib.list" "$T/usb.list" >&2 || fail "remote differs from library"
echo "ok"
