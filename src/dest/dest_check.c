#include "dest/dest_check.h"

#include <stdio.h>
#include <string.h>

#include "core/util.h"
#include "dest/shop.h"
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

bool dest_check_run(struct store *s, const struct config *cfg, const struct dest_row *row, struct dest_check *out)
{
	memset(out, 0, sizeof(*out));
	struct shop shop;
	char err[512];
	if (shop_open(row, cfg, &shop, err, sizeof(err)) < 0) {
		snprintf(out->summary, sizeof(out->summary), "credentials: %s", err);
	} else {
		out->opened = true;
		struct wp_site site;
		bool wp = str_eq(row->type, "wordpress");
		out->nchecks = wp ? WP_CHECK_COUNT : WOO_CHECK_COUNT;
		if (wp && wp_site_of(row->options, row->name, &site, err, sizeof(err)) < 0) {
			out->opened = false;
			snprintf(out->summary, sizeof(out->summary), "%s", err);
		} else if (wp) {
			out->ok = wp_test(&shop, &site, cfg, out->checks);
			wp_site_free(&site);
		} else {
			out->ok = woo_test(&shop, cfg, out->checks);
		}
		if (out->opened)
			summarize(out);
	}
	shop_free(&shop);
	store_dest_set_health(s, row->id, out->ok, out->summary, now_ms());
	return out->ok;
}
