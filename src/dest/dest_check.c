#include "dest/dest_check.h"

#include <stdio.h>
#include <string.h>

#include "core/util.h"
#include "dest/shop.h"
#include "dest/shopify.h"
#include "dest/wp.h"

static void summarize(struct dest_check *out)
{
	snprintf(out->summary, sizeof(out->summary), "all checks passed");
	for (int i = 0; i < out->nchecks; i++) {
		if (out->checks[i].verdict == 0) {
			snprintf(out->summary, sizeof(out->summary), "%s failed: %s", out->checks[i].name,
			         out->checks[i].detail);
			return;
		}
	}
}

/* A type's own settings that cannot be read leave the destination unchecked, their problems the summary. */
static void settings_refused(struct dest_check *out, const char *err)
{
	out->opened = false;
	snprintf(out->summary, sizeof(out->summary), "%s", err);
}

static void run_wp(const struct dest_row *row, const struct shop *shop, const struct config *cfg,
                   struct dest_check *out)
{
	struct wp_site site;
	char err[512];
	out->nchecks = WP_CHECK_COUNT;
	if (wp_site_of(row->options, row->name, &site, err, sizeof(err)) < 0) {
		settings_refused(out, err);
		return;
	}
	out->ok = wp_test(shop, &site, cfg, out->checks);
	wp_site_free(&site);
}

/* The cost bucket the test's answers reported is recorded like a push's, for dest show and the console. */
static void run_shopify(struct store *s, const struct dest_row *row, const struct shop *shop,
                        const struct config *cfg, struct dest_check *out)
{
	struct shopify_site site;
	char err[512];
	out->nchecks = SHOPIFY_CHECK_COUNT;
	if (shopify_site_of(row->options, row->name, &site, err, sizeof(err)) < 0) {
		settings_refused(out, err);
		return;
	}
	struct cost_seen seen;
	out->ok = shopify_test(shop, &site, cfg, out->checks, &seen);
	shopify_site_free(&site);
	if (seen.known)
		store_cost_seen_put(s, row->id, &seen);
}

bool dest_check_run(struct store *s, const struct config *cfg, const struct dest_row *row, struct dest_check *out)
{
	memset(out, 0, sizeof(*out));
	struct shop shop;
	char err[512];
	if (shop_open(s, row, cfg, &shop, err, sizeof(err)) < 0) {
		snprintf(out->summary, sizeof(out->summary), "credentials: %s", err);
	} else {
		out->opened = true;
		if (str_eq(row->type, "wordpress")) {
			run_wp(row, &shop, cfg, out);
		} else if (str_eq(row->type, "shopify")) {
			run_shopify(s, row, &shop, cfg, out);
		} else {
			out->nchecks = WOO_CHECK_COUNT;
			out->ok = woo_test(&shop, cfg, out->checks);
		}
		if (out->opened)
			summarize(out);
	}
	shop_free(&shop);
	store_dest_set_health(s, row->id, out->ok, out->summary, now_ms());
	return out->ok;
}
