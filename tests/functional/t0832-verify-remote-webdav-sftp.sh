#!/bin/sh
# verify --remote on WebDAV and SFTP (rclone serve): size only without
# --download ("unverified", exit 0); a deleted copy is missing; a copy
# replaced by other bytes of the same size is seen with --download.
# (rclone serves with no directory cache: the test changes its folders
# behind its back)
. "$TOP/tests/functional/remote-lib.sh"
sb_init
command -v rclone >/dev/null || sb_skip "rclone not installed"
command -v ssh-keygen >/dev/null || sb_skip "ssh-keygen not installed (openssh-client)"

sb_serve_webdav dav --dir-cache-time 0s --user photo --pass secret
sb_serve_sftp --dir-cache-time 0s
sb_dav_secret secret
cat >"$CFG" <<EOF2
settle = 0

$(sb_webdav_section nas)
prefix = photos
user = photo
secret_file = $W/dav.secret
retries = 1
retry_delay = 0.1

$(sb_sftp_section box)
prefix = backup/photos
retries = 1
retry_delay = 0.1
EOF2
sb_add_set
sb_sync >"$W/out" 2>"$W/err" || { cat "$W/err"; sb_fail "sync"; }
sbv() {
	"$SHOEBOX" -L "$LIB" -c "$CFG" verify --no-progress "$@" >"$W/out" \
	    2>"$W/err"
}
rel="2019/07/04/Ünïcödé été+plus~1.jpg"
head -c 300000 /dev/urandom >"$W/other"

for r in nas:dav/photos box:sftp/backup/photos; do
	name=${r%%:*}
	D=$W/${r#*:}
	sbv --remote "$name" || { cat "$W/out" "$W/err"; sb_fail "$name intact: rc $?"; }
	grep -q "^$NFILES copies on $name verified: 0 intact, 0 changed, 0 missing, 0 unreadable, $NFILES unverified" \
	    "$W/out" || { cat "$W/out"; sb_fail "$name summary"; }
	sbv --remote "$name" --download ||
	    { cat "$W/out" "$W/err"; sb_fail "$name --download: rc $?"; }
	grep -q "^$NFILES copies on $name verified: $NFILES intact" "$W/out" ||
	    { cat "$W/out"; sb_fail "$name summary with --download"; }

	rm "$D/2019/07/04/IMG 0001.JPG" || sb_fail "$D"
	cp "$W/other" "$D/$rel"
	sbv --remote "$name" && { cat "$W/out" "$W/err"; ls -laR "$D"; sb_fail "$name damage: rc 0"; }
	grep -q '^missing  *2019/07/04/IMG 0001.JPG$' "$W/out" ||
	    { cat "$W/out"; sb_fail "$name: deleted copy not reported"; }
	grep -q "^changed" "$W/out" && { cat "$W/out"; sb_fail "$name: seen without reading?"; }
	sbv --remote "$name" --download && sb_fail "$name --download: rc 0"
	grep -q "^changed  *$rel: content read back differs" "$W/out" ||
	    { cat "$W/out"; sb_fail "$name: replaced copy not reported"; }
done
exit 0
