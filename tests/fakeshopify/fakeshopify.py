#!/usr/bin/env python3
"""fakeshopify: a Shopify shop's GraphQL Admin API in memory, for tests/integration/test_shopify.sh.

Python standard library only; the HTTP plumbing, fault rules and lifetime are tests/fakewoo's (imported).

    fakeshopify.py --port-file FILE [--lifetime 300] [--token shpat_...] [--shop NAME]
                   [--scopes write_products,write_inventory,read_locations] [--locations "Main,Backroom"]
                   [--inactive-locations NAME,...] [--bucket-size 1000] [--restore-rate 100]
                   [--versions 2025-07,2025-10] [--verbose]

It listens on 127.0.0.1 on a free port, writes the port to --port-file, and exits on SIGTERM, when its parent
goes away, or after --lifetime seconds. There is no GraphQL engine: a request is matched on its operation name
(operationName, else the name in the document) and answered from the state in memory. Each shape cites the page
of https://shopify.dev it follows:

- Endpoint and authentication (docs/api/admin-graphql#endpoints, docs/api/usage/authentication): POST
  /admin/api/{version}/graphql.json with X-Shopify-Access-Token; a missing or wrong token is HTTP 401
  {"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"}; a version that is
  not served is 404 {"errors": "Not Found"}; a document that is not JSON with a "query" is 400 {"errors":
  {"query": "Required parameter missing or invalid"}}.
- Cost and bucket (docs/api/usage/limits#graphql-admin-api-rate-limits,
  docs/apps/build/apis/graphql-admin/rate-limits): every answer carries extensions.cost {requestedQueryCost,
  actualQueryCost, throttleStatus {maximumAvailable, currentlyAvailable, restoreRate}}; the bucket holds
  --bucket-size points and refills --restore-rate a second; a request whose requested cost exceeds what is
  available is refused whole with HTTP 200 {"errors": [{"message": "Throttled", "extensions": {"code":
  "THROTTLED", "documentation": "https://shopify.dev/api/usage/rate-limits"}}], "extensions": {"cost": {...,
  "actualQueryCost": null}}}; one above the bucket's maximum is refused the same way every time, with
  MAX_COST_EXCEEDED. The requested cost is spent first and the difference to the actual cost refunded.
  Costs: an object 1, a connection 2 + the objects it may return, a mutation 10
  (docs/apps/build/apis/graphql-admin/rate-limits#cost-calculation).
- Missing scope (docs/api/usage/access-scopes): HTTP 200 {"errors": [{"message": "Access denied for FIELD field.
  Required access: `SCOPE` access scope.", "extensions": {"code": "ACCESS_DENIED", "documentation":
  "https://shopify.dev/api/usage/access-scopes", "requiredAccess": "`SCOPE` access scope."}, "path": [FIELD]}],
  "data": {FIELD: null}}.
- FeedsyncShop: shop {name myshopifyDomain} (docs/api/admin-graphql/2025-10/queries/shop) and
  currentAppInstallation {accessScopes {handle}} (docs/api/admin-graphql/2025-10/queries/currentAppInstallation).
- FeedsyncPrimaryLocation: location without an id is the primary one (docs/api/admin-graphql/2025-10/queries/
  location); FeedsyncLocations: locations(first:, includeInactive:) {nodes {id name isActive}}
  (docs/api/admin-graphql/2025-10/queries/locations). Both need read_locations.
- FeedsyncVariantsBySku($query, $first): productVariants(first:, query: "sku:A OR sku:B") {nodes {id sku
  inventoryItem {id} product {id status}}} (docs/api/admin-graphql/2025-10/queries/productVariants); needs
  read_products (write_products implies it).
- FeedsyncProductSet($input, $synchronous): productSet (docs/api/admin-graphql/2025-10/mutations/productSet):
  input {id?, title, status, productType, tags, productOptions, variants [{optionValues, sku, price,
  inventoryItem {sku}}]}; answers {product {id variants {nodes {id sku inventoryItem {id}}}}, userErrors [{field,
  message, code}]}. Shopify lets two variants hold one SKU, so the fake takes it and lists such SKUs in state
  "duplicate_skus" for the tests to refuse. The variant list given replaces the product's. A title
  missing on a create is userError field ["input", "title"] code BLANK; an id that is not a product is
  field ["input", "id"] code PRODUCT_DOES_NOT_EXIST, a variant id that is not the product's field ["input",
  "variants", N, "id"] code PRODUCT_VARIANT_DOES_NOT_EXIST (enums/ProductSetUserErrorCode). Needs write_products.
- FeedsyncGroupSet($input, $synchronous, $first): the same productSet for a group's product with options, its
  answer listing variants(first: $first) (see "grouped products" below).
- FeedsyncVariantsDelete($productId, $variantsIds): productVariantsBulkDelete (docs/api/admin-graphql/2025-10/
  mutations/productVariantsBulkDelete): answers {product {id}, userErrors}; a product that does not exist is
  field ["productId"] code PRODUCT_DOES_NOT_EXIST, a variant of another product field ["variantsIds"] code
  AT_LEAST_ONE_VARIANT_DOES_NOT_BELONG_TO_THE_PRODUCT. Needs write_products.
- FeedsyncProductDelete($input): productDelete (docs/api/admin-graphql/2025-10/mutations/productDelete): input
  {id}; answers {deletedProductId, userErrors}; an id that is not a product is field ["id"] code
  PRODUCT_DOES_NOT_EXIST. Needs write_products.
- FeedsyncInventorySet($input): inventorySetQuantities (docs/api/admin-graphql/2025-10/mutations/
  inventorySetQuantities): input {name: "available", reason, ignoreCompareQuantity, quantities [{inventoryItemId,
  locationId, quantity}]}; an unknown item is userError field ["input", "quantities", "N", "inventoryItemId"]
  code INVALID_INVENTORY_ITEM, an unknown location code INVALID_LOCATION. Needs write_inventory.

- The pull of a Shopify source (see "the pull" below): FeedsyncPullCount ($query): productVariantsCount(query:,
  limit: null) {count} (docs/api/admin-graphql/2025-10/queries/productVariantsCount); FeedsyncPullVariants and
  FeedsyncPullVariantsAt ($first, $after, $query[, $location]): productVariants(first:, after:, query:, sortKey:
  ID) {pageInfo {hasNextPage endCursor} nodes {...}} (docs/api/admin-graphql/2025-10/queries/productVariants,
  docs/api/usage/pagination-graphql): an opaque cursor per node, the nodes after the `after` one by ID, at most
  `first` (1..250); query "product_status:active|draft|archived" filters by the product's status. A node is
  {id sku title price compareAtPrice inventoryQuantity (the sum of its levels) selectedOptions {name value}
  image {url} product {id handle title status productType vendor tags descriptionHtml featuredMedia {preview
  {image {url}}}}}, FeedsyncPullVariantsAt giving inventoryItem {inventoryLevel(locationId:) {quantities(names:
  ["available"]) {name quantity}}} (null where the item is not stocked; docs/api/admin-graphql/2025-10/objects/
  InventoryLevel) instead of inventoryQuantity. Costs: 3 + 7 objects a node (10 at a location). Need
  read_products (and read_inventory for the stock at a location). POST /__fake/seed {"products": [{"title",
  "handle"?, "status"?, "productType"?, "vendor"?, "tags"?, "descriptionHtml"?, "image"?, "options"?: [NAME],
  "variants": [{"sku", "price", "compareAtPrice"?, "image"?, "options"?: [VALUE], "available"?: {LOCATION NAME:
  N}}]}]} or {"generate": {"products": N, "variants": K, "no_sku": M}} adds products to the store.
Bulk mutations (docs/api/usage/bulk-operations/imports), each in the "bulk" section below:
- FeedsyncStagedUpload($input): stagedUploadsCreate (docs/api/admin-graphql/2025-10/mutations/stagedUploadsCreate),
  resource BULK_MUTATION_VARIABLES: stagedTargets [{url, resourceUrl: null, parameters [{name, value}]}] whose
  url is this fake's /__storage/upload (Shopify's is Google Cloud Storage) and whose "key" parameter is the
  stagedUploadPath; cost 10. The upload is a multipart/form-data POST of the parameters then the file, without
  the shop's token, answered 201 with an XML PostResponse (success_action_status 201) as GCS does.
- FeedsyncBulkRun($mutation, $stagedUploadPath): bulkOperationRunMutation (docs/api/admin-graphql/2025-10/
  mutations/bulkOperationRunMutation): {bulkOperation {id status}, userErrors [{field message code}]}; one bulk
  mutation per shop at a time, a second is userError code OPERATION_IN_PROGRESS; an unknown path NO_SUCH_FILE;
  cost 10. The lines run in a thread after --bulk-delay-ms (POST /__fake/bulk: {"delay_ms", "line_ms",
  "fail": "FAILED"|"CANCELED"|"EXPIRED", "fail_after": N, "refuse_upload": true, "hold": true: the lines wait
  for /__fake/release}), each one FeedsyncProductSet
  with the line as its variables, outside the cost bucket (bulk operations are not rate limited).
- FeedsyncBulkOperation($id): node(id:) {... on BulkOperation {id status errorCode objectCount url
  partialDataUrl createdAt}} (docs/api/admin-graphql/2025-10/objects/BulkOperation), cost 1; FeedsyncCurrentBulk:
  currentBulkOperation(type: MUTATION) the same fields (docs/api/admin-graphql/2025-10/queries/
  currentBulkOperation), cost 1. A COMPLETED operation's url (a FAILED one's partialDataUrl) is a JSONL of
  {"data": {"productSet": ...}, "__lineNumber": N} per line executed, downloaded without the token.

Faults are fakewoo's rules (POST /__fake/faults): latency_ms, status 5xx (gateway HTML pages), action html,
reset, stall, hold (the request is executed when the hold ends, whether or not its client is still there, as a
shop does), status 401 (this shop's refusal); a rule's match may name an "operation" and ask for "creates" (a
productSet without an id). Control endpoints (never authenticated nor faulted): GET
/__fake/state {"products", "requests", "bucket", "duplicate_skus", "in_flight", "held", "bulk_running"}; POST /__fake/faults,
/__fake/release (the held requests go on), /__fake/reset,
/__fake/scopes (a JSON list: the scopes the token holds from now on), /__fake/bucket ({"size", "restore",
"available"}).
"""

import argparse
import base64
import json
import os
import re
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fakewoo"))
import fakewoo  # noqa: E402
from fakewoo import ApiError  # noqa: E402

INVALID_TOKEN = "[API] Invalid API key or access token (unrecognized login or wrong password)"
THROTTLE_DOCS = "https://shopify.dev/api/usage/rate-limits"
SCOPE_DOCS = "https://shopify.dev/api/usage/access-scopes"
OPERATION = re.compile(r"\b(?:query|mutation)\s+([A-Za-z_][A-Za-z0-9_]*)")
# A scope implies the read scope of the same resource (docs/api/usage/access-scopes).
IMPLIED = {"write_products": "read_products", "write_inventory": "read_inventory", "write_locations": "read_locations"}


class Bucket:
    """The leaky bucket of the app on this shop."""

    def __init__(self, size, restore):
        self.size, self.restore = float(size), float(restore)
        self.available, self.at = float(size), time.monotonic()

    def refill(self):
        now = time.monotonic()
        self.available = min(self.size, self.available + (now - self.at) * self.restore)
        self.at = now

    def status(self):
        return {"maximumAvailable": self.size, "currentlyAvailable": round(self.available, 1),
                "restoreRate": self.restore}


class Store:
    """Products, variants, inventory and locations, behind one lock (the names fakewoo's handler uses)."""

    def __init__(self, base_url, args):
        self.lock = threading.Lock()
        self.base_url = base_url
        self.args = args
        self.reset()

    def reset(self):
        a = self.args
        self.scopes = set(s for s in a.scopes.split(",") if s)
        names = [n for n in a.locations.split(",") if n]
        inactive = set(n for n in a.inactive_locations.split(",") if n)
        self.locations = [{"id": "gid://shopify/Location/%d" % (7001 + i), "name": n, "isActive": n not in inactive}
                          for i, n in enumerate(names)]
        self.bucket = Bucket(a.bucket_size, a.restore_rate)
        self.products = {}       # gid -> {"id", "title", "status", "productType", "tags", "variants": [gid]}
        self.variants = {}       # gid -> {"id", "sku", "price", "product", "inventoryItem"}
        self.levels = {}         # (inventory item gid, location gid) -> available
        self.next_id = 1000
        self.requests = []
        self.violations = []
        self.faults = []
        self.in_flight = 0
        self.max_in_flight = 0
        self.held = 0                        # requests waiting in a "hold" fault
        self.release = threading.Event()
        self.bulk_rules = {"delay_ms": self.args.bulk_delay_ms}
        self.uploads = {}        # staged path -> bytes of the JSONL
        self.bulk_ops = {}       # gid -> {"id", "status", "errorCode", "objectCount", "results", "createdAt"}
        self.bulk_current = None

    def gid(self, kind):
        self.next_id += 1
        return "gid://shopify/%s/%d" % (kind, self.next_id)

    def holds(self, scope):
        return scope in self.scopes or any(IMPLIED.get(s) == scope for s in self.scopes)

    def duplicate_skus(self):
        seen, dups = set(), set()
        for v in self.variants.values():
            (dups if v["sku"] in seen else seen).add(v["sku"])
        return sorted(dups)


# ---- the pull (a Shopify source) ----

PULL_OBJECTS, PULL_OBJECTS_AT = 7, 10
PULL_PLANS = {
    "FeedsyncPullCount": lambda v: (1, "read_products", "productVariantsCount"),
    "FeedsyncPullVariants": lambda v: (3 + PULL_OBJECTS * first_of(v, 50), "read_products", "productVariants"),
    "FeedsyncPullVariantsAt": lambda v: (3 + PULL_OBJECTS_AT * first_of(v, 50), ("read_products", "read_inventory"),
                                         "productVariants"),
}


def gid_number(gid):
    return int(gid.rsplit("/", 1)[1])


def pulled_variants(store, query):
    """The variants by ID, those of products of the status a product_status:X query names."""
    m = re.search(r"product_status:(\w+)", query or "")
    want = m.group(1).upper() if m else None
    out = [v for v in store.variants.values() if not want or store.products[v["product"]]["status"] == want]
    return sorted(out, key=lambda v: gid_number(v["id"]))


def cursor_of(variant):
    # Shopify's cursors are opaque strings; this one is the base64 of the node's position.
    return base64.b64encode(json.dumps({"last_id": gid_number(variant["id"])}).encode()).decode()


def levels_by_item(store):
    out = {}
    for (item, loc), n in store.levels.items():
        out.setdefault(item, {})[loc] = n
    return out


def pull_node(store, v, location, by_item):
    p = store.products[v["product"]]
    levels = by_item.get(v["inventoryItem"], {})
    # A product without options has Shopify's default one (docs/api/admin-graphql/2025-10/objects/SelectedOption).
    selected = [{"name": ov.get("optionName"), "value": ov.get("name")} for ov in v.get("optionValues") or []]
    selected = selected or [{"name": "Title", "value": "Default Title"}]
    node = {"id": v["id"], "sku": v["sku"], "title": " / ".join(o["value"] for o in selected), "price": v["price"],
            "compareAtPrice": v.get("compareAtPrice"), "selectedOptions": selected,
            "image": {"url": v["image"]} if v.get("image") else None,
            "product": {"id": p["id"], "handle": p.get("handle") or re.sub(r"[^a-z0-9]+", "-", p["title"].lower()).strip("-"),
                        "title": p["title"], "status": p["status"], "productType": p.get("productType", ""),
                        "vendor": p.get("vendor", ""), "tags": p.get("tags", []),
                        "descriptionHtml": p.get("descriptionHtml", ""),
                        "featuredMedia": {"preview": {"image": {"url": p["image"]}}} if p.get("image") else None}}
    if location is None:
        node["inventoryQuantity"] = sum(levels.values())
    else:
        level = ({"quantities": [{"name": "available", "quantity": levels[location]}]} if location in levels else None)
        node["inventoryItem"] = {"inventoryLevel": level}
    return node


def seed(store, body):
    """Adds products as a shop's admin would have made them; returns how many variants were added."""
    products = body.get("products") or []
    g = body.get("generate")
    if g:
        k = int(g.get("variants", 1))
        for i in range(int(g.get("products", 0))):
            products.append({"title": "Shirt %d" % i, "productType": "Shirts", "vendor": "Acme", "tags": ["cotton"],
                             "options": ["Size"] if k > 1 else None, "image": "http://img.example/%d.jpg" % i,
                             "variants": [{"sku": "S-%05d-%d" % (i, j), "price": "%d.50" % (10 + i % 90),
                                           "options": ["S%d" % j] if k > 1 else None,
                                           "available": {"Main Warehouse": (i + j) % 7}} for j in range(k)]})
        for i in range(int(g.get("no_sku", 0))):
            products.append({"title": "No SKU %d" % i, "variants": [{"sku": "", "price": "1.00"}]})
    added = 0
    locations = {loc["name"]: loc["id"] for loc in store.locations}
    for given in products:
        p = {"id": store.gid("Product"), "title": given["title"], "status": given.get("status", "ACTIVE"),
             "variants": []}
        for key in ("handle", "productType", "vendor", "tags", "descriptionHtml", "image"):
            if given.get(key) is not None:
                p[key] = given[key]
        # Options as productSet stores them: the product's names and values, each variant's optionValues.
        names = given.get("options") or []
        p["options"] = [{"name": n, "values": sorted(set((gv.get("options") or [None] * len(names))[i]
                                                      for gv in given.get("variants") or []))}
                        for i, n in enumerate(names)]
        store.products[p["id"]] = p
        for gv in given.get("variants") or []:
            v = {"id": store.gid("ProductVariant"), "sku": gv.get("sku", ""), "price": gv.get("price", "0.00"),
                 "product": p["id"], "inventoryItem": store.gid("InventoryItem")}
            for key in ("compareAtPrice", "image"):
                if gv.get(key) is not None:
                    v[key] = gv[key]
            if names:
                v["optionValues"] = [{"optionName": n, "name": val} for n, val in zip(names, gv.get("options") or [])]
            store.variants[v["id"]] = v
            p["variants"].append(v["id"])
            for name, n in (gv.get("available") or {}).items():
                store.levels[(v["inventoryItem"], locations[name])] = int(n)
            added += 1
    return added


def first_of(variables, default):
    try:
        return max(1, min(250, int(variables.get("first", default))))
    except (TypeError, ValueError):
        return default


# (requested cost, needed scope, root field) of each operation the client sends; a connection's requested cost
# is 2 + the objects it may return (docs/apps/build/apis/graphql-admin/rate-limits#connection-costs).
def plan(op, variables):
    if op == "FeedsyncShop":
        return 2, None, "shop"
    if op == "FeedsyncPrimaryLocation":
        return 1, "read_locations", "location"
    if op == "FeedsyncLocations":
        return 2 + 250, "read_locations", "locations"
    if op == "FeedsyncVariantsBySku":
        return 2 + 3 * first_of(variables, 50), "read_products", "productVariants"
    if op in PULL_PLANS:
        return PULL_PLANS[op](variables)
    if op == "FeedsyncProductSet":
        return 10, "write_products", "productSet"
    if op == "FeedsyncGroupSet":
        return 10 + 2 + 2 * first_of(variables, 1), "write_products", "productSet"
    if op == "FeedsyncVariantsDelete":
        return 10, "write_products", "productVariantsBulkDelete"
    if op == "FeedsyncProductDelete":
        return 10, "write_products", "productDelete"
    if op == "FeedsyncInventorySet":
        return 10, "write_inventory", "inventorySetQuantities"
    return bulk_plan(op)


def bulk_plan(op):
    """The bulk operations' (requested cost, scope, root field): a mutation 10, an object 1."""
    return {"FeedsyncStagedUpload": (10, "write_products", "stagedUploadsCreate"),
            "FeedsyncBulkRun": (10, "write_products", "bulkOperationRunMutation"),
            "FeedsyncBulkOperation": (1, "read_products", "node"),
            "FeedsyncCurrentBulk": (1, "read_products", "currentBulkOperation")}.get(op)


def parse_multipart(content_type, body):
    """The fields of a multipart/form-data body by name (bytes); the file part's name is "file"."""
    m = re.search(r'boundary="?([^";]+)"?', content_type)
    if not m:
        return {}
    fields = {}
    for part in body.split(b"--" + m.group(1).encode())[1:]:
        if part.startswith(b"--"):
            break
        head, _, value = part.partition(b"\r\n\r\n")
        name = re.search(rb'name="([^"]*)"', head)
        if name:
            fields[name.group(1).decode()] = value[:-2] if value.endswith(b"\r\n") else value
    return fields


class Handler(fakewoo.Handler):
    server_version = "cloudflare"

    @staticmethod
    def fault_items(body):
        return 0

    def fault_fits(self, match):
        """A rule may match an operation ("operation": "FeedsyncProductSet") and only the productSets that create
        ("creates": true, an input without an id)."""
        try:
            body = json.loads(self.raw_body or b"null") or {}
            op = body.get("operationName")
            inp = (body.get("variables") or {}).get("input") or {}
            creates = op in ("FeedsyncProductSet", "FeedsyncGroupSet") and (
                not inp.get("id") or any(not v.get("id") for v in inp.get("variants") or []))
        except (ValueError, AttributeError):
            op, creates = None, False
        if match.get("operation") and match["operation"] != op:
            return False
        return not match.get("creates") or creates

    @staticmethod
    def fault_refusal():
        return ApiError(401, "unauthorized", INVALID_TOKEN)

    def send_error_json(self, err):
        # Shopify's HTTP-level errors are {"errors": TEXT} (docs/api/usage/response-codes).
        self.send(err.status, {"errors": err.message})

    def route(self, answer=True):
        store = self.server.shop
        if self.url_path.startswith("/__storage/"):
            return self.storage(store)
        m = re.fullmatch(r"/admin/api/(\d{4}-\d{2})/graphql\.json", self.url_path)
        if not m or m.group(1) not in self.server.versions:
            return self.send(404, {"errors": "Not Found"})
        if self.command != "POST":
            return self.send(405, {"errors": "Method Not Allowed"})
        if self.headers.get("X-Shopify-Access-Token") != self.server.token:
            return self.send(401, {"errors": INVALID_TOKEN})
        try:
            body = json.loads(self.raw_body or b"null")
            document, variables = body["query"], body.get("variables") or {}
        except (ValueError, KeyError, TypeError):
            return self.send(400, {"errors": {"query": "Required parameter missing or invalid"}})
        found = OPERATION.search(document)
        op = body.get("operationName") or (found.group(1) if found else None)
        with store.lock:
            status, payload = self.answer_operation(store, op, variables)
            # The request log names each operation and the code it was refused with, for the tests to count.
            self.log_entry["operation"] = op
            errors = payload.get("errors") if isinstance(payload.get("errors"), list) else []
            self.log_entry["code"] = errors[0].get("extensions", {}).get("code") if errors else None
        if answer:
            self.send(status, payload)

    def answer_operation(self, store, op, variables):
        planned = plan(op, variables)
        if planned is None:
            return 200, {"errors": [{"message": "fakeshopify does not know operation %r" % op,
                                     "extensions": {"code": "UNKNOWN_OPERATION"}}]}
        requested, scope, field = planned
        bucket = store.bucket
        bucket.refill()
        if requested > bucket.size:
            return 200, {"errors": [{"message": "Query cost is %d, which exceeds the single query max cost limit "
                                                "(%d)." % (requested, bucket.size),
                                     "extensions": {"code": "MAX_COST_EXCEEDED", "cost": requested,
                                                    "maxCost": bucket.size, "documentation": THROTTLE_DOCS}}],
                         "extensions": self.cost(requested, None)}
        if requested > bucket.available:
            return 200, {"errors": [{"message": "Throttled",
                                     "extensions": {"code": "THROTTLED", "documentation": THROTTLE_DOCS}}],
                         "extensions": self.cost(requested, None)}
        bucket.available -= requested
        missing = [sc for sc in (scope if isinstance(scope, tuple) else (scope,)) if sc and not store.holds(sc)]
        scope = missing[0] if missing else None
        if scope:
            actual = 1
            answer = {"errors": [{"message": "Access denied for %s field. Required access: `%s` access scope."
                                             % (field, scope),
                                  "extensions": {"code": "ACCESS_DENIED", "documentation": SCOPE_DOCS,
                                                 "requiredAccess": "`%s` access scope." % scope},
                                  "path": [field]}],
                      "data": {field: None}}
        else:
            data, actual = getattr(self, "op_" + op)(store, variables)
            answer = {"data": data}
        bucket.available = min(bucket.size, bucket.available + requested - actual)
        answer["extensions"] = self.cost(requested, actual)
        return 200, answer

    def cost(self, requested, actual):
        return {"cost": {"requestedQueryCost": requested, "actualQueryCost": actual,
                         "throttleStatus": self.server.shop.bucket.status()}}

    # ---- operations: (data, actual cost) ----

    def op_FeedsyncShop(self, store, variables):
        scopes = sorted(store.scopes | set(IMPLIED[s] for s in store.scopes if s in IMPLIED))
        return {"shop": {"name": self.server.shop_name,
                         "myshopifyDomain": "%s.myshopify.com" % self.server.shop_name.lower().replace(" ", "-")},
                "currentAppInstallation": {"accessScopes": [{"handle": s} for s in scopes]}}, 2

    def op_FeedsyncPrimaryLocation(self, store, variables):
        return {"location": dict(store.locations[0]) if store.locations else None}, 1

    def op_FeedsyncLocations(self, store, variables):
        nodes = [dict(loc) for loc in store.locations]
        return {"locations": {"nodes": nodes}}, 2 + len(nodes)

    def op_FeedsyncVariantsBySku(self, store, variables):
        wanted = set(re.findall(r"sku:(\"[^\"]*\"|\S+)", variables.get("query", "")))
        wanted = set(w.strip('"') for w in wanted)
        found = [v for v in store.variants.values() if v["sku"] in wanted][:first_of(variables, 50)]
        nodes = [{"id": v["id"], "sku": v["sku"], "inventoryItem": {"id": v["inventoryItem"]},
                  "product": {"id": v["product"], "status": store.products[v["product"]]["status"]}} for v in found]
        return {"productVariants": {"nodes": nodes}}, 2 + 3 * len(nodes)

    def op_FeedsyncProductSet(self, store, variables):
        return self.product_set(store, variables.get("input") or {}, [])

    def product_set(self, store, inp, errors):
        """productSet of input inp, refused with `errors` (userErrors found already) when there are any."""
        pid = inp.get("id")
        if pid and pid not in store.products:
            errors.append({"field": ["input", "id"], "message": "Product does not exist",
                           "code": "PRODUCT_DOES_NOT_EXIST"})
        if not pid and not (inp.get("title") or "").strip():
            errors.append({"field": ["input", "title"], "message": "Title can't be blank", "code": "BLANK"})
        known = store.products[pid]["variants"] if pid in store.products else []
        for i, given in enumerate(inp.get("variants") or []):
            if given.get("id") and given["id"] not in known:
                errors.append({"field": ["input", "variants", str(i), "id"], "code": "PRODUCT_VARIANT_DOES_NOT_EXIST",
                               "message": "Product variant does not exist"})
        if errors:
            return {"productSet": {"product": None, "userErrors": errors}}, 10
        product = store.products.get(pid) or {"id": store.gid("Product"), "title": "", "status": "ACTIVE",
                                              "productType": "", "tags": [], "variants": []}
        for key in ("title", "status", "productType", "tags"):
            if key in inp:
                product[key] = inp[key]
        store.products[product["id"]] = product
        if "variants" in inp:
            # productSet replaces the variant list: variants not given are deleted.
            kept = []
            for given in inp["variants"]:
                sku = given.get("sku") or (given.get("inventoryItem") or {}).get("sku") or ""
                old = store.variants.get(given.get("id")) if given.get("id") in product["variants"] else next(
                    (store.variants[g] for g in product["variants"] if store.variants[g]["sku"] == sku), None)
                v = old or {"id": store.gid("ProductVariant"), "sku": sku, "price": "0.00",
                            "product": product["id"], "inventoryItem": store.gid("InventoryItem")}
                if "price" in given:
                    v["price"] = str(given["price"])
                if "optionValues" in given:
                    v["optionValues"] = given["optionValues"]
                v["sku"] = sku or v["sku"]
                for q in given.get("inventoryQuantities") or []:  # ProductSetInventoryInput
                    store.levels[(v["inventoryItem"], q["locationId"])] = int(q["quantity"])
                store.variants[v["id"]] = v
                kept.append(v["id"])
            for gone in set(product["variants"]) - set(kept):
                del store.variants[gone]
            product["variants"] = kept
        if "productOptions" in inp:
            product["options"] = [{"name": o.get("name"), "values": [v.get("name") for v in o.get("values") or []]}
                                  for o in inp["productOptions"]]
        nodes = [{"id": g, "sku": store.variants[g]["sku"], "inventoryItem": {"id": store.variants[g]["inventoryItem"]}}
                 for g in product["variants"]]
        return {"productSet": {"product": {"id": product["id"], "variants": {"nodes": nodes}}, "userErrors": []}}, 10

    # ---- grouped products: productOptions, variants with optionValues ----

    # Shopify's limits and userErrors for options (docs/api/admin-graphql/2025-10/mutations/productSet: "stores
    # have a limit of 2048 product variants for each product"; docs/api/usage/limits: 3 options a product; the
    # codes of docs/api/admin-graphql/2025-10/enums/ProductSetUserErrorCode).
    MAX_VARIANTS = 2048
    MAX_OPTIONS = 3

    def option_errors(self, inp):
        options = inp.get("productOptions") or []
        variants = inp.get("variants") or []
        if len(variants) > self.MAX_VARIANTS:
            return [{"field": ["input", "variants"], "code": "VARIANTS_OVER_LIMIT",
                     "message": "Exceeded the maximum number of variants allowed (%d)." % self.MAX_VARIANTS}]
        if len(options) > self.MAX_OPTIONS:
            return [{"field": ["input", "productOptions"], "code": "OPTIONS_OVER_LIMIT",
                     "message": "Can only specify a maximum of %d options" % self.MAX_OPTIONS}]
        declared = {o.get("name"): set(v.get("name") for v in o.get("values") or []) for o in options}
        if len(declared) != len(options):
            return [{"field": ["input", "productOptions"], "code": "DUPLICATED_OPTION_NAME",
                     "message": "Duplicated option name."}]
        seen = {}
        for i, v in enumerate(variants):
            values = {ov.get("optionName"): ov.get("name") for ov in v.get("optionValues") or []}
            where = ["input", "variants", str(i), "optionValues"]
            missing = [n for n in declared if not values.get(n)]
            if missing:
                return [{"field": where, "code": "OPTION_VALUES_MISSING",
                         "message": "Variant is missing a value for option %s." % ", ".join(missing)}]
            unknown = [n for n in values if n not in declared or values[n] not in declared[n]]
            if unknown:
                return [{"field": where, "code": "OPTION_VALUE_DOES_NOT_EXIST",
                         "message": "Option value does not exist for %s." % ", ".join(unknown)}]
            combo = tuple(values[n] for n in declared)
            if combo in seen:
                return [{"field": where, "code": "DUPLICATED_OPTION_VALUE",
                         "message": "The variant '%s' already exists." % " / ".join(combo)}]
            seen[combo] = i
        return []

    def op_FeedsyncGroupSet(self, store, variables):
        inp = variables.get("input") or {}
        data, actual = self.product_set(store, inp, self.option_errors(inp))
        product = data["productSet"]["product"]
        if product:
            product["variants"]["nodes"] = product["variants"]["nodes"][:first_of(variables, 1)]
        return data, 10 + 2 + 2 * (len(product["variants"]["nodes"]) if product else 0)

    def op_FeedsyncVariantsDelete(self, store, variables):
        pid, gone = variables.get("productId"), variables.get("variantsIds") or []
        product = store.products.get(pid)
        errors = []
        if not product:
            errors.append({"field": ["productId"], "message": "Product does not exist", "code": "PRODUCT_DOES_NOT_EXIST"})
        elif any(g not in product["variants"] for g in gone):
            errors.append({"field": ["variantsIds"], "code": "AT_LEAST_ONE_VARIANT_DOES_NOT_BELONG_TO_THE_PRODUCT",
                           "message": "At least one variant does not belong to the product"})
        if errors:
            return {"productVariantsBulkDelete": {"product": None, "userErrors": errors}}, 10
        for g in gone:
            del store.variants[g]
        product["variants"] = [g for g in product["variants"] if g not in gone]
        # An option value no variant uses any more goes with the last variant that did (docs/api/admin-graphql/
        # 2025-10/mutations/productOptionsDelete: "every remaining option must be used by at least one variant").
        used = set((ov.get("optionName"), ov.get("name")) for g in product["variants"]
                   for ov in store.variants[g].get("optionValues") or [])
        for option in product.get("options") or []:
            option["values"] = [v for v in option["values"] if (option["name"], v) in used]
        return {"productVariantsBulkDelete": {"product": {"id": pid}, "userErrors": []}}, 10

    def op_FeedsyncProductDelete(self, store, variables):
        pid = (variables.get("input") or {}).get("id")
        if pid not in store.products:
            return {"productDelete": {"deletedProductId": None, "userErrors": [
                {"field": ["id"], "message": "Product does not exist", "code": "PRODUCT_DOES_NOT_EXIST"}]}}, 10
        for g in store.products.pop(pid)["variants"]:
            del store.variants[g]
        return {"productDelete": {"deletedProductId": pid, "userErrors": []}}, 10

    def op_FeedsyncInventorySet(self, store, variables):
        inp = variables.get("input") or {}
        items = set(v["inventoryItem"] for v in store.variants.values())
        locations = set(loc["id"] for loc in store.locations)
        errors = []
        quantities = inp.get("quantities") or []
        for i, q in enumerate(quantities):
            if q.get("inventoryItemId") not in items:
                errors.append({"field": ["input", "quantities", str(i), "inventoryItemId"],
                               "message": "The specified inventory item could not be found.",
                               "code": "INVALID_INVENTORY_ITEM"})
            elif q.get("locationId") not in locations:
                errors.append({"field": ["input", "quantities", str(i), "locationId"],
                               "message": "The specified location could not be found.", "code": "INVALID_LOCATION"})
        if not errors:  # the mutation is atomic: one bad quantity changes nothing
            for q in quantities:
                store.levels[(q["inventoryItemId"], q["locationId"])] = int(q.get("quantity", 0))
        group = None if errors else {"id": store.gid("InventoryAdjustmentGroup"), "reason": inp.get("reason")}
        return {"inventorySetQuantities": {"inventoryAdjustmentGroup": group, "userErrors": errors}}, 10

    # ---- the pull (a Shopify source) ----

    def op_FeedsyncPullCount(self, store, variables):
        return {"productVariantsCount": {"count": len(pulled_variants(store, variables.get("query")))}}, 1

    def pull_page(self, store, variables, location, objects):
        variants = pulled_variants(store, variables.get("query"))
        after = variables.get("after")
        if after:
            last = json.loads(base64.b64decode(after))["last_id"]
            variants = [v for v in variants if gid_number(v["id"]) > last]
        first = first_of(variables, 50)
        page = variants[:first]
        by_item = levels_by_item(store)
        nodes = [pull_node(store, v, location, by_item) for v in page]
        info = {"hasNextPage": len(variants) > first, "endCursor": cursor_of(page[-1]) if page else None}
        return {"productVariants": {"pageInfo": info, "nodes": nodes}}, 3 + objects * len(nodes)

    def op_FeedsyncPullVariants(self, store, variables):
        return self.pull_page(store, variables, None, PULL_OBJECTS)

    def op_FeedsyncPullVariantsAt(self, store, variables):
        return self.pull_page(store, variables, variables.get("location"), PULL_OBJECTS_AT)

    # ---- bulk: staged uploads and bulk mutations (docs/api/usage/bulk-operations/imports) ----

    def op_FeedsyncStagedUpload(self, store, variables):
        # stagedUploadsCreate (docs/api/admin-graphql/2025-10/mutations/stagedUploadsCreate): the key parameter is
        # the stagedUploadPath bulkOperationRunMutation takes.
        targets = []
        for inp in variables.get("input") or []:
            key = "tmp/%d/bulk/%s/%s" % (store.next_id, store.gid("Upload").rsplit("/", 1)[1], inp.get("filename"))
            targets.append({"url": store.base_url + "/__storage/upload", "resourceUrl": None, "parameters": [
                {"name": "Content-Type", "value": inp.get("mimeType") or "text/jsonl"},
                {"name": "success_action_status", "value": "201"}, {"name": "acl", "value": "private"},
                {"name": "key", "value": key}, {"name": "policy", "value": "eyJjb25kaXRpb25zIjpbXX0="}]})
        return {"stagedUploadsCreate": {"stagedTargets": targets, "userErrors": []}}, 10

    def storage(self, store):
        """The staged uploads' storage: the multipart upload, and the bulk operations' result files."""
        if self.headers.get("X-Shopify-Access-Token"):
            with store.lock:
                store.violations.append("the shop's token was sent to storage (%s)" % self.url_path)
        if self.command == "GET":
            with store.lock:
                op = store.bulk_ops.get("gid://shopify/BulkOperation/" + self.url_path.rsplit("/", 1)[-1])
                body = "".join(json.dumps(r) + "\n" for r in op["results"]).encode() if op else None
            if body is None:
                return self.send(404, b"<Error><Code>NoSuchKey</Code></Error>", content_type="application/xml")
            return self.send(200, body, content_type="application/jsonl")
        fields = parse_multipart(self.headers.get("Content-Type", ""), self.raw_body)
        with store.lock:
            refused = store.bulk_rules.get("refuse_upload")
            if not refused and "key" in fields and "file" in fields:
                store.uploads[fields["key"].decode()] = fields["file"]
        if refused or "key" not in fields or "file" not in fields:
            return self.send(403, b"<Error><Code>AccessDenied</Code><Message>Invalid according to Policy"
                                  b"</Message></Error>", content_type="application/xml")
        return self.send(201, b"<PostResponse><Key>%s</Key></PostResponse>" % fields["key"],
                         content_type="application/xml")

    def op_FeedsyncBulkRun(self, store, variables):
        path = variables.get("stagedUploadPath")
        current = store.bulk_ops.get(store.bulk_current)
        if current and current["status"] in ("CREATED", "RUNNING"):
            return {"bulkOperationRunMutation": {"bulkOperation": None, "userErrors": [
                {"field": None, "code": "OPERATION_IN_PROGRESS", "message": "A bulk mutation operation for this app "
                 "and shop is already in progress: %s." % current["id"]}]}}, 10
        if path not in store.uploads:
            return {"bulkOperationRunMutation": {"bulkOperation": None, "userErrors": [
                {"field": ["stagedUploadPath"], "code": "NO_SUCH_FILE", "message": "The JSONL file could not be "
                 "found. Try uploading the file again, and check that you've entered the URL correctly."}]}}, 10
        op = {"id": store.gid("BulkOperation"), "status": "CREATED", "errorCode": None, "objectCount": "0",
              "results": [], "createdAt": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "type": "MUTATION"}
        store.bulk_ops[op["id"]] = op
        store.bulk_current = op["id"]
        lines = store.uploads.pop(path).decode().splitlines()
        threading.Thread(target=self.run_bulk, args=(store, op, lines, dict(store.bulk_rules)), daemon=True).start()
        return {"bulkOperationRunMutation": {"bulkOperation": {"id": op["id"], "status": op["status"]},
                                             "userErrors": []}}, 10

    def run_bulk(self, store, op, lines, rules):
        time.sleep(float(rules.get("delay_ms", 0)) / 1000)
        if rules.get("hold"):
            store.release.wait(store.args.lifetime)
        with store.lock:
            op["status"] = "RUNNING"
        fail, fail_after = rules.get("fail"), int(rules.get("fail_after", 0))
        for n, line in enumerate(lines):
            if fail and n >= fail_after:
                break
            time.sleep(float(rules.get("line_ms", 0)) / 1000)
            with store.lock:
                data, _ = self.op_FeedsyncProductSet(store, json.loads(line))
                op["results"].append({"data": data, "__lineNumber": n})
                op["objectCount"] = str(n + 1)
        with store.lock:
            op["status"] = fail or "COMPLETED"
            op["errorCode"] = "INTERNAL_SERVER_ERROR" if fail == "FAILED" else None
            op["completedAt"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())

    def bulk_view(self, store, op):
        if not op:
            return None
        url = "%s/__storage/results/%s" % (store.base_url, op["id"].rsplit("/", 1)[1])
        done = op["status"] == "COMPLETED"
        return {"id": op["id"], "status": op["status"], "errorCode": op["errorCode"], "objectCount": op["objectCount"],
                "createdAt": op["createdAt"], "url": url if done and op["results"] else None,
                "partialDataUrl": url if not done and op["status"] != "RUNNING" and op["results"] else None}

    def op_FeedsyncBulkOperation(self, store, variables):
        return {"node": self.bulk_view(store, store.bulk_ops.get(variables.get("id")))}, 1

    def op_FeedsyncCurrentBulk(self, store, variables):
        return {"currentBulkOperation": self.bulk_view(store, store.bulk_ops.get(store.bulk_current))}, 1

    # ---- control ----

    def control(self):
        store = self.server.shop
        what = self.url_path[len("/__fake/"):]
        body = json.loads(self.raw_body or b"null")
        with store.lock:
            if what == "state":
                store.bucket.refill()
                levels = {}  # by inventory item: a bulk bench's 100 000 products each look theirs up
                for (item, loc), n in store.levels.items():
                    levels.setdefault(item, {})[loc] = n
                products = [dict(p, variants=[dict(store.variants[g], available=levels.get(
                    store.variants[g]["inventoryItem"], {})) for g in p["variants"]]) for p in store.products.values()]
                return self.send(200, {"products": products, "requests": store.requests,
                                       "bucket": store.bucket.status(), "duplicate_skus": store.duplicate_skus(),
                                       "violations": store.violations, "in_flight": store.in_flight,
                                       "held": store.held, "bulk_running": sum(
                                           1 for op in store.bulk_ops.values() if op["status"] in ("CREATED", "RUNNING"))})
            if self.common_control(store, what, body):
                return None
            if what == "seed":
                return self.send(200, {"seeded": seed(store, body)})
            if what == "bulk":
                store.bulk_rules = dict(body or {})
                return self.send(200, store.bulk_rules)
            if what == "release":
                store.release.set()
                return self.send(200, {"released": True})
            if what == "scopes":
                store.scopes = set(body)
                return self.send(200, {"scopes": sorted(store.scopes)})
            if what == "bucket":
                store.bucket.refill()
                b = store.bucket
                b.size = float(body.get("size", b.size))
                b.restore = float(body.get("restore", b.restore))
                b.available = min(b.size, float(body.get("available", b.available)))
                return self.send(200, b.status())
        return self.send(404, {"errors": "unknown control endpoint"})


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--lifetime", type=float, default=300)
    ap.add_argument("--token", default="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")
    ap.add_argument("--shop", default="Feedsync Test")
    ap.add_argument("--scopes", default="write_products,write_inventory,read_locations")
    ap.add_argument("--locations", default="Main Warehouse,Backroom", help="names; the first is the primary")
    ap.add_argument("--inactive-locations", default="")
    ap.add_argument("--bucket-size", type=float, default=1000)
    ap.add_argument("--restore-rate", type=float, default=100)
    ap.add_argument("--versions", default="2025-07,2025-10,2026-01", help="API versions served")
    ap.add_argument("--bulk-delay-ms", type=float, default=200, help="before a bulk operation runs its lines")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()

    def configure(server):
        server.token, server.shop_name = args.token, args.shop
        server.versions = set(args.versions.split(","))

    fakewoo.serve_fake(Handler, lambda url: Store(url, args), args, configure)

if __name__ == "__main__":
    sys.exit(main())
