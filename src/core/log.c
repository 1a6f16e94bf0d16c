#include "core/log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>

#include "core/util.h"

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static FILE *log_file; /* NULL: stderr */
static enum log_level log_threshold = LOG_INFO;

static const char *const level_labels[] = {
	[LOG_DEBUG] = "DEBUG", [LOG_INFO] = "INFO", [LOG_WARN] = "WARN", [LOG_ERROR] = "ERROR",
};

static void close_file_locked(void)
{
	if (log_file)
		fclose(log_file);
	log_file = NULL;
}

int log_init(enum log_level level, const char *path)
{
	FILE *f = NULL;
	if (path && *path) {
		f = fopen(path, "ae"); /* close-on-exec: children must not inherit the log */
		if (!f)
			return -1;
	}
	pthread_mutex_lock(&log_lock);
	close_file_locked();
	log_file = f;
	log_threshold = level;
	pthread_mutex_unlock(&log_lock);
	return 0;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	struct strbuf msg = {0};
	va_list ap;
	va_start(ap, fmt);
	sb_vaddf(&msg, fmt, ap);
	va_end(ap);
	if (msg.len > 0 && msg.buf[msg.len - 1] == '\n')
		msg.buf[--msg.len] = '\0';
	char when[32];
	format_time(now_ms(), when, sizeof(when));

	pthread_mutex_lock(&log_lock);
	if (level >= log_threshold) {
		FILE *out = log_file ? log_file : stderr;
		fprintf(out, "%s %s %s\n", when, level_labels[level], sb_str(&msg));
		fflush(out); /* a crash must not lose the lines that explain it */
	}
	pthread_mutex_unlock(&log_lock);
	sb_free(&msg);
}

void log_close(void)
{
	pthread_mutex_lock(&log_lock);
	close_file_locked();
	pthread_mutex_unlock(&log_lock);
}
