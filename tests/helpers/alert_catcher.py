#!/usr/bin/env python3
"""Catches what feedsync's notifications send, for tests/integration/test_notify.sh.

An HTTP server (webhooks) and a minimal SMTP server on 127.0.0.1, each on a free port written to
--port-file as "HTTP_PORT SMTP_PORT SMTPS_PORT HTTPS_PORT" (the last two 0 without --tls-cert). Every webhook request is saved as DIR/http-N.json (method, path,
headers, body); every mail as DIR/mail-N.json (the envelope, the AUTH login and the message text).

--http-status 503,503,200 answers the requests in turn (the last one repeats). --http-delay S waits before
answering, as a receiver that hangs. The SMTP side speaks RFC 5321 as far as libcurl uses it: EHLO
advertising AUTH PLAIN LOGIN (RFC 4954), MAIL, RCPT, DATA with dot-unstuffing, RSET, NOOP, QUIT;
STARTTLS is answered 454 (RFC 3207: TLS not available), which a client that requires it must refuse,
unless --tls-cert/--tls-key are given: then STARTTLS upgrades the session (RFC 3207 section 4) and a third
port speaks SMTP inside TLS from the start (smtps, RFC 8314 section 3.3), and a fourth serves the webhook
over HTTPS. Each mail records "tls".
"""
import argparse
import base64
import json
import os
import socket
import socketserver
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

args = None
tls = None   # the server side's ssl.SSLContext with --tls-cert
lock = threading.Lock()
counter = {"http": 0, "mail": 0}


def save(kind, record):
    with lock:
        counter[kind] += 1
        n = counter[kind]
    path = os.path.join(args.dir, "%s-%d.json" % (kind, n))
    with open(path + ".tmp", "w") as f:
        json.dump(record, f)
    os.rename(path + ".tmp", path)   # whole files only: the test polls for them


class Webhook(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0"))).decode("utf-8", "replace")
        with lock:
            index = counter["http"]
        statuses = args.http_status
        status = statuses[min(index, len(statuses) - 1)]
        if args.http_delay:
            time.sleep(args.http_delay)
        save("http", {"method": "POST", "path": self.path, "headers": dict(self.headers.items()),
                      "body": body, "status": status})
        reply = b'{"ok": true}' if status < 300 else b'{"error": "unavailable"}'
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, *a):
        pass


class Quiet(HTTPServer):
    def server_bind(self):
        self.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)   # DESIGN.md section 8
        super().server_bind()


class Smtp(socketserver.StreamRequestHandler):
    def reply(self, line):
        self.wfile.write((line + "\r\n").encode())
        self.wfile.flush()

    def handle(self):
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        secure = isinstance(self.connection, ssl.SSLSocket)
        mail = {"from": None, "to": [], "user": None, "password": None, "data": None, "tls": secure}
        self.reply("220 catcher ESMTP")
        while True:
            raw = self.rfile.readline()
            if not raw:
                return
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            verb = line.split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                self.reply("250-catcher")
                self.reply("250-AUTH PLAIN LOGIN")
                self.reply("250-STARTTLS")
                self.reply("250 8BITMIME")
            elif verb == "STARTTLS" and tls:
                self.reply("220 2.0.0 ready to start TLS")
                self.connection = tls.wrap_socket(self.connection, server_side=True)
                self.rfile = self.connection.makefile("rb")
                self.wfile = self.connection.makefile("wb")
                mail["tls"] = True   # RFC 3207: the client starts over with EHLO
            elif verb == "STARTTLS":
                self.reply("454 4.7.0 TLS not available")
            elif verb == "AUTH":
                self.auth(line, mail)
            elif verb == "MAIL":
                mail["from"] = line.split(":", 1)[1].strip()
                self.reply("250 ok")
            elif verb == "RCPT":
                mail["to"].append(line.split(":", 1)[1].strip())
                self.reply("250 ok")
            elif verb == "DATA":
                self.reply("354 end with .")
                lines = []
                while True:
                    d = self.rfile.readline().decode("utf-8", "replace")
                    if d in (".\r\n", ".\n", ""):
                        break
                    lines.append(d[1:] if d.startswith("..") else d)
                mail["data"] = "".join(lines)
                save("mail", mail)
                mail = {"from": None, "to": [], "user": mail["user"], "password": mail["password"], "data": None,
                        "tls": mail["tls"]}
                self.reply("250 queued")
            elif verb == "RSET" or verb == "NOOP":
                self.reply("250 ok")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("502 unknown")

    def auth(self, line, mail):
        parts = line.split(" ")
        mech = parts[1].upper() if len(parts) > 1 else ""
        if mech == "PLAIN":
            blob = parts[2] if len(parts) > 2 else None
            if blob is None:
                self.reply("334 ")
                blob = self.rfile.readline().decode().strip()
            _, user, password = base64.b64decode(blob).decode().split("\0")
        elif mech == "LOGIN":
            self.reply("334 VXNlcm5hbWU6")
            user = base64.b64decode(self.rfile.readline().strip()).decode()
            self.reply("334 UGFzc3dvcmQ6")
            password = base64.b64decode(self.rfile.readline().strip()).decode()
        else:
            self.reply("504 unsupported")
            return
        mail["user"], mail["password"] = user, password
        self.reply("235 ok")


class ThreadedSmtp(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True


class ThreadedHttp(socketserver.ThreadingMixIn, Quiet):
    daemon_threads = True


class ThreadedSmtps(ThreadedSmtp):
    def get_request(self):
        sock, addr = self.socket.accept()
        return tls.wrap_socket(sock, server_side=True), addr


def main():
    global args
    p = argparse.ArgumentParser()
    p.add_argument("--dir", required=True)
    p.add_argument("--port-file", required=True)
    p.add_argument("--http-status", default="200")
    p.add_argument("--http-delay", type=float, default=0)
    p.add_argument("--lifetime", type=float, default=120)
    p.add_argument("--tls-cert")
    p.add_argument("--tls-key")
    args = p.parse_args()
    global tls
    if args.tls_cert:
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls.load_cert_chain(args.tls_cert, args.tls_key)
    args.http_status = [int(s) for s in args.http_status.split(",")]
    http = ThreadedHttp(("127.0.0.1", 0), Webhook)
    smtp = ThreadedSmtp(("127.0.0.1", 0), Smtp)
    servers = [http, smtp]
    if tls:
        servers.append(ThreadedSmtps(("127.0.0.1", 0), Smtp))
        https = ThreadedHttp(("127.0.0.1", 0), Webhook)
        https.socket = tls.wrap_socket(https.socket, server_side=True)
        servers.append(https)
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    ports = [server.server_address[1] for server in servers] + [0, 0]
    with open(args.port_file + ".tmp", "w") as f:
        f.write("%d %d %d %d\n" % tuple(ports[:4]))
    os.rename(args.port_file + ".tmp", args.port_file)
    time.sleep(args.lifetime)   # bounded: a test that forgets to stop it does not leave it behind


if __name__ == "__main__":
    main()
