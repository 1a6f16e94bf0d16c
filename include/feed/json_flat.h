/*
 * A JSON item as one flat row, so nested feeds can be mapped, filtered and required like flat ones:
 *
 *   {"price": {"amount": 12.50}}        price.amount = "12.50" (numbers as the feed wrote them)
 *   {"categories": ["Casă", "Baie"]}    categories = "Casă > Baie" (an array of scalars is one column, its
 *                                       values joined by the list join; "|" when the array's name is an
 *                                       image column: image, images, poza, ...)
 *   {"images": [{"url": "a"}, {...}]}   images.0.url = "a", images.1.url, ... and images.*.url, every
 *                                       match joined the same way
 *   true / false / null                 "true" / "false" / "" (null and empty values are left out of joins)
 *   {} inside an item                   no column
 *   {"price": 1, "price": 2}            price = "1", price_2 = "2": a key that repeats an earlier one of its
 *                                       object is read as KEY_2 (KEY_3, ...: the first suffix no key has),
 *                                       as a CSV header is, with a warning once a run for each path
 *
 * Bounded: an item nested deeper than JSON_FLAT_MAX_DEPTH or with more than JSON_FLAT_MAX_COLUMNS columns
 * once flattened is a malformed row whose problem names the path where the limit was reached.
 */
#ifndef FEEDSYNC_FEED_JSON_FLAT_H
#define FEEDSYNC_FEED_JSON_FLAT_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "feed/record.h"

struct problems;

#define JSON_FLAT_MAX_DEPTH 32
#define JSON_FLAT_MAX_COLUMNS 1000
#define JSON_IMAGE_JOIN "|"

struct json_flat;

/*
 * list_join: between the values of a list that is not an image column (NULL: " > ", the category path's).
 * warnings (may be NULL): where a repeated key is said, under "columns", with the item (or line) it is in:
 * "item 3: key 3 `price` repeats key 2; read it as `price_2`".
 */
struct json_flat *json_flat_new(const char *list_join, struct problems *warnings);
void json_flat_free(struct json_flat *f); /* NULL-safe */

/*
 * Fills rec->n, names, values and problem from the object `item`, parsed by cJSON from text[0..len), whose
 * numbers are cut out of text in place (cJSON must be done with it; text[len] must be writable); rec->line
 * and rec->item say where the item is, for warnings. The record is valid until the next call; item and
 * text must outlive it.
 */
void json_flat_item(struct json_flat *f, const cJSON *item, char *text, size_t len, struct record *rec);

#endif
