/* A destination's shared token bucket and slot leases (see core/store_limits.h). */
#include "store_internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/store_limits.h"
#include "core/util.h"

/* What a handle opened for the limits waits for another writer: a sync is a few statements long. */
#define LIMITS_BUSY_TIMEOUT_MS 5000

static const char SQL_LEASES_EXPIRE[] = "DELETE FROM dest_leases WHERE destination_id = ?1 AND expires_at <= ?2";
static const char SQL_LEASES_OTHERS[] =
	"SELECT coalesce(sum(slots), 0), count(*), coalesce(max(wanted > slots), 0) FROM dest_leases"
	" WHERE destination_id = ?1 AND holder <> ?2";
static const char SQL_LEASE_PUT[] =
	"INSERT INTO dest_leases(destination_id, holder, slots, wanted, expires_at) VALUES(?1, ?2, ?3, ?4, ?5)"
	" ON CONFLICT(destination_id, holder) DO UPDATE SET slots = ?3, wanted = ?4, expires_at = ?5";
static const char SQL_LEASE_DROP[] = "DELETE FROM dest_leases WHERE destination_id = ?1 AND holder = ?2";
static const char SQL_BUCKET_GET[] =
	"SELECT tokens, refilled_at, rate, size, concurrency FROM dest_buckets WHERE destination_id = ?1";
static const char SQL_BUCKET_PUT[] =
	"INSERT INTO dest_buckets(destination_id, tokens, refilled_at, rate, size, concurrency)"
	" VALUES(?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(destination_id) DO UPDATE SET tokens = ?2, refilled_at = ?3,"
	" rate = ?4, size = ?5, concurrency = ?6";
static const char SQL_CIRCUIT_GET[] =
	"SELECT circuit_state, coalesce(circuit_reopen_at, 0), consecutive_failures, coalesce(circuit_since, 0),"
	" coalesce(circuit_last_at, 0), coalesce(circuit_last, '') FROM destinations WHERE id = ?1";
static const char SQL_COST_SEEN_PUT[] =
	"INSERT INTO dest_cost_buckets(destination_id, maximum, available, restore_rate, seen_at)"
	" VALUES(?1, ?2, ?3, ?4, ?5) ON CONFLICT(destination_id) DO UPDATE SET maximum = ?2, available = ?3,"
	" restore_rate = ?4, seen_at = ?5";
static const char SQL_LIMITS_VIEW[] = "SELECT " LIMITS_COLUMNS("?1", "?2");

struct bucket {
	double tokens, rate, size;
	int64_t refilled_at;
	int concurrency;
};

/* 1 found, 0 none, -1 error. */
static int bucket_get(struct store *s, int64_t dest_id, struct bucket *b)
{
	struct sqldb_stmt *st = store_stmt(s, SQL_BUCKET_GET);
	if (!st)
		return -1;
	bind_int(st, 1, dest_id);
	int rc = sqldb_step(st);
	if (rc == SQLDB_ROW) {
		b->tokens = sqldb_column_double(st, 0);
		b->refilled_at = sqldb_column_int64(st, 1);
		b->rate = sqldb_column_double(st, 2);
		b->size = sqldb_column_double(st, 3);
		b->concurrency = sqldb_column_int(st, 4);
	}
	sqldb_reset(st);
	return rc == SQLDB_ROW ? 1 : rc == SQLDB_DONE ? 0 : -1;
}

/* The tokens at `now`: they accrue at the rate up to the size (a clock that went back adds none). */
static double bucket_level(const struct bucket *b, int64_t now)
{
	double t = b->tokens;
	if (now > b->refilled_at)
		t += (double)(now - b->refilled_at) * b->rate / 1000.0;
	return t > b->size ? b->size : t;
}

static int bucket_put(struct store *s, int64_t dest_id, const struct bucket *b)
{
	struct sqldb_stmt *st = store_stmt(s, SQL_BUCKET_PUT);
	if (!st)
		return -1;
	bind_int(st, 1, dest_id);
	sqldb_bind_double(st, 2, b->tokens);
	bind_int(st, 3, b->refilled_at);
	sqldb_bind_double(st, 4, b->rate);
	sqldb_bind_double(st, 5, b->size);
	bind_int(st, 6, b->concurrency);
	return store_exec_stmt(st);
}

/* Takes up to ask->tokens from the bucket, refilled to now under the limits asked for. */
static int take_tokens(struct store *s, const struct limits_ask *ask, struct limits_grant *grant)
{
	struct bucket b;
	int found = bucket_get(s, ask->dest_id, &b);
	if (found < 0)
		return -1;
	double level = found ? bucket_level(&b, ask->now) : ask->size;
	b = (struct bucket){.tokens = level, .refilled_at = ask->now, .rate = ask->rate, .size = ask->size,
	                    .concurrency = ask->concurrency};
	if (b.tokens > b.size)
		b.tokens = b.size;
	if (ask->rate > 0) {
		int take = (int)floor(b.tokens);
		if (take > ask->tokens)
			take = ask->tokens;
		grant->tokens = take;
		b.tokens -= take;
		if (take < ask->tokens)
			grant->token_wait_ms = (int64_t)ceil((1.0 - b.tokens) * 1000.0 / ask->rate) + 1;
	}
	return bucket_put(s, ask->dest_id, &b);
}

static int read_circuit(struct store *s, int64_t dest_id, struct limits_grant *g)
{
	struct sqldb_stmt *st = store_stmt(s, SQL_CIRCUIT_GET);
	if (!st)
		return -1;
	bind_int(st, 1, dest_id);
	int rc = sqldb_step(st);
	if (rc == SQLDB_ROW) {
		column_copy(st, 0, g->circuit_state, sizeof(g->circuit_state));
		g->circuit_reopen_at = sqldb_column_int64(st, 1);
		g->failures = sqldb_column_int(st, 2);
		g->circuit_since = sqldb_column_int64(st, 3);
		g->circuit_last_at = sqldb_column_int64(st, 4);
		column_copy(st, 5, g->circuit_last, sizeof(g->circuit_last));
	}
	sqldb_reset(st);
	return rc == SQLDB_ROW || rc == SQLDB_DONE ? 0 : -1;
}

/*
 * The slots this process may hold: what it wants, within what the others leave, and while another waits, no
 * more than an equal share; never fewer than it has in flight (those cannot be called back).
 */
static int grant_slots(const struct limits_ask *ask, int others_slots, int others, bool contended)
{
	int limit = ask->concurrency - others_slots;
	if (contended) {
		int share = ask->concurrency / (others + 1);
		limit = share < 1 ? (limit < 1 ? limit : 1) : (share < limit ? share : limit);
	}
	int slots = ask->want < limit ? ask->want : limit;
	return slots > ask->in_flight ? slots : ask->in_flight;
}

static int put_lease(struct store *s, const struct limits_ask *ask, int slots)
{
	struct sqldb_stmt *st = store_stmt(s, ask->want > 0 ? SQL_LEASE_PUT : SQL_LEASE_DROP);
	if (!st)
		return -1;
	bind_int(st, 1, ask->dest_id);
	bind_text(st, 2, ask->holder);
	if (ask->want > 0) {
		bind_int(st, 3, slots);
		bind_int(st, 4, ask->want);
		bind_int(st, 5, ask->now + ask->lease_ms);
	}
	return store_exec_stmt(st);
}

static int sync_locked(struct store *s, const struct limits_ask *ask, struct limits_grant *grant)
{
	struct sqldb_stmt *st = store_stmt(s, SQL_LEASES_EXPIRE);
	if (!st)
		return -1;
	bind_int(st, 1, ask->dest_id);
	bind_int(st, 2, ask->now);
	if (store_exec_stmt(st) < 0 || !(st = store_stmt(s, SQL_LEASES_OTHERS)))
		return -1;
	bind_int(st, 1, ask->dest_id);
	bind_text(st, 2, ask->holder);
	int rc = sqldb_step(st);
	int others_slots = rc == SQLDB_ROW ? sqldb_column_int(st, 0) : 0;
	int others = rc == SQLDB_ROW ? sqldb_column_int(st, 1) : 0;
	grant->contended = rc == SQLDB_ROW && sqldb_column_int(st, 2);
	sqldb_reset(st);
	if (rc != SQLDB_ROW)
		return -1;
	grant->slots = grant_slots(ask, others_slots, others, grant->contended);
	if (put_lease(s, ask, grant->slots) < 0)
		return -1;
	if (take_tokens(s, ask, grant) < 0)
		return -1;
	return read_circuit(s, ask->dest_id, grant);
}

int store_limits_sync(struct store *s, const struct limits_ask *ask, struct limits_grant *grant)
{
	memset(grant, 0, sizeof(*grant));
	bool own = !store_in_transaction(s);
	if (own && store_begin(s) < 0)
		return -1;
	int rc = sync_locked(s, ask, grant);
	if (!own)
		return rc;
	if (rc == 0 && store_commit(s) == 0)
		return 0;
	store_rollback(s);
	return -1;
}

void read_limits_columns(struct sqldb_stmt *st, int col, struct limits_view *v)
{
	memset(v, 0, sizeof(*v));
	v->known = sqldb_column_type(st, col) != SQLDB_NULL;
	v->tokens = sqldb_column_double(st, col);
	v->refilled_at = sqldb_column_int64(st, col + 1);
	v->size = sqldb_column_double(st, col + 2);
	v->rate = sqldb_column_double(st, col + 3);
	v->concurrency = sqldb_column_int(st, col + 4);
	v->slots = sqldb_column_int(st, col + 5);
	v->holders = sqldb_column_int(st, col + 6);
	struct cost_seen *c = &v->cost;
	c->known = sqldb_column_type(st, col + 10) != SQLDB_NULL;
	c->maximum = sqldb_column_double(st, col + 7);
	c->available = sqldb_column_double(st, col + 8);
	c->restore_rate = sqldb_column_double(st, col + 9);
	c->seen_at = sqldb_column_int64(st, col + 10);
}

int store_cost_seen_put(struct store *s, int64_t dest_id, const struct cost_seen *c)
{
	struct sqldb_stmt *st = store_stmt(s, SQL_COST_SEEN_PUT);
	if (!st)
		return -1;
	bind_int(st, 1, dest_id);
	sqldb_bind_double(st, 2, c->maximum);
	sqldb_bind_double(st, 3, c->available);
	sqldb_bind_double(st, 4, c->restore_rate);
	bind_int(st, 5, c->seen_at);
	return store_exec_stmt(st);
}

int store_limits_view(struct store *s, int64_t dest_id, int64_t now, struct limits_view *v)
{
	memset(v, 0, sizeof(*v));
	struct sqldb_stmt *st = store_stmt(s, SQL_LIMITS_VIEW);
	if (!st)
		return -1;
	bind_int(st, 1, dest_id);
	bind_int(st, 2, now);
	int rc = sqldb_step(st);
	if (rc == SQLDB_ROW)
		read_limits_columns(st, 0, v);
	sqldb_reset(st);
	return rc == SQLDB_ROW ? 0 : -1;
}

double limits_tokens(const struct limits_view *v, int64_t now)
{
	struct bucket b = {.tokens = v->tokens, .refilled_at = v->refilled_at, .rate = v->rate, .size = v->size};
	return bucket_level(&b, now);
}

struct store *store_open_like(struct store *s, char *err, size_t errsize)
{
	const char *target = sqldb_target(s->db);
	if (!target) {
		snprintf(err, errsize, "an in-memory database cannot be opened again");
		return NULL;
	}
	return store_open_path(target, LIMITS_BUSY_TIMEOUT_MS, err, errsize);
}
