#include "dest/dest_check.h"

#include <stdio.h>
#include <string.h>

#include "core/util.h"
#include "dest/shop.h"

static void summarize(struct dest_check *out)
{
	snprintf(out->summary, sizeof(out->summary), "all checks passed");
	for (int i = 0; i < WOO_CHECK_COUNT; i++) {
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
		out->ok = woo_test(&shop, cfg, out->checks);
		summarize(out);
	}
	shop_free(&shop);
	store_dest_set_health(s, row->id, out->ok, out->summary, now_ms());
	return out->ok;
}
