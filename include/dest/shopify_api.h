/*
 * Shopify's GraphQL Admin API as feedsync sees it, without any I/O: a destination's shop settings, the endpoint
 * of its pinned API version, the request text of a named operation, and the errors an answer carries.
 * Facts from https://shopify.dev/docs/api/admin-graphql and https://shopify.dev/docs/api/usage/limits:
 *   - every request is POST /admin/api/{version}/graphql.json {"query", "operationName", "variables"} with the
 *     header X-Shopify-Access-Token; versions are named YYYY-MM and each is supported for a year;
 *   - a refused token answers HTTP 401 {"errors": "[API] Invalid API key or access token ..."};
 *   - a request refused as a whole answers 200 {"errors": [{"message", "extensions": {"code"}}]}, e.g. code
 *     ACCESS_DENIED for a missing scope or THROTTLED when its cost does not fit the bucket;
 *   - a mutation's own failures are data.<mutation>.userErrors [{"field": [...], "message", "code"}].
 */
#ifndef FEEDSYNC_DEST_SHOPIFY_API_H
#define FEEDSYNC_DEST_SHOPIFY_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "core/problems.h"

#define SHOPIFY_DEFAULT_API_VERSION "2025-10"
/* Products to push in a run from which the push goes through a bulk mutation (dest/shopify_bulk.h). */
#define SHOPIFY_DEFAULT_BULK_ABOVE 2000

/*
 * A Shopify destination's own settings: the "site" member of its options (dest/shop.h).
 *   api_version   the Admin API version every request names, YYYY-MM (default SHOPIFY_DEFAULT_API_VERSION)
 *   location      the location inventory goes to: its GID (gid://shopify/Location/1) or its name; absent: the
 *                 shop's primary location
 *   allow_http    true: the shop may be reached over plain http (a test server; Shopify itself is https only)
 *   bulk_above    a run pushing at least this many products goes through a bulk mutation; 0 never does
 */
struct shopify_site {
	char api_version[8];
	char *location;
	bool allow_http;
	int64_t bulk_above;
};

/* Reads the options' "site" object (NULL: defaults); each bad member is a problem named "options.site.<key>". */
void shopify_site_read(const cJSON *site, struct shopify_site *out, struct problems *pr);
void shopify_site_free(struct shopify_site *site);
/* The shop settings of a destination's options text; -1 with err listing the problems (out then empty). */
int shopify_site_of(const char *options, const char *dest_name, struct shopify_site *out, char *err,
                    size_t errsize);

/* The request target of the version's GraphQL endpoint, "/admin/api/2025-10/graphql.json". Caller frees. */
char *shopify_graphql_path(const struct shopify_site *site);
/* The body of a request running operation `name` of `document`; `variables` (may be NULL) is taken over. */
char *shopify_request_text(const char *document, const char *name, cJSON *variables);

/* The first top-level error of an answer: its extensions.code ("" when it names none) and message; false
 * when the answer has none. A 401's plain "errors" text is its message. */
bool shopify_answer_error(const cJSON *answer, char *code, size_t code_size, char *message, size_t message_size);

/* The shop's primary location (location(id:) without an id,
 * https://shopify.dev/docs/api/admin-graphql/2025-10/queries/location), and every location of the shop. */
extern const char shopify_primary_location_document[];
extern const char shopify_locations_document[];
/* The location named `wanted` (its GID or its name) among the nodes of a locations answer; NULL when none is. */
const cJSON *shopify_find_location(const cJSON *nodes, const char *wanted);

#endif
