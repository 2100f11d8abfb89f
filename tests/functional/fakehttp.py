"""Stand-in HTTP servers for the tests that need a server to misbehave in
ways a real one cannot be made to (fake_server in tests/lib/common.sh
starts a script that uses this, with this folder on PYTHONPATH).

Handler answers with reply(); a script subclasses it with its own do_GET,
do_PROPFIND ... and calls serve(), which prints the port it listens on
(127.0.0.1 only) and serves until the test stops it."""

import http.server
import sys


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        # every request on stderr ($T/srv.log): tests count them
        sys.stderr.write("%s %s\n" % (self.command, self.path))

    def reply(self, code, data, extra=()):
        self.send_response(code)
        self.send_header("Content-Length", str(len(data)))
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def do_HEAD(self):
        self.do_GET()

    def drain(self):
        """Read the request's body, unused."""
        n = int(self.headers.get("Content-Length") or 0)
        if n:
            self.rfile.read(n)

    def dav_path(self):
        """The folder asked for, with one '/' between parts and at its end."""
        p = self.path.replace("//", "/")
        return p if p.endswith("/") else p + "/"


def dav_entry(href, coll, size=0):
    """One <D:response> of a PROPFIND answer: a folder, or a file of size."""
    return ("<D:response><D:href>%s</D:href><D:propstat><D:prop>"
            "<D:resourcetype>%s</D:resourcetype>%s</D:prop>"
            "<D:status>HTTP/1.1 200 OK</D:status></D:propstat>"
            "</D:response>" % (href, "<D:collection/>" if coll else "",
                               "" if coll else
                               "<D:getcontentlength>%d</D:getcontentlength>"
                               % size))


def dav_multistatus(responses):
    return ('<?xml version="1.0"?><D:multistatus xmlns:D="DAV:">%s'
            '</D:multistatus>' % responses).encode()


def serve(handler):
    s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    print(s.server_address[1], flush=True)
    s.serve_forever()
