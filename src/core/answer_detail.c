#include "core/answer_detail.h"

#include <stdlib.h>
#include <string.h>

#include "core/text.h"

static void blank_secret(struct strbuf *text, const char *secret)
{
	size_t n = strlen(secret);
	if (n == 0 || text->len == 0)
		return;
	struct strbuf out = {0};
	const char *p = text->buf, *end = text->buf + text->len, *at;
	while ((at = memmem(p, (size_t)(end - p), secret, n)) != NULL) {
		sb_add(&out, p, (size_t)(at - p));
		sb_adds(&out, "***");
		p = at + n;
	}
	sb_add(&out, p, (size_t)(end - p));
	sb_free(text);
	*text = out;
}

void answer_excerpt(const char *body, size_t len, const char *const *secrets, struct strbuf *out)
{
	/* Secrets are blanked before the cut, so that none is cut into a prefix that stays. */
	size_t longest = 0;
	for (size_t i = 0; secrets && secrets[i]; i++)
		longest = strlen(secrets[i]) > longest ? strlen(secrets[i]) : longest;
	const char *nul = memchr(body, '\0', len);
	size_t avail = nul ? (size_t)(nul - body) : len;
	size_t take = avail < ANSWER_EXCERPT_MAX + longest ? avail : ANSWER_EXCERPT_MAX + longest;
	struct strbuf raw = {0}, safe = {0};
	sb_add(&raw, body, take);
	for (size_t i = 0; secrets && secrets[i]; i++)
		blank_secret(&raw, secrets[i]);
	text_sanitize(sb_str(&raw), &safe, 0);
	static const char ellipsis[] = "…";
	if (safe.len > ANSWER_EXCERPT_MAX || take < len) {
		size_t cut = safe.len < ANSWER_EXCERPT_MAX - (sizeof(ellipsis) - 1) ? safe.len
		             : ANSWER_EXCERPT_MAX - (sizeof(ellipsis) - 1);
		while (cut > 0 && cut < safe.len && ((unsigned char)safe.buf[cut] & 0xc0) == 0x80)
			cut--; /* not inside a character */
		safe.len = cut;
		sb_adds(&safe, ellipsis);
	}
	sb_add(out, sb_str(&safe), safe.len);
	sb_free(&raw);
	sb_free(&safe);
}

cJSON *answer_detail(const struct answer *a)
{
	cJSON *d = cJSON_CreateObject();
	if (a->method)
		cJSON_AddStringToObject(d, "method", a->method);
	if (a->target) {
		char *path = xstrndup(a->target, strcspn(a->target, "?"));
		cJSON_AddStringToObject(d, "path", path);
		free(path);
	}
	if (a->status)
		cJSON_AddNumberToObject(d, "status", (double)a->status);
	if (a->content_type && *a->content_type)
		cJSON_AddStringToObject(d, "content_type", a->content_type);
	if (a->excerpt && a->len) {
		struct strbuf excerpt = {0};
		answer_excerpt(a->body, a->len, a->secrets, &excerpt);
		cJSON_AddStringToObject(d, "excerpt", sb_str(&excerpt));
		sb_free(&excerpt);
	}
	return d;
}

char *answer_detail_text(cJSON *detail)
{
	char *text = cJSON_PrintUnformatted(detail);
	cJSON_Delete(detail);
	char *out = xstrdup(text);
	cJSON_free(text);
	return out;
}
