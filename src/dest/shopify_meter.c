/* A run's shared plumbing with a Shopify shop: its settings and its cost bucket (see dest/shopify_meter.h). */
#include "dest/shopify_meter.h"

#include <stdio.h>

#include "core/store_dest.h"
#include "core/util.h"
#include "dest/cost_bucket.h"
#include "dest/http.h"

/* How often the shop's bucket is recorded for other processes: a glance needs no more, and a write per request
 * would add a commit to each. */
#define COST_SAVE_MS 1000

int shopify_site_load(struct store *st, const struct shop *shop, const char *role, struct shopify_site *out,
                      char *err, size_t errsize)
{
	struct dest_row row;
	if (store_dest_get(st, shop->id, &row) != 1) {
		snprintf(err, errsize, "cannot read destination '%s': %s", shop->name, store_errmsg(st));
		return -1;
	}
	int rc = 0;
	if (!str_eq(row.type, "shopify")) {
		snprintf(err, errsize, "destination '%s' is a %s destination, not a shopify one: set the connection's "
		         "%s type to %s", row.name, row.type, role, row.type);
		rc = -1;
	} else {
		rc = shopify_site_of(row.options, row.name, out, err, errsize);
	}
	dest_row_free(&row);
	return rc;
}

int shopify_meter_pace(struct shopify_meter *m, double cost, int64_t last_elapsed_ms)
{
	for (;;) {
		struct cost_bucket *b = cost_bucket_of(m->shop->base_url); /* takes the lock itself */
		cost_bucket_lock();
		double ahead = b->known ? b->last.restore_rate * (double)last_elapsed_ms / 1000.0 + 0.1 : 0;
		if (b->known && cost <= b->last.maximum && cost + ahead > b->last.maximum)
			ahead = b->last.maximum - cost;
		int64_t wait = cost_bucket_wait_ms(b, cost + ahead, now_ms());
		if (wait == 0)
			cost_bucket_spend(b, cost, now_ms());
		cost_bucket_unlock();
		if (wait == 0)
			return METER_SEND;
		if (wait == COST_NEVER_FITS)
			return METER_NEVER_FITS;
		if (run_should_stop(m->ctx))
			return METER_STOPPED;
		sleep_ms(wait < HTTP_STOP_POLL_MS ? wait : HTTP_STOP_POLL_MS);
		run_tick(m->ctx);
	}
}

void shopify_meter_save(struct shopify_meter *m)
{
	if (!m->cost_unsaved)
		return;
	m->cost_unsaved = false;
	m->cost_saved_at = m->cost.seen_at;
	if (store_cost_seen_put(m->ctx->store, m->shop->id, &m->cost) < 0)
		run_log(m->ctx, LOG_WARN, "the cost bucket of '%s' cannot be recorded: %s", m->shop->name,
		        store_errmsg(m->ctx->store));
}

void shopify_meter_learn(struct shopify_meter *m, const cJSON *answer)
{
	int64_t now = now_ms();
	if (!cost_seen_parse(answer, now, &m->cost))
		return;
	struct cost_reading reading = {m->cost.maximum, m->cost.available, m->cost.restore_rate};
	struct cost_bucket *b = cost_bucket_of(m->shop->base_url);
	cost_bucket_lock();
	cost_bucket_learn(b, &reading, now);
	cost_bucket_unlock();
	m->cost_unsaved = true;
	if (now - m->cost_saved_at >= COST_SAVE_MS)
		shopify_meter_save(m);
}

int shopify_meter_fit(const struct shopify_meter *m, double base, int per_node, int most, int unknown)
{
	struct cost_bucket *b = cost_bucket_of(m->shop->base_url);
	cost_bucket_lock();
	double maximum = b->known ? b->last.maximum : 0;
	cost_bucket_unlock();
	if (maximum <= 0)
		return unknown;
	double fit = (maximum - base) / per_node;
	return fit >= most ? most : fit >= 1 ? (int)fit : 1;
}
