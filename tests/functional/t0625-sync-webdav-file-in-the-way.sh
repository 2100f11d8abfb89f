#!/bin/sh
# WebDAV: a plain file on the server where one of a photo's folders should
# be (2018/01 for 2018/01/04/a.jpg). That one upload fails, naming the
# file and the folder in the way, as the dir and SFTP remotes do; the
# other files still go, and so do those of a later sync (the remote is
# not stopped, nothing else stays pending). rclone answers 405 to the
# MKCOLs and 404 to the PUT; Apache's mod_dav 409 to the MKCOL of
# 2018/01/04, or to the PUT (here from the fault proxy).
# And the other way round: a folder where a photo should be
# (2021/02/03/f.jpg/; rclone answers a HEAD of it with 405). The photo goes
# beside it as f-1.jpg, the others go, the remote is not stopped.
. "$TOP/tests/functional/remote-lib.sh"
sb_init
command -v rclone >/dev/null || sb_skip "rclone not installed"

mkdir -p "$W/dav/photos/2018" "$W/dav/p2/2018"
echo "not a folder" >"$W/dav/photos/2018/01"
echo "not a folder" >"$W/dav/p2/2018/01"
sb_serve_webdav dav
cat >"$CFG" <<EOF2
$(sb_webdav_section nas)
prefix = photos
EOF2
for f in a b c d e; do
	head -c 3000 /dev/urandom >"$W/$f"
done
sb_add "$W/a" 2018/01/04/a.jpg
sb_add "$W/b" 2019/07/04/b.jpg
sb_add "$W/c" 2020/01/01/c.jpg

# sb_in_the_way N UPLOADED FAILED: one sync of remote nas, exit 1, the
# one message naming a.jpg and the folder, N files, none not attempted.
sb_in_the_way() {
	sb_expect nas 1 "2018/01/04/a.jpg: folder photos/2018/01 is a file, not a folder"
	cat "$W/out"
	grep -q "^remote nas: $1 files: $2 uploaded ([0-9.]* kB), 0 already there, $3 failed$" "$W/out" ||
	    sb_fail "the summary"
}
sb_in_the_way 3 2 1
[ "$(cat "$W/dav/photos/2018/01")" = "not a folder" ] || sb_fail "the file in the way changed"
cmp "$W/b" "$W/dav/photos/2019/07/04/b.jpg" || sb_fail "b.jpg not sent"
cmp "$W/c" "$W/dav/photos/2020/01/01/c.jpg" || sb_fail "c.jpg not sent"

# A later photo goes too; a.jpg fails again, alone.
sb_add "$W/e" 2021/05/05/e.jpg
sb_in_the_way 2 1 1
cmp "$W/e" "$W/dav/photos/2021/05/05/e.jpg" || sb_fail "e.jpg not sent"
db="$LIB/.shoebox/catalog.db"
[ "$(sqlite3 "$db" "SELECT f.path FROM upload_jobs j JOIN files f ON
    f.id = j.file_id WHERE j.status != 'done'")" = 2018/01/04/a.jpg ] ||
    sb_fail "the jobs"

# Apache's answers, through the fault proxy, to a library of a.jpg alone:
# 409 to the MKCOL below the file, then to the PUT.
LIB=$W/lib2
mkdir -p "$LIB"
sb_add "$W/a" 2018/01/04/a.jpg
for faults in "MKCOL:pass,MKCOL:pass,MKCOL:pass,MKCOL:409" "PUT:409"; do
	sb_start_proxy "$DAV_PORT" "$faults"
	cat >"$CFG" <<EOF2
$(sb_webdav_section nas "$PROXY_PORT")
prefix = p2
EOF2
	sb_expect nas 1 "2018/01/04/a.jpg: folder p2/2018/01 is a file, not a folder"
	grep -q "^RES \(MKCOL\|PUT\) 409 injected" "$W/proxy.log" ||
	    { cat "$W/proxy.log"; sb_fail "$faults: not injected"; }
done
[ -z "$(find "$W/dav" -name '.shoebox*')" ] || sb_fail "a temporary left"

# A folder at a photo's name.
mkdir -p "$W/dav/photos/2021/02/03/f.jpg"
head -c 3000 /dev/urandom >"$W/f"
head -c 3000 /dev/urandom >"$W/g"
sb_add "$W/f" 2021/02/03/f.jpg
sb_add "$W/g" 2021/02/04/g.jpg
cat >"$CFG" <<EOF2
$(sb_webdav_section nas)
prefix = photos
EOF2
sb_sync nas >"$W/out" 2>"$W/err"
rc=$?
cat "$W/out" "$W/err"
cmp -s "$W/dav/photos/2021/02/03/f-1.jpg" "$W/f" ||
    sb_fail "folder at the name: f.jpg not sent beside it (exit $rc)"
cmp -s "$W/dav/photos/2021/02/04/g.jpg" "$W/g" ||
    sb_fail "folder at the name: the next file not sent"
[ -d "$W/dav/photos/2021/02/03/f.jpg" ] || sb_fail "the folder was replaced"
grep -q "not attempted" "$W/out" && sb_fail "folder at the name: the remote was stopped"
grep -q "2021/02/03/f.jpg: .*sent as 2021/02/03/f-1.jpg" "$W/err" ||
    sb_fail "folder at the name: not said"
exit 0
