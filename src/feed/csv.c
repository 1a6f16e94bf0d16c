/*
 * CSV feeds through libcsv, streamed in 64 KiB chunks so memory stays flat whatever the file size.
 *
 * libcsv does not say where a row starts, so the text goes to it one line at a time: every line fed ends
 * in '\n', which tells us the line number of each row (newlines inside quoted fields included), and after
 * a line the parser is between rows unless a quoted field is still open.
 *
 * Values live in one arena reused across rows; a field is an offset into it and the pointers are made
 * only when a row is handed out, so the hot path does no allocation once the buffers have grown.
 * As libcsv does by default, spaces and tabs around unquoted values are dropped; quoted values are kept.
 */
#include <csv.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "feed/encoding.h"
#include "feed/source.h"
#include "formats.h"

#define CHUNK (64 * 1024)
#define FIELD_BLOCK (64 * 1024) /* libcsv grows its field buffer by this much at a time */

struct queued_row {
	size_t first; /* index of its first field */
	size_t n;
	long line;
};

struct csv_src {
	struct source *src;
	struct text_reader *in;
	struct csv_parser parser;
	int idle_state; /* parser.pstate between rows */
	size_t max_field;

	char *chunk;
	size_t chunk_len, chunk_pos;
	bool at_line_start;
	bool input_done;
	long line;       /* of the text at chunk_pos */
	long row_line;   /* where the row being parsed starts */
	long field_line; /* where the field being parsed starts */

	/* Fields of the queued rows and of the row in progress, as offsets into the arena. */
	char *arena;
	size_t arena_len, arena_cap;
	size_t *offsets;
	size_t n_fields, fields_cap;
	size_t row_first_field, row_arena_start; /* the row in progress */
	/* Rows finished by the last line fed: one, unless bare carriage returns end rows mid-line. */
	struct queued_row *rows;
	size_t n_rows, next_row, rows_cap;
	const char *overflow; /* set inside a callback, reported when the parse call returns */
	long overflow_line;
	bool overflow_quoted;

	char **names; /* header names, then col<N> for fields of rows wider than the header */
	size_t n_names, names_cap, n_header;
	const char **values;
	size_t values_cap;
	char problem[320];
};

static void on_field(void *data, size_t len, void *ctx)
{
	struct csv_src *c = ctx;
	if (len > c->max_field || c->arena_len - c->row_arena_start + len > c->max_field) {
		if (!c->overflow) {
			c->overflow = len > c->max_field ? "field" : "row";
			c->overflow_line = len > c->max_field ? c->field_line : c->row_line;
			c->overflow_quoted = c->parser.quoted;
		}
		len = 0;
	}
	c->arena = array_grow(c->arena, &c->arena_cap, c->arena_len + len + 1, 1);
	c->offsets = array_grow(c->offsets, &c->fields_cap, c->n_fields + 1, sizeof(*c->offsets));
	if (len)
		memcpy(c->arena + c->arena_len, data, len);
	c->arena[c->arena_len + len] = '\0';
	c->offsets[c->n_fields++] = c->arena_len;
	c->arena_len += len + 1;
	c->field_line = c->line; /* the next field starts right after the delimiter */
}

static void on_row(int terminator, void *ctx)
{
	struct csv_src *c = ctx;
	(void)terminator;
	c->rows = array_grow(c->rows, &c->rows_cap, c->n_rows + 1, sizeof(*c->rows));
	c->rows[c->n_rows++] = (struct queued_row){
		.first = c->row_first_field,
		.n = c->n_fields - c->row_first_field,
		.line = c->row_line,
	};
	c->row_first_field = c->n_fields;
	c->row_arena_start = c->arena_len;
	c->row_line = c->field_line = c->line; /* only a bare CR starts a row on the same line */
}

/* Once every queued row has been handed out, keeps only the row in progress, at the front of the arena. */
static void drop_returned_rows(struct csv_src *c)
{
	size_t base = c->row_arena_start;
	size_t kept = c->n_fields - c->row_first_field;
	if (kept) {
		memmove(c->arena, c->arena + base, c->arena_len - base);
		for (size_t i = 0; i < kept; i++)
			c->offsets[i] = c->offsets[c->row_first_field + i] - base;
	}
	c->arena_len -= base;
	c->n_fields = kept;
	c->row_first_field = c->row_arena_start = 0;
	c->n_rows = c->next_row = 0;
}

static bool parser_idle(const struct csv_src *c)
{
	return c->parser.pstate == c->idle_state;
}

/* The hint about a missing quote only fits a quoted field: a plain one is simply that large. */
static int fail_overflow(struct csv_src *c, const char *what, long line, bool quoted, struct source_error *err)
{
	char limit[32];
	format_bytes(c->max_field, limit, sizeof(limit));
	bool field = strcmp(what, "field") == 0;
	return source_fail(err, line, "a %s larger than %s (import.max_field_bytes) starts on this line%s", what, limit,
	                   field && quoted ? "; a quote without its closing quote reads the rest of the file as one field"
	                                   : "");
}

/* Parses one piece of a line (all of it when it fits in the chunk), ending in '\n' unless the chunk ends. */
static int feed(struct csv_src *c, const char *p, size_t len, struct source_error *err)
{
	if (c->at_line_start && parser_idle(c))
		c->row_line = c->field_line = c->line;
	if (csv_parse(&c->parser, p, len, on_field, on_row, c) < len)
		return source_fail(err, c->line, "%s", csv_strerror(csv_error(&c->parser)));
	if (c->overflow)
		return fail_overflow(c, c->overflow, c->overflow_line, c->overflow_quoted, err);
	if (c->parser.entry_pos > c->max_field)
		return fail_overflow(c, "field", c->field_line, c->parser.quoted, err);
	c->at_line_start = len && p[len - 1] == '\n';
	if (c->at_line_start)
		c->line++;
	return 0;
}

/* At the end of the text: a last row without its newline is finished; an open quote is fatal. */
static int finish(struct csv_src *c, struct source_error *err)
{
	c->input_done = true;
	long last_line = c->line;
	if (feed(c, "\n", 1, err) < 0)
		return -1;
	c->line = last_line;
	if (!parser_idle(c))
		return source_fail(err, c->field_line, "a quoted field starts on this line and never ends: the closing "
		                   "quote is missing");
	return 0;
}

static int read_chunk(struct csv_src *c, struct source_error *err)
{
	long n = text_reader_read(c->in, c->chunk, CHUNK, err);
	c->src->bytes_read = text_reader_bytes(c->in);
	if (n < 0)
		return -1;
	c->chunk_len = (size_t)n;
	c->chunk_pos = 0;
	return 0;
}

/* Parses lines until a row is queued: 1, or 0 at the end of the feed, -1 on a fatal error. */
static int fill_queue(struct csv_src *c, struct source_error *err)
{
	while (c->next_row == c->n_rows) {
		if (c->n_rows)
			drop_returned_rows(c);
		if (c->chunk_pos == c->chunk_len) {
			if (c->input_done)
				return 0;
			if (read_chunk(c, err) < 0)
				return -1;
			if (c->chunk_len == 0 && finish(c, err) < 0)
				return -1;
			continue;
		}
		const char *p = c->chunk + c->chunk_pos;
		const char *nl = memchr(p, '\n', c->chunk_len - c->chunk_pos);
		size_t len = nl ? (size_t)(nl - p) + 1 : c->chunk_len - c->chunk_pos;
		c->chunk_pos += len;
		if (feed(c, p, len, err) < 0)
			return -1;
	}
	return 1;
}

/* Counts , ; TAB | outside quotes in the first line; the most frequent wins, ',' on a tie. */
static char sniff_delimiter(const char *s, size_t len, char quote)
{
	static const char candidates[] = {',', ';', '\t', '|'};
	size_t counts[ARRAY_LEN(candidates)] = {0};
	bool quoted = false;
	for (size_t i = 0; i < len && (quoted || s[i] != '\n'); i++) {
		if (s[i] == quote)
			quoted = !quoted;
		else if (!quoted)
			for (size_t k = 0; k < ARRAY_LEN(candidates); k++)
				counts[k] += s[i] == candidates[k];
	}
	size_t best = 0;
	for (size_t k = 1; k < ARRAY_LEN(candidates); k++)
		if (counts[k] > counts[best])
			best = k;
	return candidates[best];
}

static void set_name(struct csv_src *c, size_t i, const char *text)
{
	c->names = array_grow(c->names, &c->names_cap, i + 1, sizeof(*c->names));
	char *copy = xstrdup(text);
	char *trimmed = str_trim(copy);
	c->names[i] = *trimmed ? xstrdup(trimmed) : xasprintf("col%zu", i + 1);
	free(copy);
	c->src->columns = (const char *const *)c->names; /* the array may have moved */
}

/* Names col<N> for the fields of a row wider than the header. */
static void cover_names(struct csv_src *c, size_t n)
{
	for (; c->n_names < n; c->n_names++)
		set_name(c, c->n_names, "");
}

static const char *row_value(const struct csv_src *c, const struct queued_row *row, size_t i)
{
	return c->arena + c->offsets[row->first + i];
}

/* The header row, or with no_header the first row left queued, names the columns. */
static int read_header(struct csv_src *c, struct source_error *err)
{
	int rc = fill_queue(c, err);
	if (rc <= 0)
		return rc;
	const struct queued_row *row = &c->rows[c->next_row];
	for (size_t i = 0; i < row->n; i++)
		set_name(c, i, c->src->opts.no_header ? "" : row_value(c, row, i));
	c->n_names = c->n_header = row->n;
	c->src->n_columns = c->n_header;
	if (!c->src->opts.no_header)
		c->next_row++;
	return 0;
}

/* Length of the ASCII prefix, eight bytes at a time: feed rows are mostly ASCII and this is the hot path. */
static size_t ascii_prefix(const char *s, size_t len)
{
	size_t i = 0;
	for (uint64_t w; i + 8 <= len; i += 8) {
		memcpy(&w, s + i, 8);
		if (w & UINT64_C(0x8080808080808080))
			break;
	}
	while (i < len && !((unsigned char)s[i] & 0x80))
		i++;
	return i;
}

/* Feeds in Romanian, German or French have a few accented letters in long ASCII runs: skip the runs. */
static bool text_is_utf8(const char *s, size_t len)
{
	size_t i = 0;
	while ((i += ascii_prefix(s + i, len - i)) < len) {
		/* A character is at most 4 bytes, so a valid one always fits the window. */
		size_t n = utf8_valid_prefix(s + i, len - i < 4 ? len - i : 4);
		if (n == 0)
			return false;
		i += n;
	}
	return true;
}

static const char *row_problem(struct csv_src *c, const struct queued_row *row)
{
	if (row->n != c->n_header) {
		snprintf(c->problem, sizeof(c->problem), "row has %zu field%s, the %s has %zu", row->n,
		         row->n == 1 ? "" : "s", c->src->opts.no_header ? "first row" : "header", c->n_header);
		return c->problem;
	}
	/* One pass over the whole row (fields are contiguous); look for the culprit only when it fails. */
	size_t start = c->offsets[row->first];
	size_t end = row->first + row->n < c->n_fields ? c->offsets[row->first + row->n] : c->arena_len;
	if (text_is_utf8(c->arena + start, end - start))
		return NULL;
	for (size_t i = 0; i < row->n; i++) {
		const char *v = row_value(c, row, i);
		const char *p = source_check_utf8(c->problem, sizeof(c->problem), c->names[i], v, strlen(v));
		if (p)
			return p;
	}
	return NULL;
}

static int csv_next(struct source *src, struct record *rec, struct source_error *err)
{
	struct csv_src *c = src->impl;
	int rc = fill_queue(c, err);
	if (rc <= 0)
		return rc;
	const struct queued_row *row = &c->rows[c->next_row++];
	cover_names(c, row->n);
	c->values = array_grow(c->values, &c->values_cap, row->n, sizeof(*c->values));
	for (size_t i = 0; i < row->n; i++)
		c->values[i] = row_value(c, row, i);
	rec->n = row->n;
	rec->names = (const char **)c->names;
	rec->values = c->values;
	rec->line = row->line;
	rec->problem = row_problem(c, row);
	return 1;
}

static void csv_close(struct source *src)
{
	struct csv_src *c = src->impl;
	if (!c)
		return;
	text_reader_close(c->in);
	csv_free(&c->parser);
	for (size_t i = 0; i < c->n_names; i++)
		free(c->names[i]);
	free(c->names);
	free(c->values);
	free(c->rows);
	free(c->offsets);
	free(c->arena);
	free(c->chunk);
	free(c);
	src->impl = NULL;
	src->columns = NULL;
}

static int csv_open(struct source *src, const char *path, struct source_error *err)
{
	struct text_reader *in = text_reader_open(path, src->opts.encoding, err);
	if (!in)
		return -1;
	struct csv_src *c = xcalloc(1, sizeof(*c));
	src->impl = c;
	c->src = src;
	c->in = in;
	c->chunk = xmalloc(CHUNK);
	c->max_field = source_max_field(src);
	c->line = c->row_line = c->field_line = 1;
	c->at_line_start = true;
	if (read_chunk(c, err) < 0) {
		csv_close(src);
		return -1;
	}
	char quote = src->opts.enclosure ? src->opts.enclosure : '"';
	src->delimiter_used = src->opts.delimiter ? src->opts.delimiter : sniff_delimiter(c->chunk, c->chunk_len, quote);
	csv_init(&c->parser, 0);
	csv_set_delim(&c->parser, (unsigned char)src->delimiter_used);
	csv_set_quote(&c->parser, (unsigned char)quote);
	csv_set_blk_size(&c->parser, FIELD_BLOCK);
	c->idle_state = c->parser.pstate;
	if (read_header(c, err) < 0) {
		csv_close(src);
		return -1;
	}
	return 0;
}

const struct source_ops csv_source_ops = {
	.name = "csv",
	.open = csv_open,
	.next = csv_next,
	.close = csv_close,
};
