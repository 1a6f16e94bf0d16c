/*
 * Work a screen hands to a background thread (fetching a sample, testing a shop) so the loop never waits:
 * the screen polls task_done between keys and reads the results, or lets go of a task it no longer wants,
 * which then finishes and frees itself.
 */
#ifndef FEEDSYNC_TUI_TASK_H
#define FEEDSYNC_TUI_TASK_H

#include <stdbool.h>

#include <pthread.h>

struct task;

/* pthread_create with every signal blocked in the new thread: resizes and Ctrl-C stay with the console's
 * thread. 0, or pthread_create's error. */
int thread_start_quiet(pthread_t *tid, void *(*fn)(void *), void *arg);

/*
 * Runs work(ud) in a new thread (signals stay with the console's thread). free_ud frees ud for a task let
 * go of. NULL when no thread can start.
 */
struct task *task_start(void (*work)(void *ud), void *ud, void (*free_ud)(void *ud));
bool task_done(const struct task *t);
/* After task_done: joins the thread and frees the task; ud stays the caller's. */
void task_finish(struct task *t);
/* The caller no longer waits (ask the work to stop through ud first): ud and the task are freed once the
 * work is over, now or later. */
void task_abandon(struct task *t);

#endif
