/*
 * A Shopify shop's bulk push as the database keeps it (migration 22). Shopify runs one bulk mutation per shop at
 * a time and goes on with it whatever its client does, so the operation is claimed here before it is asked for
 * (one row per destination: a second claim fails), its id recorded as soon as the shop names it, and each line
 * of its JSONL kept with the SKU it writes: a run after a crash polls the recorded operation and records its
 * results, instead of starting a second one.
 */
#ifndef FEEDSYNC_CORE_STORE_BULK_H
#define FEEDSYNC_CORE_STORE_BULK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/store.h"

struct bulk_op {
	int64_t connection_id, run_id;
	char operation_id[128];   /* "" while the shop has not named it (claimed, maybe asked for) */
	int64_t started_at;       /* wall ms of the claim */
};

/* The shop's recorded operation: 1 with *out, 0 none, -1. */
int store_bulk_get(struct store *s, int64_t dest_id, struct bulk_op *out);
/* Claims the shop's bulk push for run_id: 1 claimed, 0 another operation is recorded, -1. Stale lines (of a
 * claim abandoned before it was asked for) go. */
int store_bulk_claim(struct store *s, int64_t dest_id, int64_t connection_id, int64_t run_id, int64_t now);
/* The id the shop gave the claimed operation. 0 or -1. */
int store_bulk_started(struct store *s, int64_t dest_id, const char *operation_id);
/* Line `line` of the JSONL writes `sku` (content hash `hash`; creating: it has no product yet). 0 or -1. */
int store_bulk_line_put(struct store *s, int64_t dest_id, int64_t line, const char *sku, int64_t hash,
                        bool creating);
/* The product of `sku` failed already in this run (its stock refused): its line's result records its ids only. */
int store_bulk_line_failed(struct store *s, int64_t dest_id, const char *sku);
/* What line `line` writes: 1 (sku copied into sku[size]), 0 no such line, -1. */
int store_bulk_line_get(struct store *s, int64_t dest_id, int64_t line, char *sku, size_t size, int64_t *hash,
                        bool *creating, bool *failed);
/* How many lines are recorded; -1 on error. */
int64_t store_bulk_lines(struct store *s, int64_t dest_id);
/* The operation is over: its lines, its claim, and the fences its run put on the SKUs it created go. 0 or -1. */
int store_bulk_end(struct store *s, int64_t dest_id, int64_t run_id);
/* Whether run_id is still queued or running: 1, 0, -1. */
int store_bulk_run_alive(struct store *s, int64_t run_id);

#endif
