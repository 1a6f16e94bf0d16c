/*
 * The WordPress REST API as the push sees it, without any I/O: the site settings of a destination, a post's
 * body made from a product, the batch/v1 request that carries several, and what its answer says of each.
 * Facts from WordPress core (class-wp-rest-server.php, class-wp-rest-posts-controller.php):
 *   - POST /wp-json/batch/v1 takes {"validation", "requests": [{"method", "path", "body"}]} and answers 207
 *     {"responses": [{"body", "status", "headers"}]}: a 4xx in a slot is that item's failure;
 *   - OPTIONS /wp-json/batch/v1 tells the largest batch: endpoints[0].args.requests.maxItems (25 by default);
 *   - a route that does not allow batching answers rest_batch_not_allowed in its slot;
 *   - meta holds only keys registered for REST (register_post_meta show_in_rest); others are dropped silently.
 */
#ifndef FEEDSYNC_DEST_WP_API_H
#define FEEDSYNC_DEST_WP_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "core/problems.h"
#include "core/util.h"

#define WP_API "/wp-json/wp/v2"
#define WP_BATCH "/wp-json/batch/v1"
#define WP_DEFAULT_BATCH 25
#define WP_MAX_TAXONOMIES 8

/*
 * A WordPress destination's own settings: the "site" member of its options (dest/shop.h).
 *   user          the WordPress user the Application Password belongs to
 *   allow_http    true: the site may be reached over plain http (WordPress itself refuses Application Passwords
 *                 there unless it is a local environment)
 *   post_type     the type's rest_base: "posts" (default), "pages", or a custom type's
 *   status        of new posts: publish (default), draft or pending
 *   author        user id of new posts; 0 (default): the user's own
 *   taxonomies    rest bases ("categories", "tags", a custom one) each filled from the product field of that name
 *   sku_meta      the meta key holding the SKU, registered for REST (default "feedsync_sku")
 *   image_meta    a meta key receiving the product's first image URL; absent: the URL is not sent
 *   images        "meta" (default): the image is only a URL (image_meta); "upload": the first image is
 *                 downloaded and uploaded to the media library once per distinct URL, and is the post's
 *                 featured_media
 *   image_max_mb  the largest image uploaded, in MiB (default 10): a larger one is the item's failure
 *   delete        what retiring with "delete" does: "trash" (default) or "force" (deleted for good)
 */
struct wp_site {
	char *user;
	bool allow_http;
	char *post_type;
	char *status;
	int64_t author;
	char *taxonomies[WP_MAX_TAXONOMIES + 1];  /* NULL-terminated */
	char *sku_meta;
	char *image_meta;
	bool upload_images;
	uint64_t image_max_bytes;
	bool delete_force;
};

#define WP_DEFAULT_IMAGE_MAX_MB 10
#define WP_MEDIA WP_API "/media"

/* The first of a product's images ("a.jpg|b.jpg"); NULL when it has none. Caller frees. */
char *wp_first_image(const char *images);
/* The product's first image URL (its field image, else images) as a post body made by wp_post_body with the same
 * create and fields would send it; NULL none. Caller frees. */
char *wp_post_image(const char *product_json, bool create, char *const *fields);

/*
 * The slug that identifies a post by its SKU where the SKU meta key is not registered for REST: "sku-" and the
 * SKU as WordPress's sanitize_title keeps it (lower case; a-z, 0-9, '_' and '-' kept, any other run of
 * characters one '-'). SKUs that differ only in case or punctuation share it.
 */
char *wp_sku_slug(const char *sku);

/* Reads the options' "site" object (NULL: defaults); each bad member is a problem named "options.site.<key>". */
void wp_site_read(const cJSON *site, struct wp_site *out, struct problems *pr);
void wp_site_free(struct wp_site *site);
/* The site settings of a destination's options text; -1 with err listing the problems (out then empty). */
int wp_site_of(const char *options, const char *dest_name, struct wp_site *out, char *err, size_t errsize);

/* The request path of the type's posts, "/wp/v2/posts", or of one post, "/wp/v2/posts/12" (id > 0). */
char *wp_post_path(const struct wp_site *site, int64_t id);

/*
 * The post's body for a product (stored as {"field": "text", ...}, taxonomy fields already ids joined by ","):
 * title <- title or name, content <- content or description, excerpt <- excerpt or short_description, slug,
 * date, status (a create without one takes the site's), meta.KEY <- each field "meta.KEY", the SKU into
 * sku_meta and the first image into image_meta. An update (create false) sends only what `fields` names
 * (NULL: all), the SKU always; a returning product is published again (`republish`). -1 with err when a
 * value cannot be sent (a status WordPress does not know, an author or term id that is not a number).
 */
int wp_post_body(const char *product_json, const struct wp_site *site, bool create, bool republish,
                 char *const *fields, cJSON **out, char *err, size_t errsize);

/* The most requests one batch takes, from the OPTIONS answer; WP_DEFAULT_BATCH when it does not say. */
int wp_batch_max(const cJSON *options_answer);

/* One request of a batch; `body` is taken over (may be NULL). */
void wp_batch_add(cJSON *requests, const char *method, char *path, cJSON *body);
/* The batch request's JSON text for the requests array, which is taken over. Caller frees. */
char *wp_batch_text(cJSON *requests);

struct wp_result {
	int status;            /* the item's HTTP status; 0 when the answer has no slot for it */
	int64_t id;            /* the post's id in a success */
	char code[96];         /* the error's code and message in a failure */
	char message[512];
	const cJSON *body;     /* the item's answer, valid as long as the whole answer */
};
/* The per-item results of a batch answer (207 {"responses": [...]}), out[i] for the i-th request. 0, or -1 when
 * the answer is not such an object (then nothing is filled). */
int wp_batch_results(const cJSON *answer, size_t n, struct wp_result *out);
/* The result of a single request's answer (status, and its JSON body or NULL). */
void wp_single_result(long status, const cJSON *body, struct wp_result *out);

#endif
