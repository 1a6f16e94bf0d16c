/*
 * What the floor programs share: read a CSV file through libcsv in 64 KiB chunks, as feedsync does,
 * and hand each record (header included) to a callback; plus timing and the result line.
 * A header of static functions because each bench program is built from one .c file.
 */
#ifndef FEEDSYNC_BENCH_FLOOR_H
#define FEEDSYNC_BENCH_FLOOR_H

#include <csv.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/util.h"

#define FLOOR_CHUNK (64 * 1024)
#define FLOOR_MAX_FIELDS 64

/* Field values are NUL-terminated slices of one arena reused across records. */
struct floor_record {
	size_t n;
	size_t off[FLOOR_MAX_FIELDS];
	size_t len[FLOOR_MAX_FIELDS];
	struct strbuf arena;
};

static inline const char *floor_field(const struct floor_record *r, size_t i)
{
	return r->arena.buf + r->off[i];
}

typedef void floor_record_fn(const struct floor_record *r, void *ud);

struct floor_reader {
	struct floor_record rec;
	floor_record_fn *fn;
	void *ud;
	long records;
	int too_wide;
};

static void floor_on_field(void *data, size_t len, void *ud)
{
	struct floor_reader *rd = ud;
	struct floor_record *r = &rd->rec;
	if (r->n == FLOOR_MAX_FIELDS) {
		rd->too_wide = 1;
		return;
	}
	r->off[r->n] = r->arena.len;
	r->len[r->n] = len;
	sb_add(&r->arena, data ? data : "", len);
	sb_addc(&r->arena, '\0');
	r->n++;
}

static void floor_on_record(int terminator, void *ud)
{
	(void)terminator;
	struct floor_reader *rd = ud;
	rd->fn(&rd->rec, rd->ud);
	rd->records++;
	rd->rec.n = 0;
	sb_reset(&rd->rec.arena);
}

/* Returns the number of records, header included, or -1 after printing why. */
static long floor_read_csv(const char *path, floor_record_fn *fn, void *ud)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		perror(path);
		return -1;
	}
	struct csv_parser parser;
	csv_init(&parser, 0);
	struct floor_reader rd = {.fn = fn, .ud = ud};
	char *chunk = xmalloc(FLOOR_CHUNK);
	size_t got;
	int bad = 0;
	while (!bad && (got = fread(chunk, 1, FLOOR_CHUNK, f)) > 0)
		bad = csv_parse(&parser, chunk, got, floor_on_field, floor_on_record, &rd) != got;
	if (!bad)
		bad = csv_fini(&parser, floor_on_field, floor_on_record, &rd) != 0;
	if (bad)
		fprintf(stderr, "%s: %s\n", path, csv_strerror(csv_error(&parser)));
	else if (ferror(f))
		perror(path);
	else if (rd.too_wide)
		fprintf(stderr, "%s: a record has more than %d fields\n", path, FLOOR_MAX_FIELDS);
	int failed = bad || ferror(f) || rd.too_wide;
	csv_free(&parser);
	free(chunk);
	sb_free(&rd.rec.arena);
	fclose(f);
	return failed ? -1 : rd.records;
}

static inline double floor_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The line bench/run.sh reads: "rows N seconds S rows_per_s R". */
static inline void floor_report(long rows, double seconds)
{
	printf("rows %ld seconds %.3f rows_per_s %.0f\n", rows, seconds, seconds > 0 ? (double)rows / seconds : 0.0);
}

#endif
