/* The command line: parsing, the commands, completion and history (see cmdline.h). */
#include "tui/cmdline.h"

#include <curses.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tui/dialog.h"
#include "tui/screens.h"

#define HISTORY_MAX 50
#define NAME_MATCHES_MAX 20

struct cmdline {
	char *history[HISTORY_MAX];   /* oldest first */
	int n;
	int browsing;                 /* the entry Up/Down showed; n = the line being typed */
	char *draft;                  /* what was typed before Up */
};

struct command {
	const char *name;
	const char *args;
	bool (*run)(struct app *app, const char *arg);
};

static bool cmd_runs(struct app *app, const char *arg);
static bool cmd_conn(struct app *app, const char *arg);
static bool cmd_dest(struct app *app, const char *arg);
static bool cmd_quit(struct app *app, const char *arg);

static const struct command commands[] = {
	{"runs", " [problems|running|active]", cmd_runs},
	{"conn", " ID|NAME", cmd_conn},
	{"dest", "", cmd_dest},
	{"q", "", cmd_quit},
};

struct cmdline *cmdline_new(void)
{
	return xcalloc(1, sizeof(struct cmdline));
}

void cmdline_free(struct cmdline *c)
{
	if (!c)
		return;
	for (int i = 0; i < c->n; i++)
		free(c->history[i]);
	free(c->draft);
	free(c);
}

static void usage(struct strbuf *out)
{
	for (size_t i = 0; i < ARRAY_LEN(commands); i++)
		sb_addf(out, "%s%s%s", i ? ", " : "", commands[i].name, commands[i].args);
}

/* ---- the commands ---- */

static bool no_argument(struct app *app, const char *name, const char *arg)
{
	if (!*arg)
		return true;
	app_message(app, ROLE_ERROR, ":%s takes no argument (got '%s')", name, arg);
	return false;
}

static bool cmd_runs(struct app *app, const char *arg)
{
	/* "failed" is what people type; it means what the problems filter shows (failed or with errors). */
	const char *wanted = str_eq(arg, "failed") ? "problems" : arg;
	int quick = QUICK_ALL;
	while (*wanted && quick < QUICK_COUNT && !str_eq(quick_filter_names[quick], wanted))
		quick++;
	if (quick == QUICK_COUNT) {
		app_message(app, ROLE_ERROR, ":runs %s: not a status filter (all, problems or failed, running, active)",
		            arg);
		return false;
	}
	app_push(app, screen_runs_new(app, 0, NULL));
	table_set_quick(app_top(app)->table, (enum quick_filter)quick);
	return true;
}

/* The connection called name: the one of that name (any case), or the only one whose name holds it. */
static int64_t find_connection(struct app *app, const char *name, char *found, size_t size)
{
	struct view_query q = {.sort = CONN_F_NAME, .filter = name, .filter_fields = UINT32_C(1) << CONN_F_NAME};
	struct conn_row *rows;
	size_t n;
	if (store_views_conns(app->views, &q, 0, NAME_MATCHES_MAX, -1, &rows, &n) < 0) {
		app_message(app, ROLE_ERROR, ":conn: %s", store_views_errmsg(app->views));
		return 0;
	}
	int64_t id = 0;
	for (size_t i = 0; i < n && !id; i++) {
		if (strcasecmp(rows[i].name, name) == 0 || n == 1) {
			id = rows[i].id;
			str_copy(found, rows[i].name, size);
		}
	}
	if (!id && n == 0)
		app_message(app, ROLE_ERROR, ":conn: no connection is called '%s'", name);
	else if (!id)
		app_message(app, ROLE_ERROR, ":conn: '%s' is in %s%zu connection names: type more of one, or its id", name,
		            n == NAME_MATCHES_MAX ? "at least " : "", n);
	conn_rows_free(rows, n);
	return id;
}

static bool cmd_conn(struct app *app, const char *arg)
{
	int64_t id;
	char name[128] = "";
	if (!*arg) {
		app_message(app, ROLE_ERROR, ":conn needs a connection id or name");
		return false;
	}
	if (parse_int64(arg, &id)) {
		struct conn_row c = {0};
		int rc = store_conn_get(app->store, id, &c);
		if (rc == 1)
			str_copy(name, c.name, sizeof(name));
		conn_row_free(&c);
		if (rc != 1) {
			app_message(app, ROLE_ERROR, ":conn: there is no connection %lld", (long long)id);
			return false;
		}
	} else if (!(id = find_connection(app, arg, name, sizeof(name)))) {
		return false;
	}
	app_push(app, screen_runs_new(app, id, name));
	return true;
}

static bool cmd_dest(struct app *app, const char *arg)
{
	if (!no_argument(app, "dest", arg))
		return false;
	if (app_top(app)->ops != &destinations_screen_ops)
		app_push(app, screen_destinations_new(app));
	return true;
}

static bool cmd_quit(struct app *app, const char *arg)
{
	if (!no_argument(app, "q", arg))
		return false;
	app_quit(app);
	return true;
}

/* ---- parsing ---- */

/* The command a word names: itself, or the only one it begins. NULL with *many set when it is ambiguous. */
static const struct command *command_named(const char *word, size_t len, bool *many)
{
	const struct command *pick = NULL;
	*many = false;
	for (size_t i = 0; i < ARRAY_LEN(commands); i++) {
		if (strlen(commands[i].name) == len && strncmp(commands[i].name, word, len) == 0)
			return &commands[i];
		if (strncmp(commands[i].name, word, len) == 0) {
			*many = pick != NULL;
			pick = &commands[i];
		}
	}
	return *many ? NULL : pick;
}

bool cmdline_run(struct app *app, const char *line)
{
	while (*line == ' ' || *line == ':')
		line++;
	size_t len = strcspn(line, " ");
	const char *arg = line + len;
	while (*arg == ' ')
		arg++;
	char *trimmed = xstrdup(arg);
	for (size_t n = strlen(trimmed); n > 0 && trimmed[n - 1] == ' '; n--)
		trimmed[n - 1] = '\0';
	bool many, ok = false;
	const struct command *cmd = len ? command_named(line, len, &many) : NULL;
	if (cmd) {
		ok = cmd->run(app, trimmed);
	} else if (len) {
		struct strbuf sb = {0};
		usage(&sb);
		app_message(app, ROLE_ERROR, "%s command ':%.*s': %s", many ? "ambiguous" : "unknown", (int)len, line,
		            sb_str(&sb));
		sb_free(&sb);
	}
	free(trimmed);
	return ok;
}

/* ---- history and completion ---- */

static void remember(struct cmdline *c, const char *line)
{
	if (c->n && str_eq(c->history[c->n - 1], line))
		return;
	if (c->n == HISTORY_MAX) {
		free(c->history[0]);
		memmove(c->history, c->history + 1, (HISTORY_MAX - 1) * sizeof(*c->history));
		c->n--;
	}
	c->history[c->n++] = xstrdup(line);
}

static void recall(struct cmdline *c, int dir, struct strbuf *text)
{
	int to = c->browsing + dir;
	if (to < 0 || to > c->n)
		return;
	if (c->browsing == c->n) {
		free(c->draft);
		c->draft = xstrdup(sb_str(text));
	}
	c->browsing = to;
	sb_reset(text);
	sb_adds(text, to == c->n ? (c->draft ? c->draft : "") : c->history[to]);
}

/* The command word to its full name, or a status filter after "runs ". */
static void complete(struct app *app, struct strbuf *text)
{
	const char *s = sb_str(text);
	const char *space = strchr(s, ' ');
	bool many;
	if (!space) {
		const struct command *cmd = command_named(s, strlen(s), &many);
		if (cmd) {
			sb_reset(text);
			sb_addf(text, "%s%s", cmd->name, cmd->args[0] ? " " : "");
		} else {
			struct strbuf sb = {0};
			usage(&sb);
			app_message(app, ROLE_DIM, "%s", sb_str(&sb));
			sb_free(&sb);
		}
		return;
	}
	if (strncmp(s, "runs ", 5) != 0)
		return;
	const char *word = s + 5, *pick = NULL;
	for (int q = QUICK_ALL; q < QUICK_COUNT; q++)
		if (strncmp(quick_filter_names[q], word, strlen(word)) == 0)
			pick = pick ? "" : quick_filter_names[q];
	if (pick && *pick) {   /* pick is a name of the table, not in text: text may be rewritten */
		sb_reset(text);
		sb_addf(text, "runs %s", pick);
	}
}

static bool cmdline_key(struct app *app, int key, struct strbuf *text)
{
	struct cmdline *c = app->cmdline;
	if (key == KEY_UP || key == KEY_DOWN)
		recall(c, key == KEY_UP ? -1 : 1, text);
	else if (key == '\t')
		complete(app, text);
	else
		return false;
	return true;
}

static void cmdline_done(struct app *app, const char *text, bool accepted)
{
	if (!accepted)
		return;
	const char *s = text;
	while (*s == ' ')
		s++;
	if (!*s)
		return;
	remember(app->cmdline, s);
	cmdline_run(app, s);
}

void cmdline_open(struct app *app)
{
	app->cmdline->browsing = app->cmdline->n;
	dialog_prompt(app, ":", "", NULL, cmdline_done);
	dialog_prompt_keys(app, cmdline_key);
}
