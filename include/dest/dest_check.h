/*
 * `dest test` as one call: opens the shop with its credentials, runs its type's checks in order (dest/woo.h,
 * dest/wp.h, dest/shopify.h), and records the verdict on the destination so that every
 * console shows it. Shared by the CLI, the console's Destinations screen and the wizard.
 */
#ifndef FEEDSYNC_DEST_DEST_CHECK_H
#define FEEDSYNC_DEST_DEST_CHECK_H

#include <stdbool.h>
#include <stddef.h>

#include "core/config.h"
#include "core/store_dest.h"
#include "dest/woo.h"

#define DEST_CHECK_MAX 8

struct dest_check {
	bool opened;                               /* the credentials could be read; checks[] is filled */
	bool ok;                                   /* every check passed */
	struct woo_check checks[DEST_CHECK_MAX];   /* the destination type's checks */
	int nchecks;
	char summary[700];                         /* "all checks passed" or the first failure, in words */
};

/* Checks the shop and stores the verdict on it (health). True when every check passed. */
bool dest_check_run(struct store *s, const struct config *cfg, const struct dest_row *row, struct dest_check *out);

#endif
