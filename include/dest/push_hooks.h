/*
 * The hooks every push (WooCommerce, WordPress) gives its HTTP client: a circuit change is stored on the
 * destination and logged (woo_circuit_changed), a retry is logged with its method, path (no query), cause,
 * number and delay, and the client's waits end once the run is told to stop.
 */
#ifndef FEEDSYNC_DEST_PUSH_HOOKS_H
#define FEEDSYNC_DEST_PUSH_HOOKS_H

#include <stdint.h>

#include "dest/http.h"
#include "dest/shop.h"
#include "engine/run.h"

struct push_hooks {
	struct run_ctx *ctx;
	const struct shop *shop;
	/* Told of each retry once it is logged (the WooCommerce push extends its fences); may be NULL. */
	void (*retried)(void *ud, const struct http_request *r, int64_t delay_ms);
	void *ud;
};

/* The client's hooks over p, which must outlive the client. */
struct http_hooks push_http_hooks(struct push_hooks *p);

#endif
