#include "engine/scheduler.h"

#include <stdlib.h>

#include "core/log.h"
#include "engine/schedule.h"

int64_t scheduler_next_due(const char *schedule_text, int64_t now, int64_t last_run_ms)
{
	struct schedule sched;
	char err[256];
	if (!schedule_text || schedule_parse(schedule_text, &sched, err, sizeof(err)) < 0)
		return 0;
	int64_t next = schedule_next(&sched, now, last_run_ms);
	return next > 0 ? next : 0;
}

int scheduler_enqueue_due(struct store *s, int64_t now)
{
	int64_t *ids;
	size_t n;
	if (store_conn_due(s, now, &ids, &n) < 0)
		return -1;
	int queued = 0;
	for (size_t i = 0; i < n; i++) {
		struct conn_row conn;
		if (store_conn_get(s, ids[i], &conn) != 1)
			continue;
		int64_t run_id;
		struct run_row active;
		int rc = store_run_enqueue(s, conn.id, "schedule", 0, 1, false, &run_id, &active);
		if (rc == 0) {
			queued++;
			log_msg(LOG_INFO, "connection %lld (%s) is due: queued run %lld", (long long)conn.id, conn.name,
			        (long long)run_id);
		} else if (rc == 1) {
			log_msg(LOG_INFO, "connection %lld (%s) is due but run %lld is still %s: skipped",
			        (long long)conn.id, conn.name, (long long)active.id, active.status);
		}
		/* A failed enqueue keeps the slot due, so the next beat tries again instead of skipping it. */
		if (rc >= 0)
			store_conn_set_next_due(s, conn.id, scheduler_next_due(conn.schedule, now, now));
		conn_row_free(&conn);
	}
	free(ids);
	return queued;
}
