/*
 * Brings a connection's feed to a local file with the configured HTTP limits, resolving its credentials
 * from the environment variables the document names. Shared by the pipeline and `feedsync preview`.
 */
#ifndef FEEDSYNC_ENGINE_FEED_FETCH_H
#define FEEDSYNC_ENGINE_FEED_FETCH_H

#include "core/config.h"
#include "feed/conn.h"
#include "feed/fetch.h"

/*
 * 0 on success; -1 with res->error set and *code naming the cause ("missing_secret", "download_failed";
 * res->cancelled when the progress callback stopped it).
 */
int feed_fetch(const struct config *cfg, const struct conn_config *conn, fetch_progress_fn progress, void *ud,
               struct fetch_result *res, const char **code);
/* The same for a sample: the transfer stops once head_bytes are kept (res->head_only tells). */
int feed_fetch_head(const struct config *cfg, const struct conn_config *conn, uint64_t head_bytes,
                    fetch_progress_fn progress, void *ud, struct fetch_result *res, const char **code);

#endif
