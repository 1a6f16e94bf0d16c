/* A run's counters over time (see store_samples.h). */
#include "core/store_samples.h"

#include "core/util.h"
#include "store_internal.h"

static const char SQL_SAMPLE_ADD[] =
	"INSERT INTO run_samples(run_id, t, phase, rows_read, push_processed, batch_size, circuit)"
	" VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT(run_id, t) DO UPDATE SET phase = ?3, rows_read = ?4,"
	" push_processed = ?5, batch_size = ?6, circuit = ?7";
static const char SQL_SAMPLES_THIN[] =
	"DELETE FROM run_samples WHERE run_id = ?1 AND t IN (SELECT t FROM"
	" (SELECT t, row_number() OVER (ORDER BY t) AS n FROM run_samples WHERE run_id = ?1) AS numbered WHERE n % 2 = 0)";
static const char SQL_SAMPLES_OF_RUN[] =
	"SELECT t, coalesce(phase, ''), rows_read, push_processed, coalesce(batch_size, 0), coalesce(circuit, '')"
	" FROM run_samples WHERE run_id = ?1 ORDER BY t LIMIT ?2";

int store_sample_add(struct store *s, int64_t run_id, const struct run_sample *smp)
{
	struct sqldb_stmt *st = store_stmt(s, SQL_SAMPLE_ADD);
	if (!st)
		return -1;
	bind_int(st, 1, run_id);
	bind_int(st, 2, smp->t);
	bind_text(st, 3, *smp->phase ? smp->phase : NULL);
	bind_int(st, 4, smp->rows_read);
	bind_int(st, 5, smp->push_processed);
	bind_int_or_null(st, 6, smp->batch_size);
	bind_text(st, 7, *smp->circuit ? smp->circuit : NULL);
	return store_exec_stmt(st);
}

int store_samples_thin(struct store *s, int64_t run_id)
{
	struct sqldb_stmt *st = store_stmt(s, SQL_SAMPLES_THIN);
	if (!st)
		return -1;
	bind_int(st, 1, run_id);
	return store_exec_stmt(st);
}

int store_samples_of_run(struct store *s, int64_t run_id, struct run_sample *out, int max)
{
	struct sqldb_stmt *st = store_stmt(s, SQL_SAMPLES_OF_RUN);
	if (!st)
		return -1;
	bind_int(st, 1, run_id);
	bind_int(st, 2, max);
	int n = 0, step = SQLDB_DONE;
	while (n < max && (step = sqldb_step(st)) == SQLDB_ROW) {
		struct run_sample *r = &out[n++];
		r->t = sqldb_column_int64(st, 0);
		column_copy(st, 1, r->phase, sizeof(r->phase));
		r->rows_read = sqldb_column_int64(st, 2);
		r->push_processed = sqldb_column_int64(st, 3);
		r->batch_size = (int)sqldb_column_int64(st, 4);
		column_copy(st, 5, r->circuit, sizeof(r->circuit));
	}
	sqldb_reset(st);
	return step == SQLDB_DONE || step == SQLDB_ROW ? n : -1;
}
