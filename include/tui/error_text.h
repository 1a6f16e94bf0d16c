/*
 * A stored run error told for people: one line for the run screen, labelled fields for the errors view,
 * and the text the clipboard gets. The detail JSON is read for what it holds: the HTTP status, the item's
 * status, the request (method and path), the response's content type and an excerpt of it; any other key
 * is shown as `key: value`.
 */
#ifndef FEEDSYNC_TUI_ERROR_TEXT_H
#define FEEDSYNC_TUI_ERROR_TEXT_H

#include <stdbool.h>
#include <stdint.h>

#include "core/store.h"
#include "core/util.h"

/* "10:22:01 sku A-1 item 400 product_invalid_sku: the shop refused ...", or "line 12 price ..." for a row. */
void error_text_line(const struct run_error_row *e, struct strbuf *out);
/* "Code: ...\nSKU: ...\nStatus: HTTP 200, item 400\n..." and the message, one field a line. */
void error_text_fields(const struct run_error_row *e, struct strbuf *out);
/*
 * The whole error on one line, control characters made visible (^[), for the clipboard:
 * "run 7: product_invalid_sku sku A-1 HTTP 200 item 400: message".
 */
void error_text_copy(int64_t run_id, const struct run_error_row *e, struct strbuf *out);

#endif
