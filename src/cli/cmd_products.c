/*
 * feedsync products CONN [--sku S] [--state S] [--limit N] [--json]: a connection's catalog product by
 * product with its state, remote id and last error; --sku shows one product's page with its history.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/output.h"
#include "core/store_groups.h"
#include "core/store_products.h"
#include "core/util.h"
#include "engine/product_page.h"

#define DEFAULT_LIMIT 100

static const char usage[] = "feedsync products CONN [--sku S] [--state S] [--limit N] [--json]";

struct options {
	const char *conn, *sku, *state;
	int limit;
	bool json;
};

static int parse(int argc, char **argv, struct options *o)
{
	*o = (struct options){.limit = DEFAULT_LIMIT};
	for (int i = 0; i < argc; i++) {
		bool missing = false;
		const char *v;
		if (arg_is(argv[i], "--json")) {
			o->json = true;
		} else if ((v = arg_value(argc, argv, &i, "--sku", &missing))) {
			o->sku = v;
		} else if ((v = arg_value(argc, argv, &i, "--state", &missing))) {
			if (!product_state_valid(v))
				return cli_usage("--state: '%s' is not a state (retired, missing, in_sync, failed, new, changed)", v);
			o->state = v;
		} else if ((v = arg_value(argc, argv, &i, "--limit", &missing))) {
			int64_t n;
			if (!parse_int64(v, &n) || n < 0 || n > INT32_MAX)
				return cli_usage("--limit: '%s' is not a number of products (0 = all)", v);
			o->limit = (int)n;
		} else if (missing) {
			return cli_usage("%s needs a value: %s", argv[i], usage);
		} else if (argv[i][0] != '-' && !o->conn) {
			o->conn = argv[i];
		} else {
			return cli_usage("products: unexpected '%s': %s", argv[i], usage);
		}
	}
	if (!o->conn)
		return cli_usage("products needs a connection (id or name): %s", usage);
	return EXIT_OK;
}

/* CONN is an id, or else a connection's name. */
static int find_conn(struct cli *cli, const char *arg, struct conn_row *row)
{
	int64_t id;
	if (parse_id(arg, &id))
		return cli_get_conn(cli, arg, row);
	struct store *s = cli_store(cli);
	int found = store_conn_find(s, arg, &id);
	if (found < 0)
		return cli_fail(EXIT_FAILED, "cannot look for connection '%s': %s", arg, store_errmsg(s));
	if (found == 0)
		return cli_fail(EXIT_NOT_FOUND, "no connection named '%s' (see 'feedsync conn list')", arg);
	char text[32];
	snprintf(text, sizeof(text), "%lld", (long long)id);
	return cli_get_conn(cli, text, row);
}

static cJSON *product_to_json(const struct product_row *r)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "sku", r->sku);
	r->name ? cJSON_AddStringToObject(o, "name", r->name) : cJSON_AddNullToObject(o, "name");
	r->price ? cJSON_AddStringToObject(o, "price", r->price) : cJSON_AddNullToObject(o, "price");
	r->has_quantity ? cJSON_AddNumberToObject(o, "quantity", (double)r->quantity) : cJSON_AddNullToObject(o, "quantity");
	r->parent_sku ? cJSON_AddStringToObject(o, "parent_sku", r->parent_sku) : cJSON_AddNullToObject(o, "parent_sku");
	cJSON_AddStringToObject(o, "state", r->state);
	r->remote_id ? cJSON_AddNumberToObject(o, "remote_id", (double)r->remote_id) : cJSON_AddNullToObject(o, "remote_id");
	r->failed_run ? cJSON_AddNumberToObject(o, "failed_run", (double)r->failed_run)
	              : cJSON_AddNullToObject(o, "failed_run");
	r->last_error ? cJSON_AddStringToObject(o, "last_error", r->last_error) : cJSON_AddNullToObject(o, "last_error");
	return o;
}

/* ---- the list ---- */

struct listing {
	struct text_table table;
	size_t n;
	bool grouped;            /* the catalog has variants: a PARENT column names their groups */
};

static void add_text_row(void *ud, const struct product_row *r)
{
	struct listing *l = ud;
	char qty[24] = "", remote[24] = "";
	if (r->has_quantity)
		snprintf(qty, sizeof(qty), "%lld", (long long)r->quantity);
	if (r->remote_id)
		snprintf(remote, sizeof(remote), "%lld", (long long)r->remote_id);
	const char *cells[] = {r->sku, r->parent_sku ? r->parent_sku : "", r->name ? r->name : "", r->state,
	                       r->price ? r->price : "", qty, remote, r->last_error ? r->last_error : ""};
	if (!l->grouped)
		memmove(cells + 1, cells + 2, sizeof(cells) - 2 * sizeof(*cells));
	tt_add(&l->table, cells);
	l->n++;
}

/* JSON goes out product by product: a whole catalog never sits in memory. */
static void print_json_row(void *ud, const struct product_row *r)
{
	struct listing *l = ud;
	cJSON *o = product_to_json(r);
	char *printed = cJSON_PrintUnformatted(o);
	printf("%s%s", l->n++ ? ",\n" : "\n", printed ? printed : "null");
	cJSON_free(printed);
	cJSON_Delete(o);
}

static void note_group(void *ud, const char *parent_sku, int64_t variants)
{
	(void)parent_sku;
	(void)variants;
	*(bool *)ud = true;
}

static int list(struct cli *cli, const struct conn_row *conn, const struct options *o)
{
	struct store *s = cli_store(cli);
	struct product_query q = {.connection_id = conn->id, .state = o->state, .limit = o->limit};
	int64_t total = store_products_count(s, &q);
	if (total < 0)
		return cli_fail(EXIT_FAILED, "cannot count the products of connection %lld: %s", (long long)conn->id,
		                store_errmsg(s));
	static const char *const grouped[] = {"SKU", "PARENT", "NAME", "STATE", "PRICE", "QTY", "REMOTE ID", "LAST ERROR"};
	static const char *const plain[] = {"SKU", "NAME", "STATE", "PRICE", "QTY", "REMOTE ID", "LAST ERROR"};
	struct listing l = {0};
	int rc;
	if (o->json) {
		printf("{\"connection_id\": %lld, \"total\": %lld, \"products\": [", (long long)conn->id, (long long)total);
		rc = store_products_each(s, &q, print_json_row, &l);
		printf("%s]}\n", l.n ? "\n" : "");
	} else {
		if (store_groups_each(s, conn->id, note_group, &l.grouped) < 0)
			return cli_fail(EXIT_FAILED, "cannot read the groups of connection %lld: %s", (long long)conn->id,
			                store_errmsg(s));
		if (l.grouped)
			tt_init(&l.table, ARRAY_LEN(grouped), grouped, "llllrrrl");
		else
			tt_init(&l.table, ARRAY_LEN(plain), plain, "lllrrrl");
		rc = store_products_each(s, &q, add_text_row, &l);
		if (rc == 0) {
			tt_print(&l.table, stdout);
			if ((int64_t)l.n < total)
				printf("%zu of %lld products%s%s (--limit 0 lists all)\n", l.n, (long long)total,
				       o->state ? " in state " : "", o->state ? o->state : "");
			else
				printf("%zu product%s%s%s\n", l.n, l.n == 1 ? "" : "s", o->state ? " in state " : "",
				       o->state ? o->state : "");
		}
		tt_free(&l.table);
	}
	if (rc < 0)
		return cli_fail(EXIT_FAILED, "cannot read the products of connection %lld: %s", (long long)conn->id,
		                store_errmsg(s));
	return EXIT_OK;
}

/* ---- one product's page ---- */

static cJSON *page_to_json(const struct product_page *p)
{
	cJSON *o = product_to_json(&p->d.row);
	cJSON *data = cJSON_Parse(p->d.data ? p->d.data : "{}");
	cJSON_AddItemToObject(o, "fields", data ? data : cJSON_CreateObject());
	cJSON *pushed = p->d.pushed_data ? cJSON_Parse(p->d.pushed_data) : NULL;
	cJSON_AddItemToObject(o, "pushed_fields", pushed ? pushed : cJSON_CreateNull());
	p->d.pushed_run ? cJSON_AddNumberToObject(o, "pushed_run", (double)p->d.pushed_run)
	                : cJSON_AddNullToObject(o, "pushed_run");
	cJSON *history = cJSON_AddArrayToObject(o, "history");
	for (size_t i = 0; i < p->nevents; i++) {
		const struct product_event *e = &p->events[i];
		cJSON *h = cJSON_CreateObject();
		e->run_id ? cJSON_AddNumberToObject(h, "run_id", (double)e->run_id) : cJSON_AddNullToObject(h, "run_id");
		cJSON_AddNumberToObject(h, "at", (double)e->at / 1000.0);
		cJSON_AddStringToObject(h, "event", e->what);
		cJSON_AddStringToObject(h, "detail", e->detail);
		cJSON_AddItemToArray(history, h);
	}
	return o;
}

static int show(struct cli *cli, const struct conn_row *conn, const struct options *o)
{
	struct store *s = cli_store(cli);
	struct product_page page;
	int found = product_page_read(s, conn->id, o->sku, &page);
	if (found < 0)
		return cli_fail(EXIT_FAILED, "cannot read product '%s' of connection %lld: %s", o->sku, (long long)conn->id,
		                store_errmsg(s));
	if (found == 0)
		return cli_fail(EXIT_NOT_FOUND, "connection %lld has no product with SKU '%s'", (long long)conn->id, o->sku);
	if (o->json) {
		json_print(page_to_json(&page), stdout);
	} else {
		struct strbuf text = {0};
		product_page_text(&page, &text);
		fputs(sb_str(&text), stdout);
		sb_free(&text);
	}
	product_page_free(&page);
	return EXIT_OK;
}

int cmd_products(struct cli *cli, int argc, char **argv)
{
	struct options o;
	if (parse(argc, argv, &o) != EXIT_OK)
		return EXIT_USAGE;
	struct conn_row conn = {0};
	int rc = find_conn(cli, o.conn, &conn);
	if (rc == EXIT_OK)
		rc = o.sku ? show(cli, &conn, &o) : list(cli, &conn, &o);
	conn_row_free(&conn);
	return rc;
}
