/* A run's throughput over time (see throughput.h). */
#include "tui/throughput.h"

#include <stdio.h>
#include <string.h>

#include "core/util.h"

static bool in_phase(const struct run_sample *s, enum throughput_kind kind)
{
	if (kind == THROUGHPUT_PUSH)
		return str_eq(s->phase, "pushing");
	return str_eq(s->phase, "download") || str_eq(s->phase, "local_import");
}

static int64_t done(const struct run_sample *s, enum throughput_kind kind)
{
	return kind == THROUGHPUT_PUSH ? s->push_processed : s->rows_read;
}

static bool circuit_open(const struct run_sample *s)
{
	return s->circuit[0] && !str_eq(s->circuit, "closed");
}

void throughput_of(const struct run_sample *s, int n, enum throughput_kind kind, int columns,
                   struct throughput *out)
{
	memset(out, 0, sizeof(*out));
	if (columns > THROUGHPUT_COLUMNS_MAX)
		columns = THROUGHPUT_COLUMNS_MAX;
	/* Interval i ends at sample ends[i] and belongs to the phase when that sample was taken in it. */
	int ends[SAMPLES_READ_MAX], m = 0;
	for (int i = 1; i < n && m < SAMPLES_READ_MAX; i++)
		if (in_phase(&s[i], kind) && s[i].t > s[i - 1].t)
			ends[m++] = i;
	for (int i = 0; i < n; i++) {
		if (!in_phase(&s[i], kind) || s[i].batch_size <= 0)
			continue;
		if (!out->batch_first)
			out->batch_first = s[i].batch_size;
		out->batch_last = s[i].batch_size;
	}
	if (m == 0 || columns < 1)
		return;
	out->n = m < columns ? m : columns;
	for (int c = 0; c < out->n; c++) {
		int from = c * m / out->n, to = (c + 1) * m / out->n;
		int64_t work = 0, ms = 0;
		for (int k = from; k < to; k++) {
			const struct run_sample *a = &s[ends[k] - 1], *b = &s[ends[k]];
			work += done(b, kind) - done(a, kind);
			ms += b->t - a->t;
			if (circuit_open(b)) {
				out->circuit_open[c] = true;
				out->open_ms += b->t - a->t;
			}
		}
		out->rate[c] = ms > 0 && work > 0 ? (double)work * 1000.0 / (double)ms : 0;
		if (out->rate[c] > out->peak)
			out->peak = out->rate[c];
	}
	out->last = out->rate[out->n - 1];
}

void throughput_number(double v, char *buf, size_t size)
{
	if (v < 1000)
		snprintf(buf, size, "%.0f", v);
	else if (v < 10000)
		snprintf(buf, size, "%.1fk", v / 1000);
	else if (v < 1e6)
		snprintf(buf, size, "%.0fk", v / 1000);
	else
		snprintf(buf, size, "%.1fM", v / 1e6);
}
