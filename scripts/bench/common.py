"""common.py: what every part of the bench shares (bench.py, memory.py,
card.py): the knobs, running a command for its time and peak RSS, the
comparisons and the rows of the table."""
import os
import shutil
import statistics
import subprocess
import sys
import time

TOP = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
MKCARD = os.path.join(TOP, "scripts", "bench", "mkcard.py")


def env_int(name, default):
    return int(os.environ.get(name, default))


RUNS = env_int("BENCH_RUNS", 3)
ONLY = os.environ.get("BENCH_ONLY", "small,camera,large,memory,probe,sync,"
                      "card,catalog").split(",")
WORK = os.path.abspath(os.environ.get("BENCH_DIR",
                                      os.path.join(TOP, "bench-work")))
SHOEBOX = os.path.abspath(os.environ.get("SHOEBOX",
                                         os.path.join(TOP, "shoebox")))
BASELINE = os.environ.get("BENCH_BASELINE")   # an older ./shoebox to compare
CORPUS = os.environ.get("CORPUS", os.path.join(TOP, "..", "shared", "corpus"))

rows = []       # (title, label, median s, ratio, peak kB, rate or note
                #  [, median CPU s])
tables = []     # extra Markdown tables (lines), printed after the main one


def say(msg):
    print("bench: " + msg, file=sys.stderr, flush=True)


def run(cmd, cwd=None, out=subprocess.DEVNULL):
    """Run cmd; returns (seconds, peak RSS in kB, exit status, CPU seconds
    (user + system)). The peak and the CPU come from /usr/bin/time (a small
    parent: wait4() straight from Python would count Python's own pages,
    copied at fork); children included."""
    rssfile = os.path.join(WORK, ".rss")
    t0 = time.monotonic()
    p = subprocess.run(["/usr/bin/time", "-f", "%M %U %S", "-o",
                        rssfile] + cmd,
                       cwd=cwd, stdout=out, stderr=subprocess.PIPE)
    t = time.monotonic() - t0
    if p.returncode not in (0, 1):
        say("%s exited %d: %s" % (cmd[0], p.returncode,
                                  p.stderr.decode(errors="replace")[-500:]))
    try:
        rss, user, sys_ = open(rssfile).read().split()[-3:]
        rss, cpu = int(rss), float(user) + float(sys_)
    except (OSError, ValueError):
        rss, cpu = 0, 0.0
    return t, rss, p.returncode, cpu


def drop(*paths):
    for p in paths:
        shutil.rmtree(p, ignore_errors=True)


def settle():
    """Let writeback of the previous run finish outside the timing."""
    os.sync()


def is_root():
    return os.geteuid() == 0


def drop_caches():
    """Write back, then drop the page cache, so that reads go to the
    device (root only; else a no-op)."""
    os.sync()
    if is_root():
        with open("/proc/sys/vm/drop_caches", "w") as f:
            f.write("3\n")


def median_run(cmd, runs=RUNS, prepare=None, cwd=None, out=subprocess.DEVNULL):
    """cmd run `runs` times: (median seconds, highest peak kB)."""
    ts, peak = [], 0
    for _ in range(runs):
        if prepare:
            prepare()
        settle()
        t, m, rc, _ = run(cmd, cwd, out)
        ts.append(t)
        peak = max(peak, m)
    return statistics.median(ts), peak


def compare(title, entries, runs=RUNS, unit=None, before=settle):
    """entries: (label, cmd, prepare or None, cwd or None). Prints a row per
    entry: median seconds, median CPU seconds, ratio to the first entry,
    peak RSS. Returns {label: median}. before() runs ahead of each command
    (untimed)."""
    times = {e[0]: [] for e in entries}
    cpus = {e[0]: [] for e in entries}
    rss = {e[0]: 0 for e in entries}
    for r in range(runs):
        for label, cmd, prepare, cwd in entries:
            if prepare:
                prepare()
            before()
            t, m, rc, cpu = run(cmd, cwd)
            times[label].append(t)
            cpus[label].append(cpu)
            rss[label] = max(rss[label], m)
            say("%s: %s run %d: %.3f s, CPU %.2f s, %d MB" % (
                title, label, r + 1, t, cpu, m // 1024))
    base = statistics.median(times[entries[0][0]])
    meds = {}
    for label, *_ in entries:
        med = meds[label] = statistics.median(times[label])
        rate = ""
        if unit:
            n, what = unit
            rate = "%.0f %s/s" % (n / med, what) if med > 0 else ""
        rows.append((title, label, med, med / base if base else 0,
                     rss[label], rate, statistics.median(cpus[label])))
    return meds


def skipped(title, labels, why):
    for label in labels:
        rows.append((title, label, None, None, None, "skipped: " + why))


def mkcard(*args):
    subprocess.run([sys.executable, MKCARD, args[0], CORPUS] +
                   [str(a) for a in args[1:]], check=True)


def conf_path():
    return os.path.join(WORK, "shoebox.conf")


def shoebox_import(lib, card, binary=None, conf=None):
    return [binary or SHOEBOX, "-c", conf or conf_path(), "-L", lib, "-q",
            "import", "--settle", "0", "--no-progress", card]


def files_under(top, skip=".shoebox"):
    """Every regular file under top, sorted, outside top/skip."""
    out = []
    for dp, dn, fs in os.walk(top):
        dn[:] = sorted(d for d in dn if not (dp == top and d == skip))
        out.extend(os.path.join(dp, f) for f in sorted(fs))
    return out
