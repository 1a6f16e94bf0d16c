/* schedule: parsing every form (and each error), next due times in local time across DST. */
#include "engine/schedule.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Every test runs in its own process, so each can pick its time zone. */
static void use_tz(const char *tz)
{
	setenv("TZ", tz, 1);
	tzset();
}

static void utc(void)
{
	use_tz("UTC");
}

/* Europe/Bucharest's rules written out, so the tests do not depend on tzdata being installed. */
static void bucharest(void)
{
	use_tz("EET-2EEST,M3.5.0/3,M10.5.0/4");
}

/* Local wall time to epoch milliseconds. */
static int64_t at(int y, int mon, int d, int h, int min)
{
	struct tm tm = {.tm_year = y - 1900, .tm_mon = mon - 1, .tm_mday = d, .tm_hour = h, .tm_min = min, .tm_isdst = -1};
	return (int64_t)mktime(&tm) * 1000;
}

static const char *show(int64_t ms)
{
	static char buf[32];
	if (ms < 0)
		return "never";
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	localtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M %a", &tm);
	return buf;
}

static struct schedule parse(const char *text)
{
	struct schedule s;
	char err[512] = "";
	cr_assert_eq(schedule_parse(text, &s, err, sizeof(err)), 0, "'%s': %s", text, err);
	return s;
}

static void expect_error(const char *text, const char *message)
{
	struct schedule s;
	char err[512] = "";
	cr_assert_eq(schedule_parse(text, &s, err, sizeof(err)), -1, "'%s' should not parse", text);
	cr_expect(strstr(err, message), "'%s': expected '%s' in '%s'", text, message, err);
}

static void expect_next(const char *text, int64_t after, const char *want)
{
	struct schedule s = parse(text);
	cr_expect_str_eq(show(schedule_next(&s, after, 0)), want, "'%s' after %s", text, show(after));
}

/* ---- parsing ---- */

Test(schedule, manual)
{
	struct schedule s = parse("manual");
	cr_assert_eq(s.kind, SCHEDULE_MANUAL);
	s = parse("  Manual ");
	cr_assert_eq(s.kind, SCHEDULE_MANUAL);
	cr_assert_eq(schedule_next(&s, 1000, 0), -1);
}

Test(schedule, every_units)
{
	cr_assert_eq(parse("every 15m").every_ms, 15 * 60000);
	cr_assert_eq(parse("every 2h").every_ms, 2 * 3600000);
	cr_assert_eq(parse("every 90s").every_ms, 90000);
	cr_assert_eq(parse("every 60s").every_ms, 60000);
	cr_assert_eq(parse("every 1d").every_ms, 86400000);
	cr_assert_eq(parse("Every 15 M").every_ms, 15 * 60000);
	cr_assert_eq(parse("every 366d").every_ms, (int64_t)366 * 86400000);
	cr_assert_eq(parse("every 1m").kind, SCHEDULE_EVERY);
}

Test(schedule, every_errors)
{
	expect_error("every 0m", "'every 0m' is too short; the shortest interval is 1 minute (every 60s or every 1m)");
	expect_error("every 59s", "too short");
	expect_error("every 15", "has no unit or an unknown one; use s, m, h or d");
	expect_error("every 15x", "use s, m, h or d");
	expect_error("every 15min", "use s, m, h or d");
	expect_error("every 1.5h", "use s, m, h or d");
	expect_error("every", "needs a number and a unit, like every 15m");
	expect_error("every m", "needs a number and a unit");
	expect_error("every -5m", "needs a number and a unit");
	expect_error("every 367d", "the longest interval is 366d");
	expect_error("every 99999999999999999999999h", "the longest interval is 366d");
}

Test(schedule, every_next)
{
	struct schedule s = parse("every 15m");
	cr_assert_eq(schedule_next(&s, 5000000, 0), 5000000, "never run: due at once");
	cr_assert_eq(schedule_next(&s, 5000000, 4900000), 4900000 + 15 * 60000, "anchored on the last run");
	cr_assert_eq(schedule_next(&s, 99000000, 4900000), 4900000 + 15 * 60000, "overdue: in the past, run now");
}

Test(schedule, daily)
{
	struct schedule s = parse("daily 02:00");
	cr_assert_eq(s.kind, SCHEDULE_DAILY);
	cr_assert_eq(s.daily_minute, 120);
	cr_assert_eq(parse("daily 2:05").daily_minute, 125);
	cr_assert_eq(parse("daily 23:59").daily_minute, 23 * 60 + 59);
	cr_assert_eq(parse("daily 00:00").daily_minute, 0);
	expect_error("daily 24:00", "needs a time from 00:00 to 23:59, like daily 02:00");
	expect_error("daily 12:60", "from 00:00 to 23:59");
	expect_error("daily 2", "from 00:00 to 23:59");
	expect_error("daily 2:5", "from 00:00 to 23:59");
	expect_error("daily 02:00pm", "from 00:00 to 23:59");
	expect_error("daily 2:-1", "from 00:00 to 23:59");
	expect_error("daily", "from 00:00 to 23:59");
	expect_error("daily 123:00", "from 00:00 to 23:59");
}

Test(schedule, daily_next, .init = utc)
{
	expect_next("daily 02:00", at(2026, 3, 10, 1, 0), "2026-03-10 02:00 Tue");
	expect_next("daily 02:00", at(2026, 3, 10, 2, 0), "2026-03-11 02:00 Wed"); /* strictly after */
	expect_next("daily 02:00", at(2026, 3, 10, 1, 59) + 59999, "2026-03-10 02:00 Tue");
	expect_next("daily 00:00", at(2026, 12, 31, 23, 30), "2027-01-01 00:00 Fri");
}

Test(schedule, cron_fields_parse)
{
	struct schedule s = parse("0,30 6-22 * * mon-fri");
	cr_assert_eq(s.kind, SCHEDULE_CRON);
	cr_assert_eq(s.minutes, ((uint64_t)1 << 0) | ((uint64_t)1 << 30));
	cr_assert_eq(s.hours, 0x7FFFC0u); /* 6..22 */
	cr_assert_eq(s.mdays, 0xFFFFFFFEu);
	cr_assert_eq(s.months, 0x1FFE);
	cr_assert_eq(s.wdays, 0x3E);
	cr_assert(s.mday_any);
	cr_assert_not(s.wday_any);

	s = parse("*/15 * * * *");
	cr_assert_eq(s.minutes, ((uint64_t)1 << 0) | ((uint64_t)1 << 15) | ((uint64_t)1 << 30) | ((uint64_t)1 << 45));
	s = parse("5/20 * * jan,JUL-aug *");
	cr_assert_eq(s.minutes, ((uint64_t)1 << 5) | ((uint64_t)1 << 25) | ((uint64_t)1 << 45));
	cr_assert_eq(s.months, (1 << 1) | (1 << 7) | (1 << 8));
	s = parse("0 0 1-10/3 * *");
	cr_assert_eq(s.mdays, (1u << 1) | (1u << 4) | (1u << 7) | (1u << 10));
	cr_assert_not(s.mday_any);
	cr_assert(s.wday_any);
	s = parse("0 0 */2 * 1");
	cr_assert(s.mday_any, "a stepped star still counts as a star");
}

Test(schedule, cron_sunday_is_0_and_7)
{
	cr_assert_eq(parse("0 0 * * 0").wdays, 1);
	cr_assert_eq(parse("0 0 * * 7").wdays, 1);
	cr_assert_eq(parse("0 0 * * sun").wdays, 1);
	cr_assert_eq(parse("0 0 * * 5-7").wdays, (1 << 5) | (1 << 6) | 1);
	cr_assert_eq(parse("0 0 * * fri-sun").wdays, (1 << 5) | (1 << 6) | 1, "sun ends a range as 7");
	cr_assert_eq(parse("0 0 * * 6-0").wdays, (1 << 6) | 1);
	expect_error("0 0 * * 6-1", "runs backwards");
}

Test(schedule, cron_errors)
{
	expect_error("61 * * * *", "minute field '61' of '61 * * * *' is out of range 0-59");
	expect_error("* 24 * * *", "hour field '24' of '* 24 * * *' is out of range 0-23");
	expect_error("* * 0 * *", "day-of-month field '0' of '* * 0 * *' is out of range 1-31");
	expect_error("* * * 13 *", "month field '13'");
	expect_error("* * * * 8", "day-of-week field '8'");
	expect_error("5-2 * * * *", "minute field '5-2' of '5-2 * * * *' runs backwards (write 2-5)");
	expect_error("*/0 * * * *", "the step in minute field '*/0' of '*/0 * * * *' must be from 1 to 59");
	expect_error("*/60 * * * *", "must be from 1 to 59");
	expect_error("1,,2 * * * *", "minute field '1,,2' of '1,,2 * * * *' has an empty list item");
	expect_error("1, * * * *", "has an empty list item");
	expect_error("x * * * *", "minute field 'x' of 'x * * * *' is not understood (numbers 0-59, lists 1,2, ranges 1-5, steps */15 or 1-30/5)");
	expect_error("* * * foo *", "or jan..dec");
	expect_error("* * * * monday", "or sun..sat; 0 and 7 are Sunday");
	expect_error("* * * * mon-", "day-of-week field 'mon-'");
	expect_error("1/ * * * *", "not understood");
	expect_error("001 * * * *", "not understood");
	expect_error("0 0 30 2 *", "'0 0 30 2 *' never fires");
	expect_error("0 0 31 4,6,9,11 *", "never fires");
	expect_error("* * * *", "'* * * *' is not a schedule (accepted: manual, every <n><s|m|h|d> (every 15m), "
	                        "daily HH:MM (daily 02:00), or 5 cron fields");
	expect_error("* * * * * *", "is not a schedule");
	expect_error("", "is not a schedule");
	expect_error("hourly", "is not a schedule");
	struct schedule s;
	char err[64];
	cr_assert_eq(schedule_parse(NULL, &s, err, sizeof(err)), -1);
	char longer[300];
	memset(longer, '1', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = '\0';
	expect_error(longer, "the schedule is too long");
}

/* ---- next due time for cron ---- */

Test(schedule, cron_every_15_minutes, .init = utc)
{
	expect_next("*/15 * * * *", at(2026, 5, 1, 10, 0), "2026-05-01 10:15 Fri");
	expect_next("*/15 * * * *", at(2026, 5, 1, 10, 7), "2026-05-01 10:15 Fri");
	expect_next("*/15 * * * *", at(2026, 5, 1, 10, 45), "2026-05-01 11:00 Fri");
	expect_next("*/15 * * * *", at(2026, 12, 31, 23, 50), "2027-01-01 00:00 Fri");
	expect_next("* * * * *", at(2026, 5, 1, 10, 0) + 30000, "2026-05-01 10:01 Fri");
}

Test(schedule, cron_weekdays_and_hours, .init = utc)
{
	/* 2026-05-01 is a Friday */
	expect_next("0,30 6-22 * * mon-fri", at(2026, 5, 1, 22, 30), "2026-05-04 06:00 Mon");
	expect_next("0,30 6-22 * * mon-fri", at(2026, 5, 1, 5, 0), "2026-05-01 06:00 Fri");
	expect_next("0,30 6-22 * * mon-fri", at(2026, 5, 1, 6, 10), "2026-05-01 06:30 Fri");
	expect_next("0 9 * * 0", at(2026, 5, 1, 0, 0), "2026-05-03 09:00 Sun");
	expect_next("0 9 * * 7", at(2026, 5, 1, 0, 0), "2026-05-03 09:00 Sun");
}

Test(schedule, cron_feb_29_waits_for_a_leap_year, .init = utc)
{
	expect_next("0 0 29 2 *", at(2026, 3, 1, 0, 0), "2028-02-29 00:00 Tue");
	expect_next("0 0 29 2 *", at(2028, 2, 29, 0, 0), "2032-02-29 00:00 Sun");
}

Test(schedule, cron_day_of_month_or_weekday, .init = utc)
{
	/* both restricted: either matches (the 13th or any Friday) */
	expect_next("0 0 13 * 5", at(2026, 5, 2, 0, 0), "2026-05-08 00:00 Fri");
	expect_next("0 0 13 * 5", at(2026, 5, 9, 0, 0), "2026-05-13 00:00 Wed");
	/* a star in the weekday: only the 13th */
	expect_next("0 0 13 * *", at(2026, 5, 2, 0, 0), "2026-05-13 00:00 Wed");
	/* a stepped star in the day of month counts as a star: both must match */
	expect_next("0 0 */2 * 5", at(2026, 5, 2, 0, 0), "2026-05-15 00:00 Fri");
}

Test(schedule, cron_months_and_last_days, .init = utc)
{
	expect_next("0 12 31 * *", at(2026, 4, 1, 0, 0), "2026-05-31 12:00 Sun");
	expect_next("30 4 1 jan *", at(2026, 1, 1, 4, 30), "2027-01-01 04:30 Fri");
	expect_next("0 0 1 */3 *", at(2026, 2, 15, 0, 0), "2026-04-01 00:00 Wed");
}

Test(schedule, dst_spring_forward, .init = bucharest)
{
	/* 2026-03-29: clocks go from 03:00 to 04:00 in Bucharest; a fixed time in the gap runs at the jump */
	expect_next("30 3 * * *", at(2026, 3, 28, 12, 0), "2026-03-29 04:00 Sun");
	expect_next("daily 03:30", at(2026, 3, 28, 12, 0), "2026-03-29 04:00 Sun");
	expect_next("daily 03:30", at(2026, 3, 29, 4, 0), "2026-03-30 03:30 Mon");
	expect_next("15 2,3 * * *", at(2026, 3, 29, 2, 15), "2026-03-29 04:00 Sun");
	expect_next("0 4 * * *", at(2026, 3, 28, 12, 0), "2026-03-29 04:00 Sun");
	expect_next("0 5 * * *", at(2026, 3, 28, 12, 0), "2026-03-29 05:00 Sun");
	expect_next("daily 02:00", at(2026, 3, 28, 12, 0), "2026-03-29 02:00 Sun");
	/* schedules for every hour follow real time */
	expect_next("*/30 * * * *", at(2026, 3, 29, 2, 45), "2026-03-29 04:00 Sun");
	struct schedule s = parse("0 * * * *");
	int64_t t = schedule_next(&s, at(2026, 3, 29, 2, 30), 0);
	cr_assert_eq(t - at(2026, 3, 29, 2, 30), 30 * 60000, "the hour after 02:xx starts at 04:00");
}

Test(schedule, dst_fall_back, .init = bucharest)
{
	/* 2026-10-25: clocks go from 04:00 back to 03:00; 03:xx happens twice and runs once */
	struct schedule s = parse("30 3 * * *");
	int64_t first = schedule_next(&s, at(2026, 10, 24, 12, 0), 0);
	cr_assert_str_eq(show(first), "2026-10-25 03:30 Sun");
	int64_t second = schedule_next(&s, first, 0);
	cr_assert_str_eq(show(second), "2026-10-26 03:30 Mon");
	/* hourly keeps going through the repeated hour without getting stuck */
	s = parse("0 * * * *");
	int64_t t = at(2026, 10, 25, 1, 30);
	for (int i = 0; i < 6; i++) {
		int64_t next = schedule_next(&s, t, 0);
		cr_assert_gt(next, t);
		cr_assert_leq(next - t, 2 * 3600000);
		t = next;
	}
	cr_assert_str_eq(show(t), "2026-10-25 06:00 Sun");
}

Test(schedule, cron_search_is_bounded_and_quick, .init = utc, .timeout = 5)
{
	/* The slowest legal search: a leap day as the only match, almost four years ahead. */
	struct schedule s = parse("59 23 29 2 *");
	int64_t start = at(2028, 3, 1, 0, 0);
	for (int i = 0; i < 1000; i++)
		cr_assert_gt(schedule_next(&s, start, 0), start);
	/* a hand-made schedule that can never fire gives up */
	struct schedule never = {.kind = SCHEDULE_CRON, .minutes = 1, .hours = 1, .mdays = 1u << 31, .months = 1 << 2,
	                         .wdays = 0x7F, .mday_any = false, .wday_any = true};
	cr_assert_eq(schedule_next(&never, start, 0), -1);
}
