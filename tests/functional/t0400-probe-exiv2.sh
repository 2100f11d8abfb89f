#!/bin/sh
# t0400-probe-exiv2: "shoebox probe --json" on every file of the exiv2 test
# corpus, checked against ExifTool 12.57's answers (expected.tsv):
#  - every file where ExifTool has a DateTimeOriginal gets the same date and
#    time, with date_source "exif";
#  - every file whose ExifTool MIMEType is a type shoebox names gets that
#    type (mapped where ExifTool's names differ from shared-mime-info);
#  - no file crashes shoebox (exit status 0 or 1, never a signal).
# Deliberate differences from ExifTool are listed, with the reason, in
# KNOWN below and printed on every run.
# Needs the outside corpus (CORPUS).
. "$TOP/tests/lib/common.sh"
need_corpus
tmp=$T
mkdir "$tmp/in"
cp "$CORPUS"/exiv2/* "$tmp/in/" && chmod -R u+w "$tmp/in" || exit 2

# One JSON line per file (or none when it failed), and its exit status.
: >"$tmp/results"
for f in "$tmp"/in/*; do
	n=${f##*/}
	[ "$n" = expected.tsv ] && continue
	"$SHOEBOX" probe --json "$f" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	printf '%s\t%s\t%s\t%s\n' "$n" "$rc" "$(head -n 1 "$tmp/out")" \
	    "$(head -n 1 "$tmp/err" | tr '\t' ' ')" >>"$tmp/results"
done

python3 - "$CORPUS/exiv2/expected.tsv" "$tmp/results" <<'PY'
import csv, json, sys

# ExifTool's MIME names where shared-mime-info (and shoebox) differ.
MAP = {
    "image/x-fujifilm-raf": "image/x-fuji-raf",
    "image/x-raw": "image/x-panasonic-rw2",
    "image/heic": "image/heif",     # an alias in shared-mime-info
}
# Types shoebox names (the parser table of src/meta.c and identify.c).
OURS = {
    "image/jpeg", "image/tiff", "image/heif", "image/avif",
    "image/png", "image/webp", "image/gif", "image/jxl",
    "image/x-canon-cr2", "image/x-canon-cr3", "image/x-canon-crw",
    "image/x-nikon-nef", "image/x-nikon-nrw", "image/x-sony-arw",
    "image/x-sony-sr2", "image/x-sony-srf", "image/x-adobe-dng",
    "image/x-olympus-orf", "image/x-panasonic-rw2", "image/x-panasonic-rw",
    "image/x-fuji-raf", "image/x-pentax-pef", "image/x-samsung-srw",
    "image/x-sigma-x3f", "image/x-minolta-mrw", "image/x-phaseone-iiq",
    "image/x-hasselblad-3fr", "image/x-epson-erf", "image/x-kodak-kdc",
    "image/x-kodak-dcr", "image/x-leaf-mos", "image/x-leica-rwl",
    "image/x-gopro-gpr",
}
# Where shoebox deliberately says something else than ExifTool, and why.
KNOWN = {
    "exiv2-bug855.jpg": ("image/jpeg",
        "a JFIF JPEG (darktable export) whose Exif carries copied DNG "
        "tags; ExifTool switches to DNG on DNGVersion, the bytes say JPEG"),
    "issue_1791_old.raf": ("application/octet-stream",
        "no 'FUJIFILMCCD-RAW ' header, only 'FUJIFILM' + XMP; ExifTool "
        "accepts 'FUJIFILM' then reports 'File format error'"),
    "issue_857_coverage.raf": ("application/octet-stream",
        "same as issue_1791_old.raf"),
    "test_issue_1472.jpg": ("application/octet-stream",
        "ExifTool's image/x-exv: an exiv2 metadata sidecar (.exv), no image"),
}
# Dates ExifTool finds where shoebox deliberately does not look, and why.
KNOWN_DATES = {
    "test_issue_1472.jpg": "an exiv2 .exv sidecar, not an image: not parsed",
}
# Types whose parser lives in another module (meta-bmff.c): while that
# parser is absent from the tree, a missing date there is reported, not
# failed. Empty this set once meta-bmff.c reads dates.
PENDING = set()

exp = {}
with open(sys.argv[1], newline="", encoding="utf-8", errors="replace") as f:
    for row in csv.DictReader(f, delimiter="\t"):
        exp[row["file"]] = row
got = {}
for line in open(sys.argv[2], encoding="utf-8", errors="replace"):
    name, rc, js, err = (line.rstrip("\n").split("\t") + ["", ""])[:4]
    got[name] = (int(rc), json.loads(js) if js else None, err)

fail = 0
ndate = okdate = nmime = okmime = pending = 0
for name in sorted(exp):
    e = exp[name]
    if name not in got:
        print(f"FAIL {name}: not probed"); fail += 1; continue
    rc, j, err = got[name]
    if rc not in (0, 1):
        print(f"FAIL {name}: exit status {rc} {err}"); fail += 1; continue
    mime = j["mime"] if j else None
    em = MAP.get(e["mime"], e["mime"])
    if name in KNOWN:
        want, why = KNOWN[name]
        print(f"known {name}: ExifTool {e['mime'] or '(none)'}, "
              f"shoebox {mime}: {why}")
        if mime != want:
            print(f"FAIL {name}: expected {want}, got {mime}"); fail += 1
    elif em in OURS:
        nmime += 1
        if mime == em:
            okmime += 1
        else:
            print(f"FAIL {name}: mime {mime}, ExifTool {e['mime']}")
            fail += 1
    elif e["mime"]:
        print(f"note {name}: ExifTool {e['mime']}, shoebox {mime}")
    else:
        print(f"note {name}: ExifTool names no type, shoebox {mime}")
    dto = e["date_time_original"]
    if not dto:
        continue
    ndate += 1
    want = dto[:19].replace(":", "-", 2).replace(" ", "T")
    taken = (j or {}).get("taken") or ""
    src = (j or {}).get("date_source")
    if taken[:19] == want and src == "exif":
        okdate += 1
    elif taken[:19] == want and src in ("xmp", "iptc"):
        okdate += 1  # ExifTool's date came from XMP/IPTC too: no Exif one
        print(f"note {name}: date {taken} from {src} (no Exif date)")
    elif name in KNOWN_DATES:
        print(f"known {name}: no date (ExifTool {dto}): "
              f"{KNOWN_DATES[name]}")
        if src != "mtime":
            print(f"FAIL {name}: now dated {taken} ({src}): update "
                  "KNOWN_DATES"); fail += 1
    elif mime in PENDING and src == "mtime":
        pending += 1
        print(f"pending {name}: {mime} parser not in this tree yet "
              f"(ExifTool {dto})")
    else:
        print(f"FAIL {name}: taken {taken or '-'} ({src}), "
              f"ExifTool DateTimeOriginal {dto}")
        fail += 1
print(f"dates: {okdate}/{ndate} as ExifTool ({pending} pending); "
      f"types: {okmime}/{nmime} as ExifTool; {len(KNOWN)} known "
      f"type and {len(KNOWN_DATES)} date differences; {len(got)} files "
      "probed")
sys.exit(1 if fail else 0)
PY
