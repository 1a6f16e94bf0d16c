#!/usr/bin/env python3
"""fakewoo: a WooCommerce REST API v3 shop in memory, faithful to ../../../shared/woocommerce recordings.

Python standard library only. Used by tests/integration/test_woo*.sh and the push measurements.

    fakewoo.py --port-file FILE [--lifetime 300] [--scheme http|https] [--tls-cert PEM --tls-key PEM]
               [--key CK --secret CS]
               [--read-key CK --read-secret CS] [--batch-limit 100] [--item-delay-ms MS] [--create-ms MS]
               [--faults FILE] [--state FILE]
               [--gzip] [--record FILE] [--verbose] [--bench] [--no-nodelay]

It listens on 127.0.0.1 on a free port, writes the port to --port-file (FILE.tmp renamed, so a reader never sees
half a number), and exits on SIGTERM, when its parent goes away, or after --lifetime seconds.

--state FILE keeps the shop (products, categories, tags and the next ids) in FILE: read at start when it exists,
written (FILE.tmp renamed) after every API request that may change it, so a shop restarted on another port (the
demo of `make run`) still holds the products, with the ids, that feedsync recorded.

--bench keeps a product as its id, SKU, name, type and status and answers batch items from one product serialized
once, at a real answer's size: bench/push.sh measures its client, not this fake. --no-nodelay leaves Nagle's
algorithm on for answers, as a server stack that does not set TCP_NODELAY: a kept-alive client then waits for
its own delayed ACKs.

Authentication is WooCommerce's: with --scheme https (the shop is treated as if reached over HTTPS, though the
socket is plain) only HTTP Basic or consumer_key/consumer_secret in the query string authenticate; with
--scheme http (the default) only OAuth 1.0a one-legged (HMAC-SHA1 or HMAC-SHA256, in the query string or an
"Authorization: OAuth" header; nonces remembered, timestamps older than 15 minutes refused) does. --key/--secret
have read_write permission, --read-key/--read-secret read permission only. --tls-cert/--tls-key serve real TLS
with that certificate (and imply --scheme https): the shop's URL is then https://127.0.0.1:PORT.

The shop: /wp-json/ and /wp-json/wc/v3 (index), /wp-json/wc/v3/products (GET list with page, per_page <= 100,
sku (comma list, exact, case-insensitive; a space after a comma is part of the next SKU), status (any, the default,
leaves out the trash), orderby id|date, order asc|desc, context view|edit, _fields; X-WP-Total, X-WP-TotalPages and a Link header
echoing the query, credentials included (prev and next, as WordPress's add_query_arg makes them); HEAD; POST
create with schema validation), /products/<id> (GET, PUT/POST/PATCH update, DELETE: to the trash, where a product
holds no SKU, or for good with force=true), /products/batch (create,
update, delete; more than --batch-limit items is a 413; per-item errors in a 200; no schema validation, as the
real one), /products/<id>/variations (GET list, paged as the products) and /products/<id>/variations/batch,
/products/categories and /products/tags (GET list with page, per_page <= 100, orderby name, _fields; POST create
and /batch create; a name the taxonomy already has (under the same parent, case-insensitively, compared as
WordPress stores it: & < > as entities) is 400 term_exists with data.resource_id, the term that has it; a parent
that does not exist is 404 woocommerce_rest_term_invalid). A product's categories and tags are sent as [{"id": N}]
and answered with their name and slug; an id the shop does not have is dropped, as wp_set_object_terms does; a
product without categories is in Uncategorized (15).
Descriptions are stored as sent and answered as WooCommerce 7.9 does: a product's description and
short_description go through wpautop (paragraphs, <br />) in the view context, the default, and come back raw
with context=edit; a variation's description is rendered in either context (the variations controller calls
wc_format_content whatever the context), and a variation without a SKU of its own shows its parent's. Only
wpautop is modelled, not wptexturize's curly quotes. A read-only key may use context=edit: WooCommerce checks
the key's read permission and the user's capability, not the context.
--create-ms makes each batch create as slow and as non-atomic as WooCommerce's (see Shop.batch_slowly): a batch
goes on after its client died or gave up, and overlapping creates of one SKU make two products. /?rest_route=... is never authenticated.

Control endpoints (no authentication, never faulted):
  GET  /__fake/state        {"products": [...], "requests": [...], "violations": [...], "max_in_flight": n}
  GET  /__fake/stats        counts only: products, requests, batches, statuses, violations, max_in_flight, and
                            "busy_s", from the first request's arrival to the last answer
  POST /__fake/faults       replaces the fault rules with the JSON array in the body
  POST /__fake/release      lets the requests held by a "hold" fault go on
  POST /__fake/reset        forgets products, requests, violations, nonces and faults
  POST /__fake/reset_log    forgets requests and violations only
  POST /__fake/products     adds the products in the JSON array body as they are (for pre-existing shop state)
  POST /__fake/item_errors  {"SKU": {"code": "...", "message": "..."}}: batch items with these SKUs get that
                            per-item error (status 400) inside the 200 answer; {} clears them
  POST /__fake/categories   adds the terms in the JSON array body ({"name", "parent"}), as /__fake/tags does tags
  POST /__fake/term_errors  {"name": {"code": "...", "message": "..."}}: creating a term of that name (any case)
                            is refused with that error (status 400); {} clears them

A fault rule (the first rule whose match fits a request and whose "times" is not used up applies):
  {"match": {"method": "POST", "path": "/wp-json/wc/v3/products/batch", "min_items": 2, "max_items": 100},
   "skip": 0,              requests that match but are let through first
   "times": 1,             how many requests it applies to (default: every one)
   "for_s": 20,            from its first use, it applies to every matching request for this many seconds,
                           then never again: an outage (nginx answers 502 while php-fpm is stopped)
   "latency_ms": 200,      delay before the request is handled (alone: the request then goes on normally)
   "status": 504,          answer with this status instead (504/502/503 get nginx's HTML page; 401 and 429
                           get WooCommerce's JSON error; 429 sends "Retry-After: <retry_after>")
   "retry_after": 1,
   "pad_kb": 8,            with a 5xx status: the gateway page padded to at least this many KB, as nginx pads
                           its pages with comments
   "process": true,        with status: apply the request to the shop first (a gateway timeout whose PHP
                           worker finished the job anyway)
   "action": "reset" | "stall" | "hold" | "html" | "malformed" | "limit" | "empty",
                           reset: close the connection with a TCP RST; stall: answer nothing until the
                           client hangs up (or "stall_s"); hold: wait for POST /__fake/release (or
                           "hold_s", default 30), then go on normally, whether or not the client is still
                           there; html: 200 with an HTML error page; malformed:
                           200 with cut JSON; limit: 413 when the batch has more than "limit" items;
                           empty: a product list that finds nothing (a product created meanwhile elsewhere)
   "limit": 50}
Violations recorded: an "Expect: 100-continue" request header, one SKU twice in a batch, a SKU in two
batches in flight at once.
"""

import argparse
import base64
import copy
import gzip
import hashlib
import hmac
import json
import os
import random
import re
import select
import signal
import socket
import ssl
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, quote, unquote, urlsplit

API = "/wp-json/wc/v3"
OAUTH_WINDOW_S = 15 * 60
OAUTH_REQUIRED = ["oauth_consumer_key", "oauth_timestamp", "oauth_nonce", "oauth_signature",
                  "oauth_signature_method"]

# Messages as WooCommerce 7.9 words them (see the recordings).
NOT_ALLOWED = {
    "list": ("woocommerce_rest_cannot_view", "Sorry, you cannot list resources."),
    "view": ("woocommerce_rest_cannot_view", "Sorry, you cannot view this resource."),
    "create": ("woocommerce_rest_cannot_create", "Sorry, you are not allowed to create resources."),
    "edit": ("woocommerce_rest_cannot_edit", "Sorry, you are not allowed to edit this resource."),
    "delete": ("woocommerce_rest_cannot_delete", "Sorry, you are not allowed to delete this resource."),
    "batch": ("woocommerce_rest_cannot_batch", "Sorry, you are not allowed to batch manipulate this resource."),
}
INVALID_ID = ("woocommerce_rest_product_invalid_id", "Invalid ID.")
VARIATION_VIA_PRODUCTS = ("woocommerce_rest_invalid_product_id",
                          "To manipulate product variations you should use the "
                          "/products/&lt;product_id&gt;/variations/&lt;id&gt; endpoint.")
GATEWAY_PAGES = {
    502: "502 Bad Gateway", 503: "503 Service Temporarily Unavailable", 504: "504 Gateway Time-out",
    500: "500 Internal Server Error",
}
# The products collection's status parameter (WooCommerce 7.9); "any" leaves out the trash.
STATUSES = ("any", "future", "trash", "draft", "pending", "private", "publish")
# The context parameter of every read: "view" renders descriptions, "edit" answers them as stored.
CONTEXTS = ("view", "edit")
REASONS = {200: "OK", 201: "Created", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden",
           404: "Not Found", 413: "Request Entity Too Large", 429: "Too Many Requests",
           500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout"}


def rawurlencode(s):
    return quote(s, safe="")


# The tags wpautop leaves unwrapped when a paragraph starts with one (WordPress's $allblocks, abridged).
BLOCK_TAG = re.compile(r"</?(?:table|thead|tfoot|caption|col|colgroup|tbody|tr|td|th|div|dl|dd|dt|ul|ol|li|pre|"
                       r"form|map|area|blockquote|address|math|style|p|h[1-6]|hr|fieldset|legend|section|"
                       r"article|aside|hgroup|header|footer|nav|figure|figcaption|details|menu|summary)[\s/>]", re.I)


def wpautop(text):
    """WordPress's wpautop on plain text: a blank line parts paragraphs, each wrapped in <p>..</p> and a newline,
    and a single newline inside one becomes "<br />" and the newline. A paragraph that starts with a block tag
    is left unwrapped."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    out = []
    for para in re.split(r"\n\s*\n", text):
        para = para.strip()
        if not para:
            continue
        out.append(para + "\n" if BLOCK_TAG.match(para) else "<p>%s</p>\n" % para.replace("\n", "<br />\n"))
    return "".join(out)


def enum_param(query, name, allowed):
    """A collection parameter with an enum in its schema: the first value when absent, a 400 when not one of them."""
    value = query.get(name, allowed[0])
    if value not in allowed:
        raise ApiError(400, "rest_invalid_param", "Invalid parameter(s): %s" % name,
                       params={name: "%s is not one of %s." % (name, ", ".join(allowed))})
    return value


def oauth_base_string(method, url, params):
    """WooCommerce's string to sign: keys sorted raw, each key=value encoded twice."""
    pairs = ["%s=%s" % (rawurlencode(k), rawurlencode(v)) for k, v in sorted(params.items())]
    return "%s&%s&%s" % (method, rawurlencode(url), "%26".join(rawurlencode(p) for p in pairs))


def oauth_signature(method_name, secret, base):
    alg = hashlib.sha256 if method_name == "HMAC-SHA256" else hashlib.sha1
    return base64.b64encode(hmac.new((secret + "&").encode(), base.encode(), alg).digest()).decode()


class ApiError(Exception):
    def __init__(self, status, code, message, **data):
        super().__init__(message)
        self.status, self.code, self.message, self.data = status, code, message, data

    def body(self):
        return {"code": self.code, "message": self.message, "data": dict(status=self.status, **self.data)}


class Shop:
    """Products and the request log, behind one lock."""

    def __init__(self, base_url, batch_limit):
        self.lock = threading.Lock()
        self.base_url = base_url
        self.batch_limit = batch_limit
        self.reset()

    def reset(self):
        self.products = {}          # id -> record
        self.sku_index = {}         # lower-case sku -> ids holding it (more than one only after a race)
        self.next_id = 19           # the recorded shop's first product id
        self.requests = []
        self.violations = []
        self.nonces = set()
        self.faults = []
        self.item_errors = {}       # lower-case sku -> (code, message)
        self.in_flight_skus = {}    # lower-case sku -> count of batches carrying it
        self.terms = {"categories": {}, "tags": {}}  # taxonomy -> id -> term
        self.next_term_id = 16      # term ids are shared by the taxonomies; Uncategorized is 15
        self.term_errors = {}       # lower-case name -> (code, message)
        self.add_term("categories", {"name": "Uncategorized", "slug": "uncategorized"}, term_id=15)
        self.in_flight = 0
        self.max_in_flight = 0
        self.held = 0               # requests waiting in a "hold" fault
        self.release = threading.Event()

    # ---- persistence (--state) ----

    def save(self, path):
        """Writes what --state keeps (callers hold the lock)."""
        state = {"products": list(self.products.values()), "next_id": self.next_id,
                 "next_term_id": self.next_term_id,
                 "terms": {tax: list(terms.values()) for tax, terms in self.terms.items()}}
        with open(path + ".tmp", "w") as f:
            json.dump(state, f)
        os.replace(path + ".tmp", path)

    def load(self, path):
        with open(path) as f:
            state = json.load(f)
        self.products = {rec["id"]: rec for rec in state["products"]}
        for rec in self.products.values():
            self.index(rec)
        self.terms = {tax: {t["id"]: t for t in terms} for tax, terms in state["terms"].items()}
        self.next_id, self.next_term_id = state["next_id"], state["next_term_id"]

    # ---- records and their JSON ----

    def new_record(self, fields, parent_id=0, kind=None):
        rec = {"id": self.next_id, "name": "", "sku": "", "type": kind or "simple", "status": "publish",
               "regular_price": "", "sale_price": "", "description": "", "short_description": "",
               "manage_stock": False, "stock_quantity": None, "parent_id": parent_id, "weight": "",
               "categories": [], "images": [], "meta_data": [], "attributes": [], "created": self.tick()}
        self.next_id += 1
        self.apply_fields(rec, fields)
        return rec

    @staticmethod
    def tick():
        """Creation time in whole seconds: WordPress orders by post date, equal dates by id."""
        return int(time.time())

    @staticmethod
    def apply_fields(rec, fields):
        """Batch semantics: no schema validation; a price that is not a number is silently emptied."""
        for key, value in fields.items():
            if key in ("id", "parent_id") or (key == "type" and rec["type"] == "variation"):
                continue  # a variation's type is read-only in the variations controller
            if key in ("regular_price", "sale_price"):
                text = str(value) if value is not None else ""
                rec[key] = text if re.fullmatch(r"\d+(\.\d+)?", text) else ""
            elif key == "stock_quantity":
                try:
                    rec[key] = int(value) if value is not None else None
                except (TypeError, ValueError):
                    rec[key] = None
            else:
                rec[key] = value

    def render(self, rec, context="view"):
        base = self.base_url
        shown = (lambda text: text or "") if context == "edit" else wpautop
        slug = re.sub(r"[^a-z0-9]+", "-", str(rec.get("name", "")).lower()).strip("-") or "product-%d" % rec["id"]
        price = rec.get("sale_price") or rec.get("regular_price") or ""
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(rec["created"]))
        out = {"id": rec["id"], "name": rec.get("name", ""), "slug": slug,
               "permalink": "%s/product/%s/" % (base, slug),
               "date_created": stamp, "date_created_gmt": stamp, "date_modified": stamp, "date_modified_gmt": stamp,
               "type": rec["type"], "status": rec.get("status", "publish"), "featured": False,
               "catalog_visibility": "visible", "description": shown(rec.get("description")),
               "short_description": shown(rec.get("short_description")), "sku": rec.get("sku", ""), "price": price,
               "regular_price": rec.get("regular_price", ""), "sale_price": rec.get("sale_price", ""),
               "date_on_sale_from": None, "date_on_sale_from_gmt": None, "date_on_sale_to": None,
               "date_on_sale_to_gmt": None, "on_sale": bool(rec.get("sale_price")), "purchasable": price != "",
               "total_sales": 0, "virtual": False, "downloadable": False, "downloads": [], "download_limit": -1,
               "download_expiry": -1, "external_url": "", "button_text": "", "tax_status": "taxable",
               "tax_class": "", "manage_stock": bool(rec.get("manage_stock")),
               "stock_quantity": rec.get("stock_quantity"), "backorders": "no", "backorders_allowed": False,
               "backordered": False, "low_stock_amount": None, "sold_individually": False,
               "weight": rec.get("weight", ""), "dimensions": {"length": "", "width": "", "height": ""},
               "shipping_required": True, "shipping_taxable": True, "shipping_class": "", "shipping_class_id": 0,
               "reviews_allowed": True, "average_rating": "0.00", "rating_count": 0, "upsell_ids": [],
               "cross_sell_ids": [], "parent_id": rec.get("parent_id", 0), "purchase_note": "",
               "categories": self.categories_of(rec),
               "tags": self.product_terms(rec, "tags"), "images": rec.get("images", []), "attributes": rec.get("attributes", []),
               "default_attributes": [], "variations": self.variation_ids(rec), "grouped_products": [],
               "menu_order": 0,
               "price_html": "<span class=\"woocommerce-Price-amount amount\"><bdi><span class=\""
                             "woocommerce-Price-currencySymbol\">&euro;</span>%s</bdi></span>" % price,
               "related_ids": [], "meta_data": rec.get("meta_data", []),
               "stock_status": "outofstock" if rec.get("manage_stock") and not rec.get("stock_quantity")
                               else "instock",
               "has_options": False, "_links": {"self": [{"href": "%s%s/products/%d" % (base, "/wp-json/wc/v3",
                                                                                     rec["id"])}],
                                                "collection": [{"href": "%s/wp-json/wc/v3/products" % base}]}}
        return out

    def render_variation(self, rec):
        """The variations endpoints speak another schema: no type, no parent_id, one image; the description
        rendered whatever the context, the parent's SKU for a variation without one (get_sku in view context)."""
        full = self.render(rec)
        parent = self.products.get(rec["parent_id"]) or {}
        full["sku"] = full["sku"] or parent.get("sku", "")
        keys = ("id", "date_created", "date_created_gmt", "date_modified", "date_modified_gmt", "description",
                "permalink", "sku", "price", "regular_price", "sale_price", "date_on_sale_from",
                "date_on_sale_from_gmt", "date_on_sale_to", "date_on_sale_to_gmt", "on_sale", "status",
                "purchasable", "virtual", "downloadable", "downloads", "download_limit", "download_expiry",
                "tax_status", "tax_class", "manage_stock", "stock_quantity", "stock_status", "backorders",
                "backorders_allowed", "backordered", "low_stock_amount", "weight", "dimensions", "shipping_class",
                "shipping_class_id", "attributes", "menu_order", "meta_data")
        out = {k: full[k] for k in keys}
        images = rec.get("images") or []
        out["image"] = {"id": 0, "src": images[0].get("src", ""), "name": "", "alt": ""} if images else None
        out["_links"] = {"self": [{"href": "%s/wp-json/wc/v3/products/%d/variations/%d" % (
            self.base_url, rec["parent_id"], rec["id"])}]}
        return out

    def variation_ids(self, rec):
        if rec["type"] != "variable":
            return []
        return [p["id"] for p in self.products.values() if p["parent_id"] == rec["id"]]

    def dump(self):
        keys = ("id", "sku", "name", "type", "parent_id", "regular_price", "sale_price", "stock_quantity",
                "manage_stock", "status", "description", "short_description", "meta_data", "images", "attributes")
        return [dict({k: p.get(k) for k in keys}, categories=[t["id"] for t in self.categories_of(p)],
                     tags=[t["id"] for t in self.product_terms(p, "tags")])
                for p in sorted(self.products.values(), key=lambda p: p["id"])]

    # ---- product categories and tags ----

    @staticmethod
    def stored_name(name):
        """As WordPress stores a term name (sanitize_term_field: trimmed, & < > as entities)."""
        return str(name).strip().replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    def add_term(self, taxonomy, fields, term_id=None):
        """Creates a term (callers hold the lock); raises ApiError as WooCommerce 7.9 does."""
        terms = self.terms[taxonomy]
        name = self.stored_name(fields.get("name") or "")
        if not name:
            raise ApiError(400, "rest_missing_callback_param", "Missing parameter(s): name", params=["name"])
        err = self.term_errors.get(name.lower())
        if err:
            raise ApiError(400, err.get("code", "fake_term_error"), err.get("message", "Injected term error."))
        parent = fields.get("parent", 0) or 0
        if parent and taxonomy == "tags":
            raise ApiError(400, "woocommerce_rest_taxonomy_not_hierarchical",
                           "Can not set resource parent, taxonomy is not hierarchical.")
        if parent and parent not in terms:
            raise ApiError(404, "woocommerce_rest_term_invalid", "Parent resource does not exist.")
        for t in terms.values():
            if t["name"].lower() == name.lower() and t["parent"] == parent:
                message = ("A term with the name provided already exists with this parent." if taxonomy == "categories"
                           else "A term with the name provided already exists in this taxonomy.")
                raise ApiError(400, "term_exists", message, resource_id=t["id"])
        if term_id is None:
            term_id, self.next_term_id = self.next_term_id, self.next_term_id + 1
        slug = fields.get("slug") or re.sub(r"[^a-z0-9]+", "-", name.lower().replace("&amp;", "")).strip("-")
        taken = {t["slug"] for t in terms.values()}
        base, n = slug or str(term_id), 2
        slug = base
        while slug in taken:
            slug, n = "%s-%d" % (base, n), n + 1
        terms[term_id] = {"id": term_id, "name": name, "slug": slug, "parent": parent}
        return terms[term_id]

    def render_term(self, taxonomy, t):
        count = sum(1 for p in self.products.values() if t["id"] in [x.get("id") for x in p.get(taxonomy) or []])
        out = {"id": t["id"], "name": t["name"], "slug": t["slug"]}
        if taxonomy == "categories":
            out.update(parent=t["parent"], description="", display="default", image=None, menu_order=0)
        out["count"] = count
        out["_links"] = {"self": [{"href": "%s%s/products/%s/%d" % (self.base_url, API, taxonomy, t["id"])}],
                         "collection": [{"href": "%s%s/products/%s" % (self.base_url, API, taxonomy)}]}
        return out

    @staticmethod
    def term_ref(t):
        return {"id": t["id"], "name": t["name"], "slug": t["slug"]}

    def assign_terms(self, rec, fields):
        """wp_set_object_terms: the product gets the terms whose ids the shop has; other ids are dropped."""
        for taxonomy in ("categories", "tags"):
            if isinstance(fields.get(taxonomy), list):
                ids = [x.get("id") for x in fields[taxonomy] if isinstance(x, dict)]
                rec[taxonomy] = [{"id": i} for i in dict.fromkeys(ids) if i in self.terms[taxonomy]]

    def categories_of(self, rec):
        """WordPress puts a product (not a variation) saved without a category in the default one, Uncategorized."""
        terms = self.product_terms(rec, "categories")
        return terms or ([] if rec.get("parent_id") else [self.term_ref(self.terms["categories"][15])])

    def product_terms(self, rec, taxonomy):
        """Terms by id as the shop has them; entries seeded with /__fake/products are shown as they were given."""
        out = []
        for x in rec.get(taxonomy) or []:
            t = self.terms[taxonomy].get(x.get("id")) if isinstance(x, dict) else None
            out.append(self.term_ref(t) if t else x)
        return out

    # ---- lookups ----

    def by_sku(self, sku):
        found = self.holding_sku(sku)
        return found[0] if found else None

    def holding_sku(self, sku):
        """The products outside the trash with this SKU, oldest first: the trash holds no SKU in WooCommerce."""
        ids = self.sku_index.get(str(sku).lower(), ())
        return [self.products[i] for i in sorted(ids) if self.products[i].get("status") != "trash"]

    def unindex(self, rec, sku):
        ids = self.sku_index.get(str(sku or "").lower())
        if ids:
            ids.discard(rec["id"])

    def index(self, rec, old_sku=None):
        if old_sku:
            self.unindex(rec, old_sku)
        if rec.get("sku"):
            self.sku_index.setdefault(str(rec["sku"]).lower(), set()).add(rec["id"])

    def product(self, pid, allow_variation=False):
        p = self.products.get(pid)
        if p is None:
            return None
        if p["type"] == "variation" and not allow_variation:
            raise ApiError(404, *VARIATION_VIA_PRODUCTS)
        return p

    def sku_conflict(self, sku, own_id=None):
        if not sku:
            return None
        other = self.by_sku(str(sku))
        if other and other["id"] != own_id:
            return ApiError(400, "product_invalid_sku", "Invalid or duplicated SKU.",
                            resource_id=other["id"], unique_sku="%s-1" % sku)
        return None

    # ---- operations (callers hold the lock) ----

    def create(self, fields, parent_id=0, validate=False, sku_checked=False, seeded=False):
        if validate:
            validate_schema(fields)
        err = None if sku_checked else self.sku_conflict(fields.get("sku"))
        if err:
            raise err
        kind = "variation" if parent_id else fields.get("type") if fields.get("type") in (
            "simple", "variable", "grouped", "external") else "simple"
        rec = self.new_record(fields, parent_id, kind)
        if not seeded:   # seeded products stay as given, whatever a shop would have made of them
            self.shape_attributes(rec, fields)
            self.assign_terms(rec, fields)
        self.products[rec["id"]] = rec
        self.index(rec)
        return rec

    @staticmethod
    def attribute_key(name):
        """sanitize_title of a local attribute's name, which is how WooCommerce matches them."""
        return re.sub(r"[^a-z0-9_-]+", "-", str(name).strip().lower()).strip("-")

    def shape_attributes(self, rec, fields):
        """Attributes as WooCommerce keeps them. A product's: id 0 (local), its position, visible and variation
        flags, options (class-wc-rest-products-controller prepare_attributes). A variation's: only those its
        parent declares with variation true, matched by sanitized name and renamed as the parent spells them,
        the others dropped without a word (class-wc-rest-product-variations-controller parse_attributes_field);
        recordings 32 and 33."""
        raw = fields.get("attributes")
        if not isinstance(raw, list):
            return
        if rec["type"] != "variation":
            rec["attributes"] = [{"id": 0, "name": a.get("name", ""), "position": i, "visible": bool(a.get("visible")),
                                  "variation": bool(a.get("variation")), "options": list(a.get("options") or [])}
                                 for i, a in enumerate(raw) if isinstance(a, dict) and a.get("name")]
            return
        parent = self.products.get(rec["parent_id"]) or {}
        declared = {self.attribute_key(a["name"]): a["name"] for a in parent.get("attributes", []) if a.get("variation")}
        rec["attributes"] = [{"id": 0, "name": declared[self.attribute_key(a["name"])], "option": str(a.get("option", ""))}
                             for a in raw if isinstance(a, dict) and a.get("name")
                             and self.attribute_key(a["name"]) in declared]

    def update(self, fields, parent_id=0):
        pid = fields.get("id")
        if not isinstance(pid, int) or isinstance(pid, bool):
            raise ApiError(400, *INVALID_ID)
        rec = self.products.get(pid)
        if rec is None or (parent_id and rec["parent_id"] != parent_id):
            raise ApiError(400, *INVALID_ID)
        if rec["type"] == "variation" and not parent_id:
            raise ApiError(404, *VARIATION_VIA_PRODUCTS)
        if "sku" in fields:
            err = self.sku_conflict(fields["sku"], pid)
            if err:
                raise err
        old_sku = rec.get("sku")
        self.apply_fields(rec, fields)
        self.shape_attributes(rec, fields)
        self.assign_terms(rec, fields)
        self.index(rec, old_sku)
        return rec

    def delete(self, pid, parent_id=0):
        rec = self.products.get(pid) if isinstance(pid, int) else None
        if rec is None or (parent_id and rec["parent_id"] != parent_id):
            raise ApiError(404, *INVALID_ID)
        if rec["type"] == "variation" and not parent_id:
            raise ApiError(404, *VARIATION_VIA_PRODUCTS)
        doomed = [rec] + ([c for c in self.products.values() if c["parent_id"] == pid]
                          if rec["type"] == "variable" else [])
        for gone in doomed:
            del self.products[gone["id"]]
            self.unindex(gone, gone.get("sku"))
        return rec

    def trash(self, pid):
        """DELETE without force: a product goes to the trash, where it holds no SKU; trashed again is an error."""
        rec = self.product(pid)
        if rec is None:
            raise ApiError(404, *INVALID_ID)
        if rec.get("status") == "trash":
            raise ApiError(410, "woocommerce_rest_already_trashed", "The product has already been deleted.")
        rec["status"] = "trash"
        return rec

    def injected_error(self, action, item):
        if not self.item_errors or action == "delete" or not isinstance(item, dict):
            return
        sku = item.get("sku")
        if sku is None and isinstance(item.get("id"), int) and item["id"] in self.products:
            sku = self.products[item["id"]].get("sku")
        err = self.item_errors.get(str(sku or "").lower())
        if err:
            raise ApiError(400, err.get("code", "fake_item_error"), err.get("message", "Injected item error."))

    def batch(self, body, parent_id=0):
        out = {}
        for action in ("create", "update", "delete"):
            items = body.get(action)
            if not isinstance(items, list):
                continue
            results = []
            for item in items:
                try:
                    self.injected_error(action, item)
                    if action == "create":
                        rec = self.create(item if isinstance(item, dict) else {}, parent_id)
                    elif action == "update":
                        rec = self.update(item if isinstance(item, dict) else {}, parent_id)
                    else:
                        rec = self.delete(item.get("id") if isinstance(item, dict) else item, parent_id)
                    results.append(self.item_answer(rec, parent_id))
                except ApiError as e:
                    results.append(self.item_error(action, item, e))
            out[action] = results
        return self.batch_answer(out)

    @staticmethod
    def item_error(action, item, e):
        ident = item.get("id", 0 if action == "create" else None) if isinstance(item, dict) else item
        return {"id": ident, "error": {"code": e.code, "message": e.message, "data": dict(status=e.status, **e.data)}}

    def batch_slowly(self, body, parent_id, create_s):
        """--create-ms: WooCommerce checks a new product's SKU (wc_product_has_unique_sku), then spends most of the
        create saving it, with the shop open to every other request meanwhile: two creates of one SKU that overlap
        both pass the check. Called without the lock; the batch goes on whether or not its client is still there."""
        out = {}
        for action in ("create", "update", "delete"):
            items = body.get(action)
            if not isinstance(items, list):
                continue
            results = []
            for item in items:
                if action != "create":
                    with self.lock:
                        results.extend(self.batch({action: [item]}, parent_id)[action])
                    continue
                fields = item if isinstance(item, dict) else {}
                try:
                    with self.lock:
                        self.injected_error(action, item)
                        err = self.sku_conflict(fields.get("sku"))
                    if err:
                        raise err
                    time.sleep(create_s * random.uniform(0.2, 1.8))  # images, attributes: no two alike
                    with self.lock:
                        results.append(self.item_answer(self.create(fields, parent_id, sku_checked=True), parent_id))
                except ApiError as e:
                    results.append(self.item_error(action, item, e))
            out[action] = results
        return self.batch_answer(out)

    def item_answer(self, rec, parent_id):
        return self.render_variation(rec) if parent_id else self.render(rec)

    @staticmethod
    def batch_answer(out):
        return out


class BenchShop(Shop):
    """--bench: the same answers for a fraction of the work, so that a benchmark measures its client.

    A product is kept as its id, SKU, name and type; a batch item's answer is those around one remainder of a
    rendered product serialized once, so answers keep a real product's size (about 2 KB) without a render and a
    json.dumps per item."""

    KEPT = ("sku", "name", "status")
    OWN = ("id", "name", "slug", "permalink", "sku", "type", "status", "parent_id", "_links")

    def __init__(self, base_url, batch_limit):
        super().__init__(base_url, batch_limit)
        sample = Shop.render(self, {"id": 1, "type": "simple", "created": 0, "parent_id": 0})
        self.remainder = json.dumps({k: v for k, v in sample.items() if k not in self.OWN})[1:-1]

    def new_record(self, fields, parent_id=0, kind=None):
        rec = {"id": self.next_id, "sku": "", "name": "", "type": kind or "simple", "status": "publish",
               "parent_id": parent_id, "created": self.tick()}
        self.next_id += 1
        self.apply_fields(rec, fields)
        return rec

    @classmethod
    def apply_fields(cls, rec, fields):
        for key in cls.KEPT:
            if key in fields:
                rec[key] = fields[key]

    def render_text(self, rec):
        link = "%s/wp-json/wc/v3/products/%d" % (self.base_url, rec["id"])
        return ('{"id": %d, "name": %s, "slug": "product-%d", "permalink": "%s/?p=%d", "sku": %s, "type": "%s", '
                '"status": %s, "parent_id": %d, %s, "_links": {"self": [{"href": "%s"}]}}' % (
                    rec["id"], json.dumps(rec["name"]), rec["id"], self.base_url, rec["id"], json.dumps(rec["sku"]),
                    rec["type"], json.dumps(rec["status"]), rec["parent_id"], self.remainder, link))

    def render(self, rec, context="view"):
        return json.loads(self.render_text(rec))

    def item_answer(self, rec, parent_id):
        return json.dumps(self.render_variation(rec)) if parent_id else self.render_text(rec)

    @staticmethod
    def batch_answer(out):
        """Items are JSON text already, errors still objects."""
        lists = ('"%s": [%s]' % (action, ", ".join(r if isinstance(r, str) else json.dumps(r) for r in results))
                 for action, results in out.items())
        return ("{%s}" % ", ".join(lists)).encode()


def validate_schema(fields):
    """A single POST validates types (batch items do not)."""
    problems = {}
    for key in ("regular_price", "sale_price", "sku", "name"):
        if key in fields and not isinstance(fields[key], str):
            problems[key] = "%s is not of type string." % key
    if "stock_quantity" in fields and fields["stock_quantity"] is not None and (
            not isinstance(fields["stock_quantity"], int) or isinstance(fields["stock_quantity"], bool)):
        problems["stock_quantity"] = "stock_quantity is not of type integer."
    if problems:
        names = ", ".join(problems)
        raise ApiError(400, "rest_invalid_param", "Invalid parameter(s): %s" % names, params=problems,
                       details={k: {"code": "rest_invalid_type", "message": v, "data": {"param": k}}
                                for k, v in problems.items()})


def batch_skus(body):
    skus = []
    for action in ("create", "update"):
        for item in body.get(action) or []:
            if isinstance(item, dict) and item.get("sku"):
                skus.append(str(item["sku"]).lower())
    return skus


def batch_size(body):
    if not isinstance(body, dict):
        return 0
    return sum(len(body.get(a) or []) for a in ("create", "update", "delete") if isinstance(body.get(a), list))


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "nginx/1.22.1"
    sys_version = ""

    def setup(self):
        super().setup()
        if self.server.nodelay:
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format, *args):
        if self.server.verbose:
            super().log_message(format, *args)

    def handle_expect_100(self):
        self.expect_continue = True
        return super().handle_expect_100()

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = lambda self: self.dispatch()

    # ---- request plumbing ----

    def dispatch(self):
        shop = self.server.shop
        url = urlsplit(self.path)
        self.url_path = url.path
        self.raw_query = url.query
        self.query = dict(parse_qsl(url.query, keep_blank_values=True))
        length = int(self.headers.get("Content-Length") or 0)
        self.raw_body = self.rfile.read(length) if length else b""
        try:
            if self.url_path.startswith("/__fake/"):
                self.control()
                return
            self.log_entry = {"method": self.command, "path": self.url_path, "query": self.safe_query(),
                              "status": None, "items": 0, "skus": [], "t0": time.monotonic()}
            if self.server.record:
                line = json.dumps({"method": self.command, "target": self.path,
                                   "body": self.raw_body.decode("utf-8", "replace")})
                with shop.lock:
                    self.server.record.write(line + "\n")
            with shop.lock:
                shop.requests.append(self.log_entry)
                if getattr(self, "expect_continue", False):
                    shop.violations.append("Expect: 100-continue sent on %s %s" % (self.command, self.url_path))
            with shop.lock:
                shop.in_flight += 1
                shop.max_in_flight = max(shop.max_in_flight, shop.in_flight)
            try:
                if not self.apply_faults():
                    self.route()
            finally:
                with shop.lock:
                    shop.in_flight -= 1
                    if self.server.state_file and self.command not in ("GET", "HEAD"):
                        shop.save(self.server.state_file)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def safe_query(self):
        return {k: v for k, v in self.query.items()
                if k not in ("consumer_secret", "oauth_signature", "oauth_nonce", "oauth_timestamp")}

    def json_body(self):
        if not self.raw_body:
            return {}
        try:
            return json.loads(self.raw_body)
        except ValueError:
            raise ApiError(400, "rest_invalid_json", "Invalid JSON body passed.", json_error_code=4,
                           json_error_message="Syntax error")

    def send(self, status, payload, headers=(), content_type="application/json; charset=UTF-8"):
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        encoding = None
        if (self.server.gzip and len(body) > 1024 and "gzip" in self.headers.get("Accept-Encoding", "")):
            body = gzip.compress(body, compresslevel=1, mtime=0)
            encoding = "gzip"
        self.send_response_only(status, REASONS.get(status))
        self.send_header("Server", self.server_version)
        self.send_header("Date", self.date_time_string())
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        if encoding:
            self.send_header("Content-Encoding", encoding)
        self.send_header("Connection", "keep-alive")
        self.send_header("X-Robots-Tag", "noindex")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Access-Control-Expose-Headers", "X-WP-Total, X-WP-TotalPages, Link")
        headers = list(headers)
        if content_type.startswith("application/json") and not any(name == "Link" for name, _ in headers):
            headers.insert(0, ("Link", '<%s/wp-json/>; rel="https://api.w.org/"' % self.server.shop.base_url))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        if getattr(self, "log_entry", None) is not None:
            self.log_entry["status"] = status
            self.log_entry["t1"] = time.monotonic()

    def send_error_json(self, err):
        self.send(err.status, err.body())

    # ---- faults ----

    def matching_fault(self, items):
        shop = self.server.shop
        with shop.lock:
            for rule in shop.faults:
                m = rule.get("match", {})
                if m.get("method") and m["method"] != self.command:
                    continue
                if m.get("path") and not self.url_path.startswith(m["path"]):
                    continue
                if items < m.get("min_items", 0) or items > m.get("max_items", 1 << 30):
                    continue
                if not self.fault_fits(m):
                    continue
                if rule.get("skip", 0) > 0:
                    rule["skip"] -= 1
                    continue
                if "times" in rule:
                    if rule["times"] <= 0:
                        continue
                    rule["times"] -= 1
                if "for_s" in rule:
                    began = rule.setdefault("began", time.monotonic())
                    if time.monotonic() - began > rule["for_s"]:
                        continue
                rule["hits"] = rule.get("hits", 0) + 1
                return rule
        return None

    def fault_fits(self, match):
        """Whether the request fits the members of a rule's match that a fake built on this one adds."""
        return True

    def apply_faults(self):
        """True when a fault answered (or dropped) the request."""
        if not self.server.shop.faults:
            return False
        try:
            items = self.fault_items(json.loads(self.raw_body)) if self.raw_body else 0
        except ValueError:
            items = 0
        rule = self.matching_fault(items)
        if rule is None:
            return False
        if rule.get("latency_ms"):
            time.sleep(rule["latency_ms"] / 1000.0)
        action = rule.get("action")
        status = rule.get("status")
        if action == "limit":
            if items <= rule.get("limit", 100):
                return False
            self.send_error_json(ApiError(413, "woocommerce_rest_request_entity_too_large",
                                          "Unable to accept more than %d items for this request." % rule["limit"]))
            return True
        if rule.get("process"):
            self.route(answer=False)
        if action == "reset":
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            self.close_connection = True
            self.log_entry["status"] = "reset"
            return True
        if action == "hold":
            with self.server.shop.lock:
                self.server.shop.held += 1
            self.server.shop.release.wait(rule.get("hold_s", 30))
            with self.server.shop.lock:
                self.server.shop.held -= 1
            return False
        if action == "stall":
            deadline = time.monotonic() + rule.get("stall_s", 60)
            while time.monotonic() < deadline and not self.client_gone(0.2):
                pass
            self.close_connection = True
            self.log_entry["status"] = "stall"
            return True
        if action == "html":
            page = ("<!DOCTYPE html>\n<html><head><title>Database Error</title></head><body>"
                    "<h1>Error establishing a database connection</h1></body></html>\n").encode()
            self.send(rule.get("status", 200), page, content_type="text/html; charset=UTF-8")
            return True
        if action == "empty":
            self.send(200, [], [("X-WP-Total", "0"), ("X-WP-TotalPages", "0")])
            return True
        if action == "malformed":
            self.send(200, b'{"create": [{"id": 19, "name": "Feedsync', content_type="application/json; charset=UTF-8")
            return True
        if status in GATEWAY_PAGES:
            title = GATEWAY_PAGES[status]
            padding = "<!-- a padding to disable MSIE and Chrome friendly error page -->\r\n"
            pad = padding * (rule.get("pad_kb", 0) * 1024 // len(padding) + (1 if rule.get("pad_kb") else 0))
            page = ("<html>\r\n<head><title>%s</title></head>\r\n<body>\r\n<center><h1>%s</h1></center>\r\n"
                    "<hr><center>nginx/1.22.1</center>\r\n</body>\r\n</html>\r\n%s" % (title, title, pad)).encode()
            self.send(status, page, content_type="text/html")
            return True
        if status == 429:
            self.send(429, {"code": "too_many_requests", "message": "Too many requests.", "data": {"status": 429}},
                      [("Retry-After", str(rule.get("retry_after", 1)))])
            return True
        if status == 401:
            self.send_error_json(self.fault_refusal())
            return True
        if status:
            self.send_error_json(ApiError(status, "fake_error", "Injected status %d." % status))
            return True
        return False

    # What a fault rule counts as items, and its 401: the shop's own (tests/fakewp subclasses the handler).
    @staticmethod
    def fault_items(body):
        return batch_size(body)

    @staticmethod
    def fault_refusal():
        return ApiError(401, "woocommerce_rest_authentication_error", "Consumer secret is invalid.")

    def client_gone(self, timeout):
        readable, _, _ = select.select([self.connection], [], [], timeout)
        if not readable:
            return False
        try:
            return self.connection.recv(1, socket.MSG_PEEK) == b""
        except OSError:
            return True

    # ---- authentication, as WC_REST_Authentication does it ----

    def authenticate(self):
        """The permissions of the caller ("read", "write", "read_write"), None when anonymous; raises ApiError."""
        if self.server.scheme == "https":
            return self.basic_auth()
        return self.oauth()

    def basic_auth(self):
        key = secret = None
        header = self.headers.get("Authorization", "")
        if header.startswith("Basic "):
            try:
                key, _, secret = base64.b64decode(header[6:]).decode().partition(":")
            except (ValueError, UnicodeDecodeError):
                return None
        elif "consumer_key" in self.query and "consumer_secret" in self.query:
            key, secret = self.query["consumer_key"], self.query["consumer_secret"]
        if not key:
            return None
        user = self.server.keys.get(key)
        if user is None:
            return None
        if not hmac.compare_digest(user["secret"], secret or ""):
            raise ApiError(401, "woocommerce_rest_authentication_error", "Consumer secret is invalid.")
        return user["permissions"]

    def oauth_params(self):
        params = dict(self.query)
        header = self.headers.get("Authorization", "")
        if header.startswith("OAuth "):
            for part in header[6:].split(","):
                name, _, value = part.strip().partition("=")
                if name.startswith("oauth_"):
                    params[name] = unquote(value.strip('"'))
        return params

    def oauth(self):
        params = self.oauth_params()
        if not any(name in params for name in OAUTH_REQUIRED):
            return None
        missing = [name for name in OAUTH_REQUIRED if name not in params]
        if missing:
            raise ApiError(401, "woocommerce_rest_authentication_missing_parameter",
                           "Missing OAuth parameters %s" % ", ".join(missing))
        user = self.server.keys.get(params["oauth_consumer_key"])
        if user is None:
            raise ApiError(401, "woocommerce_rest_authentication_error", "Consumer key is invalid.")
        method = params["oauth_signature_method"]
        if method not in ("HMAC-SHA1", "HMAC-SHA256"):
            raise ApiError(401, "woocommerce_rest_authentication_error",
                           "Invalid signature - signature method is invalid.")
        given = params.pop("oauth_signature").replace(" ", "+")
        url = "%s%s" % (self.server.shop.base_url, self.url_path)
        expected = oauth_signature(method, user["secret"], oauth_base_string(self.command, url, params))
        if not hmac.compare_digest(expected, given):
            raise ApiError(401, "woocommerce_rest_authentication_error",
                           "Invalid signature - provided signature does not match.")
        try:
            stamp = int(params["oauth_timestamp"])
        except ValueError:
            stamp = 0
        if stamp < time.time() - OAUTH_WINDOW_S:
            raise ApiError(401, "woocommerce_rest_authentication_error", "Invalid timestamp.")
        shop = self.server.shop
        with shop.lock:
            nonce = (params["oauth_consumer_key"], params["oauth_nonce"])
            if nonce in shop.nonces:
                raise ApiError(401, "woocommerce_rest_authentication_error",
                               "Invalid nonce - nonce has already been used.")
            shop.nonces.add(nonce)
        return user["permissions"]

    def require(self, permissions, what):
        if permissions is None:
            raise ApiError(401, *NOT_ALLOWED[what])
        if self.command in ("GET", "HEAD"):
            if permissions not in ("read", "read_write"):
                raise ApiError(401, "woocommerce_rest_authentication_error",
                               "The API key provided does not have read permissions.")
        elif permissions not in ("write", "read_write"):
            raise ApiError(401, "woocommerce_rest_authentication_error",
                           "The API key provided does not have write permissions.")

    # ---- routes ----

    def route(self, answer=True):
        """answer=False applies the request to the shop without sending anything (a fault answers instead)."""
        self.answer = answer
        path = self.url_path
        try:
            if path in ("/", "") and "rest_route" in self.query:
                raise ApiError(401, *NOT_ALLOWED["list"])
            if path in ("/wp-json", "/wp-json/"):
                return self.reply(200, {"name": "fakewoo", "url": self.server.shop.base_url,
                                        "namespaces": ["wp/v2", "wc/v3"]})
            permissions = self.authenticate()
            if path.rstrip("/") == API:
                self.require(permissions, "list")
                return self.reply(200, {"namespace": "wc/v3", "routes": {API: {"methods": ["GET"]}}})
            m = re.fullmatch(API + r"/products/(categories|tags)(?:/(batch|\d+))?/?", path)
            if m:
                return self.route_terms(permissions, m.group(1), m.group(2))
            m = re.fullmatch(API + r"/products(?:/(\d+))?(?:/(variations))?(?:/(batch|\d+))?/?", path)
            if not m:
                return self.reply_error(ApiError(404, "rest_no_route", "No route was found matching the URL and request method."))
            pid, variations, tail = m.group(1), m.group(2), m.group(3)
            if variations:
                return self.route_variations(permissions, int(pid), tail)
            if pid is None and tail == "batch":
                return self.route_batch(permissions, 0)
            if pid is None and tail is None:
                return self.route_collection(permissions)
            ident = int(pid if pid is not None else tail)
            if pid is not None and tail is not None:
                return self.reply_error(ApiError(404, "rest_no_route", "No route was found matching the URL and request method."))
            return self.route_item(permissions, ident)
        except ApiError as e:
            return self.reply_error(e)

    def reply(self, status, payload, headers=()):
        if self.answer:
            self.send(status, self.only_fields(payload), headers)

    def only_fields(self, payload):
        """WordPress's _fields: each object keeps only the named top-level fields."""
        if "_fields" not in self.query:
            return payload
        keep = set(self.query["_fields"].split(","))
        pick = lambda obj: {k: v for k, v in obj.items() if k in keep} if isinstance(obj, dict) else obj
        return [pick(p) for p in payload] if isinstance(payload, list) else pick(payload)

    def reply_error(self, err):
        if self.answer:
            self.send_error_json(err)

    def route_collection(self, permissions):
        shop = self.server.shop
        if self.command in ("GET", "HEAD"):
            self.require(permissions, "list")
            return self.list_products(lambda p: p["type"] != "variation" or "sku" in self.query)
        if self.command == "POST":
            self.require(permissions, "create")
            fields = self.json_body()
            with shop.lock:
                rec = shop.create(fields, validate=True)
                out = shop.render(rec)
            return self.reply(201, out)
        raise ApiError(404, "rest_no_route", "No route was found matching the URL and request method.")

    def list_products(self, keep, parent=None):
        shop = self.server.shop
        per_page, page = self.paging()
        status = enum_param(self.query, "status", STATUSES)
        context = enum_param(self.query, "context", CONTEXTS)
        wanted = None
        if "sku" in self.query:
            wanted = {s.lower() for s in self.query["sku"].split(",")}
        with shop.lock:
            if wanted is None:
                candidates = shop.products.values()
            else:
                candidates = [shop.products[i] for w in wanted for i in sorted(shop.sku_index.get(w, ()))]
            rows = [p for p in candidates if keep(p) and (parent is None or p["parent_id"] == parent)
                    and (p.get("status") == status or (status == "any" and p.get("status") != "trash"))]
            descending = self.query.get("order", "desc") == "desc"
            if self.query.get("orderby") == "id" or parent is not None:
                rows.sort(key=lambda p: p["id"], reverse=descending)
            else:
                rows.sort(key=lambda p: (-p["created"] if descending else p["created"], p["id"]))
            total = len(rows)
            pages = (total + per_page - 1) // per_page
            chunk = rows[(page - 1) * per_page: page * per_page] if page >= 1 else []
            body = [shop.render_variation(p) if parent is not None else shop.render(p, context) for p in chunk]
        headers = [("X-WP-Total", str(total)), ("X-WP-TotalPages", str(pages))]
        links = []
        base = "%s%s" % (shop.base_url, self.url_path.rstrip("/"))
        parts = [part for part in self.raw_query.split("&") if part]

        def page_link(number):
            """WordPress's add_query_arg: the page parameter changed where it stands, else appended; the rest of
            the query (credentials included) echoed as it came."""
            at = next((i for i, part in enumerate(parts) if part.startswith("page=")), len(parts))
            query = parts[:at] + ["page=%d" % number] + parts[at + 1:]
            return "%s?%s" % (base, "&".join(query))
        if page > 1:
            links.append('<%s>; rel="prev"' % page_link(min(page - 1, max(pages, 1))))
        if pages > page:
            links.append('<%s>; rel="next"' % page_link(page + 1))
        headers.append(("Link", ", ".join(links) if links else
                        '<%s/wp-json/>; rel="https://api.w.org/"' % shop.base_url))
        headers.append(("Allow", "GET, POST"))
        return self.reply(200, body, headers)

    def route_terms(self, permissions, taxonomy, tail):
        """products/categories and products/tags: list (by name, as WooCommerce orders terms), create, batch create."""
        shop = self.server.shop
        if tail is None and self.command in ("GET", "HEAD"):
            self.require(permissions, "list")
            per_page, page = self.paging()
            descending = self.query.get("order", "asc") == "desc"
            with shop.lock:
                terms = sorted(shop.terms[taxonomy].values(), key=lambda t: (t["name"].lower(), t["id"]),
                               reverse=descending)
                body = [shop.render_term(taxonomy, t) for t in terms[(page - 1) * per_page: page * per_page]]
            total = len(terms)
            pages = (total + per_page - 1) // per_page
            return self.reply(200, body, [("X-WP-Total", str(total)), ("X-WP-TotalPages", str(pages))])
        if tail is None and self.command == "POST":
            self.require(permissions, "create")
            fields = self.json_body()
            with shop.lock:
                return self.reply(201, shop.render_term(taxonomy, shop.add_term(taxonomy, fields)))
        if tail == "batch" and self.command in ("POST", "PUT", "PATCH"):
            self.require(permissions, "batch")
            body = self.json_body()
            results = []
            with shop.lock:
                for item in body.get("create") or [] if isinstance(body, dict) else []:
                    try:
                        results.append(shop.render_term(taxonomy, shop.add_term(taxonomy, item)))
                    except ApiError as e:
                        results.append(shop.item_error("create", item if isinstance(item, dict) else {}, e))
            return self.reply(200, {"create": results}, [("Allow", "POST, PUT, PATCH")])
        raise ApiError(404, "rest_no_route", "No route was found matching the URL and request method.")

    def paging(self):
        """per_page (1 to 100, default 10) and page, or the 400 WooCommerce answers."""
        try:
            per_page = int(self.query.get("per_page", 10))
            page = int(self.query.get("page", 1))
        except ValueError:
            per_page, page = 0, 1
        if not 1 <= per_page <= 100:
            msg = "per_page must be between 1 (inclusive) and 100 (inclusive)"
            raise ApiError(400, "rest_invalid_param", "Invalid parameter(s): per_page", params={"per_page": msg},
                           details={"per_page": {"code": "rest_out_of_bounds", "message": msg, "data": None}})
        return per_page, page

    def route_item(self, permissions, ident):
        shop = self.server.shop
        if self.command in ("GET", "HEAD"):
            self.require(permissions, "view")
            context = enum_param(self.query, "context", CONTEXTS)
            with shop.lock:
                rec = shop.product(ident)
                if rec is None:
                    raise ApiError(404, *INVALID_ID)
                return self.reply(200, shop.render(rec, context))
        if self.command in ("PUT", "POST", "PATCH"):
            self.require(permissions, "edit")
            fields = self.json_body()
            validate_schema(fields)
            fields["id"] = ident
            with shop.lock:
                if shop.products.get(ident) is None:
                    raise ApiError(400, *INVALID_ID)
                return self.reply(200, shop.render(shop.update(fields)))
        if self.command == "DELETE":
            self.require(permissions, "delete")
            with shop.lock:
                if self.query.get("force") in ("true", "1"):
                    return self.reply(200, shop.render(shop.delete(ident)))
                return self.reply(200, shop.render(shop.trash(ident)))
        raise ApiError(404, "rest_no_route", "No route was found matching the URL and request method.")

    def route_variations(self, permissions, parent, tail):
        shop = self.server.shop
        with shop.lock:
            owner = shop.products.get(parent)
        if owner is None or owner["type"] == "variation":
            raise ApiError(404, "woocommerce_rest_product_variation_invalid_id" if owner else INVALID_ID[0],
                           "Invalid ID.")
        if tail == "batch":
            return self.route_batch(permissions, parent)
        if tail is None and self.command in ("GET", "HEAD"):
            self.require(permissions, "list")
            return self.list_products(lambda p: p["type"] == "variation", parent)
        raise ApiError(404, "rest_no_route", "No route was found matching the URL and request method.")

    def route_batch(self, permissions, parent):
        shop = self.server.shop
        if self.command not in ("POST", "PUT", "PATCH"):
            raise ApiError(404, "rest_no_route", "No route was found matching the URL and request method.")
        self.require(permissions, "batch")
        body = self.json_body()
        if not isinstance(body, dict):
            body = {}
        size = batch_size(body)
        skus = batch_skus(body)
        self.log_entry.update(items=size, skus=skus, creates=len(body.get("create") or []),
                              updates=len(body.get("update") or []), deletes=len(body.get("delete") or []))
        if size > shop.batch_limit:
            raise ApiError(413, "woocommerce_rest_request_entity_too_large",
                           "Unable to accept more than %d items for this request." % shop.batch_limit)
        with shop.lock:
            if len(set(skus)) != len(skus):
                shop.violations.append("one SKU twice in a batch: %s" % sorted(s for s in set(skus) if skus.count(s) > 1))
            clash = [s for s in skus if shop.in_flight_skus.get(s)]
            if clash:
                shop.violations.append("SKUs in two batches in flight at once: %s" % clash[:5])
            for s in skus:
                shop.in_flight_skus[s] = shop.in_flight_skus.get(s, 0) + 1
        try:
            delay = self.server.item_delay_s * size
            if delay:
                time.sleep(delay)
            if self.server.create_delay_s:
                out = shop.batch_slowly(body, parent, self.server.create_delay_s)
            else:
                with shop.lock:
                    out = shop.batch(body, parent)
        finally:
            with shop.lock:
                for s in skus:
                    shop.in_flight_skus[s] -= 1
        return self.reply(200, out, [("Allow", "POST, PUT, PATCH")])

    # ---- control ----

    def common_control(self, store, what, body):
        """The faults and reset controls of the fakes built on this one (the caller holds store.lock): True when
        `what` was one of them and is answered."""
        if what == "faults":
            store.faults = body if isinstance(body, list) else [body]
            self.send(200, {"faults": len(store.faults)})
            return True
        if what == "reset":
            store.reset()
            self.send(200, {"reset": True})
            return True
        return False

    def control(self):
        shop = self.server.shop
        what = self.url_path[len("/__fake/"):]
        if what == "state" and self.command == "GET":
            with shop.lock:
                state = {"products": shop.dump(), "requests": shop.requests,
                         "categories": sorted(shop.terms["categories"].values(), key=lambda t: t["id"]),
                         "tags": sorted(shop.terms["tags"].values(), key=lambda t: t["id"]), "violations": shop.violations,
                         "in_flight": shop.in_flight, "held": shop.held, "max_in_flight": shop.max_in_flight, "faults": shop.faults}
                payload = json.dumps(state).encode()
            return self.send(200, payload)
        if what == "stats" and self.command == "GET":
            with shop.lock:
                reqs = [r for r in shop.requests if "t1" in r]
                statuses = {}
                for r in shop.requests:
                    statuses[str(r["status"])] = statuses.get(str(r["status"]), 0) + 1
                stats = {"products": len(shop.products), "requests": len(shop.requests),
                         "batches": sum(1 for r in shop.requests if r["path"].endswith("/batch")),
                         "statuses": statuses, "violations": len(shop.violations),
                         "max_in_flight": shop.max_in_flight,
                         "busy_s": max(r["t1"] for r in reqs) - min(r["t0"] for r in reqs) if reqs else 0}
            return self.send(200, stats)
        if what == "faults" and self.command == "POST":
            rules = json.loads(self.raw_body or b"[]")
            with shop.lock:
                shop.faults = rules if isinstance(rules, list) else [rules]
            return self.send(200, {"faults": len(shop.faults)})
        if what == "release" and self.command == "POST":
            shop.release.set()
            return self.send(200, {"released": True})
        if what == "reset_log" and self.command == "POST":
            with shop.lock:
                shop.requests, shop.violations, shop.max_in_flight = [], [], 0
            return self.send(200, {"reset_log": True})
        if what == "reset" and self.command == "POST":
            with shop.lock:
                shop.reset()
            return self.send(200, {"reset": True})
        if what == "item_errors" and self.command == "POST":
            errors = json.loads(self.raw_body or b"{}")
            with shop.lock:
                shop.item_errors = {k.lower(): v for k, v in errors.items()}
            return self.send(200, {"item_errors": len(shop.item_errors)})
        if what == "products" and self.command == "POST":
            items = json.loads(self.raw_body or b"[]")
            with shop.lock:
                made = [shop.render(shop.create(item, item.get("parent_id", 0), seeded=True)) for item in items]
            return self.send(200, made)
        if what in ("categories", "tags") and self.command == "POST":
            items = json.loads(self.raw_body or b"[]")
            with shop.lock:
                made = [shop.render_term(what, shop.add_term(what, item)) for item in items]
            return self.send(200, made)
        if what == "term_errors" and self.command == "POST":
            errors = json.loads(self.raw_body or b"{}")
            with shop.lock:
                shop.term_errors = {shop.stored_name(k).lower(): v for k, v in errors.items()}
            return self.send(200, {"term_errors": len(shop.term_errors)})
        return self.send(404, {"code": "no_control", "message": "unknown control endpoint"})


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def handle_error(self, request, client_address):
        """A client that hangs up mid-answer is part of the tests, not news."""
        if not isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
            super().handle_error(request, client_address)


def write_port_file(path, port):
    with open(path + ".tmp", "w") as f:
        f.write("%d\n" % port)
    os.replace(path + ".tmp", path)


def serve_fake(handler, make_store, args, configure):
    """Runs a fake built on this one until SIGTERM, its parent's end or args.lifetime: the store made for its
    address, configure(server) for its own settings, the port written to args.port_file once listening."""
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    server = Server(("127.0.0.1", 0), handler)
    port = server.server_address[1]
    server.shop = make_store("http://127.0.0.1:%d" % port)
    server.gzip, server.nodelay, server.record, server.verbose = False, True, None, args.verbose
    server.state_file = None
    configure(server)
    threading.Thread(target=exit_when_orphaned_or_old, args=(args.lifetime,), daemon=True).start()
    write_port_file(args.port_file, port)
    server.serve_forever(poll_interval=0.2)


def exit_when_orphaned_or_old(lifetime):
    """The test that started us may die without killing us: never outlive it, nor the lifetime."""
    parent = os.getppid()
    deadline = time.monotonic() + lifetime
    while time.monotonic() < deadline and os.getppid() == parent:
        time.sleep(0.5)
    os._exit(0)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--port-file", required=True, help="where to write the port number once listening")
    ap.add_argument("--lifetime", type=float, default=300, help="exit after this many seconds (default 300)")
    ap.add_argument("--scheme", choices=("http", "https"), default="http",
                    help="which authentication the shop accepts: https = Basic, http = OAuth 1.0a")
    ap.add_argument("--tls-cert", help="serve TLS with this certificate (PEM); needs --tls-key")
    ap.add_argument("--tls-key", help="the certificate's private key (PEM)")
    ap.add_argument("--key", default="ck_a9a8cf8fa3d3d56ab01e58e73cab9a8938cbb4a6")
    ap.add_argument("--secret", default="cs_8e9308d6d488ec65624345038f70f472e8afe675")
    ap.add_argument("--read-key", default="ck_readonly000000000000000000000000000001")
    ap.add_argument("--read-secret", default="cs_readonly000000000000000000000000000001")
    ap.add_argument("--batch-limit", type=int, default=100, help="items accepted per batch request")
    ap.add_argument("--item-delay-ms", type=float, default=0, help="time each batch item takes, milliseconds")
    ap.add_argument("--create-ms", type=float, default=0,
                    help="time each batch create takes between its SKU check and its save (see batch_slowly)")
    ap.add_argument("--faults", help="a JSON file with the initial fault rules")
    ap.add_argument("--state", help="keep the shop in this JSON file, read at start, written after each change")
    ap.add_argument("--gzip", action="store_true", help="compress responses when the client accepts gzip")
    ap.add_argument("--record", help="append every API request (method, target, body) to this file as JSON lines")
    ap.add_argument("--verbose", action="store_true", help="log each request to stderr")
    ap.add_argument("--bench", action="store_true",
                    help="keep products minimally and answer from a template (bench/push.sh): the client is measured")
    ap.add_argument("--no-nodelay", action="store_true",
                    help="leave Nagle's algorithm on for answers, as a server stack that does not set TCP_NODELAY")
    args = ap.parse_args()

    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    server = Server(("127.0.0.1", 0), Handler)
    port = server.server_address[1]
    scheme = args.scheme
    if args.tls_cert:
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls.load_cert_chain(args.tls_cert, args.tls_key)
        # A client that refuses the certificate fails the handshake in accept(): an OSError the server ignores.
        server.socket = tls.wrap_socket(server.socket, server_side=True)
        scheme = "https"
    server.shop = (BenchShop if args.bench else Shop)("%s://127.0.0.1:%d" % (scheme, port), args.batch_limit)
    if args.faults:
        with open(args.faults) as f:
            server.shop.faults = json.load(f)
    server.state_file = args.state
    if args.state and os.path.exists(args.state):
        server.shop.load(args.state)
    server.scheme = scheme
    server.keys = {args.key: {"secret": args.secret, "permissions": "read_write"},
                   args.read_key: {"secret": args.read_secret, "permissions": "read"}}
    server.item_delay_s = args.item_delay_ms / 1000.0
    server.create_delay_s = args.create_ms / 1000.0
    server.gzip = args.gzip
    server.nodelay = not args.no_nodelay
    server.record = open(args.record, "a", buffering=1) if args.record else None
    server.verbose = args.verbose
    threading.Thread(target=exit_when_orphaned_or_old, args=(args.lifetime,), daemon=True).start()
    write_port_file(args.port_file, port)
    server.serve_forever(poll_interval=0.2)


if __name__ == "__main__":
    sys.exit(main())
