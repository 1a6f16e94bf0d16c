/*
 * feedsync notify add | edit | list | show | rm | test | log | deliver: the notification channels, each with
 * the rules that send over it, and what was sent (notify/notify.h). A channel's secret is taken from stdin or
 * named by a variable, stored sealed, and never printed.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/help.h"
#include "cli/output.h"
#include "core/store_notify.h"
#include "core/util.h"
#include "dest/secret.h"
#include "feed/fetch.h"
#include "notify/channel.h"
#include "notify/message.h"
#include "notify/notify.h"

struct notify_args {
	const char *ref;              /* the channel (edit, show, rm, test, log), or the new name (add) */
	const char *webhook, *command, *smtp;
	const char *args[32];
	int nargs;
	const char *conn, *secret;
	bool all_connections, enable, disable, json;
	const char *limit_rows;       /* log --rows */
	const char *run;              /* log --run */
	/* Options set onto the channel's settings, as "name=value" pairs applied in order. */
	const char *opt_name[32], *opt_value[32];
	int nopts;
};

static int usage(const char *fmt, const char *arg)
{
	cli_usage(fmt, arg);
	help_print("notify", stderr);
	return EXIT_USAGE;
}

/* The options that set one settings member, by their flag. */
static const char *const SETTING_FLAGS[][2] = {
	{"--on", "on"}, {"--error-share", "error_share"}, {"--streak", "streak"}, {"--stuck-after", "stuck_after_s"},
	{"--limit", "limit"}, {"--per", "per_s"}, {"--attempts", "attempts"}, {"--backoff", "backoff_s"},
	{"--timeout", "timeout_s"}, {"--secret-env", "secret_env"}, {"--from", "from"}, {"--to", "to"},
	{"--user", "user"}, {"--subject", "subject"}, {"--body", "body"}, {"--body-file", "body_file"},
	{"--ca-file", "ca_file"},
};

static bool setting_flag(int argc, char **argv, int *i, struct notify_args *a, bool *missing)
{
	for (size_t k = 0; k < ARRAY_LEN(SETTING_FLAGS); k++) {
		const char *v = arg_value(argc, argv, i, SETTING_FLAGS[k][0], missing);
		if (!v)
			continue;
		if (a->nopts == (int)ARRAY_LEN(a->opt_name))
			return false;
		a->opt_name[a->nopts] = SETTING_FLAGS[k][1];
		a->opt_value[a->nopts++] = v;
		return true;
	}
	return false;
}

static int parse_args(int argc, char **argv, struct notify_args *a)
{
	memset(a, 0, sizeof(*a));
	bool missing = false;
	for (int i = 0; i < argc; i++) {
		const char *v;
		if (setting_flag(argc, argv, &i, a, &missing))
			continue;
		if (missing)
			return usage("%s needs a value", argv[i]);
		if ((v = arg_value(argc, argv, &i, "--webhook", &missing)))
			a->webhook = v;
		else if ((v = arg_value(argc, argv, &i, "--command", &missing)))
			a->command = v;
		else if ((v = arg_value(argc, argv, &i, "--smtp", &missing)))
			a->smtp = v;
		else if ((v = arg_value(argc, argv, &i, "--arg", &missing))) {
			if (a->nargs == (int)ARRAY_LEN(a->args) - 1)
				return usage("%s: too many arguments for the command", v);
			a->args[a->nargs++] = v;
		} else if ((v = arg_value(argc, argv, &i, "--conn", &missing)))
			a->conn = v;
		else if ((v = arg_value(argc, argv, &i, "--secret", &missing)))
			a->secret = v;
		else if ((v = arg_value(argc, argv, &i, "--rows", &missing)))
			a->limit_rows = v;
		else if ((v = arg_value(argc, argv, &i, "--run", &missing)))
			a->run = v;
		else if (missing)
			return usage("%s needs a value", argv[i]);
		else if (arg_is(argv[i], "--starttls")) {
			a->opt_name[a->nopts] = "starttls";
			a->opt_value[a->nopts++] = "true";
		} else if (arg_is(argv[i], "--all-connections"))
			a->all_connections = true;
		else if (arg_is(argv[i], "--enable"))
			a->enable = true;
		else if (arg_is(argv[i], "--disable"))
			a->disable = true;
		else if (arg_is(argv[i], "--json"))
			a->json = true;
		else if (argv[i][0] == '-' || a->ref)
			return usage("notify: unexpected argument '%s'", argv[i]);
		else
			a->ref = argv[i];
	}
	return EXIT_OK;
}

/* ---- building a channel from the options ---- */

static bool has_line_break(const char *s)
{
	return strpbrk(s, "\r\n") != NULL;
}

/* One "name=value" option onto the settings' JSON object; EXIT_OK or a usage error. */
static int apply_option(cJSON *o, const char *name, const char *value)
{
	char err[256];
	if (str_eq(name, "on")) {
		unsigned events;
		if (notify_events_parse(value, &events, err, sizeof(err)) < 0)
			return usage("--on: %s", err);
	}
	if (str_eq(name, "error_share")) {
		char *end;
		double share = strtod(value, &end);
		if (*end || end == value || share < 0 || share > 100)
			return usage("--error-share %s: expected a percentage from 0 to 100", value);
		cJSON_DeleteItemFromObjectCaseSensitive(o, name);
		cJSON_AddNumberToObject(o, name, share);
		return EXIT_OK;
	}
	if (str_eq(name, "starttls")) {
		cJSON_DeleteItemFromObjectCaseSensitive(o, name);
		cJSON_AddTrueToObject(o, name);
		return EXIT_OK;
	}
	int64_t n;
	static const char *const NUMBERS[] = {"streak", "stuck_after_s", "limit", "per_s", "attempts", "backoff_s",
	                                      "timeout_s", NULL};
	if (str_in(name, NUMBERS)) {
		if (!parse_int64(value, &n))
			return usage("expected a whole number, not '%s'", value);
		cJSON_DeleteItemFromObjectCaseSensitive(o, name);
		cJSON_AddNumberToObject(o, name, (double)n);
		return EXIT_OK;
	}
	char *text = NULL;
	if (str_eq(name, "body_file")) {
		text = cli_read_file(value, err, sizeof(err));
		if (!text)
			return cli_fail(EXIT_FAILED, "--body-file: %s", err);
		name = "body";
	}
	if (!text && (str_eq(name, "from") || str_eq(name, "to") || str_eq(name, "subject")) && has_line_break(value))
		return usage("%s: a line break has no place in a mail header", value);
	cJSON_DeleteItemFromObjectCaseSensitive(o, name);
	cJSON_AddStringToObject(o, name, text ? text : value);
	free(text);
	return EXIT_OK;
}

static char *argv_json(const char *prog, const char *const *args, int n)
{
	cJSON *arr = cJSON_CreateArray();
	cJSON_AddItemToArray(arr, cJSON_CreateString(prog));
	for (int i = 0; i < n; i++)
		cJSON_AddItemToArray(arr, cJSON_CreateString(args[i]));
	char *text = cJSON_PrintUnformatted(arr);
	cJSON_Delete(arr);
	char *copy = xstrdup(text);
	cJSON_free(text);
	return copy;
}

/* The channel kind and target the options give, over ch's; EXIT_OK or a usage error. */
static int apply_target(const struct notify_args *a, struct notify_channel *ch)
{
	int given = !!a->webhook + !!a->command + !!a->smtp;
	if (given > 1)
		return usage("%s", "give one of --webhook, --command and --smtp");
	if (a->nargs && !a->command)
		return usage("%s", "--arg goes with --command");
	if (!given)
		return ch->kind ? EXIT_OK : usage("%s", "notify add needs a channel: --webhook, --command or --smtp");
	const char *kind = a->webhook ? "webhook" : a->command ? "command" : "smtp";
	if (a->webhook && !str_starts_with(a->webhook, "http://") && !str_starts_with(a->webhook, "https://"))
		return usage("--webhook %s: expected an http:// or https:// URL", a->webhook);
	if (a->smtp && !str_starts_with(a->smtp, "smtp://") && !str_starts_with(a->smtp, "smtps://"))
		return usage("--smtp %s: expected an smtp:// or smtps:// URL", a->smtp);
	free(ch->kind);
	free(ch->target);
	ch->kind = xstrdup(kind);
	ch->target = a->command ? argv_json(a->command, a->args, a->nargs) : xstrdup(a->webhook ? a->webhook : a->smtp);
	return EXIT_OK;
}

/* Plain addresses only: the envelope wraps each in <>, so brackets or quotes would make another one. */
static bool mail_addresses_ok(const char *list, bool several)
{
	for (const char *p = list; *p;) {
		p += strspn(p, " ");
		size_t len = strcspn(p, several ? "," : "");
		if (!memchr(p, '@', len))
			return false;
		for (size_t i = 0; i < len; i++)
			if (strchr("<>\"()[]\\;:", p[i]) || (unsigned char)p[i] < 0x20)
				return false;
		p += len;
		if (*p == ',')
			p++;
	}
	return true;
}

/* Whether a webhook body template makes JSON, tried on the payload of a run like any other. */
static bool renders_json(const char *tmpl)
{
	struct run_row r = {.id = 1, .connection_id = 1, .connection_name = "check", .status = RUN_FAILED};
	struct notify_run_facts f = {.event = "failed", .first_error = ""};
	char *payload = notify_payload_run(&r, &f, now_ms());
	char *body = notify_render_json(tmpl, payload);
	cJSON *json = cJSON_Parse(body);
	bool ok = json != NULL;
	cJSON_Delete(json);
	free(body);
	free(payload);
	return ok;
}

/* Every option onto channel ch (a new one when ch->id is 0), checked as notify_settings_parse reads them. */
static int apply_args(struct cli *cli, const struct notify_args *a, struct notify_channel *ch)
{
	int rc = apply_target(a, ch);
	if (rc != EXIT_OK)
		return rc;
	if (a->conn) {
		struct conn_row c;
		if ((rc = cli_get_conn(cli, a->conn, &c)) != EXIT_OK)
			return rc;
		ch->connection_id = c.id;
		conn_row_free(&c);
	}
	if (a->all_connections)
		ch->connection_id = 0;
	if (a->enable || a->disable)
		ch->enabled = a->enable;
	cJSON *o = cJSON_Parse(ch->options ? ch->options : "{}");
	if (!cJSON_IsObject(o)) {
		cJSON_Delete(o);
		o = cJSON_CreateObject();
	}
	for (int i = 0; rc == EXIT_OK && i < a->nopts; i++)
		rc = apply_option(o, a->opt_name[i], a->opt_value[i]);
	char *text = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (rc != EXIT_OK) {
		cJSON_free(text);
		return rc;
	}
	struct notify_settings set;
	char err[256];
	if (notify_settings_parse(text, &set, err, sizeof(err)) < 0) {
		cJSON_free(text);
		return usage("%s", err);
	}
	cJSON_free(text);
	if (str_eq(ch->kind, "smtp") && (!set.from[0] || !set.to[0]))
		return usage("%s", "an e-mail channel needs --from and --to");
	if (str_eq(ch->kind, "smtp") && (!mail_addresses_ok(set.from, false) || !mail_addresses_ok(set.to, true)))
		return usage("%s", "--from and --to take plain addresses (name@example.com), --to separated by commas");
	if (str_eq(ch->kind, "smtp") && set.user[0] && !set.secret_env[0] && !ch->secret && !a->secret)
		return usage("%s", "--user needs its password: --secret - or --secret-env VAR");
	if (set.ca_file[0] && access(set.ca_file, R_OK) != 0)
		return usage("--ca-file %s: cannot read it", set.ca_file);
	if (str_eq(ch->kind, "webhook") && set.body[0] && !renders_json(set.body))
		return usage("--body %s: a webhook's body template must make JSON", set.body);
	free(ch->options);
	ch->options = notify_settings_json(&set);
	if (a->secret) {
		char *plain = cli_read_secret(a->secret);
		free(ch->secret);
		ch->secret = NULL;
		ch->secret_len = 0;
		rc = *plain && secret_seal(&cli->cfg, plain, &ch->secret, &ch->secret_len, err, sizeof(err)) < 0
		         ? cli_fail(EXIT_FAILED, "cannot seal the channel's secret: %s", err)
		         : EXIT_OK;
		secret_free(plain);
	}
	return rc;
}

static int get_channel(struct cli *cli, const char *ref, struct notify_channel *ch)
{
	if (!ref)
		return usage("%s", "which channel? give its id or name");
	int found = store_notify_channel_get(cli_store(cli), ref, ch);
	if (found < 0)
		return cli_fail(EXIT_FAILED, "cannot read notification channel %s: %s", ref, store_errmsg(cli_store(cli)));
	if (!found)
		return cli_fail(EXIT_NOT_FOUND, "no notification channel %s (see 'feedsync notify list')", ref);
	return EXIT_OK;
}

static int save(struct cli *cli, const struct notify_args *a, struct notify_channel *ch)
{
	char err[256];
	int64_t id = ch->id;
	int rc = ch->id ? store_notify_channel_update(cli_store(cli), ch, err, sizeof(err))
	                : store_notify_channel_insert(cli_store(cli), ch, &id, err, sizeof(err));
	if (rc != 0)
		return cli_fail(rc == 1 ? EXIT_REFUSED : EXIT_FAILED, "%s", err);
	if (a->json)
		printf("{\"id\": %lld}\n", (long long)id);
	else
		printf("notification channel %lld %s %s\n", (long long)id, ch->name, a->ref && ch->id ? "saved" : "added");
	return EXIT_OK;
}

static int notify_add(struct cli *cli, const struct notify_args *a)
{
	if (!a->ref)
		return usage("%s", "notify add needs a NAME");
	struct notify_channel ch = {.name = xstrdup(a->ref), .enabled = !a->disable};
	int rc = apply_args(cli, a, &ch);
	if (rc == EXIT_OK)
		rc = save(cli, a, &ch);
	notify_channel_free(&ch);
	return rc;
}

static int notify_edit(struct cli *cli, const struct notify_args *a)
{
	struct notify_channel ch;
	int rc = get_channel(cli, a->ref, &ch);
	if (rc != EXIT_OK)
		return rc;
	rc = apply_args(cli, a, &ch);
	if (rc == EXIT_OK)
		rc = save(cli, a, &ch);
	notify_channel_free(&ch);
	return rc;
}

/* ---- showing ---- */

/* What the channel sends to, without a password in a URL. */
static void target_text(const struct notify_channel *ch, char *buf, size_t size)
{
	if (!str_eq(ch->kind, "command")) {
		fetch_redact_url(ch->target, buf, size);
		return;
	}
	cJSON *arr = cJSON_Parse(ch->target);
	struct strbuf sb = {0};
	const cJSON *a;
	cJSON_ArrayForEach(a, arr)
		if (cJSON_IsString(a))
			sb_addf(&sb, "%s%s", sb.len ? " " : "", a->valuestring);
	cJSON_Delete(arr);
	str_copy(buf, sb_str(&sb), size);
	sb_free(&sb);
}

static void secret_text(const struct notify_channel *ch, const struct notify_settings *set, char *buf, size_t size)
{
	if (set->secret_env[0])
		snprintf(buf, size, "from $%s", set->secret_env);
	else
		str_copy(buf, ch->secret ? "sealed in the database" : "none", size);
}

static void scope_text(struct cli *cli, const struct notify_channel *ch, char *buf, size_t size)
{
	struct conn_row c;
	if (!ch->connection_id)
		str_copy(buf, "every connection", size);
	else if (store_conn_get(cli_store(cli), ch->connection_id, &c) == 1) {
		snprintf(buf, size, "connection %lld %s", (long long)c.id, c.name);
		conn_row_free(&c);
	} else
		snprintf(buf, size, "connection %lld", (long long)ch->connection_id);
}

static cJSON *channel_to_json(struct cli *cli, const struct notify_channel *ch, const struct notify_settings *set)
{
	char text[1024];
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "id", (double)ch->id);
	cJSON_AddStringToObject(o, "name", ch->name);
	cJSON_AddStringToObject(o, "kind", ch->kind);
	target_text(ch, text, sizeof(text));
	cJSON_AddStringToObject(o, "target", text);
	if (ch->connection_id)
		cJSON_AddNumberToObject(o, "connection_id", (double)ch->connection_id);
	else
		cJSON_AddNullToObject(o, "connection_id");
	scope_text(cli, ch, text, sizeof(text));
	cJSON_AddStringToObject(o, "scope", text);
	cJSON_AddBoolToObject(o, "enabled", ch->enabled);
	secret_text(ch, set, text, sizeof(text));
	cJSON_AddStringToObject(o, "secret", text);
	/* The settings as stored: they hold no secret, only the name of its variable. */
	cJSON_AddItemToObject(o, "settings", cJSON_Parse(ch->options));
	return o;
}

static void print_channel(struct cli *cli, const struct notify_channel *ch, const struct notify_settings *set)
{
	char text[1024], events[128];
	target_text(ch, text, sizeof(text));
	printf("channel %lld %s (%s%s)\n", (long long)ch->id, ch->name, ch->kind, ch->enabled ? "" : ", disabled");
	printf("  target:   %s\n", text);
	scope_text(cli, ch, text, sizeof(text));
	printf("  watches:  %s\n", text);
	notify_events_text(set->events, events, sizeof(events));
	printf("  on:       %s\n", events);
	printf("  rules:    errors at %.1f%% or more, streak of %d, stuck after %d s\n", set->error_share, set->streak,
	       set->stuck_after_s);
	if (set->limit)
		printf("  limit:    %d per %d s, the rest summarised\n", set->limit, set->per_s);
	else
		printf("  limit:    none\n");
	printf("  delivery: %d attempts, backoff %d s doubling, timeout %d s\n", set->attempts, set->backoff_s,
	       set->timeout_s);
	secret_text(ch, set, text, sizeof(text));
	printf("  secret:   %s\n", text);
	if (str_eq(ch->kind, "smtp"))
		printf("  mail:     from %s to %s%s%s%s\n", set->from, set->to, set->user[0] ? " as " : "", set->user,
		       set->starttls ? ", STARTTLS required" : "");
	if (set->ca_file[0])
		printf("  trusts:   %s\n", set->ca_file);
	printf("  subject:  %s\n", set->subject[0] ? set->subject : NOTIFY_DEFAULT_SUBJECT);
	if (set->body[0])
		printf("  body:     custom (%zu bytes)\n", strlen(set->body));
}

static bool read_settings(const struct notify_channel *ch, struct notify_settings *set)
{
	char err[256];
	if (notify_settings_parse(ch->options, set, err, sizeof(err)) == 0)
		return true;
	fprintf(stderr, "feedsync: channel %s: %s\n", ch->name, err);
	return false;
}

static int notify_show(struct cli *cli, const struct notify_args *a)
{
	struct notify_channel ch;
	struct notify_settings set;
	int rc = get_channel(cli, a->ref, &ch);
	if (rc != EXIT_OK)
		return rc;
	if (!read_settings(&ch, &set))
		rc = EXIT_FAILED;
	else if (a->json)
		json_print(channel_to_json(cli, &ch, &set), stdout);
	else
		print_channel(cli, &ch, &set);
	notify_channel_free(&ch);
	return rc;
}

static int notify_list(struct cli *cli, const struct notify_args *a)
{
	struct notify_channel *chs;
	size_t n;
	if (store_notify_channels(cli_store(cli), -1, &chs, &n) < 0)
		return cli_fail(EXIT_FAILED, "cannot list the notification channels: %s", store_errmsg(cli_store(cli)));
	static const char *const HEADERS[] = {"ID", "NAME", "KIND", "WATCHES", "ON", "TARGET"};
	struct text_table t;
	tt_init(&t, ARRAY_LEN(HEADERS), HEADERS, "rlllll");
	cJSON *arr = cJSON_CreateArray();
	for (size_t i = 0; i < n; i++) {
		struct notify_settings set;
		if (!read_settings(&chs[i], &set))
			continue;
		char id[24], scope[256], events[128], target[1024];
		snprintf(id, sizeof(id), "%lld", (long long)chs[i].id);
		scope_text(cli, &chs[i], scope, sizeof(scope));
		notify_events_text(set.events, events, sizeof(events));
		target_text(&chs[i], target, sizeof(target));
		const char *cells[] = {id, chs[i].name, chs[i].enabled ? chs[i].kind : "disabled", scope, events, target};
		tt_add(&t, cells);
		cJSON_AddItemToArray(arr, channel_to_json(cli, &chs[i], &set));
	}
	if (a->json)
		json_print(arr, stdout);
	else if (!n)
		printf("no notification channels: add one with 'feedsync notify add NAME --webhook URL'\n");
	else
		tt_print(&t, stdout);
	if (!a->json)
		cJSON_Delete(arr);
	tt_free(&t);
	notify_channels_free(chs, n);
	return EXIT_OK;
}

static int notify_rm(struct cli *cli, const struct notify_args *a)
{
	struct notify_channel ch;
	int rc = get_channel(cli, a->ref, &ch);
	if (rc != EXIT_OK)
		return rc;
	if (store_notify_channel_delete(cli_store(cli), ch.id) < 0)
		rc = cli_fail(EXIT_FAILED, "cannot remove channel %s: %s", ch.name, store_errmsg(cli_store(cli)));
	else
		printf("notification channel %lld %s removed, with its messages\n", (long long)ch.id, ch.name);
	notify_channel_free(&ch);
	return rc;
}

static int notify_test_cmd(struct cli *cli, const struct notify_args *a)
{
	struct notify_channel ch;
	int rc = get_channel(cli, a->ref, &ch);
	if (rc != EXIT_OK)
		return rc;
	struct notify_attempt res;
	notify_test(cli_store(cli), &cli->cfg, &ch, &res);
	if (res.ok)
		printf("test message sent over %s\n", ch.name);
	else
		rc = cli_fail(EXIT_FAILED, "test message over %s failed: %s", ch.name, res.error);
	notify_channel_free(&ch);
	return rc;
}

static cJSON *message_to_json(const struct notify_message *m)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "id", (double)m->id);
	cJSON_AddNumberToObject(o, "channel_id", (double)m->channel_id);
	cJSON_AddStringToObject(o, "channel", m->channel_name);
	cJSON_AddStringToObject(o, "event", m->event);
	cJSON_AddStringToObject(o, "key", m->event_key);
	cJSON_AddStringToObject(o, "status", m->status);
	cJSON_AddNumberToObject(o, "attempts", m->attempts);
	cJSON_AddNumberToObject(o, "created_at", (double)m->created_at / 1000.0);
	if (m->sent_at)
		cJSON_AddNumberToObject(o, "sent_at", (double)m->sent_at / 1000.0);
	if (m->run_id)
		cJSON_AddNumberToObject(o, "run_id", (double)m->run_id);
	if (m->last_error[0])
		cJSON_AddStringToObject(o, "last_error", m->last_error);
	cJSON_AddItemToObject(o, "payload", cJSON_Parse(m->payload));
	return o;
}

static int notify_log(struct cli *cli, const struct notify_args *a)
{
	int64_t channel_id = 0, limit = 50, run_id = 0;
	if (a->ref) {
		struct notify_channel ch;
		int rc = get_channel(cli, a->ref, &ch);
		if (rc != EXIT_OK)
			return rc;
		channel_id = ch.id;
		notify_channel_free(&ch);
	}
	if (a->limit_rows && (!parse_int64(a->limit_rows, &limit) || limit < 1))
		return usage("--rows %s: expected a positive number", a->limit_rows);
	if (a->run && !parse_id(a->run, &run_id))
		return usage("--run %s: expected a run id", a->run);
	struct notify_message *ms;
	size_t n;
	if (store_notify_log(cli_store(cli), channel_id, run_id, (int)limit, &ms, &n) < 0)
		return cli_fail(EXIT_FAILED, "cannot read the notifications: %s", store_errmsg(cli_store(cli)));
	if (a->json) {
		cJSON *arr = cJSON_CreateArray();
		for (size_t i = 0; i < n; i++)
			cJSON_AddItemToArray(arr, message_to_json(&ms[i]));
		json_print(arr, stdout);
	} else if (!n) {
		printf("no notifications yet\n");
	} else {
		static const char *const HEADERS[] = {"ID", "TIME", "CHANNEL", "EVENT", "RUN", "STATUS", "TRIES", "ERROR"};
		struct text_table t;
		tt_init(&t, ARRAY_LEN(HEADERS), HEADERS, "rlllrlrl");
		for (size_t i = 0; i < n; i++) {
			char id[24], at[32], run[24], tries[16];
			snprintf(id, sizeof(id), "%lld", (long long)ms[i].id);
			when(ms[i].created_at, at, sizeof(at));
			snprintf(run, sizeof(run), ms[i].run_id ? "%lld" : "-", (long long)ms[i].run_id);
			snprintf(tries, sizeof(tries), "%d", ms[i].attempts);
			const char *cells[] = {id, at, ms[i].channel_name, ms[i].event, run, ms[i].status, tries,
			                       ms[i].last_error};
			tt_add(&t, cells);
		}
		tt_print(&t, stdout);
		tt_free(&t);
	}
	notify_messages_free(ms, n);
	return EXIT_OK;
}

void cli_run_notifications(struct cli *cli, int64_t run_id, cJSON *json)
{
	struct notify_message *ms;
	size_t n;
	if (store_notify_log(cli_store(cli), 0, run_id, 20, &ms, &n) < 0 || !n)
		return;
	cJSON *arr = json ? cJSON_AddArrayToObject(json, "notifications") : NULL;
	struct strbuf sb = {0};
	for (size_t i = n; i-- > 0;) {
		if (arr)
			cJSON_AddItemToArray(arr, message_to_json(&ms[i]));
		sb_addf(&sb, "%s%s %s (%s)", sb.len ? ", " : "", ms[i].channel_name, ms[i].event, ms[i].status);
	}
	if (!json)
		printf("  notified:  %s (feedsync notify log --run %lld)\n", sb_str(&sb), (long long)run_id);
	sb_free(&sb);
	notify_messages_free(ms, n);
}

/* For a host without a worker (cron): what is due now, stuck runs and open circuits first. */
static int notify_deliver_cmd(struct cli *cli)
{
	notify_watch(cli_store(cli));
	int n = notify_deliver(cli_store(cli), &cli->cfg, 60 * 1000);
	printf("%d delivery attempt%s\n", n, n == 1 ? "" : "s");
	return EXIT_OK;
}

int cmd_notify(struct cli *cli, int argc, char **argv)
{
	if (argc < 1) {
		help_print("notify", stderr);
		return EXIT_USAGE;
	}
	const char *sub = argv[0];
	struct notify_args a;
	int rc = parse_args(argc - 1, argv + 1, &a);
	if (rc != EXIT_OK)
		return rc;
	if (str_eq(sub, "add"))
		rc = notify_add(cli, &a);
	else if (str_eq(sub, "edit"))
		rc = notify_edit(cli, &a);
	else if (str_eq(sub, "list"))
		rc = notify_list(cli, &a);
	else if (str_eq(sub, "show"))
		rc = notify_show(cli, &a);
	else if (str_eq(sub, "rm") || str_eq(sub, "remove"))
		rc = notify_rm(cli, &a);
	else if (str_eq(sub, "test"))
		rc = notify_test_cmd(cli, &a);
	else if (str_eq(sub, "log"))
		rc = notify_log(cli, &a);
	else if (str_eq(sub, "deliver"))
		rc = notify_deliver_cmd(cli);
	else
		rc = usage("unknown notify command '%s'", sub);
	return rc;
}
