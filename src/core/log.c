/* The process log (see log.h): to a file, to stderr, or to stderr as the journal's stream. */
#include "core/log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/util.h"

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static FILE *log_file; /* NULL: stderr */
static char *log_path; /* of log_file, for log_reopen */
static enum log_level log_threshold = LOG_INFO;

static const char *const level_labels[] = {
	[LOG_DEBUG] = "DEBUG", [LOG_INFO] = "INFO", [LOG_WARN] = "WARN", [LOG_ERROR] = "ERROR",
};
/* syslog(3) priorities, which journald reads from a "<N>" line prefix (sd-daemon(3)). */
static const int level_priorities[] = {
	[LOG_DEBUG] = 7, [LOG_INFO] = 6, [LOG_WARN] = 4, [LOG_ERROR] = 3,
};

static void close_file_locked(void)
{
	if (log_file)
		fclose(log_file);
	log_file = NULL;
}

/* systemd sets $JOURNAL_STREAM to "DEVICE:INODE" of the stream it connected stderr to (systemd.exec(5)). */
static bool stderr_is_journal(void)
{
	const char *stream = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;
	if (!stream || sscanf(stream, "%llu:%llu", &dev, &ino) != 2 || fstat(fileno(stderr), &st) < 0)
		return false;
	return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

static FILE *open_log(const char *path)
{
	return fopen(path, "ae"); /* close-on-exec: children must not inherit the log */
}

int log_init(enum log_level level, const char *path)
{
	FILE *f = NULL;
	if (path && *path) {
		f = open_log(path);
		if (!f)
			return -1;
	}
	pthread_mutex_lock(&log_lock);
	close_file_locked();
	free(log_path);
	log_path = f ? xstrdup(path) : NULL;
	log_file = f;
	log_threshold = level;
	pthread_mutex_unlock(&log_lock);
	return 0;
}

int log_reopen(void)
{
	pthread_mutex_lock(&log_lock);
	int rc = 0;
	if (log_path) {
		FILE *f = open_log(log_path);
		if (f) {
			close_file_locked();
			log_file = f;
		} else {
			rc = -1;
		}
	}
	pthread_mutex_unlock(&log_lock);
	return rc;
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
		if (!log_file && stderr_is_journal()) /* the journal stamps the time itself */
			fprintf(out, "<%d>%s %s\n", level_priorities[level], level_labels[level], sb_str(&msg));
		else
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
	free(log_path);
	log_path = NULL;
	pthread_mutex_unlock(&log_lock);
}
