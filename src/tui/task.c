/* Background threads for screens (see task.h). */
#include "tui/task.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "core/util.h"

enum { TASK_RUNNING, TASK_DONE, TASK_ABANDONED };

struct task {
	pthread_t tid;
	void (*work)(void *ud);
	void (*free_ud)(void *ud);
	void *ud;
	atomic_int state;
};

static void *task_main(void *arg)
{
	struct task *t = arg;
	t->work(t->ud);
	int running = TASK_RUNNING;
	if (!atomic_compare_exchange_strong(&t->state, &running, TASK_DONE)) {
		/* Let go of while working: nobody else will free it. */
		t->free_ud(t->ud);
		free(t);
	}
	return NULL;
}

int thread_start_quiet(pthread_t *tid, void *(*fn)(void *), void *arg)
{
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	int rc = pthread_create(tid, NULL, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}

struct task *task_start(void (*work)(void *ud), void *ud, void (*free_ud)(void *ud))
{
	struct task *t = xcalloc(1, sizeof(*t));
	t->work = work;
	t->free_ud = free_ud;
	t->ud = ud;
	atomic_init(&t->state, TASK_RUNNING);
	if (thread_start_quiet(&t->tid, task_main, t) != 0) {
		free(t);
		return NULL;
	}
	return t;
}

bool task_done(const struct task *t)
{
	return atomic_load(&((struct task *)t)->state) == TASK_DONE;
}

void task_finish(struct task *t)
{
	pthread_join(t->tid, NULL);
	free(t);
}

void task_abandon(struct task *t)
{
	if (!t)
		return;
	pthread_t tid = t->tid;   /* t may be freed by the thread as soon as the exchange succeeds */
	int running = TASK_RUNNING;
	if (atomic_compare_exchange_strong(&t->state, &running, TASK_ABANDONED)) {
		pthread_detach(tid);
		return;
	}
	pthread_join(tid, NULL);
	t->free_ud(t->ud);
	free(t);
}
