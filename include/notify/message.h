/*
 * What a notification says: the JSON payload of an event (the webhook's body, the command's stdin, the fields
 * of the e-mail templates) and the {{field}} templates over it. A payload is made only from a run's or a
 * shop's public facts (ids, names, statuses, counters, a sanitised first error), never from a channel's or a
 * destination's settings, so no template can reach a secret.
 */
#ifndef FEEDSYNC_NOTIFY_MESSAGE_H
#define FEEDSYNC_NOTIFY_MESSAGE_H

#include <stddef.h>
#include <stdint.h>

#include "core/store.h"
#include "core/store_notify.h"

/* What an event adds to the run it is about. */
struct notify_run_facts {
	const char *event;
	const char *first_error;      /* "" = none */
	double error_share;           /* percent of rows or items that failed */
	int64_t failures_in_a_row;
};
/* The payload of an event about a run (caller frees). */
char *notify_payload_run(const struct run_row *r, const struct notify_run_facts *f, int64_t now);
/* The payload of a destination whose circuit opened: its id and name, since when, its last failure. */
char *notify_payload_circuit(int64_t dest_id, const char *dest_name, int64_t since, const char *last_failure,
                             int64_t now);
/* The payload of `notify test`. */
char *notify_payload_test(const char *channel_name, int64_t now);
/* The one message that stands for `n` held ones (the first few listed by their text). */
char *notify_payload_summary(const struct notify_message *held, size_t n, int64_t total, int64_t now);

/* `text` with every control byte as a space and cut, on a UTF-8 boundary, to size - 1 bytes, into buf. */
void notify_sanitise(const char *text, char *buf, size_t size);
/*
 * tmpl with each {{path}} replaced by the payload's value at that dotted path ("run.id", "connection.name"),
 * sanitised; an unknown field becomes "". Caller frees.
 */
char *notify_render(const char *tmpl, const char *payload);
/* The same for a JSON template (a webhook's own body): values are escaped to sit inside its strings. */
char *notify_render_json(const char *tmpl, const char *payload);

/* The default templates of an e-mail's subject and body, and of the command's FEEDSYNC_SUBJECT. */
extern const char NOTIFY_DEFAULT_SUBJECT[];
extern const char NOTIFY_DEFAULT_BODY[];

#endif
