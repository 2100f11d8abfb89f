#!/usr/bin/env python3
"""Compare what shoebox sees in media files with what ExifTool reads.

    scripts/compare-exiftool.py [--shoebox ./shoebox] DIR_OR_FILE...

Runs `shoebox probe --json` and `exiftool -j` over the same files and
prints one line per file where they disagree on the day of capture (ExifTool's
DateTimeOriginal, else CreateDate, else a video container's CreationDate), the
MIME type (ExifTool's names are mapped to shared-mime-info's where they
differ only in spelling), or the camera make. Files neither tool takes for
an image or a video are left out. Ends with a count; exits 1 on any
disagreement. Nothing is written anywhere.
"""
import argparse
import json
import os
import subprocess
import sys

# ExifTool's spelling -> shared-mime-info's, where only the name differs.
SAME_TYPE = {
    "image/x-fujifilm-raf": "image/x-fuji-raf",
    "video/m2ts": "video/mp2t",
    "video/x-dv": "video/dv",
    "image/x-raw": None,            # ExifTool's catch-all: any RAW name
}


def files_of(paths):
    for p in paths:
        if os.path.isdir(p):
            for root, dirs, names in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for n in sorted(names):
                    if not n.startswith("."):
                        yield os.path.join(root, n)
        else:
            yield p


def run_json_lines(cmd):
    out = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                         check=False).stdout.decode("utf-8", "replace")
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shoebox", default="./shoebox")
    ap.add_argument("paths", nargs="+")
    args = ap.parse_args()
    files = list(files_of(args.paths))
    if not files:
        print("no files", file=sys.stderr)
        return 2
    sb = {}
    for i in range(0, len(files), 500):
        for o in run_json_lines([args.shoebox, "probe", "--json"] +
                                files[i:i + 500]):
            sb[o["path"]] = o
    et = {}
    for i in range(0, len(files), 500):
        out = subprocess.run(
            ["exiftool", "-j", "-q", "-q", "-MIMEType", "-DateTimeOriginal",
             "-CreateDate", "-CreationDate", "-Make"] + files[i:i + 500],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            check=False).stdout
        for o in json.loads(out or b"[]"):
            et[o["SourceFile"]] = o
    checked = bad = 0
    for f in files:
        s, e = sb.get(f), et.get(f, {})
        if s is None:
            print(f"{f}: shoebox printed nothing")
            bad += 1
            continue
        emime = e.get("MIMEType", "")
        if s["kind"] == "other" and not emime.startswith(("image/", "video/")):
            continue
        checked += 1
        why = []
        want = SAME_TYPE.get(emime, emime)
        if emime in SAME_TYPE and want is None:
            if s["kind"] != "raw":
                why.append(f"type {s['mime']} ({s['kind']}), ExifTool a RAW")
        elif want and want != s["mime"]:
            why.append(f"type {s['mime']}, ExifTool {emime}")
        edate = ""
        for k in ("DateTimeOriginal", "CreateDate", "CreationDate"):
            if k == "CreationDate" and not emime.startswith("video/"):
                continue    # XMP-pdf and the like: not a capture time
            v = str(e.get(k) or "")
            if v[:4].isdigit() and not v.startswith("0000"):
                edate = v
                break
        sday = (s.get("taken") or "")[:10].replace("-", ":")
        if edate and edate[:10] != sday:
            why.append(f"day {sday} ({s['date_source']}), ExifTool {edate}")
        emake = str(e.get("Make") or "").strip()
        if emake and (s.get("make") or "").strip() != emake:
            why.append(f"make {s.get('make')!r}, ExifTool {emake!r}")
        if why:
            bad += 1
            print(f"{f}: " + "; ".join(why))
    print(f"{checked} media files compared, {bad} disagree")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
