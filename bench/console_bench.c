/*
 * console_bench: the console's speed on a big database, drawn headless (curses on /dev/null with
 * TERM=xterm-256color). Fills a temporary database (bench/console_fill.h), then on every screen times its
 * first frame and each keystroke of a scripted sequence (moves, pages, sorts, filter typing, search) to its
 * finished frame; then, with --idle SECONDS, the console's CPU while a run is live in another process.
 *
 *   console_bench [--conns 10000] [--runs 100000] [--products 0] [--cols 160] [--lines 48]
 *                 [--idle 0] [--only SCREEN] [--db PATH]
 *
 * --products N gives connection 1 a catalog of N products (the Products screen's list).
 * --idle S keeps the console's loop running for S seconds on the runs screen, then S on the live run's
 * detail, on the Products screen (with --products) and on the stats, while a child process writes as a
 * running run does (counters every 250 ms, log lines, errors), and reports the console's CPU in each window.
 * --only NAME plays the keys of that screen only (a name of none: no screen's, for --idle alone).
 * --db keeps the database at PATH, and uses it as it is when it already exists (filling takes a while):
 * a kept database must have been filled with the same sizes.
 *
 * The first `!` (latest problem to its run detail) is timed on the console just started, before any screen.
 * Cycles (a quick filter's steps, the sort's) and typing get a line per key, named by the key or the text.
 *
 * Targets: first frame < 50 ms, keystroke to frame < 16 ms, idle CPU < 1%; each line shows its share of the
 * target ("budget", 1.00x = all of it). Prints a table: PASS under the
 * target by the wall clock, LOAD over it by the wall clock but under it in CPU time (a busy machine's
 * waiting, not the console's cost), MISS over it in CPU time too. Exits 0 whatever the times, non-zero
 * when the console cannot be set up.
 */
#include <curses.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "console_fill.h"
#include "core/config.h"
#include "tui/app.h"
#include "tui/screens.h"
#include "tui/wizard.h"

#define FIRST_FRAME_TARGET_MS 50.0
#define KEY_TARGET_MS 16.0
#define IDLE_TARGET_PCT 1.0
#define SAMPLES_MAX 256
#define GROUPS_MAX 16
#define CTRL(c) ((c) & 0x1f)

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

/* ---- the scripts ---- */

/*
 * A step presses its keys (or types its text) `times` times over; the keys of steps with the same group
 * make one line of the table. A step without a group is pressed untimed (opening a prompt, Esc).
 */
struct step {
	const char *group;
	const int *keys;     /* ending with 0 */
	const char *text;    /* typed a character at a time, instead of keys */
	int times;           /* 0 = once */
};

/* The groups with a line of the table for every key: the steps of a cycle, the keys typed. */
static const char *const per_key_groups[] = {"sort", "quick filter", "filter typing", "state sort, f",
                                             "typing by state"};

#define KEYS(...) ((const int[]){__VA_ARGS__, 0})
/* Not a key: the bench moves the list's selection to its middle (untimed), where an OFFSET costs most. */
#define TO_MIDDLE (KEY_MAX + 1)
/* Not a key either: what the console does when another process commits, reload the screen (timed). */
#define RELOAD (KEY_MAX + 2)
#define END_OF_SCRIPT {0}

/* What every list screen does: sorting by each column both ways, filtering, the quick filters, moving. */
#define LIST_STEPS(sorts, search, rare) \
	{"sort", KEYS('s', 'S'), NULL, sorts}, \
	{NULL, KEYS('/'), NULL, 0}, {"filter typing", NULL, search, 0}, {NULL, KEYS(27), NULL, 0}, \
	{NULL, KEYS('/'), NULL, 0}, {"filter typing", NULL, rare, 0}, {NULL, KEYS('\n'), NULL, 0}, \
	{"move", KEYS('j'), NULL, 10}, {NULL, KEYS('/'), NULL, 0}, {NULL, KEYS(27), NULL, 0}, \
	{"quick filter", KEYS('f'), NULL, 4}, \
	{"End/Home", KEYS(KEY_END, KEY_HOME), NULL, 3}, \
	{"page", KEYS(KEY_NPAGE), NULL, 10}, {"page", KEYS(KEY_PPAGE), NULL, 10}, \
	{"move", KEYS('j'), NULL, 30}, {"move", KEYS('k'), NULL, 10}

static const struct step conns_script[] = {LIST_STEPS(10, "supplier 0042", "fail"), END_OF_SCRIPT};
static const struct step runs_script[] = {LIST_STEPS(10, "supplier 0042", "fail"), END_OF_SCRIPT};
static const struct step dests_script[] = {LIST_STEPS(11, "shop 1", "https"), END_OF_SCRIPT};
/*
 * The sort steps end on the SKU (two sortable columns): `s` sorts by state, then the problems filter on and
 * off, then a SKU prefix typed under that order (issue 12: "SKU-00" matched 100 000 products to sort).
 */
static const struct step products_script[] = {
	LIST_STEPS(2, "SKU-00042", "SKU-9"),
	{NULL, KEYS(TO_MIDDLE), NULL, 0}, {"deep page", KEYS(KEY_NPAGE), NULL, 10},
	{"deep page", KEYS(KEY_PPAGE), NULL, 20}, {"deep reload", KEYS(RELOAD), NULL, 10},
	{"state sort, f", KEYS('s', 'f', 'f'), NULL, 0},
	{NULL, KEYS(TO_MIDDLE), NULL, 0}, {"deep page by state", KEYS(KEY_NPAGE), NULL, 10},
	{"deep page by state", KEYS(KEY_PPAGE), NULL, 20}, {"deep reload by state", KEYS(RELOAD), NULL, 10},
	{NULL, KEYS('/'), NULL, 0}, {"typing by state", NULL, "SKU-00042", 0}, {NULL, KEYS(27), NULL, 0},
	END_OF_SCRIPT,
};

static const struct step run_script[] = {
	{"log scroll", KEYS('k'), NULL, 30},
	{"page", KEYS(KEY_PPAGE), NULL, 10}, {"page", KEYS(KEY_NPAGE), NULL, 5},
	{"Home/End", KEYS(KEY_HOME, KEY_END), NULL, 3},
	{"follow", KEYS('k', 'F'), NULL, 3},
	{"errors pager", KEYS('e'), NULL, 0}, {"errors pager", KEYS('j'), NULL, 20},
	{"errors pager", KEYS(KEY_NPAGE), NULL, 10}, {NULL, KEYS(27), NULL, 0},
	END_OF_SCRIPT,
};

static const struct step plan_script[] = {
	{"move", KEYS('j'), NULL, 30}, {"page", KEYS(KEY_NPAGE), NULL, 10},
	{"End/Home", KEYS(KEY_END, KEY_HOME), NULL, 3},
	{"next kind", KEYS('\t'), NULL, 0}, {"page", KEYS(KEY_NPAGE), NULL, 10},
	{"End/Home", KEYS(KEY_END, KEY_HOME), NULL, 3}, {"next kind", KEYS('\t', '\t'), NULL, 0},
	END_OF_SCRIPT,
};

static const struct step help_script[] = {
	{"move", KEYS('j'), NULL, 20}, {"page", KEYS(KEY_NPAGE, KEY_PPAGE), NULL, 3},
	{"End/Home", KEYS(KEY_END, KEY_HOME), NULL, 2},
	END_OF_SCRIPT,
};

/* Through the six steps and back; the name typed on the way (no URL: nothing is fetched). */
static const struct step wizard_script[] = {
	{"typing", NULL, "Bench supplier", 0}, {"field move", KEYS('\t'), NULL, 4},
	{"field move", KEYS(KEY_BTAB), NULL, 4},
	{"next step", KEYS(CTRL('n')), NULL, 5}, {"previous step", KEYS(CTRL('p')), NULL, 5},
	END_OF_SCRIPT,
};

/* ---- the screens ---- */

struct bench {
	struct app *app;
	struct fill_sizes sizes;
};

typedef struct screen *(*open_fn)(struct bench *b);

static struct screen *open_runs(struct bench *b)
{
	return screen_runs_new(b->app, 0, NULL);
}

static struct screen *open_run(struct bench *b)
{
	return screen_run_new(b->app, fill_detail_run(&b->sizes));
}

static struct screen *open_dests(struct bench *b)
{
	return screen_destinations_new(b->app);
}

static struct screen *open_products(struct bench *b)
{
	return screen_products_new(b->app, 1, "Supplier 00000");
}

static struct screen *open_plan(struct bench *b)
{
	return screen_plan_new(b->app, fill_plan_run(&b->sizes));
}

static struct screen *open_help(struct bench *b)
{
	return screen_help_new(b->app, app_top(b->app));
}

static struct screen *open_stats(struct bench *b)
{
	return screen_stats_new(b->app);
}

static struct screen *open_wizard(struct bench *b)
{
	return screen_wizard_new(b->app, WIZ_NEW, 0);
}

/* Every screen, opened over the connections screen (NULL: it is the connections screen itself). */
static const struct {
	const char *name;
	open_fn open;
	const struct step *script;
} screens[] = {
	{"connections", NULL, conns_script},
	{"runs", open_runs, runs_script},
	{"run detail", open_run, run_script},
	{"destinations", open_dests, dests_script},
	{"products", open_products, products_script},
	{"plan", open_plan, plan_script},
	{"help", open_help, help_script},
	{"wizard", open_wizard, wizard_script},
	{"stats", open_stats, help_script},   /* scrolls as help does */
};

/* ---- measuring ---- */

struct series {
	const char *group;
	bool each;
	double ms[SAMPLES_MAX];       /* wall clock */
	double cpu_ms[SAMPLES_MAX];
	char label[SAMPLES_MAX][24];  /* typing: the text so far, to name the slowest key */
	int n;
};

static struct series *series_of(struct series *all, int *n, const char *group)
{
	for (int i = 0; i < *n; i++)
		if (str_eq(all[i].group, group))
			return &all[i];
	if (*n == GROUPS_MAX)
		fill_die("script", "too many groups on one screen (GROUPS_MAX)");
	all[*n] = (struct series){.group = group};
	for (size_t i = 0; i < ARRAY_LEN(per_key_groups); i++)
		all[*n].each = all[*n].each || str_eq(group, per_key_groups[i]);
	return &all[(*n)++];
}

/* One keystroke (none: 0), timed until its frame is out. */
static void press_frame(struct app *app, int key, struct series *s, const char *label)
{
	double t0 = now_us(), c0 = cpu_us();
	if (key == RELOAD)
		app_changed(app);
	else if (key)
		app_key(app, key);
	app_draw(app);
	if (s && s->n < SAMPLES_MAX) {
		s->cpu_ms[s->n] = (cpu_us() - c0) / 1000.0;
		s->ms[s->n] = (now_us() - t0) / 1000.0;
		snprintf(s->label[s->n++], sizeof(s->label[0]), "%s", label ? label : "");
	}
}

/*
 * A screen that opens with part of its work pending ticks until it is done, each tick a frame: those frames
 * are timed too (drawn back to back: the cost per tick, not the wait between ticks). A screen that ticks
 * for good (a live run's) gives FINISH_FRAMES_MAX of them.
 */
#define FINISH_FRAMES_MAX 64

static void finish_opening(struct app *app, struct series *s)
{
	struct screen *top = app_top(app);
	for (int i = 0; i < FINISH_FRAMES_MAX && top->ops->ticking && top->ops->ticking(top); i++)
		press_frame(app, 0, s, NULL);
}

static void play(struct app *app, const struct step *script, struct series *all, int *n)
{
	for (const struct step *st = script; st->keys || st->text; st++) {
		struct series *s = st->group ? series_of(all, n, st->group) : NULL;
		for (int t = 0; t < (st->times ? st->times : 1); t++) {
			for (const char *p = st->text; p && *p; p++) {
				char so_far[24];
				snprintf(so_far, sizeof(so_far), "\"%.*s\"", (int)(p - st->text + 1), st->text);
				press_frame(app, *p, s, so_far);
			}
			for (const int *k = st->keys; k && *k; k++) {
				if (*k == TO_MIDDLE) {
					struct table *table = app_top(app)->table;
					table_move_to(table, table->matched / 2);
					press_frame(app, 0, NULL, NULL);
					continue;
				}
				char key[24];
				snprintf(key, sizeof(key), "%s", *k == RELOAD ? "reload" : keyname(*k));
				press_frame(app, *k, s, key);
			}
		}
	}
}

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

static int slowest(const double *ms, int n)
{
	int worst = 0;
	for (int i = 1; i < n; i++)
		if (ms[i] > ms[worst])
			worst = i;
	return worst;
}

struct verdicts {
	int pass, load, miss;
	double worst_key;
};

/* LOAD: over the target by the wall clock, under it in CPU time: a busy machine kept the console waiting. */
static const char *verdict(struct verdicts *v, double ms, double cpu_ms, double target)
{
	if (ms < target)
		return v->pass++, "PASS";
	if (cpu_ms < target)
		return v->load++, "LOAD";
	return v->miss++, "MISS";
}

static void table_header(void)
{
	printf("  %-13s %-26s %4s %9s %9s %9s %8s %7s  %s\n", "screen", "measure", "keys", "median ms", "max ms",
	       "cpu max", "target", "budget", "verdict");
}

/* One line of the table; `budget` is the share of the target spent (1.00x: all of it). */
static void report_line(const char *screen, const char *measure, int keys, double median_ms, double max_ms,
                        double cpu_ms, double target, struct verdicts *v)
{
	printf("  %-13s %-26s %4d %9.2f %9.2f %9.2f %5.0f ms %6.2fx  %s", screen, measure, keys, median_ms, max_ms,
	       cpu_ms, target, max_ms / target, verdict(v, max_ms, cpu_ms, target));
}

static void report_open(const char *screen, const char *measure, double ms, double cpu_ms, struct verdicts *v)
{
	report_line(screen, measure, 1, ms, ms, cpu_ms, FIRST_FRAME_TARGET_MS, v);
	putchar('\n');
}

/* Every key of a series on its own line, named by the key (or the text typed so far). */
static void report_each(const char *screen, const struct series *s, struct verdicts *v)
{
	for (int i = 0; i < s->n; i++) {
		char measure[48];
		snprintf(measure, sizeof(measure), "%s %d %s", s->group, i + 1, s->label[i]);
		report_line(screen, measure, 1, s->ms[i], s->ms[i], s->cpu_ms[i], KEY_TARGET_MS, v);
		putchar('\n');
		if (s->ms[i] > v->worst_key)
			v->worst_key = s->ms[i];
	}
}

static void report_keys(const char *screen, const struct series *all, int n, struct verdicts *v)
{
	for (int i = 0; i < n; i++) {
		const struct series *s = &all[i];
		if (!s->n)
			continue;
		if (s->each) {
			report_each(screen, s, v);
			continue;
		}
		int w = slowest(s->ms, s->n);
		double mx = s->ms[w], cpu_mx = s->cpu_ms[slowest(s->cpu_ms, s->n)];
		report_line(screen, s->group, s->n, median(s->ms, s->n), mx, cpu_mx, KEY_TARGET_MS, v);
		if (s->label[w][0])
			printf("  (slowest at %s)", s->label[w]);
		putchar('\n');
		if (mx > v->worst_key)
			v->worst_key = mx;
	}
}

/* Opens the screen over the connections screen, plays its script, and goes back. */
static void bench_screen(struct bench *b, size_t i, struct verdicts *v)
{
	struct app *app = b->app;
	if (screens[i].open) {
		double t0 = now_us(), c0 = cpu_us();
		struct screen *s = screens[i].open(b);
		if (!s)
			fill_die(screens[i].name, "the screen cannot be opened");
		app_push(app, s);
		app_draw(app);
		report_open(screens[i].name, "first frame", (now_us() - t0) / 1000.0, (cpu_us() - c0) / 1000.0, v);
	}
	struct series all[GROUPS_MAX];
	int n = 0;
	finish_opening(app, series_of(all, &n, "finishing"));
	play(app, screens[i].script, all, &n);
	report_keys(screens[i].name, all, n, v);
	while (app->dialog)
		app_key(app, 27);
	while (app->depth > 1)
		app_pop(app);
}

/*
 * `!` on the console just started (nothing read but the first frame): the latest failed run's detail, its
 * first frame against the first-frame budget. Then back to the connections screen.
 */
static void bench_first_problem(struct app *app, struct verdicts *v)
{
	int depth = app->depth;
	double t0 = now_us(), c0 = cpu_us();
	app_key(app, '!');
	app_draw(app);
	double ms = (now_us() - t0) / 1000.0, cpu_ms = (cpu_us() - c0) / 1000.0;
	if (app->depth == depth)
		fill_die("!", "the latest problem did not open (no failed run in the database?)");
	report_open("connections", "first ! (cold)", ms, cpu_ms, v);
	while (app->dialog)
		app_key(app, 27);
	while (app->depth > 1)
		app_pop(app);
}

/* ---- idle: the loop as it runs, with another process's run live ---- */

static volatile sig_atomic_t window_over;
static volatile sig_atomic_t writer_stop;

static void on_alarm(int sig)
{
	(void)sig;
	window_over = 1;
}

static void on_term(int sig)
{
	(void)sig;
	writer_stop = 1;
}

/* The child: writes as a run's context does until SIGTERM, then finishes the run. Never returns. */
static void live_writer(const char *path, int64_t run_id)
{
	signal(SIGTERM, on_term);
	char err[512];
	struct store *s = store_open_path(path, 5000, err, sizeof(err));
	if (!s)
		_exit(1);
	int64_t c[RC_COUNT] = {0};
	for (int tick = 0; !writer_stop; tick++) {
		c[RC_ROWS_READ] += 2500;
		c[RC_CREATED] += 2000;
		c[RC_FAILED] += tick % 4 == 0;
		int64_t now = now_ms();
		if (tick % 4 == 0) {   /* a log line a second, an error now and then */
			char msg[64];
			snprintf(msg, sizeof(msg), "imported %lld rows", (long long)c[RC_ROWS_READ]);
			store_run_event_insert(s, run_id, now, "info", msg);
			store_run_error_insert(s, run_id, now, "local_import", c[RC_ROWS_READ], "SKU-1", "price", "bad_price",
			                       "price is not a number", NULL);
		}
		store_run_flush(s, run_id, "local_import", c, c[RC_FAILED], now);
		usleep(250 * 1000);
	}
	store_run_finish(s, run_id, RUN_COMPLETED_WITH_ERRORS, "bench live run", now_ms());
	store_close(s);
	_exit(0);
}

/* The console's loop for `secs` seconds: its CPU as a share of the window's wall time. */
static double idle_window(struct app *app, int secs)
{
	window_over = 0;
	app->terminate = &window_over;
	alarm((unsigned)secs);
	double t0 = now_us(), c0 = cpu_us();
	app_run(app);
	double pct = (cpu_us() - c0) / (now_us() - t0) * 100.0;
	app->terminate = NULL;
	return pct;
}

static void report_idle(const char *screen, double pct, int secs, struct verdicts *v)
{
	printf("  %-13s %-26s %4s %8.2f%% %9s %9s %6.0f%% %6.2fx  %s  (%d s, a run live in another process)\n", screen,
	       "idle CPU", "-", pct, "", "", IDLE_TARGET_PCT, pct / IDLE_TARGET_PCT, verdict(v, pct, pct, IDLE_TARGET_PCT),
	       secs);
}

static void bench_idle(struct bench *b, const char *path, int secs, struct verdicts *v)
{
	struct app *app = b->app;
	int64_t run_id;
	struct run_row active;
	int rc = store_run_enqueue(app->store, 3, "manual", 0, 1, false, &run_id, &active);
	if (rc == 1)
		run_id = active.id;   /* a kept database's run, left live by an interrupted bench */
	else if (rc != 0 || store_run_claim(app->store, "bench", run_id, &active) != 1)
		fill_die("queue the live run", store_errmsg(app->store));
	pid_t child = fork();
	if (child < 0)
		fill_die("fork", "cannot start the writer");
	if (child == 0)
		live_writer(path, run_id);
	struct sigaction sa = {.sa_handler = on_alarm};
	sigaction(SIGALRM, &sa, NULL);
	app_push(app, screen_runs_new(app, 0, NULL));
	report_idle("runs", idle_window(app, secs), secs, v);
	app_push(app, screen_run_new(app, run_id));
	report_idle("run detail", idle_window(app, secs), secs, v);
	if (b->sizes.products > 0) {
		app_push(app, open_products(b));
		report_idle("products", idle_window(app, secs), secs, v);
	}
	app_push(app, open_stats(b));
	finish_opening(app, NULL);   /* the opening is timed with the screen's keys: the window is the steady state */
	report_idle("stats", idle_window(app, secs), secs, v);
	kill(child, SIGTERM);
	int status;
	waitpid(child, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fill_die("the live writer", "it did not finish cleanly");
	while (app->depth > 1)
		app_pop(app);
}

/* ---- main ---- */

static const char *const db_suffixes[] = {"", "-wal", "-shm"};

/* The database and whatever WAL files its last close left. */
static void move_database(const char *from, const char *to)
{
	for (size_t i = 0; i < ARRAY_LEN(db_suffixes); i++) {
		char *a = xasprintf("%s%s", from, db_suffixes[i]), *b = xasprintf("%s%s", to, db_suffixes[i]);
		if (rename(a, b) < 0 && i == 0)
			fill_die("rename", "cannot move the filled database into place");
		free(a);
		free(b);
	}
}

static void remove_database(const char *path, const char *dir)
{
	for (size_t i = 0; i < ARRAY_LEN(db_suffixes); i++) {
		char *file = xasprintf("%s%s", path, db_suffixes[i]);
		unlink(file);
		free(file);
	}
	if (dir)
		rmdir(dir);
}

/* What the console wrote under XDG_STATE_HOME, and the directory. */
static void remove_state(const char *home)
{
	char *file = xasprintf("%s/feedsync/console.state", home), *dir = xasprintf("%s/feedsync", home);
	unlink(file);
	rmdir(dir);
	rmdir(home);
	free(file);
	free(dir);
}

int main(int argc, char **argv)
{
	struct bench b = {.sizes = {.conns = 10000, .runs = 100000, .products = 0, .dests = 40, .events = 20000,
	                            .errors = 1000, .plan_items = 100000}};
	int cols = 160, lines = 48, idle = 0;
	const char *keep = NULL, *only = NULL;
	for (int i = 1; i + 1 < argc; i += 2) {
		int64_t v;
		if (str_eq(argv[i], "--db") || str_eq(argv[i], "--only")) {
			*(str_eq(argv[i], "--db") ? &keep : &only) = argv[i + 1];
			continue;
		}
		if (!parse_int64(argv[i + 1], &v) || v < 0 || v > 10000000)
			fill_die(argv[i], "expected a number from 0 to 10000000");
		if (str_eq(argv[i], "--conns") && v >= 3)
			b.sizes.conns = (int)v;
		else if (str_eq(argv[i], "--runs"))
			b.sizes.runs = (int)v;
		else if (str_eq(argv[i], "--products"))
			b.sizes.products = (int)v;
		else if (str_eq(argv[i], "--cols") && v >= APP_MIN_COLS)
			cols = (int)v;
		else if (str_eq(argv[i], "--lines") && v >= APP_MIN_LINES)
			lines = (int)v;
		else if (str_eq(argv[i], "--idle"))
			idle = (int)v;
		else
			fill_die(argv[i], "unknown option or out of range (--conns >= 3, --runs, --products, --cols >= 80, "
			         "--lines >= 24, --idle, --db, --only)");
	}

	char dir[] = "/tmp/console-bench-XXXXXX";
	if (!keep && !mkdtemp(dir))
		fill_die("mkdtemp", "cannot create a temporary directory");
	char *path = keep ? xstrdup(keep) : xasprintf("%s/bench.db", dir);
	char err[1024];
	bool reuse = keep && access(keep, F_OK) == 0;
	/* A database to keep is filled under another name: one cut short is never taken for a whole one. */
	char *filling = reuse ? xstrdup(path) : xasprintf("%s.filling", path);
	if (!reuse)
		remove_database(filling, NULL);
	struct store *s = store_open_path(filling, 5000, err, sizeof(err));
	if (!s)
		fill_die("open", err);
	double t0 = now_us();
	if (!reuse)
		fill(s, &b.sizes);
	store_close(s);
	if (!reuse)
		move_database(filling, path);
	free(filling);
	printf("console_bench: %d connections, %d runs, %d products, a run with %d log lines and %d errors, a plan"
	       " of %d items (%s in %.1f s), %dx%d\n", b.sizes.conns, b.sizes.runs, b.sizes.products, b.sizes.events,
	       b.sizes.errors, b.sizes.plan_items, reuse ? "reused" : "filled", (now_us() - t0) / 1e6, cols, lines);

	/* Keys never come: a pipe nobody writes to blocks as a quiet terminal does (/dev/null would not). */
	int keys[2];
	if (pipe(keys) < 0)
		fill_die("pipe", "cannot make the console's input");
	FILE *out = fopen("/dev/null", "w"), *in = fdopen(keys[0], "r");
	SCREEN *screen = newterm("xterm-256color", out, in);
	if (!screen)
		fill_die("newterm", "no terminfo entry for xterm-256color");
	set_term(screen);
	resizeterm(lines, cols);

	/* The console remembers each screen's sort between sessions: a state of its own, so that every run starts
	 * from the same order and the user's own state is neither read nor written. */
	char state_home[] = "/tmp/console-bench-state-XXXXXX";
	if (!mkdtemp(state_home) || setenv("XDG_STATE_HOME", state_home, 1) < 0)
		fill_die("mkdtemp", "cannot create the console's state directory");

	struct config cfg;
	config_defaults(&cfg);
	str_copy(cfg.theme, "default", sizeof(cfg.theme));
	cfg.readonly = true;   /* measuring, not changing: no stale-run recovery either */
	struct verdicts v = {0};
	table_header();
	t0 = now_us();
	double c0 = cpu_us();
	s = store_open_path(path, 5000, err, sizeof(err));
	b.app = s ? app_new(&cfg, s, true, false, err, sizeof(err)) : NULL;
	if (!b.app)
		fill_die("console", err);
	app_draw(b.app);
	report_open("connections", "first frame", (now_us() - t0) / 1000.0, (cpu_us() - c0) / 1000.0, &v);
	bench_first_problem(b.app, &v);

	for (size_t i = 0; i < ARRAY_LEN(screens); i++)
		if ((screens[i].open != open_products || b.sizes.products > 0) && (!only || str_eq(only, screens[i].name)))
			bench_screen(&b, i, &v);
	if (idle > 0)
		bench_idle(&b, path, idle, &v);
	printf("  slowest keystroke to frame %.2f ms (target < %.0f ms); %d PASS, %d LOAD, %d MISS\n", v.worst_key,
	       KEY_TARGET_MS, v.pass, v.load, v.miss);
	if (v.load)
		printf("  LOAD: over the target by the wall clock, under it in CPU time (the machine was busy)\n");

	app_free(b.app);
	store_close(s);
	endwin();
	delscreen(screen);
	fclose(out);
	fclose(in);
	close(keys[1]);
	if (!keep)
		remove_database(path, dir);
	free(path);
	remove_state(state_home);
	return 0;
}
