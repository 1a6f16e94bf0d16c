/* The rules and the outbox's delivery (see notify/notify.h). */
#include "notify/notify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "core/store_dest.h"
#include "core/util.h"
#include "notify/channel.h"
#include "notify/message.h"

/* How long past its attempt's own bound a claimed message stays away from other deliverers. */
#define LEASE_MARGIN_MS 5000
/* How long a message done with stays in the outbox (notify log, recovery after a failure told earlier). */
#define NOTIFY_KEEP_MS (90LL * 24 * 3600 * 1000)
/* The longest wait between two attempts, however many failed. */
#define MAX_BACKOFF_MS (3600LL * 1000)

/* A channel's settings, or false after logging why they cannot be read (the channel is then left out). */
static bool channel_settings(const struct notify_channel *ch, struct notify_settings *set)
{
	char err[256];
	if (notify_settings_parse(ch->options, set, err, sizeof(err)) == 0)
		return true;
	log_msg(LOG_WARN, "notification channel %s: %s", ch->name, err);
	return false;
}

static void record(struct store *s, const struct notify_channel *ch, const char *event, const char *key,
                   int64_t run_id, int64_t conn_id, const char *payload)
{
	int64_t now = now_ms();
	int rc = store_notify_enqueue(s, ch->id, key, event, run_id, conn_id, payload, now, now);
	if (rc < 0)
		log_msg(LOG_WARN, "notification channel %s: cannot record %s: %s", ch->name, key, store_errmsg(s));
}

/* The share of rows (or, for a run that read none, of items pushed) that failed, in percent. */
static double error_share(const struct run_row *r)
{
	int64_t failed = r->counters[RC_FAILED] + r->counters[RC_PUSH_FAILED] + r->counters[RC_RETIRE_FAILED];
	int64_t base = r->counters[RC_ROWS_READ] ? r->counters[RC_ROWS_READ] : r->counters[RC_PUSH_QUEUED];
	if (!base)
		return failed ? 100.0 : 0.0;
	double share = 100.0 * (double)failed / (double)base;
	return share > 100.0 ? 100.0 : share;
}

static bool is_problem(const char *event)
{
	return str_eq(event, "failed") || str_eq(event, "errors") || str_eq(event, "streak") || str_eq(event, "stuck");
}

static void record_run_event(struct store *s, const struct notify_channel *ch, const struct run_row *r,
                             struct notify_run_facts *f, const char *event)
{
	char key[96];
	snprintf(key, sizeof(key), "%s:%lld", event, (long long)r->id);
	f->event = event;
	char *payload = notify_payload_run(r, f, now_ms());
	record(s, ch, event, key, r->id, r->connection_id, payload);
	free(payload);
}

/* The problem events of one channel for the run; recovery when there is none and the channel had told one. */
static void evaluate_channel(struct store *s, const struct notify_channel *ch, const struct notify_settings *set,
                             const struct run_row *r, struct notify_run_facts *f)
{
	bool failed = str_eq(r->status, RUN_FAILED), partial = str_eq(r->status, RUN_COMPLETED_WITH_ERRORS);
	bool told = false;
	if (failed && (set->events & NE_BIT(NE_FAILED))) {
		record_run_event(s, ch, r, f, "failed");
		told = true;
	}
	if (failed && (set->events & NE_BIT(NE_STREAK)) && f->failures_in_a_row == set->streak) {
		record_run_event(s, ch, r, f, "streak");
		told = true;
	}
	if (partial && (set->events & NE_BIT(NE_ERRORS)) && f->error_share >= set->error_share) {
		record_run_event(s, ch, r, f, "errors");
		told = true;
	}
	if (told || failed || !(set->events & NE_BIT(NE_RECOVERY)))
		return;
	char last[16];
	if (store_notify_last_event(s, ch->id, r->connection_id, last, sizeof(last)) == 1 && is_problem(last))
		record_run_event(s, ch, r, f, "recovery");
}

void notify_run_ended(struct store *s, int64_t run_id)
{
	struct run_row r;
	if (store_run_get(s, run_id, &r) != 1 || run_status_active(r.status) || str_eq(r.status, RUN_CANCELLED))
		return;
	struct notify_channel *chs;
	size_t n;
	if (store_notify_channels(s, r.connection_id, &chs, &n) < 0) {
		log_msg(LOG_WARN, "run %lld: cannot read the notification channels: %s", (long long)run_id, store_errmsg(s));
		return;
	}
	if (!n)
		return;
	char first_error[1024];
	store_notify_first_error(s, run_id, first_error, sizeof(first_error));
	struct notify_run_facts f = {.first_error = first_error, .error_share = error_share(&r),
	                             .failures_in_a_row = store_notify_failed_streak(s, r.connection_id, r.id)};
	if (!first_error[0] && str_eq(r.status, RUN_FAILED))
		f.first_error = r.summary;
	for (size_t i = 0; i < n; i++) {
		struct notify_settings set;
		if (channel_settings(&chs[i], &set))
			evaluate_channel(s, &chs[i], &set, &r, &f);
	}
	notify_channels_free(chs, n);
}

/* ---- watching: stuck runs, open circuits ---- */

static void watch_stuck(struct store *s, const struct notify_channel *ch, const struct notify_settings *set,
                        const struct run_row *runs, size_t n, int64_t now)
{
	for (size_t i = 0; i < n; i++) {
		const struct run_row *r = &runs[i];
		if ((ch->connection_id && ch->connection_id != r->connection_id) ||
		    r->heartbeat_at >= now - (int64_t)set->stuck_after_s * 1000)
			continue;
		struct notify_run_facts f = {.event = "stuck", .first_error = ""};
		char key[96];
		snprintf(key, sizeof(key), "stuck:%lld", (long long)r->id);
		char *payload = notify_payload_run(r, &f, now);
		record(s, ch, "stuck", key, r->id, r->connection_id, payload);
		free(payload);
	}
}

/* Whether the channel watches shop d: a global channel, or one whose connection pushes to it. */
static bool watches_dest(struct store *s, const struct notify_channel *ch, const struct dest_row *d)
{
	if (!ch->connection_id)
		return true;
	struct conn_row c;
	if (store_conn_get(s, ch->connection_id, &c) != 1)
		return false;
	bool yes = str_eq(c.dest_name, d->name);
	conn_row_free(&c);
	return yes;
}

static void watch_circuits(struct store *s, const struct notify_channel *ch, const struct dest_row *dests,
                           size_t n, int64_t now)
{
	for (size_t i = 0; i < n; i++) {
		const struct dest_row *d = &dests[i];
		if (!str_eq(d->circuit_state, "open") || !watches_dest(s, ch, d))
			continue;
		char key[96];
		snprintf(key, sizeof(key), "circuit:%lld:%lld", (long long)d->id, (long long)d->circuit_since);
		char *payload = notify_payload_circuit(d->id, d->name, d->circuit_since, d->circuit_last, now);
		record(s, ch, "circuit", key, 0, ch->connection_id, payload);
		free(payload);
	}
}

void notify_watch(struct store *s)
{
	struct notify_channel *chs;
	size_t n;
	if (store_notify_channels(s, -1, &chs, &n) < 0 || !n)
		return;
	int64_t now = now_ms();
	struct run_row *runs = NULL;
	size_t nruns = 0;
	struct dest_row *dests = NULL;
	size_t ndests = 0;
	bool runs_read = false, dests_read = false;
	for (size_t i = 0; i < n; i++) {
		struct notify_settings set;
		if (!chs[i].enabled || !channel_settings(&chs[i], &set))
			continue;
		/* Read once, and only when a channel asks: most databases have no stuck run and no open circuit. */
		if ((set.events & NE_BIT(NE_STUCK)) && !runs_read)
			runs_read = store_notify_stuck_runs(s, now, &runs, &nruns) == 0;   /* each channel its own age */
		if ((set.events & NE_BIT(NE_CIRCUIT)) && !dests_read)
			dests_read = store_dest_list(s, &dests, &ndests) == 0;
		if (set.events & NE_BIT(NE_STUCK))
			watch_stuck(s, &chs[i], &set, runs, nruns, now);
		if (set.events & NE_BIT(NE_CIRCUIT))
			watch_circuits(s, &chs[i], dests, ndests, now);
	}
	free(runs);
	dest_rows_free(dests, ndests);
	notify_channels_free(chs, n);
}

/* ---- delivery ---- */

static int64_t backoff_ms(const struct notify_settings *set, int attempts)
{
	int64_t ms = (int64_t)set->backoff_s * 1000;
	for (int i = 1; i < attempts && ms < MAX_BACKOFF_MS; i++)
		ms *= 2;
	return ms < MAX_BACKOFF_MS ? ms : MAX_BACKOFF_MS;
}

/* One attempt at message m and its outcome recorded: sent, due again later, or given up. */
static void attempt(struct store *s, const struct config *cfg, const struct notify_channel *ch,
                    const struct notify_settings *set, const struct notify_message *m, struct notify_attempt *res)
{
	notify_send(cfg, ch, set, m, res);
	int64_t now = now_ms();
	int attempts = m->attempts + 1;
	const char *status = NOTIFY_SENT;
	int64_t next = now;
	if (!res->ok && res->retry && attempts < set->attempts) {
		status = NOTIFY_PENDING;
		next = now + backoff_ms(set, attempts);
		log_msg(LOG_WARN, "notification %lld (%s) over %s: attempt %d failed, again in %lld s: %s",
		        (long long)m->id, m->event, ch->name, attempts, (long long)((next - now) / 1000), res->error);
	} else if (!res->ok) {
		status = NOTIFY_FAILED;
		log_msg(LOG_ERROR, "notification %lld (%s) over %s: giving up after %d attempt%s: %s", (long long)m->id,
		        m->event, ch->name, attempts, attempts == 1 ? "" : "s", res->error);
	}
	if (store_notify_mark(s, m->id, status, attempts, next, res->error, now) < 0)
		log_msg(LOG_WARN, "notification %lld: cannot record its delivery: %s", (long long)m->id, store_errmsg(s));
}

static bool over_limit(struct store *s, const struct notify_channel *ch, const struct notify_settings *set,
                       int64_t now)
{
	return set->limit > 0 && store_notify_sent_since(s, ch->id, now - (int64_t)set->per_s * 1000) >= set->limit;
}

/* Once a channel's rate limit allows again, its held messages become one summary ("and K more"). */
static void summarise_held(struct store *s, const struct notify_channel *ch, const struct notify_settings *set,
                           int64_t now)
{
	if (set->limit <= 0 || over_limit(s, ch, set, now))
		return;
	struct notify_message *held;
	size_t n;
	if (store_notify_held(s, ch->id, 0, &held, &n) < 0 || !n)
		return;
	int64_t max_id = held[n - 1].id;
	char key[64];
	snprintf(key, sizeof(key), "summary:%lld", (long long)max_id);
	char *payload = notify_payload_summary(held, n, (int64_t)n, now);
	if (store_begin(s) == 0) {
		bool ok = store_notify_enqueue(s, ch->id, key, "summary", 0, 0, payload, now, now) >= 0 &&
		          store_notify_summarise(s, ch->id, max_id, now) == 0;
		if (!ok || store_commit(s) < 0)
			store_rollback(s);
	}
	free(payload);
	notify_messages_free(held, n);
}

static void summarise_channels(struct store *s)
{
	struct notify_channel *chs;
	size_t n;
	if (store_notify_channels(s, -1, &chs, &n) < 0)
		return;
	int64_t now = now_ms();
	for (size_t i = 0; i < n; i++) {
		struct notify_settings set;
		if (channel_settings(&chs[i], &set))
			summarise_held(s, &chs[i], &set, now);
	}
	notify_channels_free(chs, n);
}

/* Delivers one claimed message: held when its channel is over its rate limit (summaries are never held). */
static void deliver_one(struct store *s, const struct config *cfg, const struct notify_message *m)
{
	char ref[32];
	snprintf(ref, sizeof(ref), "%lld", (long long)m->channel_id);
	struct notify_channel ch;
	if (store_notify_channel_get(s, ref, &ch) != 1)
		return;
	struct notify_settings set;
	int64_t now = now_ms();
	struct notify_attempt res;
	if (!ch.enabled || !channel_settings(&ch, &set))
		store_notify_mark(s, m->id, NOTIFY_FAILED, m->attempts, now,
		                  ch.enabled ? "the channel's options cannot be read" : "the channel is disabled", now);
	else if (!str_eq(m->event, "summary") && over_limit(s, &ch, &set, now))
		store_notify_mark(s, m->id, NOTIFY_HELD, m->attempts, now, "", now);
	else {
		/* The claim's lease fits the longest channel; this one's is shorter, should this process die. */
		store_notify_mark(s, m->id, NOTIFY_PENDING, m->attempts, now + (int64_t)set.timeout_s * 1000 +
		                  LEASE_MARGIN_MS, m->last_error, now);
		attempt(s, cfg, &ch, &set, m, &res);
	}
	notify_channel_free(&ch);
}

int notify_deliver(struct store *s, const struct config *cfg, int64_t budget_ms)
{
	int64_t until = monotonic_ms() + budget_ms;
	if (store_notify_prune(s, now_ms() - NOTIFY_KEEP_MS) < 0)
		log_msg(LOG_WARN, "notifications: cannot delete the old messages: %s", store_errmsg(s));
	summarise_channels(s);
	int attempts = 0;
	while (monotonic_ms() < until) {
		struct notify_message m;
		/* The longest attempt a channel allows is 600 s (notify/channel.c). */
		int rc = store_notify_claim(s, now_ms(), 600 * 1000 + LEASE_MARGIN_MS, &m);
		if (rc <= 0)
			break;
		deliver_one(s, cfg, &m);
		notify_message_clear(&m);
		attempts++;
	}
	return attempts;
}

void notify_test(struct store *s, const struct config *cfg, const struct notify_channel *ch,
                 struct notify_attempt *out)
{
	*out = (struct notify_attempt){0};
	struct notify_settings set;
	if (notify_settings_parse(ch->options, &set, out->error, sizeof(out->error)) < 0)
		return;
	int64_t now = now_ms();
	char key[64];
	snprintf(key, sizeof(key), "test:%lld", (long long)now);
	char *payload = notify_payload_test(ch->name, now);
	/* Due only after this attempt could have ended, so that no worker takes it meanwhile. */
	int64_t due = now + (int64_t)set.timeout_s * 1000 + LEASE_MARGIN_MS;
	/* About no connection: a test must not stand between a failure and its recovery message. */
	int rc = store_notify_enqueue(s, ch->id, key, "test", 0, 0, payload, now, due);
	free(payload);
	struct notify_message m;
	if (rc != 1 || store_notify_get(s, sqldb_last_insert_id(store_db(s)), &m) != 1) {
		snprintf(out->error, sizeof(out->error), "cannot record the test message: %s", store_errmsg(s));
		return;
	}
	/* A test is one attempt: its answer is what the operator came for. */
	set.attempts = 1;
	attempt(s, cfg, ch, &set, &m, out);
	notify_message_clear(&m);
}
