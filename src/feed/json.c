/*
 * JSON feeds: a top-level array of objects, or an object holding that array (source.item_path names the
 * member, "data.products" reaches into nested objects; without it the first member holding an array).
 * Or NDJSON (JSON Lines): one object per line, chosen by source.format "ndjson", a .jsonl or .ndjson file
 * name, or sniffed (a first object that ends on its line, then another object).
 *
 * The file is never loaded whole: a small tokenizer walks the text in chunks, checks its grammar (so errors
 * say what was expected and where) and copies out one item at a time, which cJSON then parses alone;
 * NDJSON is read a line at a time, and a line that is not one object is a malformed row, not the end.
 * Each item is flattened into dotted-path columns (feed/json_flat.h), its numbers as the feed wrote them.
 */
#include <cjson/cJSON.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/util.h"
#include "feed/encoding.h"
#include "feed/json_flat.h"
#include "feed/source.h"
#include "formats.h"

#define CHUNK (64 * 1024)
#define MAX_DEPTH 1000 /* cJSON's own nesting limit */
#define MAX_MEMBER_LIST 160
/* For objects one after another: item_path cannot help there. */
#define NDJSON_ADVICE "if the feed holds one object per line (NDJSON), set source.format to \"ndjson\" or " \
	"name the file .jsonl; a JSON document holds its items in one array"

struct json_src {
	struct source *src;
	struct text_reader *in;
	struct source_error *err; /* of the call in progress */
	size_t max_item;

	char *chunk;
	size_t len, pos;
	bool read_failed;
	long line;

	struct strbuf *capture; /* receives the text walked over, when not NULL */
	size_t mark;            /* chunk bytes before mark are already captured */

	int enclosing_objects; /* objects around the item array, whose other members follow it */
	bool started, done;
	bool lines;           /* NDJSON: one object per line, each line an item of its own */
	long items;           /* items read so far, to name the item in an array feed */
	struct strbuf item;   /* the text of the current item */
	struct strbuf key;
	char stack[MAX_DEPTH];

	cJSON *tree;
	struct json_flat *flat;
	char problem[320];
};

static void flush_capture(struct json_src *j)
{
	if (j->capture)
		sb_add(j->capture, j->chunk + j->mark, j->pos - j->mark);
	j->mark = j->pos;
}

static bool refill(struct json_src *j)
{
	flush_capture(j);
	if (j->read_failed || !j->in) /* no reader: a walk over one NDJSON line (line_fault) */
		return false;
	long n = text_reader_read(j->in, j->chunk, CHUNK, j->err);
	j->src->bytes_read = text_reader_bytes(j->in);
	if (n < 0)
		j->read_failed = true;
	j->len = n > 0 ? (size_t)n : 0;
	j->pos = j->mark = 0;
	return n > 0;
}

/* The next byte without taking it; -1 at the end of the text (or when reading failed). */
static inline int peek(struct json_src *j)
{
	if (j->pos == j->len && !refill(j))
		return -1;
	return (unsigned char)j->chunk[j->pos];
}

static inline void take(struct json_src *j)
{
	if (j->chunk[j->pos++] == '\n')
		j->line++;
}

static void start_capture(struct json_src *j, struct strbuf *out)
{
	sb_reset(out);
	j->capture = out;
	j->mark = j->pos;
}

static void stop_capture(struct json_src *j)
{
	flush_capture(j);
	j->capture = NULL;
}

/* Offset in the captured text of the next byte. */
static size_t capture_offset(const struct json_src *j)
{
	return j->capture->len + (j->pos - j->mark);
}

static bool is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int skip_space(struct json_src *j)
{
	int c;
	while ((c = peek(j)) >= 0 && is_space(c))
		take(j);
	return c;
}

/* "'x'", or "the end of the file". */
static const char *describe(int c, char *buf, size_t size)
{
	if (c < 0)
		return "the end of the file";
	if (c < 0x20 || c >= 0x7f)
		snprintf(buf, size, "byte 0x%02X", (unsigned)c);
	else
		snprintf(buf, size, "'%c'", c);
	return buf;
}

/* Reports what was expected; after a read error, that error stands. */
static int fail_expected(struct json_src *j, const char *expected, int found)
{
	if (j->read_failed)
		return -1;
	char buf[16];
	return source_fail(j->err, j->line, "invalid JSON: expected %s, found %s", expected,
	                   found < 0 && !j->in ? "the end of the line" : describe(found, buf, sizeof(buf)));
}

static int scan_string(struct json_src *j)
{
	long start = j->line;
	take(j); /* the opening quote */
	for (;;) {
		/* Most bytes are plain text: step over them without looking at each one twice. */
		while (j->pos < j->len) {
			char c = j->chunk[j->pos];
			if (c == '"' || c == '\\' || c == '\n')
				break;
			j->pos++;
		}
		int c = peek(j);
		if (c < 0)
			break;
		take(j);
		if (c == '"')
			return 0;
		if (c == '\\' && peek(j) >= 0)
			take(j); /* the escaped byte, a quote maybe */
	}
	if (j->read_failed)
		return -1;
	return source_fail(j->err, start, "invalid JSON: a string starts on this line and never ends");
}

/* A number, true, false or null: the run of word characters must be one of them. */
static int scan_word(struct json_src *j)
{
	char word[8];
	size_t n = 0;
	int c;
	bool number = false;
	while ((c = peek(j)) > 0 && (strchr("+-.", c) || isalnum(c))) {
		if (n == 0)
			number = c == '-' || (c >= '0' && c <= '9');
		if (n < sizeof(word) - 1)
			word[n] = (char)c;
		n++;
		take(j);
		if (number && !strchr("+-.eE0123456789", c))
			return source_fail(j->err, j->line, "invalid JSON: '%c' in a number", c);
	}
	word[n < sizeof(word) ? n : sizeof(word) - 1] = '\0';
	if (number || strcmp(word, "true") == 0 || strcmp(word, "false") == 0 || strcmp(word, "null") == 0)
		return 0;
	return source_fail(j->err, j->line, "invalid JSON: expected a value, found '%s%s'", word,
	                   n >= sizeof(word) ? "..." : "");
}

enum want { WANT_VALUE, WANT_VALUE_OR_CLOSE, WANT_KEY, WANT_KEY_OR_CLOSE, WANT_COLON, WANT_COMMA_OR_CLOSE };

static bool may_close(enum want want)
{
	return want == WANT_VALUE_OR_CLOSE || want == WANT_KEY_OR_CLOSE || want == WANT_COMMA_OR_CLOSE;
}

static int check_item_size(struct json_src *j, long start)
{
	if (!j->capture || capture_offset(j) <= j->max_item)
		return 0;
	char limit[32];
	format_size_setting(j->max_item, limit, sizeof(limit));
	return source_fail(j->err, start, "an item larger than %s (import.max_field_bytes) starts on this line", limit);
}

static int scan_scalar(struct json_src *j, int c)
{
	if (c == '"')
		return scan_string(j);
	if (c == '}' || c == ']' || c == ',' || c == ':')
		return fail_expected(j, "a value", c);
	return scan_word(j);
}

/* Walks one complete value, checking its grammar. */
static int walk_value(struct json_src *j)
{
	size_t depth = 0;
	enum want want = WANT_VALUE;
	long start = j->line;
	for (;;) {
		if (check_item_size(j, start) < 0)
			return -1;
		int c = skip_space(j);
		if (c < 0)
			return j->read_failed ? -1 : source_fail(j->err, start, "invalid JSON: %s", j->in ?
			                                         "the file ends inside the value that starts on this line" :
			                                         "the line ends inside the object");
		char open = depth ? j->stack[depth - 1] : 0;
		if (may_close(want) && c == (open == '{' ? '}' : ']')) {
			take(j);
			depth--;
		} else if (want == WANT_COMMA_OR_CLOSE) {
			if (c != ',')
				return fail_expected(j, open == '{' ? "',' or '}'" : "',' or ']'", c);
			take(j);
			want = open == '{' ? WANT_KEY : WANT_VALUE;
			continue;
		} else if (want == WANT_KEY || want == WANT_KEY_OR_CLOSE) {
			if (c != '"')
				return fail_expected(j, "a member name in double quotes", c);
			if (scan_string(j) < 0)
				return -1;
			want = WANT_COLON;
			continue;
		} else if (want == WANT_COLON) {
			if (c != ':')
				return fail_expected(j, "':' after the member name", c);
			take(j);
			want = WANT_VALUE;
			continue;
		} else {
			if (c == '{' || c == '[') {
				if (depth == MAX_DEPTH)
					return source_fail(j->err, j->line, "invalid JSON: nested deeper than %d levels", MAX_DEPTH);
				j->stack[depth++] = (char)c;
				take(j);
				want = c == '{' ? WANT_KEY_OR_CLOSE : WANT_VALUE_OR_CLOSE;
				continue;
			}
			if (scan_scalar(j, c) < 0)
				return -1;
		}
		if (depth == 0)
			return 0;
		want = WANT_COMMA_OR_CLOSE;
	}
}

/* Reads `"name" :` into j->key (without the quotes), leaving the value next. */
static int read_member_name(struct json_src *j)
{
	int c = skip_space(j);
	if (c != '"')
		return fail_expected(j, "a member name in double quotes", c);
	start_capture(j, &j->key);
	int rc = scan_string(j);
	stop_capture(j);
	if (rc < 0)
		return -1;
	/* Keep the name without its quotes. */
	j->key.len -= 2;
	memmove(j->key.buf, j->key.buf + 1, j->key.len);
	j->key.buf[j->key.len] = '\0';
	c = skip_space(j);
	if (c != ':')
		return fail_expected(j, "':' after the member name", c);
	take(j);
	return 0;
}

/* After a member's value: 1 when another member follows, 0 at the closing brace. */
static int after_member(struct json_src *j)
{
	int c = skip_space(j);
	if (c == ',' || c == '}') {
		take(j);
		return c == ',';
	}
	return fail_expected(j, "',' or '}'", c);
}

static void note_member(struct strbuf *list, const char *name)
{
	if (list->len > MAX_MEMBER_LIST)
		return;
	sb_addf(list, "%s'%s'", list->len ? ", " : "", name);
	if (list->len > MAX_MEMBER_LIST)
		sb_adds(list, ", ...");
}

static bool key_is(const struct json_src *j, const char *seg, size_t seg_len)
{
	return j->key.len == seg_len && memcmp(j->key.buf, seg, seg_len) == 0;
}

/*
 * Inside the top-level object: finds the member holding the items (its '[' is taken) and returns 0.
 * `path` is item_path or NULL; each dotted segment but the last names an object to enter.
 */
static int find_item_array(struct json_src *j, const char *path)
{
	struct strbuf members = {0};
	int more = 1;
	if (skip_space(j) == '}') {
		take(j);
		more = 0;
	}
	while (more > 0) {
		if (read_member_name(j) < 0)
			break;
		int c = skip_space(j);
		size_t seg_len = path ? strcspn(path, ".") : 0;
		if (path ? key_is(j, path, seg_len) : c == '[') {
			char want = path && path[seg_len] ? '{' : '[';
			if (c != want) {
				char buf[16];
				source_fail(j->err, j->line, "the member '%s' holds %s, not %s", j->key.buf, describe(c, buf, sizeof(buf)),
				     want == '{' ? "an object" : "an array of items");
				break;
			}
			take(j);
			sb_free(&members);
			if (want == '[')
				return 0;
			j->enclosing_objects++;
			return find_item_array(j, path + seg_len + 1);
		}
		note_member(&members, j->key.buf);
		if (walk_value(j) < 0)
			break;
		more = after_member(j);
	}
	if (more == 0) {
		if (path)
			source_fail(j->err, j->line, "no member '%.*s' in the JSON object (source.item_path); it has: %s",
			     (int)strcspn(path, "."), path, members.len ? members.buf : "no members");
		else if (j->enclosing_objects == 1 && skip_space(j) == '{')
			source_fail(j->err, j->line, "another JSON object follows the first one; %s", NDJSON_ADVICE);
		else
			source_fail(j->err, j->line, "no array of items in the JSON object; it has: %s (set source.item_path)",
			     members.len ? members.buf : "no members");
	}
	sb_free(&members);
	return -1;
}

/* Past the item array: the rest of the enclosing objects must be whole, then nothing but space. */
static int finish_document(struct json_src *j)
{
	for (; j->enclosing_objects > 0; j->enclosing_objects--) {
		int more;
		while ((more = after_member(j)) > 0)
			if (read_member_name(j) < 0 || walk_value(j) < 0)
				return -1;
		if (more < 0)
			return -1;
	}
	int c = skip_space(j);
	if (c == '{')
		return source_fail(j->err, j->line, "another JSON object follows the document; %s", NDJSON_ADVICE);
	if (c >= 0) {
		char buf[16];
		return source_fail(j->err, j->line, "invalid JSON: %s after the end of the document",
		                   describe(c, buf, sizeof(buf)));
	}
	j->done = true;
	return j->read_failed ? -1 : 0;
}

static void clear_row(struct json_src *j)
{
	cJSON_Delete(j->tree);
	j->tree = NULL;
}

static const char *kind_of(char first)
{
	switch (first) {
	case '"': return "a string";
	case '[': return "an array";
	case 't':
	case 'f': return "true or false";
	case 'n': return "null";
	default: return "a number";
	}
}

/* A row that cannot be mapped: no columns, the problem says why. */
static int row_problem(struct json_src *j, struct record *rec)
{
	rec->n = 0;
	rec->names = rec->values = NULL;
	rec->problem = j->problem;
	return 1;
}

/* Up to 24 bytes of text at `at`, cut on a character boundary, for a message. */
static int excerpt_len(const char *at)
{
	size_t n = strcspn(at, "\r\n");
	return (int)utf8_valid_prefix(at, n > 24 ? 24 : n);
}

static int parse_item(struct json_src *j, long line, struct record *rec)
{
	const char *end = NULL;
	j->tree = cJSON_ParseWithLengthOpts(j->item.buf, j->item.len, &end, false);
	if (!j->tree) {
		/* The tokenizer has checked the structure: what is left is a bad escape or number. */
		const char *at = end && end >= j->item.buf ? end : j->item.buf;
		long err_line = line;
		for (const char *k = j->item.buf; k < at; k++)
			err_line += *k == '\n';
		return source_fail(j->err, err_line, "invalid JSON near '%.*s' in the item that starts on line %ld",
		                   excerpt_len(at), at, line);
	}
	json_flat_item(j->flat, j->tree, j->item.buf, j->item.len, rec);
	return 1;
}

/* Takes the ',' between items: 1 when an item follows, 0 after the ']' that ends them. */
static int before_item(struct json_src *j)
{
	int c = skip_space(j);
	if (c == ']') {
		take(j);
		return finish_document(j);
	}
	if (!j->started) {
		j->started = true;
		return c < 0 ? fail_expected(j, "an item or ']'", c) : 1;
	}
	if (c != ',')
		return fail_expected(j, "',' or ']' after the item", c);
	take(j);
	return skip_space(j) < 0 ? fail_expected(j, "an item", -1) : 1;
}

/* An item of the array: a fatal error inside it names the item, as a single-line feed's line cannot. */
static int next_array_item(struct json_src *j, struct record *rec)
{
	int rc = before_item(j);
	if (rc <= 0)
		return rc;
	long line = j->line;
	char first = (char)peek(j);
	rec->line = line;
	rec->item = ++j->items;
	start_capture(j, &j->item);
	rc = walk_value(j);
	stop_capture(j);
	if (rc >= 0 && first != '{') {
		snprintf(j->problem, sizeof(j->problem), "the item is %s, not an object", kind_of(first));
		return row_problem(j, rec);
	}
	if (rc >= 0 && parse_item(j, line, rec) > 0)
		return 1;
	if (!j->read_failed) {
		char msg[sizeof(j->err->message)];
		snprintf(msg, sizeof(msg), "item %ld: %s", rec->item, j->err->message);
		str_copy(j->err->message, msg, sizeof(j->err->message));
	}
	return -1;
}

/*
 * NDJSON: the next line that is not blank into j->item, trimmed and terminated; 1, 0 at the end, -1 when
 * it cannot be read or is longer than an item may be.
 */
static int read_line(struct json_src *j, long *line, size_t *lead)
{
	for (;;) {
		if (peek(j) < 0)
			return j->read_failed ? -1 : 0;
		*line = j->line;
		start_capture(j, &j->item);
		bool ended = false;
		while (!ended && (j->pos < j->len || refill(j))) {
			const char *nl = memchr(j->chunk + j->pos, '\n', j->len - j->pos);
			j->pos = nl ? (size_t)(nl - j->chunk) + 1 : j->len;
			ended = nl != NULL;
			if (check_item_size(j, *line) < 0) {
				j->capture = NULL;
				return -1;
			}
		}
		stop_capture(j);
		if (ended)
			j->line++;
		if (j->read_failed)
			return -1;
		size_t len = j->item.len;
		while (len > 0 && is_space((unsigned char)j->item.buf[len - 1]))
			len--;
		j->item.buf[j->item.len = len] = '\0';
		*lead = 0;
		while (*lead < len && is_space((unsigned char)j->item.buf[*lead]))
			(*lead)++;
		if (*lead < len)
			return 1;
	}
}

/*
 * Why an NDJSON line is not JSON, in the tokenizer's words (what was expected, what was found), with the
 * 1-based byte column where it went wrong. False when the tokenizer finds no fault: a bad escape or number,
 * which only cJSON checks.
 */
static bool line_fault(struct json_src *j, char *text, size_t len, size_t lead)
{
	struct source_error err = {0};
	struct json_src probe = {.src = j->src, .err = &err, .chunk = text, .len = len, .line = 1};
	if (walk_value(&probe) == 0)
		return false;
	snprintf(j->problem, sizeof(j->problem), "column %zu: %s", lead + probe.pos + 1, err.message);
	return true;
}

/* A line that is not one JSON object is a malformed row: the run goes on with the next line. */
static int next_line(struct json_src *j, struct record *rec)
{
	long line;
	size_t lead;
	int rc = read_line(j, &line, &lead);
	if (rc <= 0)
		return rc;
	rec->line = line;
	char *text = j->item.buf + lead;
	size_t len = j->item.len - lead;
	const char *end = NULL;
	j->tree = cJSON_ParseWithLengthOpts(text, len, &end, false);
	const char *at = end && end >= text ? end : text;
	while (j->tree && at < text + len && is_space((unsigned char)*at))
		at++;
	if (!j->tree && line_fault(j, text, len, lead))
		return row_problem(j, rec);
	if (!j->tree || at < text + len) {
		snprintf(j->problem, sizeof(j->problem), "column %zu: invalid JSON %s '%.*s'", (size_t)(at - j->item.buf) + 1,
		         j->tree ? "after the object:" : "near", excerpt_len(at), at);
		return row_problem(j, rec);
	}
	if (!cJSON_IsObject(j->tree)) {
		snprintf(j->problem, sizeof(j->problem), "the line holds %s, not an object", kind_of(*text));
		return row_problem(j, rec);
	}
	json_flat_item(j->flat, j->tree, text, len, rec);
	return 1;
}

static int json_next(struct source *src, struct record *rec, struct source_error *err)
{
	struct json_src *j = src->impl;
	j->err = err;
	clear_row(j);
	if (j->done)
		return 0;
	return j->lines ? next_line(j, rec) : next_array_item(j, rec);
}

static void json_close(struct source *src)
{
	struct json_src *j = src->impl;
	if (!j)
		return;
	clear_row(j);
	text_reader_close(j->in);
	free(j->chunk);
	sb_free(&j->item);
	sb_free(&j->key);
	json_flat_free(j->flat);
	free(j);
	src->impl = NULL;
}

static bool has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);
	return n >= k && strcasecmp(s + n - k, suffix) == 0;
}

/*
 * Sniffs NDJSON in the text read so far: a first object that ends on its first line, then another object.
 * A document ({"products": [...]}) either spans lines or ends the file.
 */
static bool looks_like_lines(const struct json_src *j)
{
	const char *p = j->chunk + j->pos, *end = j->chunk + j->len;
	int depth = 0;
	for (; p < end; p++) {
		if (*p == '"') {
			for (p++; p < end && *p != '"' && *p != '\n'; p++)
				p += *p == '\\';
			if (p >= end || *p == '\n')
				return false;
		} else if (*p == '{' || *p == '[') {
			depth++;
		} else if ((*p == '}' || *p == ']') && --depth == 0) {
			break;
		} else if (*p == '\n') {
			return false;
		}
	}
	if (p >= end)
		return false; /* the first object goes on past what was read: not a line */
	for (p++; p < end && is_space((unsigned char)*p); p++)
		;
	return p < end && *p == '{';
}

/* Finds where the items start: right inside a top-level array, or in the member of an object. */
static int find_items(struct json_src *j)
{
	int c = skip_space(j);
	if (c < 0) {
		j->done = true; /* an empty file: no rows, the pipeline decides */
		return j->read_failed ? -1 : 0;
	}
	if (c == '{' && !j->lines && !j->src->opts.item_path)
		j->lines = looks_like_lines(j);
	if (j->lines)
		return 0;
	take(j);
	if (c == '[')
		return 0;
	if (c == '{') {
		j->enclosing_objects = 1;
		return find_item_array(j, j->src->opts.item_path);
	}
	if (c == '<')
		return source_fail(j->err, 0, "expected JSON but the file starts with '<' (an HTML page?)");
	char buf[16];
	return source_fail(j->err, j->line, "expected JSON (an array or an object) but the file starts with %s",
	            describe(c, buf, sizeof(buf)));
}

static int json_open(struct source *src, const char *path, struct source_error *err)
{
	struct text_reader *in = source_text_open(src, path, err);
	if (!in)
		return -1;
	struct json_src *j = xcalloc(1, sizeof(*j));
	src->impl = j;
	j->src = src;
	j->in = in;
	j->err = err;
	j->chunk = xmalloc(CHUNK);
	j->line = 1;
	j->max_item = source_max_field(src);
	j->flat = json_flat_new(src->opts.list_join, &src->warnings);
	j->lines = strcasecmp(src->opts.format, "ndjson") == 0 || has_suffix(path, ".jsonl") ||
	           has_suffix(path, ".ndjson");
	if (find_items(j) < 0) {
		json_close(src);
		return -1;
	}
	return 0;
}

const struct source_ops json_source_ops = {
	.name = "json",
	.open = json_open,
	.next = json_next,
	.close = json_close,
};
