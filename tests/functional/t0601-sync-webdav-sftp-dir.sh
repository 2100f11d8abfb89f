#!/bin/sh
# sync to WebDAV (rclone serve webdav, with a password), SFTP (rclone serve
# sftp, a key, known_hosts checked) and a directory; rclone check agrees
# with the library; a second pass finds everything already there; a host
# key not in known_hosts is refused.
. "$TOP/tests/functional/remote-lib.sh"
sb_init
command -v rclone >/dev/null || sb_skip "rclone not installed"
command -v ssh-keygen >/dev/null || sb_skip "ssh-keygen not installed (openssh-client)"

mkdir -p "$W/disk"
sb_serve_webdav dav --user photo --pass 'pa ss'
sb_serve_sftp

sb_dav_secret 'pa ss'
chmod 644 "$W/dav.secret"
cat >"$CFG" <<EOF2
$(sb_webdav_section nas)
prefix = photos
user = photo
secret_file = $W/dav.secret

$(sb_sftp_section box)
prefix = backup/photos

[remote usb]
type = dir
path = $W/disk
EOF2

# a secret file others can read is refused, saying how to fix it
sb_sync nas >"$W/out" 2>"$W/err" && sb_fail "readable secret_file accepted"
grep -q "chmod 600 $W/dav.secret" "$W/err" || { cat "$W/err"; sb_fail "no chmod hint"; }
chmod 600 "$W/dav.secret"

sb_add_set
head -c 3000000 /dev/urandom >"$W/big"
sb_add "$W/big" "2022/02/02/VID 0002.MP4" 1643800000500000000
n=$((NFILES + 1))
sb_sync --json >"$W/out.json" 2>"$W/err" || { cat "$W/err" "$W/out.json"; sb_fail "sync"; }
grep -q "\"summary\":true,\"uploaded\":$((3 * n))," "$W/out.json" ||
    { cat "$W/out.json"; sb_fail "not everything uploaded"; }
grep -q 'pa ss' "$W/err" "$W/out.json" && sb_fail "the password was printed"

cat >"$W/rclone.conf" <<EOR
[dav]
type = webdav
url = http://127.0.0.1:$DAV_PORT/
user = photo
pass = $(rclone obscure 'pa ss')
EOR
sb_check dav:photos
sb_check "$W/sftp/backup/photos"
sb_check "$W/disk"
# the directory copy keeps mtimes to the nanosecond
[ "$(stat -c %.9Y "$W/disk/2022/02/02/VID 0002.MP4")" = 1643800000.500000000 ] ||
    sb_fail "dir mtime"
ls -la "$W/disk/2022/02/02/" | grep -q shoebox && sb_fail "temporary file left"

# everything is found already there
sqlite3 "$LIB/.shoebox/catalog.db" "UPDATE upload_jobs SET status = 'pending'"
sb_sync --json >"$W/out2.json" 2>"$W/err" || { cat "$W/err"; sb_fail "second sync"; }
grep -q "\"summary\":true,\"uploaded\":0,\"bytes\":0,\"skipped\":$((3 * n))," "$W/out2.json" ||
    { cat "$W/out2.json"; sb_fail "second sync should skip everything"; }

# an unknown host key is refused, with a hint, and not retried
ssh-keygen -q -t ed25519 -N '' -f "$W/ssh/other" || sb_fail ssh-keygen
echo "[127.0.0.1]:$SFTP_PORT $(cut -d' ' -f1,2 "$W/ssh/other.pub")" >"$W/ssh/known_hosts"
sqlite3 "$LIB/.shoebox/catalog.db" "UPDATE upload_jobs SET status = 'pending' WHERE remote_id = (SELECT id FROM remotes WHERE name = 'box')"
sb_sync box >"$W/out" 2>"$W/err"
rc=$?
cat "$W/err"
[ $rc = 2 ] || sb_fail "exit $rc with a wrong host key"
grep -q 'known_hosts' "$W/err" || sb_fail "no known_hosts hint"
exit 0
