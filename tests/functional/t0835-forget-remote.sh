#!/bin/sh
# forget --remote NAME: refused while NAME is in the config (unless
# --force); says what it drops (files, done, pending, failed); --dry-run
# drops nothing; then the remote's jobs are gone, status no longer lists
# it, another remote's jobs are untouched, and nothing on disk changed.
. "$TOP/tests/functional/remote-lib.sh"
sb_init
mkdir -p "$W/a" "$W/b"
cat >"$CFG" <<EOF2
settle = 0

[remote old]
type = dir
path = $W/a

[remote keep]
type = dir
path = $W/b
EOF2
sb_add_set
sb_sync >"$W/out" 2>"$W/err" || { cat "$W/err"; sb_fail "sync"; }
q() { sqlite3 "$LIB/.shoebox/catalog.db" "$@"; }
sbf() {
	"$SHOEBOX" -L "$LIB" -c "$CFG" forget "$@" >"$W/out" 2>"$W/err"
}
# one pending job, one failed, on the remote to forget
q "UPDATE upload_jobs SET status = 'pending' WHERE remote_id = (SELECT id FROM remotes WHERE name = 'old') AND id =
    (SELECT min(id) FROM upload_jobs WHERE remote_id = (SELECT id FROM remotes WHERE name = 'old'))"
q "UPDATE upload_jobs SET status = 'failed' WHERE remote_id = (SELECT id FROM remotes WHERE name = 'old') AND id =
    (SELECT max(id) FROM upload_jobs WHERE remote_id = (SELECT id FROM remotes WHERE name = 'old'))"

sbf --remote old
[ $? = 2 ] || sb_fail "a configured remote was not refused"
grep -q "remote old is still in the config.*--force" "$W/err" ||
    { cat "$W/err"; sb_fail "refusal message"; }
[ "$(q "SELECT count(*) FROM upload_jobs WHERE remote_id = (SELECT id FROM remotes WHERE name = 'old')")" = $NFILES ] ||
    sb_fail "refused, but jobs dropped"

# taken out of the config
cat >"$CFG" <<EOF2
settle = 0

[remote keep]
type = dir
path = $W/b
EOF2
"$SHOEBOX" -L "$LIB" -c "$CFG" status >"$W/status" 2>&1
grep -q old "$W/status" || { cat "$W/status"; sb_fail "status before forget"; }
sbf --remote old --dry-run || { cat "$W/err"; sb_fail "--dry-run"; }
grep -qx "would forget remote old: $NFILES files ($((NFILES - 2)) done, 1 pending, 1 failed)" \
    "$W/out" || { cat "$W/out"; sb_fail "--dry-run message"; }
[ "$(q "SELECT count(*) FROM upload_jobs WHERE remote_id = (SELECT id FROM remotes WHERE name = 'old')")" = $NFILES ] ||
    sb_fail "--dry-run dropped jobs"
sbf --remote old --json || { cat "$W/err"; sb_fail "forget"; }
grep -q "\"remote\":\"old\",\"files\":$NFILES,\"done\":$((NFILES - 2)),\"pending\":1,\"failed\":1,\"dry_run\":false" \
    "$W/out" || { cat "$W/out"; sb_fail "JSON"; }
[ "$(q "SELECT count(*) FROM upload_jobs WHERE remote_id = (SELECT id FROM remotes WHERE name = 'old')")" = 0 ] ||
    sb_fail "jobs left"
[ "$(q "SELECT count(*) FROM upload_jobs WHERE remote_id = (SELECT id FROM remotes WHERE name = 'keep') AND status = 'done'")" = $NFILES ] ||
    sb_fail "the other remote's jobs changed"
[ "$(find "$W/a" -type f | wc -l)" = $NFILES ] || sb_fail "the remote's files changed"
"$SHOEBOX" -L "$LIB" -c "$CFG" status >"$W/status" 2>&1
grep -q old "$W/status" && { cat "$W/status"; sb_fail "status still lists it"; }
# twice: nothing to forget
sbf --remote old
[ $? = 2 ] || sb_fail "forgetting nothing: rc"
grep -q "nothing of a remote called old" "$W/err" || { cat "$W/err"; sb_fail "message"; }

# --force on a configured remote; its next sync queues and finds them all
sbf --remote keep --force || { cat "$W/err"; sb_fail "--force"; }
[ "$(q "SELECT count(*) FROM upload_jobs")" = 0 ] || sb_fail "jobs left after --force"
sb_sync --json >"$W/out" 2>"$W/err" || { cat "$W/err"; sb_fail "sync after forget"; }
grep -q "\"summary\":true,\"uploaded\":0,\"bytes\":0,\"skipped\":$NFILES," "$W/out" ||
    { cat "$W/out"; sb_fail "sync after forget"; }
sbf && sb_fail "no --remote accepted"
exit 0
