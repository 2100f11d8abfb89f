#!/bin/sh
# restore --rebuild from an S3 server (a stand-in on 127.0.0.1) whose
# listing never ends: every page says more follow (IsTruncated) yet the
# page after the marker is the same page again, or the pages go round.
# Before, the same keys were listed and downloaded again and again until
# the run was killed. Now a page that does not end after its marker stops
# the listing: said ("the listing would never end"), exit 1, with what
# came restored once. A listing whose pages move on still pages through.
. "$TOP/tests/lib/common.sh"

cat >"$T/srv.py" <<'PY'
import hashlib, sys, urllib.parse
from fakehttp import Handler, serve
body = b"hello world\n"
sha = hashlib.sha256(body).hexdigest()
after = {"": "a.jpg", "a.jpg": "b.jpg",
         "b.jpg": {"same": "b.jpg", "round": "a.jpg", "good": "c.jpg"}}
class H(Handler):
    def do_GET(self):
        u = urllib.parse.urlsplit(self.path)
        qs = urllib.parse.parse_qs(u.query)
        if u.path.rstrip("/") != "/photos":
            return self.reply(200, body, [("x-amz-meta-sha256", sha)])
        key = after[qs.get("marker", [""])[0]]
        if isinstance(key, dict):
            key = key[open(sys.argv[1]).read().strip()]
        more = "false" if key == "c.jpg" else "true"
        x = ("<?xml version=\"1.0\"?><ListBucketResult><IsTruncated>%s"
             "</IsTruncated><Contents><Key>%s</Key><Size>%d</Size>"
             "</Contents></ListBucketResult>" % (more, key, len(body)))
        self.reply(200, x.encode())
serve(H)
PY
echo same >"$T/mode"
fake_server "$T/srv.py" "$T/mode"
printf 'settle = 0\n[remote s3]\ntype = s3\nendpoint = http://127.0.0.1:%s\nbucket = photos\naccess_key_id = AK\nsecret_access_key = SK\nretries = 1\nretry_delay = 0.1\n' \
    "$port" >"$SHOEBOX_CONFIG"
chmod 600 "$SHOEBOX_CONFIG"

# a run the listing held for good is killed: exit 124, failed below
SB_AS="timeout 60"
for mode in same round; do
	echo $mode >"$T/mode"
	: >"$T/srv.log"
	sb restore --remote s3 --rebuild --to "$T/new-$mode" --no-progress
	[ "$rc" = 124 ] && fail "$mode: the listing went on for a minute"
	expect_rc 1
	grep -q "^shoebox: restore: listing remote s3: a listing page after b.jpg ends at [ab].jpg, not after it: the listing would never end$" \
	    "$T/err" || fail "$mode: not said: $(cat "$T/err")"
	[ "$(grep -c 'marker=' "$T/srv.log")" -le 2 ] ||
	    fail "$mode: listed again and again: $(cat "$T/srv.log")"
	for f in a.jpg b.jpg; do
		[ "$(cat "$T/new-$mode/$f")" = "hello world" ] ||
		    fail "$mode: $f not restored"
	done
done

echo good >"$T/mode"
sb restore --remote s3 --rebuild --to "$T/new-good" --no-progress
expect_rc 0
grep -q '^3 files on remote s3: 3 restored, 0 present' "$T/out" ||
    fail "good: $(cat "$T/out" "$T/err")"
for f in a.jpg b.jpg c.jpg; do
	[ "$(cat "$T/new-good/$f")" = "hello world" ] ||
	    fail "good: $f not restored"
done
exit 0
