/* The Shopify query-cost bucket (dest/cost_bucket.h). */
#include <criterion/criterion.h>
#include <string.h>

#include "dest/cost_bucket.h"
#include "dest/limits_text.h"

static bool parse(const char *json, struct cost_reading *r, char *err, size_t errsz)
{
	cJSON *o = cJSON_Parse(json);
	bool ok = cost_reading_parse(o, r, err, errsz);
	cJSON_Delete(o);
	return ok;
}

/* The shape of a throttled answer, from https://shopify.dev/docs/api/usage/limits#graphql-admin-api-rate-limits */
Test(cost_bucket, reads_throttle_status)
{
	struct cost_reading r;
	char err[256] = "";
	cr_assert(parse("{\"errors\":[{\"message\":\"Throttled\",\"extensions\":{\"code\":\"THROTTLED\"}}],"
			"\"extensions\":{\"cost\":{\"requestedQueryCost\":202,\"actualQueryCost\":null,"
			"\"throttleStatus\":{\"maximumAvailable\":1000.0,\"currentlyAvailable\":10,"
			"\"restoreRate\":50.0}}}}", &r, err, sizeof(err)), "%s", err);
	cr_assert_float_eq(r.maximum, 1000, 1e-9);
	cr_assert_float_eq(r.available, 10, 1e-9);
	cr_assert_float_eq(r.restore_rate, 50, 1e-9);
}

Test(cost_bucket, names_what_is_missing)
{
	struct cost_reading r;
	char err[256] = "";
	cr_assert_not(parse("{\"data\":{}}", &r, err, sizeof(err)));
	cr_assert_str_eq(err, "the answer has no extensions.cost.throttleStatus");
	cr_assert_not(parse("{\"extensions\":{\"cost\":{\"throttleStatus\":{\"maximumAvailable\":1000,"
			    "\"currentlyAvailable\":\"x\",\"restoreRate\":50}}}}", &r, err, sizeof(err)));
	cr_assert_str_eq(err, "extensions.cost.throttleStatus.currentlyAvailable is missing or not a non-negative number");
	cr_assert_not(parse("{\"extensions\":{\"cost\":{\"throttleStatus\":{\"maximumAvailable\":1000,"
			    "\"currentlyAvailable\":5,\"restoreRate\":-1}}}}", &r, err, sizeof(err)));
	cr_assert(strstr(err, "restoreRate"));
}

Test(cost_bucket, unknown_shop_never_waits)
{
	struct cost_bucket b = {0};
	cr_assert_eq(cost_bucket_wait_ms(&b, 5000, 0), 0);
}

Test(cost_bucket, refills_at_restore_rate_up_to_the_maximum)
{
	struct cost_bucket b = {0};
	cost_bucket_learn(&b, &(struct cost_reading){1000, 100, 100}, 10000);
	cr_assert_float_eq(cost_bucket_available(&b, 10000), 100, 1e-9);
	cr_assert_float_eq(cost_bucket_available(&b, 12500), 350, 1e-9);
	cr_assert_float_eq(cost_bucket_available(&b, 60000), 1000, 1e-9);
}

Test(cost_bucket, waits_until_the_request_fits)
{
	struct cost_bucket b = {0};
	cost_bucket_learn(&b, &(struct cost_reading){1000, 100, 100}, 0);
	cr_assert_eq(cost_bucket_wait_ms(&b, 100, 0), 0);
	cr_assert_eq(cost_bucket_wait_ms(&b, 350, 0), 2500);
	cr_assert_eq(cost_bucket_wait_ms(&b, 350, 2000), 500);
	cr_assert_eq(cost_bucket_wait_ms(&b, 101, 0), 10, "a fraction of a millisecond rounds up");
}

Test(cost_bucket, over_the_maximum_never_fits)
{
	struct cost_bucket b = {0};
	cost_bucket_learn(&b, &(struct cost_reading){1000, 1000, 50}, 0);
	cr_assert_eq(cost_bucket_wait_ms(&b, 1000, 0), 0);
	cr_assert_eq(cost_bucket_wait_ms(&b, 1001, 0), COST_NEVER_FITS);
	cost_bucket_learn(&b, &(struct cost_reading){1000, 0, 0}, 0);
	cr_assert_eq(cost_bucket_wait_ms(&b, 1, 0), COST_NEVER_FITS, "nothing restores");
}

Test(cost_bucket, spending_goes_ahead_of_the_next_reading)
{
	struct cost_bucket b = {0};
	cost_bucket_learn(&b, &(struct cost_reading){1000, 1000, 100}, 0);
	cost_bucket_spend(&b, 900, 0);
	cr_assert_float_eq(cost_bucket_available(&b, 0), 100, 1e-9);
	cr_assert_eq(cost_bucket_wait_ms(&b, 300, 1000), 1000);
	cost_bucket_spend(&b, 200, 1000);
	cr_assert_float_eq(cost_bucket_available(&b, 1000), 0, 1e-9);
}

Test(cost_bucket, one_bucket_per_shop_for_the_process)
{
	struct cost_bucket *a = cost_bucket_of("a.myshopify.com");
	struct cost_bucket *b = cost_bucket_of("b.myshopify.com");
	cr_assert_not_null(a);
	cr_assert_neq(a, b);
	cr_assert_eq(cost_bucket_of("a.myshopify.com"), a);
}

Test(cost_bucket, a_stored_reading_reads_refilled_to_now)
{
	struct cost_seen c = {.known = true, .maximum = 1000, .available = 100.6, .restore_rate = 50, .seen_at = 10000};
	char text[64];
	limits_cost_text(&c, 10000, text, sizeof(text));
	cr_assert_str_eq(text, "100/1000 50/s", "whole points: a request of 101 does not fit yet");
	limits_cost_text(&c, 12000, text, sizeof(text));
	cr_assert_str_eq(text, "200/1000 50/s");
	limits_cost_text(&c, 99000, text, sizeof(text));
	cr_assert_str_eq(text, "1000/1000 50/s", "no more than the maximum");
	c.restore_rate = 0.5;
	limits_cost_text(&c, 14000, text, sizeof(text));
	cr_assert_str_eq(text, "102/1000 0.5/s");
}
