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
from fakehttp import Handler, dav_entry, dav_multistatus, serve
body = b"hello world\n"
def entry(href, coll):
    return dav_entry(href, coll, len(body))
class H(Handler):
    def do_GET(self):
        self.reply(200, body)
    def do_PROPFIND(self):
        self.drain()
        p = self.dav_path()
        r = entry(p, 1)
        if p == "/dav/":
            r += entry("/dav/ok.jpg", 0) + entry("/dav/50%off.jpg", 0)
            r += entry("/dav/nul%00.jpg", 0) + entry("/dav/sub/", 1)
        else:
            r += entry(p + "in.jpg", 0)
        self.reply(207, dav_multistatus(r))
serve(H)
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
