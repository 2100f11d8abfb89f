#!/bin/sh
# A remote added to a library that already has files: status counts them as
# pending ("N not yet queued") before its first sync queues them, and in
# --json (not_queued); after the sync, nothing is pending.
. "$TOP/tests/functional/remote-lib.sh"
sb_init
mkdir -p "$W/d1" "$W/d2"
printf '[remote one]\ntype = dir\npath = %s\n' "$W/d1" >"$CFG"
sb_add_set
sb_sync 2>"$W/err" || { cat "$W/err"; sb_fail "first sync"; }
bytes=$(sqlite3 "$LIB/.shoebox/catalog.db" "SELECT sum(size) FROM files")
# hsize N: N bytes as status shows them (12.3 kB: powers of 1000).
hsize() {
	python3 -c 'import sys
v, u = float(sys.argv[1]), 0
while v >= 999.95 and u < 5:
    v /= 1000; u += 1
print(("%.0f %s" if u == 0 else "%.1f %s") % (v, ["B", "kB", "MB", "GB", "TB", "PB"][u]))' "$1"
}
printf '[remote two]\ntype = dir\npath = %s\n' "$W/d2" >>"$CFG"
"$SHOEBOX" -L "$LIB" -c "$CFG" status >"$W/status" || sb_fail status
cat "$W/status"
grep -q "^one: 0 pending (0 B), $NFILES done, 0 failed$" "$W/status" ||
    sb_fail "the first remote"
grep -q "^two: $NFILES pending ($(hsize $bytes), $NFILES not yet queued), 0 done, 0 failed$" "$W/status" ||
    sb_fail "the new remote should count every file as pending"
"$SHOEBOX" -L "$LIB" -c "$CFG" status --json >"$W/status.json" || sb_fail status
grep -q "\"remote\":\"two\",\"configured\":true,\"pending\":$NFILES,\"pending_bytes\":$bytes,\"not_queued\":$NFILES," "$W/status.json" ||
    { cat "$W/status.json"; sb_fail "status --json"; }
# one more file, imported with both remotes configured, is queued for both
head -c 500 /dev/urandom >"$W/r9"
sb_add "$W/r9" "2021/05/05/new.jpg"
sqlite3 "$LIB/.shoebox/catalog.db" "INSERT INTO upload_jobs (remote_id, file_id,
    queued_at) SELECT (SELECT id FROM remotes WHERE name = 'one'), max(id),
    '2024-01-01T00:00:00Z' FROM files" ||
    sb_fail "queue"
"$SHOEBOX" -L "$LIB" -c "$CFG" status >"$W/status" || sb_fail status
grep -q "^one: 1 pending (500 B), $NFILES done, 0 failed$" "$W/status" ||
    { cat "$W/status"; sb_fail "a queued file counts once"; }
grep -q "^two: $((NFILES + 1)) pending ($(hsize $((bytes + 500))), $((NFILES + 1)) not yet queued)" "$W/status" ||
    { cat "$W/status"; sb_fail "the new remote"; }
sb_sync 2>"$W/err" || { cat "$W/err"; sb_fail "sync"; }
"$SHOEBOX" -L "$LIB" -c "$CFG" status >"$W/status" || sb_fail status
grep -q "^two: 0 pending (0 B), $((NFILES + 1)) done, 0 failed$" "$W/status" ||
    { cat "$W/status"; sb_fail "after the sync"; }
exit 0
