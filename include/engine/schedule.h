/*
 * When a connection runs by itself: "manual", "every 15m" / "every 2h" / "every 90s", "daily 02:00",
 * or a 5-field cron expression ("0,30 6-22 * * mon-fri": lists, ranges, steps written a/n or
 * star-slash-n, names jan..dec and sun..sat).
 * Times are local.
 */
#ifndef FEEDSYNC_ENGINE_SCHEDULE_H
#define FEEDSYNC_ENGINE_SCHEDULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum schedule_kind { SCHEDULE_MANUAL, SCHEDULE_EVERY, SCHEDULE_DAILY, SCHEDULE_CRON };

struct schedule {
	enum schedule_kind kind;
	int64_t every_ms;
	int daily_minute;          /* minutes after midnight */
	uint64_t minutes;          /* cron bit sets */
	uint32_t hours;
	uint32_t mdays;            /* bits 1..31 */
	uint16_t months;           /* bits 1..12 */
	uint8_t wdays;             /* bits 0..6, Sunday = 0 (7 is accepted as Sunday) */
	bool mday_any, wday_any;   /* cron's rule: when both are restricted, either matches */
};

/* 0, or -1 with err naming what is wrong and the accepted forms. */
int schedule_parse(const char *text, struct schedule *out, char *err, size_t errsize);
/*
 * The first due time strictly after `after_ms`; -1 for manual. For "every", `last_ms` (the last run's
 * start, 0 if never) anchors the interval: due at last_ms + every, or at once (after_ms) when never run.
 */
int64_t schedule_next(const struct schedule *s, int64_t after_ms, int64_t last_ms);

#endif
