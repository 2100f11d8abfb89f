#!/bin/sh
# A dir remote (a backup disk) whose folders below its path are symbolic
# links: sync, verify and restore never follow one, wherever it is (a
# year's folder, a month's, the prefix), and name it.
#  - disk/2018 links back into the library, disk/2019/07 to a folder
#    holding a copy of b.jpg: neither file counts as already there; each
#    fails naming the link, exit 1, its job not done; the others go;
#  - verify --remote --download calls neither intact (unreadable, the
#    link named); restore brings neither back through the link;
#  - a remote whose prefix is a link sends nothing, finds nothing there,
#    and restore --rebuild lists nothing through it.
# And a file modified before 1970 with a fraction of a second
# (1969-12-31 23:59:59.5) goes to the disk and comes back with that mtime.
. "$TOP/tests/functional/remote-lib.sh"
sb_init

mtime_ns() { python3 -c 'import os, sys; print(os.stat(sys.argv[1]).st_mtime_ns)' "$1"; }

mkdir -p "$W/disk/2019" "$W/elsewhere/07/04" "$W/elsewhere2/2020/02/02" \
    "$W/disk2"
printf '[remote usb]\ntype = dir\npath = %s\n' "$W/disk" >"$CFG"
for f in a b c d; do
	head -c 5000 /dev/urandom >"$W/$f"
done
sb_add "$W/a" 2018/01/04/a.jpg
sb_add "$W/b" 2019/07/04/b.jpg
sb_add "$W/c" 1969/12/31/c.jpg -500000000
sb_add "$W/d" 2020/02/02/d.jpg
cp "$W/b" "$W/elsewhere/07/04/b.jpg"
cp "$W/d" "$W/elsewhere2/2020/02/02/d.jpg"
ln -s "$LIB/2018" "$W/disk/2018"
ln -s "$W/elsewhere/07" "$W/disk/2019/07"
ls -lR "$W/elsewhere" "$W/elsewhere2" >"$W/elsewhere.before"

sb_sync >"$W/out" 2>"$W/err"
rc=$?
cat "$W/out" "$W/err"
[ $rc = 1 ] || sb_fail "sync: exit $rc, expected 1"
grep -q "already there" "$W/out" && ! grep -q " 0 already there" "$W/out" &&
    sb_fail "a file behind a link counted as already there"
grep -q "^remote usb: 4 files: 2 uploaded (10.0 kB), 0 already there, 2 failed" "$W/out" ||
    sb_fail "the summary"
grep -q "^shoebox: remote usb: .*2018/01/04/a.jpg: folder 2018 is a symbolic link; not followed$" "$W/err" ||
    sb_fail "the link 2018 is not named"
grep -q "^shoebox: remote usb: .*2019/07/04/b.jpg: folder 2019/07 is a symbolic link; not followed$" "$W/err" ||
    sb_fail "the link 2019/07 is not named"
db="$LIB/.shoebox/catalog.db"
sqlite3 "$db" "SELECT f.path, j.status FROM upload_jobs j JOIN files f ON
    f.id = j.file_id ORDER BY f.path" >"$W/jobs"
cat >"$W/expected" <<EOF2
1969/12/31/c.jpg|done
2018/01/04/a.jpg|failed
2019/07/04/b.jpg|failed
2020/02/02/d.jpg|done
EOF2
diff "$W/expected" "$W/jobs" || sb_fail "the jobs"
[ "$(find "$W/disk" -type f | wc -l)" = 2 ] || sb_fail "files on the disk"
cmp "$W/c" "$W/disk/1969/12/31/c.jpg" || sb_fail "c.jpg not on the disk"
[ "$(mtime_ns "$W/disk/1969/12/31/c.jpg")" = -500000000 ] ||
    sb_fail "c.jpg: mtime $(mtime_ns "$W/disk/1969/12/31/c.jpg")"
[ "$(ls -A "$LIB/2018/01/04")" = a.jpg ] || sb_fail "written into the library"
ls -lR "$W/elsewhere" "$W/elsewhere2" | cmp -s - "$W/elsewhere.before" ||
    sb_fail "written through a link"

# verify --download: the two behind links are not intact (marked done,
# as a shoebox that followed the links left them).
sqlite3 "$db" "UPDATE upload_jobs SET status = 'done',
    remote_path = (SELECT path FROM files WHERE id = file_id)"
"$SHOEBOX" -L "$LIB" -c "$CFG" verify --remote usb --download >"$W/out" \
    2>"$W/err"
rc=$?
cat "$W/out" "$W/err"
[ $rc = 1 ] || sb_fail "verify: exit $rc, expected 1"
grep -q "2 intact, 0 changed, 0 missing, 2 unreadable" "$W/out" ||
    sb_fail "verify: the summary"
grep -q "^unreadable  *2018/01/04/a.jpg: .*folder 2018 is a symbolic link; not followed$" "$W/out" ||
    sb_fail "verify: the link 2018 is not named"
grep -q "^unreadable  *2019/07/04/b.jpg: .*folder 2019/07 is a symbolic link; not followed$" "$W/out" ||
    sb_fail "verify: the link 2019/07 is not named"

# restore: nothing comes through a link; c.jpg with its mtime.
rm "$LIB/2018/01/04/a.jpg" "$LIB/2019/07/04/b.jpg" "$LIB/1969/12/31/c.jpg" "$LIB/2020/02/02/d.jpg"
"$SHOEBOX" -L "$LIB" -c "$CFG" restore --remote usb --no-progress \
    >"$W/out" 2>"$W/err"
rc=$?
cat "$W/out" "$W/err"
[ $rc = 1 ] || sb_fail "restore: exit $rc, expected 1"
[ -e "$LIB/2018/01/04/a.jpg" ] || [ -e "$LIB/2019/07/04/b.jpg" ] &&
    sb_fail "restore: a file came through a link"
grep -q "2018/01/04/a.jpg: .*folder 2018 is a symbolic link; not followed$" "$W/out" ||
    sb_fail "restore: the link 2018 is not named"
grep -q "2019/07/04/b.jpg: .*folder 2019/07 is a symbolic link; not followed$" "$W/out" ||
    sb_fail "restore: the link 2019/07 is not named"
grep -q "2 restored, 0 present, 0 different, 2 failed" "$W/out" ||
    sb_fail "restore: the summary"
cmp "$W/c" "$LIB/1969/12/31/c.jpg" || sb_fail "restore: c.jpg"
[ "$(mtime_ns "$LIB/1969/12/31/c.jpg")" = -500000000 ] ||
    sb_fail "restore: c.jpg's mtime $(mtime_ns "$LIB/1969/12/31/c.jpg")"
cmp "$W/d" "$LIB/2020/02/02/d.jpg" || sb_fail "restore: d.jpg"

# A prefix that is a link: nothing there, nothing listed through it.
ln -s "$W/elsewhere2" "$W/disk2/photos"
cat >"$CFG" <<EOF2
[remote pre]
type = dir
path = $W/disk2
prefix = photos
EOF2
sb_sync >"$W/out" 2>"$W/err"
rc=$?
cat "$W/out" "$W/err"
[ $rc = 1 ] || sb_fail "prefix: exit $rc, expected 1"
grep -q "^remote pre: 4 files: 0 uploaded (0 B), 0 already there, 4 failed" "$W/out" ||
    sb_fail "prefix: the summary"
grep -q "^shoebox: remote pre: .*: folder photos is a symbolic link; not followed$" "$W/err" ||
    sb_fail "prefix: the link is not named"
"$SHOEBOX" -L "$W/new" -c "$CFG" restore --rebuild --remote pre \
    --to "$W/new" --no-progress >"$W/out" 2>"$W/err"
rc=$?
cat "$W/out" "$W/err"
[ $rc = 0 ] && sb_fail "rebuild through a prefix link: exit 0"
grep -q "folder photos is a symbolic link; not followed" "$W/err" ||
    sb_fail "rebuild: the link is not named"
[ -z "$(find "$W/new" -name '*.jpg' 2>/dev/null)" ] ||
    sb_fail "rebuild: a file came through the link"
ls -lR "$W/elsewhere" "$W/elsewhere2" | cmp -s - "$W/elsewhere.before" ||
    sb_fail "written through a link"
exit 0
