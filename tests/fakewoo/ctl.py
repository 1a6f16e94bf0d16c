#!/usr/bin/env python3
"""Drives a running fakewoo from shell tests.

    ctl.py URL state [EXPR]         prints EXPR evaluated over the state as s (default: the whole state as JSON);
                                    helpers: skus (SKUs of the products outside the trash),
                                    trashed (products in the trash), batches (batch requests), by_sku(SKU)
    ctl.py URL faults JSON          replaces the fault rules
    ctl.py URL products JSON        adds products as they are
    ctl.py URL item_errors JSON     sets per-item errors by SKU
    ctl.py URL categories JSON      adds product categories ({"name", "parent"}); tags JSON adds tags
    ctl.py URL term_errors JSON     refuses creating terms of these names
    ctl.py URL release              lets the requests held by a "hold" fault go on
    ctl.py URL reset                forgets everything
"""

import http.client
import json
import ssl
import sys
from urllib.parse import urlsplit


def call(url, method, path, body=None):
    where = urlsplit(url)
    if where.scheme == "https":
        # The fake's own certificate, whichever it is: the controls are not what a test checks.
        conn = http.client.HTTPSConnection(where.netloc, timeout=30, context=ssl._create_unverified_context())
    else:
        conn = http.client.HTTPConnection(where.netloc, timeout=30)
    conn.request(method, "/__fake/" + path, body=body.encode() if body is not None else None)
    resp = conn.getresponse()
    data = resp.read()
    conn.close()
    return json.loads(data)


def main():
    url, what = sys.argv[1], sys.argv[2]
    arg = sys.argv[3] if len(sys.argv) > 3 else None
    if what == "state":
        s = call(url, "GET", "state")
        if arg is None:
            print(json.dumps(s))
            return 0
        env = {
            "s": s,
            "skus": [p["sku"] for p in s["products"] if p["status"] != "trash"],
            "trashed": [p for p in s["products"] if p["status"] == "trash"],
            "batches": [r for r in s["requests"] if r["path"].endswith("/batch")],
            "by_sku": lambda sku: next((p for p in s["products"] if p["sku"] == sku), None),
        }
        value = eval(arg, {}, env)
        print(json.dumps(value) if isinstance(value, (dict, list)) else value)
        return 0
    if what == "reset":
        call(url, "POST", "reset", "")
        return 0
    call(url, "POST", what, arg or "[]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
