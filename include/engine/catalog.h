/*
 * The catalog side of an import: change detection and batched writes for one connection during one run.
 * The catalog's SKU and content hashes are held in memory (16 bytes a slot, open addressing), so an
 * unchanged row costs a hash and a probe, never a query; only created and updated products are written,
 * in transactions of import.batch_rows rows. The same index finds duplicate SKUs within one feed.
 */
#ifndef FEEDSYNC_ENGINE_CATALOG_H
#define FEEDSYNC_ENGINE_CATALOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/run.h"
#include "feed/product.h"

enum catalog_outcome { CATALOG_CREATED, CATALOG_UPDATED, CATALOG_UNCHANGED, CATALOG_DUPLICATE, CATALOG_ERROR };

struct catalog;

/* Loads the connection's index. NULL with err set when the database cannot be read. */
struct catalog *catalog_open(struct run_ctx *ctx, char *err, size_t errsize);
/*
 * Records one product seen in the feed. For CATALOG_DUPLICATE, where the SKU was first seen in this run
 * (the first one wins): *first_item, the item of a JSON array or XML feed, or else *first_line (the other
 * one is 0; the index keeps one of them). CATALOG_ERROR means the database refused the write.
 */
enum catalog_outcome catalog_put(struct catalog *c, const struct product *p, long *first_line, long *first_item);
/* Commits the open batch, if any. */
int catalog_commit(struct catalog *c);
/*
 * After the last commit of the import, whether it completed or stopped: builds the state index a first import
 * went without (core/state_index.h). catalog_close does it too, for a path that did not. 0 or -1.
 */
int catalog_end_import(struct catalog *c);
size_t catalog_size(const struct catalog *c);      /* products known before and created in this run */
size_t catalog_unseen(const struct catalog *c);    /* known products not in this feed */
/*
 * Marks products absent from this feed as missing (keeping the first time they went missing) and clears
 * the mark on products that came back. Returns how many are marked missing now, or -1.
 */
int64_t catalog_mark_missing(struct catalog *c);
/* Whether this run's feed had the SKU. */
bool catalog_seen(struct catalog *c, const char *sku);
size_t catalog_memory_bytes(const struct catalog *c);
void catalog_close(struct catalog *c);             /* commits what is open */

#endif
