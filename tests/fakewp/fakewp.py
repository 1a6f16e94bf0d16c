#!/usr/bin/env python3
"""fakewp: a WordPress site's REST API in memory, for tests/integration/test_wordpress*.sh.

Python standard library only; the HTTP plumbing, fault rules and lifetime are tests/fakewoo's (imported).

    fakewp.py --port-file FILE [--lifetime 300] [--user editor --app-password PW] [--contributor contrib
              --contributor-password PW] [--https-only] [--batch-max 25] [--no-batch-types deals]
              [--meta feedsync_sku,image_url,price] [--create-ms MS] [--max-upload-kb 2048] [--record FILE] [--verbose]

It listens on 127.0.0.1 on a free port, writes the port to --port-file, and exits on SIGTERM, when its parent
goes away, or after --lifetime seconds. Each shape follows WordPress 6.x core, cited where it is made:

- Authentication (wp-includes/user.php wp_authenticate_application_password, wp_is_application_passwords_available):
  HTTP Basic with a user name and an Application Password (spaces ignored, as WordPress strips them). An unknown
  user is 401 invalid_username, a wrong password 401 incorrect_password. With --https-only the site is not a
  local environment and the socket is plain HTTP, so Application Passwords are unavailable: the header is
  ignored and the request is anonymous (then 401 rest_not_logged_in / rest_cannot_create), as WordPress does.
- GET /wp-json/ (class-wp-rest-server.php get_index): name, url, namespaces, authentication.
- OPTIONS /wp-json/batch/v1 (get_data_for_route): endpoints[0].args.requests.maxItems = --batch-max (25, the
  rest_get_max_batch_size default).
- POST /wp-json/batch/v1 (serve_batch_request_v1): {"validation", "requests": [{"method", "path", "body"}]};
  more than maxItems is 400 rest_invalid_param; a route that does not allow batching answers
  rest_batch_not_allowed (400) in its slot; the answer is 207 {"responses": [{"body", "status", "headers"}]}.
- /wp/v2/users/me (class-wp-rest-users-controller.php): 401 rest_not_logged_in when anonymous; context=edit
  gives roles and capabilities.
- /wp/v2/types, /wp/v2/types/<slug>, /wp/v2/taxonomies[?type=] (types and taxonomies controllers): keyed by
  slug, with rest_base, capabilities (context=edit), taxonomies, hierarchical.
- Posts of each type by rest_base (class-wp-rest-posts-controller.php): GET list (page, per_page 1..100 else
  400 rest_invalid_param, status list or any (other than publish needs edit_posts, else 400 rest_invalid_param),
  search, slug, _fields with nested meta.KEY, X-WP-Total and X-WP-TotalPages; a page past the end is 400
  rest_post_invalid_page_number), POST create (201; status not one of publish, future, draft, pending, private is
  400 rest_invalid_param; publish without publish_posts is 403 rest_cannot_publish; creating without edit_posts is
  rest_cannot_create, 401 anonymous and 403 logged in), /<id> GET, POST/PUT/PATCH update, DELETE to the trash
  (410 rest_already_trashed when it is there) or for good with force=true ({"deleted": true, "previous": ...});
  an id that is not a post of the type is 404 rest_post_invalid_id. meta holds only keys registered for REST
  (--meta; register_post_meta show_in_rest); others are ignored. title, content and excerpt are {"rendered"}
  (and "raw" with context=edit). featured_media must be an attachment (400 rest_invalid_featured_media).
- Terms of each taxonomy by rest_base (class-wp-rest-terms-controller.php): GET list (page, per_page, search,
  _fields), POST create: a name that exists under that parent (case-insensitively) is 400 term_exists with
  data.term_id; a parent that does not exist is 400 rest_term_invalid. Names are answered HTML-escaped.
- POST /wp/v2/media (class-wp-rest-attachments-controller.php): the file as the body, Content-Disposition
  filename; none is 400 rest_upload_no_content_disposition, an empty body 400 rest_upload_no_data, one above
  --max-upload-kb 400 rest_upload_file_too_big (upload_max_filesize). DELETE /wp/v2/media/<id> needs force=true
  (attachments have no trash: 501 rest_trash_not_supported).

Posts and terms batch (allow_batch v1 since 5.9), except the types named by --no-batch-types. --create-ms makes
each create of a batch slow and not atomic: the SKU is not checked at all (WordPress has no unique meta), and
the request goes on to the end after its client died, as PHP does.

Control endpoints (never authenticated nor faulted): GET /__fake/state {"posts", "terms", "media", "requests",
"violations", "max_in_flight"}; POST /__fake/faults (fakewoo's rules; "min_items" counts batch requests),
/__fake/reset, /__fake/posts (adds posts as given: {"type", "title", "status", "meta"}), /__fake/item_errors
({"SKU": {"code", "message", "status"}}: a create or update carrying that SKU meta fails so).
"""

import argparse
import base64
import html
import json
import os
import re
import sys
import threading
import time
from urllib.parse import parse_qsl, urlsplit

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fakewoo"))
import fakewoo  # noqa: E402
from fakewoo import ApiError  # noqa: E402

STATUSES = ("publish", "future", "draft", "pending", "private")
NO_ROUTE = (404, "rest_no_route", "No route was found matching the URL and request method.")
TYPES = {
    "post": {"name": "Posts", "rest_base": "posts", "hierarchical": False, "taxonomies": ["category", "post_tag"]},
    "page": {"name": "Pages", "rest_base": "pages", "hierarchical": True, "taxonomies": []},
    "deal": {"name": "Deals", "rest_base": "deals", "hierarchical": False, "taxonomies": ["category", "destination"]},
}
TAXONOMIES = {
    "category": {"name": "Categories", "rest_base": "categories", "hierarchical": True, "types": ["post", "deal"]},
    "post_tag": {"name": "Tags", "rest_base": "tags", "hierarchical": False, "types": ["post"]},
    "destination": {"name": "Destinations", "rest_base": "destinations", "hierarchical": True, "types": ["deal"]},
}
# The capabilities of a type as get_post_type_capabilities() maps them (capability_type "post").
TYPE_CAPS = {"edit_posts": "edit_posts", "publish_posts": "publish_posts", "create_posts": "edit_posts",
             "delete_posts": "delete_posts", "edit_others_posts": "edit_others_posts"}
ROLE_CAPS = {
    "editor": {"edit_posts": True, "publish_posts": True, "delete_posts": True, "edit_others_posts": True,
               "upload_files": True, "manage_categories": True, "editor": True},
    "contributor": {"edit_posts": True, "delete_posts": True, "contributor": True},
}


def post_type_of(rest_base):
    return next((slug for slug, t in TYPES.items() if t["rest_base"] == rest_base), None)


def taxonomy_of(rest_base):
    return next((slug for slug, t in TAXONOMIES.items() if t["rest_base"] == rest_base), None)


def invalid_param(name, message):
    return ApiError(400, "rest_invalid_param", "Invalid parameter(s): %s" % name, params={name: message},
                    details={name: {"code": "rest_invalid_param", "message": message, "data": None}})


class Site:
    """Posts, terms and media, the request log and the fault rules, behind one lock (fakewoo's handler reads
    lock, base_url, requests, violations, faults, in_flight and max_in_flight)."""

    def __init__(self, base_url, meta_keys):
        self.lock = threading.Lock()
        self.base_url = base_url
        self.meta_keys = meta_keys
        self.reset()

    def reset(self):
        self.posts = {}              # id -> record (attachments included)
        self.next_id = 100
        self.terms = {slug: {} for slug in TAXONOMIES}
        self.next_term_id = 2
        self.terms["category"][1] = {"id": 1, "name": "Uncategorized", "parent": 0, "slug": "uncategorized"}
        self.requests, self.violations, self.faults = [], [], []
        self.item_errors = {}
        self.in_flight = self.max_in_flight = 0

    # ---- posts ----

    def new_id(self):
        self.next_id += 1
        return self.next_id

    def render(self, rec, context="view"):
        if rec["type"] == "attachment":
            return {"id": rec["id"], "type": "attachment", "media_type": "image", "mime_type": rec["mime"],
                    "source_url": "%s/wp-content/uploads/%s" % (self.base_url, rec["file"]), "title":
                    {"rendered": html.escape(rec["title"], quote=False)}}
        out = {"id": rec["id"], "date": rec["date"], "slug": rec["slug"], "status": rec["status"],
               "type": rec["type"], "link": "%s/?p=%d" % (self.base_url, rec["id"]), "author": rec["author"],
               "featured_media": rec["featured_media"],
               "meta": {k: rec["meta"].get(k, "") for k in self.meta_keys}}
        for field in ("title", "content", "excerpt"):
            text = rec[field]
            out[field] = {"rendered": html.escape(text, quote=False) if field == "title" else fakewoo.wpautop(text)}
            if context == "edit":
                out[field]["raw"] = text
        for slug in TYPES[rec["type"]]["taxonomies"]:
            out[TAXONOMIES[slug]["rest_base"]] = list(rec["terms"].get(slug, []))
        return out

    def apply(self, rec, body, caps):
        """Validates and applies the fields of a create or an update, as prepare_item_for_database does."""
        for field in ("title", "content", "excerpt"):
            if field in body:
                value = body[field]
                rec[field] = value.get("raw", "") if isinstance(value, dict) else str(value)
        if "status" in body:
            if body["status"] not in STATUSES:
                raise invalid_param("status", "status is not one of %s." % ", ".join(STATUSES))
            if body["status"] in ("publish", "future", "private") and not caps.get("publish_posts"):
                raise ApiError(403, "rest_cannot_publish", "Sorry, you are not allowed to publish posts in this "
                               "post type.")
            rec["status"] = body["status"]
        for field in ("slug", "date"):
            if field in body:
                rec[field] = str(body[field])
        if "author" in body:
            rec["author"] = int(body["author"])
        if "featured_media" in body:
            media = self.posts.get(int(body["featured_media"] or 0))
            if body["featured_media"] and (media is None or media["type"] != "attachment"):
                raise ApiError(400, "rest_invalid_featured_media", "Invalid featured media ID.")
            rec["featured_media"] = int(body["featured_media"] or 0)
        if isinstance(body.get("meta"), dict):
            for k, v in body["meta"].items():
                if k in self.meta_keys:     # unregistered meta is ignored, as WP_REST_Meta_Fields does
                    rec["meta"][k] = str(v)
        for slug in TYPES[rec["type"]]["taxonomies"]:
            base = TAXONOMIES[slug]["rest_base"]
            if base in body:
                ids = body[base] if isinstance(body[base], list) else []
                rec["terms"][slug] = [int(i) for i in ids if int(i) in self.terms[slug]]
        sku = rec["meta"].get("feedsync_sku", "")
        err = self.item_errors.get(sku.lower()) if sku else None
        if err:
            raise ApiError(err.get("status", 400), err["code"], err["message"])

    def create(self, ptype, body, caps, user_id):
        rec = {"id": 0, "type": ptype, "title": "", "content": "", "excerpt": "", "slug": "", "status": "draft",
               "date": time.strftime("%Y-%m-%dT%H:%M:%S"), "author": user_id, "featured_media": 0, "meta": {},
               "terms": {}}
        self.apply(rec, body, caps)
        rec["id"] = self.new_id()
        if not rec["slug"]:
            rec["slug"] = re.sub(r"[^a-z0-9]+", "-", rec["title"].lower()).strip("-") or str(rec["id"])
        self.posts[rec["id"]] = rec
        return rec

    def post(self, ptype, pid):
        rec = self.posts.get(pid)
        if rec is None or rec["type"] != ptype:
            raise ApiError(404, "rest_post_invalid_id", "Invalid post ID.")
        return rec

    # ---- terms ----

    def render_term(self, slug, t):
        out = {"id": t["id"], "name": html.escape(t["name"], quote=False), "slug": t["slug"], "taxonomy": slug,
               "count": 0}
        if TAXONOMIES[slug]["hierarchical"]:
            out["parent"] = t["parent"]
        return out

    def add_term(self, slug, body):
        name = str(body.get("name", "")).strip()
        if not name:
            raise invalid_param("name", "name is a required property of term.")
        parent = int(body.get("parent", 0) or 0) if TAXONOMIES[slug]["hierarchical"] else 0
        if parent and parent not in self.terms[slug]:
            raise ApiError(400, "rest_term_invalid", "Parent term does not exist.")
        for t in self.terms[slug].values():
            if t["parent"] == parent and t["name"].lower() == name.lower():
                raise ApiError(400, "term_exists", "A term with the name provided already exists with this parent.",
                               term_id=t["id"])
        self.next_term_id += 1
        t = {"id": self.next_term_id, "name": name, "parent": parent,
             "slug": re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")}
        self.terms[slug][t["id"]] = t
        return t


class Handler(fakewoo.Handler):
    server_version = "Apache/2.4.57"

    do_OPTIONS = lambda self: self.dispatch()  # noqa: E731

    @staticmethod
    def fault_items(body):
        requests = body.get("requests") if isinstance(body, dict) else None
        return len(requests) if isinstance(requests, list) else 0

    @staticmethod
    def fault_refusal():
        return ApiError(401, "incorrect_password", "The provided password is an invalid application password.")

    # ---- who asks ----

    def user(self):
        """The user of the request (a dict), None when anonymous; raises the refusal of bad credentials."""
        header = self.headers.get("Authorization", "")
        if not header.startswith("Basic ") or self.server.https_only:
            return None
        try:
            name, _, password = base64.b64decode(header[6:]).decode().partition(":")
        except (ValueError, UnicodeDecodeError):
            return None
        user = self.server.users.get(name)
        if user is None:
            raise ApiError(401, "invalid_username", "Unknown username. Check again or try your email address.")
        if password.replace(" ", "") != user["password"].replace(" ", ""):
            raise ApiError(401, "incorrect_password", "The provided password is an invalid application password.")
        return user

    @staticmethod
    def caps(user):
        return ROLE_CAPS[user["role"]] if user else {}

    def require(self, user, cap, code, message):
        if not self.caps(user).get(cap):
            raise ApiError(401 if user is None else 403, code, message)

    # ---- routes ----

    def route(self, answer=True):
        self.answer = answer
        try:
            user = self.user()
            status, payload, headers = self.serve(self.command, self.url_path, self.query, self.json_or_raw(),
                                                  user, batched=False)
            self.reply(status, payload if isinstance(payload, list) else self.only(payload, self.query), headers)
        except ApiError as e:
            self.reply_error(e)

    def json_or_raw(self):
        if self.url_path.rstrip("/").endswith("/wp/v2/media"):
            return self.raw_body
        return self.json_body()

    def reply(self, status, payload, headers=()):
        if self.answer:
            self.send(status, payload, headers)

    def serve(self, method, path, query, body, user, batched):
        """(status, payload, headers) of one request, or raises ApiError; also a batch's sub-requests."""
        path = path.rstrip("/") or "/"
        if path in ("/wp-json", "/"):
            return 200, self.index(), ()
        if path == "/wp-json/batch/v1":
            if batched:
                raise ApiError(400, "rest_batch_not_allowed", "The requested route does not support batch requests.")
            if method == "OPTIONS":
                return 200, self.batch_schema(), ()
            if method == "POST":
                return self.batch(body, user)
            raise ApiError(*NO_ROUTE)
        m = re.fullmatch(r"/wp-json/wp/v2/([a-z_-]+)(?:/([a-z0-9_-]+))?", path)
        if not m:
            raise ApiError(*NO_ROUTE)
        base, ident = m.group(1), m.group(2)
        if base == "users" and ident == "me":
            if user is None:
                raise ApiError(401, "rest_not_logged_in", "You are not currently logged in.")
            out = {"id": user["id"], "name": user["name"], "slug": user["login"]}
            if query.get("context") == "edit":
                out.update(roles=[user["role"]], capabilities=self.caps(user), username=user["login"])
            return 200, out, ()
        if base in ("types", "taxonomies"):
            return 200, self.describe(base, ident, query, user), ()
        if base == "media" and ident is None and method == "POST":
            return self.upload(body, user)
        if base == "media" and ident and ident.isdigit() and method == "DELETE":
            return self.delete_media(int(ident), query, user)
        ptype = post_type_of(base)
        if ptype and ident is None and method == "OPTIONS":
            # The collection route's data with its schema (get_data_for_route, context help): meta lists the
            # keys registered for REST.
            meta = {k: {"type": "string", "context": ["view", "edit"]} for k in self.server.site.meta_keys}
            return 200, {"namespace": "wp/v2", "methods": ["GET", "POST"], "schema": {
                "title": ptype, "type": "object", "properties": {"id": {"type": "integer"}, "meta": {
                    "type": "object", "properties": meta}}}}, ()
        if ptype:
            if batched and base in self.server.no_batch:
                raise ApiError(400, "rest_batch_not_allowed", "The requested route does not support batch requests.")
            return self.posts(method, ptype, ident, query, body, user)
        tax = taxonomy_of(base)
        if tax and ident is None:
            return self.terms(method, tax, query, body, user)
        raise ApiError(*NO_ROUTE)

    def index(self):
        return {"name": "fakewp", "description": "Just another WordPress site", "url": self.server.site.base_url,
                "home": self.server.site.base_url, "namespaces": ["oembed/1.0", "batch/v1", "wp/v2"],
                "authentication": {"application-passwords": {"endpoints": {"authorization":
                                   self.server.site.base_url + "/wp-admin/authorize-application.php"}}}}

    def batch_schema(self):
        return {"namespace": "batch/v1", "methods": ["POST"], "endpoints": [{"methods": ["POST"], "args": {
            "validation": {"type": "string", "enum": ["require-all-validate", "normal"], "default": "normal",
                           "required": False},
            "requests": {"type": "array", "maxItems": self.server.batch_max, "required": True, "items": {
                "type": "object", "properties": {"method": {"type": "string", "enum": ["POST", "PUT", "PATCH",
                                                                                        "DELETE"]},
                                                 "path": {"type": "string"}, "body": {"type": "object"}}}}}}]}

    def batch(self, body, user):
        requests = body.get("requests") if isinstance(body, dict) else None
        if not isinstance(requests, list):
            raise invalid_param("requests", "requests is not of type array.")
        if len(requests) > self.server.batch_max:
            raise invalid_param("requests", "requests must contain at most %d items." % self.server.batch_max)
        responses = []
        for sub in requests:
            url = urlsplit(str(sub.get("path", "")))
            query = dict(parse_qsl(url.query))
            try:
                status, payload, _ = self.serve(sub.get("method", "POST"), "/wp-json" + url.path, query,
                                                sub.get("body") or {}, user, True)
                payload = self.only(payload, query)
            except ApiError as e:
                status, payload = e.status, e.body()
            responses.append({"body": payload, "status": status, "headers": {}})
        return 207, {"responses": responses}, ()

    def describe(self, base, ident, query, user):
        table = TYPES if base == "types" else TAXONOMIES
        edit = query.get("context") == "edit"
        if edit:
            self.require(user, "edit_posts", "rest_cannot_view", "Sorry, you are not allowed to edit posts in this "
                         "post type." if base == "types" else "Sorry, you are not allowed to manage terms in this "
                         "taxonomy.")

        def one(slug):
            t = dict(table[slug], slug=slug, rest_namespace="wp/v2")
            if edit and base == "types":
                t["capabilities"] = TYPE_CAPS
            return t
        if ident is not None:
            if ident not in table:
                raise ApiError(404, "rest_type_invalid" if base == "types" else "rest_taxonomy_invalid",
                               "Invalid post type." if base == "types" else "Invalid taxonomy.")
            return one(ident)
        wanted = query.get("type")
        return {slug: one(slug) for slug in table if base == "types" or not wanted or wanted in table[slug]["types"]}

    def upload(self, body, user):
        self.require(user, "upload_files", "rest_cannot_create", "Sorry, you are not allowed to upload files.")
        disposition = self.headers.get("Content-Disposition", "")
        m = re.search(r'filename="?([^";]+)"?', disposition)
        if not m:
            raise ApiError(400, "rest_upload_no_content_disposition", "No Content-Disposition supplied.")
        if not body:
            raise ApiError(400, "rest_upload_no_data", "No data supplied.")
        if len(body) > self.server.max_upload:
            raise ApiError(400, "rest_upload_file_too_big", "The uploaded file exceeds the upload_max_filesize "
                           "directive in php.ini.")
        site = self.server.site
        with site.lock:
            rec = {"id": site.new_id(), "type": "attachment", "file": m.group(1), "title": m.group(1).split(".")[0],
                   "mime": self.headers.get("Content-Type", "application/octet-stream"), "size": len(body)}
            site.posts[rec["id"]] = rec
            return 201, site.render(rec), ()

    def delete_media(self, mid, query, user):
        """Attachments have no trash (class-wp-rest-attachments-controller.php): force=true deletes for good."""
        self.require(user, "delete_posts", "rest_cannot_delete", "Sorry, you are not allowed to delete this post.")
        site = self.server.site
        with site.lock:
            rec = site.posts.get(mid)
            if rec is None or rec["type"] != "attachment":
                raise ApiError(404, "rest_post_invalid_id", "Invalid post ID.")
            if str(query.get("force", "")).lower() not in ("1", "true"):
                raise ApiError(501, "rest_trash_not_supported", "The post does not support trashing. Set 'force' "
                               "to 'true' to delete.")
            del site.posts[mid]
            return 200, {"deleted": True, "previous": site.render(rec)}, ()

    def posts(self, method, ptype, ident, query, body, user):
        site = self.server.site
        context = query.get("context", "view")
        if ident is None and method in ("GET", "HEAD"):
            return self.list_posts(ptype, query, user, context)
        if ident is None and method == "POST":
            self.require(user, "edit_posts", "rest_cannot_create", "Sorry, you are not allowed to create posts as "
                         "this user.")
            delay = self.server.create_s
            if delay:
                time.sleep(delay)        # the slow part of wp_insert_post, outside the lock: not atomic
            with site.lock:
                return 201, site.render(site.create(ptype, body, self.caps(user), user["id"]), "edit"), ()
        if ident is None or not ident.isdigit():
            raise ApiError(*NO_ROUTE)
        pid = int(ident)
        with site.lock:
            rec = site.post(ptype, pid)
            if method == "GET":
                if rec["status"] != "publish":
                    self.require(user, "edit_posts", "rest_forbidden", "Sorry, you are not allowed to do that.")
                return 200, site.render(rec, context), ()
            if method in ("POST", "PUT", "PATCH"):
                self.require(user, "edit_posts", "rest_cannot_edit", "Sorry, you are not allowed to edit this post.")
                site.apply(rec, body, self.caps(user))
                return 200, site.render(rec, "edit"), ()
            if method == "DELETE":
                self.require(user, "delete_posts", "rest_cannot_delete", "Sorry, you are not allowed to delete this "
                             "post.")
                if str(query.get("force", "")).lower() in ("1", "true"):
                    del site.posts[pid]
                    return 200, {"deleted": True, "previous": site.render(rec, "edit")}, ()
                if rec["status"] == "trash":
                    raise ApiError(410, "rest_already_trashed", "The post has already been deleted.")
                rec["status"] = "trash"
                return 200, site.render(rec, "edit"), ()
        raise ApiError(*NO_ROUTE)

    def paging(self, query):
        try:
            per_page, page = int(query.get("per_page", 10)), int(query.get("page", 1))
        except ValueError:
            per_page, page = 0, 1
        if not 1 <= per_page <= 100:
            raise invalid_param("per_page", "per_page must be between 1 (inclusive) and 100 (inclusive)")
        return per_page, max(page, 1)

    def list_posts(self, ptype, query, user, context):
        statuses = query.get("status", "publish").split(",")
        if statuses != ["publish"] and not self.caps(user).get("edit_posts"):
            raise invalid_param("status", "Status is forbidden.")
        per_page, page = self.paging(query)
        site = self.server.site
        with site.lock:
            found = [p for p in sorted(site.posts.values(), key=lambda p: -p["id"]) if p["type"] == ptype and
                     (("any" in statuses and p["status"] != "trash") or p["status"] in statuses) and
                     (not query.get("slug") or p["slug"] in query["slug"].split(",")) and
                     (not query.get("search") or query["search"].lower() in (p["title"] + p["content"]).lower())]
            total, pages = len(found), (len(found) + per_page - 1) // per_page
            if page > 1 and page > pages:
                raise ApiError(400, "rest_post_invalid_page_number", "The page number requested is larger than "
                               "the number of pages available.")
            out = [self.only(site.render(p, context), query) for p in found[(page - 1) * per_page:page * per_page]]
        return 200, out, (("X-WP-Total", str(total)), ("X-WP-TotalPages", str(pages)))

    @staticmethod
    def only(obj, query):
        """_fields, nested keys included ("meta.feedsync_sku"), as rest_filter_response_fields does."""
        if "_fields" not in query or not isinstance(obj, dict):
            return obj
        out = {}
        for name in query["_fields"].split(","):
            head, _, rest = name.partition(".")
            if head not in obj:
                continue
            if rest and isinstance(obj[head], dict):
                if rest in obj[head]:
                    out.setdefault(head, {})[rest] = obj[head][rest]
            else:
                out[head] = obj[head]
        return out

    def terms(self, method, tax, query, body, user):
        site = self.server.site
        if method == "GET":
            per_page, page = self.paging(query)
            with site.lock:
                found = sorted(site.terms[tax].values(), key=lambda t: t["name"].lower())
                if query.get("search"):
                    found = [t for t in found if query["search"].lower() in t["name"].lower()]
                total, pages = len(found), max(1, (len(found) + per_page - 1) // per_page)
                out = [self.only(site.render_term(tax, t), query) for t in found[(page - 1) * per_page:page * per_page]]
            return 200, out, (("X-WP-Total", str(total)), ("X-WP-TotalPages", str(pages)))
        if method == "POST":
            self.require(user, "manage_categories" if TAXONOMIES[tax]["hierarchical"] else "edit_posts",
                         "rest_cannot_create", "Sorry, you are not allowed to create terms in this taxonomy.")
            with site.lock:
                return 201, site.render_term(tax, site.add_term(tax, body)), ()
        raise ApiError(*NO_ROUTE)

    # ---- control ----

    def control(self):
        site = self.server.site
        what = self.url_path[len("/__fake/"):]
        body = json.loads(self.raw_body or b"null")
        with site.lock:
            if what == "state":
                return self.send(200, {"posts": [p for p in site.posts.values() if p["type"] != "attachment"],
                                       "media": [p for p in site.posts.values() if p["type"] == "attachment"],
                                       "terms": {k: list(v.values()) for k, v in site.terms.items()},
                                       "requests": site.requests, "violations": site.violations,
                                       "in_flight": site.in_flight,
                                       "max_in_flight": site.max_in_flight})
            if self.common_control(site, what, body):
                return None
            if what == "posts":
                made = [site.create(p.get("type", "post"), p, ROLE_CAPS["editor"], 1) for p in body]
                return self.send(200, [p["id"] for p in made])
            if what == "item_errors":
                site.item_errors = {k.lower(): v for k, v in (body or {}).items()}
                return self.send(200, {"item_errors": len(site.item_errors)})
        return self.send(404, {"code": "no_control", "message": "unknown control endpoint"})


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--lifetime", type=float, default=300)
    ap.add_argument("--user", default="editor")
    ap.add_argument("--app-password", default="abcd EFGH 1234 ijkl MNOP 6789")
    ap.add_argument("--contributor", default="contrib")
    ap.add_argument("--contributor-password", default="cccc dddd eeee ffff gggg hhhh")
    ap.add_argument("--https-only", action="store_true",
                    help="a production site reached over plain HTTP: Application Passwords are unavailable")
    ap.add_argument("--batch-max", type=int, default=25, help="rest_get_max_batch_size")
    ap.add_argument("--no-batch-types", default="", help="rest bases whose routes do not allow batching")
    ap.add_argument("--meta", default="feedsync_sku,image_url,price", help="meta keys registered for REST")
    ap.add_argument("--create-ms", type=float, default=0, help="time each create takes, outside the lock")
    ap.add_argument("--max-upload-kb", type=int, default=2048)
    ap.add_argument("--record", help="append every API request (method, target, body) to this file as JSON lines")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()

    def configure(server):
        server.site = server.shop
        server.users = {args.user: {"id": 1, "login": args.user, "name": "Eddie Editor", "role": "editor",
                                    "password": args.app_password},
                        args.contributor: {"id": 2, "login": args.contributor, "name": "Connie Contributor",
                                           "role": "contributor", "password": args.contributor_password}}
        server.https_only = args.https_only
        server.batch_max = args.batch_max
        server.no_batch = set(b for b in args.no_batch_types.split(",") if b)
        server.create_s = args.create_ms / 1000.0
        server.max_upload = args.max_upload_kb * 1024
        server.record = open(args.record, "a", buffering=1) if args.record else None

    meta = [k for k in args.meta.split(",") if k]
    fakewoo.serve_fake(Handler, lambda url: Site(url, meta), args, configure)

if __name__ == "__main__":
    sys.exit(main())
