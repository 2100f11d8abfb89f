#!/bin/sh
# Bad input: a truncated file, a corrupt EXIF block, a name that is not
# UTF-8, an unreadable file: a message naming the file and the reason, the
# import carries on, and nothing partial in the library. Files filed with a
# warning (damaged headers, a name made clean) exit 0 "with warnings"; an
# unreadable file is a failure (exit 1); a missing source is exit 2.
. "$TOP/tests/lib/common.sh"

d="$T/card/DCIM/100CANON"
mkdir -p "$d"
cp "$CORPUS/exiv2/exiv2-canon-eos-20d.jpg" "$d/GOOD.JPG"
head -c 3000 "$CORPUS/exiv2/exiv2-nikon-d70.jpg" >"$d/TRUNC.JPG"
# Corrupt EXIF: the TIFF header's IFD0 offset points far away.
python3 - "$CORPUS/exiv2/Reagan.jpg" "$d/BADEXIF.JPG" <<'PY'
import sys
b = bytearray(open(sys.argv[1], "rb").read())
i = b.find(b"Exif\0\0")
b[i + 10:i + 14] = b"\xff\xff\xff\x7f" if b[i + 6:i + 8] == b"II" else b"\x7f\xff\xff\xff"
open(sys.argv[2], "wb").write(bytes(b))
PY
cp "$CORPUS/exiv2/FurnaceCreekInn.jpg" "$d/$(printf 'caf\351\001.jpg')"
cp "$CORPUS/exiv2/exiv2-nikon-e950.jpg" "$d/LOCKED.JPG"
chmod 000 "$d/LOCKED.JPG"
set_mtimes "$T/card"

sb import --no-progress "$T/card"
if [ "$(id -u)" = 0 ]; then expect_rc 0; else expect_rc 1; fi
cat "$T/err"
grep -q ', with warnings (see above)$' "$T/out" || fail "no 'with warnings': $(cat "$T/out")"
grep -q 'TRUNC.JPG: ' "$T/err" || fail "truncated file not named"
grep -q "caf\\\\xe9\\\\x01.jpg: name is not valid UTF-8" "$T/err" || fail "bad name not reported"
[ -f "$LIB/2008/05/08/caf__.jpg" ] || fail "badly named file not filed under a clean name"
[ -f "$LIB/2006/08/02/GOOD.JPG" ] || fail "good file not imported"
grep -q '^5 files seen' "$T/out" || fail "summary: $(cat "$T/out")"
if [ "$(id -u)" != 0 ]; then
	grep -q 'LOCKED.JPG: cannot open: Permission denied' "$T/err" || fail "unreadable file not reported"
	grep -q '1 failed' "$T/out" || fail "unreadable file not counted failed"
fi
libfiles | while read -r p; do
	[ -s "$LIB/$p" ] || fail "empty file $p"
done
[ -z "$(ls -A "$LIB/.shoebox/tmp")" ] || fail "partial files left"

# A source that does not exist: a usage-level message, status 2.
sb import --no-progress "$T/nonexistent"
expect_rc 2
grep -q "nonexistent: No such file or directory" "$T/err" || fail "missing source not reported"
exit 0
