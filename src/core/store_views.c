/*
 * The console's lists (see store_views.h). A statement's SQL depends on its shape: the sort field and
 * direction (so that SQLite can walk an index instead of sorting), the quick filter (so that a status
 * condition can use the status index), whether a substring is searched, and whether the joined table is
 * needed at all (sorting runs by their connection's name). Each shape is
 * assembled from the tables below and prepared once; what the user types is bound, never spliced.
 */
#include "core/store_views.h"

#include <stdlib.h>
#include <string.h>

#include "core/state_index.h"
#include "core/store_products.h"
#include "core/util.h"
#include "product_sql.h"
#include "store_internal.h"

const char *const quick_filter_names[QUICK_COUNT] = {"all", "problems", "running", "active"};

/* Parameters: the same numbers in every statement. */
/* The substring as a LIKE pattern: LIKE folds ASCII case as lower() does, without a copy of every value. */
#define P_FILTER "?1"
#define MATCHES " LIKE " P_FILTER " ESCAPE '\\'"
#define P_CONN "?2"
/* A run that needs a look: it failed, or some of its rows or items did (the "problems" quick filter, `!`). */
#define PROBLEM_STATUSES "('failed','completed_with_errors')"
#define P_LIMIT "?3"
#define P_OFFSET "?4"
/* The filter as typed, for a condition that is not a LIKE (bound only where a statement has it). */
#define P_TEXT "?5"
/* A seek's edge row: its sort key and its tie (store_views_products_seek). */
#define P_EDGE_KEY "?6"
#define P_EDGE_TIE "?7"

/*
 * Fields with a closed set of values (a run's status, trigger and phase) are searched by the words the
 * console shows for each value. The values whose words contain the filter are found here, so that a
 * search that matches none (most do) neither reads the field nor joins the latest run, and one that
 * matches some becomes an IN list that an index can serve.
 */
struct word {
	const char *value;   /* as stored; NULL: no value (a connection that never ran) */
	const char *words;
};

static const struct word status_words[] = {
	{RUN_COMPLETED, "ok completed"}, {RUN_COMPLETED_WITH_ERRORS, "errors completed_with_errors"},
	{RUN_FAILED, "failed"}, {RUN_RUNNING, "running"}, {RUN_QUEUED, "queued"}, {RUN_CANCELLED, "cancelled"},
	{NULL, "never"}, {NULL, NULL},
};

#define MAX_WORDS 16

/* How the filter searches a field. */
enum search_kind {
	SEARCH_NONE,
	SEARCH_TEXT,        /* `search` is the field's text */
	SEARCH_WORDS,       /* `search` has one of the values of `words` */
	SEARCH_CONDITION,   /* `search` is a whole condition on P_FILTER or P_TEXT */
};

struct field {
	const char *sort;       /* expression sorted by */
	enum search_kind kind;
	const char *search;
	/* SEARCH_WORDS: the values and their words, ending with {NULL, NULL}; or values searched by their
	 * own text, ending with NULL. At most MAX_WORDS. */
	const struct word *words;
	const char *const *values;
	bool sort_joined;       /* sorting needs the view's joined table */
	bool digits;            /* an id: only a filter of digits can be in it */
	/* SEARCH_CONDITION: a query on P_FILTER that is 1 when the condition holds for every row, and then the
	 * filter selects everything (short prefixes match every connection's name: counting 100 000 runs of
	 * "every connection" would cost a probe per run) */
	const char *always;
	bool indexed;           /* an index gives this order (ties in id order) */
	/* The index a window under the quick filter walks in this order when the filter selects few rows
	 * (QUICK_FEW); NULL: the view's quick_index. */
	const char *quick_index;
	/* Every quick filter holds this field to one value: the window is ordered by the tie alone (SQLite
	 * 3.40 sorts "ORDER BY expr, id" even where "expr = constant" is the key of the index it walks). */
	bool quick_constant;
	/* What orders ties, as the field's index holds them after its key; NULL: the view's id. */
	const char *tie;
	/* A field of a few values, with its tie searched: a condition naming all of them, so that the index
	 * seeks the searched range under each value in turn, in the order of the window, instead of sorting
	 * every match. */
	const char *every_value;
	/* No two rows of a scope share the key: a seek compares the key alone. */
	bool unique;
};

struct view_def {
	const char *columns;
	const char *from;          /* the view's own table */
	const char *from_joined;   /* with the joined table, for a field that sorts by it */
	const char *window_from;   /* the columns of the window rows `w` */
	const char *scope;         /* condition on P_CONN, used when a query names a connection */
	const char *scope_count;   /* the rows in that scope, kept by the writes; NULL: counted */
	const char *quick[QUICK_COUNT];
	/* An index that serves the quick filters' conditions, walked for a window when they select few rows
	 * (QUICK_FEW): walking the order's index instead would read a table row for every row it passes over,
	 * all of them when nothing matches. NULL: the planner chooses. */
	const char *quick_index;
	/* The quick filters' conditions as a count has them, where an index holds all they test and the
	 * window's condition tests more (NULL: as the window has them). */
	const char *quick_counted[QUICK_COUNT];
	const char *id;            /* the tie-breaker that makes every order total */
	const struct field *fields;
	int nfields;
};

static const struct field conn_fields[CONN_F_COUNT] = {
	[CONN_F_ID] = {"c.id", SEARCH_TEXT, "c.id", .digits = true, .indexed = true},
	[CONN_F_NAME] = {"c.name", SEARCH_TEXT, "c.name", .indexed = true},
	[CONN_F_SOURCE] = {"c.source_type", SEARCH_TEXT, "c.source_type"},
	[CONN_F_DEST] = {"coalesce(" CONN_DEST_NAME ", c.dest_type, '')", SEARCH_TEXT,
		"coalesce(" CONN_DEST_NAME ", c.dest_type, '-')"},
	[CONN_F_ACTIVE] = {"c.active", SEARCH_TEXT, "CASE c.active WHEN 1 THEN 'yes' ELSE 'no' END"},
	[CONN_F_SCHEDULE] = {"c.schedule", SEARCH_TEXT, "c.schedule"},
	/* The latest run's fields as the connection keeps them (migration 6), each with its index. */
	[CONN_F_STATUS] = {"c.last_status", SEARCH_WORDS, "c.last_status", status_words, .indexed = true},
	[CONN_F_LAST_RUN] = {"c.last_started_at", .indexed = true},
	[CONN_F_RESULT] = {"c.last_failed", .indexed = true},
	[CONN_F_NEXT_DUE] = {"c.next_due_at"},
};

/* Indexed as it is written here (migration 4): an expression index serves only the same expression. */
#define RUN_DURATION "coalesce(r.finished_at, r.heartbeat_at) - r.started_at"

static const struct field run_fields[RUN_F_COUNT] = {
	[RUN_F_ID] = {"r.id", SEARCH_TEXT, "r.id", .digits = true, .indexed = true},
	/* Names are searched once per query, not joined for every run. */
	[RUN_F_CONNECTION] = {"c.name", SEARCH_CONDITION,
		"r.connection_id IN (SELECT id FROM connections WHERE name" MATCHES ")",
		.sort_joined = true, .indexed = true,
		.always = "SELECT NOT EXISTS (SELECT 1 FROM connections WHERE NOT name" MATCHES ")"},
	[RUN_F_TRIGGER] = {"r.trigger", SEARCH_WORDS, "r.trigger", .values = run_triggers, .indexed = true},
	[RUN_F_STATUS] = {"r.status", SEARCH_WORDS, "r.status", status_words, .indexed = true},
	[RUN_F_PHASE] = {"r.phase", SEARCH_WORDS, "r.phase", .values = run_phases + PHASE_DOWNLOAD,
	                 .indexed = true},
	[RUN_F_PROGRESS] = {"r.rows_read", .indexed = true},
	[RUN_F_RESULT] = {"r.failed", .indexed = true},
	[RUN_F_PUSH] = {"r.push_processed", .indexed = true},
	[RUN_F_STARTED] = {"r.started_at", .indexed = true},
	[RUN_F_DURATION] = {RUN_DURATION, .indexed = true},
};

static const struct word circuit_words[] = {
	{"closed", "closed"}, {"open", "open"}, {"half-open", "half-open"}, {NULL, NULL},
};

static const struct field dest_fields[DEST_F_COUNT] = {
	[DEST_F_ID] = {"d.id", SEARCH_TEXT, "d.id", .digits = true, .indexed = true},
	[DEST_F_NAME] = {"d.name", SEARCH_TEXT, "d.name", .indexed = true},
	[DEST_F_TYPE] = {"d.type", SEARCH_TEXT, "d.type"},
	[DEST_F_URL] = {"d.base_url", SEARCH_TEXT, "d.base_url"},
	[DEST_F_AUTH] = {"d.auth", SEARCH_TEXT, "d.auth"},
	[DEST_F_TLS] = {"d.verify_tls", SEARCH_TEXT, "CASE d.verify_tls WHEN 1 THEN 'on' ELSE 'off' END"},
	[DEST_F_HEALTH] = {"coalesce(d.health_ok, 2)", SEARCH_TEXT,
		"CASE d.health_ok WHEN 1 THEN 'ok' WHEN 0 THEN 'failed' ELSE 'never' END"},
	[DEST_F_CHECKED] = {"d.health_checked_at"},
	[DEST_F_CIRCUIT] = {"d.circuit_state", SEARCH_WORDS, "d.circuit_state", circuit_words},
	[DEST_F_BATCH] = {"d.learned_batch_size"},
	[DEST_F_KNOWN] = {"(SELECT count(*) FROM remote_products WHERE destination_id = d.id)"},
};

/*
 * Products sort by SKU along the primary key, and by state along products_by_state (the same
 * PRODUCT_STATE_SQL, ties in SKU order as the index keeps them since its SKU key came, migration 18). The
 * filter finds the SKUs that begin with it: along the primary key, or by state under each state in turn
 * along products_by_state, which holds both, so that a window reads the index entries of its own rows
 * only (ties in rowid order made SQLite read the table row of every match to sort them by state: 136-270 ms
 * for the 100 000 of "SKU-00" at 1M). A substring, or any other field, would read every product (name,
 * price and quantity have no index: one on each made a full import three times slower). The problems
 * filter (state failed) is counted along products_by_state, which holds the state: no product is read.
 * Its window walks the index of its order: by state products_by_state; by SKU the partial index of failed
 * products (migration 10), which holds the SKU, so that the first window reads the table rows of its own
 * products only, not of every failed product to sort them (10 000 failed at 1M: 88 ms on a cold cache).
 */
static const struct field product_fields[PRODUCT_F_COUNT] = {
	/* A prefix of every SKU ("S", "SKU-") holds for the first and the last: two steps down the key. */
	[PRODUCT_F_SKU] = {"p.sku", SEARCH_CONDITION, "(p.sku >= " P_TEXT " AND p.sku < " P_TEXT " || char(1114111))",
	                   .indexed = true, .unique = true, .quick_index = "products_push_failed",
	                   .always = "SELECT coalesce((SELECT min(sku) FROM products WHERE connection_id = " P_CONN ") >= "
	                             P_TEXT " AND (SELECT max(sku) FROM products WHERE connection_id = " P_CONN ") < "
	                             P_TEXT " || char(1114111), 1)"},
	[PRODUCT_F_STATE] = {PRODUCT_STATE_SQL("p."), .indexed = true, .quick_index = "products_by_state",
	                     .quick_constant = true, .tie = "p.sku",
	                     .every_value = PRODUCT_STATE_SQL("p.") " IN " PRODUCT_STATE_LIST},
};

static const struct view_def views[STORE_VIEW_COUNT] = {
	[STORE_VIEW_CONNS] = {
		.columns = "c.id, c.name, c.active, c.source_type, c.source_url, c.schedule, c.dest_type,"
		           " c.next_due_at, c.created_at, c.updated_at, r.id, r.status, r.started_at,"
		           " r.finished_at, r.created, r.updated, r.skipped, r.failed, " CONN_DEST_NAME,
		.from = "connections c",
		/* The window's rows only read their latest run's counters. */
		.window_from = "connections c ON c.id = w.id LEFT JOIN sync_runs r ON r.id = c.last_run_id",
		.scope = "c.id = " P_CONN,
		.quick = {NULL, "c.last_status IN " PROBLEM_STATUSES, "c.last_status IN ('queued','running')", "c.active = 1"},
		.id = "c.id",
		.fields = conn_fields,
		.nfields = CONN_F_COUNT,
	},
	[STORE_VIEW_RUNS] = {
		.columns = RUN_COLUMNS,
		.from = "sync_runs r",
		/* Sorted by name: SQLite walks the name index, then each connection's runs in id order. */
		.from_joined = "connections c JOIN sync_runs r ON r.connection_id = c.id",
		.window_from = "sync_runs r ON r.id = w.id LEFT JOIN connections c ON c.id = r.connection_id",
		.scope = "r.connection_id = " P_CONN,
		.quick = {NULL, "r.status IN " PROBLEM_STATUSES, "r.status = 'running'", "r.status IN ('queued','running')"},
		.id = "r.id",
		.fields = run_fields,
		.nfields = RUN_F_COUNT,
	},
	/* A few destinations: plain scans, no index needed. */
	[STORE_VIEW_DESTS] = {
		.columns = DEST_COLUMNS_WITH("NULL") ", (SELECT count(*) FROM remote_products WHERE destination_id = d.id), "
		           LIMITS_COLUMNS("d.id", SQL_NOW_MS),
		.from = "destinations d",
		.window_from = "destinations d ON d.id = w.id",
		.scope = "d.id = " P_CONN,
		.quick = {NULL, "(d.health_ok = 0 OR d.circuit_state <> 'closed')"},
		.id = "d.id",
		.fields = dest_fields,
		.nfields = DEST_F_COUNT,
	},
	/* Always of one connection. */
	[STORE_VIEW_PRODUCTS] = {
		.columns = PRODUCT_COLUMNS(P_CONN),
		.from = "products p",
		.window_from = "products p ON p.rowid = w.id",
		.scope = "p.connection_id = " P_CONN,
		.scope_count = "SELECT coalesce((SELECT product_count FROM connections WHERE id = " P_CONN "), 0)",
		/* The partial index's condition spelled out, so SQLite may walk it; counted by the state alone
		 * (which implies it), so that the count reads products_by_state and no product. */
		.quick = {NULL, "p.push_failed_run IS NOT NULL AND " PRODUCT_STATE_SQL("p.") " = 'failed'"},
		.quick_counted = {NULL, PRODUCT_STATE_SQL("p.") " = 'failed'"},
		.id = "p.rowid",
		.fields = product_fields,
		.nfields = PRODUCT_F_COUNT,
	},
};

_Static_assert(CONN_F_COUNT <= STORE_VIEW_FIELDS_MAX && RUN_F_COUNT <= STORE_VIEW_FIELDS_MAX &&
               DEST_F_COUNT <= STORE_VIEW_FIELDS_MAX && PRODUCT_F_COUNT <= STORE_VIEW_FIELDS_MAX,
               "a view has more fields than STORE_VIEW_FIELDS_MAX");

enum stmt_kind { KIND_PAGE, KIND_COUNT_MATCHED, KIND_COUNT_ALL, KIND_LATEST_FAILED };

/* Everything the SQL of a statement depends on. */
struct shape {
	enum store_view view;
	enum stmt_kind kind;
	bool scoped;
	int sort;
	bool desc;             /* the sort field's direction */
	bool from_end;         /* the list read backwards, to reach its end quickly */
	enum quick_filter quick;
	uint32_t searched;     /* the fields whose conditions are in the SQL; 0 = no substring filter */
	bool nothing;          /* the filter can match no row */
	uint32_t words[STORE_VIEW_FIELDS_MAX];   /* SEARCH_WORDS fields: the values whose words match */
	bool joined;
	bool quick_indexed;    /* the window walks the view's quick_index */
	bool seek;             /* the window starts after an edge row (from_end: before it), not at an offset */
	bool state_unindexed;  /* products_by_state is missing while a first import fills the catalog */
	bool seek_from_edge;   /* the seek's window starts with the edge row itself (a reload) */
};

#define CACHE_SLOTS 96
#define COUNT_SLOTS 8

/* A count, good while the database is as it was: no other connection committed, this one wrote nothing. */
struct counted {
	struct shape shape;
	int64_t connection_id;
	char *filter;              /* when the shape searches */
	int64_t data_version, changes;
	int64_t n;
};

struct store_views {
	struct store *store;
	struct {
		struct shape shape;
		struct sqldb_stmt *stmt;
	} cache[CACHE_SLOTS];
	int next_evicted;
	/* Counting a million products reads a million index entries: a sort or a move must not do it again. */
	struct counted counts[COUNT_SLOTS];
	int next_count;
	struct sqldb_stmt *log_tail;
};

struct store_views *store_views_open(struct store *s)
{
	struct store_views *v = xcalloc(1, sizeof(*v));
	v->store = s;
	/* Lists scan whole tables when sorted by a column without an index: keep their pages in memory. */
	sqldb_exec(store_db(s), "PRAGMA cache_size = -65536");
	return v;
}

void store_views_close(struct store_views *v)
{
	if (!v)
		return;
	for (size_t i = 0; i < CACHE_SLOTS; i++)
		sqldb_finalize(v->cache[i].stmt);
	for (size_t i = 0; i < COUNT_SLOTS; i++)
		free(v->counts[i].filter);
	sqldb_finalize(v->log_tail);
	free(v);
}

const char *store_views_errmsg(struct store_views *v)
{
	return store_errmsg(v->store);
}

bool store_views_searchable(enum store_view view, int field)
{
	return field >= 0 && field < views[view].nfields && views[view].fields[field].kind != SEARCH_NONE;
}

bool store_views_has_quick(enum store_view view, enum quick_filter quick)
{
	return quick == QUICK_ALL || (quick < QUICK_COUNT && views[view].quick[quick] != NULL);
}

/* ---- shapes ---- */

static bool all_digits(const char *s)
{
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

static char *lower_copy(const char *s)
{
	char *lower = xstrdup(s);
	for (char *p = lower; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return lower;
}

/* The i-th value of a SEARCH_WORDS field and the words it is searched by; false past the last. */
static bool field_word(const struct field *fd, int i, const char **value, const char **words)
{
	if (fd->words) {
		*value = fd->words[i].value;
		*words = fd->words[i].words;
	} else {
		*value = *words = fd->values[i];
	}
	return *words != NULL;
}

/* "%filter%" with LIKE's wildcards and its escape character taken as plain text. */
static char *like_pattern(const char *filter)
{
	struct strbuf sb = {0};
	sb_adds(&sb, "%");
	for (const char *p = filter; *p; p++) {
		if (*p == '%' || *p == '_' || *p == '\\')
			sb_adds(&sb, "\\");
		sb_addc(&sb, *p);
	}
	sb_adds(&sb, "%");
	return sb_detach(&sb);
}

static void bind_pattern(struct sqldb_stmt *st, const char *filter)
{
	char *pattern = like_pattern(filter);
	bind_text(st, 1, pattern);
	free(pattern);
}

static bool filtering(const struct view_query *q)
{
	return q->filter && *q->filter;
}

/* The filter (as a pattern and as typed) and the connection, to the statement's parameters that use them. */
static void bind_params(struct sqldb_stmt *st, const struct view_query *q)
{
	int n = sqldb_bind_parameter_count(st);
	if (filtering(q)) {
		bind_pattern(st, q->filter);
		if (n >= 5)
			bind_text(st, 5, q->filter);
	}
	if (n >= 2)
		bind_int(st, 2, q->connection_id);
}

/* The values of a SEARCH_WORDS field whose words contain the (lower-cased) filter, as bits. */
static uint32_t matching_words(const struct field *fd, const char *lower)
{
	uint32_t bits = 0;
	const char *value, *words;
	for (int i = 0; i < MAX_WORDS && field_word(fd, i, &value, &words); i++)
		if (strstr(words, lower))
			bits |= UINT32_C(1) << i;
	return bits;
}

static bool holds_for_every_row(struct store_views *v, const struct field *fd, const struct view_query *q)
{
	struct sqldb_stmt *st = store_stmt(v->store, fd->always);
	if (!st)
		return false;   /* then the condition is searched as usual */
	bind_params(st, q);
	bool every = sqldb_step(st) == SQLDB_ROW && sqldb_column_int(st, 0) == 1;
	sqldb_reset(st);
	return every;
}

/*
 * The fields worth searching for this filter: those asked for that are searchable and can contain it
 * (ids only digits, closed sets only their words), with the matching values of the closed sets in
 * sh->words. None: the filter matches nothing; a condition that holds for every row: everything.
 */
static void searched_fields(struct store_views *v, struct shape *sh, const struct view_def *d,
                            const struct view_query *q, const char *lower)
{
	for (int f = 0; f < d->nfields; f++) {
		const struct field *fd = &d->fields[f];
		if (!(q->filter_fields & (UINT32_C(1) << f)) || fd->kind == SEARCH_NONE)
			continue;
		if (fd->digits && !all_digits(lower))
			continue;
		if (fd->kind == SEARCH_WORDS && !(sh->words[f] = matching_words(fd, lower)))
			continue;
		if (fd->always && holds_for_every_row(v, fd, q)) {
			sh->searched = 0;
			memset(sh->words, 0, sizeof(sh->words));
			return;
		}
		sh->searched |= UINT32_C(1) << f;
	}
	sh->nothing = !sh->searched;
}

static struct shape shape_of(struct store_views *v, enum store_view view, enum stmt_kind kind,
                             const struct view_query *q, bool from_end)
{
	const struct view_def *d = &views[view];
	struct shape sh = {.view = view, .kind = kind, .scoped = q->connection_id != 0,
	                   .state_unindexed = view == STORE_VIEW_PRODUCTS && !state_index_present(v->store->db)};
	if (kind == KIND_COUNT_ALL || kind == KIND_LATEST_FAILED)
		return sh;
	sh.quick = q->quick;
	if (filtering(q)) {
		char *lower = lower_copy(q->filter);
		searched_fields(v, &sh, d, q, lower);
		free(lower);
	}
	if (kind == KIND_PAGE) {
		sh.sort = q->sort >= 0 && q->sort < d->nfields ? q->sort : 0;
		sh.desc = q->descending;
		sh.from_end = from_end;
		sh.joined = d->fields[sh.sort].sort_joined;
	}
	return sh;
}

/* ---- SQL ---- */

/* The values are the program's own constants, never what the user typed. */
static void add_words_search(struct strbuf *sql, const struct field *fd, uint32_t bits)
{
	bool none = false, first = true;
	const char *value, *words;
	sb_addf(sql, "(%s IN (", fd->search);
	for (int i = 0; i < MAX_WORDS && field_word(fd, i, &value, &words); i++) {
		if (!(bits & (UINT32_C(1) << i)))
			continue;
		if (!value) {
			none = true;
			continue;
		}
		sb_addf(sql, "%s'%s'", first ? "" : ", ", value);
		first = false;
	}
	sb_adds(sql, ")");
	if (none)
		sb_addf(sql, " OR %s IS NULL", fd->search);
	sb_adds(sql, ")");
}

/* The shape's WHERE; returns what joins a condition more to it (" WHERE " when it wrote none). */
static const char *add_conditions(struct strbuf *sql, const struct view_def *d, const struct shape *sh)
{
	const char *and = " WHERE ";
	if (sh->scoped) {
		sb_addf(sql, "%s%s", and, d->scope);
		and = " AND ";
	}
	if (sh->quick != QUICK_ALL) {
		const char *counted = sh->kind == KIND_COUNT_MATCHED ? d->quick_counted[sh->quick] : NULL;
		sb_addf(sql, "%s%s", and, counted ? counted : d->quick[sh->quick]);
		and = " AND ";
	}
	if (!sh->searched)
		return and;
	/* A plain OR of indexable terms lets SQLite serve each from its index (a leading "0 OR" would not). */
	const char *or = "(";
	sb_adds(sql, and);
	for (int f = 0; f < d->nfields; f++) {
		const struct field *fd = &d->fields[f];
		if (!(sh->searched & (UINT32_C(1) << f)))
			continue;
		sb_adds(sql, or);
		or = " OR ";
		if (fd->kind == SEARCH_WORDS)
			add_words_search(sql, fd, sh->words[f]);
		else if (fd->kind == SEARCH_CONDITION)
			sb_adds(sql, fd->search);
		else
			sb_addf(sql, "%s" MATCHES, fd->search);
	}
	sb_adds(sql, ")");
	return " AND ";
}

/* The order of a window: the field, then the id, both the same way (flipped when read from the end). */
static void add_order(struct strbuf *sql, const char *key, const char *id, bool desc)
{
	const char *dir = desc ? "DESC" : "ASC";
	if (str_eq(key, id))
		sb_addf(sql, " ORDER BY %s %s", key, dir);
	else
		sb_addf(sql, " ORDER BY %s %s, %s %s", key, dir, id, dir);
}

static const char *tie_of(const struct view_def *d, const struct field *f)
{
	return f->tie ? f->tie : d->id;
}

/* NULL while the index is missing (core/state_index.h): the window is slower, not wrong. */
static const char *quick_index_of(const struct view_def *d, const struct shape *sh, const struct field *f)
{
	const char *name = f->quick_index ? f->quick_index : d->quick_index;
	return name && sh->state_unindexed && str_eq(name, "products_by_state") ? NULL : name;
}

/* What a window is ordered by before its tie: under a quick filter that holds the field to one value, the tie. */
static const char *window_key(const struct view_def *d, const struct shape *sh)
{
	const struct field *f = &d->fields[sh->sort];
	return sh->quick != QUICK_ALL && f->quick_constant ? tie_of(d, f) : f->sort;
}

/*
 * SELECT `what` of the rows in the window's order, ordered by `key` then the tie, `seek` (NULL: none) a
 * condition more; along the field's quick index when the shape says so or `quick_index`.
 */
static void add_indexed_ids(struct strbuf *sql, const struct view_def *d, const struct shape *sh, const char *from,
                            const char *what, const char *key, const char *seek, bool quick_index)
{
	const struct field *f = &d->fields[sh->sort];
	const char *and;
	if (sh->quick_indexed || quick_index) {
		sb_addf(sql, "SELECT %s FROM %s INDEXED BY %s", what, from, quick_index_of(d, sh, f));
		and = add_conditions(sql, d, sh);
	} else {
		sb_addf(sql, "SELECT %s FROM %s", what, from);
		and = add_conditions(sql, d, sh);
		if (sh->searched && f->every_value)
			sb_addf(sql, " AND %s", f->every_value);   /* searched: add_conditions wrote the WHERE */
	}
	if (seek)
		sb_addf(sql, "%s%s", and, seek);
	add_order(sql, key, tie_of(d, f), sh->desc != sh->from_end);
}

/*
 * The ids of a window that starts right after the edge row (keyset paging: the index is entered at the
 * edge, no row before it is passed over). A key that orders alone is one range; a key with ties (a state)
 * is two: the edge's key with the ties past it, then the keys past it, each cut to the window, merged.
 */
static void add_seek_ids(struct strbuf *sql, const struct view_def *d, const struct shape *sh, const char *from)
{
	const struct field *f = &d->fields[sh->sort];
	const char *key = window_key(d, sh), *tie = tie_of(d, f);
	const char *op = sh->desc != sh->from_end ? "<" : ">";
	const char *op_edge = sh->seek_from_edge ? (*op == '<' ? "<=" : ">=") : op;   /* the edge row in or out */
	if (str_eq(key, tie) || f->unique) {
		char *what = xasprintf("%s AS id", d->id);
		char *seek = xasprintf("%s %s %s", key, op_edge, str_eq(key, tie) ? P_EDGE_TIE : P_EDGE_KEY);
		add_indexed_ids(sql, d, sh, from, what, key, seek, false);
		free(seek);
		free(what);
		return;
	}
	char *cut = xasprintf("%s AS id, %s AS k, %s AS t", d->id, key, tie);
	char *same = xasprintf("%s = " P_EDGE_KEY " AND %s %s " P_EDGE_TIE, key, tie, op_edge);
	char *past = xasprintf("%s %s " P_EDGE_KEY, key, op);
	sb_adds(sql, "SELECT id FROM (SELECT * FROM (");
	/* The key is one value: ordered by it SQLite 3.40 would sort the rows; under a SKU prefix it would walk the
	 * prefix along the primary key, reading every product to find the few of a rare state. */
	add_indexed_ids(sql, d, sh, from, cut, tie, same, quick_index_of(d, sh, f) != NULL);
	sb_adds(sql, " LIMIT " P_LIMIT " + " P_OFFSET ") UNION ALL SELECT * FROM (");
	add_indexed_ids(sql, d, sh, from, cut, key, past, false);
	sb_adds(sql, " LIMIT " P_LIMIT " + " P_OFFSET "))");
	add_order(sql, "k", "t", sh->desc != sh->from_end);
	free(past);
	free(same);
	free(cut);
}

/*
 * The ids of a window. Along an index SQLite walks it and stops after the window. Otherwise it scans the
 * table in id order and keeps the best rows seen so far: the scan must go the same way as the sort, so
 * that rows of equal key (and keys that grow with the id, like times) come in already ranked and are
 * passed over at the cost of one comparison. Tables are scanned upwards; a descending sort reads them
 * through a subquery ordered downwards (LIMIT -1 keeps SQLite from folding it away).
 */
static void add_window_ids(struct strbuf *sql, const struct view_def *d, const struct shape *sh,
                           const char *from)
{
	const struct field *f = &d->fields[sh->sort];
	bool desc = sh->desc != sh->from_end;
	if (sh->seek) {
		add_seek_ids(sql, d, sh, from);
	} else if (sh->quick_indexed || f->indexed || !desc) {
		char *what = xasprintf("%s AS id", d->id);
		add_indexed_ids(sql, d, sh, from, what, window_key(d, sh), NULL, false);
		free(what);
	} else {
		sb_addf(sql, "SELECT id FROM (SELECT %s AS id, %s AS k FROM %s", d->id, f->sort, from);
		add_conditions(sql, d, sh);
		sb_addf(sql, " ORDER BY %s DESC LIMIT -1)", d->id);
		add_order(sql, "k", "id", desc);
	}
	sb_adds(sql, " LIMIT " P_LIMIT " OFFSET " P_OFFSET);
}

/*
 * A window sorts and cuts ids only (narrow records sort fast), then reads the columns of its rows and
 * puts those few in order again.
 */
static char *build_sql(const struct shape *sh)
{
	const struct view_def *d = &views[sh->view];
	const char *from = sh->joined ? d->from_joined : d->from;
	struct strbuf sql = {0};
	switch (sh->kind) {
	case KIND_LATEST_FAILED:
		/* Of every connection: the newest of each status, each one step down the (status, id) index. */
		if (sh->scoped)
			sb_adds(&sql, "SELECT max(id) FROM sync_runs WHERE connection_id = " P_CONN
			              " AND status IN " PROBLEM_STATUSES);
		else
			sb_adds(&sql, "SELECT max(coalesce((SELECT max(id) FROM sync_runs WHERE status = 'failed'), 0),"
			              " coalesce((SELECT max(id) FROM sync_runs WHERE status = 'completed_with_errors'), 0))");
		break;
	case KIND_COUNT_ALL:
		if (sh->scoped && d->scope_count) {
			sb_adds(&sql, d->scope_count);
			break;
		}
		sb_addf(&sql, "SELECT count(*) FROM %s", d->from);
		add_conditions(&sql, d, sh);
		break;
	case KIND_COUNT_MATCHED:
		sb_addf(&sql, "SELECT count(*) FROM %s", from);
		add_conditions(&sql, d, sh);
		break;
	case KIND_PAGE:
		sb_addf(&sql, "SELECT %s FROM (", d->columns);
		add_window_ids(&sql, d, sh, from);
		sb_addf(&sql, ") w CROSS JOIN %s", d->window_from);
		add_order(&sql, d->fields[sh->sort].sort, tie_of(d, &d->fields[sh->sort]), sh->desc != sh->from_end);
		break;
	}
	return sb_detach(&sql);
}

static bool same_shape(const struct shape *a, const struct shape *b)
{
	return a->view == b->view && a->kind == b->kind && a->scoped == b->scoped && a->sort == b->sort &&
	       a->desc == b->desc && a->from_end == b->from_end && a->quick == b->quick &&
	       a->searched == b->searched && a->joined == b->joined && a->quick_indexed == b->quick_indexed &&
	       a->seek == b->seek && a->seek_from_edge == b->seek_from_edge &&
	       a->state_unindexed == b->state_unindexed &&
	       memcmp(a->words, b->words, sizeof(a->words)) == 0;
}

/* The prepared statement of a shape, reset and with its parameters bound. */
static struct sqldb_stmt *shape_stmt(struct store_views *v, const struct shape *sh, const struct view_query *q)
{
	struct sqldb_stmt *st = NULL;
	for (int i = 0; i < CACHE_SLOTS && !st; i++)
		if (v->cache[i].stmt && same_shape(&v->cache[i].shape, sh))
			st = v->cache[i].stmt;
	if (st) {
		sqldb_reset(st);
		sqldb_clear_bindings(st);
	} else {
		char *sql = build_sql(sh);
		if (sqldb_prepare_persistent(store_db(v->store), sql, &st) != SQLDB_OK)
			st = NULL;
		free(sql);
		if (!st)
			return NULL;
		int slot = v->next_evicted;
		v->next_evicted = (v->next_evicted + 1) % CACHE_SLOTS;
		sqldb_finalize(v->cache[slot].stmt);
		v->cache[slot].shape = *sh;
		v->cache[slot].stmt = st;
	}
	if (sh->searched)
		bind_params(st, q);
	else
		bind_int(st, 2, q->connection_id);
	return st;
}

static struct counted *counted(struct store_views *v, const struct shape *sh, const struct view_query *q,
                               int64_t version, int64_t changes)
{
	for (int i = 0; i < COUNT_SLOTS; i++) {
		struct counted *c = &v->counts[i];
		if (c->data_version == version && c->changes == changes && same_shape(&c->shape, sh) &&
		    c->connection_id == q->connection_id && (!sh->searched || str_eq(c->filter, q->filter)))
			return c;
	}
	return NULL;
}

/* The statement's count. */
static int step_count(struct store_views *v, const struct shape *sh, const struct view_query *q, int64_t *count)
{
	struct sqldb_stmt *st = shape_stmt(v, sh, q);
	if (!st)
		return -1;
	int rc = sqldb_step(st);
	if (rc == SQLDB_ROW)
		*count = sqldb_column_int64(st, 0);
	sqldb_reset(st);
	return rc == SQLDB_ROW ? 0 : -1;
}

static int count_rows(struct store_views *v, const struct shape *sh, const struct view_query *q, int64_t *count)
{
	int64_t version = store_data_version(v->store), changes = sqldb_total_changes(store_db(v->store));
	const struct counted *known = version >= 0 ? counted(v, sh, q, version, changes) : NULL;
	if (known) {
		*count = known->n;
		return 0;
	}
	if (step_count(v, sh, q, count) < 0)
		return -1;
	struct counted *c = &v->counts[v->next_count];
	v->next_count = (v->next_count + 1) % COUNT_SLOTS;
	free(c->filter);
	*c = (struct counted){*sh, q->connection_id, sh->searched ? xstrdup(q->filter) : NULL, version, changes, *count};
	return 0;
}

int store_views_count(struct store_views *v, enum store_view view, const struct view_query *q, int64_t *matched,
                      int64_t *total)
{
	struct shape all = shape_of(v, view, KIND_COUNT_ALL, q, false);
	struct shape some = shape_of(v, view, KIND_COUNT_MATCHED, q, false);
	if (count_rows(v, &all, q, total) < 0)
		return -1;
	if (!matched)
		return 0;
	if (some.nothing)
		*matched = 0;
	else if (some.quick == QUICK_ALL && !some.searched)
		*matched = *total;
	else
		return count_rows(v, &some, q, matched);
	return 0;
}

typedef void (*read_row_fn)(struct sqldb_stmt *st, void *row);

/* At most one row in QUICK_FEW: sorting those costs less than passing over the others. */
#define QUICK_FEW 64

/* Whether a window under the quick filter should walk its order's quick index (the counts are kept). */
static bool quick_selects_few(struct store_views *v, const struct shape *sh, const struct view_query *q)
{
	int64_t matched, total;
	const struct view_def *d = &views[sh->view];
	return quick_index_of(d, sh, &d->fields[sh->sort]) && q->quick != QUICK_ALL &&
	       store_views_count(v, sh->view, q, &matched, &total) == 0 && matched * QUICK_FEW <= total;
}

/* The edge row of a seek: its sort key and tie as the window's SQL compares them. */
struct edge {
	const char *key, *tie;
};

/*
 * Reads the window of a shape into *rows (row_size bytes each): `limit` rows after `offset` (a seek: after
 * the edge and `offset` more), reversed when the shape reads the list backwards.
 */
static int read_shape(struct store_views *v, struct shape *sh, const struct view_query *q, int64_t offset,
                      int limit, const struct edge *edge, size_t row_size, read_row_fn read_row, void **rows,
                      size_t *n)
{
	sh->quick_indexed = quick_selects_few(v, sh, q);
	struct sqldb_stmt *st = shape_stmt(v, sh, q);
	if (!st)
		return -1;
	bind_int(st, 3, limit);
	bind_int(st, 4, offset);
	if (edge) {
		bind_text(st, 6, edge->key);
		bind_text(st, 7, edge->tie);
	}
	char *out = xmalloc((size_t)limit * row_size);
	size_t count = 0;
	int rc;
	while (count < (size_t)limit && (rc = sqldb_step(st)) == SQLDB_ROW)
		read_row(st, out + count++ * row_size);
	if (count == (size_t)limit)
		rc = SQLDB_DONE;
	sqldb_reset(st);
	*rows = out;
	*n = count;
	if (rc != SQLDB_DONE)
		return -1;   /* the caller frees the rows read so far */
	if (sh->from_end) {
		char *tmp = xmalloc(row_size);
		for (size_t i = 0, j = count ? count - 1 : 0; i < j; i++, j--) {
			memcpy(tmp, out + i * row_size, row_size);
			memcpy(out + i * row_size, out + j * row_size, row_size);
			memcpy(out + j * row_size, tmp, row_size);
		}
		free(tmp);
	}
	return 0;
}

/*
 * Reads a window into *rows (row_size bytes each). Past the middle of the list the window is read in the
 * opposite order from the end and reversed, so that SQLite never skips more than half of the rows.
 */
static int read_window(struct store_views *v, enum store_view view, const struct view_query *q,
                       int64_t offset, int limit, int64_t matched, size_t row_size, read_row_fn read_row,
                       void **rows, size_t *n)
{
	*rows = NULL;
	*n = 0;
	if (offset < 0)
		offset = 0;
	if (limit <= 0)
		return 0;
	bool from_end = matched >= 0 && offset > matched / 2;
	if (from_end) {
		int64_t end = offset + limit < matched ? offset + limit : matched;
		if (end <= offset)
			return 0;
		limit = (int)(end - offset);
		offset = matched - end;
	}
	struct shape sh = shape_of(v, view, KIND_PAGE, q, from_end);
	if (sh.nothing)
		return 0;
	return read_shape(v, &sh, q, offset, limit, NULL, row_size, read_row, rows, n);
}

static void read_conn(struct sqldb_stmt *st, void *row)
{
	struct conn_row *r = row;
	memset(r, 0, sizeof(*r));
	int c = 0;
	r->id = sqldb_column_int64(st, c++);
	r->name = column_dup(st, c++);
	r->active = sqldb_column_int(st, c++) != 0;
	r->source_type = column_dup(st, c++);
	r->source_url = column_dup(st, c++);
	r->schedule = column_dup(st, c++);
	r->dest_type = column_dup(st, c++);
	r->next_due_at = sqldb_column_int64(st, c++);
	r->created_at = sqldb_column_int64(st, c++);
	r->updated_at = sqldb_column_int64(st, c++);
	r->last_run_id = sqldb_column_int64(st, c++);
	r->last_status = column_dup(st, c++);
	r->last_started_at = sqldb_column_int64(st, c++);
	r->last_finished_at = sqldb_column_int64(st, c++);
	r->last_created = sqldb_column_int64(st, c++);
	r->last_updated = sqldb_column_int64(st, c++);
	r->last_skipped = sqldb_column_int64(st, c++);
	r->last_failed = sqldb_column_int64(st, c++);
	r->dest_name = column_dup(st, c++);
}

static void read_run(struct sqldb_stmt *st, void *row)
{
	read_run_row(st, row);
}

static void free_conns(void *rows, size_t n)
{
	conn_rows_free(rows, n);
}

static void free_runs(void *rows, size_t n)
{
	(void)n;
	free(rows);
}

static void free_dests(void *rows, size_t n)
{
	dest_view_rows_free(rows, n);
}

/* On an error no rows: those read so far are freed. rc is passed through. */
static int drop_on_error(int rc, void (*free_rows)(void *rows, size_t n), void **rows, size_t *n)
{
	if (rc < 0) {
		free_rows(*rows, *n);
		*rows = NULL;
		*n = 0;
	}
	return rc;
}

/* read_window, and on an error no rows. */
static int read_rows(struct store_views *v, enum store_view view, const struct view_query *q, int64_t offset,
                     int limit, int64_t matched, size_t row_size, read_row_fn read_row,
                     void (*free_rows)(void *rows, size_t n), void **rows, size_t *n)
{
	int rc = read_window(v, view, q, offset, limit, matched, row_size, read_row, rows, n);
	return drop_on_error(rc, free_rows, rows, n);
}

int store_views_conns(struct store_views *v, const struct view_query *q, int64_t offset, int limit,
                      int64_t matched, struct conn_row **rows, size_t *n)
{
	void *out;
	int rc = read_rows(v, STORE_VIEW_CONNS, q, offset, limit, matched, sizeof(**rows), read_conn, free_conns, &out, n);
	*rows = out;
	return rc;
}

int store_views_runs(struct store_views *v, const struct view_query *q, int64_t offset, int limit,
                     int64_t matched, struct run_row **rows, size_t *n)
{
	void *out;
	int rc = read_rows(v, STORE_VIEW_RUNS, q, offset, limit, matched, sizeof(**rows), read_run, free_runs, &out, n);
	*rows = out;
	return rc;
}

static void read_dest(struct sqldb_stmt *st, void *row)
{
	struct dest_view_row *r = row;
	read_dest_row(st, &r->d);
	r->known = sqldb_column_int64(st, DEST_NCOLUMNS);
	read_limits_columns(st, DEST_NCOLUMNS + 1, &r->limits);
}

void dest_view_rows_free(struct dest_view_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dest_row_free(&rows[i].d);
	free(rows);
}

int store_views_dests(struct store_views *v, const struct view_query *q, int64_t offset, int limit,
                      int64_t matched, struct dest_view_row **rows, size_t *n)
{
	void *out;
	int rc = read_rows(v, STORE_VIEW_DESTS, q, offset, limit, matched, sizeof(**rows), read_dest, free_dests, &out, n);
	*rows = out;
	return rc;
}

static void read_product(struct sqldb_stmt *st, void *row)
{
	read_product_row(st, 0, row);
}

static void free_products(void *rows, size_t n)
{
	product_rows_free(rows, n);
}

int store_views_products(struct store_views *v, const struct view_query *q, int64_t offset, int limit,
                         int64_t matched, struct product_row **rows, size_t *n)
{
	void *out;
	int rc = read_rows(v, STORE_VIEW_PRODUCTS, q, offset, limit, matched, sizeof(**rows), read_product,
	                   free_products, &out, n);
	*rows = out;
	return rc;
}

int store_views_products_seek(struct store_views *v, const struct view_query *q, const struct product_row *edge,
                              bool before, int64_t skip, int limit, struct product_row **rows, size_t *n)
{
	*rows = NULL;
	*n = 0;
	struct shape sh = shape_of(v, STORE_VIEW_PRODUCTS, KIND_PAGE, q, before);
	if (limit <= 0 || skip < -1 || sh.nothing)
		return 0;
	sh.seek = true;
	sh.seek_from_edge = skip == -1;
	if (skip < 0)
		skip = 0;
	struct edge at = {sh.sort == PRODUCT_F_STATE ? edge->state : edge->sku, edge->sku};
	void *out;
	int rc = drop_on_error(read_shape(v, &sh, q, skip, limit, &at, sizeof(**rows), read_product, &out, n),
	                       free_products, &out, n);
	*rows = out;
	return rc;
}

int store_views_latest_failed_run(struct store_views *v, int64_t conn_id, int64_t *run_id)
{
	struct view_query q = {.connection_id = conn_id};
	struct shape sh = shape_of(v, STORE_VIEW_RUNS, KIND_LATEST_FAILED, &q, false);
	struct sqldb_stmt *st = shape_stmt(v, &sh, &q);
	if (!st)
		return -1;
	int rc = sqldb_step(st);
	*run_id = rc == SQLDB_ROW ? sqldb_column_int64(st, 0) : 0;
	sqldb_reset(st);
	if (rc != SQLDB_ROW)
		return -1;
	return *run_id ? 1 : 0;
}

static const char SQL_LOG_TAIL[] =
	"SELECT id FROM run_events WHERE run_id = ?1 ORDER BY id DESC LIMIT 1 OFFSET ?2";

int store_views_log_tail(struct store_views *v, int64_t run_id, int keep, int64_t *after_id)
{
	if (!v->log_tail &&
	    sqldb_prepare_persistent(store_db(v->store), SQL_LOG_TAIL, &v->log_tail))
		return -1;
	struct sqldb_stmt *st = v->log_tail;
	sqldb_reset(st);
	bind_int(st, 1, run_id);
	bind_int(st, 2, keep);
	int rc = sqldb_step(st);
	*after_id = rc == SQLDB_ROW ? sqldb_column_int64(st, 0) : 0;
	sqldb_reset(st);
	return rc == SQLDB_ROW || rc == SQLDB_DONE ? 0 : -1;
}
