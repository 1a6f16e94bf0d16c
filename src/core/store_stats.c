/* Run history in aggregate (see store_stats.h): the sparkline's last runs and the stats screen's figures. */
#include "core/store_stats.h"

#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/util.h"
#include "store_internal.h"

/*
 * ?1 a JSON array of connection ids, ?2 runs per connection. Each connection's runs are the range of the
 * (connection_id, id) index from its per_conn-th newest id up: a seek and a few rows per connection, where
 * numbering all of a connection's runs (row_number() over its partition) would read every one of them.
 */
static const char recent_sql[] =
	"SELECT j.key, r.status,"
	" CASE WHEN r.started_at IS NULL THEN 0"
	"  ELSE coalesce(r.finished_at, r.heartbeat_at, r.started_at) - r.started_at END"
	" FROM json_each(?1) j JOIN sync_runs r ON r.connection_id = j.value"
	" AND r.id >= coalesce((SELECT id FROM sync_runs WHERE connection_id = j.value"
	"  ORDER BY id DESC LIMIT 1 OFFSET ?2 - 1), 0)"
	" ORDER BY j.key, r.id";

int store_recent_runs(struct store *s, const int64_t *ids, size_t n, int per_conn, struct recent_runs *out)
{
	if (per_conn > RECENT_RUNS_MAX)
		per_conn = RECENT_RUNS_MAX;
	struct strbuf list = {0};
	sb_adds(&list, "[");
	for (size_t i = 0; i < n; i++) {
		memset(&out[i], 0, sizeof(out[i]));
		out[i].connection_id = ids[i];
		sb_addf(&list, "%s%lld", i ? "," : "", (long long)ids[i]);
	}
	sb_adds(&list, "]");
	struct sqldb_stmt *st = store_stmt(s, recent_sql);
	int rc = st ? 0 : -1;
	if (st) {
		bind_text(st, 1, sb_str(&list));
		bind_int(st, 2, per_conn);
		int step;
		while ((step = sqldb_step(st)) == SQLDB_ROW) {
			int64_t i = sqldb_column_int64(st, 0);
			if (i < 0 || (size_t)i >= n || out[i].n == RECENT_RUNS_MAX)
				continue;
			struct recent_runs *h = &out[i];
			struct recent_run *r = &h->runs[h->n++];
			column_copy(st, 1, r->status, sizeof(r->status));
			r->duration_ms = sqldb_column_int64(st, 2);
			if (r->duration_ms > h->max_duration_ms)
				h->max_duration_ms = r->duration_ms;
		}
		rc = step == SQLDB_DONE ? 0 : -1;
		sqldb_reset(st);
	}
	sb_free(&list);
	return rc;
}

/*
 * ?1 since, ?2..?3 a range of connection ids. The counts of each connection's runs, read from the
 * sync_runs_stats index alone, with the shop or WordPress site the connection pushes to (found once per connection: its
 * document names it), in connection id order.
 */
static const char counts_sql[] =
	"WITH cd AS MATERIALIZED (SELECT c.id AS cid, dn.id AS did, dn.name AS dname FROM connections c"
	"  JOIN destinations dn ON c.dest_type IN ('woocommerce', 'wordpress')"
	"  AND (dn.id = json_extract(c.document, '$.destination.id')"
	"   OR dn.name = json_extract(c.document, '$.destination.name'))"
	"  WHERE c.id BETWEEN ?2 AND ?3)"
	" SELECT a.cid, c.name, coalesce(cd.did, 0), coalesce(cd.dname, ''), a.runs, a.failed, a.finished,"
	"  a.created, a.updated, a.retired"
	" FROM (SELECT connection_id AS cid, count(*) AS runs, sum(status = 'failed') AS failed,"
	"   count(finished_at) AS finished, sum(created) AS created, sum(updated) AS updated,"
	"   sum(retired) AS retired FROM sync_runs WHERE connection_id BETWEEN ?2 AND ?3 AND started_at >= ?1"
	"   GROUP BY connection_id) a"
	" JOIN connections c ON c.id = a.cid LEFT JOIN cd ON cd.cid = a.cid ORDER BY a.cid";

/* ?1 since, ?2..?3 connection ids. The finished runs' durations in the order of the sync_runs_by_conn_duration
 * index: no sort. */
static const char durations_sql[] =
	"SELECT connection_id, finished_at - started_at FROM sync_runs"
	" WHERE connection_id BETWEEN ?2 AND ?3 AND finished_at IS NOT NULL AND started_at >= ?1"
	" ORDER BY connection_id, finished_at - started_at";

/* The connection ids there are: the range the slices cover. */
static const char id_range_sql[] = "SELECT coalesce(min(id), 1), coalesce(max(id), 0) FROM connections";


void stats_free(struct stats *st)
{
	for (size_t i = 0; i < st->nconns; i++)
		free(st->conns[i].name);
	for (size_t i = 0; i < st->ndests; i++)
		free(st->dests[i].name);
	free(st->conns);
	free(st->dests);
	memset(st, 0, sizeof(*st));
}

/* The 0-based nearest rank of percentile pct among n values: ceil(n * pct / 100) - 1. */
static int64_t rank_of(int64_t n, int pct)
{
	return (n * pct + 99) / 100 - 1;
}

static void add_counts(struct stats_row *to, const struct stats_row *from)
{
	to->runs += from->runs;
	to->failed += from->failed;
	to->finished += from->finished;
	to->created += from->created;
	to->updated += from->updated;
	to->retired += from->retired;
}

/* The destination row of shop `id` (added when new); job->sums[] runs alongside out.dests. */
static size_t dest_index(struct stats_job *job, int64_t id, const char *name)
{
	struct stats *out = &job->out;
	for (size_t i = 0; i < out->ndests; i++)
		if (out->dests[i].id == id)
			return i;
	out->dests = xrealloc(out->dests, (out->ndests + 1) * sizeof(*out->dests));
	job->sums = xrealloc(job->sums, (out->ndests + 1) * sizeof(*job->sums));
	memset(&out->dests[out->ndests], 0, sizeof(*out->dests));
	memset(&job->sums[out->ndests], 0, sizeof(*job->sums));
	out->dests[out->ndests].id = id;
	out->dests[out->ndests].name = xstrdup(name);
	return out->ndests++;
}

static void bind_slice(struct sqldb_stmt *st, const struct stats_job *job, int64_t lo, int64_t hi)
{
	bind_int(st, 1, job->since);
	bind_int(st, 2, lo);
	bind_int(st, 3, hi);
}

/* Pass 1 over ids lo..hi: each connection's counts (appended: in id order) and its shop's, in dest_of[]. */
static int read_counts(struct store *s, struct stats_job *job, int64_t lo, int64_t hi)
{
	struct sqldb_stmt *st = store_stmt(s, counts_sql);
	if (!st)
		return -1;
	bind_slice(st, job, lo, hi);
	struct stats *out = &job->out;
	int step;
	while ((step = sqldb_step(st)) == SQLDB_ROW) {
		out->conns = xrealloc(out->conns, (out->nconns + 1) * sizeof(*out->conns));
		job->dest_of = xrealloc(job->dest_of, (out->nconns + 1) * sizeof(*job->dest_of));
		struct stats_row *r = &out->conns[out->nconns];
		memset(r, 0, sizeof(*r));
		r->id = sqldb_column_int64(st, 0);
		r->name = column_dup(st, 1);
		r->runs = sqldb_column_int64(st, 4);
		r->failed = sqldb_column_int64(st, 5);
		r->finished = sqldb_column_int64(st, 6);
		r->created = sqldb_column_int64(st, 7);
		r->updated = sqldb_column_int64(st, 8);
		r->retired = sqldb_column_int64(st, 9);
		int64_t did = sqldb_column_int64(st, 2);
		char dname[256];
		column_copy(st, 3, dname, sizeof(dname));
		size_t d = did ? dest_index(job, did, dname) : SIZE_MAX;
		job->dest_of[out->nconns] = d;
		if (did)
			add_counts(&out->dests[d], r);
		out->nconns++;
	}
	sqldb_reset(st);
	return step == SQLDB_DONE ? 0 : -1;
}

/* The connection row of id, by bisection (the rows are in id order); SIZE_MAX when absent. */
static size_t conn_index(const struct stats *out, int64_t id)
{
	size_t lo = 0, hi = out->nconns;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (out->conns[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < out->nconns && out->conns[lo].id == id ? lo : SIZE_MAX;
}

/* Pass 2 over ids lo..hi: the durations stream by in rank order within each connection; a shop keeps its
 * connections'. */
static int read_durations(struct store *s, struct stats_job *job, int64_t lo, int64_t hi)
{
	struct sqldb_stmt *st = store_stmt(s, durations_sql);
	if (!st)
		return -1;
	bind_slice(st, job, lo, hi);
	struct stats *out = &job->out;
	int64_t cid = -1, rank = 0;
	size_t ci = SIZE_MAX;
	int step;
	while ((step = sqldb_step(st)) == SQLDB_ROW) {
		int64_t id = sqldb_column_int64(st, 0), ms = sqldb_column_int64(st, 1);
		if (id != cid) {
			cid = id;
			rank = 0;
			ci = conn_index(out, id);
		}
		if (ci == SIZE_MAX)
			continue;
		struct stats_row *r = &out->conns[ci];
		if (rank == rank_of(r->finished, 50))
			r->median_ms = ms;
		if (rank == rank_of(r->finished, 95))
			r->p95_ms = ms;
		rank++;
		if (job->dest_of[ci] != SIZE_MAX) {
			struct stats_dest_sum *d = &job->sums[job->dest_of[ci]];
			if (d->n == d->cap) {
				d->cap = d->cap ? d->cap * 2 : 256;
				d->durations = xrealloc(d->durations, d->cap * sizeof(*d->durations));
			}
			d->durations[d->n++] = ms;
		}
	}
	sqldb_reset(st);
	return step == SQLDB_DONE ? 0 : -1;
}

static int cmp_int64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

static int cmp_name(const void *a, const void *b)
{
	const struct stats_row *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	return c ? c : cmp_int64(&x->id, &y->id);
}

/* A shop's median and p95 from its connections' durations (counted as the stream gave them). */
static void dest_percentiles(struct stats_row *r, struct stats_dest_sum *d)
{
	if (!d->n)
		return;
	qsort(d->durations, d->n, sizeof(*d->durations), cmp_int64);
	r->finished = (int64_t)d->n;
	r->median_ms = d->durations[rank_of(r->finished, 50)];
	r->p95_ms = d->durations[rank_of(r->finished, 95)];
}

/* Both passes of a slice read one snapshot (a deferred transaction takes no lock), so their counts agree. */
static const char begin_read_sql[] = "BEGIN", end_read_sql[] = "COMMIT";

static void free_sums(struct stats_job *job)
{
	for (size_t i = 0; job->sums && i < job->out.ndests; i++)
		free(job->sums[i].durations);
	free(job->sums);
	free(job->dest_of);
	job->sums = NULL;
	job->dest_of = NULL;
}

void stats_job_free(struct stats_job *job)
{
	free_sums(job);
	stats_free(&job->out);
	memset(job, 0, sizeof(*job));
}

int stats_job_start(struct store *s, int64_t since_ms, int64_t span, struct stats_job *job)
{
	memset(job, 0, sizeof(*job));
	job->since = since_ms;
	job->span = span > 0 ? span : STATS_FIRST_SPAN;
	job->fixed_span = span > 0;
	struct sqldb_stmt *st = store_stmt(s, id_range_sql);
	if (!st)
		return -1;
	int step = sqldb_step(st);
	if (step == SQLDB_ROW) {
		job->first_id = job->next_id = sqldb_column_int64(st, 0);
		job->last_id = sqldb_column_int64(st, 1);
	}
	sqldb_reset(st);
	return step == SQLDB_ROW ? 0 : -1;
}

/* One slice of connection ids, both passes in its own snapshot. */
static int read_slice(struct store *s, struct stats_job *job, int64_t lo, int64_t hi)
{
	int rc = store_exec_stmt(store_stmt(s, begin_read_sql));
	if (rc == 0) {
		rc = read_counts(s, job, lo, hi);
		if (rc == 0)
			rc = read_durations(s, job, lo, hi);
		store_exec_stmt(store_stmt(s, end_read_sql));
	}
	return rc;
}

/* The shops' percentiles need all their connections' durations: done once every slice is in. */
static void finish(struct stats_job *job)
{
	struct stats *out = &job->out;
	for (size_t i = 0; i < out->ndests; i++)
		dest_percentiles(&out->dests[i], &job->sums[i]);
	free_sums(job);
	for (size_t i = 0; i < out->nconns; i++)
		if (!out->conns[i].name)
			out->conns[i].name = xstrdup("");
	if (out->nconns)
		qsort(out->conns, out->nconns, sizeof(*out->conns), cmp_name);
	if (out->ndests)
		qsort(out->dests, out->ndests, sizeof(*out->dests), cmp_name);
	job->done = true;
}

static double elapsed_ms(const struct timespec *t0)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) * 1e3 + (double)(t.tv_nsec - t0->tv_nsec) / 1e6;
}

/*
 * A slice costs about what its runs do, and the runs are not spread evenly over the ids: the span is
 * sized again after each slice, doubled while a slice takes under a quarter of the budget, halved over
 * half of it. The step ends when another slice as long as the last would overrun the budget.
 */
int stats_job_step(struct store *s, struct stats_job *job, double budget_ms)
{
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	double last = 0;
	int slices = 0, rc = 1;
	while (!job->done) {
		if (job->next_id > job->last_id) {
			finish(job);
			break;
		}
		if (slices++ && elapsed_ms(&t0) + last > budget_ms) {
			rc = 0;
			break;
		}
		double before = elapsed_ms(&t0);
		int64_t lo = job->next_id;
		int64_t hi = job->last_id - lo < job->span ? job->last_id : lo + job->span - 1;
		if (read_slice(s, job, lo, hi) < 0) {
			rc = -1;
			break;
		}
		job->next_id = hi + 1;
		last = elapsed_ms(&t0) - before;
		if (!job->fixed_span && last * 4 < budget_ms && job->span < INT64_MAX / 2)
			job->span *= 2;
		else if (!job->fixed_span && last * 2 > budget_ms && job->span > 1)
			job->span /= 2;
	}
	job->spent_ms += elapsed_ms(&t0);
	return rc;
}

double stats_job_progress(const struct stats_job *job)
{
	if (job->done || job->last_id < job->first_id)
		return 1;
	return (double)(job->next_id - job->first_id) / (double)(job->last_id - job->first_id + 1);
}

void stats_job_take(struct stats_job *job, struct stats *out)
{
	*out = job->out;
	memset(&job->out, 0, sizeof(job->out));
	stats_job_free(job);
}

int store_stats(struct store *s, int64_t since_ms, struct stats *out)
{
	memset(out, 0, sizeof(*out));
	struct stats_job job;
	if (stats_job_start(s, since_ms, INT64_MAX, &job) < 0 || stats_job_step(s, &job, 0) < 0) {
		stats_job_free(&job);
		return -1;
	}
	stats_job_take(&job, out);
	return 0;
}

const char *const stats_headers[STATS_COLUMNS] = {
	"NAME", "RUNS/DAY", "FAILED", "MEDIAN", "P95", "CREATED", "UPDATED", "RETIRED",
};
const char stats_align[STATS_COLUMNS + 1] = "lrrrrrrr";

double stats_failure_rate(const struct stats_row *r)
{
	return r->runs ? (double)r->failed / (double)r->runs : 0;
}

void stats_row_cells(const struct stats_row *r, int days, struct stats_cells *out)
{
	str_copy(out->text[0], r->name, sizeof(out->text[0]));
	double per_day = (double)r->runs / (days > 0 ? days : 1);
	/* Two decimals under 10 a day, so a weekly run (0.14) does not read as never (0.1 would, at 0.04). */
	snprintf(out->text[1], sizeof(out->text[1]), per_day < 10 ? "%.2f" : "%.1f", per_day);
	snprintf(out->text[2], sizeof(out->text[2]), "%.0f%%", 100.0 * stats_failure_rate(r));
	format_duration(r->median_ms, out->text[3], sizeof(out->text[3]));
	format_duration(r->p95_ms, out->text[4], sizeof(out->text[4]));
	snprintf(out->text[5], sizeof(out->text[5]), "%lld", (long long)r->created);
	snprintf(out->text[6], sizeof(out->text[6]), "%lld", (long long)r->updated);
	snprintf(out->text[7], sizeof(out->text[7]), "%lld", (long long)r->retired);
}
