#!/bin/sh
# A file name of 255 bytes (NAME_MAX) already taken in its library folder
# by another file: the next name, NAME-1.EXT, would be 257 bytes, and the
# file was never filed ("File name too long", on every run). Its stem is
# cut short to make room, never in the middle of a UTF-8 character: two
# cards with different photos under the same longest names are both filed
# whole, each with its catalogue SHA-256; a re-run reads nothing again.
. "$TOP/tests/lib/common.sh"
command -v python3 >/dev/null || { echo "skipped: no python3"; exit 77; }

python3 - "$FIX" "$T/card1" "$T/card2" <<'PY' || fail "cannot make the cards"
import os, sys
tmpl = open(os.path.join(sys.argv[1], "Reagan.jpg"), "rb").read()
names = ["x" * 251 + ".jpg", "\u00e9" * 125 + "x.jpg", "y" * 255,
         "z" * 240 + "." + "j" * 14]
for k, card in enumerate(sys.argv[2:]):
    os.makedirs(card)
    for i, n in enumerate(names):
        assert len(n.encode()) == 255
        open(os.path.join(card.encode(), n.encode()), "wb").write(
            tmpl + b"card %d file %d" % (k, i))
PY
sb import --no-progress "$T/card1"
expect_rc 0
sb import --no-progress "$T/card2"
cat "$T/out" "$T/err"
expect_rc 0
grep -q "^4 files seen: 4 imported" "$T/out" || fail "second card: $(cat "$T/out")"
[ "$(libfiles | wc -l)" = 8 ] || fail "not 8 files: $(libfiles)"
[ "$(lib_sums | cut -d' ' -f1 | sort)" = "$(sums "$T/card1"; sums "$T/card2")" ] ||
    [ "$(lib_sums | cut -d' ' -f1 | sort)" = "$( (sums "$T/card1"; sums "$T/card2") | sort)" ] ||
    fail "the library's files are not the cards'"
q "SELECT path || ' ' || lower(hex(sha256)) FROM files" | while read -r p h; do
	[ "$(openssl dgst -sha256 -r "$LIB/$p" | cut -d' ' -f1)" = "$h" ] ||
	    { echo "FAIL: $p is not its catalogue SHA-256" >&2; exit 1; }
done || exit 1
python3 - "$LIB" <<'PY' || fail "a library name is too long or not UTF-8"
import os, sys
for d, _, files in os.walk(sys.argv[1].encode()):
    for f in files:
        assert len(f) <= 255, f
        f.decode("utf-8")
PY
libfiles | grep -q "^[0-9/]*/$(printf '\303\251%.0s' $(seq 124))-1\.jpg$" ||
    fail "the UTF-8 name not cut at a character: $(libfiles)"
sb import --no-progress "$T/card2"
expect_rc 0
grep -q "^4 files seen: 0 imported, 0 duplicates, 0 sidecars, 4 already imported" "$T/out" ||
    fail "re-run: $(cat "$T/out")"
exit 0
