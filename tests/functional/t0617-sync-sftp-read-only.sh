#!/bin/sh
# An SFTP server that refuses every new file (rclone serve sftp
# --read-only; curl calls that "remote file not found"): each file fails
# with a message saying so, none is taken for a changed library file or
# failed without a word (an empty file was), none is marked done, exit 1.
. "$TOP/tests/functional/remote-lib.sh"
sb_init
command -v rclone >/dev/null || sb_skip "rclone not installed"
command -v ssh-keygen >/dev/null || sb_skip "ssh-keygen not installed (openssh-client)"
sb_serve_sftp --read-only
{ sb_sftp_section ro; echo "retry_delay = 0.1"; } >"$CFG"
sb_add_set
sb_sync >"$W/out" 2>"$W/err"
rc=$?
cat "$W/out" "$W/err"
[ $rc = 1 ] || sb_fail "exit $rc, expected 1"
[ "$(grep -c "^shoebox: remote ro: .*: the server could not create .*(a folder it cannot make, or a read-only server)$" "$W/err")" = "$NFILES" ] ||
    sb_fail "not one message for each file, saying what happened"
grep -q "differ\|: $" "$W/err" && sb_fail "a misleading or empty message"
[ "$(sqlite3 "$LIB/.shoebox/catalog.db" "SELECT count(*) FROM upload_jobs WHERE status = 'done'")" = 0 ] ||
    sb_fail "a file marked done"
[ -z "$(find "$W/sftp" -type f | head -n 1)" ] || sb_fail "something written"
exit 0
