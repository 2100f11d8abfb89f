"""memory.py: the memory curve (peak RSS of every command as the number of
files grows) and the no-change re-run against find -printf, on cards of
tiny JPEGs (9 kB each, every one distinct). Each step of BENCH_SIZES gets a
fresh library; the card grows from one step to the next."""
import os
import subprocess

from common import (RUNS, SHOEBOX, TOP, WORK, compare, drop, env_int, mkcard,
                    median_run, run, say, tables)

SIZES = [int(x) for x in os.environ.get("BENCH_SIZES",
                                        "10000,100000").split(",") if x]
if os.environ.get("BENCH_MILLION") and 1000000 not in SIZES:
    SIZES.append(1000000)
SYNC_MAX = env_int("BENCH_SYNC_MAX", 10000)
TARGET_MB = 32
DAY = "2015-03-01"      # mkcard's dates: ~50 files a day from 2015-01-01
CMDS = ["import (first)", "import (re-run)", "adopt", "verify",
        "find --date (a day)", "status", "sync (dir remote)"]


def sb(conf, lib, *args):
    return [SHOEBOX, "-c", conf, "-L", lib, "-q"] + list(args)


def write_conf(conf, remote):
    with open(conf, "w") as f:
        f.write("settle = 0\n")
        if remote:
            f.write("[remote usb]\ntype = dir\npath = %s\n" % remote)


def step(n, have, curve, rerun):
    card, lib = os.path.join(WORK, "many"), os.path.join(WORK, "lib-many")
    remote, conf = os.path.join(WORK, "remote-many"), os.path.join(WORK,
                                                                   "mem.conf")
    if n > have:
        say("memory: card of %d tiny JPEGs (adding %d)" % (n, n - have))
        mkcard("tiny", card, n - have, have)
    drop(lib, remote)
    syncs = n <= SYNC_MAX
    if syncs:
        os.makedirs(remote)
    write_conf(conf, remote if syncs else None)
    cells = curve[n] = {}
    say("memory: first import of %d files" % n)
    t, m, rc, _ = run(sb(conf, lib, "import", "--no-progress", card))
    cells["import (first)"] = (t, m)
    if rc != 0:
        # Not every file was filed: the row measures less than it says.
        say("memory: the first import of %d files exited %d" % (n, rc))
        cells["import (first)"] = (t, m, "exit %d" % rc)
    meds = compare("re-run over %d already imported files" % n, [
        ("shoebox import", sb(conf, lib, "import", "--no-progress", card),
         None, None),
        ("find -printf (stat only)", ["find", card, "-type", "f", "-printf",
                                      "%s %T@\\n"], None, None),
    ], unit=(n, "files"))
    rerun[n] = (meds["shoebox import"], meds["find -printf (stat only)"])
    cells["import (re-run)"] = (rerun[n][0], take_rss("re-run over %d" % n))
    cells["find --date (a day)"] = median_run(
        sb(conf, lib, "find", "--date", DAY))
    cells["status"] = median_run(sb(conf, lib, "status"))
    say("memory: verify of %d files" % n)
    t, m, _, _ = run(sb(conf, lib, "verify", "--no-progress"))
    cells["verify"] = (t, m)
    if syncs:
        say("memory: sync of %d files to a dir remote" % n)
        t, m, _, _ = run(sb(conf, lib, "sync", "--no-progress"))
        cells["sync (dir remote)"] = (t, m)
    say("memory: adopt of the same %d files (catalogue removed)" % n)
    drop(os.path.join(lib, ".shoebox"))
    t, m, _, _ = run(sb(conf, lib, "adopt", "--no-progress"))
    cells["adopt"] = (t, m)
    drop(lib, remote)
    return n


def take_rss(prefix):
    """The peak of the shoebox row compare() just added; its rows leave the
    main table (the re-run table has them)."""
    from common import rows
    mine = [r for r in rows if r[0].startswith(prefix + " ")]
    rows[:] = [r for r in rows if r not in mine]
    return max([r[4] for r in mine if r[1].startswith("shoebox")] or [0])


def cell(c):
    if c is None:
        return "-"
    t, kb = c[:2]
    mark = " **over**" if kb > TARGET_MB * 1024 else ""
    if len(c) > 2:
        mark += " **%s**" % c[2]
    return "%.1f MB%s (%.2f s)" % (kb / 1024, mark, t)


def bench():
    curve, rerun, have = {}, {}, 0
    try:
        for n in sorted(SIZES):
            have = step(n, have, curve, rerun)
    finally:
        drop(os.path.join(WORK, "many"))
    t = ["Memory curve: peak RSS (and time) of each command by the number "
         "of files (9 kB JPEGs); target under %d MB at any size. The sync "
         "is to a dir remote on the same disk; adopt catalogues the library "
         "again after its catalogue is removed." % TARGET_MB, "",
         "| files | " + " | ".join(CMDS) + " |",
         "|---:|" + "---:|" * len(CMDS)]
    for n in sorted(curve):
        t.append("| %d | " % n + " | ".join(cell(curve[n].get(c))
                                           for c in CMDS) + " |")
    tables.append(t)
    t = ["No-change re-run against find -printf (stat only) over the same "
         "tree: median of %d; target within 3x." % RUNS, "",
         "| files | shoebox import (re-run) | find -printf | ratio |",
         "|---:|---:|---:|---:|"]
    for n in sorted(rerun):
        s, f = rerun[n]
        t.append("| %d | %.3f s | %.3f s | %.2fx |" % (n, s, f,
                                                      s / f if f else 0))
    tables.append(t)


def bench_catalog():
    """Hook: find and status on a million-row catalogue, timed by
    scripts/bench-catalog (its generator and timings; its output, Markdown,
    goes into the table as it is). Skipped, and said so, until it exists."""
    from common import ONLY
    if "catalog" not in ONLY:
        return
    path = os.path.join(TOP, "scripts", "bench-catalog")
    if not os.access(path, os.X_OK):
        tables.append(["Million-row catalogue (find by day, by camera; "
                       "status; bytes per row): skipped: scripts/"
                       "bench-catalog is not there yet (the hook is "
                       "memory.bench_catalog)."])
        return
    say("catalogue: scripts/bench-catalog")
    work = os.path.join(WORK, "catalog")
    os.makedirs(work, exist_ok=True)
    p = subprocess.run([path], cwd=TOP, capture_output=True, text=True,
                       env=dict(os.environ, BENCH_DIR=work,
                                SHOEBOX=SHOEBOX))
    out = p.stdout.rstrip().splitlines()
    if p.returncode != 0:
        out.append("scripts/bench-catalog exited %d: %s" % (
            p.returncode, p.stderr.strip()[-300:]))
    tables.append(["Million-row catalogue (scripts/bench-catalog):", ""] +
                  out)
    drop(work)
