#!/bin/sh
# A schema 10 catalogue converted on a disk without room for the
# conversion (its rows written again in one transaction): the import says
# the disk is full and that the catalogue was not converted and is left as
# it was, naming it; nothing else ("cannot rollback - no transaction is
# active" after sqlite rolled back by itself). Exit 2; the catalogue is
# whole, still schema 10, with every row. With room made, the next import
# converts it and goes on.
. "$TOP/tests/lib/common.sh"
command -v sqlite3 >/dev/null || { echo "skipped: no sqlite3"; exit 77; }
[ "$(id -u)" = 0 ] || { echo "needs root to mount a tmpfs"; exit 77; }

sample_library
catalog_to_schema_10
# rows enough that converting them needs megabytes
q "WITH RECURSIVE n(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM n
   WHERE k < 20000) INSERT INTO files (path, sha256, size, mtime_ns,
   date_source, taken_utc, imported_at, mime, kind, make, model, taken)
   SELECT 'extra/' || k || '.jpg', randomblob(32), size, mtime_ns,
   date_source, taken_utc, imported_at, mime, kind, make, model, taken
   FROM files, n WHERE id = 2" || fail "extra rows"
rows=$(q "SELECT count(*) FROM files")
rm -f "$LIB/.shoebox/catalog.db-wal" "$LIB/.shoebox/catalog.db-shm"

disk=$T/disk
mkdir -p "$disk"
size=$(du -sk "$LIB" | cut -f1)
mount -t tmpfs -o size=$((size + 1024))k shoebox-t0853 "$disk" ||
    { echo "cannot mount a tmpfs"; exit 77; }
unmount() { umount "$disk" 2>/dev/null; }
cleanup_hooks="unmount"
cp -a "$LIB" "$disk/lib" || fail "the library does not fit"
LIB=$disk/lib
cp "$LIB/.shoebox/catalog.db" "$T/before.db"

sb -L "$LIB" import --no-progress "$card"
cat "$T/out" "$T/err"
expect_rc 2
grep -q "catalog.db: database or disk is full" "$T/err" || fail "the full disk not said"
grep -q "catalog.db: not converted from schema 10 to 12; it is left as it was" "$T/err" ||
    fail "not said that the catalogue was left as it was"
grep -q "no transaction is active" "$T/err" && fail "a rollback of nothing said"
[ "$(q "PRAGMA integrity_check")" = ok ] || fail "the catalogue is damaged"
[ "$(q "PRAGMA user_version")" = 10 ] || fail "schema $(q "PRAGMA user_version")"
[ "$(q "SELECT count(*) FROM files")" = "$rows" ] || fail "rows lost"

mount -o remount,size=$((size * 4 + 8192))k "$disk" || fail "remount"
sb -L "$LIB" import --no-progress "$card"
cat "$T/out" "$T/err"
expect_rc 0
[ "$(q "PRAGMA user_version")" = 12 ] || fail "not converted with room made"
[ "$(q "SELECT count(*) FROM files")" = "$rows" ] || fail "rows lost converting"
exit 0
