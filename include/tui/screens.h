/* The console's screens. Destinations and plans will join them as more screen_ops. */
#ifndef FEEDSYNC_TUI_SCREENS_H
#define FEEDSYNC_TUI_SCREENS_H

#include <stdint.h>

#include "tui/app.h"

extern const struct screen_ops connections_screen_ops, runs_screen_ops, run_screen_ops, help_screen_ops,
	destinations_screen_ops, plan_screen_ops, products_screen_ops, log_screen_ops, stats_screen_ops;

struct screen *screen_connections_new(struct app *app);
/* Every run, or the runs of one connection (conn_id > 0). */
struct screen *screen_runs_new(struct app *app, int64_t conn_id, const char *conn_name);
struct screen *screen_run_new(struct app *app, int64_t run_id);
struct screen *screen_destinations_new(struct app *app);
/* The whole log of a run (as much as LOG_VIEW_KEPT lines), following it while the run is live. */
struct screen *screen_log_new(struct app *app, int64_t run_id);
/* Per connection and per shop: what the runs of the last 30 days did. */
struct screen *screen_stats_new(struct app *app);
/* The plan made by run_id (a `run --plan` run). */
struct screen *screen_plan_new(struct app *app, int64_t run_id);
/* The catalog of connection conn_id, product by product. */
struct screen *screen_products_new(struct app *app, int64_t conn_id, const char *conn_name);
/* Opens the plan of a run, or says in the status line that the run made none. */
void plan_action_open(struct app *app, const struct run_row *r);
/* The keys of screen `of`, generated from the key bindings. */
struct screen *screen_help_new(struct app *app, const struct screen *of);

/* The list actions every list screen gets, and the actions every screen gets, ending with ACTION_NONE. */
extern const enum action table_actions[];
extern const enum action global_actions[];

#endif
