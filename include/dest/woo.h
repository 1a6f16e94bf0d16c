/*
 * The WooCommerce destination (its struct dest_ops is registered in dest.c) and the checks behind
 * `feedsync dest test`.
 *
 * The push: every product of the run resolves to the shop's id by SKU (the remote_products cache, else
 * ?sku= lookups of up to 100 SKUs), then goes in a products/batch request of creates and updates (a
 * variation's update goes to its parent's variations/batch). Requests overlap up to the destination's
 * concurrency. Per-item errors are per-item failures; product_invalid_sku on a create turns it into an
 * update of data.resource_id; a stale cached id is looked up again; 413 halves the batch size (remembered
 * on the destination); a 504 or timeout splits a batch in halves down to single items; 401/403, an open
 * circuit or a TLS failure stop the phase. A SKU is never in two requests at once, and a product is looked
 * up before it is created.
 *
 * A create may go on in the shop after feedsync stopped waiting (core/store_fence.h): its SKUs are fenced
 * before it is sent; a create that got no answer is not sent again but parked until its fence ends, then
 * looked up; SKUs other runs fenced are kept off until their fences end and looked up afresh. Every create
 * batch is checked by a second lookup: a SKU the shop holds twice is a duplicate_sku error, and the extra
 * products feedsync made go to the trash (destination option repair_duplicates).
 */
#ifndef FEEDSYNC_DEST_WOO_H
#define FEEDSYNC_DEST_WOO_H

#include <stdbool.h>

#include "core/config.h"
#include "dest/gate.h"
#include "dest/http.h"
#include "dest/probe.h"
#include "dest/shop.h"
#include "dest/woo_batch.h"
#include "engine/run.h"

enum woo_check_id { WOO_CHECK_REACH, WOO_CHECK_TLS, WOO_CHECK_AUTH, WOO_CHECK_WRITE, WOO_CHECK_COUNT };

/* Runs the checks in order; a failed one skips the rest. True when every check passed. */
bool woo_test(const struct shop *shop, const struct config *cfg, struct woo_check checks[WOO_CHECK_COUNT]);

/* ---- shared by the push and the pull (dest/woo_pull.h) ---- */

/* The destination's gate, set to its limits and seeded with its stored circuit, its limits shared through the
 * database of s (NULL: this process's alone); NULL with err set (a sentence naming the destination, its outage
 * and when the circuit reopens) while the circuit is open and its probe comes after the destination's patience. */
struct gate *woo_gate_open(const struct shop *shop, struct store *s, char *err, size_t errsize);
/* A circuit change of the run's requests: stored on the destination, and logged when it opens and when the
 * shop answers again after it opened (the outage's start, end and last failure, how long requests waited). */
void woo_circuit_changed(struct run_ctx *ctx, const struct shop *shop, const struct gate_circuit *c);
/* Why the phase stops on an answer judged WOO_AUTH (naming the masked key and where the credentials come
 * from), WOO_UNAVAILABLE or WOO_TLS; false for any other verdict. */
bool woo_stop_reason(const struct shop *shop, const struct http_request *r, enum woo_verdict v, char *buf,
                     size_t size);

#endif
