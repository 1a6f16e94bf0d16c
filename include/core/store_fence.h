/*
 * Push fences: the SKUs of create requests that may still be executing in a shop. A shop goes on with a request
 * after its client died or stopped waiting (PHP runs to the end whatever nginx or feedsync do), and its SKU check
 * is not atomic, so creating a SKU again while such a request may run makes two products. A fence is written
 * before a create request goes out and dropped once its answer is read; one left behind tells every later run to
 * keep off the SKU until `until_ms`, then to look it up again before creating it.
 */
#ifndef FEEDSYNC_CORE_STORE_FENCE_H
#define FEEDSYNC_CORE_STORE_FENCE_H

#include <stddef.h>
#include <stdint.h>

#include "core/store.h"

/* How often a run waiting on other runs' fences reads them again: most end early, their requests answered. */
#define FENCE_REREAD_MS 1000

struct push_fence {
	char *sku;
	int64_t run_id;        /* the latest run that fenced it */
	int64_t until_ms;      /* the latest end of the fences on it */
};

/* Fences a SKU (case-insensitively, as WooCommerce compares SKUs) for run_id until until_ms. 0 or -1. */
int store_fence_put(struct store *s, int64_t dest_id, const char *sku, int64_t run_id, int64_t until_ms);
/* Drops run_id's fence on the SKU. 0 or -1. */
int store_fence_drop(struct store *s, int64_t dest_id, const char *sku, int64_t run_id);
/* Drops the fences of every other run on the SKU, once it was looked up after they ended. 0 or -1. */
int store_fence_drop_others(struct store *s, int64_t dest_id, const char *sku, int64_t run_id);
/* The SKUs fenced by runs other than run_id, one entry per SKU, sorted by lower-cased SKU (so strcasecmp finds
 * them). 0 or -1. */
int store_fences_of_others(struct store *s, int64_t dest_id, int64_t run_id, struct push_fence **out, size_t *n);
/* The entry of fences[] (sorted as store_fences_of_others sorts) on the SKU, or NULL. */
struct push_fence *push_fence_find(struct push_fence *fences, size_t n, const char *sku);
/* Brings the ends of fences[] (from store_fences_of_others, in its order) up to date: a fence is extended by a
 * retry, and ends early once its request was answered or another run looked its SKU up; an entry none of whose
 * fences is left gets until_ms 0. 0, or -1 leaving fences[] as it was. */
int store_fences_refresh(struct store *s, int64_t dest_id, int64_t run_id, struct push_fence *fences, size_t n);
void push_fences_free(struct push_fence *f, size_t n);

#endif
