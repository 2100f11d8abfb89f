#!/bin/sh
# Import every file of the exiv2 corpus (real cameras' files and the
# malformed ones): no crash, every file accounted for, and every file that
# ExifTool dates by DateTimeOriginal is filed under that day. Needs the
# outside corpus (CORPUS).
. "$TOP/tests/lib/common.sh"
need_corpus

mkdir -p "$T/card/DCIM/100TEST"
cp "$CORPUS"/exiv2/* "$T/card/DCIM/100TEST/"
rm "$T/card/DCIM/100TEST/expected.tsv"
chmod -R u+w "$T/card"
set_mtimes "$T/card"

sb import --no-progress "$T/card"
[ "$rc" = 0 ] || [ "$rc" = 1 ] || fail "exit $rc"
cat "$T/out"
# Files named as media whose content is not recognised are named in a
# warning and not remembered (so they are named again next time).
unrec=$(grep -c ': named as media, but its content is not recognised' "$T/err")
n=$(ls "$T/card/DCIM/100TEST" | wc -l)
grep -q "^$n files seen:" "$T/out" || fail "summary does not account for all $n files"

# Every source, with where it went (duplicates point at the kept copy).
q "SELECT s.path, coalesce(f.path, ''), s.status FROM sources s
   LEFT JOIN files f ON f.id = s.file_id" | sed "s|^$T/card/DCIM/100TEST/||" >"$T/placed"
[ "$(wc -l <"$T/placed")" = $((n - unrec)) ] ||
    fail "catalogue has $(wc -l <"$T/placed") sources, expected $n - $unrec"

python3 - "$CORPUS/exiv2/expected.tsv" "$T/placed" <<'PY' || exit 1
import sys, csv
exp = {r["file"]: r for r in csv.DictReader(open(sys.argv[1]), delimiter="\t")}
placed = {}
for line in open(sys.argv[2]):
    src, dest, status = line.rstrip("\n").split("|")
    placed[src] = (dest, status)
bad = checked = 0
for name, r in exp.items():
    dto = r["date_time_original"]
    if not dto:
        continue
    if r["mime"] == "image/x-exv":
        # exiv2's own metadata-only container (no picture): not a photo,
        # so shoebox leaves it alone like any other non-media file.
        continue
    checked += 1
    day = dto[:10].replace(":", "/")
    dest, status = placed.get(name, ("", "missing"))
    if not dest.startswith(day + "/"):
        print(f"{name}: ExifTool DateTimeOriginal {dto}, filed as {dest or status}")
        bad += 1
print(f"{checked - bad}/{checked} files with a DateTimeOriginal filed under its day")
sys.exit(1 if bad else 0)
PY

# Nothing partial: every library file is whole (its hash is the catalogue's).
q "SELECT path || '|' || lower(hex(sha256)) FROM files" | while IFS='|' read -r p h; do
	[ "$(sha256sum "$LIB/$p" | cut -d' ' -f1)" = "$h" ] || fail "$p differs from its catalogued hash"
done || exit 1
[ -z "$(ls -A "$LIB/.shoebox/tmp")" ] || fail "partial files left in .shoebox/tmp"
exit 0
