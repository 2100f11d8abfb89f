#!/bin/sh
# forget --dry-run of a file whose S3 multipart upload a killed sync left,
# its remote since taken out of the config: the dry run said "would abort
# its unfinished upload", exit 0, while the run itself cannot abort it
# (no remote to send the abort to) and names it with its upload id, exit
# 1. The dry run now says what the run will: named, upload id, exit 1.
. "$TOP/tests/functional/remote-lib.sh"
sb_init
mkdir -p "$W/disk"
printf '[remote usb]\ntype = dir\npath = %s\n' "$W/disk" >"$CFG"
head -c 1000 /dev/urandom >"$W/f"
sb_add "$W/f" "2019/07/01/a.jpg"
# the job a killed sync left: its upload id, on a remote no longer there
sqlite3 "$LIB/.shoebox/catalog.db" "INSERT INTO remotes (name) VALUES
    ('s3'); INSERT INTO upload_jobs (remote_id, file_id, upload_id,
    remote_path) SELECT r.id, f.id, 'UP-1', f.path FROM remotes r, files f
    WHERE r.name = 's3'" || sb_fail "sqlite3"
rm "$LIB/2019/07/01/a.jpg"
msg="the unfinished upload of 2019/07/01/a.jpg (upload id UP-1)"

"$SHOEBOX" -L "$LIB" -c "$CFG" forget --dry-run 2019/07/01/a.jpg \
    >"$W/out" 2>"$W/err"
rc=$?
cat "$W/out" "$W/err"
[ $rc = 1 ] || sb_fail "dry run: exit $rc, expected 1 (as the run)"
grep -q "would abort" "$W/out" && sb_fail "dry run promised an abort"
grep -q "^shoebox: forget: remote s3: $msg would not be aborted (not in the config): S3 keeps its parts, and bills them, until it is$" \
    "$W/err" || sb_fail "dry run: the upload not named"
[ "$(sqlite3 "$LIB/.shoebox/catalog.db" "SELECT upload_id FROM
    upload_jobs")" = UP-1 ] || sb_fail "dry run dropped the job"

"$SHOEBOX" -L "$LIB" -c "$CFG" forget 2019/07/01/a.jpg >"$W/out" 2>"$W/err"
rc=$?
[ $rc = 1 ] || sb_fail "run: exit $rc, expected 1"
grep -q "^shoebox: forget: remote s3: $msg could not be aborted (not in the config)" \
    "$W/err" || sb_fail "run: the upload not named"
exit 0
