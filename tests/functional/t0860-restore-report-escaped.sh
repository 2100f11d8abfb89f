#!/bin/sh
# restore --rebuild from an S3 server (a stand-in on 127.0.0.1) that lists
# a key holding a terminal's escape sequence (ESC [31m), then has no such
# object. The failed line on standard output said why with the key as it
# came, the ESC byte and all, straight to the user's terminal (stderr
# escaped it already). Now the reason is escaped on standard output too:
# "\x1b", and no control byte of the server's is printed.
. "$TOP/tests/lib/common.sh"

cat >"$T/srv.py" <<'PY'
import urllib.parse
from fakehttp import Handler, serve
class H(Handler):
    def do_GET(self):
        if urllib.parse.urlsplit(self.path).path.rstrip("/") != "/photos":
            return self.reply(404, b"<Error><Code>NoSuchKey</Code></Error>")
        x = ("<?xml version=\"1.0\"?><ListBucketResult><IsTruncated>false"
             "</IsTruncated><Contents><Key>esc&#27;[31mred.jpg</Key>"
             "<Size>5</Size></Contents></ListBucketResult>")
        self.reply(200, x.encode())
serve(H)
PY
fake_server "$T/srv.py"
printf 'settle = 0\n[remote s3]\ntype = s3\nendpoint = http://127.0.0.1:%s\nbucket = photos\naccess_key_id = AK\nsecret_access_key = SK\nretries = 1\nretry_delay = 0.1\n' \
    "$port" >"$SHOEBOX_CONFIG"
chmod 600 "$SHOEBOX_CONFIG"

sb restore --remote s3 --rebuild --to "$T/new" --no-progress
expect_rc 1
grep -q '^failed     esc\\x1b\[31mred.jpg: not on remote s3 at esc\\x1b\[31mred.jpg$' \
    "$T/out" || fail "not said, escaped: $(cat -A "$T/out")"
LC_ALL=C grep -q "$(printf '\033')" "$T/out" "$T/err" &&
    fail "an ESC byte printed: $(cat -A "$T/out" "$T/err")"
exit 0
