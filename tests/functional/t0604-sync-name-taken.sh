#!/bin/sh
# A remote that already holds a file under our name, on S3, WebDAV, SFTP
# and a dir remote alike:
#  - a different file of the same size (another library, an older copy):
#    it is left untouched (same hash, same inode), ours goes up as
#    NAME-1.EXT, and the catalogue (the uploads view, status) says so;
#  - the identical file: marked done without an upload.
# A sync with the queue reset, and one with the remote names forgotten
# too, upload nothing.
. "$TOP/tests/functional/remote-lib.sh"
sb_init
command -v rclone >/dev/null || sb_skip "rclone not installed"
command -v ssh-keygen >/dev/null || sb_skip "ssh-keygen not installed (openssh-client)"

sha() { sha256sum <"$1" | cut -d' ' -f1; }

# the catalogue first (a sync needs a remote to make it)
mkdir -p "$W/disk"
printf '[remote usb]\ntype = dir\npath = %s\n' "$W/disk" >"$CFG"
sb_catalog
d=2019/07/04
head -c 50000 /dev/urandom >"$W/ours"
head -c 50000 /dev/urandom >"$W/theirs"
head -c 70000 /dev/urandom >"$W/same"
sb_add "$W/ours" "$d/a.jpg"
sb_add "$W/same" "$d/b.jpg"

# the remotes' own trees, seeded before their servers start
for t in dav/photos sftp/backup/photos disk; do
	mkdir -p "$W/$t/$d"
	cp "$W/theirs" "$W/$t/$d/a.jpg"
	cp "$W/same" "$W/$t/$d/b.jpg"
	stat -c '%i %Y' "$W/$t/$d/a.jpg" "$W/$t/$d/b.jpg" >"$W/$(echo $t | tr / _).before"
done

sb_start_s3rver photos
sb_rclone_s3 "$S3_PORT"
sb_rclone copyto "$W/theirs" "s3:photos/backup/$d/a.jpg" || sb_fail "seeding S3"
sb_rclone copyto "$W/same" "s3:photos/backup/$d/b.jpg" || sb_fail "seeding S3"
puts0=$(grep -c '^PUT' "$W/s3rver.log")

sb_serve_webdav dav
sb_serve_sftp

cat >"$CFG" <<EOF2
$(sb_s3_section s3)
prefix = backup

$(sb_webdav_section dav)
prefix = photos

$(sb_sftp_section box)
prefix = backup/photos

[remote usb]
type = dir
path = $W/disk
EOF2

sb_sync --json >"$W/out.json" 2>"$W/err" || { cat "$W/err" "$W/out.json"; sb_fail "sync"; }
cat "$W/err"
grep -q '"summary":true,"uploaded":4,"bytes":200000,"skipped":4,' "$W/out.json" ||
    { cat "$W/out.json"; sb_fail "expected 4 uploads (a-1.jpg) and 4 already there (b.jpg)"; }
grep -q "remote usb: $d/a.jpg: a different file has that name there; sent as $d/a-1.jpg" "$W/err" ||
    sb_fail "no message about the other name"

# theirs untouched, ours beside it, b.jpg not rewritten
for t in dav/photos sftp/backup/photos disk; do
	[ "$(sha "$W/$t/$d/a.jpg")" = "$(sha "$W/theirs")" ] || sb_fail "$t: their a.jpg was replaced"
	[ "$(sha "$W/$t/$d/a-1.jpg")" = "$(sha "$W/ours")" ] || sb_fail "$t: our a-1.jpg is wrong"
	stat -c '%i %Y' "$W/$t/$d/a.jpg" "$W/$t/$d/b.jpg" |
	    cmp -s - "$W/$(echo $t | tr / _).before" || sb_fail "$t: a.jpg or b.jpg rewritten"
	ls -a "$W/$t/$d" | grep -q shoebox && sb_fail "$t: a temporary file is left"
done
[ "$(sb_rclone cat "s3:photos/backup/$d/a.jpg" | sha256sum | cut -d' ' -f1)" = "$(sha "$W/theirs")" ] ||
    sb_fail "s3: their a.jpg was replaced"
[ "$(sb_rclone cat "s3:photos/backup/$d/a-1.jpg" | sha256sum | cut -d' ' -f1)" = "$(sha "$W/ours")" ] ||
    sb_fail "s3: our a-1.jpg is wrong"
grep '^PUT' "$W/s3rver.log" | tail -n +$((puts0 + 1)) >"$W/puts"
cat "$W/puts"
[ "$(cat "$W/puts")" = "PUT /photos/backup/$d/a-1.jpg 200" ] || sb_fail "s3: PUTs other than a-1.jpg"

# where each file went, as the catalogue says
cat >"$W/expected" <<EOF2
box|$d/a.jpg|$d/a-1.jpg|0
box|$d/b.jpg|$d/b.jpg|1
dav|$d/a.jpg|$d/a-1.jpg|0
dav|$d/b.jpg|$d/b.jpg|1
s3|$d/a.jpg|$d/a-1.jpg|0
s3|$d/b.jpg|$d/b.jpg|1
usb|$d/a.jpg|$d/a-1.jpg|0
usb|$d/b.jpg|$d/b.jpg|1
EOF2
db="$LIB/.shoebox/catalog.db"
sqlite3 "$db" "SELECT remote, path, remote_path, already_there FROM uploads
    ORDER BY remote, path" >"$W/uploads"
diff "$W/expected" "$W/uploads" || sb_fail "the uploads view"
"$SHOEBOX" -L "$LIB" -c "$CFG" status >"$W/status" || sb_fail status
cat "$W/status"
[ "$(grep -c "renamed $d/a.jpg -> $d/a-1.jpg" "$W/status")" = 4 ] ||
    sb_fail "status does not show the other name"

# again with the queue reset, then with the names forgotten: nothing sent
sqlite3 "$db" "UPDATE upload_jobs SET status = 'pending'"
sb_sync --json >"$W/out2.json" 2>"$W/err" || { cat "$W/err"; sb_fail "second sync"; }
grep -q '"summary":true,"uploaded":0,"bytes":0,"skipped":8,' "$W/out2.json" ||
    { cat "$W/out2.json"; sb_fail "second sync sent something"; }
sqlite3 "$db" "UPDATE upload_jobs SET status = 'pending', remote_path = NULL"
sb_sync --json >"$W/out3.json" 2>"$W/err" || { cat "$W/err"; sb_fail "third sync"; }
grep -q '"summary":true,"uploaded":0,"bytes":0,"skipped":8,' "$W/out3.json" ||
    { cat "$W/out3.json"; sb_fail "third sync sent something"; }
sqlite3 "$db" "SELECT remote, path, remote_path, already_there FROM uploads
    ORDER BY remote, path" | sed 's/|[01]$//' >"$W/uploads"
sed 's/|[01]$//' "$W/expected" | diff - "$W/uploads" || sb_fail "the names after the third sync"
[ "$(grep -c '^PUT' "$W/s3rver.log")" = $((puts0 + 1)) ] || sb_fail "s3: PUTs after the first sync"
exit 0
