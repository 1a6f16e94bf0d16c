/*
 * WooCommerce REST v3 as the push sees it, without any I/O: item payloads, lookup and batch targets, what a
 * batch answer means, and each item's result. Facts from the recordings in ../shared/woocommerce:
 *   - batch items skip schema validation (a price "abc" is silently emptied), so prices are checked here;
 *   - there is no update by SKU: updates carry the id;
 *   - ?sku=A,B is exact but case-insensitive, and a space after a comma becomes part of the next SKU;
 *   - more than 100 items in one batch is a 413; per-item errors come inside a 200;
 *   - product_invalid_sku on a create carries data.resource_id, the product that already has the SKU.
 */
#ifndef FEEDSYNC_DEST_WOO_BATCH_H
#define FEEDSYNC_DEST_WOO_BATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "core/answer_detail.h"
#include "core/util.h"
#include "dest/http.h"

#define WOO_API "/wp-json/wc/v3"
#define WOO_MAX_BATCH 100
#define WOO_MAX_PER_PAGE 100

/*
 * The JSON object sent for one product (stored as {"field": "text", ...}). id 0 makes a create with every
 * field; an update carries "id" and only the fields named in `fields` (NULL: all but the SKU). Prices must be
 * decimal numbers and stock a whole number: -1 with err set (naming the field and value) otherwise.
 */
int woo_item_payload(const char *product_json, int64_t id, char *const *fields, struct strbuf *out, char *err,
                     size_t errsize);
/* Whether ?sku= can find this SKU: not empty, no comma, no surrounding spaces. */
bool woo_sku_searchable(const char *sku);
/* "/wp-json/wc/v3/products?sku=A%2CB&per_page=100&page=1&_fields=id,sku,parent_id". */
char *woo_lookup_target(const char *const *skus, size_t n, int page);
/* "/wp-json/wc/v3/products/batch", or a parent's ".../products/25/variations/batch". */
char *woo_batch_target(int64_t parent_id);

enum woo_verdict {
	WOO_ITEMS,            /* read each item's result */
	WOO_HALVE,            /* 413: the batch is too big for this shop */
	WOO_SPLIT,            /* 504 or timeout on more than one item: try halves */
	WOO_AUTH,             /* 401/403: the credentials were refused; the phase stops */
	WOO_UNAVAILABLE,      /* the circuit breaker is open; the phase stops */
	WOO_TLS,              /* the TLS check failed; the phase stops */
	WOO_FAIL_ALL,         /* every item fails with the answer's error */
	WOO_DROPPED,          /* never sent */
};
enum woo_verdict woo_verdict(const struct http_request *r, size_t items);
/* Where a batch of n splits: the first half has this many. */
size_t woo_split_point(size_t n);

/* WooCommerce's {"code", "message"} of an answer, or words for what happened instead. */
struct woo_error {
	char code[96];
	char message[512];
};
void woo_answer_error(const struct http_request *r, struct woo_error *out);

/* What is known of a failure besides the answer itself. */
struct woo_failure {
	const char *code;              /* the item's error code, else the answer's (woo_answer_error) */
	const char *message;
	int item_status;               /* data.status of an item's error; 0 none */
	const char *action;            /* "create", "update", "delete", "lookup"; NULL none */
	int64_t remote_id;             /* the product an update or delete was for; 0 none */
	bool excerpt;                  /* keep the body: not for one item of a batch answer, which holds them all */
	const char *const *secrets;    /* never in the excerpt */
};
/*
 * A run error's detail JSON for a failed request: answer_detail's members (core/answer_detail.h) and "code",
 * "message", "item_status", "action", "remote_id", "attempts", those unknown or 0 left out. Caller frees.
 */
char *woo_failure_detail(const struct http_request *r, const struct woo_failure *f);

/* Text WooCommerce answers HTML-escaped ("Pens &amp; Co", "/products/&lt;id&gt;") as plain text, appended to out. */
void woo_unescape_html(const char *text, struct strbuf *out);

struct woo_result {
	bool ok;
	int64_t id;
	int64_t parent_id;     /* as answered; 0 when the answer does not say */
	struct woo_error error;
	int item_status;       /* data.status of an item error */
	int64_t resource_id;   /* data.resource_id of product_invalid_sku, else 0 */
};
/*
 * The per-item results of a batch answer ({"create": [...], "update": [...], "delete": [...]}) read in one
 * pass without building a tree (an answer holds about 2 KB per product): out[i] for the i-th create,
 * out[ncreate + j] for the j-th update, out[ncreate + nupdate + k] for the k-th delete (the rest of n),
 * found[i] false when the answer has no result for item i. 0, or -1 when the answer is not such an object.
 */
int woo_batch_results(const char *json, size_t len, size_t ncreate, size_t nupdate, size_t n, struct woo_result *out,
                      bool *found);

/* One product found by a lookup: its SKU as the shop spells it, id and parent (0 unless a variation). */
struct woo_found {
	const char *sku;
	int64_t id;
	int64_t parent_id;
};
/* The i-th product of a list answer; false past the end or when it has no SKU. */
bool woo_list_item(const cJSON *answer, size_t i, struct woo_found *out);

#endif
