/*
 * feedsync.ini: every key is declared once in the keys[] table below; defaults, parsing, printing and
 * the shipped feedsync.ini (whose body is config_print's output for the defaults) all come from it.
 */
/* Debian's libinih is built with line numbers passed to the handler; the typedef must match the library. */
#define INI_HANDLER_LINENO 1
#include "core/config.h"

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <ini.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/data_dir.h"
#include "core/problems.h"
#include "core/util.h"

/* Long enough for a full-length path, its key and quotes; longer lines are reported, not split. */
#define CONFIG_LINE_MAX 8192

enum key_type { TYPE_INT, TYPE_SIZE, TYPE_BOOL, TYPE_STRING, TYPE_LEVEL };

struct key {
	const char *section;
	const char *name;
	enum key_type type;
	size_t offset;
	size_t size;      /* of the member: the capacity of a string */
	int64_t min, max; /* bounds of int and size keys; min 1 makes a string key required */
	const char *def;  /* written as in the file, so defaults go through the parser too */
	const char *help;
};

#define CFG_FIELD(m) offsetof(struct config, m), sizeof(((struct config *)0)->m)
/* Zero, but fails to compile (distinct pointer types) when member m is not a `type`. */
#define CFG_IS(m, type) (0 * sizeof((type *)0 == &((struct config *)0)->m))

#define INT_KEY(s, k, m, lo, hi, def, help) \
	{ s, k, TYPE_INT, CFG_FIELD(m) + CFG_IS(m, int), lo, hi, def, help }
#define SIZE_KEY(s, k, m, lo, hi, def, help) \
	{ s, k, TYPE_SIZE, CFG_FIELD(m) + CFG_IS(m, int64_t), lo, hi, def, help }
#define BOOL_KEY(s, k, m, def, help) \
	{ s, k, TYPE_BOOL, CFG_FIELD(m) + CFG_IS(m, bool), 0, 1, def, help }
#define STRING_KEY(s, k, m, required, def, help) \
	{ s, k, TYPE_STRING, CFG_FIELD(m) + 0 * sizeof((char *)0 == ((struct config *)0)->m), \
	  required, 0, def, help }
#define LEVEL_KEY(s, k, m, def, help) \
	{ s, k, TYPE_LEVEL, CFG_FIELD(m) + CFG_IS(m, enum log_level), 0, 0, def, help }

#define KIB INT64_C(1024)
#define MIB (KIB * 1024)
#define GIB (MIB * 1024)

/* Grouped by section, in the order config_print and the shipped feedsync.ini show them. */
static const struct key keys[] = {
	STRING_KEY("database", "path", db_path, 0, "\"\"",
		"SQLite catalog file, or a postgresql:// URL; a relative path is relative to the working directory,"
		" not to this file. Empty means $STATE_DIRECTORY/feedsync.db under systemd, else ./feedsync.db when"
		" one exists (made by older versions), else $XDG_DATA_HOME/feedsync/feedsync.db"
		" (~/.local/share/feedsync/feedsync.db)"),
	INT_KEY("database", "busy_timeout_ms", busy_timeout_ms, 0, 600000, "5000",
		"How long to wait for a lock held by another feedsync process, in milliseconds"),

	INT_KEY("worker", "threads", worker_threads, 1, 64, "2",
		"Threads executing queued runs in `feedsync worker`"),
	INT_KEY("worker", "poll_interval_ms", poll_interval_ms, 10, 60000, "1000",
		"How often an idle worker looks for queued runs, in milliseconds"),
	INT_KEY("worker", "heartbeat_interval_s", heartbeat_interval_s, 1, 3600, "5",
		"How often a running run records that it is alive, in seconds"),
	INT_KEY("worker", "stale_after_s", stale_after_s, 2, 86400, "60",
		"A run whose heartbeat is older than this is failed as lost, in seconds;"
		" must exceed heartbeat_interval_s"),
	INT_KEY("worker", "shutdown_grace_s", shutdown_grace_s, 0, 3600, "10",
		"Time runs in progress get to stop cleanly at shutdown, in seconds"),

	INT_KEY("http", "connect_timeout_s", connect_timeout_s, 1, 600, "15",
		"Time allowed to connect to a feed or shop server, in seconds"),
	INT_KEY("http", "timeout_s", timeout_s, 1, 86400, "600",
		"Longest a whole download or request may take, in seconds"),
	INT_KEY("http", "stall_timeout_s", stall_timeout_s, 1, 3600, "30",
		"Abort a transfer that receives nothing for this long, in seconds"),
	SIZE_KEY("http", "max_download_bytes", max_download_bytes, KIB, 1024 * GIB, "2g",
		"Largest feed download accepted, in bytes; k, m and g mean KiB, MiB and GiB"),
	INT_KEY("http", "max_redirects", max_redirects, 0, 50, "5",
		"Redirects followed per request"),
	STRING_KEY("http", "user_agent", user_agent, 0, "\"\"",
		"User-Agent header; empty means feedsync/<version>"),

	STRING_KEY("import", "temp_dir", temp_dir, 0, "\"\"",
		"Directory for downloaded and unpacked feeds; empty means $TMPDIR, else /tmp"),
	INT_KEY("import", "batch_rows", batch_rows, 1, 1000000, "10000",
		"Rows written per catalog transaction"),
	INT_KEY("import", "error_cap", error_cap, 0, 1000000, "1000",
		"Row errors stored per run; the total is always counted"),
	INT_KEY("import", "samples_cap", samples_cap, 4, 600, "600",
		"Samples of a run's counters kept for its throughput picture (one a second at most); when full, every"
		" other one is dropped and they are taken half as often"),
	SIZE_KEY("import", "max_field_bytes", max_field_bytes, KIB, GIB, "64m",
		"Largest single field read from a feed: a CSV cell, JSON string or XML text, in bytes"),
	SIZE_KEY("import", "max_value_bytes", max_value_bytes, KIB, GIB, "1m",
		"Longest value kept after mapping, in bytes"),
	INT_KEY("import", "max_shrink_percent", max_shrink_percent, 0, 100, "50",
		"Skip reconcile when a feed has this many percent fewer products than the last import,"
		" so a truncated feed never removes products"),

	INT_KEY("push", "batch_size", push_batch_size, 1, 100, "100",
		"Products sent per shop API request"),
	INT_KEY("push", "concurrency", push_concurrency, 1, 64, "4",
		"Shop API requests in flight at once"),
	INT_KEY("push", "retries", push_retries, 0, 20, "3",
		"Retries of a request that failed for a transient reason"),
	INT_KEY("push", "backoff_ms", push_backoff_ms, 0, 600000, "1000",
		"Delay before the first retry, doubled for each further one, in milliseconds"),
	STRING_KEY("push", "credentials_key_file", credentials_key_file, 0, "\"\"",
		"File with the key that encrypts shop credentials stored in the database, created with mode 0600"
		" on first use; empty means the database path followed by .key"),

	INT_KEY("tui", "refresh_ms", refresh_ms, 50, 60000, "500",
		"How often the console checks for new data, in milliseconds"),
	INT_KEY("tui", "escape_delay_ms", escape_delay_ms, 0, 5000, "300",
		"How long the console waits after Esc for the rest of a key (an arrow key over a slow SSH link"
		" arrives in pieces), in milliseconds"),
	STRING_KEY("tui", "theme", theme, 1, "default",
		"Colour theme: a file name in the themes directory, without .ini"),
	BOOL_KEY("tui", "readonly", readonly, "false",
		"Open the console without the actions that change data"),
	BOOL_KEY("tui", "mouse", mouse, "false",
		"Let the mouse click and scroll in the console; it takes over text selection"),
	BOOL_KEY("tui", "ascii", ascii, "false",
		"Draw lines and symbols in ASCII, for terminals that garble line drawing"),
	BOOL_KEY("tui", "use_worker", use_worker, "false",
		"Queue runs started in the console for a `feedsync worker` daemon instead of running them there"),

#define ACTION_KEY(id, name, keys_, group, flags, help) \
	STRING_KEY("keys", name, keys[ACTION_##id], 0, keys_, help),
	CONSOLE_ACTIONS(ACTION_KEY)
#undef ACTION_KEY

	LEVEL_KEY("log", "level", log_level, "info",
		"Least severe process log messages written"),
	STRING_KEY("log", "file", log_file, 0, "\"\"",
		"Process log file, appended to; empty means stderr; run logs are kept in the catalog"),
};

static const char *const level_names[] = {
	[LOG_DEBUG] = "debug", [LOG_INFO] = "info", [LOG_WARN] = "warn", [LOG_ERROR] = "error",
};

static const char *const true_words[] = { "true", "yes", "on", "1" };
static const char *const false_words[] = { "false", "no", "off", "0" };

static void *field_of(const struct key *k, struct config *cfg)
{
	return (char *)cfg + k->offset;
}

static const void *const_field_of(const struct key *k, const struct config *cfg)
{
	return (const char *)cfg + k->offset;
}

static int word_index(const char *const *words, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(words[i], s) == 0)
			return (int)i;
	return -1;
}

/* Digits and an optional k, m or g suffix (powers of 1024). */
static bool parse_size(const char *s, int64_t *out)
{
	if (!isdigit((unsigned char)*s))
		return false;
	errno = 0;
	char *end;
	long long n = strtoll(s, &end, 10);
	static const char suffixes[] = "kmg";
	int shift = 0;
	const char *suffix = strchr(suffixes, tolower((unsigned char)*end));
	if (*end && suffix) {
		shift = 10 * (int)(suffix - suffixes + 1);
		end++;
	}
	if (errno || *end || n > (INT64_MAX >> shift))
		return false;
	*out = (int64_t)n * ((int64_t)1 << shift);
	return true;
}

static void format_size(int64_t v, struct strbuf *sb)
{
	char text[32];
	format_size_setting((uint64_t)v, text, sizeof(text));
	sb_adds(sb, text);
}

/* Strings may be written in double quotes, to keep surrounding spaces or to write an empty value. */
static bool unquote(const char *text, const char **start, size_t *len)
{
	*start = text;
	*len = strlen(text);
	if (text[0] != '"')
		return true;
	if (*len < 2 || text[*len - 1] != '"')
		return false;
	*start = text + 1;
	*len -= 2;
	return true;
}

static bool needs_quotes(const char *s)
{
	size_t len = strlen(s);
	return len == 0 || s[0] == '"' || isspace((unsigned char)s[0]) || isspace((unsigned char)s[len - 1]);
}

/*
 * One set of operations per key type. store parses text into the field or, when the text is not
 * acceptable, says what is expected; range is the short form used in the comments of config_print.
 */
struct key_type_ops {
	bool (*store)(const struct key *k, const char *text, void *field, struct strbuf *why);
	void (*format)(const struct key *k, const void *field, struct strbuf *sb);
	void (*range)(const struct key *k, struct strbuf *sb);
};

static bool store_int(const struct key *k, const char *text, void *field, struct strbuf *why)
{
	int64_t v;
	if (parse_int64(text, &v) && v >= k->min && v <= k->max) {
		*(int *)field = (int)v;
		return true;
	}
	sb_addf(why, "expected an integer from %lld to %lld", (long long)k->min, (long long)k->max);
	return false;
}

static void format_int(const struct key *k, const void *field, struct strbuf *sb)
{
	(void)k;
	sb_addf(sb, "%d", *(const int *)field);
}

static void range_int(const struct key *k, struct strbuf *sb)
{
	sb_addf(sb, "%lld..%lld", (long long)k->min, (long long)k->max);
}

static bool store_size(const struct key *k, const char *text, void *field, struct strbuf *why)
{
	int64_t v;
	if (parse_size(text, &v) && v >= k->min && v <= k->max) {
		*(int64_t *)field = v;
		return true;
	}
	sb_adds(why, "expected a size from ");
	format_size(k->min, why);
	sb_adds(why, " to ");
	format_size(k->max, why);
	sb_adds(why, " (bytes, or a number with a k, m or g suffix)");
	return false;
}

static void format_size_field(const struct key *k, const void *field, struct strbuf *sb)
{
	(void)k;
	format_size(*(const int64_t *)field, sb);
}

static void range_size(const struct key *k, struct strbuf *sb)
{
	format_size(k->min, sb);
	sb_adds(sb, "..");
	format_size(k->max, sb);
}

static bool store_bool(const struct key *k, const char *text, void *field, struct strbuf *why)
{
	(void)k;
	if (word_index(true_words, ARRAY_LEN(true_words), text) >= 0)
		*(bool *)field = true;
	else if (word_index(false_words, ARRAY_LEN(false_words), text) >= 0)
		*(bool *)field = false;
	else {
		sb_adds(why, "expected true or false (or yes/no, on/off, 1/0)");
		return false;
	}
	return true;
}

static void format_bool(const struct key *k, const void *field, struct strbuf *sb)
{
	(void)k;
	sb_adds(sb, *(const bool *)field ? "true" : "false");
}

static void range_bool(const struct key *k, struct strbuf *sb)
{
	(void)k;
	sb_adds(sb, "true or false");
}

static bool store_string(const struct key *k, const char *text, void *field, struct strbuf *why)
{
	const char *start;
	size_t len;
	if (!unquote(text, &start, &len))
		sb_adds(why, "expected a closing double quote (note that ' ;' starts a comment)");
	else if (len == 0 && k->min > 0)
		sb_adds(why, "expected a non-empty value");
	else if (len >= k->size)
		sb_addf(why, "expected at most %zu bytes", k->size - 1);
	else {
		memset(field, 0, k->size);
		memcpy(field, start, len);
		return true;
	}
	return false;
}

static void format_string(const struct key *k, const void *field, struct strbuf *sb)
{
	(void)k;
	const char *s = field;
	if (needs_quotes(s))
		sb_addf(sb, "\"%s\"", s);
	else
		sb_adds(sb, s);
}

static void list_level_names(struct strbuf *sb, const char *last_separator)
{
	for (size_t i = 0; i < ARRAY_LEN(level_names); i++) {
		if (i > 0)
			sb_adds(sb, i + 1 == ARRAY_LEN(level_names) ? last_separator : ", ");
		sb_adds(sb, level_names[i]);
	}
}

static bool store_level(const struct key *k, const char *text, void *field, struct strbuf *why)
{
	(void)k;
	int i = word_index(level_names, ARRAY_LEN(level_names), text);
	if (i < 0) {
		sb_adds(why, "expected one of ");
		list_level_names(why, ", ");
		return false;
	}
	*(enum log_level *)field = (enum log_level)i;
	return true;
}

static void format_level(const struct key *k, const void *field, struct strbuf *sb)
{
	(void)k;
	sb_adds(sb, level_names[*(const enum log_level *)field]);
}

static void range_level(const struct key *k, struct strbuf *sb)
{
	(void)k;
	list_level_names(sb, " or ");
}

static const struct key_type_ops type_ops[] = {
	[TYPE_INT] = { store_int, format_int, range_int },
	[TYPE_SIZE] = { store_size, format_size_field, range_size },
	[TYPE_BOOL] = { store_bool, format_bool, range_bool },
	[TYPE_STRING] = { store_string, format_string, NULL },
	[TYPE_LEVEL] = { store_level, format_level, range_level },
};

static const struct key *find_key(const char *section, const char *name)
{
	for (size_t i = 0; i < ARRAY_LEN(keys); i++)
		if (str_eq(keys[i].section, section) && str_eq(keys[i].name, name))
			return &keys[i];
	return NULL;
}

static bool section_known(const char *section, size_t len)
{
	for (size_t i = 0; i < ARRAY_LEN(keys); i++)
		if (strlen(keys[i].section) == len && memcmp(keys[i].section, section, len) == 0)
			return true;
	return false;
}

/* Sections in table order, each once: "database, worker, ...". */
static void list_sections(struct strbuf *sb)
{
	for (size_t i = 0; i < ARRAY_LEN(keys); i++) {
		if (i > 0 && str_eq(keys[i - 1].section, keys[i].section))
			continue;
		sb_addf(sb, "%s%s", i > 0 ? ", " : "", keys[i].section);
	}
}

static void list_keys(const char *section, struct strbuf *sb)
{
	size_t listed = 0;
	for (size_t i = 0; i < ARRAY_LEN(keys); i++)
		if (str_eq(keys[i].section, section))
			sb_addf(sb, "%s%s", listed++ ? ", " : "", keys[i].name);
}

void config_defaults(struct config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	struct strbuf why = {0};
	for (size_t i = 0; i < ARRAY_LEN(keys); i++) {
		bool stored = type_ops[keys[i].type].store(&keys[i], keys[i].def, field_of(&keys[i], cfg), &why);
		assert(stored && "every default in keys[] must be a valid value");
		(void)stored;
	}
	sb_free(&why);
}

struct parse {
	struct config *cfg;
	FILE *file;
	const char *path;
	int lineno;                        /* lines handed to inih so far */
	int first_syntax_error;            /* line of the first malformed line seen, 0 when none */
	bool in_bad_section;               /* under an unknown or malformed header, already reported */
	int set_on_line[ARRAY_LEN(keys)];  /* where each key was set, 0 when the file does not set it */
	struct problems *problems;
};

static void complain(struct parse *p, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void complain(struct parse *p, int line, const char *fmt, ...)
{
	struct strbuf msg = {0};
	va_list ap;
	va_start(ap, fmt);
	sb_vaddf(&msg, fmt, ap);
	va_end(ap);
	char *where = line > 0 ? xasprintf("%s:%d", p->path, line) : xstrdup(p->path);
	problems_add(p->problems, where, "%s", sb_str(&msg));
	free(where);
	sb_free(&msg);
}

static void check_section_header(struct parse *p, const char *header)
{
	const char *end = strchr(header, ']');
	p->in_bad_section = true;
	if (!end) {
		if (!p->first_syntax_error)
			p->first_syntax_error = p->lineno;
		complain(p, p->lineno, "expected ']' to close the section name");
		return;
	}
	size_t len = (size_t)(end - header - 1);
	if (section_known(header + 1, len)) {
		p->in_bad_section = false;
		return;
	}
	struct strbuf known = {0};
	list_sections(&known);
	complain(p, p->lineno, "unknown section [%.*s] (%s)", (int)len, header + 1, sb_str(&known));
	sb_free(&known);
}

/*
 * inih tells the handler about keys only: it is silent about section headers, reports just the first
 * malformed line, and splits overlong lines. So each line is looked at here on its way to inih.
 */
static void check_line(struct parse *p, const char *line)
{
	if (p->lineno == 1 && str_starts_with(line, "\xEF\xBB\xBF"))
		line += 3;
	while (isspace((unsigned char)*line))
		line++;
	if (!*line || *line == ';' || *line == '#')
		return;
	if (*line == '[') {
		check_section_header(p, line);
	} else if (!strpbrk(line, "=:")) {
		if (!p->first_syntax_error)
			p->first_syntax_error = p->lineno;
		complain(p, p->lineno, "expected [section] or key = value");
	}
}

/* Consumes what is left of the current line; true when nothing but the newline was left. */
static bool finish_line(FILE *f)
{
	int c = getc(f);
	if (c == '\n' || c == EOF)
		return true;
	while (c != '\n' && c != EOF)
		c = getc(f);
	return false;
}

static char *read_line(char *buf, int size, void *stream)
{
	struct parse *p = stream;
	if (!fgets(buf, size, p->file))
		return NULL;
	p->lineno++;
	size_t len = strlen(buf);
	if (len > 0 && buf[len - 1] != '\n' && !finish_line(p->file)) {
		complain(p, p->lineno, "line longer than %d bytes", size - 2);
		buf[0] = '\0';
		return buf;
	}
	check_line(p, buf);
	return buf;
}

static int on_key(void *user, const char *section, const char *name, const char *value, int lineno)
{
	struct parse *p = user;
	struct strbuf sb = {0};
	const struct key *k = find_key(section, name);
	if (p->in_bad_section) {
		/* the header was reported; its keys would only repeat that */
	} else if (!*section) {
		list_sections(&sb);
		complain(p, lineno, "key '%s' comes before any [section] (%s)", name, sb_str(&sb));
	} else if (!k) {
		list_keys(section, &sb);
		complain(p, lineno, "unknown key '%s' in [%s] (%s)", name, section, sb_str(&sb));
	} else {
		int *set_on = &p->set_on_line[k - keys];
		if (*set_on)
			complain(p, lineno, "%s.%s is set twice (first on line %d)", section, name, *set_on);
		*set_on = lineno;
		if (!type_ops[k->type].store(k, value, field_of(k, p->cfg), &sb))
			complain(p, lineno, "%s.%s = '%s': %s", section, name, value, sb_str(&sb));
	}
	sb_free(&sb);
	return 1; /* keep inih's return value for malformed lines only */
}

/* A run is failed as lost once its heartbeat is older than stale_after_s, so beats must come more often. */
static void check_heartbeat_timing(struct parse *p)
{
	const struct config *cfg = p->cfg;
	if (cfg->stale_after_s > cfg->heartbeat_interval_s)
		return;
	int stale_line = p->set_on_line[find_key("worker", "stale_after_s") - keys];
	int beat_line = p->set_on_line[find_key("worker", "heartbeat_interval_s") - keys];
	complain(p, stale_line > beat_line ? stale_line : beat_line,
		"worker.stale_after_s (%d) must be greater than worker.heartbeat_interval_s (%d)",
		cfg->stale_after_s, cfg->heartbeat_interval_s);
}

/*
 * inih's options are process-wide: they are set for this parse only, and config_load must not run
 * while another thread parses an ini file (it runs once, at startup).
 */
static int parse_stream(struct parse *p)
{
	int saved_max_line = ini_max_line;
	bool saved_multiline = ini_allow_multiline;
	ini_max_line = CONFIG_LINE_MAX;
	ini_allow_multiline = false; /* an indented key is a key, not the continuation of the previous value */
	int rc = ini_parse_stream(read_line, p, on_key, p);
	ini_max_line = saved_max_line;
	ini_allow_multiline = saved_multiline;
	return rc;
}

static void parse_file(struct config *cfg, const char *path, const char *named_by, struct problems *problems)
{
	struct parse p = { .cfg = cfg, .path = path, .problems = problems };
	struct stat st;
	p.file = fopen(path, "r");
	if (!p.file) {
		complain(&p, 0, "cannot open%s: %s", named_by, strerror(errno));
		return;
	}
	if (fstat(fileno(p.file), &st) == 0 && S_ISDIR(st.st_mode)) {
		complain(&p, 0, "cannot read%s: it is a directory", named_by);
		fclose(p.file);
		return;
	}
	int rc = parse_stream(&p);
	if (rc > 0 && rc != p.first_syntax_error)
		complain(&p, rc, "expected [section] or key = value");
	else if (rc < 0)
		complain(&p, 0, "out of memory while parsing");
	if (ferror(p.file))
		complain(&p, 0, "read error: %s", strerror(errno));
	fclose(p.file);
	check_heartbeat_timing(&p);
}

#ifndef FEEDSYNC_SYSCONFDIR
#define FEEDSYNC_SYSCONFDIR "/etc"
#endif
#define SYSTEM_CONFIG FEEDSYNC_SYSCONFDIR "/feedsync/feedsync.ini"

/* The file to read, or NULL for built-in defaults; named_by explains a path the user did not type. */
static char *choose_config_file(const char *explicit_path, const char **named_by)
{
	*named_by = "";
	if (explicit_path)
		return xstrdup(explicit_path);
	const char *env = getenv("FEEDSYNC_CONFIG");
	if (env && *env) {
		*named_by = " (named by $FEEDSYNC_CONFIG)";
		return xstrdup(env);
	}
	if (access("feedsync.ini", F_OK) == 0)
		return xstrdup("feedsync.ini");
	char *user = user_config_path("feedsync.ini");
	if (user && access(user, F_OK) == 0)
		return user;
	free(user);
	/* the service's, and every user's fallback, as installed by `make install` */
	if (access(SYSTEM_CONFIG, F_OK) == 0)
		return xstrdup(SYSTEM_CONFIG);
	return NULL;
}

static int report(struct problems *problems, char *err, size_t errsize)
{
	if (problems->n == 0)
		return 0;
	char *text = problems_join(problems, NULL);
	size_t len = strlen(text);
	if (len > 0 && text[len - 1] == '\n')
		text[len - 1] = '\0';
	if (errsize)
		str_copy(err, text, errsize);
	free(text);
	problems_free(problems);
	return -1;
}

int config_load(struct config *cfg, const char *explicit_path, char *err, size_t errsize)
{
	config_defaults(cfg);
	if (errsize)
		err[0] = '\0';
	const char *named_by;
	char *path = choose_config_file(explicit_path, &named_by);
	if (!path)
		return 0;
	struct problems problems = {0};
	parse_file(cfg, path, named_by, &problems);
	str_copy(cfg->source_path, path, sizeof(cfg->source_path));
	free(path);
	return report(&problems, err, errsize);
}

/*
 * Writes text as "# " lines no wider than COMMENT_WIDTH, breaking at spaces, but none past
 * text[last_break] so that "(range, default)" stays whole.
 */
#define COMMENT_WIDTH 100
static void print_comment(const char *text, size_t last_break, FILE *out)
{
	const char *breakable_end = text + last_break;
	while (*text) {
		size_t len = strlen(text);
		if (len > COMMENT_WIDTH - 2) {
			const char *cut = text + COMMENT_WIDTH - 2;
			if (cut > breakable_end)
				cut = breakable_end;
			while (cut > text && *cut != ' ')
				cut--;
			if (cut > text)
				len = (size_t)(cut - text);
		}
		fprintf(out, "# %.*s\n", (int)len, text);
		text += len;
		text += strspn(text, " ");
	}
}

static void print_key(const struct key *k, const struct config *cfg, const struct config *defaults, FILE *out)
{
	const struct key_type_ops *ops = &type_ops[k->type];
	struct strbuf sb = {0};
	sb_addf(&sb, "%s (", k->help);
	size_t help_end = strlen(k->help);
	if (ops->range) {
		ops->range(k, &sb);
		sb_adds(&sb, ", ");
	}
	sb_adds(&sb, "default ");
	if (k->type == TYPE_STRING) /* quoted even when the file needs no quotes: (default "default") */
		sb_addf(&sb, "\"%s\"", (const char *)const_field_of(k, defaults));
	else
		ops->format(k, const_field_of(k, defaults), &sb);
	sb_adds(&sb, ").");
	print_comment(sb_str(&sb), help_end, out);
	sb_reset(&sb);
	ops->format(k, const_field_of(k, cfg), &sb);
	fprintf(out, "%s = %s\n", k->name, sb_str(&sb));
	sb_free(&sb);
}

void config_print(const struct config *cfg, FILE *out)
{
	struct config defaults;
	config_defaults(&defaults);
	if (*cfg->source_path)
		fprintf(out, "# feedsync settings in effect, read from %s\n", cfg->source_path);
	else
		fprintf(out, "# feedsync settings in effect: the built-in defaults (no feedsync.ini found)\n");
	for (size_t i = 0; i < ARRAY_LEN(keys); i++) {
		bool new_section = i == 0 || !str_eq(keys[i - 1].section, keys[i].section);
		if (new_section)
			fprintf(out, "\n[%s]\n", keys[i].section);
		else
			fputc('\n', out);
		print_key(&keys[i], cfg, &defaults, out);
	}
}
