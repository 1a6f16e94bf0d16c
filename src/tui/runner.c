/* Background threads executing the runs started in the console. */
#include "tui/runner.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "core/log.h"
#include "core/util.h"
#include "engine/worker.h"
#include "tui/task.h"

struct job {
	struct runner *runner;
	int64_t run_id;
	int index;
	pthread_t tid;
	atomic_bool done;
	struct job *next;
};

struct runner {
	const struct config *cfg;
	_Atomic int64_t stop_deadline;   /* monotonic ms; 0 = none */
	int started;
	struct job *jobs;
};

struct runner *runner_new(const struct config *cfg)
{
	struct runner *r = xcalloc(1, sizeof(*r));
	r->cfg = cfg;
	return r;
}

/* The run context is set up quiet (its lines would land on the screen) and with the console's deadline. */
static void observe(struct run_ctx *ctx, void *ud)
{
	struct runner *r = ud;
	ctx->quiet = true;
	ctx->stop_deadline = &r->stop_deadline;
}

static void *job_main(void *arg)
{
	struct job *job = arg;
	char err[512], id[192];
	worker_identity(id, sizeof(id), job->index);
	struct store *s = store_open(job->runner->cfg, err, sizeof(err));
	if (!s) {
		log_msg(LOG_ERROR, "console run %lld: %s", (long long)job->run_id, err);
	} else {
		const char *status = NULL;
		if (worker_execute_next(s, job->runner->cfg, job->run_id, id, observe, job->runner, &status) < 0)
			log_msg(LOG_ERROR, "console run %lld: %s", (long long)job->run_id, store_errmsg(s));
		store_close(s);
	}
	atomic_store(&job->done, true);
	return NULL;
}

int runner_start(struct runner *r, int64_t run_id)
{
	struct job *job = xcalloc(1, sizeof(*job));
	job->runner = r;
	job->run_id = run_id;
	job->index = ++r->started;
	if (thread_start_quiet(&job->tid, job_main, job) != 0) {
		free(job);
		return -1;
	}
	job->next = r->jobs;
	r->jobs = job;
	return 0;
}

int runner_in_flight(struct runner *r)
{
	int n = 0;
	for (struct job **p = &r->jobs; *p;) {
		struct job *job = *p;
		if (atomic_load(&job->done)) {
			pthread_join(job->tid, NULL);
			*p = job->next;
			free(job);
		} else {
			n++;
			p = &job->next;
		}
	}
	return n;
}

void runner_stop(struct runner *r, struct store *s)
{
	char outcome[32];
	bool asked = s != NULL;
	for (struct job *job = r->jobs; job && asked; job = job->next)
		if (!atomic_load(&job->done) && store_run_request_cancel(s, job->run_id, outcome, sizeof(outcome)) < 0)
			asked = false;
	/* The request is what runs honour, recorded as a cancel; the deadline covers a request not written. */
	if (!asked)
		atomic_store(&r->stop_deadline, monotonic_ms());
	while (r->jobs) {
		struct job *job = r->jobs;
		pthread_join(job->tid, NULL);
		r->jobs = job->next;
		free(job);
	}
}

void runner_free(struct runner *r)
{
	if (!r)
		return;
	runner_stop(r, NULL);
	free(r);
}
