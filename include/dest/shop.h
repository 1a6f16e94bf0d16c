/*
 * A destination ready to be talked to: its row from the store, its credentials opened (from the sealed copy
 * or the environment variables it names) and its tunables resolved over feedsync.ini's [push] defaults.
 *
 * Tunables (the destination's options object; each optional):
 *   concurrency        requests in flight at once, across every run of the process (1..64)
 *   batch_size         items per products/batch request (1..100)
 *   rate_limit         requests per second (0 = no limit)
 *   timeout_s          longest a request may take (1..3600, default 120)
 *   overrun_s          how long the shop may go on executing a request after feedsync stopped waiting for it
 *                      (0..86400, default 60): the SKUs of a create request that got no answer (a killed
 *                      worker, a timeout) are not created again until timeout_s + overrun_s after it was sent
 *   repair_duplicates  1 (default): a SKU feedsync created twice keeps its oldest product and the other goes
 *                      to the shop's trash, logged; 0: duplicates are only reported
 *   retries            retries of a transient failure (0..20), backoff_ms the first delay (doubled each time)
 *   circuit_threshold  consecutive transient failures that open the circuit (1..1000, default 5)
 *   circuit_open_s     how long the circuit stays open before a probe (1..86400, default 60)
 *   patience_s         how long after an outage's first failure a run waits for the shop to answer again
 *                      (0..86400, default 300) before it fails; 0 fails as soon as the circuit opens
 */
#ifndef FEEDSYNC_DEST_SHOP_H
#define FEEDSYNC_DEST_SHOP_H

#include <stdbool.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "core/config.h"
#include "core/problems.h"
#include "core/store_dest.h"

struct shop_options {
	int concurrency;
	int batch_size;
	double rate_limit;
	int timeout_s;
	int overrun_s;
	int repair_duplicates;
	int retries;
	int backoff_ms;
	int circuit_threshold;
	int circuit_open_s;
	int patience_s;
};

void shop_options_defaults(const struct config *cfg, struct shop_options *o);
/* Reads an options object over o; each bad member is a problem named "options.<key>". */
void shop_options_read(const cJSON *obj, struct shop_options *o, struct problems *pr);
/* Names of the tunables, NULL-terminated, for the CLI. */
extern const char *const shop_option_names[];

/* TOKEN: an access token sent as X-Shopify-Access-Token (a Shopify destination's "token" auth). */
enum shop_auth { SHOP_AUTH_BASIC, SHOP_AUTH_OAUTH, SHOP_AUTH_TOKEN };
/* "auto" means Basic over https and OAuth 1.0a over http, which is what WooCommerce accepts. */
/* What stands as the "key" of a token's credentials (sealed as header name and token). */
#define SHOP_TOKEN_HEADER "X-Shopify-Access-Token"
enum shop_auth shop_auth_of(const char *auth, const char *base_url);
const char *shop_auth_name(enum shop_auth auth);

struct shop {
	int64_t id;
	char *name;
	char *base_url;              /* no trailing slash */
	enum shop_auth auth;
	bool verify_tls;
	char *ca_file;               /* certificates to trust instead of the system's, or NULL */
	char *key, *secret;          /* opened credentials; wiped by shop_free */
	char key_hint[64];           /* masked key (a Shopify token's own mask), safe to show */
	char credentials_origin[160];/* "stored (sealed)" or "environment WOO_KEY / WOO_SECRET", for messages */
	struct shop_options opt;
	int learned_batch_size;
	char circuit_state[16];
	int64_t circuit_reopen_at;
	int consecutive_failures;
	int64_t circuit_since, circuit_last_at;
	char circuit_last[200];
	char recent_outcomes[DEST_OUTCOMES_MAX + 1];
};

/* Opens a destination row's credentials and options; stored credentials sealed in an older format are
 * sealed again through s. 0, or -1 with err naming the destination and what is missing (and *out left
 * empty). */
int shop_open(struct store *s, const struct dest_row *row, const struct config *cfg, struct shop *out, char *err,
              size_t errsize);
/* The same from the store: destination `id`, or the one named `name` when id is 0. */
int shop_load(struct store *s, const struct config *cfg, int64_t id, const char *name, struct shop *out, char *err,
              size_t errsize);
void shop_free(struct shop *shop);

#endif
