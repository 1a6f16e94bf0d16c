#include "engine/feed_fetch.h"

#include <stdio.h>
#include <stdlib.h>

#include "core/util.h"

static const char *env_secret(const char *key, const char *var, struct fetch_result *res)
{
	if (!var)
		return NULL;
	const char *value = getenv(var);
	if (!value || !*value)
		snprintf(res->error, sizeof(res->error),
		         "source.auth.%s names the environment variable %s, which is not set for this process", key, var);
	return value && *value ? value : NULL;
}

int feed_fetch(const struct config *cfg, const struct conn_config *conn, fetch_progress_fn progress, void *ud,
               struct fetch_result *res, const char **code)
{
	return feed_fetch_head(cfg, conn, 0, progress, ud, res, code);
}

int feed_fetch_head(const struct config *cfg, const struct conn_config *conn, uint64_t head_bytes,
                    fetch_progress_fn progress, void *ud, struct fetch_result *res, const char **code)
{
	struct fetch_opts opts = {
		.connect_timeout_s = cfg->connect_timeout_s,
		.timeout_s = cfg->timeout_s,
		.stall_timeout_s = cfg->stall_timeout_s,
		.max_bytes = (uint64_t)cfg->max_download_bytes,
		.head_bytes = head_bytes,
		.max_redirects = cfg->max_redirects,
		.temp_dir = cfg->temp_dir[0] ? cfg->temp_dir : NULL,
		.user_agent = cfg->user_agent[0] ? cfg->user_agent : NULL,
		.username = conn->auth_username,
		.progress = progress,
		.progress_ud = ud,
	};
	res->error[0] = '\0';
	if (str_eq(conn->source_type, "woocommerce") || str_eq(conn->source_type, "shopify")) {
		/* A shop is pulled by the run's download phase (dest/woo_pull.h, dest/shopify_pull.h), which has the
		 * store it needs. */
		snprintf(res->error, sizeof(res->error), "a %s source is read only by a run: run the connection "
		         "and see 'feedsync runs log ID'", conn->source_type);
		*code = "unsupported_source";
		return -1;
	}
	opts.password = env_secret("password_env", conn->auth_password_env, res);
	opts.bearer_token = env_secret("token_env", conn->auth_token_env, res);
	if (res->error[0]) {
		*code = "missing_secret";
		return -1;
	}
	if (fetch_to_file(conn->url, &opts, res) < 0) {
		*code = "download_failed";
		return -1;
	}
	return 0;
}
