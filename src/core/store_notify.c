/* Notification channels and the outbox (see core/store_notify.h). */
#include "store_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/store_notify.h"
#include "core/util.h"

#define CHANNEL_COLUMNS \
	"id, name, coalesce(connection_id, 0), kind, target, options, secret, enabled, created_at, updated_at"
static const char SQL_CHANNEL_INSERT[] =
	"INSERT INTO notify_channels(name, connection_id, kind, target, options, secret, enabled, created_at,"
	" updated_at) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)";
static const char SQL_CHANNEL_UPDATE[] =
	"UPDATE notify_channels SET name = ?2, connection_id = ?3, kind = ?4, target = ?5, options = ?6, secret = ?7,"
	" enabled = ?8, updated_at = ?9 WHERE id = ?1";
static const char SQL_CHANNEL_NAME_TAKEN[] = "SELECT id FROM notify_channels WHERE name = ?1 AND id <> ?2";
static const char SQL_CHANNEL_BY_ID[] = "SELECT " CHANNEL_COLUMNS " FROM notify_channels WHERE id = ?1";
static const char SQL_CHANNEL_BY_NAME[] = "SELECT " CHANNEL_COLUMNS " FROM notify_channels WHERE name = ?1";
static const char SQL_CHANNEL_DELETE[] = "DELETE FROM notify_channels WHERE id = ?1";
static const char SQL_CHANNELS_ALL[] = "SELECT " CHANNEL_COLUMNS " FROM notify_channels WHERE ?1 < 0 ORDER BY id";
static const char SQL_CHANNELS_FOR[] =
	"SELECT " CHANNEL_COLUMNS " FROM notify_channels WHERE enabled = 1"
	" AND (connection_id IS NULL OR connection_id = ?1) ORDER BY id";

#define MESSAGE_COLUMNS \
	"o.id, o.channel_id, coalesce(o.run_id, 0), coalesce(o.connection_id, 0), coalesce(ch.name, ''), o.event," \
	" o.event_key, o.status, o.payload, o.attempts, o.next_attempt_at, o.created_at, coalesce(o.sent_at, 0)," \
	" coalesce(o.last_error, '')"
#define MESSAGE_SELECT "SELECT " MESSAGE_COLUMNS " FROM notify_outbox o JOIN notify_channels ch ON ch.id = o.channel_id"
static const char SQL_ENQUEUE[] =
	"INSERT INTO notify_outbox(channel_id, event_key, event, run_id, connection_id, payload, next_attempt_at,"
	" created_at) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?8, ?7) ON CONFLICT (channel_id, event_key) DO NOTHING";
static const char SQL_CLAIM[] =
	"UPDATE notify_outbox SET next_attempt_at = ?2 WHERE id = (SELECT id FROM notify_outbox"
	" WHERE status = 'pending' AND next_attempt_at <= ?1 ORDER BY next_attempt_at, id LIMIT 1)"
	/* Checked again on the row itself: a server that re-reads a row another claim changed (PostgreSQL's read
	 * committed) must then find it taken. */
	" AND status = 'pending' AND next_attempt_at <= ?1 RETURNING id";
static const char SQL_MESSAGE_GET[] = MESSAGE_SELECT " WHERE o.id = ?1";
static const char SQL_MARK[] =
	"UPDATE notify_outbox SET status = ?2, attempts = ?3, next_attempt_at = ?4, last_error = ?5,"
	" sent_at = CASE WHEN ?2 = 'sent' THEN ?6 ELSE sent_at END WHERE id = ?1";
static const char SQL_SENT_SINCE[] =
	"SELECT count(*) FROM notify_outbox WHERE channel_id = ?1 AND status = 'sent' AND sent_at >= ?2";
static const char SQL_HELD[] =
	MESSAGE_SELECT " WHERE o.channel_id = ?1 AND o.status = 'held' AND (?3 = 0 OR o.run_id = ?3)"
	" ORDER BY o.id LIMIT ?2";
static const char SQL_SUMMARISE[] =
	"UPDATE notify_outbox SET status = 'summarised', next_attempt_at = ?3"
	" WHERE channel_id = ?1 AND status = 'held' AND id <= ?2";
static const char SQL_LOG[] =
	MESSAGE_SELECT " WHERE (?1 = 0 OR o.channel_id = ?1) AND (?3 = 0 OR o.run_id = ?3)"
	" ORDER BY o.id DESC LIMIT ?2";
static const char SQL_LAST_EVENT[] =
	"SELECT event FROM notify_outbox WHERE channel_id = ?1 AND connection_id = ?2 AND event <> 'summary'"
	" ORDER BY id DESC LIMIT 1";
/* The newest finished run up to run_id that did not fail bounds the streak. */
static const char SQL_FAILED_STREAK[] =
	"SELECT count(*) FROM sync_runs WHERE connection_id = ?1 AND id <= ?2 AND status = 'failed'"
	" AND id > coalesce((SELECT max(id) FROM sync_runs WHERE connection_id = ?1 AND id <= ?2"
	"                    AND status IN ('completed', 'completed_with_errors', 'cancelled')), 0)";
static const char SQL_FIRST_ERROR[] = "SELECT message FROM run_errors WHERE run_id = ?1 ORDER BY id LIMIT 1";
/* Along notify_outbox_due: a finished message's next_attempt_at is when it was last tried. */
static const char SQL_PRUNE[] =
	"DELETE FROM notify_outbox WHERE status IN ('sent', 'failed', 'summarised') AND next_attempt_at < ?1";
static const char SQL_LOST[] =
	"SELECT id FROM sync_runs WHERE finished_at = ?1 AND status = 'failed' AND summary LIKE 'worker lost:%'"
	" ORDER BY id";
static const char SQL_STUCK[] =
	"SELECT " RUN_COLUMNS " FROM sync_runs r LEFT JOIN connections c ON c.id = r.connection_id"
	" WHERE r.status = 'running' AND r.heartbeat_at < ?1 ORDER BY r.id";

void notify_channel_free(struct notify_channel *c)
{
	if (!c)
		return;
	free(c->name);
	free(c->kind);
	free(c->target);
	free(c->options);
	free(c->secret);
	memset(c, 0, sizeof(*c));
}

void notify_channels_free(struct notify_channel *c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		notify_channel_free(&c[i]);
	free(c);
}

void notify_message_clear(struct notify_message *m)
{
	free(m->payload);
	m->payload = NULL;
}

void notify_messages_free(struct notify_message *m, size_t n)
{
	for (size_t i = 0; m && i < n; i++)
		notify_message_clear(&m[i]);
	free(m);
}

static void read_channel(struct sqldb_stmt *st, struct notify_channel *c)
{
	c->id = sqldb_column_int64(st, 0);
	c->name = column_dup(st, 1);
	c->connection_id = sqldb_column_int64(st, 2);
	c->kind = column_dup(st, 3);
	c->target = column_dup(st, 4);
	c->options = column_dup(st, 5);
	c->secret_len = (size_t)sqldb_column_bytes(st, 6);
	c->secret = NULL;
	if (sqldb_column_type(st, 6) != SQLDB_NULL && c->secret_len) {
		c->secret = xmalloc(c->secret_len);
		memcpy(c->secret, sqldb_column_blob(st, 6), c->secret_len);
	} else {
		c->secret_len = 0;
	}
	c->enabled = sqldb_column_int(st, 7) != 0;
	c->created_at = sqldb_column_int64(st, 8);
	c->updated_at = sqldb_column_int64(st, 9);
}

static void read_message(struct sqldb_stmt *st, struct notify_message *m)
{
	memset(m, 0, sizeof(*m));
	m->id = sqldb_column_int64(st, 0);
	m->channel_id = sqldb_column_int64(st, 1);
	m->run_id = sqldb_column_int64(st, 2);
	m->connection_id = sqldb_column_int64(st, 3);
	column_copy(st, 4, m->channel_name, sizeof(m->channel_name));
	column_copy(st, 5, m->event, sizeof(m->event));
	column_copy(st, 6, m->event_key, sizeof(m->event_key));
	column_copy(st, 7, m->status, sizeof(m->status));
	m->payload = column_dup(st, 8);
	m->attempts = sqldb_column_int(st, 9);
	m->next_attempt_at = sqldb_column_int64(st, 10);
	m->created_at = sqldb_column_int64(st, 11);
	m->sent_at = sqldb_column_int64(st, 12);
	column_copy(st, 13, m->last_error, sizeof(m->last_error));
}

static void bind_channel(struct sqldb_stmt *st, int first, const struct notify_channel *c)
{
	bind_int_or_null(st, first, c->connection_id);
	bind_text(st, first + 1, c->kind);
	bind_text(st, first + 2, c->target);
	bind_text(st, first + 3, c->options ? c->options : "{}");
	if (c->secret)
		sqldb_bind_blob(st, first + 4, c->secret, (int)c->secret_len);
	else
		sqldb_bind_null(st, first + 4);
	bind_int(st, first + 5, c->enabled);
}

int store_notify_channel_insert(struct store *s, const struct notify_channel *c, int64_t *id, char *err,
                                size_t errsize)
{
	int taken = store_name_taken(s, SQL_CHANNEL_NAME_TAKEN, "notification channel", c->name, 0, err, errsize);
	if (taken)
		return taken;
	struct sqldb_stmt *st = store_stmt(s, SQL_CHANNEL_INSERT);
	if (!st)
		return -1;
	bind_text(st, 1, c->name);
	bind_channel(st, 2, c);
	bind_int(st, 8, now_ms());
	if (store_exec_stmt(st) < 0) {
		snprintf(err, errsize, "cannot save the notification channel: %s", store_errmsg(s));
		return -1;
	}
	*id = sqldb_last_insert_id(s->db);
	return 0;
}

int store_notify_channel_update(struct store *s, const struct notify_channel *c, char *err, size_t errsize)
{
	int taken = store_name_taken(s, SQL_CHANNEL_NAME_TAKEN, "notification channel", c->name, c->id, err, errsize);
	if (taken)
		return taken;
	struct sqldb_stmt *st = store_stmt(s, SQL_CHANNEL_UPDATE);
	if (!st)
		return -1;
	bind_int(st, 1, c->id);
	bind_text(st, 2, c->name);
	bind_channel(st, 3, c);
	bind_int(st, 9, now_ms());
	if (store_exec_stmt(st) < 0) {
		snprintf(err, errsize, "cannot save the notification channel: %s", store_errmsg(s));
		return -1;
	}
	return 0;
}

int store_notify_channel_get(struct store *s, const char *ref, struct notify_channel *out)
{
	int64_t id;
	bool by_id = parse_int64(ref, &id);
	struct sqldb_stmt *st = store_stmt(s, by_id ? SQL_CHANNEL_BY_ID : SQL_CHANNEL_BY_NAME);
	if (!st)
		return -1;
	if (by_id)
		bind_int(st, 1, id);
	else
		bind_text(st, 1, ref);
	int rc = sqldb_step(st);
	if (rc == SQLDB_ROW)
		read_channel(st, out);
	sqldb_reset(st);
	return rc == SQLDB_ROW ? 1 : rc == SQLDB_DONE ? 0 : -1;
}

/* Runs `sql` with ?1 = v: the rows it changed, or -1. */
static int changed_by(struct store *s, const char *sql, int64_t v)
{
	struct sqldb_stmt *st = store_stmt(s, sql);
	if (!st)
		return -1;
	bind_int(st, 1, v);
	if (store_exec_stmt(st) < 0)
		return -1;
	return sqldb_changes(s->db);
}

int store_notify_channel_delete(struct store *s, int64_t id)
{
	int n = changed_by(s, SQL_CHANNEL_DELETE, id);
	return n < 0 ? -1 : n ? 0 : 1;
}

/* Steps st to its end, growing *out by one element of `size` a row, which read fills. 0 or -1. */
static int read_rows(struct sqldb_stmt *st, void **out, size_t *n, size_t size,
                     void (*read)(struct sqldb_stmt *st, void *row))
{
	*out = NULL;
	*n = 0;
	size_t cap = 0;
	int rc;
	while ((rc = sqldb_step(st)) == SQLDB_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 8;
			*out = xrealloc(*out, cap * size);
		}
		read(st, (char *)*out + *n * size);
		(*n)++;
	}
	sqldb_reset(st);
	return rc == SQLDB_DONE ? 0 : -1;
}

static void read_channel_row(struct sqldb_stmt *st, void *row)
{
	read_channel(st, row);
}

static void read_message_row(struct sqldb_stmt *st, void *row)
{
	read_message(st, row);
}

static void read_id_row(struct sqldb_stmt *st, void *row)
{
	*(int64_t *)row = sqldb_column_int64(st, 0);
}

static void read_run_row_any(struct sqldb_stmt *st, void *row)
{
	read_run_row(st, row);
}

int store_notify_channels(struct store *s, int64_t enabled_for, struct notify_channel **out, size_t *n)
{
	struct sqldb_stmt *st = store_stmt(s, enabled_for < 0 ? SQL_CHANNELS_ALL : SQL_CHANNELS_FOR);
	if (!st)
		return -1;
	bind_int(st, 1, enabled_for);
	if (read_rows(st, (void **)out, n, sizeof(**out), read_channel_row) < 0) {
		notify_channels_free(*out, *n);
		*out = NULL;
		*n = 0;
		return -1;
	}
	return 0;
}

int store_notify_enqueue(struct store *s, int64_t channel_id, const char *event_key, const char *event,
                         int64_t run_id, int64_t conn_id, const char *payload, int64_t now, int64_t due_at)
{
	struct sqldb_stmt *st = store_stmt(s, SQL_ENQUEUE);
	if (!st)
		return -1;
	bind_int(st, 1, channel_id);
	bind_text(st, 2, event_key);
	bind_text(st, 3, event);
	bind_int_or_null(st, 4, run_id);
	bind_int_or_null(st, 5, conn_id);
	bind_text(st, 6, payload);
	bind_int(st, 7, now);
	bind_int(st, 8, due_at);
	if (store_exec_stmt(st) < 0)
		return -1;
	return sqldb_changes(s->db) ? 1 : 0;
}

int store_notify_get(struct store *s, int64_t id, struct notify_message *out)
{
	struct sqldb_stmt *st = store_stmt(s, SQL_MESSAGE_GET);
	if (!st)
		return -1;
	bind_int(st, 1, id);
	int rc = sqldb_step(st);
	if (rc == SQLDB_ROW)
		read_message(st, out);
	sqldb_reset(st);
	return rc == SQLDB_ROW ? 1 : rc == SQLDB_DONE ? 0 : -1;
}

int store_notify_claim(struct store *s, int64_t now, int64_t lease_ms, struct notify_message *out)
{
	if (store_begin(s) < 0)
		return -1;
	struct sqldb_stmt *st = store_stmt(s, SQL_CLAIM);
	if (!st) {
		store_rollback(s);
		return -1;
	}
	bind_int(st, 1, now);
	bind_int(st, 2, now + lease_ms);
	int rc = sqldb_step(st);
	int64_t claimed = rc == SQLDB_ROW ? sqldb_column_int64(st, 0) : 0;
	if (rc == SQLDB_ROW)
		rc = sqldb_step(st);
	sqldb_reset(st);
	if (rc != SQLDB_DONE || store_commit(s) < 0) {
		store_rollback(s);
		return -1;
	}
	return claimed ? store_notify_get(s, claimed, out) : 0;
}

int store_notify_mark(struct store *s, int64_t id, const char *status, int attempts, int64_t next_attempt_at,
                      const char *last_error, int64_t now)
{
	struct sqldb_stmt *st = store_stmt(s, SQL_MARK);
	if (!st)
		return -1;
	bind_int(st, 1, id);
	bind_text(st, 2, status);
	bind_int(st, 3, attempts);
	bind_int(st, 4, next_attempt_at);
	bind_text(st, 5, last_error && *last_error ? last_error : NULL);
	bind_int(st, 6, now);
	return store_exec_stmt(st);
}

int64_t store_notify_sent_since(struct store *s, int64_t channel_id, int64_t since)
{
	return store_count(s, SQL_SENT_SINCE, channel_id, since);
}

/* Messages by `sql`: ?1 = a (a channel), ?2 the limit, ?3 = b (a run, 0 = any). */
static int message_list(struct store *s, const char *sql, int64_t a, int64_t b, int limit,
                        struct notify_message **out, size_t *n)
{
	struct sqldb_stmt *st = store_stmt(s, sql);
	if (!st)
		return -1;
	bind_int(st, 1, a);
	bind_int(st, 2, limit > 0 ? limit : INT32_MAX);   /* a count, not SQLite's -1: PostgreSQL wants one */
	bind_int(st, 3, b);
	if (read_rows(st, (void **)out, n, sizeof(**out), read_message_row) < 0) {
		notify_messages_free(*out, *n);
		*out = NULL;
		*n = 0;
		return -1;
	}
	return 0;
}

int store_notify_held(struct store *s, int64_t channel_id, int limit, struct notify_message **out, size_t *n)
{
	return message_list(s, SQL_HELD, channel_id, 0, limit, out, n);
}

int store_notify_summarise(struct store *s, int64_t channel_id, int64_t max_id, int64_t now)
{
	struct sqldb_stmt *st = store_stmt(s, SQL_SUMMARISE);
	if (!st)
		return -1;
	bind_int(st, 1, channel_id);
	bind_int(st, 2, max_id);
	bind_int(st, 3, now);
	return store_exec_stmt(st);
}

int store_notify_log(struct store *s, int64_t channel_id, int64_t run_id, int limit, struct notify_message **out,
                     size_t *n)
{
	return message_list(s, SQL_LOG, channel_id, run_id, limit, out, n);
}

int store_notify_last_event(struct store *s, int64_t channel_id, int64_t conn_id, char *event, size_t size)
{
	struct sqldb_stmt *st = store_stmt(s, SQL_LAST_EVENT);
	if (!st)
		return -1;
	bind_int(st, 1, channel_id);
	bind_int(st, 2, conn_id);
	int rc = sqldb_step(st);
	if (rc == SQLDB_ROW)
		column_copy(st, 0, event, size);
	sqldb_reset(st);
	return rc == SQLDB_ROW ? 1 : rc == SQLDB_DONE ? 0 : -1;
}

int64_t store_notify_failed_streak(struct store *s, int64_t conn_id, int64_t run_id)
{
	return store_count(s, SQL_FAILED_STREAK, conn_id, run_id);
}

int store_notify_first_error(struct store *s, int64_t run_id, char *buf, size_t size)
{
	buf[0] = '\0';
	struct sqldb_stmt *st = store_stmt(s, SQL_FIRST_ERROR);
	if (!st)
		return -1;
	bind_int(st, 1, run_id);
	int rc = sqldb_step(st);
	if (rc == SQLDB_ROW)
		column_copy(st, 0, buf, size);
	sqldb_reset(st);
	return rc == SQLDB_ROW ? 1 : rc == SQLDB_DONE ? 0 : -1;
}

int store_notify_stuck_runs(struct store *s, int64_t before, struct run_row **out, size_t *n)
{
	struct sqldb_stmt *st = store_stmt(s, SQL_STUCK);
	if (!st)
		return -1;
	bind_int(st, 1, before);
	if (read_rows(st, (void **)out, n, sizeof(**out), read_run_row_any) < 0) {
		free(*out);
		*out = NULL;
		*n = 0;
		return -1;
	}
	return 0;
}

int store_notify_lost_runs(struct store *s, int64_t finished_at, int64_t **ids, size_t *n)
{
	struct sqldb_stmt *st = store_stmt(s, SQL_LOST);
	if (!st)
		return -1;
	bind_int(st, 1, finished_at);
	if (read_rows(st, (void **)ids, n, sizeof(**ids), read_id_row) < 0) {
		free(*ids);
		*ids = NULL;
		*n = 0;
		return -1;
	}
	return 0;
}

int store_notify_prune(struct store *s, int64_t before)
{
	return changed_by(s, SQL_PRUNE, before);
}
