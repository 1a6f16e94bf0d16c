/*
 * Recording a shop: the one path behind `feedsync dest add`, `dest edit` and the console's wizard. The
 * changes are merged over the stored destination (for an edit), checked, the credentials sealed (or left to
 * the environment variables named), and the row written.
 */
#ifndef FEEDSYNC_DEST_DEST_SAVE_H
#define FEEDSYNC_DEST_DEST_SAVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "core/config.h"
#include "core/store_dest.h"

/* NULL (or -1) members keep the stored value on an edit and take the default on an add. */
struct dest_changes {
	const char *name, *url, *type, *auth;       /* type: woocommerce; auth: auto, basic or oauth */
	int verify_tls;                             /* 1, 0, or -1 */
	const char *ca_file;                        /* CA certificates (PEM) to trust; "" goes back to the system's */
	const char *key, *secret;                   /* sealed into the row */
	const char *key_env, *secret_env;           /* or read from these variables at run time */
	const cJSON *options;                       /* tunables set over the stored ones (dest/shop.h); may be NULL */
};

enum dest_save_result {
	DEST_SAVED,
	DEST_SAVE_INVALID,     /* the changes are wrong: err says what (a usage error on the command line) */
	DEST_SAVE_FAILED,      /* sealing or the database failed, or the name is taken: err */
};

/* True for a shop address like https://shop.example.com (http or https, a host, no user, query or spaces). */
bool dest_url_valid(const char *url);

/*
 * Writes a new destination (old NULL) or changes `old`. *id is the saved destination's. Inside a transaction
 * the caller opened, the write joins it.
 */
enum dest_save_result dest_save(struct store *s, const struct config *cfg, const struct dest_changes *c,
                                const struct dest_row *old, int64_t *id, char *err, size_t errsize);

#endif
