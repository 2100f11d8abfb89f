#!/bin/sh
# shoebox restore from S3 (s3rver): files deleted from the library come
# back byte for byte with their mtimes, including one that went up as
# NAME-1.EXT because another object held its name (restore fetches the
# job's remote_path, not the name) and a multipart one; an object replaced
# on the remote by other bytes is refused (not linked, reported, exit 1)
# while the others are restored.
. "$TOP/tests/functional/remote-lib.sh"
sb_init
command -v rclone >/dev/null || sb_skip "rclone not installed"
sb_start_s3rver photos
cat >"$CFG" <<EOF2
$(sb_s3_section s3)
prefix = backup
multipart_threshold = 6M
part_size = 5M
retry_delay = 0.1
EOF2
sb_add_set
head -c 13000000 /dev/urandom >"$W/big"
sb_add "$W/big" "2022/02/02/VID 0001.MP4" 1643800000999999999
head -c 5000 /dev/urandom >"$W/ours"
head -c 5000 /dev/urandom >"$W/theirs"
sb_add "$W/ours" "2023/05/05/a.jpg"
n=$((NFILES + 2))
sb_rclone_s3 "$S3_PORT"
sb_rclone copyto "$W/theirs" "s3:photos/backup/2023/05/05/a.jpg" || sb_fail "seeding S3"
sb_sync >/dev/null 2>"$W/err" || { cat "$W/err"; sb_fail "sync"; }
[ "$(sqlite3 "$LIB/.shoebox/catalog.db" "SELECT remote_path FROM uploads WHERE path = '2023/05/05/a.jpg'")" = 2023/05/05/a-1.jpg ] ||
    sb_fail "a.jpg should have gone up as a-1.jpg"

state() {
	(cd "$LIB" && find . -type f -not -path './.shoebox/*' \
	    -exec openssl dgst -sha256 -r {} + | sort
	find . -type f -not -path './.shoebox/*' -printf '%P %T@\n' | LC_ALL=C sort)
}
state >"$W/before"
rm "$LIB/2019/07/04/Ünïcödé été+plus~1.jpg" "$LIB/2022/02/02/VID 0001.MP4" \
    "$LIB/2023/05/05/a.jpg" "$LIB/2020/01/01/empty.jpg"
rmdir "$LIB/2022/02/02" "$LIB/2020/01/01"
rst() { "$SHOEBOX" -L "$LIB" -c "$CFG" restore --remote s3 --no-progress "$@"; }
rst >"$W/out" 2>"$W/err" || { cat "$W/out" "$W/err"; sb_fail "restore"; }
grep -q "^$n files on remote s3: 4 restored, $((n - 4)) present, 0 different, 0 failed" "$W/out" ||
    { cat "$W/out"; sb_fail "summary"; }
state | diff "$W/before" - || sb_fail "restored library differs"
[ "$(sha256sum <"$LIB/2023/05/05/a.jpg")" = "$(sha256sum <"$W/ours")" ] ||
    sb_fail "a.jpg restored from the other object"

# the remote's copy replaced by other bytes: refused
rm "$LIB/2019/07/04/IMG 0001.JPG" "$LIB/2023/05/05/a.jpg"
sb_rclone copyto "$W/theirs" "s3:photos/backup/2019/07/04/IMG 0001.JPG" ||
    sb_fail "replacing the object"
rc=0
rst --json >"$W/out" 2>"$W/err" || rc=$?
[ $rc = 1 ] || { cat "$W/out" "$W/err"; sb_fail "exit $rc, expected 1"; }
# (5000 bytes for 1000: the download stops at the 1001st)
grep -q '"path":"2019/07/04/IMG 0001.JPG".*"status":"failed".*the remote sent more than the 1000 bytes catalogued' "$W/out" ||
    { cat "$W/out"; sb_fail "corrupt object not reported"; }
grep -q '"restored":1,"present":4,"different":0,"failed":1' "$W/out" ||
    { cat "$W/out"; sb_fail "json summary"; }
[ -e "$LIB/2019/07/04/IMG 0001.JPG" ] && sb_fail "a wrong object was linked"
[ -f "$LIB/2023/05/05/a.jpg" ] || sb_fail "a.jpg not restored"
[ -z "$(ls -A "$LIB/.shoebox/tmp")" ] || sb_fail "temporaries left"

# a remote that refuses: stops at once, says why, exit 1
sed -i 's/^secret_access_key = SKTEST/secret_access_key = WRONG/' "$CFG"
rm "$LIB/2023/05/05/a.jpg"
rc=0
rst >"$W/out" 2>"$W/err" || rc=$?
[ $rc = 1 ] || { cat "$W/out" "$W/err"; sb_fail "bad key: exit $rc"; }
grep -qi "signature\|refused\|403" "$W/err" || { cat "$W/err"; sb_fail "bad key message"; }
[ -e "$LIB/2023/05/05/a.jpg" ] && sb_fail "restored with a bad key"
exit 0
