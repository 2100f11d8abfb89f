#!/bin/sh
# A re-run's folder scan (sources_name, merged with the walk's sorted
# names) over names that sort apart in other orders: bytes above 0x7f,
# invalid UTF-8, names that are prefixes of others, names of 255 bytes,
# a name of one byte. A second run reads nothing (all "already"); files
# then replaced by others of the same name, size and mtime (a new inode)
# are read again and filed (a name of 255 bytes then needs NAME-1.EXT:
# see t0716); a third run again reads nothing.
. "$TOP/tests/functional/safety-lib.sh"
command -v python3 >/dev/null || { echo "skipped: no python3"; exit 77; }

S=$T/drop
mkdir -p "$S"
python3 - "$FIX" "$S" <<'PY' || fail "cannot make the names"
import os, re, sys
fix, dest = sys.argv[1].encode(), sys.argv[2].encode()
tmpl = open(os.path.join(fix, b"Reagan.jpg"), "rb").read()
names = [b"a.jpg", b"a.jpg\x80.jpg", b"a.jpga.jpg", b"a\xff.jpg", b"a\x7f.jpg",
         b"\xc3\xa9t\xc3\xa9.jpg", b"\xe9t\xe9.jpg", b"\xff\xfe.jpg",
         b"\x80.jpg", b"B.jpg", b"b.jpg", b"b .jpg", b"b\t.jpg", b"b\\.jpg",
         b"x" * 251 + b".jpg", b"x" * 250 + b".jpg", b"x" * 250 + b"\xff.jpg",
         b"\xef\xbf\xbd.jpg", b"\xc0\xaf.jpg", b"z\x01.jpg", b"1.jpg", b"10.jpg",
         b"9.jpg", b"\xf4\x90\x80\x80.jpg", b"\xed\xa0\x80.jpg", b"z",
         b"\xe9"]
for i, n in enumerate(names):
    # each its own content: a trailer after the JPEG's end
    open(os.path.join(dest, n), "wb").write(tmpl + b"%08d" % i)
PY
n=$(ls "$S" | wc -l)
csb import --no-progress "$S"
expect_rc 0
grep -q "^$n files seen: $n imported" "$T/out" || fail "first run: $(cat "$T/out" "$T/err")"
csb import --no-progress "$S"
expect_rc 0
grep -q "^$n files seen: 0 imported, 0 duplicates, 0 sidecars, $n already imported" "$T/out" || fail "re-run: $(cat "$T/out" "$T/err")"
# replaced: same name, size and mtime, another inode and content
python3 - "$S" <<'PY' || fail "cannot replace"
import os, sys
d = sys.argv[1].encode()
for n in sorted(os.listdir(d))[::3]:
    p = os.path.join(d, n)
    st = os.stat(p)
    b = bytearray(open(p, "rb").read())
    b[-1] ^= 0x55
    t = os.path.join(d, b"..", b"new")
    open(t, "wb").write(b)
    os.utime(t, ns=(st.st_atime_ns, st.st_mtime_ns))
    os.rename(t, p)
PY
k=$(python3 -c "import os,sys; print(len(sorted(os.listdir(sys.argv[1].encode()))[::3]))" "$S")
csb import --no-progress "$S"
expect_rc 0
grep -q "^$n files seen: $k imported, 0 duplicates, 0 sidecars, $((n - k)) already imported" "$T/out" ||
    fail "after replacing $k: $(cat "$T/out" "$T/err")"
csb import --no-progress "$S"
grep -q "^$n files seen: 0 imported, 0 duplicates, 0 sidecars, $n already imported" "$T/out" || fail "third run: $(cat "$T/out" "$T/err")"
q "SELECT lower(hex(sha256)) || ' ' || path FROM files" | while read -r h p; do
	[ "$(sum "$LIB/$p")" = "$h" ] || { echo "FAIL: $p" >&2; exit 1; }
done || exit 1
exit 0
