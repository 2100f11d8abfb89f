#!/usr/bin/env python3
"""bench.py: shoebox against the tools people use today, side by side.

Run through `make bench` (scripts/bench.sh). Builds synthetic cards from
the real samples in ../shared/corpus (scripts/bench/mkcard.py), runs every
command of a comparison in turn, BENCH_RUNS times (interleaved, so drift
hits all alike), and prints one Markdown table of medians, ratios to
shoebox and peak RSS (/usr/bin/time, children included), then the
memory curve (memory.py) and the card on a throttled device (card.py).

Environment (the defaults take about 12-15 minutes on 2 quiet cores; see
the README's Performance section):
  BENCH_ONLY=small,camera,large,memory,probe,sync,card,catalog   a subset
  BENCH_RUNS=3            runs of each timed measurement (median)
  BENCH_FILES=2000        small JPEGs on the photo card (with ExifTool)
  BENCH_RAWS=30           RAWs (CR3, DNG, CRW) on the photo card
  BENCH_CAMERA_FILES=2000 camera-sized JPEGs (~110 KB) against cp -a; sync
                          (and cp -a with a SHA-256 of each file alongside)
  BENCH_VIDEOS=2          large videos
  BENCH_VIDEO_MB=500      size of each video
  BENCH_SIZES=10000,100000  files in each step of the memory curve
  BENCH_MILLION=1         add 1,000,000 files to the memory curve (about
                          30 minutes more and 20 GB of scratch space)
  BENCH_SYNC_MAX=10000    largest step of the curve that also syncs (dir)
  BENCH_CARD_JPEGS=1000, BENCH_CARD_VIDEO_MB=300   the throttled card
  BENCH_CARD_SPEEDS=90,35 its read limits in MB/s (root: loop + blkio)
  BENCH_CARD_RUNS=1       runs at each speed
  BENCH_DIR=bench-work    scratch directory (removed at the end)
  BENCH_KEEP=1            keep the scratch directory
  BENCH_BASELINE=PATH     an older shoebox, for before/after rows
  (catalog runs scripts/bench-catalog, a million-row catalogue, if there)
"""
import json
import os
import shutil
import subprocess
import sys
import time

sys.dont_write_bytecode = True    # no __pycache__ in the tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import (BASELINE, ONLY, RUNS, SHOEBOX, TOP, WORK, compare,  # noqa
                    drop, env_int, files_under, mkcard, rows, say, settle,
                    shoebox_import, skipped, tables)
import card as card_bench  # noqa: E402
import memory  # noqa: E402

FILES = env_int("BENCH_FILES", 2000)
RAWS = env_int("BENCH_RAWS", 30)
CAMERA = env_int("BENCH_CAMERA_FILES", 2000)
VIDEOS = env_int("BENCH_VIDEOS", 2)
VIDEO_MB = env_int("BENCH_VIDEO_MB", 500)


def baseline(entries, lib, card, prepare):
    """With BENCH_BASELINE, the same import by an older shoebox, second."""
    if BASELINE:
        entries.insert(1, ("shoebox import (BENCH_BASELINE)",
                           shoebox_import(lib, card, BASELINE), prepare,
                           None))
    return entries


def bench_small():
    card = os.path.join(WORK, "photos")
    say("building a card of %d JPEGs and %d RAWs" % (FILES, RAWS))
    mkcard("jpegs", card, FILES)
    mkcard("raws", card, RAWS)
    lib, etlib, cpdst = (os.path.join(WORK, x) for x in
                         ("lib-small", "lib-exiftool", "cp-small"))
    n = FILES + RAWS
    compare("import %d small files (JPEG + RAW)" % n, baseline([
        ("shoebox import", shoebox_import(lib, card), lambda: drop(lib),
         None),
        ("exiftool -r -o . -d LIB/%Y/%m/%d", [
            "exiftool", "-q", "-q", "-r", "-o", ".", "-d",
            etlib + "/%Y/%m/%d", "-Directory<FileModifyDate",
            "-Directory<DateTimeOriginal", card],
         lambda: drop(etlib), WORK),
        ("cp -a", ["cp", "-a", card, cpdst], lambda: drop(cpdst), None),
        ("cp -a; sync -f", ["sh", "-c", 'cp -a "$1" "$2" && sync -f "$2"',
                            "sh", card, cpdst], lambda: drop(cpdst), None),
    ], lib, card, lambda: drop(lib)), unit=(n, "files"))
    # Probe: headers only, every JPEG, one process each tool.
    if "probe" in ONLY:
        files = sorted(os.path.join(dp, f) for dp, _, fs in os.walk(card)
                       for f in fs if f.endswith(".JPG"))[:5000]
        compare("probe %d JPEGs (type and date)" % len(files), [
            ("shoebox probe", [SHOEBOX, "probe"] + files, None, None),
            ("exiftool -DateTimeOriginal", ["exiftool", "-q",
             "-DateTimeOriginal"] + files, None, None),
        ], unit=(len(files), "files"))
    drop(lib, etlib, cpdst)


def bench_camera():
    """A card as a camera writes it: JPEGs of ~110 KB, against cp -a and a
    sync of the destination (what a careful person does by hand)."""
    card = os.path.join(WORK, "camera")
    say("building a card of %d camera JPEGs (~110 KB)" % CAMERA)
    mkcard("camera", card, CAMERA, 110)
    lib, cpdst = os.path.join(WORK, "lib-camera"), os.path.join(WORK,
                                                                 "cp-camera")
    mb = sum(os.path.getsize(f) for f in files_under(card)) / 1e6
    compare("import %d camera JPEGs (%.0f MB)" % (CAMERA, mb),
            camera_entries(lib, card, cpdst), unit=(CAMERA, "files"))
    drop(lib, cpdst)
    bench_camera_journaled(card, mb)
    drop(card)


def camera_entries(lib, card, cpdst):
    return baseline([
        ("shoebox import", shoebox_import(lib, card), lambda: drop(lib),
         None),
        ("cp -a; sync -f", ["sh", "-c", 'cp -a "$1" "$2" && sync -f "$2"',
                            "sh", card, cpdst], lambda: drop(cpdst), None),
        # What any copy that records a SHA-256 costs at least: cp with
        # OpenSSL hashing the same files beside it, one on each core.
        ("cp -a & openssl dgst -sha256; sync -f", ["sh", "-c",
         'cp -a "$1" "$2" & find "$1" -type f -exec openssl dgst -sha256 '
         '{} + >/dev/null; wait; sync -f "$2"', "sh", card, cpdst],
         lambda: drop(cpdst), None),
    ], lib, card, lambda: drop(lib))


def bench_camera_journaled(card, mb):
    """The same card and commands on an ext4 made as mkfs.ext4 makes it
    (with a journal) on a loop device of its own: a disk as users have it.
    This VM's own ext4 has no journal, and there a new inode is found by
    scanning past every inode freed in the last half minute, so each run,
    after the deletion of the last run's 2,000 files, pays anything from
    nothing to most of its CPU in that scan (cp as much as shoebox)."""
    title = "import %d camera JPEGs (%.0f MB), journaled ext4 image" % (
        CAMERA, mb)
    why = card_bench.why_not()
    if why is not None:
        skipped(title, ["shoebox import"], why)
        return
    img, mnt = os.path.join(WORK, "ext4.img"), os.path.join(WORK, "ext4")
    loop = None
    try:
        loop = card_bench.mount_image(img, mnt, mb * 4 + 256)
        jcard = os.path.join(mnt, "camera")
        card_bench.sh("cp", "-a", card, jcard)
        settle()
        compare(title, camera_entries(os.path.join(mnt, "lib"), jcard,
                                      os.path.join(mnt, "cp")),
                unit=(CAMERA, "files"))
    except (OSError, subprocess.CalledProcessError) as e:
        say("journaled ext4: %s" % e)
        skipped(title, ["shoebox import"], "setup failed: %s" % e)
    finally:
        card_bench.unmount_image(loop, mnt, img)


def bench_large():
    card = os.path.join(WORK, "videos")
    say("building %d videos of %d MB" % (VIDEOS, VIDEO_MB))
    mkcard("videos", card, VIDEOS, VIDEO_MB)
    lib, cpdst = os.path.join(WORK, "lib-large"), os.path.join(WORK, "cp-large")
    mb = VIDEOS * VIDEO_MB
    compare("import %d videos, %d MB each" % (VIDEOS, VIDEO_MB), baseline([
        ("shoebox import", shoebox_import(lib, card), lambda: drop(lib),
         None),
        ("cp -a", ["cp", "-a", card, cpdst], lambda: drop(cpdst), None),
        ("cp -a; sync -f", ["sh", "-c", 'cp -a "$1" "$2" && sync -f "$2"',
                            "sh", card, cpdst], lambda: drop(cpdst), None),
    ], lib, card, lambda: drop(lib)), unit=(mb, "MB"))
    drop(lib, cpdst, card)


SYNC_FILES = env_int("BENCH_SYNC_FILES", 500)
SYNC_VIDEO_MB = env_int("BENCH_SYNC_VIDEO_MB", 256)


def s3_config(path, port, prefix):
    # A config holding a secret must be private (mode 600), or shoebox
    # refuses it (shoebox.conf(5)).
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write("[remote s3]\ntype = s3\nendpoint = http://127.0.0.1:%d\n"
                "bucket = photos\nprefix = %s\naccess_key_id = AKTEST\n"
                "secret_access_key = SKTEST\n" % (port, prefix))


def sync_reset(lib):
    """Mark every upload job pending again (and forget multipart state), as
    t0501 does: with a new prefix every file is sent again."""
    subprocess.run(["sqlite3", os.path.join(lib, ".shoebox", "catalog.db"),
                    "UPDATE upload_jobs SET status = 'pending', attempts = 0,"
                    " skipped = 0, upload_id = NULL, part_size = NULL;"
                    " DELETE FROM upload_parts"], check=True)


def sync_uploaded(conf, lib):
    """One untimed shoebox sync; returns how many files it uploaded."""
    p = subprocess.run([SHOEBOX, "-c", conf, "-L", lib, "-q", "sync",
                        "--no-progress", "--json"], capture_output=True,
                       text=True)
    for line in p.stdout.splitlines():
        if '"summary"' in line:
            return json.loads(line).get("uploaded", -1)
    say("shoebox sync printed no summary: " + p.stderr[-500:])
    return -1


def bench_sync():
    """shoebox sync against rclone copy to the same local S3 server
    (tests/node/s3rver.js, which checks SigV4 signatures). Needs the
    uploader and tests/node (make deps); prints n/a without them. Every
    timed run sends everything to a fresh prefix (a new one each run)."""
    node = os.path.join(TOP, "tests", "node")
    have = (os.path.exists(os.path.join(node, "s3rver.js")) and
            os.path.isdir(os.path.join(node, "node_modules", "@20minutes",
                                       "s3rver")) and
            shutil.which("node") and shutil.which("rclone"))
    if have:
        p = subprocess.run([SHOEBOX, "sync", "--help"], capture_output=True)
        have = b"not yet" not in p.stderr + p.stdout
    title = "sync %d JPEGs + 2 videos of %d MB to S3 (local s3rver)" % (
        SYNC_FILES, SYNC_VIDEO_MB)
    if not have:
        for label in ("shoebox sync", "rclone copy"):
            rows.append((title, label, None, None, None,
                         "n/a (no uploader, node, rclone or tests/node)"))
        return
    data, card = os.path.join(WORK, "s3data"), os.path.join(WORK, "upcard")
    lib, conf = os.path.join(WORK, "lib-sync"), os.path.join(WORK, "s3.conf")
    os.makedirs(data, exist_ok=True)
    srv = subprocess.Popen(["node", os.path.join(node, "s3rver.js"), data,
                            "photos", "AKTEST", "SKTEST"],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        port = int(srv.stdout.readline())
        mkcard("jpegs", card, SYNC_FILES)
        mkcard("videos", card, 2, SYNC_VIDEO_MB)
        s3_config(conf, port, "sb-check")
        subprocess.run([SHOEBOX, "-c", conf, "-L", lib, "-q", "import",
                        "--settle", "0", "--no-progress", card], check=False)
        files = [os.path.join(dp, f) for dp, dn, fs in os.walk(lib)
                 for f in fs if not dp.startswith(os.path.join(lib,
                                                                ".shoebox"))]
        nfiles = len(files)
        mb = sum(os.path.getsize(f) for f in files) / 1048576
        # Check once, untimed, that a sync really sends every file.
        sent = sync_uploaded(conf, lib)
        if sent != nfiles:
            say("shoebox sync uploaded %d of %d files" % (sent, nfiles))
            for label in ("shoebox sync", "rclone copy"):
                rows.append((title, label, None, None, None,
                             "n/a (sync sent %d of %d)" % (sent, nfiles)))
            return
        with open(os.path.join(WORK, "rclone.conf"), "w") as f:
            f.write("[s3]\ntype = s3\nprovider = Other\n"
                    "access_key_id = AKTEST\nsecret_access_key = SKTEST\n"
                    "endpoint = http://127.0.0.1:%d\nforce_path_style = "
                    "true\nregion = us-east-1\n" % port)
        runs = iter(range(1000))

        def fresh_prefix():
            # A new prefix and a full queue: every file is sent again.
            s3_config(conf, port, "sb%d" % next(runs))
            sync_reset(lib)
        # And that rclone does (it exits 1 on errors, which run() lets by).
        p = subprocess.run(["rclone", "--config", os.path.join(
            WORK, "rclone.conf"), "copy", "--exclude", "/.shoebox/**", lib,
            "s3:photos/rc-check"], capture_output=True, text=True)
        if p.returncode != 0:
            say("rclone copy failed: " + p.stderr[-500:])
            rows.append((title, "rclone copy", None, None, None,
                         "n/a (rclone copy failed)"))
            return
        rc_runs = iter(range(1000))
        rc_cmd = ["sh", "-c", 'exec rclone --config "$1" copy --exclude '
                  '"/.shoebox/**" "$2" "s3:photos/rc$3"', "sh",
                  os.path.join(WORK, "rclone.conf"), lib, "0"]

        def rc_prefix():
            rc_cmd[-1] = str(next(rc_runs))
        compare(title, [
            ("shoebox sync", [SHOEBOX, "-c", conf, "-L", lib, "-q", "sync",
                              "--no-progress"], fresh_prefix, None),
            ("rclone copy", rc_cmd, rc_prefix, None),
        ], unit=(mb, "MB"))
    finally:
        srv.terminate()
        srv.wait()
        drop(data, card, lib)


def machine():
    cpu = "?"
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem = int(open("/proc/meminfo").readline().split()[1]) // 1024 // 1024
    fs = subprocess.run(["df", "-T", WORK], capture_output=True,
                        text=True).stdout.splitlines()[-1].split()
    return "%s, %d cores, %d GB RAM, %s on %s, Linux %s" % (
        cpu, os.cpu_count(), mem, fs[1], fs[0], os.uname().release)


def load():
    """Load averages (1, 5, 15 minutes), as /proc/loadavg has them."""
    return " ".join(open("/proc/loadavg").read().split()[:3])


def table(load0, t0):
    print()
    print("Machine: " + machine())
    print("Load average: %s at the start, %s at the end; the whole bench "
          "took %.1f minutes." % (load0, load(), (time.monotonic() - t0) / 60))
    print("Runs: median of %d; source files in the page cache unless a "
          "row says the caches were dropped." % RUNS)
    print()
    print("| benchmark | command | median s | CPU s | vs shoebox | peak RSS "
          "| rate |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for title, label, med, ratio, rss, rate, *cpu in rows:
        if med is None:
            print("| %s | %s | - | - | - | - | %s |" % (title, label, rate))
            continue
        print("| %s | %s | %.3f | %s | %.2fx | %.1f MB | %s |" % (
            title, label, med, "%.2f" % cpu[0] if cpu else "-", ratio,
            rss / 1024, rate))
    for t in tables:
        print()
        print("\n".join(t))


def main():
    os.makedirs(WORK, exist_ok=True)
    open(os.path.join(WORK, "shoebox.conf"), "w").close()
    os.environ["HOME"] = WORK
    # Hermetic, as tests/functional/remote-lib.sh: no credentials or CA
    # bundle from the caller (rclone fails on an AWS_CA_BUNDLE over http).
    for v in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
              "AWS_SESSION_TOKEN", "AWS_CA_BUNDLE", "AWS_PROFILE",
              "AWS_CONFIG_FILE"):
        os.environ.pop(v, None)
    load0, t0 = load(), time.monotonic()
    try:
        if "small" in ONLY or "probe" in ONLY:
            bench_small()
        if "camera" in ONLY:
            bench_camera()
        if "large" in ONLY:
            bench_large()
        if "memory" in ONLY:
            memory.bench()
        if "card" in ONLY:
            card_bench.bench()
        if "sync" in ONLY:
            bench_sync()
        memory.bench_catalog()
    finally:
        table(load0, t0)
        if not os.environ.get("BENCH_KEEP"):
            drop(WORK)


if __name__ == "__main__":
    main()
