#!/usr/bin/env python3
"""fault-proxy.py UPSTREAM_PORT FAULTS [LIFETIME]: an HTTP reverse proxy on
127.0.0.1 for the sync tests. It prints its port, logs one line per request
on stderr ("REQ METHOD PATH" then "RES ..."), forwards requests to
127.0.0.1:UPSTREAM_PORT one per connection, and injects faults.

FAULTS is a comma-separated list applied in order to the requests that
match: METHOD:ACTION, METHOD a method or "any", ACTION one of
  500, 503   answer that status (503 with Retry-After: 1) after the body
  507        answer 507 Insufficient Storage after the body (a full disk)
  503ra=N    answer 503 with Retry-After: N
  4NN        answer that status with an HTML body full of control
             characters and 400 more bytes (401, 403, 404 ...)
  drop       read half the body, then reset the connection
  stall      read the headers, then send nothing for 30 s
  pass403    forward the request, then answer 403 whatever upstream said
             (Apache's mod_dav after a MKCOL that lost a race)
  pass502    forward the request, then answer 502 whatever upstream said
             (a reverse proxy whose server answered too late: the request
             was carried out)
  400=CODE   answer 400 with an S3 error of that Code after the body
             (400=BadDigest: S3 to a body whose Content-MD5 is not its own)
  403bare    answer 403 with no body and this machine's Date: header (AWS
             to a HEAD, which carries no error code)
  pass       forward the request as it is (a fault for a later one)
"" or "none" for no faults. It stops by itself after LIFETIME seconds
(default 600), so a test that dies cannot leave it behind."""
import os
import socket
import struct
import sys
import threading
import time

upstream = int(sys.argv[1])
faults = [f.split(":", 1) for f in sys.argv[2].split(",") if ":" in f]
lifetime = float(sys.argv[3]) if len(sys.argv) > 3 else 600
lock = threading.Lock()


def log(msg):
    with lock:
        sys.stderr.write(msg + "\n")
        sys.stderr.flush()


def take_fault(method):
    with lock:
        for i, (m, action) in enumerate(faults):
            if m == "any" or m == method:
                del faults[i]
                return action
            break  # faults apply in order
    return None


def read_head(conn):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return None, b""
        data += chunk
        if len(data) > 1 << 20:
            return None, b""
    head, rest = data.split(b"\r\n\r\n", 1)
    return head.decode("latin-1"), rest


def body_chunks(conn, rest, length):
    """Yield the request body, streamed."""
    if rest:
        rest = rest[:length]
        length -= len(rest)
        yield rest
    while length > 0:
        chunk = conn.recv(min(length, 262144))
        if not chunk:
            return
        length -= len(chunk)
        yield chunk


def reset(conn):
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                    struct.pack("ii", 1, 0))
    conn.close()


def handle(conn):
    try:
        conn.settimeout(60)
        head, rest = read_head(conn)
        if head is None:
            conn.close()
            return
        lines = head.split("\r\n")
        method, path = lines[0].split(" ")[:2]
        length = 0
        out = [lines[0]]
        for h in lines[1:]:
            name = h.split(":", 1)[0].strip().lower()
            if name == "content-length":
                length = int(h.split(":", 1)[1])
            if name in ("connection", "keep-alive"):
                continue
            out.append(h)
        out.append("Connection: close")
        log("REQ %s %s" % (method, path))
        action = take_fault(method)
        if action in ("500", "503", "507") or \
                (action or "").startswith("503ra="):
            for _ in body_chunks(conn, rest, length):
                pass
            body = (b"<?xml version=\"1.0\"?><Error><Code>%s</Code>"
                    b"<Message>injected</Message></Error>" %
                    (b"InternalError" if action == "500" else
                     b"InsufficientStorage" if action == "507" else
                     b"SlowDown"))
            extra = ""
            if action not in ("500", "507"):    # "503", or "503ra=N"
                extra = "Retry-After: %s\r\n" % (action[6:] or "1")
            conn.sendall(("HTTP/1.1 %s Injected\r\n%sContent-Length: %d\r\n"
                          "Content-Type: application/xml\r\n"
                          "Connection: close\r\n\r\n" %
                          (action[:3], extra, len(body))).encode() + body)
            conn.close()
            log("RES %s %s injected" % (method, action))
            return
        if (action or "").startswith("400="):
            for _ in body_chunks(conn, rest, length):
                pass
            body = (b"<?xml version=\"1.0\"?><Error><Code>%s</Code>"
                    b"<Message>injected</Message></Error>" %
                    action[4:].encode())
            conn.sendall(("HTTP/1.1 400 Bad Request\r\nContent-Length: %d\r\n"
                          "Content-Type: application/xml\r\n"
                          "Connection: close\r\n\r\n" %
                          len(body)).encode() + body)
            conn.close()
            log("RES %s %s injected" % (method, action))
            return
        if action is not None and len(action) == 3 and action[0] == "4":
            for _ in body_chunks(conn, rest, length):
                pass
            body = (b"<html><body><h1>Denied\x1b[2J\x1b]0;pwned\x07</h1>\r\n"
                    b"<p>\tby policy\x00\xff " + b"x" * 400 + b"</p></body></html>")
            conn.sendall(("HTTP/1.1 %s Injected\r\nContent-Length: %d\r\n"
                          "Content-Type: text/html\r\n"
                          "Connection: close\r\n\r\n" %
                          (action, len(body))).encode() + body)
            conn.close()
            log("RES %s %s injected" % (method, action))
            return
        if action == "403bare":
            for _ in body_chunks(conn, rest, length):
                pass
            date = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime())
            conn.sendall(("HTTP/1.1 403 Forbidden\r\nDate: %s\r\n"
                          "Content-Length: 0\r\nConnection: close\r\n\r\n"
                          % date).encode())
            conn.close()
            log("RES %s 403bare injected" % method)
            return
        if action == "drop":
            n = 0
            for chunk in body_chunks(conn, rest, length // 2):
                n += len(chunk)
            reset(conn)
            log("RES %s drop after %d bytes" % (method, n))
            return
        if action == "stall":
            log("RES %s stall" % method)
            time.sleep(30)
            reset(conn)
            return
        up = socket.create_connection(("127.0.0.1", upstream))
        up.sendall(("\r\n".join(out) + "\r\n\r\n").encode("latin-1"))
        for chunk in body_chunks(conn, rest, length):
            up.sendall(chunk)
        if action == "pass403":
            while up.recv(262144):
                pass
            up.close()
            conn.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n"
                         b"Connection: close\r\n\r\n")
            conn.close()
            log("RES %s 403 after passing" % method)
            return
        if action == "pass502":
            while up.recv(262144):
                pass
            up.close()
            conn.sendall(b"HTTP/1.1 502 Bad Gateway\r\n"
                         b"Content-Length: 0\r\n"
                         b"Connection: close\r\n\r\n")
            conn.close()
            log("RES %s 502 after passing" % method)
            return
        status = None
        while True:
            chunk = up.recv(262144)
            if not chunk:
                break
            if status is None:
                status = chunk.split(b" ", 2)[1].decode()
            conn.sendall(chunk)
        up.close()
        conn.close()
        log("RES %s %s" % (method, status))
    except OSError as e:
        log("ERR %s" % e)
        try:
            conn.close()
        except OSError:
            pass


def main():
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(64)
    print(srv.getsockname()[1], flush=True)
    threading.Timer(lifetime, lambda: os._exit(0)).start()
    while True:
        conn, _ = srv.accept()
        threading.Thread(target=handle, args=(conn,), daemon=True).start()


main()
