#!/bin/sh
# Bad input: a truncated file, a corrupt EXIF block, a name that is not
# UTF-8, an unreadable file: a message naming the file and the reason, the
# import carries on, and nothing partial in the library. Files filed with a
# warning (damaged headers, a name made clean) exit 0 "with warnings"; an
# unreadable file is a failure (exit 1); a missing source is exit 2.
. "$TOP/tests/lib/common.sh"

d="$T/card/DCIM/100CANON"
mkdir -p "$d"
cp "$FIX/exiv2-canon-eos-20d.jpg" "$d/GOOD.JPG"
head -c 3000 "$FIX/exiv2-nikon-d70.jpg" >"$d/TRUNC.JPG"
# Corrupt EXIF: the TIFF header's IFD0 offset points far away.
python3 - "$FIX/Reagan.jpg" "$d/BADEXIF.JPG" <<'PY'
import sys
b = bytearray(open(sys.argv[1], "rb").read())
i = b.find(b"Exif\0\0")
b[i + 10:i + 14] = b"\xff\xff\xff\x7f" if b[i + 6:i + 8] == b"II" else b"\x7f\xff\xff\xff"
open(sys.argv[2], "wb").write(bytes(b))
PY
cp "$FIX/FurnaceCreekInn.jpg" "$d/$(printf 'caf\351\001.jpg')"
cp "$FIX/exiv2-nikon-e950.jpg" "$d/LOCKED.JPG"
chmod 000 "$d/LOCKED.JPG"
set_mtimes "$T/card"

# Root reads any file: the import runs as nobody.
as_nobody
sb import --no-progress "$T/card"
expect_rc 1
cat "$T/out" "$T/err"
sort "$T/err" >"$T/err.sorted"
check "messages name each bad file and the reason" diff -u - "$T/err.sorted" <<EOF
shoebox: $d/LOCKED.JPG: cannot open: Permission denied
shoebox: $d/TRUNC.JPG: JPEG APP1 segment truncated; dated by its modification time
shoebox: $d/caf\\xe9\\x01.jpg: name is not valid UTF-8 or has control characters; filed as caf__.jpg
EOF
head -n 1 "$T/out" >"$T/summary"
same_text "summary counts the unreadable file failed" "$T/summary" \
    "5 files seen: 4 imported, 0 duplicates, 0 sidecars, 0 already imported, 0 skipped, 1 failed"
libfiles >"$T/got"
check "the others are filed, the bad name under a clean one" diff -u - "$T/got" <<EOF
2001/02/03/TRUNC.JPG
2004/06/21/BADEXIF.JPG
2006/08/02/GOOD.JPG
2008/05/08/caf__.jpg
EOF
lib_nonempty
check "no partial files left" [ -z "$(ls -A "$LIB/.shoebox/tmp")" ]

# Its clean name taken already (another card's caf?.jpg of that day): the
# message names the name the file got, -1, and so does a dry run's.
mkdir -p "$T/card2"
{ cat "$FIX/FurnaceCreekInn.jpg"; echo 2; } >"$T/card2/$(printf 'caf\351\001.jpg')"
for run in --dry-run --no-progress; do
	sb import --no-progress $run "$T/card2"
	expect_rc 0
	grep -q "name is not valid UTF-8 or has control characters; filed as caf__-1.jpg$" \
	    "$T/err" || { cat "$T/err"; fail "$run: not the name it got"; }
done
check "filed as the name said" cmp "$LIB/2008/05/08/caf__-1.jpg" "$T/card2/caf"*

# A source that does not exist: a usage-level message, status 2.
sb import --no-progress "$T/nonexistent"
expect_rc 2
same_text "missing source reported" "$T/err" \
    "shoebox: $T/nonexistent: No such file or directory"
exit 0
