/* Validating and storing connection documents (see conn_save.h). */
#include "engine/conn_save.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/store_dest.h"
#include "core/util.h"
#include "engine/scheduler.h"
#include "feed/conn.h"
#include "feed/preset.h"

static bool is_url(const char *s)
{
	return str_starts_with(s, "http://") || str_starts_with(s, "https://") || str_starts_with(s, "file://");
}

/* A relative path means "relative to where I am now": store it absolute so workers anywhere find it. */
static void absolutize(cJSON *obj, const char *key)
{
	cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (!cJSON_IsString(item) || is_url(item->valuestring) || item->valuestring[0] == '/')
		return;
	char cwd[PATH_MAX];
	if (!getcwd(cwd, sizeof(cwd)))
		return;
	char *abs = xasprintf("%s/%s", cwd, item->valuestring);
	cJSON_SetValuestring(item, abs);
	free(abs);
}

static const char *member_string(const cJSON *obj, const char *key)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, key);
	return cJSON_IsString(item) ? item->valuestring : NULL;
}

static void fill_fields(struct conn_fields *f, const struct conn_config *conn, const char *document)
{
	const char *url = member_string(cJSON_GetObjectItemCaseSensitive(conn->doc, "source"), "url");
	f->name = conn->name;
	f->active = conn->active;
	f->source_type = conn->source_type;
	f->source_url = url ? url : conn->url;
	f->schedule = conn->schedule_text;
	f->dest_type = conn->dest_type;
	f->document = document;
	f->next_due_at = conn->active ? scheduler_next_due(conn->schedule_text, now_ms(), 0) : 0;
}

/* ---- routes: a source to a destination --------------------------------------------------------------- */

/* "file /abs/out.csv" or "woocommerce 3" (a shop named in the document is looked up); NULL without one. */
static char *route_destination(struct store *s, const cJSON *doc)
{
	const cJSON *dest = cJSON_GetObjectItemCaseSensitive(doc, "destination");
	const char *type = member_string(dest, "type");
	if (str_eq(type, "file"))
		return xasprintf("file %s", member_string(dest, "path"));
	if (!str_eq(type, "woocommerce") && !str_eq(type, "wordpress") && !str_eq(type, "shopify"))
		return NULL;
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(dest, "id");
	if (cJSON_IsNumber(id))
		return xasprintf("woocommerce %lld", (long long)id->valuedouble);
	const char *name = member_string(dest, "name");
	struct dest_row row;
	if (name && store_dest_find(s, name, &row) == 1) {
		char *key = xasprintf("woocommerce %lld", (long long)row.id);
		dest_row_free(&row);
		return key;
	}
	return xasprintf("woocommerce named %s", name ? name : "");
}

/* 1 with err naming the other connection when one already goes from this source to this destination. */
static int route_taken(struct store *s, const cJSON *doc, int64_t except_id, char *err, size_t errsize)
{
	char *dest = route_destination(s, doc);
	const char *url = member_string(cJSON_GetObjectItemCaseSensitive(doc, "source"), "url");
	if (!dest || !url) {
		free(dest);
		return 0;
	}
	struct conn_row *rows;
	size_t n;
	if (store_conn_list(s, &rows, &n) < 0) {
		free(dest);
		snprintf(err, errsize, "cannot read the connections: %s", store_errmsg(s));
		return -1;
	}
	int taken = 0;
	for (size_t i = 0; i < n && !taken; i++) {
		if (rows[i].id == except_id || !str_eq(rows[i].source_url, url))
			continue;
		cJSON *other = cJSON_Parse(rows[i].document);
		char *other_dest = other ? route_destination(s, other) : NULL;
		if (str_eq(other_dest, dest)) {
			snprintf(err, errsize, "connection %lld '%s' already takes %s to the same destination; change the "
			         "source or the destination, or edit that connection", (long long)rows[i].id, rows[i].name,
			         url);
			taken = 1;
		}
		free(other_dest);
		cJSON_Delete(other);
	}
	conn_rows_free(rows, n);
	free(dest);
	return taken;
}

/* ---- saving ------------------------------------------------------------------------------------------ */

static enum conn_save_result write_row(struct store *s, struct conn_config *conn, struct conn_save *cs)
{
	absolutize(cJSON_GetObjectItemCaseSensitive(conn->doc, "source"), "url");
	absolutize(cJSON_GetObjectItemCaseSensitive(conn->doc, "destination"), "path");
	if (cs->unique_route) {
		int taken = route_taken(s, conn->doc, cs->id, cs->err, sizeof(cs->err));
		if (taken)
			return taken > 0 ? CONN_SAVE_REFUSED : CONN_SAVE_FAILED;
	}
	char *document = conn_to_json(conn);
	struct conn_fields fields;
	fill_fields(&fields, conn, document);
	int rc = cs->id ? store_conn_update(s, cs->id, &fields, cs->err, sizeof(cs->err))
	                : store_conn_insert(s, &fields, &cs->id, cs->err, sizeof(cs->err));
	free(document);
	return rc == 0 ? CONN_SAVED : rc == 1 ? CONN_SAVE_REFUSED : CONN_SAVE_FAILED;
}

enum conn_save_result conn_save(struct store *s, const char *text, struct conn_save *cs)
{
	cs->err[0] = '\0';
	struct conn_config *conn = conn_parse(text, &cs->problems);
	if (conn)
		preset_check_conn(conn, NULL, 0, &cs->problems);
	if (conn && cs->problems.n) {
		conn_free(conn);
		conn = NULL;
	}
	if (!conn)
		return CONN_SAVE_INVALID;
	bool own = !store_in_transaction(s);
	if (own && store_begin(s) < 0) {
		snprintf(cs->err, sizeof(cs->err), "cannot start a transaction: %s", store_errmsg(s));
		conn_free(conn);
		return CONN_SAVE_FAILED;
	}
	enum conn_save_result r = write_row(s, conn, cs);
	if (own && r == CONN_SAVED && store_commit(s) < 0) {
		snprintf(cs->err, sizeof(cs->err), "cannot save the connection: %s", store_errmsg(s));
		r = CONN_SAVE_FAILED;
	}
	if (own && r != CONN_SAVED)
		store_rollback(s);
	conn_free(conn);
	return r;
}

char *conn_copy_name(struct store *s, const char *base)
{
	struct conn_row *rows;
	size_t n;
	if (store_conn_list(s, &rows, &n) < 0)
		return xasprintf("%s (copy)", base);
	for (int k = 1;; k++) {
		char *candidate = k == 1 ? xasprintf("%s (copy)", base) : xasprintf("%s (copy %d)", base, k);
		bool taken = false;
		for (size_t i = 0; i < n && !taken; i++)
			taken = str_eq(rows[i].name, candidate);
		if (!taken) {
			conn_rows_free(rows, n);
			return candidate;
		}
		free(candidate);
	}
}
