#include "engine/worker.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "core/util.h"
#include "engine/pipeline.h"
#include "engine/scheduler.h"
#include "engine/sd_notify.h"

void worker_identity(char *buf, size_t size, int thread)
{
	char host[128] = "localhost";
	gethostname(host, sizeof(host) - 1);
	if (thread > 0)
		snprintf(buf, size, "%s:%d:t%d", host, (int)getpid(), thread);
	else
		snprintf(buf, size, "%s:%d", host, (int)getpid());
}

int worker_execute_next(struct store *s, const struct config *cfg, int64_t run_id, const char *worker_id,
                        void (*observe)(struct run_ctx *ctx, void *ud), void *ud, const char **status)
{
	struct run_row run;
	int claimed = store_run_claim(s, worker_id, run_id, &run);
	if (claimed <= 0)
		return claimed;
	struct run_ctx ctx;
	run_ctx_init(&ctx, s, cfg, run.id, run.connection_id);
	if (observe)
		observe(&ctx, ud);
	run_log(&ctx, LOG_INFO, "claimed by %s (attempt %d, trigger %s)", worker_id, run.attempt, run.trigger);
	*status = pipeline_execute_run(&ctx, &run);
	return 1;
}

int worker_recover_stale(struct store *s, const struct config *cfg)
{
	int64_t now = now_ms();
	int n = store_run_recover_stale(s, now - (int64_t)cfg->stale_after_s * 1000, now);
	if (n > 0)
		log_msg(LOG_WARN, "recovered %d run%s whose worker stopped beating (worker lost)", n, n > 1 ? "s" : "");
	return n;
}

bool worker_daemon_alive(struct store *s, const struct config *cfg)
{
	int64_t fresh = now_ms() - (int64_t)cfg->heartbeat_interval_s * 3000;
	return store_worker_count_live(s, fresh) > 0;
}

/* ---- the daemon ---- */

static volatile sig_atomic_t signal_received;
static volatile sig_atomic_t hangup_received;

static void on_signal(int sig)
{
	signal_received = sig;
}

/* logrotate's postrotate sends SIGHUP: the log file is opened again by its name. */
static void on_hangup(int sig)
{
	(void)sig;
	hangup_received = 1;
}

struct pool {
	const struct config *cfg;
	bool once;
	atomic_bool stop_claiming;
	_Atomic int64_t stop_deadline;   /* monotonic ms; runs stop at their next safe point after it */
	atomic_int running;          /* threads still looping */
};

struct thread_arg {
	struct pool *pool;
	int index;
	pthread_t tid;
};

static void set_deadline(struct run_ctx *ctx, void *ud)
{
	struct pool *pool = ud;
	ctx->stop_deadline = &pool->stop_deadline;
}

static void idle_wait(struct pool *pool)
{
	for (int waited = 0; waited < pool->cfg->poll_interval_ms && !atomic_load(&pool->stop_claiming); waited += 50)
		sleep_ms(50);
}

static void *worker_thread(void *p)
{
	struct thread_arg *arg = p;
	struct pool *pool = arg->pool;
	char err[512], id[192];
	worker_identity(id, sizeof(id), arg->index);
	struct store *s = store_open(pool->cfg, err, sizeof(err));
	if (!s) {
		log_msg(LOG_ERROR, "worker thread %d: %s", arg->index, err);
		atomic_fetch_sub(&pool->running, 1);
		return NULL;
	}
	while (!atomic_load(&pool->stop_claiming)) {
		const char *status = NULL;
		int rc = worker_execute_next(s, pool->cfg, 0, id, set_deadline, pool, &status);
		if (rc < 0)
			log_msg(LOG_WARN, "worker thread %d: cannot claim a run: %s", arg->index, store_errmsg(s));
		if (rc == 0 && pool->once)
			break;
		if (rc <= 0)
			idle_wait(pool);
	}
	store_close(s);
	atomic_fetch_sub(&pool->running, 1);
	return NULL;
}

static void housekeeping(struct store *s, const struct config *cfg, const char *id)
{
	int64_t now = now_ms();
	store_worker_beat(s, id, now);
	worker_recover_stale(s, cfg);
	if (scheduler_enqueue_due(s, now) < 0)
		log_msg(LOG_WARN, "scheduler: %s", store_errmsg(s));
}

static void install_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = on_hangup;
	sigaction(SIGHUP, &sa, NULL);
}

static void reopen_log(void)
{
	hangup_received = 0;
	if (log_reopen() < 0)
		log_msg(LOG_ERROR, "SIGHUP: cannot reopen the log file; still writing to the old one");
	else
		log_msg(LOG_INFO, "SIGHUP: log file reopened");
}

/* Threads start with signals blocked so that only the main thread sees SIGINT/SIGTERM. */
static void start_threads(struct thread_arg *args, int threads, struct pool *pool)
{
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	for (int i = 0; i < threads; i++) {
		args[i].pool = pool;
		args[i].index = i + 1;
		pthread_create(&args[i].tid, NULL, worker_thread, &args[i]);
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

int worker_main(const struct config *cfg, int threads, bool once)
{
	char err[512], id[192];
	struct store *s = store_open(cfg, err, sizeof(err));
	if (!s) {
		fprintf(stderr, "feedsync: %s\n", err);
		return 1;
	}
	worker_identity(id, sizeof(id), 0);
	store_worker_register(s, id, (int)getpid(), id, threads, now_ms());
	log_msg(LOG_INFO, "worker %s started with %d thread%s%s", id, threads, threads > 1 ? "s" : "",
	        once ? " (until the queue is empty)" : "");
	housekeeping(s, cfg, id);

	struct pool pool = {.cfg = cfg, .once = once, .running = threads};
	struct thread_arg *args = xcalloc((size_t)threads, sizeof(*args));
	signal_received = 0;
	install_signals();
	start_threads(args, threads, &pool);
	sd_notify_send("READY=1\nSTATUS=executing queued and scheduled runs");
	int64_t watchdog_ms = sd_watchdog_interval_ms();

	int64_t last_housekeeping = monotonic_ms(), last_watchdog = 0;
	while (atomic_load(&pool.running) > 0) {
		sleep_ms(100);
		if (watchdog_ms > 0 && monotonic_ms() - last_watchdog >= watchdog_ms) {
			sd_notify_send("WATCHDOG=1");
			last_watchdog = monotonic_ms();
		}
		if (hangup_received)
			reopen_log();
		if (signal_received && !atomic_load(&pool.stop_claiming)) {
			sd_notify_send("STOPPING=1");
			log_msg(LOG_INFO, "signal %d: no new runs; in-flight runs get %d s to finish", (int)signal_received,
			        cfg->shutdown_grace_s);
			atomic_store(&pool.stop_claiming, true);
			atomic_store(&pool.stop_deadline, monotonic_ms() + (int64_t)cfg->shutdown_grace_s * 1000);
		}
		if (monotonic_ms() - last_housekeeping >= (int64_t)cfg->heartbeat_interval_s * 1000) {
			housekeeping(s, cfg, id);
			last_housekeeping = monotonic_ms();
		}
	}
	for (int i = 0; i < threads; i++)
		pthread_join(args[i].tid, NULL);
	free(args);
	store_worker_remove(s, id);
	store_close(s);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	log_msg(LOG_INFO, "worker %s stopped", id);
	return 0;
}
