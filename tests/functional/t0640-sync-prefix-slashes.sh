#!/bin/sh
# A remote's prefix written with a '/' in front, two in a row or one at
# the end (prefix = /photos//2019/). S3 kept the extra '/' in every key: a
# key "/photos//2019/..." under an empty folder where AWS shows one, and
# s3rver (as some S3 servers) answered 404, which stopped the remote as
# one refusing, nothing sent, every night. The prefix is now taken as the
# folders it names (photos/2019), the same on every kind of remote, and
# verify and restore find the copies there; a '.' or '..' in it is a
# configuration error.
. "$TOP/tests/functional/remote-lib.sh"
sb_init
sb_start_s3rver photos
mkdir -p "$W/disk"
{
	sb_s3_section s3
	printf 'prefix = /backup//set/\n\n'
	printf '[remote usb]\ntype = dir\npath = %s\nprefix = //backup//set/\n' \
	    "$W/disk"
} >"$CFG"
head -c 1000 /dev/urandom >"$W/f"
sb_add "$W/f" "2019/07/01/a.jpg"

sb_sync >"$W/out" 2>"$W/err" || { cat "$W/out" "$W/err"; sb_fail "sync"; }
grep -q '^remote s3: 1 file: 1 uploaded ' "$W/out" || sb_fail "s3 summary"
[ -f "$W/s3data/photos/backup/set/2019/07/01/a.jpg._S3rver_object" ] ||
    sb_fail "not at backup/set/: $(find "$W/s3data" -name '*_object')"
cmp "$W/f" "$W/disk/backup/set/2019/07/01/a.jpg" || sb_fail "usb"
for r in s3 usb; do
	"$SHOEBOX" -L "$LIB" -c "$CFG" verify --remote $r >"$W/out" 2>&1 ||
	    { cat "$W/out"; sb_fail "verify $r"; }
	grep -q "^1 copies on $r verified: .* 0 missing" "$W/out" ||
	    { cat "$W/out"; sb_fail "verify $r's summary"; }
done
rm "$LIB/2019/07/01/a.jpg"
"$SHOEBOX" -L "$LIB" -c "$CFG" restore --remote s3 >"$W/out" 2>&1 ||
    { cat "$W/out"; sb_fail "restore"; }
cmp "$W/f" "$LIB/2019/07/01/a.jpg" || sb_fail "restored"

# '..' is no folder
sed -i 's|^prefix = /backup//set/$|prefix = backup/../other|' "$CFG"
sb_sync >"$W/out" 2>"$W/err"
rc=$?
[ $rc = 2 ] || { cat "$W/err"; sb_fail "'..': exit $rc, expected 2"; }
grep -q "prefix: 'backup/../other' is not folders below the remote's root, without '.' or '..'" \
    "$W/err" || { cat "$W/err"; sb_fail "'..': the message"; }
exit 0
