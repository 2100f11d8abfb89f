#!/usr/bin/env python3
"""name-watch.py DIR...: count the files that appear under each name in
the directories given and those below them (they must exist already):
every link(), rename() onto, or creation of a name counts once, so a file
replaced by another shows 2. Prints "ready" once watching; on SIGTERM
prints "COUNT PATH" lines (dot-files, such as temporary .shoebox-tmp.*
names, left out) and exits. Linux inotify, through ctypes."""
import ctypes
import os
import signal
import struct
import sys

IN_CREATE = 0x100
IN_MOVED_TO = 0x80
IN_ISDIR = 0x40000000

libc = ctypes.CDLL(None, use_errno=True)
fd = libc.inotify_init1(0)
if fd < 0:
    sys.exit("inotify_init1 failed")
dirs = {}
for top in sys.argv[1:]:
    for d, _, _ in os.walk(top):
        w = libc.inotify_add_watch(fd, d.encode(), IN_CREATE | IN_MOVED_TO)
        if w < 0:
            sys.exit("inotify_add_watch %s failed" % d)
        dirs[w] = d
counts = {}


def dump(*_):
    for path in sorted(counts):
        print("%d %s" % (counts[path], path))
    sys.stdout.flush()
    os._exit(0)


signal.signal(signal.SIGTERM, dump)
print("ready", flush=True)
while True:
    buf = os.read(fd, 65536)
    off = 0
    while off < len(buf):
        wd, mask, _, n = struct.unpack_from("iIII", buf, off)
        name = buf[off + 16:off + 16 + n].rstrip(b"\0").decode()
        off += 16 + n
        if mask & IN_ISDIR or name.startswith("."):
            continue
        path = os.path.join(dirs.get(wd, "?"), name)
        counts[path] = counts.get(path, 0) + 1
