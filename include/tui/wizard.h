/*
 * The connection wizard: one screen that walks through the six steps of a connection (source, preview and
 * filters, mapping, destination, schedule, review and save) for a new connection, an edit (pre-filled) or
 * a copy (pre-filled, a new name). Its answers live in tui/wizard_model.h; this is the screen around them:
 * forms (tui/form.h), the background fetch of a sample and the shop checks (tui/task.h), and saving.
 */
#ifndef FEEDSYNC_TUI_WIZARD_H
#define FEEDSYNC_TUI_WIZARD_H

#include <stdint.h>

#include "tui/app.h"
#include "tui/wizard_model.h"

extern const struct screen_ops wizard_screen_ops;

/* NULL, with the reason on the status line, when connection conn_id cannot be read (edit and copy). */
struct screen *screen_wizard_new(struct app *app, enum wiz_mode mode, int64_t conn_id);

#endif
