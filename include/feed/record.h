/* One row of a feed: parallel arrays of column names and values, as a source yields it. */
#ifndef FEEDSYNC_FEED_RECORD_H
#define FEEDSYNC_FEED_RECORD_H

#include <stddef.h>

struct record {
	size_t n;             /* number of fields */
	const char **names;   /* column names; owned by whoever filled the record */
	const char **values;  /* UTF-8, NUL-terminated, never NULL ("" when empty) */
	long line;            /* 1-based line of the feed where the row starts (CSV, JSON, XML) */
	long item;            /* JSON array and XML feeds: 1-based index of the item, which a single-line feed's
	                       * line cannot tell apart; 0 for CSV and NDJSON (source_next clears it) */
	/* Non-NULL when the row itself is malformed (ragged, invalid UTF-8, ...): the pipeline counts
	 * the row as failed with this text and goes on. Names the column where it can. */
	const char *problem;
};

/* The value of the first field called `name`, or NULL when the row has no such column. */
const char *record_get(const struct record *r, const char *name);

/* Where a row is, for messages: "item 12" when it has an item number (item > 0), else "line 12". */
#define RECORD_PLACE_SIZE 32
const char *record_place(long line, long item, char buf[RECORD_PLACE_SIZE]);

#endif
