#!/bin/sh
# Another program holds the catalogue locked for writing (sqlite3's BEGIN
# EXCLUSIVE, a backup tool, a hand-run query). An import waits for it at
# most the busy timeout in all (SHOEBOX_BUSY_TIMEOUT here; a minute by
# default), says after 3 s that it is waiting, and gives up with a message
# naming the catalogue; it went on waiting for 3000 timeouts, silently.
# Once the lock is let go within the timeout, the import goes on.
. "$TOP/tests/lib/common.sh"
command -v sqlite3 >/dev/null || { echo "skipped: no sqlite3"; exit 77; }
printf 'settle = 0\n' >"$T/c"
mkdir -p "$T/src"
cp "$TOP/tests/fixtures/Reagan.jpg" "$T/src/"
sb -c "$T/c" import --no-progress "$T/src"
expect_rc 0
DB=$LIB/.shoebox/catalog.db

# held: printf 'BEGIN EXCLUSIVE;...' | sqlite3 for SECONDS, in the background
held() {
	(printf 'BEGIN EXCLUSIVE;\nSELECT 1;\n'; sleep "$1") |
	    sqlite3 "$DB" >/dev/null &
	holder=$!
	sleep 1
}

# Held longer than the timeout: given up on, said, within bounds.
held 12
cp "$TOP/tests/fixtures/smiley2.jpg" "$T/src/"
start=$(date +%s)
SHOEBOX_BUSY_TIMEOUT=4000 sb -c "$T/c" import --no-progress "$T/src"
took=$(($(date +%s) - start))
cat "$T/out" "$T/err"
[ "$rc" = 1 ] || [ "$rc" = 2 ] || fail "held: exit $rc"
[ $took -le 10 ] || fail "held: waited $took s with a 4 s timeout"
grep -q "catalog.db: waiting for another program that is writing to it" "$T/err" ||
    fail "held: the wait was not said"
grep -q "catalog.db: another program has held it locked for [0-9]* s" "$T/err" ||
    fail "held: giving up was not said"
wait $holder

# Let go within the timeout: the import goes on.
held 5
SHOEBOX_BUSY_TIMEOUT=20000 sb -c "$T/c" import --no-progress "$T/src"
cat "$T/out" "$T/err"
expect_rc 0
[ "$(q 'SELECT count(*) FROM files')" = 2 ] || fail "not imported after the wait"
wait $holder
exit 0
