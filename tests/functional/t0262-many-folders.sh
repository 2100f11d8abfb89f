#!/bin/sh
# A card whose photos go to more library folders than the importer keeps
# open (80 days against 32): a batch is written out and begun again while
# the next photo, already read, waits for its copy. Every photo is filed
# byte for byte what the card holds, with the catalogue's SHA-256 its own,
# and --move removes only what was filed. A third of the photos are padded
# past the first read (256 kB) so that the copy takes more than one slot.
. "$TOP/tests/lib/common.sh"
command -v python3 >/dev/null || { echo "skipped: no python3"; exit 77; }

d="$T/card/DCIM/100CANON"
dated_jpegs "$d" 80
python3 - "$d" <<'PY' || fail "cannot pad the photos"
import os, random, sys
r = random.Random(262)
names = sorted(os.listdir(sys.argv[1]))
for name in names[::3]:
    with open(os.path.join(sys.argv[1], name), "ab") as f:
        f.write(bytes(r.getrandbits(8) for _ in range(300 * 1024)))
PY
cp -a "$T/card" "$T/orig"

sb import --no-progress --move "$T/card"
expect_rc 0
grep -q "^80 files seen: 80 imported," "$T/out" || fail "summary: $(cat "$T/out")"
[ "$(find "$LIB" -mindepth 3 -maxdepth 3 -type d -not -path '*/.shoebox*' |
    wc -l)" -eq 80 ] || fail "not 80 day folders: $(libfiles)"
[ "$(lib_sums | cut -d' ' -f1 | sort)" = "$(sums "$T/orig")" ] ||
    fail "the library's photos are not the card's"
catalog_matches_lib "80 folders"
[ -z "$(find "$T/card" -type f)" ] || fail "--move left: $(find "$T/card" -type f)"
echo "ok"
