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
 *
 * Once the header is read, a reader thread parses ahead and hands rows over in batches of a few hundred,
 * so that parsing a feed overlaps with whatever the caller does with each row: on a two-core machine an
 * import then costs about its slower half instead of the sum. A few batches in flight keep memory flat.
 */
#include <csv.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/util.h"
#include "feed/encoding.h"
#include "feed/normalize.h"
#include "feed/source.h"
#include "formats.h"

#define CHUNK (64 * 1024)
#define FIELD_BLOCK (64 * 1024) /* libcsv grows its field buffer by this much at a time */
#define BATCHES 4               /* in flight between the threads, one of them being read */
#define BATCH_ROWS 256
#define BATCH_BYTES (128 * 1024) /* a batch is handed over at whichever limit comes first */

struct queued_row {
	size_t first; /* index of its first field */
	size_t n;
	long line;
	bool utf8;    /* checked by the reader thread when it hands the row over */
};

/* Rows as offsets into one arena: the parser's queue, and each batch handed to csv_next. */
struct row_queue {
	char *arena;
	size_t arena_len, arena_cap;
	size_t *offsets;
	size_t n_fields, fields_cap;
	struct queued_row *rows;
	size_t n_rows, rows_cap;
};

struct batch {
	struct row_queue q;
	unsigned long long bytes_read; /* of the file, once these rows were parsed */
	int end;                       /* after the rows: 1 more follow, 0 the feed ended, -1 err says why */
	struct source_error err;
};

/* The parser's fields belong to the reader thread once it runs; csv_next's side starts at `reading`. */
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

	/* Rows finished by the last line fed (one, unless bare carriage returns end rows mid-line), then the
	 * fields of the row in progress. */
	struct row_queue q;
	size_t row_first_field, row_arena_start; /* the row in progress */
	size_t next_row;
	const char *overflow; /* set inside a callback, reported when the parse call returns */
	long overflow_line;
	bool overflow_quoted;
	unsigned long long bytes_read;

	/* Between the threads: batch produced % BATCHES is the next to fill, consumed % BATCHES is read. */
	pthread_mutex_t lock;
	pthread_cond_t changed;
	struct batch batches[BATCHES];
	size_t produced, consumed;
	bool stop;
	bool reader_started;
	pthread_t reader;

	bool reading;         /* batch consumed % BATCHES is filled and being read */
	size_t next_in_batch;
	char **names; /* header names, then col<N> for fields of rows wider than the header */
	size_t n_names, names_cap, n_header;
	const char **values;
	size_t values_cap;
	char problem[320];
};

static void on_field(void *data, size_t len, void *ctx)
{
	struct csv_src *c = ctx;
	struct row_queue *q = &c->q;
	if (len > c->max_field || q->arena_len - c->row_arena_start + len > c->max_field) {
		if (!c->overflow) {
			c->overflow = len > c->max_field ? "field" : "row";
			c->overflow_line = len > c->max_field ? c->field_line : c->row_line;
			c->overflow_quoted = c->parser.quoted;
		}
		len = 0;
	}
	q->arena = array_grow(q->arena, &q->arena_cap, q->arena_len + len + 1, 1);
	q->offsets = array_grow(q->offsets, &q->fields_cap, q->n_fields + 1, sizeof(*q->offsets));
	if (len)
		memcpy(q->arena + q->arena_len, data, len);
	q->arena[q->arena_len + len] = '\0';
	q->offsets[q->n_fields++] = q->arena_len;
	q->arena_len += len + 1;
	c->field_line = c->line; /* the next field starts right after the delimiter */
}

static void on_row(int terminator, void *ctx)
{
	struct csv_src *c = ctx;
	struct row_queue *q = &c->q;
	(void)terminator;
	q->rows = array_grow(q->rows, &q->rows_cap, q->n_rows + 1, sizeof(*q->rows));
	q->rows[q->n_rows++] = (struct queued_row){
		.first = c->row_first_field,
		.n = q->n_fields - c->row_first_field,
		.line = c->row_line,
	};
	c->row_first_field = q->n_fields;
	c->row_arena_start = q->arena_len;
	c->row_line = c->field_line = c->line; /* only a bare CR starts a row on the same line */
}

/* Once every queued row has been handed out, keeps only the row in progress, at the front of the arena. */
static void drop_returned_rows(struct csv_src *c)
{
	struct row_queue *q = &c->q;
	size_t base = c->row_arena_start;
	size_t kept = q->n_fields - c->row_first_field;
	if (kept) {
		memmove(q->arena, q->arena + base, q->arena_len - base);
		for (size_t i = 0; i < kept; i++)
			q->offsets[i] = q->offsets[c->row_first_field + i] - base;
	}
	q->arena_len -= base;
	q->n_fields = kept;
	c->row_first_field = c->row_arena_start = 0;
	q->n_rows = c->next_row = 0;
}

static bool parser_idle(const struct csv_src *c)
{
	return c->parser.pstate == c->idle_state;
}

/* The hint about a missing quote only fits a quoted field: a plain one is simply that large. */
static int fail_overflow(struct csv_src *c, const char *what, long line, bool quoted, struct source_error *err)
{
	char limit[32];
	format_size_setting(c->max_field, limit, sizeof(limit));
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
	c->bytes_read = text_reader_bytes(c->in);
	if (n < 0)
		return -1;
	c->chunk_len = (size_t)n;
	c->chunk_pos = 0;
	return 0;
}

/* Parses lines until a row is queued: 1, or 0 at the end of the feed, -1 on a fatal error. */
static int fill_queue(struct csv_src *c, struct source_error *err)
{
	while (c->next_row == c->q.n_rows) {
		if (c->q.n_rows)
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

static const char *row_value(const struct row_queue *q, const struct queued_row *row, size_t i)
{
	return q->arena + q->offsets[row->first + i];
}

/* Where the row's bytes end: fields are contiguous, each with its NUL. */
static size_t row_end(const struct row_queue *q, const struct queued_row *row)
{
	size_t next = row->first + row->n;
	return next < q->n_fields ? q->offsets[next] : q->arena_len;
}

static size_t row_start(const struct row_queue *q, const struct queued_row *row)
{
	return row->n ? q->offsets[row->first] : row_end(q, row);
}

static bool folded_taken(char *const *folded, size_t n, const char *name)
{
	for (size_t k = 0; k < n; k++)
		if (strcmp(folded[k], name) == 0)
			return true;
	return false;
}

/*
 * A header name that repeats an earlier one, as the pipeline folds names ("Price " repeats "price"), could
 * never be read: every lookup finds the first. It becomes NAME_2 (NAME_3 for the third, the first suffix no
 * column has) and a warning names both positions.
 */
static void rename_repeats(struct csv_src *c)
{
	char buf[256];
	char **folded = xcalloc(c->n_header ? c->n_header : 1, sizeof(*folded));
	for (size_t i = 0; i < c->n_header; i++)
		folded[i] = xstrdup(normalize_fold(c->names[i], buf, sizeof(buf)));
	for (size_t i = 1; i < c->n_header; i++) {
		size_t first = 0, seen = 0;
		for (size_t k = 0; k < i; k++)
			if (strcmp(folded[k], folded[i]) == 0 && seen++ == 0)
				first = k;
		if (!seen)
			continue;
		char *renamed = NULL;
		for (size_t suffix = seen + 1; !renamed || folded_taken(folded, c->n_header, buf); suffix++) {
			free(renamed);
			renamed = xasprintf("%s_%zu", c->names[i], suffix);
			normalize_fold(renamed, buf, sizeof(buf));
		}
		problems_add(&c->src->warnings, "columns", "column %zu `%s` repeats column %zu; read it as `%s`", i + 1,
		             c->names[i], first + 1, renamed);
		free(c->names[i]);
		c->names[i] = renamed;
		free(folded[i]);
		folded[i] = xstrdup(buf);
	}
	for (size_t i = 0; i < c->n_header; i++)
		free(folded[i]);
	free(folded);
}

/* The header row, or with no_header the first row left queued, names the columns. */
static int read_header(struct csv_src *c, struct source_error *err)
{
	int rc = fill_queue(c, err);
	if (rc <= 0)
		return rc;
	const struct queued_row *row = &c->q.rows[c->next_row];
	for (size_t i = 0; i < row->n; i++)
		set_name(c, i, c->src->opts.no_header ? "" : row_value(&c->q, row, i));
	c->n_names = c->n_header = row->n;
	c->src->n_columns = c->n_header;
	if (!c->src->opts.no_header) {
		rename_repeats(c);
		c->next_row++;
	}
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

/* ---- the reader thread ---- */

/* Appends the parser's finished rows to a batch, with the UTF-8 check, which needs each row's bytes. */
static void hand_over(struct csv_src *c, struct row_queue *to)
{
	for (; c->next_row < c->q.n_rows; c->next_row++) {
		const struct queued_row *row = &c->q.rows[c->next_row];
		size_t start = row_start(&c->q, row), len = row_end(&c->q, row) - start, base = to->arena_len;
		to->arena = array_grow(to->arena, &to->arena_cap, base + len, 1);
		memcpy(to->arena + base, c->q.arena + start, len);
		to->arena_len += len;
		to->offsets = array_grow(to->offsets, &to->fields_cap, to->n_fields + row->n, sizeof(*to->offsets));
		for (size_t i = 0; i < row->n; i++)
			to->offsets[to->n_fields + i] = c->q.offsets[row->first + i] - start + base;
		to->rows = array_grow(to->rows, &to->rows_cap, to->n_rows + 1, sizeof(*to->rows));
		to->rows[to->n_rows++] = (struct queued_row){
			.first = to->n_fields,
			.n = row->n,
			.line = row->line,
			.utf8 = text_is_utf8(c->q.arena + start, len),
		};
		to->n_fields += row->n;
	}
}

/* The next batch to fill, emptied, once csv_next has let go of it; NULL when the source is closing. */
static struct batch *free_batch(struct csv_src *c)
{
	pthread_mutex_lock(&c->lock);
	while (!c->stop && c->produced - c->consumed == BATCHES)
		pthread_cond_wait(&c->changed, &c->lock);
	struct batch *b = c->stop ? NULL : &c->batches[c->produced % BATCHES];
	pthread_mutex_unlock(&c->lock);
	if (b)
		b->q.arena_len = b->q.n_fields = b->q.n_rows = 0;
	return b;
}

static void *read_ahead(void *arg)
{
	struct csv_src *c = arg;
	struct batch *b;
	while ((b = free_batch(c))) {
		int rc = 1;
		while (rc == 1 && b->q.n_rows < BATCH_ROWS && b->q.arena_len < BATCH_BYTES)
			if ((rc = fill_queue(c, &b->err)) == 1)
				hand_over(c, &b->q);
		b->end = rc;
		b->bytes_read = c->bytes_read;
		pthread_mutex_lock(&c->lock);
		c->produced++;
		pthread_cond_broadcast(&c->changed);
		pthread_mutex_unlock(&c->lock);
		if (rc <= 0)
			break;
	}
	return NULL;
}

static int start_reader(struct csv_src *c, struct source_error *err)
{
	int rc = pthread_create(&c->reader, NULL, read_ahead, c);
	if (rc != 0)
		return source_fail(err, 0, "cannot start the CSV reader thread: %s", strerror(rc));
	c->reader_started = true;
	return 0;
}

/* ---- csv_next's side ---- */

/* The next row from the batches, with the batch it is in; NULL at the end of the rows, *rc then says why. */
static const struct queued_row *next_row(struct csv_src *c, const struct row_queue **in, int *rc,
                                         struct source_error *err)
{
	for (;;) {
		struct batch *b = &c->batches[c->consumed % BATCHES];
		if (c->reading && c->next_in_batch < b->q.n_rows) {
			*in = &b->q;
			return &b->q.rows[c->next_in_batch++];
		}
		if (c->reading && b->end <= 0) {
			if (b->end < 0)
				*err = b->err;
			*rc = b->end;
			return NULL;
		}
		pthread_mutex_lock(&c->lock);
		if (c->reading) {
			c->consumed++;
			c->reading = false;
			pthread_cond_broadcast(&c->changed);
		}
		while (c->produced == c->consumed)
			pthread_cond_wait(&c->changed, &c->lock);
		pthread_mutex_unlock(&c->lock);
		c->reading = true;
		c->next_in_batch = 0;
		c->src->bytes_read = c->batches[c->consumed % BATCHES].bytes_read;
	}
}

static const char *row_problem(struct csv_src *c, const struct row_queue *q, const struct queued_row *row)
{
	if (row->n != c->n_header) {
		snprintf(c->problem, sizeof(c->problem), "row has %zu field%s, the %s has %zu", row->n,
		         row->n == 1 ? "" : "s", c->src->opts.no_header ? "first row" : "header", c->n_header);
		return c->problem;
	}
	if (row->utf8)
		return NULL;
	for (size_t i = 0; i < row->n; i++) {
		const char *v = row_value(q, row, i);
		const char *p = source_check_utf8(c->problem, sizeof(c->problem), c->names[i], v, strlen(v));
		if (p)
			return p;
	}
	return NULL;
}

static int csv_next(struct source *src, struct record *rec, struct source_error *err)
{
	struct csv_src *c = src->impl;
	const struct row_queue *q = NULL;
	int rc = 0;
	const struct queued_row *row = next_row(c, &q, &rc, err);
	if (!row)
		return rc;
	cover_names(c, row->n);
	c->values = array_grow(c->values, &c->values_cap, row->n, sizeof(*c->values));
	for (size_t i = 0; i < row->n; i++)
		c->values[i] = row_value(q, row, i);
	rec->n = row->n;
	rec->names = (const char **)c->names;
	rec->values = c->values;
	rec->line = row->line;
	rec->problem = row_problem(c, q, row);
	return 1;
}

static void free_queue(struct row_queue *q)
{
	free(q->arena);
	free(q->offsets);
	free(q->rows);
}

static void csv_close(struct source *src)
{
	struct csv_src *c = src->impl;
	if (!c)
		return;
	if (c->reader_started) {
		pthread_mutex_lock(&c->lock);
		c->stop = true;
		pthread_cond_broadcast(&c->changed);
		pthread_mutex_unlock(&c->lock);
		pthread_join(c->reader, NULL);
	}
	pthread_mutex_destroy(&c->lock);
	pthread_cond_destroy(&c->changed);
	text_reader_close(c->in);
	csv_free(&c->parser);
	for (size_t i = 0; i < c->n_names; i++)
		free(c->names[i]);
	free(c->names);
	free(c->values);
	free_queue(&c->q);
	for (size_t i = 0; i < BATCHES; i++)
		free_queue(&c->batches[i].q);
	free(c->chunk);
	free(c);
	src->impl = NULL;
	src->columns = NULL;
}

static int csv_open(struct source *src, const char *path, struct source_error *err)
{
	struct text_reader *in = source_text_open(src, path, err);
	if (!in)
		return -1;
	struct csv_src *c = xcalloc(1, sizeof(*c));
	src->impl = c;
	c->src = src;
	c->in = in;
	pthread_mutex_init(&c->lock, NULL);
	pthread_cond_init(&c->changed, NULL);
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
	src->bytes_read = c->bytes_read;
	if (start_reader(c, err) < 0) {
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
