#!/usr/bin/env python3
"""sftp-rename-lost.py MARKER SFTP-SERVER...: an SFTP subsystem for sshd
that relays between the client and SFTP-SERVER, but, once (while MARKER
does not exist), lets the server carry out a RENAME and then drops the
connection instead of passing its answer on: an answer lost after the
server did the rename. Used by the SFTP tests through SB_SFTP_SUBSYSTEM."""
import os
import struct
import subprocess
import sys
import threading

marker = sys.argv[1]
srv = subprocess.Popen(sys.argv[2:], stdin=subprocess.PIPE,
                       stdout=subprocess.PIPE, bufsize=0)
renames = set()
lock = threading.Lock()


def packets(f):
    """Each whole packet from f, as (type, id, bytes)."""
    while True:
        head = f.read(4)
        while head and len(head) < 4:
            more = f.read(4 - len(head))
            if not more:
                return
            head += more
        if len(head) < 4:
            return
        n = struct.unpack(">I", head)[0]
        body = b""
        while len(body) < n:
            more = f.read(n - len(body))
            if not more:
                return
            body += more
        rid = struct.unpack(">I", body[1:5])[0] if n >= 5 else None
        yield body[0], rid, head + body


def upstream():
    for t, rid, raw in packets(sys.stdin.buffer):
        if t == 18 and not os.path.exists(marker):	# SSH_FXP_RENAME
            with lock:
                renames.add(rid)
        srv.stdin.write(raw)
    srv.stdin.close()


threading.Thread(target=upstream, daemon=True).start()
out = sys.stdout.buffer
for t, rid, raw in packets(srv.stdout):
    with lock:
        lose = t == 101 and rid in renames	# its SSH_FXP_STATUS
    if lose:
        open(marker, "w").close()
        srv.kill()
        os._exit(0)
    out.write(raw)
    out.flush()
