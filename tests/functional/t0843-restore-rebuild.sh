#!/bin/sh
# shoebox restore --rebuild: library and catalogue both lost, each is got
# back from a remote alone (a dir remote, S3 through s3rver, whose listings
# escape keys twice, and WebDAV through rclone serve webdav, listed with
# PROPFIND): every file listed comes back byte for byte with its mtime
# (WebDAV: the server keeps none), the new catalogue's files rows match the
# old ones (path, SHA-256, size, capture date, camera), and a sync
# afterwards uploads nothing. Shoebox's temporaries on the remote are skipped; an S3 object
# whose bytes are not what its x-amz-meta-sha256 says is refused (not
# linked, exit 1).
. "$TOP/tests/functional/remote-lib.sh"
sb_init
command -v rclone >/dev/null || sb_skip "rclone not installed"
sb_start_s3rver photos
mkdir -p "$W/usb"
sb_serve_webdav dav
cat >"$CFG" <<EOF2
settle = 0
[remote usb]
type = dir
path = $W/usb
$(sb_s3_section s3)
prefix = backup
retry_delay = 0.1
$(sb_webdav_section nas)
prefix = photos
retry_delay = 0.1
EOF2
sb() { "$SHOEBOX" -c "$CFG" "$@"; }
card=$W/card
mkdir -p "$card"
cp -R "$TOP/tests/sample-card/DCIM" "$TOP/tests/sample-card/PRIVATE" "$card/"
find "$card" -type f -exec touch -d '2001-02-03 04:05:06 UTC' {} +
sb -L "$LIB" import --no-progress "$card" >/dev/null 2>"$W/err" ||
    { cat "$W/err"; sb_fail "import"; }
# a name S3 listings have to escape, adopted where it lies
odd="2004/03/30/a&b <c>'s \"x\".jpg"
mkdir -p "$LIB/2004/03/30"
cp "$TOP/tests/fixtures/exiv2-nikon-d70.jpg" "$LIB/$odd"
touch -d '2004-03-30 10:00:00.123456789 UTC' "$LIB/$odd"
sb -L "$LIB" adopt --no-progress --settle 0 >/dev/null 2>"$W/err" ||
    { cat "$W/err"; sb_fail "adopt"; }
sb -L "$LIB" sync --no-progress >/dev/null 2>"$W/err" ||
    { cat "$W/err"; sb_fail "sync"; }
n=$(sqlite3 "$LIB/.shoebox/catalog.db" "SELECT count(*) FROM files")
[ "$n" = 11 ] || sb_fail "catalogued $n files"
rows() {
	sqlite3 -batch "$1/.shoebox/catalog.db" "SELECT c.path, c.sha256, c.size,
	    f.mtime_ns, c.mime, c.kind, c.taken, c.taken_utc, c.make, c.model
	    FROM catalog c JOIN files f ON f.path = c.path ORDER BY c.path"
}
rows "$LIB" >"$W/rows.before"
cut -d'|' -f1-3,5- "$W/rows.before" >"$W/rows.nomtime"
state() {
	(cd "$1" && find . -type f -not -path './.shoebox/*' -printf '%P %s %T@\n' |
	    LC_ALL=C sort)
}
state "$LIB" >"$W/state.before"
# what a killed upload leaves
: >"$W/usb/2004/03/30/.shoebox-tmp.0123456789abcdef"
sb_rclone_s3 "$S3_PORT"
printf 'partial' | sb_rclone rcat "s3:photos/backup/2004/03/30/.shoebox-tmp.fedcba9876543210" ||
    sb_fail "seeding a temporary"
: >"$W/dav/photos/2004/03/30/.shoebox-tmp.0123456789abcdef"

for r in usb s3 nas; do
	new=$W/new-$r
	sb -L "$new" restore --rebuild --remote $r --to "$new" --no-progress \
	    >"$W/out" 2>"$W/err" || { cat "$W/out" "$W/err"; sb_fail "rebuild from $r"; }
	cat "$W/out"
	# the dir remote's listing leaves dot-files out (rclone's WebDAV may);
	# S3's has them all
	case $r in
	usb)	sum="^11 files on remote usb: 11 restored, 0 present, 0 different, 0 failed (" ;;
	s3)	sum="^12 files on remote s3: 11 restored, 0 present, 0 different, 0 failed, 1 skipped (" ;;
	nas)	sum="^1[12] files on remote nas: 11 restored, 0 present, 0 different, 0 failed[ ,]" ;;
	esac
	grep -q "$sum" "$W/out" || sb_fail "$r: summary"
	grep -q "^11 files seen: 8 adopted, 0 duplicates, 3 sidecars" "$W/out" ||
	    sb_fail "$r: adopt's summary"
	diff -r -x .shoebox "$LIB" "$new" || sb_fail "$r: tree differs"
	if [ $r = nas ]; then
		# rclone serve webdav keeps no mtime (the upload's time is
		# all it says): the rest of the rows match
		rows "$new" | cut -d'|' -f1-3,5- | diff "$W/rows.nomtime" - ||
		    sb_fail "$r: catalogue rows differ"
	else
		state "$new" | diff "$W/state.before" - || sb_fail "$r: sizes or mtimes differ"
		rows "$new" | diff "$W/rows.before" - || sb_fail "$r: catalogue rows differ"
	fi
	[ "$(sqlite3 "$new/.shoebox/catalog.db" "SELECT count(*) FROM uploads WHERE remote = '$r' AND status = 'done' AND remote_path = path")" = 11 ] ||
	    sb_fail "$r: upload jobs not done"
	puts=$(grep -c '^PUT' "$W/s3rver.log")
	sb -L "$new" sync --no-progress --json >"$W/out" 2>"$W/err" ||
	    { cat "$W/out" "$W/err"; sb_fail "$r: sync after rebuild"; }
	grep -q '"uploaded":0,"bytes":0' "$W/out" || { cat "$W/out"; sb_fail "$r: sync uploaded"; }
	[ "$(grep -c '^PUT' "$W/s3rver.log")" = "$puts" ] || sb_fail "$r: PUTs after rebuild"
	[ -e "$new/2004/03/30/.shoebox-tmp.0123456789abcdef" ] && sb_fail "$r: temporary restored"
	[ -e "$new/2004/03/30/.shoebox-tmp.fedcba9876543210" ] && sb_fail "$r: temporary restored"
done

# an object whose bytes are not what its checksum says
obj=$(find "$W/s3data/photos/backup/2004" -name '*IMG_0002.JPG._S3rver_object' | head -1)
[ -f "$obj" ] || sb_fail "no s3rver object file"
python3 - "$obj" <<'PY'
import sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
b[len(b) // 2] ^= 1
open(p, "wb").write(b)
PY
new=$W/new-bad
rc=0
sb -L "$new" restore --rebuild --remote s3 --to "$new" --no-progress \
    >"$W/out" 2>"$W/err" || rc=$?
[ $rc = 1 ] || { cat "$W/out" "$W/err"; sb_fail "corrupt object: exit $rc"; }
grep -q "IMG_0002.JPG: .*not what the remote's checksum says" "$W/err" ||
    { cat "$W/err"; sb_fail "corrupt object message"; }
grep -q "10 restored, 0 present, 0 different, 1 failed" "$W/out" ||
    { cat "$W/out"; sb_fail "corrupt object summary"; }
find "$new" -name 'IMG_0002.JPG' | grep -q . && sb_fail "a corrupt object was linked"

# refused: a directory that is not empty, a kind that cannot list, no --to
rc=0
sb -L "$new" restore --rebuild --remote usb --to "$new" >"$W/out" 2>"$W/err" || rc=$?
[ $rc = 2 ] && grep -q "not empty" "$W/err" || sb_fail "non-empty --to: $rc $(cat "$W/err")"
rc=0
sb -L "$new" restore --rebuild --remote usb >"$W/out" 2>"$W/err" || rc=$?
[ $rc = 2 ] || sb_fail "--rebuild without --to: $rc"
# --to inside the dir remote's own folder (the backup disk has room): what
# it restored would be listed and restored again below itself; refused,
# as is the remote's folder itself for a plain restore --to.
for to in "$W/usb/restored" "$W/usb/restored/"; do
	rc=0
	sb -L "$new" restore --rebuild --remote usb --to "$to" >"$W/out" 2>"$W/err" || rc=$?
	[ $rc = 2 ] && grep -q "is inside remote usb's folder" "$W/err" ||
	    sb_fail "--to $to inside the remote: $rc $(cat "$W/out" "$W/err")"
	[ ! -e "$W/usb/restored" ] || sb_fail "--to $to inside the remote was made"
done
rc=0
sb -L "$W/new-usb" restore --remote usb --to "$W/usb" >"$W/out" 2>"$W/err" || rc=$?
[ $rc = 2 ] && grep -q "is remote usb's folder" "$W/err" ||
    sb_fail "--to the remote's folder: $rc $(cat "$W/out" "$W/err")"
exit 0
