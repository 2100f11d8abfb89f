#!/usr/bin/env python3
"""mkcard.py: build a synthetic camera card from real sample files.

    mkcard.py jpegs CORPUS DEST N [START]   N JPEGs with distinct EXIF dates
    mkcard.py camera CORPUS DEST N KB       N such JPEGs of about KB kilobytes
                                            each (a camera's size), padded
                                            with COM segments of random bytes
    mkcard.py tiny CORPUS DEST N [START]    N JPEGs of 9 kB, distinct dates
    mkcard.py raws CORPUS DEST N            N RAWs (CR3, DNG, CRW) made distinct
    mkcard.py videos CORPUS DEST N MB       N videos: a real MP4/MOV header and
                                            then a 'free' box of MB megabytes
    mkcard.py pad SRC DEST MB               one such video made from SRC (the
                                            tests' padded_video)

JPEGs and RAWs are real corpus files whose EXIF date strings
("YYYY:MM:DD HH:MM:SS", DateTimeOriginal and its siblings) are rewritten in
place to a date of their own: same length, so every offset in the file stays
valid, and ExifTool and shoebox both read the new date. Files land under
DEST/DCIM/1NNBENCH/ at most 1000 per directory, like a camera's card. Every
file is distinct (no duplicates), and mtimes are fixed so runs compare.
"""
import calendar
import os
import re
import sys
import time

DATE_RE = re.compile(rb"(?:19|20)\d\d:[01]\d:[0-3]\d [0-2]\d:[0-5]\d:[0-5]\d")
BASE = 1420070400       # 2015-01-01T00:00:00Z
STEP = 1733             # seconds between captures: ~50 a day, all distinct
MTIME = 1000000000      # 2001-09-09, so mtimes never date a file by mistake

# Real cameras' JPEGs from the exiv2 test data that ExifTool reads cleanly.
JPEGS = [
    "exiv2-canon-eos-20d.jpg", "exiv2-canon-eos-300d.jpg",
    "exiv2-canon-eos-d30.jpg", "exiv2-canon-powershot-a520.jpg",
    "exiv2-canon-powershot-s40.jpg", "exiv2-nikon-d70.jpg",
    "exiv2-nikon-e950.jpg", "exiv2-nikon-e990.jpg",
    "exiv2-olympus-c8080wz.jpg", "exiv2-sony-dsc-w7.jpg",
    "exiv2-panasonic-dmc-fz5.jpg", "exiv2-fujifilm-finepix-s2pro.jpg",
    "exiv2-kodak-dc210.jpg", "exiv2-sigma-d10.jpg", "DSC_3079.jpg",
    "Reagan.jpg", "FurnaceCreekInn3.jpg", "exiv2-gc.jpg",
]
TINY = ["exiv2-bug1231b.jpg"]  # 9 kB, for the 100,000-file card
RAWS = ["Canon-R6-pruned.CR3", "IMG_1361.dng",
        "exiv2-canon-powershot-s40.crw"]
VIDEOS = ["mp4_utc_2021-07-04T183015Z.mp4", "mov_utc_2019-12-31T235958Z.mov"]


def stamp(i):
    t = time.gmtime(BASE + i * STEP)
    return time.strftime("%Y:%m:%d %H:%M:%S", t).encode()


# CRW (CIFF) keeps its capture time as a 32-bit count of seconds; the
# corpus file's is ExifTool's 2005:04:23 17:54:36.
CRW_TIME = calendar.timegm((2005, 4, 23, 17, 54, 36)).to_bytes(4, "little")


def redate(data, i):
    """data with every EXIF date string in its first 256 kB set to date i
    (or, in a CRW, its binary capture time): dates alone make the files
    distinct."""
    head = DATE_RE.sub(stamp(i), data[:262144])
    if head == data[:262144] and CRW_TIME in data:
        return data.replace(CRW_TIME, (BASE + i * STEP).to_bytes(4,
                                                                 "little"))
    return head + data[262144:]


def place(dest, i, ext):
    d = os.path.join(dest, "DCIM", "%03dBENCH" % (100 + i // 1000))
    os.makedirs(d, exist_ok=True)
    return os.path.join(d, "IMG_%04d%s" % (i % 10000, ext))


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)
    os.utime(path, (MTIME, MTIME))


def jpegs(corpus, dest, n, start=0, names=JPEGS):
    tmpl = [open(os.path.join(corpus, "exiv2", x), "rb").read()
            for x in names]
    for i in range(start, start + n):
        write(place(dest, i, ".JPG"), redate(tmpl[i % len(tmpl)], i))


def pad_jpeg(data, size):
    """data (a JPEG) grown to about size bytes by COM segments of random
    bytes after its APPn segments (EXIF stays first; its offsets are
    relative to its own TIFF header, so they stay valid)."""
    at = 2
    while at + 4 <= len(data) and data[at] == 0xFF and \
            0xE0 <= data[at + 1] <= 0xEF:
        at += 2 + int.from_bytes(data[at + 2:at + 4], "big")
    segs = []
    need = size - len(data)
    while need > 4:
        n = min(need - 4, 65533)
        segs.append(b"\xff\xfe" + (n + 2).to_bytes(2, "big") +
                    os.urandom(n))
        need -= n + 4
    return data[:at] + b"".join(segs) + data[at:]


def camera(corpus, dest, n, kb):
    tmpl = [open(os.path.join(corpus, "exiv2", x), "rb").read()
            for x in JPEGS]
    for i in range(n):
        size = kb * 1000 + (i * 7919) % 20000 - 10000   # +/- 10 kB
        write(place(dest, i, ".JPG"),
              pad_jpeg(redate(tmpl[i % len(tmpl)], i), size))


def raws(corpus, dest, n):
    for k in range(n):
        name = RAWS[k % len(RAWS)]
        data = open(os.path.join(corpus, "exiv2", name), "rb").read()
        i = 50000 + k
        d = os.path.join(dest, "DCIM", "100RAW")
        os.makedirs(d, exist_ok=True)
        write(os.path.join(d, "RAW_%04d%s" % (k, os.path.splitext(name)[1]
              .upper())), redate(data, i))


def pad(head, path, mb, block, k=0):
    """Write head (a real MP4/MOV) to path, then MB megabytes of block in
    one 64-bit 'free' box: the file stays a well-formed ISO-BMFF file.
    Each megabyte starts with k and its number, so no two are the same."""
    with open(path, "wb") as f:
        f.write(head)
        f.write((1).to_bytes(4, "big") + b"free" +
                ((mb << 20) + 16).to_bytes(8, "big"))
        for j in range(mb):
            block[0:8] = (k << 32 | j).to_bytes(8, "big")
            f.write(block)


def videos(corpus, dest, n, mb):
    block = bytearray(os.urandom(1 << 20))
    d = os.path.join(dest, "PRIVATE", "M4ROOT", "CLIP")
    os.makedirs(d, exist_ok=True)
    for k in range(n):
        name = VIDEOS[k % len(VIDEOS)]
        head = open(os.path.join(corpus, "video", name), "rb").read()
        path = os.path.join(d, "C%04d%s" % (k + 1, os.path.splitext(name)[1]
                            .upper()))
        pad(head, path, mb, block, k)
        os.utime(path, (MTIME, MTIME))


def main(argv):
    what, corpus, dest = argv[1], argv[2], argv[3]
    if what == "pad":
        pad(open(corpus, "rb").read(), dest, int(argv[4]),
            bytearray(os.urandom(1 << 20)))
        return
    n = int(argv[4])
    if what == "jpegs":
        jpegs(corpus, dest, n, int(argv[5]) if len(argv) > 5 else 0)
    elif what == "camera":
        camera(corpus, dest, n, int(argv[5]))
    elif what == "tiny":
        jpegs(corpus, dest, n, int(argv[5]) if len(argv) > 5 else 0, TINY)
    elif what == "raws":
        raws(corpus, dest, n)
    elif what == "videos":
        videos(corpus, dest, n, int(argv[5]))
    else:
        sys.exit("mkcard.py: unknown card part " + what)


if __name__ == "__main__":
    main(sys.argv)
