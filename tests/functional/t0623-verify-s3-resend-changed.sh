#!/bin/sh
# verify --remote --download --resend finds a copy whose bytes went bad on
# the remote (bit rot on the server; on S3 its x-amz-meta-sha256 and ETag
# still those of the file sent) and queues it again: the next sync sends
# the file beside it (NAME-1.EXT), never over it and never calling the bad
# copy "already there" because of what its metadata claims; afterwards
# every copy the catalogue knows reads back intact. On S3 a single PUT, a
# multipart upload, and a file already beside another's name (its bad copy
# at NAME-1.EXT: it goes to NAME-2.EXT); on WebDAV and SFTP too. A copy
# found missing goes back under its own name.
. "$TOP/tests/functional/remote-lib.sh"
sb_init
command -v rclone >/dev/null || sb_skip "rclone not installed"
command -v ssh-keygen >/dev/null ||
    sb_skip "ssh-keygen not installed (openssh-client)"
sb_start_s3rver photos
sb_serve_webdav dav --dir-cache-time 0s
sb_serve_sftp --dir-cache-time 0s
cat >"$CFG" <<EOF2
$(sb_s3_section s3)
multipart_threshold = 5M
part_size = 5M
retries = 1
retry_delay = 0.1

$(sb_webdav_section nas)
retries = 1
retry_delay = 0.1

$(sb_sftp_section box)
retries = 1
retry_delay = 0.1
EOF2
d=2024/05/06
head -c 300000 /dev/urandom >"$W/a"
head -c 7000000 /dev/urandom >"$W/big"
head -c 200000 /dev/urandom >"$W/c"
head -c 100000 /dev/urandom >"$W/gone"
head -c 50000 /dev/urandom >"$W/theirs"
sb_add "$W/a" "$d/A.JPG"
sb_add "$W/big" "$d/BIG.MP4"
sb_add "$W/c" "$d/C.JPG"
sb_add "$W/gone" "$d/GONE.JPG"
sb_rclone_s3 "$S3_PORT"
# another's file at C.JPG first: C goes to C-1.JPG
sb_rclone copyto "$W/theirs" "s3:photos/$d/C.JPG" || sb_fail "rclone copyto"
sb_sync >"$W/out" 2>"$W/err" || { cat "$W/err"; sb_fail "first sync"; }
grep -q "remote s3: $d/C.JPG: a different file has that name there; sent as $d/C-1.JPG" \
    "$W/err" || { cat "$W/err"; sb_fail "C did not go beside another's"; }
sbv() {
	"$SHOEBOX" -L "$LIB" -c "$CFG" verify --no-progress "$@" >"$W/out" \
	    2>"$W/err"
}
# rot FILE: one byte of FILE (a copy on a remote) inverted, size the same
# (never written as a constant: one random byte in 256 already is it); the
# bad copy kept as FILE.bad, to show it is never replaced
rot() {
	[ -f "$1" ] || sb_fail "no $1"
	python3 - "$1" <<'PY' || sb_fail "cannot damage $1"
import sys
with open(sys.argv[1], "r+b") as f:
    f.seek(20000)
    b = f.read(1)[0]
    f.seek(20000)
    f.write(bytes([b ^ 0xFF]))
PY
	cp "$1" "$1.bad"
}
obj() { echo "$W/s3data/photos/$d/$1._S3rver_object"; }
same() { cmp -s "$1" "$2" || sb_fail "$3"; }

# S3: three copies rotten on the server, their metadata intact, one gone.
rot "$(obj A.JPG)"
rot "$(obj BIG.MP4)"
rot "$(obj C-1.JPG)"
sb_rclone deletefile "s3:photos/$d/GONE.JPG" || sb_fail "rclone deletefile"
sbv --remote s3	# HEAD alone: the metadata claims the bytes sent
grep -q "^4 copies on s3 verified: 3 intact, 0 changed, 1 missing" "$W/out" ||
    { cat "$W/out" "$W/err"; sb_fail "s3: HEAD alone"; }
sbv --remote s3 --download --resend && sb_fail "s3: --resend: rc 0"
grep -q "^4 copies on s3 verified: 0 intact, 3 changed, 1 missing, .*; 4 queued again for the next sync$" \
    "$W/out" || { cat "$W/out"; sb_fail "s3: --resend summary"; }
sb_sync s3 >"$W/out" 2>"$W/err" || { cat "$W/err"; sb_fail "s3: sync"; }
cat "$W/out" "$W/err"
grep -q "^remote s3: 4 files: 4 uploaded ([0-9.]* MB), 0 already there, 0 failed$" \
    "$W/out" || sb_fail "s3: a rotten copy was taken for the file"
# The copies sent again are not yet verified: the old copies' "changed"
# is not theirs (status and --sample read it).
[ "$(sqlite3 "$LIB/.shoebox/catalog.db" "SELECT count(*) FROM upload_jobs
    WHERE verify_status IS NOT NULL AND remote_id =
    (SELECT id FROM remotes WHERE name = 's3')")" = 0 ] ||
    sb_fail "s3: the copies sent again still carry the old copies' finding"
for n in A-1.JPG BIG-1.MP4 C-2.JPG; do
	grep -q "remote s3: $d/${n%%-*}.*: a different file has that name there; sent as $d/$n$" \
	    "$W/err" || sb_fail "s3: not sent beside as $n"
done
for n in A.JPG BIG.MP4 C-1.JPG; do
	same "$(obj $n)" "$(obj $n).bad" "s3: the rotten $n was replaced"
done
same "$(obj C.JPG)" "$W/theirs" "s3: another's file was replaced"
sb_rclone cat "s3:photos/$d/GONE.JPG" >"$W/got" || sb_fail "rclone cat"
same "$W/got" "$W/gone" "s3: the missing copy is not back"
sbv --remote s3 --download ||
    { cat "$W/out"; sb_fail "s3: not all intact after --resend and sync"; }
grep -q "^4 copies on s3 verified: 4 intact" "$W/out" ||
    { cat "$W/out"; sb_fail "s3: summary after"; }
sb_sync s3 >"$W/out" 2>"$W/err" || { cat "$W/err"; sb_fail "s3: sync again"; }
grep -q "^remote s3: 0 files" "$W/out" || { cat "$W/out"; sb_fail "s3: again"; }

# WebDAV and SFTP: a copy read back on each probe; the same outcome.
for r in nas:dav box:sftp; do
	name=${r%%:*}
	D=$W/${r#*:}/$d
	rot "$D/A.JPG"
	sbv --remote "$name" --download --resend &&
	    sb_fail "$name: --resend: rc 0"
	grep -q "^4 copies on $name verified: 3 intact, 1 changed, .*; 1 queued again for the next sync$" \
	    "$W/out" || { cat "$W/out"; sb_fail "$name: --resend summary"; }
	sb_sync "$name" >"$W/out" 2>"$W/err" ||
	    { cat "$W/err"; sb_fail "$name: sync"; }
	grep -q "^remote $name: 1 file: 1 uploaded" "$W/out" ||
	    { cat "$W/out"; sb_fail "$name: the rotten copy was taken"; }
	same "$D/A.JPG" "$D/A.JPG.bad" "$name: the rotten copy was replaced"
	same "$D/A-1.JPG" "$LIB/$d/A.JPG" "$name: not sent beside"
	rm "$D/A.JPG.bad"
	sbv --remote "$name" --download ||
	    { cat "$W/out"; sb_fail "$name: not all intact after"; }
done
exit 0
