/* The console's table model over store_views: sorting, filtering, counting, paging, layout, export. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/store.h"
#include "core/store_views.h"
#include "core/util.h"
#include "tui/export.h"
#include "tui/table.h"

#define CONNS 30

static char dir[64];
static struct store *store;
static struct store_views *views;

static void cell_id(const void *row, const struct cell_ctx *ctx, struct strbuf *out, enum role *role)
{
	(void)ctx, (void)role;
	sb_addf(out, "%lld", (long long)((const struct conn_row *)row)->id);
}

static void cell_name(const void *row, const struct cell_ctx *ctx, struct strbuf *out, enum role *role)
{
	(void)ctx, (void)role;
	sb_adds(out, ((const struct conn_row *)row)->name);
}

static void cell_source(const void *row, const struct cell_ctx *ctx, struct strbuf *out, enum role *role)
{
	(void)ctx, (void)role;
	sb_adds(out, ((const struct conn_row *)row)->source_type);
}

static const struct table_column columns[] = {
	{"id", "ID", 5, 3, false, 'r', CONN_F_ID, cell_id, false, 0},
	{"name", "NAME", 20, 8, true, 'l', CONN_F_NAME, cell_name, false, 0},
	{"source", "SOURCE", 9, 4, false, 'l', CONN_F_SOURCE, cell_source, false, 0},
	{"schedule", "SCHEDULE", 10, 6, false, 'l', CONN_F_SCHEDULE, cell_source, true, 0},
};

static int fetch_conns(struct store_views *v, const struct view_query *q, int64_t offset, int limit,
                       int64_t matched, void **rows, size_t *n)
{
	struct conn_row *out;
	int rc = store_views_conns(v, q, offset, limit, matched, &out, n);
	*rows = out;
	return rc;
}

static void free_conns(void *rows, size_t n)
{
	conn_rows_free(rows, n);
}

static int64_t conn_id(const void *row)
{
	return ((const struct conn_row *)row)->id;
}

static const struct table_source source = {
	STORE_VIEW_CONNS, sizeof(struct conn_row), fetch_conns, free_conns, conn_id, NULL,
};

static int64_t add_conn(const char *name, const char *type, bool active)
{
	struct conn_fields f = {.name = name, .active = active, .source_type = type, .source_url = "x",
	                        .schedule = "manual", .document = "{}"};
	int64_t id = 0;
	char err[256];
	cr_assert_eq(store_conn_insert(store, &f, &id, err, sizeof(err)), 0, "%s", err);
	return id;
}

static int64_t add_run(int64_t conn, const char *status)
{
	int64_t id;
	struct run_row active, r;
	cr_assert_eq(store_run_enqueue(store, conn, "manual", 0, 1, false, &id, &active), 0);
	if (str_eq(status, RUN_QUEUED))
		return id;
	cr_assert_eq(store_run_claim(store, "test", id, &r), 1);
	if (!str_eq(status, RUN_RUNNING))
		cr_assert_eq(store_run_finish(store, id, status, "done", now_ms()), 0);
	return id;
}

/* conn-00 .. conn-29, csv/json/xml in turn, every fifth disabled; conn-03 failed last, conn-04 runs now. */
static void setup(void)
{
	str_copy(dir, "/tmp/feedsync-table-XXXXXX", sizeof(dir));
	cr_assert_not_null(mkdtemp(dir));
	char *path = xasprintf("%s/t.db", dir);
	char err[256];
	store = store_open_path(path, 1000, err, sizeof(err));
	free(path);
	cr_assert_not_null(store, "%s", err);
	static const char *const types[] = {"csv", "json", "xml"};
	for (int i = 0; i < CONNS; i++) {
		char name[32];
		snprintf(name, sizeof(name), "conn-%02d", i);
		add_conn(name, types[i % 3], i % 5 != 0);
	}
	add_run(5, RUN_COMPLETED);   /* connection 5 is conn-04 */
	add_run(5, RUN_FAILED);
	add_run(5, RUN_COMPLETED);
	add_run(6, RUN_FAILED);
	add_run(6, RUN_RUNNING);
	views = store_views_open(store);
}

static void teardown(void)
{
	store_views_close(views);
	store_close(store);
	char *cmd = xasprintf("rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
	free(cmd);
}

TestSuite(table, .init = setup, .fini = teardown);

static void open_table(struct table *t, int sort_col, bool desc, int page)
{
	table_init(t, columns, (int)ARRAY_LEN(columns), &source, views);
	t->sort_col = sort_col;
	t->descending = desc;
	t->page = page;
	cr_assert_eq(table_reload(t), 0, "%s", t->error);
}

static const struct conn_row *row_at(const struct table *t, int64_t index)
{
	const struct conn_row *r = table_row_at(t, index);
	cr_assert_not_null(r, "row %lld is not in the window [%lld, +%zu)", (long long)index, (long long)t->top,
	                   t->nrows);
	return r;
}

Test(table, counts_and_reads_the_first_window)
{
	struct table t;
	open_table(&t, 1, false, 10);
	cr_assert_eq(t.matched, CONNS);
	cr_assert_eq(t.total, CONNS);
	cr_assert_eq(t.nrows, 10);
	cr_assert_str_eq(row_at(&t, 0)->name, "conn-00");
	cr_assert_str_eq(((const struct conn_row *)table_selected(&t))->name, "conn-00");
	table_free(&t);
}

Test(table, sorts_by_any_column_both_ways)
{
	struct table t;
	open_table(&t, 1, true, 5);
	cr_assert_str_eq(row_at(&t, 0)->name, "conn-29");
	table_sort_reverse(&t);
	cr_assert_str_eq(row_at(&t, 0)->name, "conn-00");
	table_sort_next(&t);   /* source: csv first, then by id */
	cr_assert_eq(t.sort_col, 2);
	cr_assert_str_eq(row_at(&t, 0)->source_type, "csv");
	cr_assert_str_eq(row_at(&t, 0)->name, "conn-00");
	cr_assert_str_eq(row_at(&t, 1)->name, "conn-03");
	table_sort_next(&t);   /* schedule is hidden: back to id */
	cr_assert_eq(t.sort_col, 0);
	table_sort_by(&t, 0);  /* the same column again reverses */
	cr_assert(t.descending);
	cr_assert_eq(row_at(&t, 0)->id, CONNS);
	table_free(&t);
}

Test(table, sorts_by_the_latest_run_status)
{
	struct table t;
	table_init(&t, columns, (int)ARRAY_LEN(columns), &source, views);
	t.page = 3;
	struct view_query q = table_query(&t);
	q.sort = CONN_F_STATUS;
	q.descending = true;   /* running > failed > completed > (never) */
	struct conn_row *rows;
	size_t n;
	cr_assert_eq(store_views_conns(views, &q, 0, 3, CONNS, &rows, &n), 0);
	cr_assert_eq(n, 3);
	cr_assert_str_eq(rows[0].name, "conn-05");
	cr_assert_str_eq(rows[0].last_status, RUN_RUNNING);
	cr_assert_str_eq(rows[1].name, "conn-04");
	cr_assert_str_eq(rows[1].last_status, RUN_COMPLETED);
	cr_assert_null(rows[2].last_status);
	conn_rows_free(rows, n);
	table_free(&t);
}

Test(table, filter_searches_visible_columns_and_counts)
{
	struct table t;
	open_table(&t, 1, false, 10);
	table_set_filter(&t, "CONN-1");   /* case-insensitive */
	cr_assert_eq(t.matched, 10);      /* conn-10 .. conn-19 */
	cr_assert_eq(t.total, CONNS);
	cr_assert_str_eq(row_at(&t, 0)->name, "conn-10");
	table_set_filter(&t, "json");     /* the source column */
	cr_assert_eq(t.matched, 10);
	table_toggle_column(&t, 2);       /* hidden: no longer searched */
	cr_assert_eq(t.matched, 0);
	table_toggle_column(&t, 2);
	table_set_filter(&t, "%");        /* LIKE wildcards are plain text */
	cr_assert_eq(t.matched, 0);
	table_set_filter(&t, "");
	cr_assert_eq(t.matched, CONNS);
	table_free(&t);
}

Test(table, quick_filters)
{
	struct table t;
	open_table(&t, 0, false, 10);
	table_set_quick(&t, QUICK_PROBLEMS);
	cr_assert_eq(t.matched, 0, "conn-04's latest run completed, conn-05's runs");
	table_set_quick(&t, QUICK_RUNNING);
	cr_assert_eq(t.matched, 1);
	cr_assert_str_eq(row_at(&t, 0)->name, "conn-05");
	table_set_quick(&t, QUICK_ACTIVE);
	cr_assert_eq(t.matched, CONNS - CONNS / 5);
	table_free(&t);
}

Test(table, pages_through_the_list_and_reads_the_end_backwards)
{
	struct table t;
	open_table(&t, 1, false, 7);
	table_move(&t, 9);
	cr_assert_eq(t.cursor, 9);
	cr_assert_eq(t.top, 3);
	cr_assert_str_eq(row_at(&t, 9)->name, "conn-09");
	table_move(&t, -100);
	cr_assert_eq(t.cursor, 0);
	cr_assert_eq(t.top, 0);
	table_move_to(&t, t.matched - 1);   /* End: the window past the middle is read from the end */
	cr_assert_eq(t.top, CONNS - 7);
	for (int64_t i = t.top; i < CONNS; i++) {
		char want[32];
		snprintf(want, sizeof(want), "conn-%02lld", (long long)i);
		cr_assert_str_eq(row_at(&t, i)->name, want);
	}
	table_move(&t, 5);   /* stays on the last row */
	cr_assert_eq(t.cursor, CONNS - 1);
	table_free(&t);
}

Test(table, selection_stays_on_its_row_when_rows_arrive)
{
	struct table t;
	open_table(&t, 1, false, 10);
	table_move_to(&t, 4);
	cr_assert_str_eq(((const struct conn_row *)table_selected(&t))->name, "conn-04");
	add_conn("a-first", "csv", true);   /* sorts before everything */
	cr_assert_eq(table_reload(&t), 0);
	cr_assert_eq(t.matched, CONNS + 1);
	cr_assert_eq(t.cursor, 5);
	cr_assert_str_eq(((const struct conn_row *)table_selected(&t))->name, "conn-04");
	table_free(&t);
}

Test(table, runs_of_one_connection_sorted_by_name_and_status)
{
	struct view_query q = {.sort = RUN_F_ID, .descending = true, .connection_id = 5};
	int64_t matched, total;
	cr_assert_eq(store_views_count(views, STORE_VIEW_RUNS, &q, &matched, &total), 0);
	cr_assert_eq(total, 3);
	q.quick = QUICK_PROBLEMS;
	cr_assert_eq(store_views_count(views, STORE_VIEW_RUNS, &q, &matched, &total), 0);
	cr_assert_eq(matched, 1);
	struct view_query all = {.sort = RUN_F_CONNECTION, .descending = true};
	struct run_row *rows;
	size_t n;
	cr_assert_eq(store_views_runs(views, &all, 0, 10, -1, &rows, &n), 0);
	cr_assert_eq(n, 5);
	cr_assert_str_eq(rows[0].connection_name, "conn-05");
	cr_assert(rows[0].id > rows[1].id, "ties broken by id along the name index, descending");
	cr_assert_str_eq(rows[4].connection_name, "conn-04");
	int64_t fourth = rows[3].id, fifth = rows[4].id;
	free(rows);
	/* The same window read from the end gives the same rows. */
	cr_assert_eq(store_views_runs(views, &all, 3, 2, 5, &rows, &n), 0);
	cr_assert_eq(n, 2);
	cr_assert_eq(rows[0].id, fourth);
	cr_assert_eq(rows[1].id, fifth);
	free(rows);
	struct view_query search = {.sort = RUN_F_ID, .filter = "fail", .filter_fields = 1u << RUN_F_STATUS};
	cr_assert_eq(store_views_count(views, STORE_VIEW_RUNS, &search, &matched, &total), 0);
	cr_assert_eq(matched, 2);
	search.filter = "ok";   /* the word the console shows for completed */
	cr_assert_eq(store_views_count(views, STORE_VIEW_RUNS, &search, &matched, &total), 0);
	cr_assert_eq(matched, 2);
	int64_t failed;
	cr_assert_eq(store_views_latest_failed_run(views, 6, &failed), 1);
	cr_assert_eq(failed, 4);
	cr_assert_eq(store_views_latest_failed_run(views, 7, &failed), 0);
}

/* Triggers and phases are closed sets searched by their words; a name every connection has selects all. */
Test(table, runs_found_by_trigger_phase_and_a_name_every_connection_has)
{
	uint32_t searched = 1u << RUN_F_CONNECTION | 1u << RUN_F_TRIGGER | 1u << RUN_F_STATUS | 1u << RUN_F_PHASE;
	struct view_query q = {.sort = RUN_F_ID, .filter_fields = searched};
	int64_t matched, total, retry;
	struct run_row active;
	cr_assert_eq(store_run_enqueue(store, 7, "retry", 4, 2, false, &retry, &active), 0);
	cr_assert_eq(store_run_flush(store, 5, "pushing", (int64_t[RC_COUNT]){0}, 0, now_ms()), 0);
	q.filter = "etr";    /* inside "retry" */
	cr_assert_eq(store_views_count(views, STORE_VIEW_RUNS, &q, &matched, &total), 0);
	cr_assert_eq(matched, 1);
	struct run_row *rows;
	size_t n;
	cr_assert_eq(store_views_runs(views, &q, 0, 10, matched, &rows, &n), 0);
	cr_assert_eq(n, 1);
	cr_assert_eq(rows[0].id, retry);
	free(rows);
	q.filter = "PUSH";   /* the running run's phase */
	cr_assert_eq(store_views_count(views, STORE_VIEW_RUNS, &q, &matched, &total), 0);
	cr_assert_eq(matched, 1);
	q.filter = "conn-";  /* every connection's name: every run */
	cr_assert_eq(store_views_count(views, STORE_VIEW_RUNS, &q, &matched, &total), 0);
	cr_assert_eq(matched, total);
	cr_assert_eq(store_views_runs(views, &q, 0, 10, matched, &rows, &n), 0);
	cr_assert_eq((int64_t)n, total);
	free(rows);
	q.filter = "conn-05";
	cr_assert_eq(store_views_count(views, STORE_VIEW_RUNS, &q, &matched, &total), 0);
	cr_assert_eq(matched, 2);
	q.filter = "zzz";
	cr_assert_eq(store_views_count(views, STORE_VIEW_RUNS, &q, &matched, &total), 0);
	cr_assert_eq(matched, 0);
	cr_assert_eq(store_run_enqueue(store, 8, "whatever", 0, 1, false, &retry, &active), -1,
	             "an unknown trigger could not be found by its word");
}

static void expect_latest(int64_t conn, const char *want)
{
	struct sqldb_stmt *st;
	cr_assert_eq(sqldb_prepare(store_db(store),
	             "SELECT last_run_id || ' ' || coalesce(last_status, '-') || ' ' || (coalesce(last_started_at, 0) > 0) || ' '"
	             " || last_failed FROM connections WHERE id = ?1", &st), SQLDB_OK);
	sqldb_bind_int64(st, 1, conn);
	cr_assert_eq(sqldb_step(st), SQLDB_ROW);
	cr_assert_str_eq((const char *)sqldb_column_text(st, 0), want);
	sqldb_finalize(st);
}

/* Triggers keep each connection's latest run on it, which the connections view sorts and filters by. */
Test(table, the_connection_keeps_its_latest_run)
{
	expect_latest(5, "3 completed 1 0");
	int64_t id = add_run(8, RUN_QUEUED);
	char want[64];
	snprintf(want, sizeof(want), "%lld queued 0 0", (long long)id);
	expect_latest(8, want);
	struct run_row r;
	cr_assert_eq(store_run_claim(store, "test", id, &r), 1);
	int64_t counters[RC_COUNT] = {[RC_FAILED] = 7};
	cr_assert_eq(store_run_flush(store, id, "local_import", counters, 7, now_ms()), 0);
	snprintf(want, sizeof(want), "%lld running 1 7", (long long)id);
	expect_latest(8, want);
	cr_assert_eq(store_run_finish(store, id, RUN_FAILED, "bad rows", now_ms()), 0);
	snprintf(want, sizeof(want), "%lld failed 1 7", (long long)id);
	expect_latest(8, want);
	struct view_query q = {.sort = CONN_F_STATUS, .descending = true, .quick = QUICK_PROBLEMS};
	int64_t matched, total;
	cr_assert_eq(store_views_count(views, STORE_VIEW_CONNS, &q, &matched, &total), 0);
	cr_assert_eq(matched, 1);
	struct conn_row *rows;
	size_t n;
	cr_assert_eq(store_views_conns(views, &q, 0, 10, matched, &rows, &n), 0);
	cr_assert_eq(n, 1);
	cr_assert_str_eq(rows[0].name, "conn-07");
	cr_assert_str_eq(rows[0].last_status, RUN_FAILED);
	cr_assert_eq(rows[0].last_failed, 7);
	conn_rows_free(rows, n);
}

Test(table, layout_fits_the_width)
{
	struct table t;
	table_init(&t, columns, (int)ARRAY_LEN(columns), &source, views);
	int x[TABLE_COLS_MAX], w[TABLE_COLS_MAX];
	table_layout(&t, 80, NULL, x, w);
	cr_assert_eq(w[0], 5);
	cr_assert_eq(w[2], 9);
	cr_assert_eq(w[3], 0, "hidden");
	cr_assert_eq(x[2] + w[2], 80, "the flexible name takes the rest");
	table_layout(&t, 24, NULL, x, w);   /* 5 + 8 + 9 and two gaps */
	cr_assert_eq(w[1], 8, "the name gives way first, down to its minimum");
	cr_assert_eq(w[2], 9, "the source stays whole");
	table_layout(&t, 20, NULL, x, w);
	cr_assert_eq(w[2], 0, "the last column is dropped, not cut");
	cr_assert_eq(x[1] + w[1], 20);
	table_free(&t);
}

static const struct table_column ranked[] = {
	{"id", "ID", 5, 2, false, 'r', CONN_F_ID, cell_id, false, 0},
	{"name", "NAME", 20, 8, true, 'l', CONN_F_NAME, cell_name, false, 0},
	{"source", "SOURCE", 12, 4, false, 'l', CONN_F_SOURCE, cell_source, false, 1},
	{"schedule", "SCHEDULE", 10, 6, false, 'l', CONN_F_SCHEDULE, cell_source, false, 2},
	{"next", "NEXT", 8, 6, false, 'r', CONN_F_NEXT_DUE, cell_source, false, 0},
};

Test(table, layout_gives_columns_what_their_cells_need_and_drops_by_rank)
{
	struct table t;
	table_init(&t, ranked, (int)ARRAY_LEN(ranked), &source, views);
	int x[TABLE_COLS_MAX], w[TABLE_COLS_MAX];
	const int need[] = {3, 30, 11, 2, 40};
	table_layout(&t, 100, need, x, w);
	cr_assert_eq(w[0], 3, "its need");
	cr_assert_eq(w[2], 11, "its need");
	cr_assert_eq(w[3], 6, "never below its minimum");
	cr_assert_eq(w[4], 8, "never above its width");
	cr_assert_eq(x[4] + w[4], 100, "the name takes the rest");
	table_layout(&t, 3 + 8 + 11 + 6 + 8 + 4, need, x, w);
	cr_assert_eq(w[1], 8, "the name gave way first");
	cr_assert(w[2] == 11 && w[3] == 6, "the others whole");
	table_layout(&t, 3 + 8 + 11 + 6 + 8 + 3, need, x, w);
	cr_assert_eq(w[3], 0, "the highest rank goes first");
	cr_assert(w[2] == 11 && w[4] == 8 && w[1] == 8 + 6, "the others whole, the name gets the room");
	table_layout(&t, 3 + 8 + 8 + 2, need, x, w);
	cr_assert(w[2] == 0 && w[3] == 0, "then the next rank");
	cr_assert(w[0] == 3 && w[4] == 8);
	table_free(&t);
}

Test(table, export_writes_every_row_and_escapes_formulas)
{
	add_conn("=HYPERLINK(\"x\")", "csv", true);
	struct table t;
	open_table(&t, 0, false, 5);
	char *path = xasprintf("%s/out.csv", dir);
	char err[256];
	struct cell_ctx ctx = {.g = &glyphs_ascii, .now = now_ms(), .plain = true};
	cr_assert_eq(table_export_csv(&t, &ctx, path, err, sizeof(err)), CONNS + 1, "%s", err);
	FILE *f = fopen(path, "r");
	char line[256];
	cr_assert_not_null(fgets(line, sizeof(line), f));
	cr_assert_str_eq(line, "\"id\",\"name\",\"source\"\n");
	int lines = 1;
	bool escaped = false;
	while (fgets(line, sizeof(line), f)) {
		lines++;
		escaped |= strstr(line, "\"'=HYPERLINK(\"\"x\"\")\"") != NULL;
	}
	fclose(f);
	cr_assert_eq(lines, CONNS + 2);
	cr_assert(escaped, "the formula cell is escaped");
	free(path);
	table_free(&t);
}

Test(table, log_tail_starts_before_the_last_lines)
{
	for (int i = 0; i < 10; i++)
		cr_assert_eq(store_run_event_insert(store, 1, now_ms(), "info", "line"), 0);
	int64_t after;
	cr_assert_eq(store_views_log_tail(views, 1, 3, &after), 0);
	struct run_event_row *ev;
	size_t n;
	cr_assert_eq(store_run_events(store, 1, after, 0, &ev, &n), 0);
	cr_assert_eq(n, 3);
	run_event_rows_free(ev, n);
	cr_assert_eq(store_views_log_tail(views, 1, 20, &after), 0);
	cr_assert_eq(after, 0);
}

Test(table, selects_a_row_by_id_beyond_the_window)
{
	struct table t;
	open_table(&t, 1, true, 5);   /* by name, descending: conn-29 first, conn-02 (id 3) 28th */
	cr_assert(table_select_id(&t, 3));
	cr_assert_eq(t.cursor, 27);
	cr_assert_str_eq(((const struct conn_row *)table_selected(&t))->name, "conn-02");
	cr_assert_not(table_select_id(&t, 999), "no such row");
	cr_assert_eq(t.cursor, 27, "the selection stays");
	table_free(&t);
}

Test(table, the_latest_problem_run_of_any_connection_or_of_one)
{
	int64_t run_id = 0;
	cr_assert_eq(store_views_latest_failed_run(views, 0, &run_id), 1);
	cr_assert_eq(run_id, 4, "conn-05's failed run, the newest that failed");
	cr_assert_eq(store_views_latest_failed_run(views, 5, &run_id), 1);
	cr_assert_eq(run_id, 2);
	int64_t with_errors = add_run(1, RUN_COMPLETED_WITH_ERRORS);
	cr_assert_eq(store_views_latest_failed_run(views, 0, &run_id), 1);
	cr_assert_eq(run_id, with_errors, "completed with errors counts as a problem too");
	cr_assert_eq(store_views_latest_failed_run(views, 2, &run_id), 0, "conn-01 never ran");
}

Test(table, sort_previous_goes_left_round_the_hidden_ones)
{
	struct table t;
	open_table(&t, 1, true, 5);
	table_sort_previous(&t);
	cr_assert_eq(t.sort_col, 0);
	cr_assert_not(t.descending, "a new sort column starts ascending");
	table_sort_previous(&t);   /* schedule (3) is hidden: round to source */
	cr_assert_eq(t.sort_col, 2);
	table_sort_next(&t);
	cr_assert_eq(t.sort_col, 0);
	table_free(&t);
}

Test(table, search_finds_the_next_and_previous_row_in_visible_cells)
{
	struct table t;
	struct cell_ctx ctx = {0};
	bool wrapped;
	open_table(&t, 1, false, 5);
	cr_assert_eq(table_search(&t, "CONN-2", 1, 0, &ctx, &wrapped), 20, "any case, beyond the window");
	cr_assert_not(wrapped);
	cr_assert_eq(table_search(&t, "conn-2", 1, 20, &ctx, &wrapped), 21);
	cr_assert_eq(table_search(&t, "-07", 1, 10, &ctx, &wrapped), 7);
	cr_assert(wrapped, "went round the end");
	cr_assert_eq(table_search(&t, "conn-2", -1, 20, &ctx, &wrapped), 29);
	cr_assert(wrapped, "went round the start");
	cr_assert_eq(table_search(&t, "-05", 1, 5, &ctx, &wrapped), 5, "the selected row itself when only it holds it");
	cr_assert_eq(table_search(&t, "zzz", 1, 0, &ctx, &wrapped), -1);
	cr_assert_eq(table_search(&t, "xml", 1, 0, &ctx, &wrapped), 2);
	table_toggle_column(&t, 2);
	cr_assert_eq(table_search(&t, "xml", 1, 0, &ctx, &wrapped), -1, "hidden columns are not searched");
	table_set_filter(&t, "json");
	cr_assert_eq(table_search(&t, "conn-", 1, 0, &ctx, &wrapped), -1, "the filter searched source, now hidden");
	table_free(&t);
}

Test(table, marks_stay_on_their_rows_whatever_the_order)
{
	struct table t;
	open_table(&t, 1, false, 5);
	table_toggle_mark(&t);
	table_move_to(&t, 2);
	table_toggle_mark(&t);
	cr_assert_eq(t.nmarks, 2);
	cr_assert(table_is_marked(&t, row_at(&t, 0)->id));
	cr_assert_not(table_is_marked(&t, row_at(&t, 1)->id));
	int64_t third = row_at(&t, 2)->id;
	table_sort_reverse(&t);
	cr_assert(table_is_marked(&t, third), "the mark is the row's, not the position's");
	table_move_to(&t, CONNS - 3);
	cr_assert_eq(row_at(&t, CONNS - 3)->id, third);
	table_toggle_mark(&t);
	cr_assert_eq(t.nmarks, 1);
	cr_assert_not(table_is_marked(&t, third));
	table_clear_marks(&t);
	cr_assert_eq(t.nmarks, 0);
	table_free(&t);
}
