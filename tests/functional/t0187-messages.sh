#!/bin/sh
# What shoebox says, and its exit status: status before any import; sizes
# for people; import's and sync's summaries on stdout in the same form;
# reasons for skips with -v; files named as media whose content is not
# recognised (warned every run, or imported as damaged); untrusted text
# (file names, EXIF strings, a server's error messages) escaped in
# messages, status and JSON alike; a remote that refuses is exit 2.
. "$TOP/tests/lib/common.sh"

# status before any import: no catalogue yet, and how to make one.
sb status; expect_rc 2
grep -q "^shoebox: status: $LIB has no catalogue yet: 'shoebox import SOURCE' creates it" "$T/err" ||
    fail "status before import: $(cat "$T/err")"
grep -q 'unable to open' "$T/err" && fail "sqlite's message shown"
[ ! -e "$LIB" ] || fail "status created the library"

# A card: a photo, a sidecar alone, notes, a "photo" that is a web page,
# and an empty "video".
c=$T/card/DCIM/100CANON
mkdir -p "$c"
cp "$FIX/Reagan.jpg" "$c/IMG_0001.JPG"
printf '<?xpacket begin=""?>\n<x:xmpmeta xmlns:x="adobe:ns:meta/"></x:xmpmeta>\n' >"$c/IMG_0002.XMP"
printf 'Holiday notes, day one.\n' >"$c/notes.txt"
printf '<html><body>Not found</body></html>\n' >"$c/IMG_0003.JPG"
: >"$c/MVI_0004.MP4"
set_mtimes "$T/card"
printf 'settle = 0\n[remote usb]\ntype = dir\npath = %s\n' "$T/usb" >"$T/config"
mkdir -p "$T/usb"

sb -v import --no-progress "$T/card"; expect_rc 0
cat >"$T/want" <<EOF
imported  $c/IMG_0001.JPG -> 2004/06/21/IMG_0001.JPG (2004-06-21T23:37:53, exif)
skipped   $c/IMG_0002.XMP: a sidecar without its main file
skipped   $c/IMG_0003.JPG: named as media, but the content is not recognised (text/plain)
skipped   $c/MVI_0004.MP4: named as media, but the content is not recognised (application/x-empty)
skipped   $c/notes.txt: not media (text/plain)
EOF
head -n 5 "$T/out" | LC_ALL=C sort | diff "$T/want" - || fail "-v lines"
sed -n '6p' "$T/out" | grep -qx '5 files seen: 1 imported, 0 duplicates, 0 sidecars, 0 already imported, 4 skipped, 0 failed' ||
    fail "summary: $(cat "$T/out")"
sed -n '7p' "$T/out" | grep -qx "38.4 kB copied in [0-9.]* s ([0-9.]* [kMG]\{0,1\}B/s) into $LIB, with warnings (see above)" ||
    fail "summary, second line: $(cat "$T/out")"
cat >"$T/want" <<EOF
shoebox: $c/IMG_0003.JPG: named as media, but its content is not recognised (text/plain); left where it is (import_unrecognised = yes imports it as damaged)
shoebox: $c/MVI_0004.MP4: named as media, but its content is not recognised (application/x-empty); left where it is (import_unrecognised = yes imports it as damaged)
EOF
LC_ALL=C sort "$T/err" | diff "$T/want" - || fail "warnings"
# Named again on the next run, never remembered as skipped, never moved.
sb import --move --no-progress "$T/card"; expect_rc 0
grep -c 'named as media' "$T/err" | grep -qx 2 || fail "not warned again: $(cat "$T/err")"
[ -f "$c/IMG_0003.JPG" ] && [ -f "$c/MVI_0004.MP4" ] || fail "--move took an unrecognised file"
[ -z "$(q "SELECT path FROM sources WHERE path LIKE '%IMG_0003%' OR path LIKE '%MVI_0004%'")" ] ||
    fail "unrecognised files remembered"
[ ! -f "$c/notes.txt" ] || [ "$(q "SELECT status FROM sources WHERE path LIKE '%notes.txt'")" = skipped ] ||
    fail "notes.txt not remembered as skipped"
# With import_unrecognised = yes: imported as damaged, by mtime, kind other.
printf 'settle = 0\nimport_unrecognised = yes\n[remote usb]\ntype = dir\npath = %s\n' "$T/usb" >"$T/config"
sb import --no-progress "$T/card"; expect_rc 0
[ "$(q "SELECT path, kind, date_source FROM catalog WHERE path LIKE '%IMG_0003%'")" = "2001/02/03/IMG_0003.JPG|other|mtime" ] ||
    fail "unrecognised not imported as damaged: $(q 'SELECT path, kind, date_source FROM catalog')"
grep -q "IMG_0003.JPG: named as media, but its content is not recognised (text/plain); imported as damaged" "$T/err" ||
    fail "damaged import not said: $(cat "$T/err")"
grep -q 'with warnings' "$T/out" || fail "no 'with warnings'"

# status: sizes for people; sync: its summary on stdout, like import's.
sb status; expect_rc 0
grep -qx 'usb: 3 pending (38.4 kB), 0 done, 0 failed' "$T/out" || fail "status: $(cat "$T/out")"
sb sync --progress; expect_rc 0
grep -qx 'remote usb: 3 files: 3 uploaded (38.4 kB), 0 already there, 0 failed' "$T/out" ||
    fail "sync summary: $(cat "$T/out")"
grep -qx '38.4 kB sent in [0-9.]* s ([0-9.]* [kMG]\{0,1\}B/s)' "$T/out" || fail "sync summary: $(cat "$T/out")"
grep -q 'sync: 3/3 files  38.4 kB/38.4 kB  .*/s  done' "$T/err" || fail "sync progress: $(cat "$T/err")"
sb -q sync; expect_rc 0
[ ! -s "$T/out" ] || fail "-q sync printed: $(cat "$T/out")"

# Hostile text: a name with a C1 control and a bidi override, an EXIF make
# holding an escape sequence (which the EXIF reader turns into '?') and a
# bidi override. Escaped in messages, -v lines and JSON.
rm -rf "$T/card"
mkdir -p "$T/card"
evil=$(printf 'a\302\205b\342\200\256gpj.JPG')
python3 - "$FIX/Reagan.jpg" "$T/card/$evil" <<'PY'
import sys
b = open(sys.argv[1], "rb").read()
b = b.replace(b"NIKON CORPORATION", b"\x1b[31mNIKON\xe2\x80\xaeCORP", 1)
open(sys.argv[2], "wb").write(b)
PY
sb probe "$T/card/$evil"; expect_rc 0
printf '%s\timage\timage/jpeg\t2004-06-21T23:37:53\texif\t%s\tNIKON D1X\n' \
    "$T/card/a\\u0085b\\u202egpj.JPG" '?[31mNIKON\u202eCORP' >"$T/want"
diff "$T/want" "$T/out" || fail "probe line with hostile text"
sb probe --json "$T/card/$evil"; expect_rc 0
python3 - "$T/out" <<'PY' || fail "probe --json with hostile text"
import json, sys
o = json.loads(open(sys.argv[1]).read())
assert o["path"].endswith("/a\\u0085b\\u202egpj.JPG"), o["path"]
assert o["make"] == "?[31mNIKON\\u202eCORP", o["make"]
PY
LC_ALL=C grep -q "$(printf '\342\200\256')" "$T/out" && fail "a bidi control in JSON"
sb -v import --no-progress "$T/card"; expect_rc 0
grep -q "^imported  $T/card/a\\\\u0085b\\\\u202egpj.JPG -> " "$T/out" || fail "-v line: $(cat "$T/out")"
LC_ALL=C grep -q "$(printf '\302\205')" "$T/out" "$T/err" && fail "a C1 control printed"

# A server whose error messages hold control and bidi characters: escaped
# in messages, status and JSON; a 5xx fails files (exit 1), a 403 is a
# remote that refused (exit 2).
cat >"$T/server.py" <<'PY'
import http.server, sys
status = int(sys.argv[2])
class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def do_HEAD(self):
        self.send_response(404); self.send_header("Content-Length", "0"); self.end_headers()
    def do_GET(self): self.do_HEAD()
    def do_PUT(self):
        n = int(self.headers.get("Content-Length") or 0)
        while n > 0: n -= len(self.rfile.read(min(n, 65536)))
        body = (b"<?xml version='1.0'?><Error><Code>Evil</Code><Message>no\x1b]0;pwned\x07"
                b"\xe2\x80\xaeway</Message></Error>")
        self.send_response(status)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", str(len(body))); self.end_headers()
        self.wfile.write(body)
    do_POST = do_PUT
s = http.server.HTTPServer(("127.0.0.1", 0), H)
open(sys.argv[1], "w").write(str(s.server_address[1]))
s.serve_forever()
PY
serve() {
	rm -f "$T/port"
	python3 "$T/server.py" "$T/port" "$1" &
	spid=$!
	i=0
	while [ ! -s "$T/port" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
	printf 'settle = 0\n[remote evil]\ntype = s3\nendpoint = http://127.0.0.1:%s\nurl_style = path\nbucket = b\naccess_key_id = AK\nsecret_access_key = SK\nretries = 0\n' \
	    "$(cat "$T/port")" >"$T/config"
	chmod 600 "$T/config"
}
stop_server() { [ -n "${spid:-}" ] && kill "$spid" 2>/dev/null; wait 2>/dev/null; spid=""; }
cleanup_hooks="stop_server"
serve 500
sb sync --no-progress; expect_rc 1
grep -q 'PUT 500 Evil: no\\x1b\]0;pwned\\x07\\u202eway' "$T/err" || fail "server message: $(cat "$T/err")"
LC_ALL=C grep -q "$(printf '\033')" "$T/err" && fail "an escape character printed"
sb status; expect_rc 0
grep -q 'failed .*: PUT 500 Evil: no\\x1b\]0;pwned\\x07\\u202eway' "$T/out" || fail "status: $(cat "$T/out")"
LC_ALL=C grep -q "$(printf '\033')" "$T/out" && fail "status printed an escape character"
sb status --json; expect_rc 0
python3 - "$T/out" <<'PY' || fail "status --json: $(cat "$T/out")"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
errs = [e["error"] for r in rows if "errors" in r for e in r["errors"]]
assert errs and all("no\\x1b]0;pwned\\x07\\u202eway" in e for e in errs), errs
PY
stop_server
serve 403
sb sync --no-progress; expect_rc 2
grep -q "^shoebox: remote evil: PUT 403 Evil: no\\\\x1b\]0;pwned\\\\x07\\\\u202eway" "$T/err" || fail "403: $(cat "$T/err")"
grep -q '^remote evil: .*not attempted (the remote refused)$' "$T/out" || fail "refused summary: $(cat "$T/out")"
stop_server
exit 0
