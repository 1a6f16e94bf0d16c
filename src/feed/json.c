/*
 * JSON feeds: a top-level array of objects, or an object holding that array (source.item_path names the
 * member, "data.products" reaches into nested objects; without it the first member holding an array).
 *
 * The file is never loaded whole: a small tokenizer walks the text in chunks, checks its grammar (so errors
 * say what was expected and where) and copies out one item at a time, which cJSON then parses alone.
 * cJSON keeps numbers only as doubles, so the tokenizer also notes where each member's value starts in the
 * item's text: a price of "12.50" reaches the pipeline as "12.50", not 12.5.
 */
#include <cjson/cJSON.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "feed/encoding.h"
#include "feed/source.h"
#include "formats.h"

#define CHUNK (64 * 1024)
#define MAX_DEPTH 1000 /* cJSON's own nesting limit */
#define MAX_MEMBER_LIST 160

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
	struct strbuf item;   /* the text of the current item */
	struct strbuf key;
	size_t *starts;       /* where each member value of the item starts in item */
	size_t n_starts, starts_cap;
	char stack[MAX_DEPTH];

	cJSON *tree;
	char **printed; /* nested values printed as JSON for the current row */
	size_t n_printed, printed_cap;
	const char **names, **values;
	size_t fields_cap;
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
	if (j->read_failed)
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
	                   describe(found, buf, sizeof(buf)));
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

/*
 * Walks one complete value, checking its grammar. With note_members, records where each member value of
 * the object being walked starts in the capture, so numbers can be read back as written.
 */
static int walk_value(struct json_src *j, bool note_members)
{
	size_t depth = 0;
	enum want want = WANT_VALUE;
	long start = j->line;
	for (;;) {
		if (check_item_size(j, start) < 0)
			return -1;
		int c = skip_space(j);
		if (c < 0)
			return j->read_failed ? -1 : source_fail(j->err, start, "invalid JSON: the file ends inside the "
			                                         "value that starts on this line");
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
			if (note_members && depth == 1) {
				j->starts = array_grow(j->starts, &j->starts_cap, j->n_starts + 1, sizeof(*j->starts));
				j->starts[j->n_starts++] = capture_offset(j);
			}
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
		if (walk_value(j, false) < 0)
			break;
		more = after_member(j);
	}
	if (more == 0) {
		if (path)
			source_fail(j->err, j->line, "no member '%.*s' in the JSON object (source.item_path); it has: %s",
			     (int)strcspn(path, "."), path, members.len ? members.buf : "no members");
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
			if (read_member_name(j) < 0 || walk_value(j, false) < 0)
				return -1;
		if (more < 0)
			return -1;
	}
	int c = skip_space(j);
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
	for (size_t i = 0; i < j->n_printed; i++)
		free(j->printed[i]);
	j->n_printed = 0;
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

/* A number's text as the feed wrote it, terminated in place (cJSON is done with the item's text). */
static const char *number_text(struct json_src *j, size_t i)
{
	if (i >= j->n_starts)
		return "";
	char *s = j->item.buf + j->starts[i];
	s[strspn(s, "+-.eE0123456789")] = '\0';
	return s;
}

static const char *value_text(struct json_src *j, size_t i, const cJSON *item)
{
	if (cJSON_IsString(item))
		return item->valuestring;
	if (cJSON_IsNumber(item))
		return number_text(j, i);
	if (cJSON_IsTrue(item))
		return "true";
	if (cJSON_IsFalse(item))
		return "false";
	if (cJSON_IsNull(item))
		return "";
	j->printed = array_grow(j->printed, &j->printed_cap, j->n_printed + 1, sizeof(*j->printed));
	char *text = cJSON_PrintUnformatted(item);
	j->printed[j->n_printed++] = text;
	return text ? text : "";
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
		int shown = (int)strcspn(at, "\r\n");
		return source_fail(j->err, err_line, "invalid JSON near '%.*s' in the item that starts on line %ld",
		                   shown > 24 ? 24 : shown, at, line);
	}
	size_t n = (size_t)cJSON_GetArraySize(j->tree);
	if (n > j->fields_cap) {
		j->fields_cap = n * 2;
		j->names = xrealloc(j->names, j->fields_cap * sizeof(*j->names));
		j->values = xrealloc(j->values, j->fields_cap * sizeof(*j->values));
	}
	size_t i = 0;
	rec->problem = NULL;
	for (const cJSON *m = j->tree->child; m; m = m->next, i++) {
		j->names[i] = m->string;
		j->values[i] = value_text(j, i, m);
		if (!rec->problem && cJSON_IsString(m))
			rec->problem = source_check_utf8(j->problem, sizeof(j->problem), m->string, m->valuestring,
			                                 strlen(m->valuestring));
	}
	rec->n = n;
	return 0;
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

static int json_next(struct source *src, struct record *rec, struct source_error *err)
{
	struct json_src *j = src->impl;
	j->err = err;
	clear_row(j);
	if (j->done)
		return 0;
	int rc = before_item(j);
	if (rc <= 0)
		return rc;
	long line = j->line;
	char first = (char)peek(j);
	j->n_starts = 0;
	start_capture(j, &j->item);
	rc = walk_value(j, first == '{');
	stop_capture(j);
	if (rc < 0)
		return -1;
	rec->line = line;
	if (first != '{') {
		rec->n = 0;
		rec->names = rec->values = NULL;
		snprintf(j->problem, sizeof(j->problem), "the item is %s, not an object", kind_of(first));
		rec->problem = j->problem;
		return 1;
	}
	if (parse_item(j, line, rec) < 0)
		return -1;
	rec->names = j->names; /* parse_item may have grown them */
	rec->values = j->values;
	return 1;
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
	free(j->starts);
	free(j->printed);
	free(j->names);
	free(j->values);
	free(j);
	src->impl = NULL;
}

/* Finds where the items start: right inside a top-level array, or in the member of an object. */
static int find_items(struct json_src *j)
{
	int c = skip_space(j);
	if (c < 0) {
		j->done = true; /* an empty file: no rows, the pipeline decides */
		return j->read_failed ? -1 : 0;
	}
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
	struct text_reader *in = text_reader_open(path, src->opts.encoding, err);
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
