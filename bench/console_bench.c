/*
 * console_bench: the console's speed on a big catalog, drawn headless (curses on /dev/null with
 * TERM=xterm-256color). Fills a temporary database with --conns connections and --runs runs, then measures
 * the time to the first frame (opening the database included) and, on the connections and the runs
 * screens, the time from each sort, filter and movement keystroke to the finished frame.
 *
 *   console_bench [--conns 10000] [--runs 100000] [--products 0] [--cols 160] [--lines 48] [--db PATH]
 *
 * --products N gives connection 1 a catalog of N products and times the Products screen the same way.
 *
 * --db keeps the database at PATH, and uses it as it is when it already exists (filling takes a while).
 *
 * Targets: first frame < 50 ms, keystroke to frame < 16 ms. Prints a table; exits 0 whatever the times,
 * non-zero when the console cannot be set up.
 */
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/config.h"
#include "core/store.h"
#include "core/util.h"
#include "core/store_dest.h"
#include "tui/app.h"
#include "tui/screens.h"

#define FIRST_FRAME_TARGET_MS 50.0
#define KEY_TARGET_MS 16.0
#define SAMPLES_MAX 64

static double clock_us(clockid_t clock)
{
	struct timespec ts;
	clock_gettime(clock, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static double now_us(void)
{
	return clock_us(CLOCK_MONOTONIC);
}

/* CPU time tells the cost apart from waiting for a busy machine's cores. */
static double cpu_us(void)
{
	return clock_us(CLOCK_PROCESS_CPUTIME_ID);
}

static void die(const char *what, const char *why)
{
	fprintf(stderr, "console_bench: %s: %s\n", what, why);
	exit(1);
}

static void begin(struct store *s)
{
	if (store_begin(s) < 0)
		die("begin", store_errmsg(s));
}

static void commit(struct store *s)
{
	if (store_commit(s) < 0)
		die("commit", store_errmsg(s));
}

static void add_connections(struct store *s, int conns, int64_t now)
{
	static const char *const types[] = {"csv", "json", "xml", "winmentor"};
	static const char *const schedules[] = {"every 15m", "manual", "daily 02:00", "0 6 * * mon-fri"};
	char err[512];
	begin(s);
	for (int i = 0; i < conns; i++) {
		char name[64];
		snprintf(name, sizeof(name), "Supplier %05d %s feed", i, types[i % 4]);
		struct conn_fields f = {.name = name, .active = i % 7 != 0, .source_type = types[i % 4],
		                        .source_url = "https://feeds.example.com/products.csv",
		                        .schedule = schedules[i % 4], .dest_type = i % 3 ? "file" : NULL,
		                        .document = "{}", .next_due_at = i % 4 == 1 ? 0 : now + (i % 90) * 60000};
		int64_t id;
		if (store_conn_insert(s, &f, &id, err, sizeof(err)) != 0)
			die("insert a connection", err);
	}
	commit(s);
}

/*
 * Runs go in rounds of one per connection (a connection has one active run at a time): queued and claimed
 * one by one (each is its own transaction), finished in one transaction.
 */
static void add_runs(struct store *s, int conns, int runs, int64_t now)
{
	static const char *const ends[] = {RUN_COMPLETED, RUN_COMPLETED_WITH_ERRORS, RUN_FAILED, RUN_CANCELLED,
	                                   RUN_COMPLETED};
	int64_t *ids = xmalloc((size_t)conns * sizeof(*ids));
	for (int done = 0; done < runs;) {
		int round = runs - done < conns ? runs - done : conns;
		for (int k = 0; k < round; k++) {
			struct run_row active;
			if (store_run_enqueue(s, k + 1, (done + k) % 3 ? "schedule" : "manual", 0, 1, false, &ids[k],
			                      &active) != 0)
				die("queue a run", store_errmsg(s));
		}
		for (int k = 0; k < round; k++) {
			struct run_row r;
			if (store_run_claim(s, "bench", ids[k], &r) != 1)
				die("claim a run", store_errmsg(s));
		}
		begin(s);
		for (int k = 0; k < round; k++) {
			int i = done + k;
			int64_t c[RC_COUNT] = {0};
			c[RC_ROWS_READ] = i % 50000;
			c[RC_CREATED] = i % 1000;
			c[RC_UPDATED] = i % 333;
			c[RC_SKIPPED] = i % 17;
			c[RC_FAILED] = i % 5 == 2 ? i % 41 : 0;
			c[RC_PUSH_QUEUED] = c[RC_PUSH_PROCESSED] = i % 900;
			store_run_flush(s, ids[k], "reconcile", c, c[RC_FAILED], now);
			store_run_finish(s, ids[k], ends[i % 5], "bench run", now + i % 600000);
		}
		commit(s);
		done += round;
	}
	free(ids);
}

/*
 * The products of connection 1, in scattered SKU order as feeds give them: a third pushed, one in 50
 * missing, one in 100 with a push error in run 1 (so every state is there to sort and filter by).
 */
static void add_products(struct store *s, int products, int64_t now)
{
	begin(s);
	for (int i = 0; i < products; i++) {
		int k = (int)(((int64_t)i * 7919) % products);
		char sku[32], name[64], price[32], qty[16];
		snprintf(sku, sizeof(sku), "SKU-%07d", k);
		snprintf(name, sizeof(name), "Product %d %s", k, k % 2 ? "mug" : "tea");
		snprintf(price, sizeof(price), "%d.%02d", 1 + k % 500, k % 100);
		snprintf(qty, sizeof(qty), "%d", k % 70);
		struct product_write w = {.conn_id = 1, .sku = sku, .name = name, .price = price, .quantity = qty,
		                          .data = "{}", .hash = k + 1, .line = i + 2, .run_id = 1, .now = now};
		if (store_product_insert(s, &w) < 0 || (k % 3 == 0 && store_product_set_pushed(s, 1, sku, k + 1) < 0) ||
		    (k % 50 == 1 && store_product_mark_missing(s, 1, sku, now) < 0) ||
		    (k % 100 == 2 && store_run_error_insert(s, 1, now, "pushing", 0, sku, NULL, "bench", "refused", NULL) < 0))
			die("insert a product", store_errmsg(s));
		if (i % 50000 == 49999) {
			commit(s);
			begin(s);
		}
	}
	commit(s);
}

static void fill(struct store *s, int conns, int runs)
{
	int64_t now = now_ms();
	add_connections(s, conns, now);
	add_runs(s, conns, runs, now);
}

struct series {
	const char *name;
	double ms[SAMPLES_MAX];       /* wall clock */
	double cpu_ms[SAMPLES_MAX];
	char filter[SAMPLES_MAX][24]; /* typing: what the filter held after each key, to name the slowest */
	int n;
};

static int compare(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(const double *ms, int n)
{
	double sorted[SAMPLES_MAX];
	memcpy(sorted, ms, (size_t)n * sizeof(double));
	qsort(sorted, (size_t)n, sizeof(double), compare);
	return sorted[n / 2];
}

static double max_of(const double *ms, int n)
{
	double m = 0;
	for (int i = 0; i < n; i++)
		if (ms[i] > m)
			m = ms[i];
	return m;
}

/* One keystroke, timed until its frame is out. */
static void press(struct app *app, int key, struct series *s)
{
	double t0 = now_us(), c0 = cpu_us();
	app_key(app, key);
	app_draw(app);
	if (s && s->n < SAMPLES_MAX) {
		s->cpu_ms[s->n] = (cpu_us() - c0) / 1000.0;
		s->ms[s->n++] = (now_us() - t0) / 1000.0;
	}
}

static void type(struct app *app, const char *text, struct series *s)
{
	for (const char *p = text; *p; p++) {
		if (s->n < SAMPLES_MAX)
			snprintf(s->filter[s->n], sizeof(s->filter[0]), "%.*s", (int)(p - text + 1), text);
		press(app, *p, s);
	}
}

static int slowest(const struct series *s)
{
	int worst = 0;
	for (int i = 1; i < s->n; i++)
		if (s->ms[i] > s->ms[worst])
			worst = i;
	return worst;
}

static void report(const char *screen, struct series *all, int n, double *worst)
{
	for (int i = 0; i < n; i++) {
		if (all[i].n == 0)
			continue;
		const struct series *s = &all[i];
		double mx = max_of(s->ms, s->n);
		printf("  %-12s %-14s %3d keys  median %6.2f ms  max %6.2f ms  (cpu median %6.2f  max %6.2f)  %s",
		       screen, s->name, s->n, median(s->ms, s->n), mx, median(s->cpu_ms, s->n), max_of(s->cpu_ms, s->n),
		       mx < KEY_TARGET_MS ? "ok" : "SLOW");
		if (s->filter[slowest(s)][0])
			printf("  (slowest at \"%s\")", s->filter[slowest(s)]);
		putchar('\n');
		if (mx > *worst)
			*worst = mx;
	}
}

/* Sorting by every column both ways, filtering as typed, the quick filters, and jumping to the end. */
static void exercise(struct app *app, const char *screen, int ncols, double *worst)
{
	struct series s[] = {{.name = "sort next"}, {.name = "sort reverse"}, {.name = "filter typing"},
	                     {.name = "quick filter"}, {.name = "End/Home"}, {.name = "move down"}};
	for (int i = 0; i < ncols; i++) {
		press(app, 's', &s[0]);
		press(app, 'S', &s[1]);
	}
	press(app, '/', NULL);
	type(app, "supplier 0042", &s[2]);
	press(app, 27, NULL);
	press(app, '/', NULL);
	type(app, "fail", &s[2]);
	press(app, '\n', NULL);
	press(app, '/', NULL);
	press(app, 27, NULL);   /* Esc clears the filter */
	for (int i = 0; i < 4; i++)
		press(app, 'f', &s[3]);
	for (int i = 0; i < 3; i++) {
		press(app, KEY_END, &s[4]);
		press(app, KEY_HOME, &s[4]);
	}
	for (int i = 0; i < 30; i++)
		press(app, 'j', &s[5]);
	report(screen, s, (int)ARRAY_LEN(s), worst);
}

static void remove_database(const char *path, const char *dir)
{
	static const char *const suffixes[] = {"", "-wal", "-shm"};
	for (size_t i = 0; i < ARRAY_LEN(suffixes); i++) {
		char *file = xasprintf("%s%s", path, suffixes[i]);
		unlink(file);
		free(file);
	}
	rmdir(dir);
}

int main(int argc, char **argv)
{
	int conns = 10000, runs = 100000, products = 0, cols = 160, lines = 48;
	const char *keep = NULL;
	for (int i = 1; i + 1 < argc; i += 2) {
		int64_t v;
		if (str_eq(argv[i], "--db")) {
			keep = argv[i + 1];
			continue;
		}
		if (!parse_int64(argv[i + 1], &v) || v < 1 || v > 10000000)
			die(argv[i], "expected a positive number");
		if (str_eq(argv[i], "--conns"))
			conns = (int)v;
		else if (str_eq(argv[i], "--runs"))
			runs = (int)v;
		else if (str_eq(argv[i], "--products"))
			products = (int)v;
		else if (str_eq(argv[i], "--cols"))
			cols = (int)v;
		else if (str_eq(argv[i], "--lines"))
			lines = (int)v;
		else
			die(argv[i], "unknown option (--conns, --runs, --products, --cols, --lines, --db)");
	}

	char dir[] = "/tmp/console-bench-XXXXXX";
	if (!keep && !mkdtemp(dir))
		die("mkdtemp", "cannot create a temporary directory");
	char *path = keep ? xstrdup(keep) : xasprintf("%s/bench.db", dir);
	char err[1024];
	bool reuse = keep && access(keep, F_OK) == 0;
	struct store *s = store_open_path(path, 5000, err, sizeof(err));
	if (!s)
		die("open", err);
	double t0 = now_us();
	if (!reuse) {
		fill(s, conns, runs);
		add_products(s, products, time(NULL) * 1000LL);
	}
	printf("console_bench: %d connections, %d runs, %d products (%s in %.1f s), %dx%d\n", conns, runs,
	       products, reuse ? "reused" : "filled", (now_us() - t0) / 1e6, cols, lines);
	store_close(s);

	FILE *out = fopen("/dev/null", "w"), *in = fopen("/dev/null", "r");
	SCREEN *screen = newterm("xterm-256color", out, in);
	if (!screen)
		die("newterm", "no terminfo entry for xterm-256color");
	set_term(screen);
	resizeterm(lines, cols);

	struct config cfg;
	config_defaults(&cfg);
	str_copy(cfg.theme, "default", sizeof(cfg.theme));
	cfg.readonly = true;   /* measuring, not changing: no stale-run recovery either */
	t0 = now_us();
	double c0 = cpu_us();
	s = store_open_path(path, 5000, err, sizeof(err));
	struct app *app = s ? app_new(&cfg, s, true, false, err, sizeof(err)) : NULL;
	if (!app)
		die("console", err);
	app_draw(app);
	double first = (now_us() - t0) / 1000.0;
	printf("  first frame                 %6.2f ms  (cpu %6.2f)  target < %.0f ms  %s\n", first,
	       (cpu_us() - c0) / 1000.0, FIRST_FRAME_TARGET_MS, first < FIRST_FRAME_TARGET_MS ? "ok" : "SLOW");

	double worst = 0;
	exercise(app, "connections", 10, &worst);
	t0 = now_us();
	press(app, '2', NULL);
	printf("  open the runs screen        %6.2f ms\n", (now_us() - t0) / 1000.0);
	exercise(app, "runs", 10, &worst);
	if (products) {
		t0 = now_us();
		app_push(app, screen_products_new(app, 1, "Supplier 00000"));
		app_draw(app);
		printf("  open the products screen    %6.2f ms\n", (now_us() - t0) / 1000.0);
		exercise(app, "products", 5, &worst);
	}
	printf("  slowest keystroke to frame  %6.2f ms  target < %.0f ms  %s\n", worst, KEY_TARGET_MS,
	       worst < KEY_TARGET_MS ? "ok" : "SLOW");

	app_free(app);
	store_close(s);
	endwin();
	delscreen(screen);
	fclose(out);
	fclose(in);
	if (!keep)
		remove_database(path, dir);
	free(path);
	return 0;
}
