#!/usr/bin/env python3
"""feedserver: a local HTTP server that serves feed files and misbehaves on request.

Used by the unit tests of src/feed/fetch.c and by the integration tests. Python standard library only.

    feedserver.py --root DIR --port-file FILE [--lifetime 300] [--max-stall 60]

It listens on 127.0.0.1, port 0 (the kernel picks a free one), and writes the port number to --port-file once it
accepts connections (written to FILE.tmp then renamed, so a reader never sees half a number). It exits on SIGTERM,
when its parent process goes away, and by itself after --lifetime seconds.

Routes (GET; <file> is a path under --root; query parameters are optional):
  /files/<file>                 the file as is (Content-Type from its extension)
  /gzip/<file>                  the file with Content-Encoding: gzip (the client must inflate it)
  /gz/<file>                    a gzip body without Content-Encoding, like a download of feed.csv.gz
                                (a <file> already ending in .gz is sent unchanged, others are compressed)
  /truncated-gz/<file>          as /gz/ but only the first half of the gzip bytes
  /status/<code>?msg=TEXT       that status; codes >= 500 (any code with html=1) get an HTML error page whose
                                <p> says TEXT, others a text/plain body whose first line is TEXT (default "no
                                such feed") and whose second echoes the request
  /stall?s=SECONDS              headers and a few bytes, then silence for SECONDS (default and cap --max-stall);
                                the wait ends early when the client hangs up
  /slow?bps=100&bytes=1000      BYTES bytes of CSV sent at about BPS bytes per second (bounded by --max-stall)
  /redirect?n=3&to=/files/x     n chained 302 redirects ending at TO (default /files/feed.csv)
  /auth/<file>                  the file, only with Basic auth user:secret (401 with WWW-Authenticate otherwise)
  /bearer/<file>                the file, only with "Authorization: Bearer secret-token" (401 otherwise)
  /html                         200 with a text/html login page (a feed URL that answers with a web page)
  /big?bytes=N                  exactly N bytes of CSV rows (sku,name,price,qty), streamed
  /headers                      the request headers as text/plain, one per line
Anything else is a 404 with a text/plain body.
"""

import argparse
import base64
import gzip
import mimetypes
import os
import select
import signal
import socket
import sys
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote, unquote, urlsplit

BASIC_USER = "user"
BASIC_PASSWORD = "secret"
BEARER_TOKEN = "secret-token"
CSV_HEADER = b"sku,name,price,qty\n"


def csv_bytes(count):
    """Yields chunks of CSV rows adding up to exactly count bytes (the last row may be cut)."""
    pending = CSV_HEADER
    row = 0
    while count > 0:
        while len(pending) < 65536:
            row += 1
            pending += b"SKU-%07d,Product %d,%d.%02d,%d\n" % (row, row, row % 500, row % 100, row % 37)
        chunk = pending[:count]
        pending = pending[len(chunk):]
        count -= len(chunk)
        yield chunk


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "feedserver/1"

    def setup(self):
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format, *args):
        if self.server.verbose:
            super().log_message(format, *args)

    def do_GET(self):
        url = urlsplit(self.path)
        self.query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        path = unquote(url.path)
        for prefix, route in ROUTES:
            if path == prefix or (prefix.endswith("/") and path.startswith(prefix)):
                try:
                    route(self, path[len(prefix):])
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True
                return
        self.send_text(404, "no route for %s\n" % path)

    # helpers

    def int_param(self, name, default, low=0, high=None):
        try:
            value = int(self.query.get(name, default))
        except ValueError:
            value = default
        value = max(low, value)
        return value if high is None else min(high, value)

    def send_body(self, code, body, content_type, headers=()):
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def send_text(self, code, text, headers=()):
        self.send_body(code, text.encode(), "text/plain; charset=utf-8", headers)

    def root_file(self, name):
        """The bytes of a file under --root, or None after answering 404."""
        root = os.path.realpath(self.server.root)
        full = os.path.realpath(os.path.join(root, name))
        if os.path.commonpath([root, full]) != root or not os.path.isfile(full):
            self.send_text(404, "no such file: %s\n" % name)
            return None
        with open(full, "rb") as f:
            return f.read()

    def gzip_of(self, name):
        data = self.root_file(name)
        if data is None or name.endswith(".gz"):
            return data
        return gzip.compress(data, mtime=0)

    def client_gone(self, timeout):
        """Waits up to timeout seconds; true when the client closed the connection meanwhile."""
        readable, _, _ = select.select([self.connection], [], [], timeout)
        if not readable:
            return False
        try:
            return self.connection.recv(1, socket.MSG_PEEK) == b""
        except OSError:
            return True

    # routes

    def route_files(self, name):
        data = self.root_file(name)
        if data is not None:
            kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
            self.send_body(200, data, kind)

    def route_gzip(self, name):
        data = self.root_file(name)
        if data is not None:
            kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
            self.send_body(200, gzip.compress(data, mtime=0), kind, [("Content-Encoding", "gzip")])

    def route_gz(self, name):
        data = self.gzip_of(name)
        if data is not None:
            self.send_body(200, data, "application/gzip")

    def route_truncated_gz(self, name):
        data = self.gzip_of(name)
        if data is not None:
            self.send_body(200, data[: len(data) // 2], "application/gzip")

    def route_status(self, rest):
        code = int(rest) if rest.isdigit() and 100 <= int(rest) <= 599 else 400
        try:
            reason = HTTPStatus(code).phrase
        except ValueError:
            reason = "Status %d" % code
        msg = self.query.get("msg", "no such feed")
        if code >= 500 or self.query.get("html") == "1":
            page = ("<!DOCTYPE html>\n<html><head><title>%d %s</title></head>\n"
                    "<body><h1>%s</h1>\n<p>%s</p>\n</body></html>\n" % (code, reason, reason, msg))
            self.send_body(code, page.encode(), "text/html; charset=utf-8")
        else:
            self.send_text(code, "%s\nrequested %s\n" % (msg, self.path))

    def route_stall(self, _):
        seconds = self.int_param("s", self.server.max_stall, high=self.server.max_stall)
        self.send_response(200)
        self.send_header("Content-Type", "text/csv")
        self.send_header("Content-Length", "1000000")
        self.end_headers()
        self.wfile.write(CSV_HEADER)
        self.wfile.flush()
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.client_gone(min(0.2, max(0.0, deadline - time.monotonic()))):
                break
        self.close_connection = True

    def route_slow(self, _):
        bps = self.int_param("bps", 100, low=1)
        count = self.int_param("bytes", 1000)
        step = max(1, bps // 10)
        self.send_response(200)
        self.send_header("Content-Type", "text/csv")
        self.send_header("Content-Length", str(count))
        self.end_headers()
        deadline = time.monotonic() + self.server.max_stall
        data = b"".join(csv_bytes(count))
        for at in range(0, count, step):
            self.wfile.write(data[at:at + step])
            self.wfile.flush()
            if time.monotonic() > deadline or self.client_gone(step / bps):
                self.close_connection = True
                return

    def route_redirect(self, _):
        hops = self.int_param("n", 1, high=100)
        target = self.query.get("to", "/files/feed.csv")
        code = self.int_param("code", 302, low=301, high=308)
        location = target if hops <= 1 else "/redirect?n=%d&to=%s&code=%d" % (hops - 1, quote(target, safe="/"), code)
        self.send_text(code, "see %s\n" % location, [("Location", location)])

    def route_auth(self, name):
        expected = "Basic " + base64.b64encode(("%s:%s" % (BASIC_USER, BASIC_PASSWORD)).encode()).decode()
        if self.headers.get("Authorization") != expected:
            self.send_text(401, "wrong user name or password\n",
                           [("WWW-Authenticate", 'Basic realm="feeds"')])
            return
        self.route_files(name)

    def route_bearer(self, name):
        if self.headers.get("Authorization") != "Bearer " + BEARER_TOKEN:
            self.send_text(401, "invalid token\n", [("WWW-Authenticate", 'Bearer realm="feeds"')])
            return
        self.route_files(name)

    def route_html(self, _):
        page = ("<!DOCTYPE html>\n<html><head><title>Sign in</title></head>\n"
                "<body><form method=post><input name=user><input name=password type=password>"
                "</form></body></html>\n")
        self.send_body(200, page.encode(), "text/html; charset=utf-8")

    def route_big(self, _):
        count = self.int_param("bytes", 1000)
        self.send_response(200)
        self.send_header("Content-Type", "text/csv")
        self.send_header("Content-Length", str(count))
        self.end_headers()
        for chunk in csv_bytes(count):
            self.wfile.write(chunk)

    def route_headers(self, _):
        self.send_text(200, "".join("%s: %s\n" % (k, v) for k, v in self.headers.items()))


ROUTES = [
    ("/files/", Handler.route_files),
    ("/gzip/", Handler.route_gzip),
    ("/gz/", Handler.route_gz),
    ("/truncated-gz/", Handler.route_truncated_gz),
    ("/status/", Handler.route_status),
    ("/stall", Handler.route_stall),
    ("/slow", Handler.route_slow),
    ("/redirect", Handler.route_redirect),
    ("/auth/", Handler.route_auth),
    ("/bearer/", Handler.route_bearer),
    ("/html", Handler.route_html),
    ("/big", Handler.route_big),
    ("/headers", Handler.route_headers),
]


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def write_port_file(path, port):
    with open(path + ".tmp", "w") as f:
        f.write("%d\n" % port)
    os.replace(path + ".tmp", path)


def exit_when_orphaned_or_old(lifetime):
    """The test that started us may die without killing us: never outlive it, nor the lifetime."""
    parent = os.getppid()
    deadline = time.monotonic() + lifetime
    while time.monotonic() < deadline and os.getppid() == parent:
        time.sleep(0.5)
    os._exit(0)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--root", required=True, help="directory whose files the routes serve")
    ap.add_argument("--port-file", required=True, help="where to write the port number once listening")
    ap.add_argument("--lifetime", type=float, default=300, help="exit after this many seconds (default 300)")
    ap.add_argument("--max-stall", type=int, default=60, help="longest /stall or /slow response, seconds")
    ap.add_argument("--verbose", action="store_true", help="log each request to stderr")
    args = ap.parse_args()

    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    server = Server(("127.0.0.1", 0), Handler)
    server.root = args.root
    server.max_stall = args.max_stall
    server.verbose = args.verbose
    threading.Thread(target=exit_when_orphaned_or_old, args=(args.lifetime,), daemon=True).start()
    write_port_file(args.port_file, server.server_address[1])
    server.serve_forever(poll_interval=0.2)


if __name__ == "__main__":
    sys.exit(main())
