/*
 * The images a WordPress destination has uploaded to its site's media library: the attachment id of each image
 * URL, so that an image is uploaded once however many posts and runs show it.
 */
#ifndef FEEDSYNC_CORE_STORE_MEDIA_H
#define FEEDSYNC_CORE_STORE_MEDIA_H

#include <stdint.h>

#include "core/store.h"

/* The attachment id of url in the destination's site: 1 (*media_id set), 0 none cached, -1 error. */
int store_media_get(struct store *s, int64_t dest_id, const char *url, int64_t *media_id);
/* Records url's attachment id (replacing any). 0 or -1. */
int store_media_put(struct store *s, int64_t dest_id, const char *url, int64_t media_id, int64_t now);
/* Forgets url's attachment (deleted in the site): the next push uploads it again. 0 or -1. */
int store_media_forget(struct store *s, int64_t dest_id, const char *url);

#endif
