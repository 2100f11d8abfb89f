#!/bin/sh
# restore from a WebDAV server (a stand-in on 127.0.0.1) that answers a
# 38 kB photo with more: a Content-Length of 300 MB, an endless chunked
# body, a body to the connection's close. Before, every byte went to the
# library's disk until it was full ("make room", blaming the library).
# Now the download stops at the byte after the catalogued size (refused
# up front where a Content-Length says it), the file is named ("the
# remote sent more than the N bytes catalogued"), nothing of it stays in
# .shoebox/tmp (a filesystem without O_TMPFILE too), and the run goes on:
# exit 1. With --rebuild the bound is the size the listing gave. An error
# page longer than the file is not the file: "not on remote", as before;
# one without end is read only as far as what is kept of it, and a copy
# read back (verify --download, sync's look at a name) no further than
# the file's size.
# The same server sending the right bytes restores the photo.
. "$TOP/tests/lib/common.sh"
. "$TOP/tests/functional/restore-lib.sh"
shim fatlike

mkdir -p "$T/card/DCIM" "$T/usb"
cp "$TOP/tests/sample-card/DCIM/100CANON/IMG_0002.JPG" "$T/card/DCIM/"
printf '[remote usb]\ntype = dir\npath = %s\n' "$T/usb" >>"$SHOEBOX_CONFIG"
sb import --no-progress "$T/card"
expect_rc 0
sb sync --no-progress
expect_rc 0
rel=$(q "SELECT path FROM files")
size=$(stat -c %s "$LIB/$rel")
cp "$LIB/$rel" "$T/photo"

# the server: GET answers as $T/mode says; PROPFIND lists the photo
cat >"$T/srv.py" <<'PY'
import http.server, sys
photo, modefile, rel = sys.argv[1], sys.argv[2], sys.argv[3]
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
    def do_PROPFIND(self):
        n = len(open(photo, "rb").read())
        body = ('<?xml version="1.0"?><D:multistatus xmlns:D="DAV:">'
            '<D:response><D:href>/dav/</D:href><D:propstat><D:prop>'
            '<D:resourcetype><D:collection/></D:resourcetype></D:prop>'
            '</D:propstat></D:response>'
            '<D:response><D:href>/dav/%s</D:href><D:propstat><D:prop>'
            '<D:resourcetype/><D:getcontentlength>%d</D:getcontentlength>'
            '</D:prop></D:propstat></D:response></D:multistatus>'
            % (rel, n)).encode()
        self.send_response(207)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def do_HEAD(self):
        self.send_response(200)
        self.send_header("Content-Length", str(len(open(photo, "rb").read())))
        self.end_headers()
    def do_GET(self):
        mode = open(modefile).read().strip()
        data = open(photo, "rb").read()
        chunk = b"\0" * 65536
        try:
            if mode == "ok":
                self.send_response(200)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            elif mode == "length":
                self.send_response(200)
                self.send_header("Content-Length", str(300 << 20))
                self.end_headers()
                for _ in range(300 << 4):
                    self.wfile.write(chunk)
            elif mode == "chunked":
                self.send_response(200)
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
                for _ in range(1000):
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                self.wfile.write(b"0\r\n\r\n")
            elif mode == "close":
                self.protocol_version = "HTTP/1.0"
                self.send_response(200)
                self.end_headers()
                self.wfile.write(data)
                for _ in range(1000):
                    self.wfile.write(chunk)
            elif mode in ("404-endless", "500-endless"):
                self.send_response(int(mode[:3]))
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                page = b"not here " * 7000
                while True:
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(page), page))
            elif mode == "404":
                page = b"<html>" + b"not here " * 20000 + b"</html>"
                self.send_response(404)
                self.send_header("Content-Length", str(len(page)))
                self.end_headers()
                self.wfile.write(page)
            self.close_connection = True
        except OSError:
            self.close_connection = True
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()
PY
fake_server "$T/srv.py" "$T/photo" "$T/mode" "$rel"
printf 'settle = 0\n[remote usb]\ntype = webdav\nurl = http://127.0.0.1:%s/dav\nretries = 1\nretry_delay = 0.1\n' \
    "$port" >"$SHOEBOX_CONFIG"

rm "$LIB/$rel"
for mode in length chunked close; do
	echo $mode >"$T/mode"
	for fat in "" "$T/fatlike.so"; do
		LD_PRELOAD=$fat sb restore --remote usb --no-progress --json
		expect_rc 1
		grep -q "^shoebox: $LIB/$rel: the remote sent more than the $size bytes catalogued (at $rel); not restored$" \
		    "$T/err" || fail "$mode: $(cat "$T/out" "$T/err")"
		grep -q '"failed":1,.*"bytes":0,' "$T/out" ||
		    fail "$mode: summary: $(cat "$T/out")"
		[ -e "$LIB/$rel" ] && fail "$mode: restored"
		ls "$LIB/.shoebox/tmp" | grep -q . &&
		    fail "$mode: left in tmp: $(ls -l "$LIB/.shoebox/tmp")"
	done
done

# an error page longer than the file: the file is not there
echo 404 >"$T/mode"
sb restore --remote usb --no-progress
expect_rc 1
grep -q "^shoebox: $LIB/$rel: not on remote usb at $rel$" "$T/err" ||
    fail "404: $(cat "$T/err")"

# an error page without end: read as far as what is kept of it, then
# the answer is the status (the run went on reading it for good)
for mode in 404-endless 500-endless; do
	echo $mode >"$T/mode"
	timeout 60 "$SHOEBOX" -c "$SHOEBOX_CONFIG" -L "$LIB" restore --remote usb \
	    --no-progress >"$T/out" 2>"$T/err"
	rc=$?
	cat "$T/out" "$T/err"
	[ $rc = 124 ] && fail "$mode: restore never ended"
	[ $rc = 1 ] || fail "$mode: exit $rc"
	grep -q "$rel" "$T/err" || fail "$mode: the file is not named"
done

# --rebuild: the listing's size bounds the download
echo chunked >"$T/mode"
sb restore --remote usb --rebuild --to "$T/new" --no-progress
expect_rc 1
grep -q "^shoebox: $rel: the remote sent more than the $size bytes listed (at $rel); not restored$" \
    "$T/err" || fail "rebuild: $(cat "$T/out" "$T/err")"
[ -e "$T/new/$rel" ] && fail "rebuild: restored"

# the right bytes come back
echo ok >"$T/mode"
sb restore --remote usb --no-progress
expect_rc 0
cmp -s "$LIB/$rel" "$T/photo" || fail "the photo did not come back"

# verify --download reads the copy back: one without end is not read
# through either, it is changed (more bytes than the file).
echo chunked >"$T/mode"
timeout 60 "$SHOEBOX" -c "$SHOEBOX_CONFIG" -L "$LIB" verify --remote usb \
    --download --no-progress >"$T/out" 2>"$T/err"
rc=$?
cat "$T/out" "$T/err"
[ $rc = 124 ] && fail "verify --download never ended"
[ $rc = 1 ] || fail "verify --download: exit $rc"
grep -q "^changed  *$rel: " "$T/out" || fail "verify --download: not changed"
# sync, finding a file of that size at the name, reads it back to tell
# whether it is this one: not through an endless body either.
q "UPDATE upload_jobs SET status = 'pending', remote_path = NULL, done_at = NULL"
timeout 60 "$SHOEBOX" -c "$SHOEBOX_CONFIG" -L "$LIB" sync --no-progress \
    >"$T/out" 2>"$T/err"
rc=$?
cat "$T/out" "$T/err"
[ $rc = 124 ] && fail "sync's read back never ended"
echo ok
