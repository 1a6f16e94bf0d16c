#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <errno.h>
#include <pthread.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/log.h"
#include "core/util.h"

static char log_path[64];

static void make_log_file(void)
{
	str_copy(log_path, "/tmp/feedsync-log-XXXXXX", sizeof(log_path));
	int fd = mkstemp(log_path);
	cr_assert_geq(fd, 0, "mkstemp: %s", strerror(errno));
	close(fd);
}

static void remove_log_file(void)
{
	log_close();
	unlink(log_path);
}

TestSuite(log, .init = make_log_file, .fini = remove_log_file, .timeout = 10);

/* The file's lines, each checked against "YYYY-MM-DD HH:MM:SS LEVEL message". */
static size_t read_lines(char lines[][128], size_t max)
{
	regex_t re;
	cr_assert_eq(regcomp(&re, "^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} "
		"(DEBUG|INFO|WARN|ERROR) [^\n]+\n$", REG_EXTENDED | REG_NOSUB), 0);
	FILE *f = fopen(log_path, "r");
	cr_assert_not_null(f);
	char line[256];
	size_t n = 0;
	while (fgets(line, sizeof(line), f)) {
		cr_assert_eq(regexec(&re, line, 0, NULL, 0), 0, "malformed line: %s", line);
		if (n < max)
			str_copy(lines[n], line + 20, sizeof(lines[n])); /* without the time */
		n++;
	}
	fclose(f);
	regfree(&re);
	return n;
}

Test(log, writes_time_level_and_message)
{
	cr_assert_eq(log_init(LOG_DEBUG, log_path), 0);
	log_msg(LOG_DEBUG, "checking %d feeds", 3);
	log_msg(LOG_INFO, "started");
	log_msg(LOG_WARN, "trailing newline is dropped\n");
	log_msg(LOG_ERROR, "failed: %s", "disk full");
	log_close();
	char lines[8][128];
	cr_assert_eq(read_lines(lines, 8), 4);
	cr_assert_str_eq(lines[0], "DEBUG checking 3 feeds\n");
	cr_assert_str_eq(lines[1], "INFO started\n");
	cr_assert_str_eq(lines[2], "WARN trailing newline is dropped\n");
	cr_assert_str_eq(lines[3], "ERROR failed: disk full\n");
}

Test(log, drops_messages_below_the_level)
{
	cr_assert_eq(log_init(LOG_WARN, log_path), 0);
	log_msg(LOG_DEBUG, "no");
	log_msg(LOG_INFO, "no");
	log_msg(LOG_WARN, "yes");
	log_msg(LOG_ERROR, "yes");
	log_close();
	char lines[8][128];
	cr_assert_eq(read_lines(lines, 8), 2);
	cr_assert_str_eq(lines[0], "WARN yes\n");
}

Test(log, appends_to_an_existing_file)
{
	cr_assert_eq(log_init(LOG_INFO, log_path), 0);
	log_msg(LOG_INFO, "first");
	cr_assert_eq(log_init(LOG_INFO, log_path), 0);
	log_msg(LOG_INFO, "second");
	log_close();
	char lines[8][128];
	cr_assert_eq(read_lines(lines, 8), 2);
	cr_assert_str_eq(lines[1], "INFO second\n");
}

Test(log, unopenable_file_keeps_the_previous_destination)
{
	cr_assert_eq(log_init(LOG_INFO, log_path), 0);
	cr_assert_eq(log_init(LOG_DEBUG, "/nonexistent-dir/feedsync.log"), -1);
	cr_assert_eq(errno, ENOENT);
	log_msg(LOG_INFO, "still here");
	log_msg(LOG_DEBUG, "level unchanged too");
	log_close();
	char lines[8][128];
	cr_assert_eq(read_lines(lines, 8), 1);
	cr_assert_str_eq(lines[0], "INFO still here\n");
}

Test(log, stderr_without_a_file, .init = cr_redirect_stderr)
{
	cr_assert_eq(log_init(LOG_INFO, NULL), 0);
	log_msg(LOG_ERROR, "to stderr");
	log_msg(LOG_DEBUG, "hidden");
	fflush(stderr);
	char line[128] = "";
	cr_assert_not_null(fgets(line, sizeof(line), cr_get_redirected_stderr()));
	cr_assert_str_eq(line + 20, "ERROR to stderr\n");
}

enum { THREADS = 8, LINES_PER_THREAD = 500 };

static void *log_many(void *arg)
{
	int id = (int)(intptr_t)arg;
	for (int i = 0; i < LINES_PER_THREAD; i++)
		log_msg(LOG_INFO, "thread %d line %d %s", id, i, "padding to make interleaving visible");
	return NULL;
}

Test(log, lines_from_threads_never_interleave)
{
	cr_assert_eq(log_init(LOG_INFO, log_path), 0);
	pthread_t threads[THREADS];
	for (int i = 0; i < THREADS; i++)
		pthread_create(&threads[i], NULL, log_many, (void *)(intptr_t)i);
	for (int i = 0; i < THREADS; i++)
		pthread_join(threads[i], NULL);
	log_close();
	char lines[1][128];
	cr_assert_eq(read_lines(lines, 0), THREADS * LINES_PER_THREAD);
}
