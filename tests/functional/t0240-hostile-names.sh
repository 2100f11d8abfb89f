#!/bin/sh
# Hostile names: newlines, tabs, backslashes, a leading dash, 255-byte
# names, bytes that are not UTF-8, C1 and bidi controls (each byte filed
# as '_', with a warning; a 254-byte name holding two U+200E marks is
# filed, not failed as too long; a photo and its sidecar so named still
# pair by name). Each is filed (or failed with a clear
# reason), every --json line is valid JSON, messages stay on one line, and
# nothing is written outside the library, whatever the name or pattern.
. "$TOP/tests/lib/common.sh"

d="$T/card/DCIM"
mkdir -p "$d"
dated_jpegs "$T/jpegs" 16
python3 - "$T/jpegs" "$d" <<'PY'
import os, sys
src, dst = sys.argv[1].encode(), sys.argv[2].encode()
names = [b"new\nline.jpg", b"tab\there.jpg", b"back\\slash.jpg",
         b"back\\x41slash.jpg", b"-rf.jpg", b"--help.jpg",
         b"A" * 251 + b".jpg", b"\xff" * 251 + b".jpg",
         b"caf\xe9.jpg", b"\xe2\x80\xae gpj.exe.jpg", b"quote\"'.jpg",
         b"*?[].jpg", b"..jpg", b"nel\xc2\x85.jpg",
         b"\xe2\x80\x8e" + b"h" * 244 + b"\xe2\x80\x8e.jpg", b"alm\xd8\x9c.jpg"]
files = sorted(os.listdir(src))
for n, f in zip(names, files):
    open(os.path.join(dst, n), "wb").write(open(os.path.join(src, f), "rb").read())
PY
set_mtimes "$T/card"
# Every file but "..jpg", which is a dot-file and left alone.
n=$(find "$d" -type f -not -name ".*" -printf x | wc -c)
touch "$T/before"
sleep 1

sb import --json --no-progress "$T/card"
cat "$T/err"
[ "$rc" = 0 ] || [ "$rc" = 1 ] || fail "exit $rc"
python3 - "$T/out" "$n" <<'PY' || fail "JSON output"
import json, sys
lines = open(sys.argv[1], "rb").read().split(b"\n")
assert lines[-1] == b"", "output does not end with a newline"
objs = [json.loads(l.decode("utf-8")) for l in lines[:-1]]
files, summary = objs[:-1], objs[-1]["summary"]
assert len(files) == int(sys.argv[2]), (len(files), sys.argv[2])
for o in files:
    assert o["status"] in ("imported", "failed", "duplicate"), o
    assert o["status"] != "failed" or o["error"], o
    assert o["status"] != "imported" or o["dest"], o
    print(o["status"], repr(o["path"]), o.get("dest"), o.get("error"))
assert summary["imported"] + summary["failed"] + summary["duplicate"] == len(files), summary
assert summary["imported"] >= len(files) - 1, "more than the 255-byte collision case failed"
PY
# Every message is one line naming a file of the card or the summary.
grep -v '^shoebox: ' "$T/err" && fail "a message spans lines"
# Only the library was written to.
find "$T" -newer "$T/before" -type f | grep -v "^$LIB/\|^$T/out$\|^$T/err$" && fail "written outside the library"
# Everything filed is whole and catalogued.
[ "$(q 'SELECT count(*) FROM files')" = "$(libfiles | wc -l)" ] || fail "catalogue does not match library"
libfiles | grep -q -- '^2008/05/08/-rf.jpg$\|/-rf.jpg$' || fail "-rf.jpg not filed under its name: $(libfiles)"
libfiles | grep -q 'new_line.jpg' || fail "newline not replaced: $(libfiles)"
libfiles | grep -qF 'back\slash.jpg' || fail "backslash name: $(libfiles)"
libfiles | grep -qF 'back\x41slash.jpg' || fail "backslash-x name: $(libfiles)"
# C1 and bidi controls: '_' each, never the text of an escape, and said.
libfiles | grep -q '/___ gpj\.exe\.jpg$' || fail "U+202E not replaced: $(libfiles)"
libfiles | grep -q '/nel__\.jpg$' || fail "U+0085 not replaced: $(libfiles)"
libfiles | grep -q '/alm__\.jpg$' || fail "U+061C not replaced: $(libfiles)"
libfiles | grep -q '/___h\{244\}___\.jpg$' || fail "U+200E name: $(libfiles)"
libfiles | grep -F '\u' && fail "an escape's text in a library name"
for n in ' gpj.exe.jpg' 'nel__.jpg' 'hhhh___.jpg' 'alm__.jpg'; do
	grep -F "filed as" "$T/err" | grep -qF "$n" ||
	    fail "no warning for $n: $(cat "$T/err")"
done
lib_nonempty

# A photo and its sidecar whose names hold a C1 or a bidi control: both
# cleaned byte for byte, so the sidecar's name still starts with the
# photo's and pairs with it by name, also when the name is taken (-1).
mkdir -p "$T/card3"
cp "$TOP/tests/sample-card/DCIM/100CANON/IMG_0002.JPG" "$T/card3/$(printf 'B\302\205.JPG')"
printf '<x:xmpmeta xmlns:x="adobe:ns:meta/">b</x:xmpmeta>\n' >"$T/card3/$(printf 'B\302\205.xmp')"
cp "$TOP/tests/sample-card/DCIM/100CANON/IMG_0004.JPG" "$T/card3/$(printf 'A\342\200\256.JPG')"
printf '<x:xmpmeta xmlns:x="adobe:ns:meta/">a</x:xmpmeta>\n' >"$T/card3/$(printf 'A\342\200\256.JPG.xmp')"
mkdir -p "$T/card4"
cp "$TOP/tests/sample-card/DCIM/100CANON/IMG_0004.JPG" "$T/card4/$(printf 'A\342\200\256.JPG')"
printf 'x' >>"$T/card4/$(printf 'A\342\200\256.JPG')"	# other content
printf '<x:xmpmeta xmlns:x="adobe:ns:meta/">a2</x:xmpmeta>\n' >"$T/card4/$(printf 'A\342\200\256.JPG.xmp')"
set_mtimes "$T/card3"
set_mtimes "$T/card4"
for c in card3 card4; do
	sb import --no-progress "$T/$c"
	expect_rc 0
done
for pair in 'B__.xmp B__.JPG' 'A___.JPG.xmp A___.JPG' \
    'A___-1.JPG.xmp A___-1.JPG'; do
	set -- $pair
	[ "$(q "SELECT m.path FROM files s JOIN files m ON m.id = s.main_id
	    WHERE s.path LIKE '%/$1'")" = "$(libfiles | grep "/$2\$")" ] ||
	    fail "$1 is not $2's sidecar: $(libfiles | grep '[AB]_')"
done

# A 255-byte name taken by other content: NAME-1.EXT would be too long;
# it fails with the reason, and the file already there is untouched.
mkdir -p "$T/card2"
long=$(printf 'A%.0s' $(seq 251)).jpg
python3 - "$d/$long" "$T/card2/$long" <<'PY'
import sys
b = bytearray(open(sys.argv[1], "rb").read())
b[-3] ^= 0xff		# other content, same EXIF date
open(sys.argv[2], "wb").write(bytes(b))
PY
touch -r "$d/$long" "$T/card2/$long"
ldir=$(dirname "$(libfiles | grep "^..../../../$long$")")
[ -n "$ldir" ] || fail "long name not filed: $(libfiles)"
before_sum=$(sha256sum <"$LIB/$ldir/$long")
sb import --no-progress "$T/card2"
cat "$T/out" "$T/err"
if [ "$rc" = 1 ]; then
	grep -q "$long: .*File name too long" "$T/err" || fail "long-name collision: no clear reason"
else
	expect_rc 0
fi
[ "$before_sum" = "$(sha256sum <"$LIB/$ldir/$long")" ] || fail "long name overwritten"
[ "$(q 'SELECT count(*) FROM files')" = "$(libfiles | wc -l)" ] || fail "catalogue does not match library"

# A name given on the command line that starts with a dash.
rm -rf "$LIB"
(cd "$d" && "$SHOEBOX" import --no-progress -- -rf.jpg >"$T/out" 2>"$T/err") ||
    fail "import -- -rf.jpg: $(cat "$T/err")"
libfiles | grep -q -- '/-rf.jpg$' || fail "-rf.jpg not filed: $(libfiles)"

# Patterns that would leave the library are refused before anything is done.
for p in '../%Y' '/tmp/%Y' '%Y/../..' '%Y/..' '..'; do
	printf 'settle = 0\npattern = %s\n' "$p" >"$T/conf"
	rm -rf "$LIB"
	sb -c "$T/conf" import --no-progress "$T/card"
	expect_rc 2
	grep -q 'pattern' "$T/err" || fail "pattern $p: $(cat "$T/err")"
	[ ! -e "$LIB" ] || [ -z "$(libfiles)" ] || fail "pattern $p filed something"
done
find "$T" -newer "$T/before" -type f | grep -v "^$LIB/\|^$T/conf$\|^$T/out$\|^$T/err$" &&
    fail "written outside the library"
exit 0
