/* The leaky bucket of a Shopify shop's GraphQL query cost (dest/cost_bucket.h). */
#include "dest/cost_bucket.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static bool number_member(const cJSON *o, const char *name, double *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
	if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) || v->valuedouble < 0)
		return false;
	*out = v->valuedouble;
	return true;
}

bool cost_reading_parse(const cJSON *answer, struct cost_reading *out, char *err, size_t errsz)
{
	const cJSON *ext = cJSON_GetObjectItemCaseSensitive(answer, "extensions");
	const cJSON *cost = cJSON_GetObjectItemCaseSensitive(ext, "cost");
	const cJSON *status = cJSON_GetObjectItemCaseSensitive(cost, "throttleStatus");
	if (!cJSON_IsObject(status)) {
		snprintf(err, errsz, "the answer has no extensions.cost.throttleStatus");
		return false;
	}
	static const char *const names[] = {"maximumAvailable", "currentlyAvailable", "restoreRate"};
	double *fields[] = {&out->maximum, &out->available, &out->restore_rate};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!number_member(status, names[i], fields[i])) {
			snprintf(err, errsz, "extensions.cost.throttleStatus.%s is missing or not a non-negative number",
				 names[i]);
			return false;
		}
	}
	if (out->available > out->maximum)
		out->available = out->maximum;
	return true;
}

bool cost_seen_parse(const cJSON *answer, int64_t at_ms, struct cost_seen *out)
{
	struct cost_reading r;
	char err[160];
	if (!cost_reading_parse(answer, &r, err, sizeof(err)))
		return false;
	*out = (struct cost_seen){.known = true, .maximum = r.maximum, .available = r.available,
	                          .restore_rate = r.restore_rate, .seen_at = at_ms};
	return true;
}

void cost_bucket_learn(struct cost_bucket *b, const struct cost_reading *r, int64_t now_ms)
{
	b->known = true;
	b->last = *r;
	b->at_ms = now_ms;
}

double cost_bucket_available(const struct cost_bucket *b, int64_t now_ms)
{
	if (!b->known)
		return 0;
	double elapsed = now_ms > b->at_ms ? (double)(now_ms - b->at_ms) / 1000.0 : 0;
	double level = b->last.available + elapsed * b->last.restore_rate;
	return level < b->last.maximum ? level : b->last.maximum;
}

int64_t cost_bucket_wait_ms(const struct cost_bucket *b, double cost, int64_t now_ms)
{
	if (!b->known)
		return 0;
	if (cost > b->last.maximum)
		return COST_NEVER_FITS;
	double missing = cost - cost_bucket_available(b, now_ms);
	if (missing <= 0)
		return 0;
	if (b->last.restore_rate <= 0)
		return COST_NEVER_FITS;
	return (int64_t)ceil(missing * 1000.0 / b->last.restore_rate);
}

void cost_bucket_spend(struct cost_bucket *b, double cost, int64_t now_ms)
{
	if (!b->known)
		return;
	b->last.available = cost_bucket_available(b, now_ms) - cost;
	b->at_ms = now_ms;
}

/* A process syncs to a handful of shops; a fixed table keeps every bucket's address stable. */
enum { MAX_SHOPS = 64, MAX_SHOP_KEY = 256 };
static struct {
	char key[MAX_SHOP_KEY];
	struct cost_bucket bucket;
} shops[MAX_SHOPS];
static size_t n_shops;
static pthread_mutex_t shops_lock = PTHREAD_MUTEX_INITIALIZER;

void cost_bucket_lock(void)
{
	pthread_mutex_lock(&shops_lock);
}

void cost_bucket_unlock(void)
{
	pthread_mutex_unlock(&shops_lock);
}

struct cost_bucket *cost_bucket_of(const char *shop)
{
	if (strlen(shop) >= MAX_SHOP_KEY)
		return NULL;
	struct cost_bucket *found = NULL;
	cost_bucket_lock();
	for (size_t i = 0; i < n_shops && !found; i++)
		if (strcmp(shops[i].key, shop) == 0)
			found = &shops[i].bucket;
	if (!found && n_shops < MAX_SHOPS) {
		snprintf(shops[n_shops].key, MAX_SHOP_KEY, "%s", shop);
		found = &shops[n_shops++].bucket;
	}
	cost_bucket_unlock();
	return found;
}
