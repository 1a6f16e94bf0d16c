/* The JSON document a shop pull writes as it goes (see dest/pull_file.h). */
#include "dest/pull_file.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/util.h"
#include "dest/woo_batch.h"
#include "feed/conn.h"

static const char *failed(struct pull_file *f, const char *code, const char *what, const char *dir)
{
	snprintf(f->res->error, sizeof(f->res->error), "cannot %s %s: %s", what, dir, strerror(errno));
	return code;
}

const char *pull_file_write(struct pull_file *f, const char *data, size_t len)
{
	struct fetch_result *res = f->res;
	if (len > f->max_bytes - res->bytes) {
		char limit[32];
		format_size_setting(f->max_bytes, limit, sizeof(limit));
		snprintf(res->error, sizeof(res->error), "the products of '%s' exceed the %s limit "
		         "(http.max_download_bytes)", f->shop, limit);
		return "too_large";
	}
	if (fwrite(data, 1, len, f->out) != len)
		return failed(f, "write_failed", "write to the temp file", res->path);
	res->bytes += len;
	return NULL;
}

const char *pull_file_open(struct pull_file *f, const struct config *cfg, struct fetch_result *res,
                           const char *shop)
{
	*f = (struct pull_file){.res = res, .shop = shop};
	const char *dir = cfg->temp_dir[0] ? cfg->temp_dir : getenv("TMPDIR");
	if (!dir || !*dir)
		dir = "/tmp";
	int n = snprintf(res->path, sizeof(res->path), "%s/feedsync-pull-XXXXXX", dir);
	bool fits = n > 0 && (size_t)n < sizeof(res->path);
	int fd = fits ? mkstemp(res->path) : -1; /* mode 0600 */
	if (fd < 0) {
		res->path[0] = '\0';
		if (!fits)
			errno = ENAMETOOLONG;
		return failed(f, "write_failed", "create a temp file in", dir);
	}
	res->is_temp = true;
	f->out = fdopen(fd, "w");
	if (!f->out) {
		close(fd);
		return failed(f, "write_failed", "write to the temp file", res->path);
	}
	f->max_bytes = cfg->max_download_bytes > 0 ? (uint64_t)cfg->max_download_bytes : UINT64_MAX;
	static const char head[] = "{\"" WOO_PULL_ITEM_PATH "\": [\n";
	return pull_file_write(f, head, strlen(head));
}

const char *pull_file_close(struct pull_file *f)
{
	static const char tail[] = "\n]}\n";
	const char *code = pull_file_write(f, tail, strlen(tail));
	int rc = fclose(f->out);
	f->out = NULL;
	if (rc != 0 && !code)
		code = failed(f, "write_failed", "write to the temp file", f->res->path);
	return code;
}

int pull_fail(struct fetch_result *res, const char **code_out, const char *code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(res->error, sizeof(res->error), fmt, ap);
	va_end(ap);
	*code_out = code;
	return -1;
}

int pull_file_failed(const char *code, const char **code_out)
{
	if (!code)
		return 0;
	*code_out = code;
	return -1;
}

void pull_keep_answer(struct fetch_result *res, const struct http_request *r, const char *code, const char *message,
                      const char *const *secrets)
{
	char *detail = woo_failure_detail(r, &(struct woo_failure){.code = code, .message = message, .excerpt = true,
	                                                           .secrets = secrets});
	fetch_set_detail(res, detail);
	free(detail);
}

void pull_file_abandon(struct pull_file *f)
{
	if (f->out)
		fclose(f->out);
	f->out = NULL;
}
