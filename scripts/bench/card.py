"""card.py: the card reader as the limit. A card's worth of camera JPEGs,
RAWs and videos on an ext4 image behind a loop device whose reads are
throttled by the kernel (cgroup v2 io.max, else cgroup v1 blkio) to the
speed of a UHS-I card and of a USB 2 reader; page cache dropped before
every run. shoebox import from it against cat of the same files and dd of
the device, in the same run; then adopt against cat, and verify against
sha256sum, of the same files. Needs root, a loop device and mkfs.ext4;
each row says why when it is skipped."""
import os
import shutil
import subprocess

from common import (BASELINE, SHOEBOX, WORK, compare, drop, drop_caches, env_int,
                    files_under, is_root, mkcard, rows, say, settle, skipped,
                    tables)

SPEEDS = [int(x) for x in os.environ.get("BENCH_CARD_SPEEDS",
                                         "90,35").split(",") if x]
JPEGS = env_int("BENCH_CARD_JPEGS", 1000)
RAWS = env_int("BENCH_CARD_RAWS", 30)
VIDEO_MB = env_int("BENCH_CARD_VIDEO_MB", 300)
RUNS = env_int("BENCH_CARD_RUNS", 1)
NAME = "shoebox-bench"


class Throttle:
    """A cgroup whose reads from one device are limited: cgroup v2's
    io.max where the io controller is there, else v1's blkio throttle."""

    def __init__(self):
        self.dir, self.v2 = None, False
        for mnt in self.cgroup2_mounts():
            ctl = os.path.join(mnt, "cgroup.controllers")
            if "io" in open(ctl).read().split():
                try:
                    with open(os.path.join(mnt, "cgroup.subtree_control"),
                              "w") as f:
                        f.write("+io\n")
                except OSError:
                    pass
                self.dir, self.v2 = os.path.join(mnt, NAME), True
                break
        v1 = "/sys/fs/cgroup/blkio"
        if not self.dir and os.path.exists(
                os.path.join(v1, "blkio.throttle.read_bps_device")):
            self.dir = os.path.join(v1, NAME)
        if self.dir:
            os.makedirs(self.dir, exist_ok=True)

    @staticmethod
    def cgroup2_mounts():
        return [line.split()[1] for line in open("/proc/self/mounts")
                if line.split()[2] == "cgroup2"]

    def what(self):
        if self.v2:
            return "cgroup v2 io.max"
        return "cgroup v1 blkio.throttle.read_bps_device"

    def limit(self, dev, bps):
        """Reads from dev ("MAJ:MIN") at bps bytes a second (0: none)."""
        if self.v2:
            path, line = "io.max", "%s rbps=%s" % (dev, bps or "max")
        else:
            path, line = "blkio.throttle.read_bps_device", "%s %d" % (dev,
                                                                      bps)
        with open(os.path.join(self.dir, path), "w") as f:
            f.write(line + "\n")

    def wrap(self, cmd):
        return ["sh", "-c", 'echo $$ >"$0/cgroup.procs" && exec "$@"',
                self.dir] + cmd

    def remove(self):
        if self.dir:
            try:
                os.rmdir(self.dir)
            except OSError:
                pass


def why_not():
    if not is_root():
        return "needs root (loop device, cgroup, drop_caches)"
    for t in ("losetup", "mkfs.ext4", "mount", "umount", "dd", "sha256sum"):
        if not shutil.which(t):
            return "no " + t
    if not os.path.exists("/dev/loop-control"):
        return "no loop device"
    return None


def sh(*cmd):
    return subprocess.run(list(cmd), check=True, capture_output=True,
                          text=True).stdout.strip()


def mount_image(img, mnt, mb, *mount_args):
    """A new ext4 (with a journal) of mb MB in the file img, on a loop
    device with direct I/O, mounted at mnt with mount_args; returns the
    loop device. Its inode tables and journal are written now, not by the
    kernel in the background while commands are timed."""
    with open(img, "wb") as f:
        f.truncate(int(mb) << 20)
    sh("mkfs.ext4", "-q", "-F", "-m", "0", "-E",
       "lazy_itable_init=0,lazy_journal_init=0", img)
    loop = sh("losetup", "-f", "--show", "--direct-io=on", img)
    os.makedirs(mnt, exist_ok=True)
    try:
        sh("mount", *mount_args, loop, mnt)
    except subprocess.CalledProcessError:
        subprocess.run(["losetup", "-d", loop], capture_output=True)
        raise
    return loop


def unmount_image(loop, mnt, img):
    """Undo mount_image (loop None: it did not get that far)."""
    if loop:
        subprocess.run(["umount", mnt], capture_output=True)
        subprocess.run(["losetup", "-d", loop], capture_output=True)
    drop(mnt)
    if os.path.exists(img):
        os.unlink(img)


def make_card(img, mnt):
    """The image, filled; returns (loop device, bytes of files)."""
    mb = JPEGS * 0.11 + RAWS * 0.3 + 2 * VIDEO_MB
    loop = mount_image(img, mnt, mb * 1.2 + 96, "-o", "noatime")
    say("card: %d camera JPEGs, %d RAWs, 2 videos of %d MB on %s" % (
        JPEGS, RAWS, VIDEO_MB, loop))
    mkcard("camera", mnt, JPEGS, 110)
    mkcard("raws", mnt, RAWS)
    mkcard("videos", mnt, 2, VIDEO_MB)
    settle()
    return loop, sum(os.path.getsize(f) for f in files_under(mnt))


def cat_files(top):
    return ["sh", "-c", 'find "$1" -path "$1/.shoebox" -prune -o -type f '
            '-print0 | xargs -0 cat >/dev/null', "sh", top]


def bench():
    title = "card on a throttled loop device"
    why = why_not()
    if why is None:
        thr = Throttle()
        if not thr.dir:
            why = "no cgroup io throttle (v2 io.max or v1 blkio)"
    if why:
        skipped(title, ["shoebox import", "cat", "adopt", "verify"], why)
        return
    img, mnt = os.path.join(WORK, "card.img"), os.path.join(WORK, "cardmnt")
    lib, conf = os.path.join(WORK, "lib-card"), os.path.join(WORK,
                                                             "card.conf")
    with open(conf, "w") as f:
        f.write("settle = 0\n")
    loop = None
    try:
        loop, size = make_card(img, mnt)
        dev = open("/sys/block/%s/dev" % os.path.basename(loop)).read()
        dev = dev.strip()
        mb = size / 1e6
        share = []
        for speed in SPEEDS:
            thr.limit(dev, speed * 1000000)
            t = "import a %.0f MB card read at %d MB/s (caches dropped)" % (
                mb, speed)
            meds = compare(t, [
                ("shoebox import", thr.wrap([
                    SHOEBOX, "-c", conf, "-L", lib, "-q", "import",
                    "--settle", "0", "--no-progress", mnt]),
                 lambda: drop(lib), None)] + ([
                ("shoebox import (BENCH_BASELINE)", thr.wrap([
                    BASELINE, "-c", conf, "-L", lib, "-q", "import",
                    "--settle", "0", "--no-progress", mnt]),
                 lambda: drop(lib), None)] if BASELINE else []) + [
                ("cat (the same files)", thr.wrap(cat_files(mnt)), None,
                 None),
                ("dd (the device, as many bytes)", thr.wrap([
                    "dd", "if=" + loop, "of=/dev/null", "bs=1M",
                    "count=%d" % (size >> 20)]), None, None),
            ], runs=RUNS, unit=(mb, "MB"), before=drop_caches)
            share.append((speed, meds["cat (the same files)"] /
                          meds["shoebox import"]))
            drop(lib)
        speed = SPEEDS[0]
        thr.limit(dev, speed * 1000000)
        sb = [SHOEBOX, "-c", conf, "-L", mnt, "-q"]
        compare("adopt the card's %.0f MB in place at %d MB/s (caches "
                "dropped)" % (mb, speed), [
                    ("shoebox adopt", thr.wrap(sb + ["adopt",
                                                     "--no-progress"]),
                     lambda: drop(os.path.join(mnt, ".shoebox")), None),
                    ("cat (the same files)", thr.wrap(cat_files(mnt)), None,
                     None),
                ], runs=RUNS, unit=(mb, "MB"), before=drop_caches)
        thr.limit(dev, 0)
        sha = ["sh", "-c", 'find "$1" -path "$1/.shoebox" -prune -o -type f '
               '-print0 | xargs -0 sha256sum >/dev/null', "sh", mnt]
        for cold, before in (("caches dropped, unthrottled", drop_caches),
                             ("files in the page cache", settle)):
            compare("verify the card's %.0f MB (%s)" % (mb, cold), [
                ("shoebox verify", sb + ["verify", "--no-progress"], None,
                 None),
                ("sha256sum (the same files)", sha, None, None),
            ], runs=RUNS, unit=(mb, "MB"), before=before)
        tables.append(["Card reader (an ext4 image on a loop device, reads "
                       "limited by %s; median of %d at each speed): shoebox "
                       "import's speed as a share of cat's over the same "
                       "files in the same run (target " % (thr.what(), RUNS) +
                       "95% or more): " + ", ".join(
                           "%d%% at %d MB/s" % (100 * s, v)
                           for v, s in share) + "."])
    except (OSError, subprocess.CalledProcessError) as e:
        say("card: %s" % e)
        if not any(r[0].startswith("import a") for r in rows):
            skipped(title, ["shoebox import"], "setup failed: %s" % e)
    finally:
        unmount_image(loop, mnt, img)
        thr.remove()
        drop(lib)
