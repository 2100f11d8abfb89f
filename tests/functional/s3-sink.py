#!/usr/bin/env python3
"""s3-sink.py [LIFETIME]: an S3 endpoint on 127.0.0.1 that keeps no data,
for sending gigabytes cheaply (t0504); s3rver, which stores every part and
then the whole object, spends some 25 s of CPU per GB. It prints its port,
then answers what an upload needs: HEAD (404 until an object is complete),
PUT of an object or of a part, POST ?uploads and POST ?uploadId=ID. Each
body's SHA-256 must equal its x-amz-content-sha256 header (else 400
BadDigest); its ETag is the MD5 the client sent as Content-MD5. Neither
MD5s nor signatures are checked here (t0501-t0503 do, against s3rver). On completion it logs
"OBJECT KEY SIZE PARTS" on stderr, and serves that size to HEAD, with the
x-amz-meta-sha256 the upload carried (what shoebox checks after a PUT). It stops
by itself after LIFETIME seconds (default 600)."""
import base64
import hashlib
import http.server
import sys
import threading
import urllib.parse

lifetime = float(sys.argv[1]) if len(sys.argv) > 1 else 600
lock = threading.Lock()
uploads = {}    # upload id -> {part number: size}
metas = {}      # upload id -> x-amz-meta-sha256 given at initiation
objects = {}    # key -> (size, x-amz-meta-sha256)


class Sink(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, body=b"", headers=()):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def drain(self):
        """Read the body; its size and SHA-256 (hex)."""
        left = int(self.headers.get("Content-Length", "0"))
        sha, size = hashlib.sha256(), left
        while left > 0:
            b = self.rfile.read(min(left, 1 << 20))
            if not b:
                raise ConnectionError("body cut short")
            sha.update(b)
            left -= len(b)
        return size, sha.hexdigest()

    def key(self):
        u = urllib.parse.urlsplit(self.path)
        return urllib.parse.unquote(u.path), urllib.parse.parse_qs(
            u.query, keep_blank_values=True)

    def do_HEAD(self):
        key, _ = self.key()
        with lock:
            obj = objects.get(key)
        if obj is None:
            self.answer(404)
        else:
            self.send_response(200)
            self.send_header("Content-Length", str(obj[0]))
            if obj[1]:
                self.send_header("x-amz-meta-sha256", obj[1])
            self.end_headers()

    def do_PUT(self):
        key, q = self.key()
        size, sha = self.drain()
        md5 = base64.b64decode(self.headers.get("Content-MD5", "")).hex()
        claim = self.headers.get("x-amz-content-sha256", "UNSIGNED-PAYLOAD")
        if claim not in (sha, "UNSIGNED-PAYLOAD"):
            self.answer(400, b"<Error><Code>BadDigest</Code></Error>")
            return
        with lock:
            if "uploadId" in q:
                parts = uploads.get(q["uploadId"][0])
                if parts is None:
                    self.answer(404, b"<Error><Code>NoSuchUpload</Code></Error>")
                    return
                parts[int(q["partNumber"][0])] = size
            else:
                objects[key] = (size,
                                self.headers.get("x-amz-meta-sha256", ""))
        self.answer(200, headers=[("ETag", '"%s"' % md5)])

    def do_POST(self):
        key, q = self.key()
        self.drain()
        with lock:
            if "uploads" in q:
                uid = "sink%d" % len(metas)
                uploads[uid] = {}
                metas[uid] = self.headers.get("x-amz-meta-sha256", "")
                body = ("<InitiateMultipartUploadResult><UploadId>%s"
                        "</UploadId></InitiateMultipartUploadResult>" % uid)
            else:
                uid = q["uploadId"][0]
                parts = uploads.pop(uid)
                objects[key] = (sum(parts.values()), metas.get(uid, ""))
                sys.stderr.write("OBJECT %s %d %d\n" % (key, objects[key][0],
                                                       len(parts)))
                sys.stderr.flush()
                body = "<CompleteMultipartUploadResult/>"
        self.answer(200, body.encode())

    def do_DELETE(self):
        _, q = self.key()
        with lock:
            uploads.pop(q.get("uploadId", [""])[0], None)
        self.answer(204)


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Sink)
print(server.server_address[1], flush=True)
timer = threading.Timer(lifetime, server.shutdown)
timer.daemon = True
timer.start()
server.serve_forever()
