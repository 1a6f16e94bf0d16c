#!/usr/bin/env python3
"""Stands in for systemd's notification socket (sd_notify(3)): binds an AF_UNIX datagram socket at
--socket (a leading '@' names Linux's abstract namespace, as in $NOTIFY_SOCKET) and appends each message it receives, one line per datagram with newlines shown as '|', to --out.
Exits after --lifetime seconds."""
import argparse
import os
import socket
import time

ap = argparse.ArgumentParser()
ap.add_argument("--socket", required=True)
ap.add_argument("--out", required=True)
ap.add_argument("--lifetime", type=float, default=60)
a = ap.parse_args()

s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
abstract = a.socket.startswith("@")
s.bind("\0" + a.socket[1:] if abstract else a.socket)
s.settimeout(0.2)
end = time.monotonic() + a.lifetime
with open(a.out, "a", buffering=1) as out:
    while time.monotonic() < end:
        try:
            msg = s.recv(4096)
        except socket.timeout:
            continue
        out.write(msg.decode().replace("\n", "|") + "\n")
if not abstract:
    os.unlink(a.socket)
