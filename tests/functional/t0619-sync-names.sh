#!/bin/sh
# Library names that URLs, shells and XML treat specially (# ? % & + ; = '
# " \ [ ] { } < >, a leading dash, a name that looks percent-encoded, one
# with a space before its extension) go to S3 (SigV4-checking s3rver),
# WebDAV and SFTP (rclone serve) and a dir remote under the same names,
# byte for byte: read back with rclone, the second sync finds each already
# there (none sent twice), verify --remote --download finds each intact, and restore
# --rebuild from each remote but S3 brings back the same names and bytes.
. "$TOP/tests/functional/remote-lib.sh"
sb_init
command -v rclone >/dev/null || sb_skip "rclone not installed"
command -v ssh-keygen >/dev/null || sb_skip "ssh-keygen not installed (openssh-client)"

mkdir -p "$W/disk"
sb_start_s3rver photos
sb_serve_webdav dav
sb_serve_sftp
cat >"$CFG" <<EOF2
$(sb_s3_section s3)
$(sb_webdav_section nas)
$(sb_sftp_section box)

[remote usb]
type = dir
path = $W/disk
EOF2

i=0
for name in 'a #1.jpg' 'b?x=1&y=2.jpg' 'c%20d%2F.jpg' 'd+e;f=g.jpg' \
    "e'q\"r.jpg" 'f\g.jpg' 'g[1]{2}.jpg' 'h<i>&amp;.jpg' '-dash.jpg' \
    'j .jpg' 'k~!$@^(),.jpg'; do
	i=$((i + 1))
	head -c $((1000 + i * 37)) /dev/urandom >"$W/r$i"
	sb_add "$W/r$i" "2019/07/04/$name"
done
n=$i

sb_sync --json >"$W/out.json" 2>"$W/err" || { cat "$W/err" "$W/out.json"; sb_fail "sync"; }
grep -q "\"summary\":true,\"uploaded\":$((4 * n))," "$W/out.json" ||
    { cat "$W/err" "$W/out.json"; sb_fail "not everything uploaded"; }

sb_rclone_s3 "$S3_PORT"
cat >>"$W/rclone.conf" <<EOR
[dav]
type = webdav
url = http://127.0.0.1:$DAV_PORT/
EOR
# (s3rver 4 escapes XML twice in its listings, "a&amp;amp;b": rclone
# check would list it; each object is fetched by its name instead)
(cd "$LIB" && find . -type f -not -path './.shoebox/*') | sed 's|^\./||' >"$W/names"
sb_rclone copy --files-from-raw "$W/names" --no-traverse s3:photos "$W/s3back" ||
    sb_fail "rclone copy from s3"
sb_check "$W/s3back"
sb_check dav:
sb_check "$W/sftp"
sb_check "$W/disk"

# the jobs pending again (a catalogue from before the uploads): the sync
# finds each file already there under its name, and sends nothing
sqlite3 "$LIB/.shoebox/catalog.db" "UPDATE upload_jobs SET status = 'pending'"
sb_sync >"$W/out2" 2>"$W/err2" || { cat "$W/err2"; sb_fail "second sync"; }
[ "$(grep -c ": $n files: 0 uploaded (0 B), $n already there, 0 failed" "$W/out2")" = 4 ] ||
    { cat "$W/out2" "$W/err2"; sb_fail "second sync sent something"; }

# verify --remote --download reads each back intact
for r in s3 nas box usb; do
	"$SHOEBOX" -L "$LIB" -c "$CFG" verify --remote "$r" --download >"$W/v.out" 2>"$W/v.err" ||
	    { cat "$W/v.out" "$W/v.err"; sb_fail "verify --remote $r"; }
	grep -q "$n intact" "$W/v.out" || { cat "$W/v.out" "$W/v.err"; sb_fail "verify --remote $r"; }
done

# restore --rebuild from each remote: the same names, the same bytes (not
# from s3rver, whose listings name these wrongly, as said above)
for r in nas box usb; do
	rm -rf "$W/re"
	"$SHOEBOX" -L "$LIB" -c "$CFG" restore --rebuild --remote "$r" \
	    --to "$W/re" --no-progress >"$W/r.out" 2>"$W/r.err" ||
	    { cat "$W/r.out" "$W/r.err"; sb_fail "restore --rebuild --from $r"; }
	(cd "$LIB" && find . -type f -not -path './.shoebox/*' -exec sha256sum {} + | sort) >"$W/a.sums"
	(cd "$W/re" && find . -type f -not -path './.shoebox/*' -exec sha256sum {} + | sort) >"$W/b.sums"
	diff "$W/a.sums" "$W/b.sums" || sb_fail "restore from $r differs"
done
exit 0
