/*
 * What a run error keeps of a failed HTTP answer (run_errors.detail), the same for a shop's answer (dest/) and a
 * feed server's (feed/fetch.h): the request, the status, and a bounded excerpt of the body that is safe to store
 * and show, with the credentials of the request blanked.
 */
#ifndef FEEDSYNC_CORE_ANSWER_DETAIL_H
#define FEEDSYNC_CORE_ANSWER_DETAIL_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "core/util.h"

/* The most of an answer's body a run error keeps ("excerpt"). */
#define ANSWER_EXCERPT_MAX 2048

/*
 * The first bytes of an answer's body as text that is safe to store and show: at most ANSWER_EXCERPT_MAX bytes
 * ending with "…" when cut, up to a NUL byte, control bytes made visible and invalid UTF-8 escaped (core/text.h),
 * each of `secrets` (NULL-terminated, may be NULL) replaced by "***". Appended to out.
 */
void answer_excerpt(const char *body, size_t len, const char *const *secrets, struct strbuf *out);

struct answer {
	const char *method;            /* NULL: unknown */
	const char *target;            /* path, maybe with a query (left out: it may hold credentials); NULL unknown */
	long status;                   /* 0: no answer */
	const char *content_type;      /* NULL or "": none */
	const char *body;
	size_t len;
	bool excerpt;                  /* keep the body */
	const char *const *secrets;    /* never in the excerpt */
};
/* {"method", "path", "status", "content_type", "excerpt"}, the members unknown or 0 left out; for the caller to add
 * to, and free with cJSON_Delete. */
cJSON *answer_detail(const struct answer *a);
/* The object as compact JSON in a string of one's own (xstrdup), and the object deleted. */
char *answer_detail_text(cJSON *detail);

#endif
