#!/usr/bin/env python3
"""torture.py: try hard to make shoebox lose, duplicate, overwrite or
half-write a picture, and count how often it does.

Six scenarios, each in its own directory (see tests/torture/README.md):
kill (SIGKILL/SIGTERM of import, import --move and sync at random
moments), mutate (sources replaced, grown, truncated, held open by a
stalled writer and swapped for symlinks while import --move runs), concurrent (4 imports and 4 syncs at
once on a new library, a dir remote and, with node, an S3 remote), seeded
(a dir remote already holding other files at the library's names),
inode (new files on the inodes of moved ones, same size and mtime) and
watch (watch --move on the source while files arrive and change).

Every complete content the runner ever writes is in a ledger; the test
itself never destroys one (what it replaces goes to a holding directory
outside the source). At the end: every ledger content must be in the
library, a source or the holding directory; no content twice in the
library or the remote; no library or pre-seeded remote file changed; no
catalogued or filed content that is not a ledger content; no canary (the
target of the symlinks) deleted or filed; the catalogue and the library
agree. Exit 1 if any of these figures is not 0, 2 on a usage error.

    tests/torture/torture.py [--seed N] [--runs N] [--files N]
        [--seconds N] [--scenarios kill,mutate,...] [--shoebox PATH]
        [--keep] [--tmp DIR]
"""
import argparse
import fcntl
import hashlib
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
CARD = os.path.join(TOP, "tests", "sample-card", "DCIM", "100CANON")
BASES = [os.path.join(CARD, n) for n in
         ("IMG_0001.JPG", "IMG_0002.JPG", "IMG_0004.JPG")]
XMP_BASE = os.path.join(CARD, "IMG_0003.xmp")
DATE_RE = re.compile(rb"\d{4}:\d\d:\d\d \d\d:\d\d:\d\d")
TIMEOUT = 120           # seconds any one shoebox run may take
SCENARIOS = ["kill", "mutate", "concurrent", "seeded", "inode", "watch"]
MUTATIONS = ["replaced", "grown", "truncated", "symlinked file",
             "symlinked dir"]


def sha(data):
    return hashlib.sha256(data).hexdigest()


def sha_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def append_line(path, line):
    """One line, appended atomically (O_APPEND, one write)."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, (line + "\n").encode())
    finally:
        os.close(fd)


def walk_files(root, skip_shoebox=False):
    """Regular files under root, symlinks not followed: [(path, st)]."""
    out = []
    if not os.path.isdir(root) or os.path.islink(root):
        return out
    for d, dirs, files in os.walk(root):
        if skip_shoebox and d == root and ".shoebox" in dirs:
            dirs.remove(".shoebox")
        for n in files:
            p = os.path.join(d, n)
            try:
                st = os.lstat(p)
            except OSError:
                continue
            if os.path.stat.S_ISREG(st.st_mode):
                out.append((p, st))
    return out


class Content:
    """Media made from the sample card: unique JPEGs and XMP sidecars."""

    def __init__(self, rng):
        self.rng = rng
        self.bases = [open(p, "rb").read() for p in BASES]
        self.xmp = open(XMP_BASE, "rb").read()

    def token(self):
        return "%032x" % self.rng.getrandbits(128)

    def jpeg(self, extra=None):
        """A JPEG with its own EXIF date and a unique trailer after EOI."""
        r = self.rng
        b = r.choice(self.bases)
        date = "%04d:%02d:%02d %02d:%02d:%02d" % (
            r.randint(2001, 2024), r.randint(1, 12), r.randint(1, 28),
            r.randint(0, 23), r.randint(0, 59), r.randint(0, 59))
        b = DATE_RE.sub(date.encode(), b[:65536]) + b[65536:]
        if extra is None:
            extra = r.randint(4 << 20, 16 << 20) if r.random() < 0.05 \
                else r.randint(0, 3000)
        return b + b"TORTURE-" + self.token().encode() + os.urandom(extra)

    def sidecar(self):
        lines = self.xmp.split(b"\n", 1)
        return lines[0] + b"\n<!-- torture " + self.token().encode() + \
            b" -->\n" + lines[1]

    def same_size(self, data):
        """Other content, same length: a new token in the trailer."""
        i = data.rfind(b"TORTURE-")
        if i == -1:
            i = max(0, len(data) - 40)
            return data[:i] + os.urandom(len(data) - i)
        t = self.token().encode()
        return data[:i + 8] + t + data[i + 8 + len(t):]

    def like(self, path):
        return self.sidecar() if path.upper().endswith(".XMP") \
            else self.jpeg()


class State:
    """One scenario's directories, and the ledgers kept as files (the
    mutate subcommand, run by the hook inside shoebox, appends to them)."""

    def __init__(self, root, seed):
        self.root = root
        self.src = os.path.join(root, "src")
        self.lib = os.path.join(root, "lib")
        self.holding = os.path.join(root, "holding")
        self.canary = os.path.join(root, "canary")
        self.staging = os.path.join(root, "staging")
        self.remote = os.path.join(root, "remote")
        self.logs = os.path.join(root, "logs")
        for d in (self.src, self.holding, self.canary, self.staging,
                  self.remote, self.logs):
            os.makedirs(d, exist_ok=True)
        self.ledger = os.path.join(root, "ledger.txt")
        self.canaries = os.path.join(root, "canaries.txt")
        self.faults = os.path.join(root, "faults.txt")
        self.rng = random.Random(seed)
        self.content = Content(self.rng)
        self.n = 0
        self.writers = []       # hold_open's threads

    def uniq(self, prefix):
        self.n += 1
        return "%s-%d-%06x" % (prefix, os.getpid(), self.rng.getrandbits(24) ^ self.n)

    def record(self, data, what):
        append_line(self.ledger, "%s %d %s" % (sha(data), len(data), what))

    def fault(self, kind):
        append_line(self.faults, kind)

    def write_new(self, path, data, what, mtime=None):
        """A complete content appears at path at once (staged, renamed)."""
        self.record(data, "%s %s" % (what, os.path.relpath(path, self.root)))
        tmp = os.path.join(self.staging, self.uniq("new"))
        with open(tmp, "wb") as f:
            f.write(data)
        if mtime is not None:
            os.utime(tmp, (mtime, mtime))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        os.rename(tmp, path)

    def aside(self, path):
        dst = os.path.join(self.holding, self.uniq(os.path.basename(path)))
        os.rename(path, dst)
        return dst

    def canary_file(self, name, directory=None):
        """A private media file outside the source: a symlink's target,
        never to be deleted or filed."""
        data = self.content.like(name)
        if directory is None:
            directory = os.path.join(self.canary, self.uniq("c"))
        os.makedirs(directory, exist_ok=True)
        p = os.path.join(directory, name)
        with open(p, "wb") as f:
            f.write(data)
        os.chmod(p, 0o600)
        append_line(self.canaries, "%s %s" % (sha(data), p))
        return p

    def ledger_shas(self):
        out = {}
        if os.path.exists(self.ledger):
            for line in open(self.ledger):
                s, _, what = line.rstrip("\n").split(" ", 2)
                out[s] = what
        return out

    def canary_list(self):
        if not os.path.exists(self.canaries):
            return []
        return [tuple(l.rstrip("\n").split(" ", 1))
                for l in open(self.canaries)]

    def fault_counts(self):
        if not os.path.exists(self.faults):
            return Counter()
        return Counter(l.rstrip("\n") for l in open(self.faults))

    # --- the mutations, on the source while shoebox runs ---------------

    def source_files(self):
        return sorted(p for p, st in walk_files(self.src))

    def in_source(self, path):
        """A regular file of the source reached without any symlink."""
        real = os.path.realpath(self.src)
        return os.path.isfile(path) and \
            os.path.realpath(path) == os.path.join(
                real, os.path.relpath(path, self.src))

    def mutate(self, op, target=None):
        """One mutation at a time, whoever makes it: the runner's
        free-running ones and the hook's (run from inside shoebox) happen
        at once, and one could swap a folder for a symlink between the
        other's choice of a file and its open, then grow, truncate or move
        a canary through it (a loss shoebox did not cause)."""
        fd = os.open(os.path.join(self.root, "mutate.lock"),
                     os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            return self.mutate_locked(op, target)
        finally:
            os.close(fd)

    def hold_open(self, target):
        """A writer that stalls: the file is opened for writing now (its
        content so far kept in holding/) and, a moment later, one more
        write is appended and it is closed; what it then holds, read back
        through the writer's own descriptor wherever the file went, enters
        the ledger. Whoever removed the file while it was open lost that
        content. Only the runner's (a thread: the hook's process ends)."""
        with open(target, "rb") as f:
            old = f.read()
        if len(old) < 2:
            return False
        fd = os.open(target, os.O_RDWR | os.O_APPEND)
        keep = os.path.join(self.holding, self.uniq("pre-held"))
        with open(keep, "wb") as f:
            f.write(old)
        delay = self.rng.uniform(0.05, 0.5)
        more = os.urandom(self.rng.randint(1, 2048))
        what = "held open " + os.path.relpath(target, self.root)

        def content():
            data = b""
            while True:
                b = os.pread(fd, 1 << 20, len(data))
                if not b:
                    return data
                data += b

        def finish():
            time.sleep(delay)
            lk = os.open(os.path.join(self.root, "mutate.lock"),
                         os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(lk, fcntl.LOCK_EX)
                now = content()     # grown or truncated meanwhile?
                if now != old:
                    with open(os.path.join(self.holding,
                                           self.uniq("pre-held")), "wb") as f:
                        f.write(now)
                os.write(fd, more)
                self.record(content(), what)
            finally:
                os.close(fd)
                os.close(lk)

        t = threading.Thread(target=finish)
        t.start()
        self.writers.append(t)
        self.fault("held open")
        return True

    def join_writers(self):
        for t in self.writers:
            t.join()
        self.writers = []

    def mutate_locked(self, op, target=None):
        """Do one mutation; returns True if it happened. A content is
        entered in the ledger once it is complete where it was put; what
        it replaces is kept in the holding directory first."""
        files = self.source_files()
        if target is None or not self.in_source(target):
            if not files:
                return False
            target = self.rng.choice(files)
        try:
            if op == "replaced":
                new = self.content.like(target)
                tmp = os.path.join(self.staging, self.uniq("new"))
                with open(tmp, "wb") as f:
                    f.write(new)
                try:
                    self.aside(target)
                except FileNotFoundError:
                    pass        # shoebox moved it: a new file appears
                os.rename(tmp, target)
                self.record(new, "replacement " +
                            os.path.relpath(target, self.root))
            elif op in ("grown", "truncated"):
                fd = os.open(target, os.O_RDWR)
                try:
                    old = b""
                    while True:
                        b = os.read(fd, 1 << 20)
                        if not b:
                            break
                        old += b
                    if len(old) < 2:
                        return False
                    keep = os.path.join(self.holding, self.uniq("pre-" + op))
                    with open(keep, "wb") as f:
                        f.write(old)
                    if op == "grown":
                        # one write within the last page: readers see all
                        # of it or none
                        room = 4096 - len(old) % 4096
                        more = os.urandom(self.rng.randint(1, min(room, 2048)))
                        os.pwrite(fd, more, len(old))
                        new = old + more
                    else:
                        new = old[:self.rng.randint(len(old) // 3,
                                                    len(old) - 1)]
                        os.ftruncate(fd, len(new))
                    if os.fstat(fd).st_nlink > 0:
                        self.record(new, op + " " +
                                    os.path.relpath(target, self.root))
                finally:
                    os.close(fd)
            elif op == "held open":
                return self.hold_open(target)
            elif op == "symlinked file":
                c = self.canary_file(os.path.basename(target))
                self.aside(target)
                os.symlink(c, target)
            elif op == "symlinked dir":
                d = os.path.dirname(target)
                if d == self.src:
                    return False
                cdir = os.path.join(self.canary, self.uniq("dir"))
                for n in os.listdir(d):
                    if os.path.isfile(os.path.join(d, n)):
                        self.canary_file(n, cdir)
                self.aside(d)
                os.symlink(cdir, d)
            else:
                raise ValueError(op)
        except FileNotFoundError:
            return False        # shoebox moved it first
        self.fault(op)
        return True


class Torture:
    def __init__(self, args):
        self.args = args
        self.rng = random.Random(args.seed)
        self.deadline = time.monotonic() + args.seconds
        self.root = tempfile.mkdtemp(prefix="shoebox-torture.",
                                     dir=args.tmp)
        self.shoebox = os.path.abspath(args.shoebox)
        self.env = dict(os.environ, TZ="UTC",
                        HOME=os.path.join(self.root, "home"))
        for k in ("SHOEBOX_LIBRARY", "XDG_CONFIG_HOME", "LD_PRELOAD"):
            self.env.pop(k, None)
        os.makedirs(self.env["HOME"])
        self.runs = Counter()
        self.faults = Counter()
        self.fig = Counter()
        self.examples = defaultdict(list)
        self.noted = set()
        self.unexpected = Counter()
        self.snap = {}          # (scenario, path) -> first sha seen
        self.seedpaths = set()  # pre-seeded remote files, checked apart
        self.dur = defaultdict(list)    # how long clean runs took
        self.hashcache = {}
        self.hook = self.build_hook()
        self.settle_opt = self.detect_settle()
        self.s3 = None

    # --- plumbing ------------------------------------------------------

    def build_hook(self):
        so = os.path.join(self.root, "hook.so")
        try:
            subprocess.run(["cc", "-shared", "-fPIC", "-o", so,
                            os.path.join(TOP, "tests", "lib", "hook.c"),
                            "-ldl"], check=True, timeout=60,
                           stdout=subprocess.DEVNULL)
            return so
        except (OSError, subprocess.SubprocessError):
            print("torture: no hook shim (cc failed); mutations only "
                  "by timing", file=sys.stderr)
            return None

    def detect_settle(self):
        """Does this shoebox take --settle? (Older ones refuse it.)"""
        d = os.path.join(self.root, "probe")
        os.makedirs(os.path.join(d, "empty"))
        r = subprocess.run([self.shoebox, "-L", os.path.join(d, "lib"),
                            "import", "--dry-run", "--settle", "0",
                            os.path.join(d, "empty")], env=self.env,
                           stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, timeout=60)
        return ["--settle", "0"] if r.returncode == 0 else []

    def note(self, fig, text):
        """Keep a few examples of each figure, unlike each other."""
        key = (fig, re.sub(r"[0-9a-f]{12}\.*|/\S+|\d+", "", text))
        if len(self.examples[fig]) < 6 and key not in self.noted:
            self.noted.add(key)
            self.examples[fig].append(text)

    def time_left(self):
        return self.deadline - time.monotonic()

    def config(self, st, s3prefix=None):
        """settle = 0 (a shoebox without the key ignores it), a dir remote
        and, with s3prefix, the S3 one."""
        cfg = os.path.join(st.root, "config")
        text = "settle = 0\n\n[remote disk]\ntype = dir\n" \
               "path = %s\nretry_delay = 0.1\n" % st.remote
        if self.s3 and s3prefix:
            text += ("\n[remote s3]\ntype = s3\nendpoint = http://127.0.0.1:%d\n"
                     "bucket = torture\nprefix = %s\naccess_key_id = AKTEST\n"
                     "secret_access_key = SKTEST\nretry_delay = 0.1\n"
                     % (self.s3[1], s3prefix))
        fd = os.open(cfg, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.write(fd, text.encode())
        os.close(fd)
        return cfg

    def sb(self, st, cfg, args, lib=None, sig=None, delay=0.0, hook=None,
           wait=True):
        """Start shoebox; with sig, send it after delay if still running.
        Returns the Popen (wait=False) or (rc, killed, out)."""
        kind = args[0] + (" --move" if "--move" in args else "")
        self.runs[kind] += 1
        n = sum(self.runs.values())
        cmd = [self.shoebox, "-L", lib or st.lib, "-c", cfg] + \
            (["-v"] if args[0] == "import" else []) + args
        env = dict(self.env)
        if hook and self.hook:
            env.update(hook)
            env["LD_PRELOAD"] = self.hook
            env["SB_HOOK_LOG"] = os.path.join(st.logs, "%04d.hook" % n)
            # ASan wants to come first among preloaded libraries
            env["ASAN_OPTIONS"] = env.get("ASAN_OPTIONS", "") + \
                ":verify_asan_link_order=0"
        out = open(os.path.join(st.logs, "%04d.out" % n), "wb")
        err = open(os.path.join(st.logs, "%04d.err" % n), "wb")
        p = subprocess.Popen(cmd, stdout=out, stderr=err, env=env)
        out.close()
        err.close()
        p.sb = (n, kind, sig, delay, st, time.monotonic())
        p.hooksig = (hook or {}).get("SB_HOOK_SIGNAL") if self.hook else None
        if not wait:
            return p
        return self.finish(p)

    def finish(self, p):
        n, kind, sig, delay, st, t0 = p.sb
        killed = False
        if sig is not None:
            try:
                p.wait(timeout=delay)
            except subprocess.TimeoutExpired:
                p.send_signal(sig)
                killed = True
                self.faults["SIGKILL" if sig == signal.SIGKILL
                            else "SIGTERM"] += 1
        try:
            rc = p.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            p.kill()
            rc = p.wait()
            self.fig["crashed"] += 1
            self.unexpected["hung (killed after %d s)" % TIMEOUT] += 1
            self.note("unexpected", "%s: %s hung" % (st.root, kind))
        if p.hooksig and os.path.exists(os.path.join(st.logs,
                                                     "%04d.hook" % n)):
            killed = True       # by itself, at the moment the hook chose
            sig = signal.SIGTERM if p.hooksig == "TERM" else signal.SIGKILL
            self.faults["SIG%s (placed)" % p.hooksig] += 1
        if not killed and rc == 0:
            self.dur[kind].append(time.monotonic() - t0)
        if rc < 0 and not killed:
            self.fig["crashed"] += 1
            self.unexpected["%s died of signal %d" % (kind, -rc)] += 1
            self.note("unexpected", "%s/logs/%04d: %s died of signal %d"
                      % (st.root, n, kind, -rc))
        elif rc >= 2 and not (killed and sig == signal.SIGTERM):
            if rc > 2:
                self.fig["crashed"] += 1     # ASan's 86, say
            self.unexpected["%s exit %d" % (kind, rc)] += 1
            first = open(os.path.join(st.logs, "%04d.err" % n), "rb") \
                .read().decode(errors="replace").strip().split("\n")[0]
            self.note("unexpected", "%s/logs/%04d: %s exit %d: %s"
                      % (st.root, n, kind, rc, first[:160]))
        self.snapshot(st)
        return rc, killed, os.path.join(st.logs, "%04d.out" % n)

    def kill_delay(self, st, kind):
        """A moment within a typical run of this kind (from clean runs)."""
        d = sorted(self.dur[kind][-20:])
        typical = d[len(d) // 2] if d else 0.2
        return st.rng.uniform(0.0, max(0.02, typical * 1.2))

    def import_args(self, move, sources):
        return ["import", "--no-progress"] + self.settle_opt + \
            (["--move"] if move else []) + list(sources)

    def until_clean(self, st, cfg, args, lib=None, tries=4):
        rc = None
        for _ in range(tries):
            rc, _, _ = self.sb(st, cfg, args, lib=lib)
            if rc == 0:
                break
        return rc

    def cached_sha(self, p, stt):
        key = (p, stt.st_ino, stt.st_size, stt.st_mtime_ns, stt.st_ctime_ns)
        s = self.hashcache.get(key)
        if s is None:
            try:
                s = sha_file(p)
            except OSError:
                return None
            self.hashcache[key] = s
        return s

    def snapshot(self, st, lib=None, remote=None):
        """Library (and remote) files must keep the content they first had."""
        for root, tag in ((lib or st.lib, "lib"), (remote or st.remote, "remote")):
            for p, stt in walk_files(root, skip_shoebox=True):
                if os.path.basename(p).startswith(".") or \
                        p in self.seedpaths:
                    continue        # a dir remote's temp file, a seed
                s = self.cached_sha(p, stt)
                if s is None:
                    continue
                first = self.snap.setdefault((tag, p), s)
                if first != s and (tag, p, "over") not in self.snap:
                    self.snap[(tag, p, "over")] = True
                    self.fig["overwritten"] += 1
                    self.note("overwritten", "%s changed (%s -> %s)"
                              % (p, first[:12], s[:12]))

    # --- building sources ---------------------------------------------

    def add_files(self, st, n, root=None, sidecars=True, mtime=None):
        """n new media files (some with an XMP sidecar) under root."""
        root = root or st.src
        made = []
        for _ in range(n):
            for _ in range(20):     # not into a directory swapped for a link
                d = os.path.join(root, "DCIM", "%03dCANON" %
                                 st.rng.randint(100, 199 if _ else 103))
                if not os.path.islink(d):
                    break
            else:
                # every folder tried is a link by now (a long run swaps
                # many): a folder of a new number, never one swapped,
                # or the file would be written into a canary folder
                k = 200
                while os.path.islink(os.path.join(
                        root, "DCIM", "%03dCANON" % k)):
                    k += 1
                d = os.path.join(root, "DCIM", "%03dCANON" % k)
            st.n += 1
            name = "IMG_%04d" % (st.n % 10000)
            while os.path.lexists(os.path.join(d, name + ".JPG")):
                st.n += 1
                name = "IMG_%04d" % (st.n % 10000)
            p = os.path.join(d, name + ".JPG")
            st.write_new(p, st.content.jpeg(), "new file", mtime)
            made.append(p)
            if sidecars and st.rng.random() < 0.15:
                st.write_new(os.path.join(d, name + ".XMP"),
                             st.content.sidecar(), "new sidecar", mtime)
        return made

    # --- scenarios -----------------------------------------------------

    def scen_kill(self, st, share):
        end = time.monotonic() + share
        cfg = self.config(st)
        for run in range(self.args.runs):
            if run and time.monotonic() > end:
                break
            self.add_files(st, self.args.files)
            move = st.rng.random() < 0.5
            for _ in range(st.rng.randint(1, 3)):
                what = st.rng.choice(["import", "import", "sync"])
                sig = st.rng.choice([signal.SIGKILL, signal.SIGTERM])
                args = self.import_args(move, [st.src]) if what == "import" \
                    else ["sync", "--no-progress", "--json"]
                files = st.source_files()
                if what == "import" and self.hook and files and \
                        st.rng.random() < 0.4:
                    # the signal raised by shoebox itself, at the open of a
                    # file (a main file's, often: between it and its
                    # sidecars) or at a copy's Nth sync
                    name = os.path.basename(st.rng.choice(files))
                    on = st.rng.choice(["open:" + name, "fsync"])
                    self.sb(st, cfg, args, hook={
                        "SB_HOOK_ON": on, "SB_HOOK_NTH":
                        str(st.rng.randint(1, 3)) if on == "fsync" else "1",
                        "SB_HOOK_SIGNAL": "TERM" if sig == signal.SIGTERM
                        else "KILL"})
                    continue
                self.sb(st, cfg, args, sig=sig, delay=self.kill_delay(
                    st, "import --move" if move and what == "import"
                    else what))
            rc = self.until_clean(st, cfg, self.import_args(move, [st.src]))
            if move and rc == 0:
                # nothing changes these sources: a clean --move takes all
                for p, _ in walk_files(st.src):
                    self.fig["left behind"] += 1
                    self.note("left behind", "kill: %s still in the source "
                              "after import --move exited 0" % p)
                    st.aside(p)     # counted once
            if st.rng.random() < 0.5:
                self.sb(st, cfg, ["sync", "--no-progress", "--json"],
                        sig=st.rng.choice([signal.SIGKILL, signal.SIGTERM]),
                        delay=self.kill_delay(st, "sync"))
            self.until_clean(st, cfg, ["sync", "--no-progress", "--json"])

    def hook_env(self, st):
        """A race placed exactly: a mutation run from inside shoebox (by
        tests/lib/hook.c) at the open or first read of one file, or at the
        Nth sync of a copy (read, not yet catalogued nor deleted)."""
        files = st.source_files()
        if not files or not self.hook:
            return None
        target = st.rng.choice(files)
        name = os.path.basename(target)
        op = st.rng.choice(MUTATIONS)
        at = st.rng.choice({"replaced": ["fsync", "open"],
                            "grown": ["read", "fsync"],
                            "truncated": ["read", "fsync"],
                            "symlinked file": ["open", "fsync"],
                            "symlinked dir": ["open", "fsync"]}[op])
        cmd = "%s %s mutate --state %s --op '%s' --target %s --seed %d" % (
            sys.executable, os.path.abspath(__file__), st.root, op,
            _shq(target), st.rng.getrandbits(32))
        env = {"SB_HOOK_ON": at if at == "fsync" else at + ":" + name,
               "SB_HOOK_CMD": cmd}
        if at == "fsync":
            env["SB_HOOK_NTH"] = str(st.rng.randint(1, 3))
        return env

    def scen_mutate(self, st, share):
        end = time.monotonic() + share
        cfg = self.config(st)
        for run in range(self.args.runs):
            if run and time.monotonic() > end:
                break
            for _ in range(3):
                self.add_files(st, max(1, self.args.files // 3))
                hook = self.hook_env(st)
                p = self.sb(st, cfg, self.import_args(True, [st.src]),
                            hook=hook, wait=False)
                mrng = random.Random(st.rng.getrandbits(32))
                # and free-running mutations while it runs (bounded)
                for _ in range(st.rng.randint(0, 6)):
                    if p.poll() is not None:
                        break
                    time.sleep(mrng.uniform(0.0, 0.02))
                    st.mutate(mrng.choice(MUTATIONS + ["held open"]))
                self.finish(p)
                st.join_writers()
            self.until_clean(st, cfg, self.import_args(True, [st.src]),
                             tries=3)

    def scen_watch(self, st, share):
        """watch --move on the source (a shared drop folder) while files
        arrive in bursts and the sources are changed under it as in
        mutate (a folder swapped for a link to same-named canaries after
        its files arrived, above all), with an import --move now and then
        beside it; then SIGTERM, and import --move until clean."""
        end = time.monotonic() + share
        cfg = self.config(st)
        p = self.sb(st, cfg, ["watch", "--move", "--settle", "1s", st.src],
                    wait=False)
        mrng = random.Random(st.rng.getrandbits(32))
        for run in range(self.args.runs):
            if run and time.monotonic() > end - 3:
                break
            self.add_files(st, max(1, self.args.files // 2))
            for _ in range(st.rng.randint(0, 6)):
                time.sleep(mrng.uniform(0.0, 0.4))
                st.mutate(mrng.choice(MUTATIONS + ["held open"]))
            if st.rng.random() < 0.25:
                self.sb(st, cfg, self.import_args(True, [st.src]))
            time.sleep(mrng.uniform(0.2, 1.5))
        time.sleep(2.5)     # the last files settle and are taken
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
        self.finish(p)
        st.join_writers()
        self.until_clean(st, cfg, self.import_args(True, [st.src]),
                         tries=3)

    def scen_concurrent(self, st, share):
        end = time.monotonic() + share
        for run in range(self.args.runs):
            if run and time.monotonic() > end:
                break
            lib = os.path.join(st.root, "lib%d" % run)
            remote = os.path.join(st.root, "remote%d" % run)
            os.makedirs(remote)
            st.lib, st.remote = lib, remote
            cfg = self.config(st, s3prefix="run%d" % run)
            dirs = [os.path.join(st.src, "run%d" % run, c) for c in "ABCD"]
            for d in dirs:
                self.add_files(st, max(1, self.args.files // 4), root=d,
                               sidecars=False)
            # the same content in two sources (a card copied twice)
            for d in dirs[:2]:
                for p in self.add_files(st, 1, root=d, sidecars=False):
                    q = os.path.join(dirs[3], "copy-" + os.path.basename(p))
                    shutil.copy2(p, q)
            procs = []
            for i in range(4):
                srcs = [dirs[i], dirs[(i + 1) % 4]]
                procs.append(self.sb(st, cfg, self.import_args(i % 2 == 1, srcs),
                                     wait=False))
                procs.append(self.sb(st, cfg, ["sync", "--no-progress", "--json"],
                                     wait=False))
            outs = [self.finish(p)[2] for p in procs]
            # then 4 syncs at once on a full queue, 2 imports of new files
            for d in dirs:
                self.add_files(st, max(1, self.args.files // 4), root=d,
                               sidecars=False)
            self.until_clean(st, cfg, self.import_args(False, dirs[:2]),
                             tries=3)
            procs = [self.sb(st, cfg, ["sync", "--no-progress", "--json"],
                             wait=False) for _ in range(4)]
            procs += [self.sb(st, cfg, self.import_args(False, dirs[2:]),
                              wait=False),
                      self.sb(st, cfg, self.import_args(True, dirs[1:3]),
                              wait=False)]
            outs += [self.finish(p)[2] for p in procs]
            self.until_clean(st, cfg, self.import_args(False, dirs), tries=3)
            rc = None
            for _ in range(3):
                rc, _, o = self.sb(st, cfg, ["sync", "--no-progress", "--json"])
                outs.append(o)
                if rc == 0:
                    break
            self.count_uploads(outs)
            self.check(st, lib=lib, remote=remote, scen="concurrent",
                       partial=True)
        st.lib, st.remote = os.path.join(st.root, "lib"), \
            os.path.join(st.root, "remote")

    def count_uploads(self, outs):
        """A file reported uploaded twice to one remote was sent twice."""
        seen = Counter()
        for o in outs:
            for line in open(o, errors="replace"):
                try:
                    j = json.loads(line)
                except ValueError:
                    continue
                if j.get("status") == "uploaded":
                    seen[(j.get("remote"), j.get("path"))] += 1
        for (r, p), c in seen.items():
            if c > 1 and not (r == "s3" and self.s3):   # s3: its own log
                self.fig["duplicated"] += c - 1
                self.note("duplicated", "%s:%s uploaded %d times" % (r, p, c))

    def scen_seeded(self, st, share):
        end = time.monotonic() + share
        cfg = self.config(st)
        seeds = {}
        for run in range(self.args.runs):
            if run and time.monotonic() > end:
                break
            self.add_files(st, self.args.files)
            self.until_clean(st, cfg, self.import_args(False, [st.src]))
            db = os.path.join(st.lib, ".shoebox", "catalog.db")
            rows = _query(db, "SELECT path, size FROM catalog")
            for path, size in rows:
                dst = os.path.join(st.remote, path)
                if os.path.lexists(dst) or st.rng.random() < 0.5:
                    continue
                src = os.path.join(st.lib, path)
                data = open(src, "rb").read()
                other = st.content.same_size(data)
                os.makedirs(os.path.dirname(dst), exist_ok=True)
                with open(dst, "wb") as f:
                    f.write(other)
                stt = os.stat(src)
                os.utime(dst, ns=(stt.st_atime_ns, stt.st_mtime_ns))
                seeds[dst] = sha(other)
                self.seedpaths.add(dst)
                self.faults["remote seeded"] += 1
            for _ in range(st.rng.randint(0, 2)):
                self.sb(st, cfg, ["sync", "--no-progress", "--json"],
                        sig=st.rng.choice([signal.SIGKILL, signal.SIGTERM]),
                        delay=self.kill_delay(st, "sync"))
            for _ in range(3):
                rc, _, _ = self.sb(st, cfg, ["sync", "--no-progress", "--json"])
                if rc == 0:
                    break
        for p, s in seeds.items():
            self.fig["checked"] += 1
            now = sha_file(p) if os.path.isfile(p) and not os.path.islink(p) \
                else None
            if now != s:
                self.fig["overwritten"] += 1
                self.note("overwritten", "pre-seeded remote file %s %s"
                          % (p, "deleted" if now is None else "replaced"))
        st.seeds = set(seeds.values())

    def scen_inode(self, st, share):
        end = time.monotonic() + share
        cfg = self.config(st)
        mtime = 1000000000      # 2001-09-09, even: a FAT time
        for run in range(self.args.runs):
            if run and time.monotonic() > end:
                break
            made = self.add_files(st, self.args.files, sidecars=False,
                                  mtime=mtime)
            old = {}
            for p in made:
                stt = os.stat(p)
                old[p] = (stt.st_ino, open(p, "rb").read())
            self.until_clean(st, cfg, self.import_args(True, [st.src]))
            inos = set()
            for p, (ino, data) in old.items():
                if os.path.lexists(p):
                    continue        # not moved: nothing to reuse
                other = st.content.same_size(data)
                same = st.rng.random() < 0.5
                q = p if same else os.path.join(
                    os.path.dirname(p), "DSC_%s" % os.path.basename(p)[4:])
                if os.path.lexists(q):
                    continue
                st.record(other, "same size and mtime as a moved file " +
                          os.path.relpath(q, st.root))
                with open(q, "wb") as f:    # in place: takes a free inode
                    f.write(other)
                os.utime(q, (mtime, mtime))
                self.faults["inode reuse tried"] += 1
                if os.stat(q).st_ino in set(i for i, _ in old.values()):
                    inos.add(q)
            self.faults["inode reused"] += len(inos)
            self.until_clean(st, cfg, self.import_args(True, [st.src]))

    # --- the invariants ------------------------------------------------

    def check(self, st, lib=None, remote=None, scen="", partial=False):
        lib = lib or st.lib
        remote = remote or st.remote
        ledger = st.ledger_shas()
        canaries = st.canary_list()
        canary_sha = set(s for s, _ in canaries)
        seeds = getattr(st, "seeds", set())
        present = set()
        libfiles = {}
        for p, stt in walk_files(lib, skip_shoebox=True):
            s = self.cached_sha(p, stt)
            libfiles[os.path.relpath(p, lib)] = s
            present.add(s)
        for root in (st.src, st.holding):
            for p, stt in walk_files(root):
                present.add(self.cached_sha(p, stt))
        if not partial:
            # every lib*/ of the scenario counts (concurrent: one per run)
            for d in os.listdir(st.root):
                if d.startswith("lib") and os.path.join(st.root, d) != lib:
                    for p, stt in walk_files(os.path.join(st.root, d),
                                             skip_shoebox=True):
                        present.add(self.cached_sha(p, stt))
            self.fig["checked"] += len(ledger) + len(canaries)
            filed = set(libfiles.values())
            for d in os.listdir(st.root):
                if d.startswith("lib"):
                    for p, stt in walk_files(os.path.join(st.root, d),
                                             skip_shoebox=True):
                        filed.add(self.cached_sha(p, stt))
            if ledger and not filed & set(ledger):
                self.fig["vacuous"] += 1
                self.note("vacuous", "%s: nothing at all was filed: the "
                          "runner could not drive this shoebox" % scen)
            for s, what in ledger.items():
                if s not in present:
                    self.fig["lost"] += 1
                    self.note("lost", "%s: %s %s... (%s) is nowhere"
                              % (scen, "content", s[:12], what))
            for s, p in canaries:
                if not os.path.isfile(p) or os.path.islink(p) or \
                        self.cached_sha(p, os.stat(p)) != s:
                    self.fig["lost"] += 1
                    self.fig["canaries lost"] += 1
                    self.note("lost", "%s: canary %s deleted or changed"
                              % (scen, p))
        # content twice in the library
        for s, c in Counter(libfiles.values()).items():
            if c > 1:
                self.fig["duplicated"] += c - 1
                self.note("duplicated", "%s: %s in the library %d times: %s"
                          % (scen, s[:12], c, ", ".join(
                              p for p, q in libfiles.items() if q == s)))
        for p, s in libfiles.items():
            if s in canary_sha:
                self.fig["leaked"] += 1
                self.note("leaked", "%s: %s is a canary (reached through "
                          "a symlink)" % (scen, p))
            elif s not in ledger:
                self.fig["half-written"] += 1
                self.note("half-written", "%s: library %s holds content "
                          "never complete at a source" % (scen, p))
        # the catalogue and the library agree
        db = os.path.join(lib, ".shoebox", "catalog.db")
        rows = _query(db, "SELECT path, sha256 FROM catalog") \
            if os.path.exists(db) else []
        catpaths = set()
        for path, s in rows:
            catpaths.add(path)
            if s not in ledger and s not in canary_sha:
                self.fig["half-written"] += 1
                self.note("half-written", "%s: catalogue row %s has a "
                          "content never complete at a source" % (scen, path))
            if libfiles.get(path) != s:
                self.fig["mismatches"] += 1
                self.note("mismatches", "%s: catalogue row %s: %s"
                          % (scen, path, "no such file" if path not in
                             libfiles else "other content in the file"))
        for p in libfiles:
            if p not in catpaths:
                self.fig["mismatches"] += 1
                self.note("mismatches", "%s: library file %s is not "
                          "catalogued" % (scen, p))
        # the dir remote: no content twice, nothing half-written
        rfiles = Counter()
        for p, stt in walk_files(remote):
            if os.path.basename(p).startswith("."):
                self.fig["remote temp files left"] += 1
                continue
            s = self.cached_sha(p, stt)
            if s in seeds:
                continue
            rfiles[s] += 1
            if s not in ledger:
                self.fig["half-written"] += 1
                self.note("half-written", "%s: remote %s holds content "
                          "never complete at a source" % (scen, p))
        for s, c in rfiles.items():
            if c > 1:
                self.fig["duplicated"] += c - 1
                self.note("duplicated", "%s: %s on the dir remote %d times"
                          % (scen, s[:12], c))
        if self.s3 and scen == "concurrent":
            self.count_s3_puts()

    def count_s3_puts(self):
        """Objects PUT more than once (s3rver's request log)."""
        puts = Counter()
        for line in open(self.s3[2], errors="replace"):
            f = line.split()
            if len(f) >= 3 and f[0] == "PUT" and f[2] == "200" and \
                    "?" not in f[1]:
                puts[f[1]] += 1
            elif len(f) >= 3 and f[0] == "POST" and "uploadId=" in f[1] \
                    and f[2] == "200":
                puts[f[1].split("?")[0]] += 1
        for k, c in puts.items():
            if c > 1 and ("s3", k) not in self.noted:
                self.noted.add(("s3", k))
                self.fig["duplicated"] += c - 1
                self.note("duplicated", "s3 object %s PUT %d times" % (k, c))

    def start_s3(self):
        js = os.path.join(TOP, "tests", "node", "s3rver.js")
        mod = os.path.join(TOP, "tests", "node", "node_modules", "@20minutes",
                           "s3rver")
        if not shutil.which("node") or not os.path.isdir(mod):
            return None
        d = os.path.join(self.root, "s3data")
        os.makedirs(d)
        log = os.path.join(self.root, "s3rver.log")
        portf = os.path.join(self.root, "s3rver.port")
        p = subprocess.Popen(["node", js, d, "torture", "AKTEST", "SKTEST"],
                             stdout=open(portf, "wb"), stderr=open(log, "wb"),
                             env=dict(os.environ))
        for _ in range(100):
            try:
                port = int(open(portf).read().split()[0])
                return (p, port, log)
            except (ValueError, IndexError, OSError):
                time.sleep(0.1)
        p.kill()
        p.wait()
        return None

    # --- the whole ------------------------------------------------------

    def run(self):
        todo = [s for s in self.args.scenarios.split(",") if s]
        for s in todo:
            if s not in SCENARIOS:
                print("torture: no scenario %s (%s)" % (s, ", ".join(SCENARIOS)),
                      file=sys.stderr)
                return 2
        if "concurrent" in todo and not self.args.no_s3:
            self.s3 = self.start_s3()
        try:
            for i, name in enumerate(todo):
                share = max(1.0, self.time_left() / (len(todo) - i))
                st = State(os.path.join(self.root, name),
                           self.rng.getrandbits(32))
                before = sum(self.runs.values())
                fig0 = Counter(self.fig)
                t0 = time.monotonic()
                getattr(self, "scen_" + name)(st, share)
                self.check(st, scen=name)
                self.faults.update(st.fault_counts())
                d = self.fig - fig0
                print("%-10s %3d runs %5.1f s  lost %d, duplicated %d, "
                      "overwritten %d, half-written %d, leaked %d, "
                      "mismatches %d" % (
                          name, sum(self.runs.values()) - before,
                          time.monotonic() - t0, d["lost"], d["duplicated"],
                          d["overwritten"], d["half-written"], d["leaked"],
                          d["mismatches"]), flush=True)
                if not self.args.keep:
                    shutil.rmtree(st.root, ignore_errors=True)
                    self.hashcache.clear()
        finally:
            if self.s3:
                self.s3[0].terminate()
                self.s3[0].wait()
        return self.report()

    def report(self):
        for fig in ("lost", "duplicated", "overwritten", "half-written",
                    "leaked", "mismatches", "vacuous", "left behind",
                    "unexpected"):
            for e in self.examples.get(fig, []):
                print("  %s: %s" % (fig, e))
        r = self.runs
        print("shoebox: %s%s" % (self.shoebox, "" if self.settle_opt else
                                 " (no --settle option; settle = 0 in the config)"))
        print("remotes: dir%s" % (", s3 (s3rver, concurrent scenario)"
                                  if self.s3 else ""))
        print("runs: %d (%s)" % (sum(r.values()), ", ".join(
            "%s %d" % (k, v) for k, v in sorted(r.items()))))
        f = self.faults
        print("faults injected: %d (%s)" % (
            sum(v for k, v in f.items() if k not in ("inode reused",)),
            ", ".join("%s %d" % (k, v) for k, v in sorted(f.items()))))
        if self.unexpected:
            print("unexpected exits: %s" % ", ".join(
                "%s %d" % (k, v) for k, v in sorted(self.unexpected.items())))
        if self.fig["canaries lost"]:
            print("canaries deleted or changed (counted in lost): %d"
                  % self.fig["canaries lost"])
        if self.fig["left behind"]:
            print("left in the source by a clean import --move: %d"
                  % self.fig["left behind"])
        if self.fig["remote temp files left"]:
            print("remote temp files left: %d" % self.fig["remote temp files left"])
        bad = ["lost", "duplicated", "overwritten", "half-written", "leaked",
               "mismatches"]
        if self.fig["vacuous"]:
            print("scenarios where nothing was filed: %d" % self.fig["vacuous"])
        print("files checked: %d" % self.fig["checked"])
        print("lost: %d, duplicated: %d, overwritten: %d, half-written: %d, "
              "leaked (canary filed): %d, catalogue-vs-library mismatches: %d"
              % tuple(self.fig[k] for k in bad))
        failed = [k for k in bad + ["vacuous"] if self.fig[k]]
        if self.args.strict and self.fig["crashed"]:
            print("crashed or hung (--strict): %d" % self.fig["crashed"])
            failed.append("crashed")
        if self.args.keep:
            print("kept: %s" % self.root)
        else:
            shutil.rmtree(self.root, ignore_errors=True)
        print("torture: %s (seed %d)" % ("FAIL" if failed else "PASS",
                                          self.args.seed))
        return 1 if failed else 0


def _shq(s):
    return "'" + s.replace("'", "'\\''") + "'"


def _query(db, sql):
    if not os.path.exists(db):
        return []
    for _ in range(50):
        try:
            c = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=10)
            try:
                return c.execute(sql).fetchall()
            finally:
                c.close()
        except sqlite3.OperationalError:
            time.sleep(0.1)
    return []


def mutate_main(argv):
    """Run by the hook inside shoebox: one mutation of a scenario."""
    ap = argparse.ArgumentParser(prog="torture.py mutate")
    ap.add_argument("--state", required=True)
    ap.add_argument("--op", required=True, choices=MUTATIONS)
    ap.add_argument("--target")
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args(argv)
    st = State(a.state, a.seed)
    st.mutate(a.op, a.target)
    return 0


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "mutate":
        return mutate_main(sys.argv[2:])
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--runs", type=int, default=20,
                    help="runs per scenario (default 20)")
    ap.add_argument("--files", type=int, default=24,
                    help="new files per run (default 24)")
    ap.add_argument("--seconds", type=float, default=300,
                    help="time budget, shared by the scenarios (default 300)")
    ap.add_argument("--scenarios", default=",".join(SCENARIOS))
    ap.add_argument("--shoebox", default=os.path.join(TOP, "shoebox"))
    ap.add_argument("--tmp", default=None, help="where to work (TMPDIR)")
    ap.add_argument("--keep", action="store_true",
                    help="keep the work directory")
    ap.add_argument("--strict", action="store_true",
                    help="also fail when shoebox crashes, hangs or exits "
                    "above 2 (sanitizers)")
    ap.add_argument("--no-s3", action="store_true",
                    help="no S3 remote even if node and s3rver are there")
    args = ap.parse_args()
    if args.runs < 1 or args.files < 1 or args.seconds <= 0:
        ap.error("--runs, --files and --seconds must be positive")
    if not os.access(args.shoebox, os.X_OK):
        ap.error("no shoebox at %s (make all)" % args.shoebox)
    return Torture(args).run()


if __name__ == "__main__":
    sys.exit(main())
