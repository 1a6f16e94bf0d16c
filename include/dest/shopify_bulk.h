/*
 * The Shopify push's bulk path for a big run (https://shopify.dev/docs/api/usage/bulk-operations/imports): the
 * productSet inputs the push builds go as lines of a JSONL file on disk while the products stream by (memory does
 * not grow with their count), written straight into the multipart body of the staged upload
 * (stagedUploadsCreate, resource BULK_MUTATION_VARIABLES); at the end of the push the file is uploaded,
 * bulkOperationRunMutation runs productSet over it, the operation is polled (node(id:)) with a bounded backoff
 * that a stop interrupts within HTTP_STOP_POLL_MS, and its result JSONL is read line by line into per-item
 * outcomes.
 *
 * Shopify runs one bulk mutation per shop at a time and goes on with it whatever its client does: the operation
 * is claimed in the database before it is asked for and its id recorded as soon as the shop names it
 * (core/store_bulk.h), so a run after a crash or a stop polls that operation and records its results
 * (shopify_bulk_resume) instead of starting a second one. The shop's answers go through the push's own pacing
 * (io->ask); the staged upload and the result file, off the shop, go without its token (http.h: foreign).
 */
#ifndef FEEDSYNC_DEST_SHOPIFY_BULK_H
#define FEEDSYNC_DEST_SHOPIFY_BULK_H

#include <stdbool.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "dest/http.h"
#include "dest/phase_stop.h"
#include "dest/shop.h"
#include "engine/run.h"

/* How long a bulk create's SKU stays fenced (core/store_fence.h) and a run polls an operation before it leaves it
 * to the next run: Shopify gives an operation up to 10 days, a push does not wait that long. */
#define SHOPIFY_BULK_PATIENCE_MS (6LL * 3600 * 1000)

struct shopify_bulk_io {
	void *ud;
	/* One GraphQL operation through the push's pacing and retries: its data, or NULL with the phase stopped
	 * or `why` set. variables is taken over. */
	const cJSON *(*ask)(void *ud, const char *document, const char *name, cJSON *variables, double cost,
	                    char *why, size_t why_size);
	/* The result of the line that wrote `sku` for connection_id: `set` is its data.productSet, NULL when the
	 * line failed as a whole (`error` then says why); failed: the product failed already (shopify_bulk_failed),
	 * only its ids are to be kept. */
	void (*outcome)(void *ud, int64_t connection_id, const char *sku, int64_t hash, bool creating, bool failed,
	                const cJSON *set, const char *error);
};

struct shopify_bulk_session {
	struct run_ctx *ctx;
	struct http_client *http;
	const struct shop *shop;
	struct phase_stop *stop;
	const char *mutation;            /* the productSet document every line runs */
	struct shopify_bulk_io io;
};

struct shopify_bulk;

/* A recorded operation of a run that ended (a crash, a stop) is polled and its results recorded; a claim it
 * never asked for goes. The phase is stopped when the operation cannot be read or did not complete. */
void shopify_bulk_resume(const struct shopify_bulk_session *session);
/* Claims the shop's bulk push for this run and asks for its staged upload (the phase stopped when the shop gives
 * none); NULL (logged) when another run's operation is recorded: the push then goes synchronously. */
struct shopify_bulk *shopify_bulk_open(const struct shopify_bulk_session *session);
/* One line: productSet of `input` (taken over), writing `sku`. False (the phase stopped) when it cannot be
 * written: no staged upload, the disk full. */
bool shopify_bulk_add(struct shopify_bulk *b, const char *sku, int64_t hash, bool creating, cJSON *input);
/* The product a line writes failed in this run before its result came (its stock refused). */
void shopify_bulk_failed(struct shopify_bulk *b, const char *sku);
/* Uploads the lines, runs the operation, waits for it and records its results; the phase is stopped, naming
 * the cause, when any of it fails. What did not go through stays pending. */
void shopify_bulk_run(struct shopify_bulk *b);
/* A claim never asked for goes; an operation asked for stays recorded for the next run. */
void shopify_bulk_free(struct shopify_bulk *b);

#endif
