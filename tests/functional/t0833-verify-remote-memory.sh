#!/bin/sh
# verify --remote reads the catalogue's rows a batch at a time: its peak
# memory on a remote of 10,000 copies is not above that on 1,000 plus a
# small margin (a dir remote; the rows and files are made directly, as a
# sync would leave them, to keep the test quick).
. "$TOP/tests/functional/remote-lib.sh"
sb_init
[ -x /usr/bin/time ] || sb_skip "/usr/bin/time not installed (package time)"
# ASan keeps freed memory in quarantine (up to 256 MB): that is not ours
case "$SHOEBOX" in
*asan*)	export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0" ;;
esac
mkdir -p "$W/disk"
cat >"$CFG" <<EOF2
settle = 0

[remote usb]
type = dir
path = $W/disk
EOF2
sb_catalog
q() { sqlite3 "$LIB/.shoebox/catalog.db" "$@"; }
sha=$(printf x | openssl dgst -sha256 -r | cut -d' ' -f1)

# grow N: catalogued files and done jobs up to N copies on the remote,
# each a 1-byte file (the library's own are not read without --download)
grow() {
	python3 - "$W/disk" "$1" <<'EOP' || sb_fail "making files"
import os, sys
disk, n = sys.argv[1], int(sys.argv[2])
for top in (disk,):
    for i in range(n):
        d = "%s/2020/%02d" % (top, i // 1000)
        os.makedirs(d, exist_ok=True)
        p = "%s/f%d.jpg" % (d, i)
        if not os.path.exists(p):
            with open(p, "w") as f:
                f.write("x")
EOP
	q "INSERT OR IGNORE INTO types (mime, kind) VALUES ('image/jpeg', 'image');
	    INSERT OR IGNORE INTO remotes (name) VALUES ('usb');
	    WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n
	    WHERE i + 1 < $1)
	    INSERT OR IGNORE INTO files (path, sha256, size, mtime_ns, type_id,
	    date_source, imported_at) SELECT printf('2020/%02d/f%d.jpg',
	    i / 1000, i), '$sha', 1, 0, (SELECT id FROM types WHERE mime =
	    'image/jpeg'), 'test', '2024-01-01T00:00:00Z' FROM n;
	    INSERT OR IGNORE INTO upload_jobs (remote_id, file_id, status,
	    queued_at) SELECT (SELECT id FROM remotes WHERE name = 'usb'), id,
	    'done', 'x' FROM files;" ||
	    sb_fail "sqlite3"
}
rss() {
	/usr/bin/time -f %M -o "$W/rss" "$SHOEBOX" -L "$LIB" -c "$CFG" \
	    verify --no-progress --remote usb >"$W/out" 2>"$W/err" ||
	    { cat "$W/out" "$W/err"; sb_fail "verify"; }
	grep -q "^$1 copies on usb verified: 0 intact, 0 changed, 0 missing, 0 unreadable, $1 unverified" \
	    "$W/out" || { cat "$W/out"; sb_fail "summary at $1"; }
	tail -n 1 "$W/rss"
}
grow 1000
small=$(rss 1000)
grow 10000
big=$(rss 10000)
echo "peak RSS: $small kB at 1,000 copies, $big kB at 10,000"
[ "$big" -le $((small + 3000)) ] || sb_fail "memory grows with the remote"
exit 0
