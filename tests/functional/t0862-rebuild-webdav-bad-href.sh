#!/bin/sh
# restore --rebuild from a WebDAV server (a stand-in on 127.0.0.1) whose
# listing holds a name that is not a %-escaped path ("50%off.jpg", sent
# unescaped; "nul%00.jpg"). Before, that one name made the whole listing
# "not understood": the rebuild stopped with no catalogue, and ran into
# it again every time, so nothing could be rebuilt from that server. Now
# each such name is failed, said with why, and the other files (in the
# same folder and below it) are restored and catalogued; exit 1.
. "$TOP/tests/lib/common.sh"

cat >"$T/srv.py" <<'PY'
import http.server, sys
body = b"hello world\n"
def entry(href, coll):
    return ("<D:response><D:href>%s</D:href><D:propstat><D:prop>"
            "<D:resourcetype>%s</D:resourcetype>%s</D:prop>"
            "<D:status>HTTP/1.1 200 OK</D:status></D:propstat>"
            "</D:response>" % (href, "<D:collection/>" if coll else "",
            "" if coll else
            "<D:getcontentlength>%d</D:getcontentlength>" % len(body)))
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a):
        pass
    def reply(self, code, data):
        self.send_response(code)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
    def do_HEAD(self):
        self.do_GET()
    def do_GET(self):
        self.reply(200, body)
    def do_PROPFIND(self):
        n = int(self.headers.get("Content-Length") or 0)
        if n:
            self.rfile.read(n)
        p = self.path.replace("//", "/")
        p = p if p.endswith("/") else p + "/"
        r = entry(p, 1)
        if p == "/dav/":
            r += entry("/dav/ok.jpg", 0) + entry("/dav/50%off.jpg", 0)
            r += entry("/dav/nul%00.jpg", 0) + entry("/dav/sub/", 1)
        else:
            r += entry(p + "in.jpg", 0)
        x = ('<?xml version="1.0"?><D:multistatus xmlns:D="DAV:">%s'
             '</D:multistatus>' % r)
        self.reply(207, x.encode())
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()
PY
fake_server "$T/srv.py"
printf 'settle = 0\n[remote dav]\ntype = webdav\nurl = http://127.0.0.1:%s/dav\nretries = 1\nretry_delay = 0.1\n' \
    "$port" >"$SHOEBOX_CONFIG"

sb restore --remote dav --rebuild --to "$T/new" --no-progress
expect_rc 1
for h in /dav/50%off.jpg /dav/nul%00.jpg; do
	grep -q "^failed     $h: its name on the server (href) is not a %-escaped path; not restored$" \
	    "$T/out" || fail "$h not said: $(cat "$T/out" "$T/err")"
done
grep -q '^4 files on remote dav: 2 restored, 0 present, 0 different, 2 failed' \
    "$T/out" || fail "summary: $(cat "$T/out" "$T/err")"
for f in ok.jpg sub/in.jpg; do
	[ "$(cat "$T/new/$f")" = "hello world" ] || fail "$f not restored"
done
[ -f "$T/new/.shoebox/catalog.db" ] || fail "not catalogued"
exit 0
