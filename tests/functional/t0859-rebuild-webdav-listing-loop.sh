#!/bin/sh
# restore --rebuild from a WebDAV server (a stand-in on 127.0.0.1) whose
# folders lie in their listings (PROPFIND, Depth 1): each names the
# root's folders as its own, or names a sub-folder twice, or names
# "%2e%2e/". Before, folders were listed round and round (down to 64
# deep, two or more ways at each: never ending), each time downloading
# the files again. Now a folder's listing gives only its own sub-folders
# (each once) and the files below it: each folder is listed once, each
# file restored once, exit 0. (t0839's server lists a file deeper than
# Depth 1: still taken.)
. "$TOP/tests/lib/common.sh"

cat >"$T/srv.py" <<'PY'
import sys
from fakehttp import Handler, dav_entry, dav_multistatus, serve
body = b"hello world\n"
def entry(href, coll):
    return dav_entry(href, coll, len(body))
class H(Handler):
    def do_GET(self):
        self.reply(200, body)
    def do_PROPFIND(self):
        self.drain()
        mode = open(sys.argv[1]).read().strip()
        p = self.dav_path()
        r = entry(p, 1)
        if mode == "round":
            for f in ("a", "b", "c"):
                r += entry("/dav/%s/" % f, 1)
            r += entry("/dav/x.jpg", 0)
        elif mode == "twice":
            if p.count("/") < 12:
                r += entry(p + "x/", 1) + entry(p + "x/", 1)
            r += entry(p + "f.jpg", 0)
        else:
            r += entry(p + "%2e%2e/", 1) + entry(p + "y/%2e%2e/", 1)
            r += entry(p + "x.jpg", 0)
        self.reply(207, dav_multistatus(r))
serve(H)
PY
echo round >"$T/mode"
fake_server "$T/srv.py" "$T/mode"
printf 'settle = 0\n[remote dav]\ntype = webdav\nurl = http://127.0.0.1:%s/dav\nretries = 1\nretry_delay = 0.1\n' \
    "$port" >"$SHOEBOX_CONFIG"

# a run the listing held for good is killed: exit 124, failed below
SB_AS="timeout 60"
# mode, folders listed, files restored
for m in "round 4 1" "twice 11 11" "dotdot 1 1"; do
	set -- $m
	echo $1 >"$T/mode"
	: >"$T/srv.log"
	sb restore --remote dav --rebuild --to "$T/new-$1" --no-progress
	[ "$rc" = 124 ] && fail "$1: the listing went on for a minute"
	expect_rc 0
	n=$(grep -c '^PROPFIND' "$T/srv.log")
	[ "$n" = "$2" ] || fail "$1: $n folders listed, not $2"
	n=$(grep -c '^GET' "$T/srv.log")
	[ "$n" = "$3" ] || fail "$1: $n files downloaded, not $3"
	grep -q "^$3 files on remote dav: $3 restored, 0 present" "$T/out" ||
	    fail "$1: $(cat "$T/out" "$T/err")"
	n=$(find "$T/new-$1" -name '*.jpg' | wc -l)
	[ "$n" = "$3" ] || fail "$1: $n files in the library, not $3"
done
exit 0
