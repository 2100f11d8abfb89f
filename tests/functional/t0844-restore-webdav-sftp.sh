#!/bin/sh
# shoebox restore from WebDAV (rclone serve webdav, with a password) and
# SFTP (rclone serve sftp, a key, known_hosts checked): files deleted from
# the library come back byte for byte with their mtimes, from each; a file
# whose bytes changed on the server is refused (exit 1) and not linked.
# With --rebuild, every file each lists comes back.
. "$TOP/tests/functional/remote-lib.sh"
sb_init
command -v rclone >/dev/null || sb_skip "rclone not installed"
command -v ssh-keygen >/dev/null || sb_skip "ssh-keygen not installed (openssh-client)"

sb_serve_webdav dav --user photo --pass 'pa ss'
sb_serve_sftp
sb_dav_secret 'pa ss'
cat >"$CFG" <<EOF2
$(sb_webdav_section nas)
prefix = photos
user = photo
secret_file = $W/dav.secret
retry_delay = 0.1

$(sb_sftp_section box)
prefix = backup/photos
retry_delay = 0.1
EOF2
sb_add_set
head -c 3000000 /dev/urandom >"$W/big"
sb_add "$W/big" "2022/02/02/VID 0002.MP4" 1643800000500000000
n=$((NFILES + 1))
sb_sync >/dev/null 2>"$W/err" || { cat "$W/err"; sb_fail "sync"; }

state() {
	(cd "$LIB" && find . -type f -not -path './.shoebox/*' \
	    -exec openssl dgst -sha256 -r {} + | sort
	find . -type f -not -path './.shoebox/*' -printf '%P %T@\n' | LC_ALL=C sort)
}
state >"$W/before"
rst() { "$SHOEBOX" -L "$LIB" -c "$CFG" restore --no-progress "$@"; }
for r in nas box; do
	rm "$LIB/2019/07/04/Ünïcödé été+plus~1.jpg" "$LIB/2022/02/02/VID 0002.MP4" \
	    "$LIB/2020/01/01/empty.jpg"
	rst --remote $r >"$W/out" 2>"$W/err" || { cat "$W/out" "$W/err"; sb_fail "restore from $r"; }
	grep -q "^$n files on remote $r: 3 restored, $((n - 3)) present, 0 different, 0 failed" "$W/out" ||
	    { cat "$W/out"; sb_fail "$r: summary"; }
	state | diff "$W/before" - || sb_fail "$r: restored library differs"
done

# library and catalogue lost: both back from each, by its listing alone
# (PROPFIND, SFTP folder listings; sb_add_set's files are not media, so
# adopt catalogues none of them: the files are what is compared)
for r in nas box; do
	new=$W/new-$r
	"$SHOEBOX" -L "$new" -c "$CFG" restore --rebuild --remote $r --to "$new" \
	    --no-progress >"$W/out" 2>"$W/err" || { cat "$W/out" "$W/err"; sb_fail "rebuild from $r"; }
	grep -q "^$n files on remote $r: $n restored, 0 present, 0 different, 0 failed" "$W/out" ||
	    { cat "$W/out"; sb_fail "$r: rebuild summary"; }
	diff -r -x .shoebox "$LIB" "$new" || sb_fail "$r: rebuilt tree differs"
done

# a flipped byte on the servers (the same size: rclone's directory cache
# would otherwise announce the old length): refused
for f in "$W/dav/photos/2019/07/04/IMG 0001.JPG" \
    "$W/sftp/backup/photos/2019/07/04/IMG 0001.JPG"; do
	python3 - "$f" <<'PY'
import sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
b[500] ^= 1
open(p, "wb").write(b)
PY
done
for r in nas box; do
	rm -f "$LIB/2019/07/04/IMG 0001.JPG"
	rc=0
	rst --remote $r >"$W/out" 2>"$W/err" || rc=$?
	[ $rc = 1 ] || { cat "$W/out" "$W/err"; sb_fail "$r: exit $rc, expected 1"; }
	grep -q "IMG 0001.JPG: the remote's copy at 2019/07/04/IMG 0001.JPG is not the catalogued file (1000 bytes" "$W/err" ||
	    { cat "$W/err"; sb_fail "$r: message"; }
	[ -e "$LIB/2019/07/04/IMG 0001.JPG" ] && sb_fail "$r: other bytes were linked"
	[ -z "$(ls -A "$LIB/.shoebox/tmp")" ] || sb_fail "$r: temporaries left"
done
exit 0
