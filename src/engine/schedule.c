#include "engine/schedule.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/util.h"

#define ACCEPTED                                                                                          \
	"accepted: manual, every <n><s|m|h|d> (every 15m), daily HH:MM (daily 02:00), or 5 cron fields "      \
	"\"minute hour day-of-month month day-of-week\" (0,30 6-22 * * mon-fri)"

#define MAX_EVERY_MS ((int64_t)366 * 86400 * 1000)
/* schedule_next gives up after this long: a cron that never fires is reported by schedule_parse. */
#define SEARCH_SECONDS ((time_t)5 * 366 * 86400)

struct cron_field {
	const char *what;
	int min, max;
	const char *const *names; /* names[0] stands for min */
};

static const char *const month_names[] = {"jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct",
                                          "nov", "dec", NULL};
static const char *const day_names[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat", NULL};

static const struct cron_field cron_fields[5] = {
	{"minute", 0, 59, NULL},
	{"hour", 0, 23, NULL},
	{"day-of-month", 1, 31, NULL},
	{"month", 1, 12, month_names},
	{"day-of-week", 0, 7, day_names}, /* 7 is Sunday too */
};

static int fail(char *err, size_t errsize, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errsize, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errsize, fmt, ap);
	va_end(ap);
	return -1;
}

/* ---- every, daily ----------------------------------------------------------------------------------- */

static int parse_every(const char *text, const char *arg, struct schedule *out, char *err, size_t errsize)
{
	char *end;
	if (!isdigit((unsigned char)*arg))
		return fail(err, errsize, "'%s' needs a number and a unit, like every 15m (units s, m, h, d)", text);
	long long n = strtoll(arg, &end, 10);
	while (*end == ' ')
		end++;
	static const struct {
		char unit;
		int64_t ms;
	} units[] = {{'s', 1000}, {'m', 60000}, {'h', 3600000}, {'d', 86400000}};
	int64_t unit_ms = 0;
	for (size_t i = 0; i < ARRAY_LEN(units) && end[0] && !end[1]; i++)
		if (units[i].unit == end[0])
			unit_ms = units[i].ms;
	if (!unit_ms)
		return fail(err, errsize, "'%s' has no unit or an unknown one; use s, m, h or d (every 90s, every 15m, "
		            "every 2h, every 1d)", text);
	if (n > MAX_EVERY_MS / unit_ms)
		return fail(err, errsize, "'%s' is too long; the longest interval is 366d", text);
	if (n * unit_ms < 60000)
		return fail(err, errsize, "'%s' is too short; the shortest interval is 1 minute (every 60s or every 1m)", text);
	out->kind = SCHEDULE_EVERY;
	out->every_ms = n * unit_ms;
	return 0;
}

static int parse_daily(const char *text, const char *arg, struct schedule *out, char *err, size_t errsize)
{
	const char *c = arg;
	int h = -1, m = -1;
	if (isdigit((unsigned char)c[0])) {
		h = *c++ - '0';
		if (isdigit((unsigned char)*c))
			h = h * 10 + *c++ - '0';
	}
	if (*c == ':' && isdigit((unsigned char)c[1]) && isdigit((unsigned char)c[2]) && !c[3])
		m = (c[1] - '0') * 10 + c[2] - '0';
	if (h < 0 || h > 23 || m < 0 || m > 59)
		return fail(err, errsize, "'%s' needs a time from 00:00 to 23:59, like daily 02:00", text);
	out->kind = SCHEDULE_DAILY;
	out->daily_minute = h * 60 + m;
	return 0;
}

/* ---- cron ------------------------------------------------------------------------------------------- */

/* A number or, where the field has them, a three-letter name. Advances *s. */
static bool cron_value(const struct cron_field *f, const char **s, int *out)
{
	if (isdigit((unsigned char)**s)) {
		char *end;
		long v = strtol(*s, &end, 10);
		if (end - *s > 2)
			return false;
		*s = end;
		*out = (int)v;
		return true;
	}
	for (size_t i = 0; f->names && f->names[i]; i++)
		if (strncmp(*s, f->names[i], 3) == 0 && !isalpha((unsigned char)(*s)[3])) {
			*s += 3;
			*out = f->min + (int)i;
			return true;
		}
	return false;
}

static int cron_item(const struct cron_field *f, const char *item, const char *text, uint64_t *bits, char *err,
                     size_t errsize)
{
	const char *s = item;
	int lo = f->min, hi = f->max, step = 1;
	if (*s == '*') {
		s++;
	} else {
		if (!cron_value(f, &s, &lo))
			goto bad;
		if (*s == '-') {
			s++;
			if (!cron_value(f, &s, &hi))
				goto bad;
			if (f->names == day_names && hi == 0 && lo > 0)
				hi = 7; /* "fri-sun": Sunday also ends the week */
		} else if (*s != '/') {
			hi = lo; /* a single value; "a/n" runs from a to the end */
		}
	}
	if (*s == '/') {
		s++;
		if (!isdigit((unsigned char)*s))
			goto bad;
		char *end;
		long n = strtol(s, &end, 10);
		s = end;
		if (n < 1 || n > f->max - f->min)
			return fail(err, errsize, "the step in %s field '%s' of '%s' must be from 1 to %d", f->what, item,
			            text, f->max - f->min);
		step = (int)n;
	}
	if (*s)
		goto bad;
	if (lo < f->min || hi > f->max)
		return fail(err, errsize, "%s field '%s' of '%s' is out of range %d-%d", f->what, item, text, f->min,
		            f->max);
	if (lo > hi)
		return fail(err, errsize, "%s field '%s' of '%s' runs backwards (write %d-%d)", f->what, item, text, hi,
		            lo);
	for (int v = lo; v <= hi; v += step)
		*bits |= (uint64_t)1 << v;
	return 0;
bad:
	return fail(err, errsize, "%s field '%s' of '%s' is not understood (numbers %d-%d%s, lists 1,2, ranges 1-5, "
	            "steps */15 or 1-30/5)", f->what, item, text, f->min, f->max,
	            f->names == month_names ? " or jan..dec" : f->names == day_names ? " or sun..sat; 0 and 7 are Sunday" : "");
}

static int cron_field_parse(const struct cron_field *f, char *field, const char *text, uint64_t *bits, char *err,
                            size_t errsize)
{
	*bits = 0;
	size_t len = strlen(field);
	if (field[0] == ',' || field[len - 1] == ',' || strstr(field, ",,"))
		return fail(err, errsize, "%s field '%s' of '%s' has an empty list item", f->what, field, text);
	for (char *save = NULL, *item = strtok_r(field, ",", &save); item; item = strtok_r(NULL, ",", &save))
		if (cron_item(f, item, text, bits, err, errsize) < 0)
			return -1;
	return 0;
}

static const int month_days[13] = {0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

/* With only the day of month restricted, some chosen month must have one of the chosen days. */
static bool cron_can_fire(const struct schedule *s)
{
	if (!s->mday_any && !s->wday_any)
		return true; /* either day rule matches, and weekdays come every week */
	for (int mon = 1; mon <= 12; mon++)
		if (s->months >> mon & 1)
			for (int d = 1; d <= month_days[mon]; d++)
				if (s->mdays >> d & 1)
					return true;
	return false;
}

static int parse_cron(const char *text, char *fields[5], struct schedule *out, char *err, size_t errsize)
{
	uint64_t bits[5];
	/* Cron's rule: a day field written with a star, even a stepped one, does not widen the other. */
	out->mday_any = fields[2][0] == '*';
	out->wday_any = fields[4][0] == '*';
	for (int i = 0; i < 5; i++)
		if (cron_field_parse(&cron_fields[i], fields[i], text, &bits[i], err, errsize) < 0)
			return -1;
	out->kind = SCHEDULE_CRON;
	out->minutes = bits[0];
	out->hours = (uint32_t)bits[1];
	out->mdays = (uint32_t)bits[2];
	out->months = (uint16_t)bits[3];
	out->wdays = (uint8_t)((bits[4] | bits[4] >> 7) & 0x7F);
	if (!cron_can_fire(out))
		return fail(err, errsize, "'%s' never fires: that day of the month does not occur in the chosen months", text);
	return 0;
}

int schedule_parse(const char *text, struct schedule *out, char *err, size_t errsize)
{
	char buf[128];
	memset(out, 0, sizeof(*out));
	if (!text || str_copy(buf, text, sizeof(buf)) >= sizeof(buf))
		return fail(err, errsize, "the schedule is too long (%s)", ACCEPTED);
	for (char *c = buf; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	char *s = str_trim(buf);
	if (strcmp(s, "manual") == 0) {
		out->kind = SCHEDULE_MANUAL;
		return 0;
	}
	if (str_starts_with(s, "every ") || strcmp(s, "every") == 0)
		return parse_every(text, str_trim(s + 5), out, err, errsize);
	if (str_starts_with(s, "daily ") || strcmp(s, "daily") == 0)
		return parse_daily(text, str_trim(s + 5), out, err, errsize);
	char *fields[6];
	int n = 0;
	for (char *save = NULL, *f = strtok_r(s, " \t", &save); f && n < 6; f = strtok_r(NULL, " \t", &save))
		fields[n++] = f;
	if (n != 5)
		return fail(err, errsize, "'%s' is not a schedule (%s)", text, ACCEPTED);
	return parse_cron(text, fields, out, err, errsize);
}

/* ---- next run --------------------------------------------------------------------------------------- */

static bool day_matches(const struct schedule *s, const struct tm *tm)
{
	bool md = s->mdays >> tm->tm_mday & 1, wd = s->wdays >> tm->tm_wday & 1;
	if (s->mday_any || s->wday_any)
		return md && wd;
	return md || wd;
}

/* Local midnight of the day `days` after tm's, or of the first of the next month. */
static time_t local_midnight(const struct tm *tm, int days, bool next_month)
{
	struct tm n = *tm;
	n.tm_sec = n.tm_min = n.tm_hour = 0;
	n.tm_isdst = -1;
	if (next_month) {
		n.tm_mday = 1;
		n.tm_mon++;
	} else {
		n.tm_mday += days;
	}
	return mktime(&n);
}

static int next_bit(uint64_t bits, int from, int max)
{
	for (int i = from; i <= max; i++)
		if (bits >> i & 1)
			return i;
	return -1;
}

/*
 * Schedules at fixed hours (not every hour) treat DST like cron does: a time the spring change skips runs
 * when the clock jumps, and a time the autumn change repeats runs once. Every-hour schedules simply follow
 * real time.
 */
static bool fixed_hours(const struct schedule *s)
{
	return (s->hours & 0xFFFFFF) != 0xFFFFFF;
}

/* The start of the next local hour; *skipped says a wanted hour of this day fell into a DST gap. */
static time_t next_hour(const struct schedule *s, time_t t, const struct tm *tm, bool *skipped)
{
	time_t next = t + (60 - tm->tm_min) * 60 - tm->tm_sec;
	struct tm n;
	*skipped = false;
	if (!fixed_hours(s) || !localtime_r(&next, &n) || n.tm_mday != tm->tm_mday)
		return next;
	for (int h = tm->tm_hour + 1; h < n.tm_hour; h++)
		*skipped = *skipped || (s->hours >> h & 1);
	return next;
}

/* Whether t's wall-clock time already happened once, before the clock went back less than 2 hours ago. */
static bool repeated_wall_time(time_t t, const struct tm *tm)
{
	time_t before = t - 7200;
	struct tm b, twin;
	if (!localtime_r(&before, &b) || b.tm_gmtoff <= tm->tm_gmtoff)
		return false;
	time_t first = t - (b.tm_gmtoff - tm->tm_gmtoff);
	return localtime_r(&first, &twin) && twin.tm_mday == tm->tm_mday && twin.tm_hour == tm->tm_hour &&
	       twin.tm_min == tm->tm_min;
}

/*
 * Walks forward from the first whole minute after `after`, skipping whole months, days and hours that do
 * not match, so even "0 0 29 2 *" takes a few hundred steps. Wall-clock fields come from localtime_r and
 * day starts from mktime, so DST changes are followed (see fixed_hours).
 */
static int64_t cron_next(const struct schedule *s, int64_t after_ms)
{
	time_t t = (time_t)((after_ms >= 0 ? after_ms / 60000 : (after_ms - 59999) / 60000) + 1) * 60;
	time_t limit = t + SEARCH_SECONDS;
	while (t <= limit) {
		struct tm tm;
		if (!localtime_r(&t, &tm))
			return -1;
		time_t next;
		bool skipped = false;
		if (!(s->months >> (tm.tm_mon + 1) & 1)) {
			next = local_midnight(&tm, 0, true);
		} else if (!day_matches(s, &tm)) {
			next = local_midnight(&tm, 1, false);
		} else if (!(s->hours >> tm.tm_hour & 1)) {
			next = next_hour(s, t, &tm, &skipped);
		} else {
			int m = next_bit(s->minutes, tm.tm_min, 59);
			if (m == tm.tm_min && !(fixed_hours(s) && repeated_wall_time(t, &tm)))
				return (int64_t)t * 1000;
			if (m == tm.tm_min)
				next = t + 60;
			else
				next = m < 0 ? next_hour(s, t, &tm, &skipped) : t + (m - tm.tm_min) * 60;
		}
		if (skipped && next > t)
			return (int64_t)next * 1000;
		t = next > t ? next : t + 60; /* always forward, whatever mktime made of a DST edge */
	}
	return -1;
}

int64_t schedule_next(const struct schedule *s, int64_t after_ms, int64_t last_ms)
{
	switch (s->kind) {
	case SCHEDULE_EVERY:
		return last_ms > 0 ? last_ms + s->every_ms : after_ms;
	case SCHEDULE_DAILY: {
		struct schedule daily = {
			.kind = SCHEDULE_CRON,
			.minutes = (uint64_t)1 << (s->daily_minute % 60),
			.hours = (uint32_t)1 << (s->daily_minute / 60),
			.mdays = 0xFFFFFFFEu,
			.months = 0x1FFE,
			.wdays = 0x7F,
			.mday_any = true,
			.wday_any = true,
		};
		return cron_next(&daily, after_ms);
	}
	case SCHEDULE_CRON:
		return cron_next(s, after_ms);
	default:
		return -1;
	}
}
