/* A product's image downloaded under a cap and streamed into a WordPress media library (see dest/wp_media.h). */
#include "dest/wp_media.h"

#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "core/util.h"
#include "dest/wp_api.h"

/* The longest file name sent: WordPress keeps names whole, a URL's last segment may be anything. */
#define MAX_FILENAME 120

/* The image types a WordPress site takes by default (wp_get_mime_types), with the extension a name gets. */
static const struct {
	const char *type, *ext;
} image_types[] = {
	{"image/jpeg", "jpg"}, {"image/png", "png"}, {"image/gif", "gif"}, {"image/webp", "webp"},
	{"image/avif", "avif"}, {"image/jpeg", "jpeg"}, {"image/jpeg", "jpe"},
};

static const char *ext_of_type(const char *type)
{
	for (size_t i = 0; i < ARRAY_LEN(image_types); i++)
		if (str_eq(image_types[i].type, type))
			return image_types[i].ext;
	return NULL;
}

static const char *type_of_name(const char *name)
{
	const char *dot = strrchr(name, '.');
	for (size_t i = 0; dot && i < ARRAY_LEN(image_types); i++)
		if (strcasecmp(image_types[i].ext, dot + 1) == 0)
			return image_types[i].type;
	return NULL;
}

/* "image/jpeg; charset=binary" to "image/jpeg", lower case; "" when none was given. */
static void bare_type(const char *declared, char *out, size_t size)
{
	size_t n = 0;
	for (const char *p = declared; *p && *p != ';' && !isspace((unsigned char)*p) && n + 1 < size; p++)
		out[n++] = (char)tolower((unsigned char)*p);
	out[n] = '\0';
}

char *wp_media_filename(const char *url, const char *content_type)
{
	size_t end = strcspn(url, "?#");
	size_t start = end;
	while (start > 0 && url[start - 1] != '/')
		start--;
	const char *scheme_end = strstr(url, "://");
	if (scheme_end && url + start <= scheme_end + 3)
		start = end; /* "http://host" has no path: no name of its own */
	char name[MAX_FILENAME + 8];
	size_t n = 0;
	for (size_t i = start; i < end && n < MAX_FILENAME; i++) {
		char c = url[i];
		/* Only what a quoted header value and every file system keep as it is. */
		name[n++] = isalnum((unsigned char)c) || c == '.' || c == '_' || c == '-' ? c : '-';
	}
	name[n] = '\0';
	if (!n || str_eq(name, ".") || str_eq(name, ".."))
		str_copy(name, "image", sizeof(name));
	const char *ext = ext_of_type(content_type);
	if (!type_of_name(name) && ext)   /* WordPress tells an upload's type by its name's extension */
		return xasprintf("%s.%s", name, ext);
	return xstrdup(name);
}

/* What an answer that is not an image declares: a page, a document. */
static bool not_an_image(const char *type)
{
	return *type && !str_starts_with(type, "image/") &&
	       (str_starts_with(type, "text/") || strstr(type, "html") || strstr(type, "json") || strstr(type, "xml"));
}

int wp_media_download(const char *url, uint64_t max_bytes, const struct config *cfg, fetch_progress_fn progress,
                      void *progress_ud, struct fetch_result *res, const char **code, char *err, size_t errsize)
{
	char shown[2048];
	fetch_redact_url(url, shown, sizeof(shown));
	memset(res, 0, sizeof(*res));
	if (strncasecmp(url, "http://", 7) != 0 && strncasecmp(url, "https://", 8) != 0) {
		*code = "image_not_http";
		snprintf(err, errsize, "image '%s' is not an http or https URL: only those are uploaded", shown);
		return -1;
	}
	struct fetch_opts opts = {
		.connect_timeout_s = cfg->connect_timeout_s,
		.timeout_s = cfg->timeout_s,
		.stall_timeout_s = cfg->stall_timeout_s,
		.max_bytes = max_bytes,
		.max_redirects = cfg->max_redirects,
		.temp_dir = cfg->temp_dir[0] ? cfg->temp_dir : NULL,
		.user_agent = cfg->user_agent[0] ? cfg->user_agent : NULL,
		.progress = progress,
		.progress_ud = progress_ud,
	};
	if (fetch_to_file(url, &opts, res) == 0) {
		char type[96];
		bare_type(res->content_type, type, sizeof(type));
		if (!not_an_image(type))
			return 0;
		fetch_cleanup(res);
		*code = "image_not_an_image";
		snprintf(err, errsize, "image %s answered %s, not an image", shown, type);
		return -1;
	}
	unsigned long long limit_mb = (unsigned long long)(max_bytes >> 20);
	if (res->too_large && res->content_length > 0)
		snprintf(err, errsize, "image %s is %lld bytes, over the %llu MiB limit (%llu bytes; the site's "
		         "image_max_mb)", shown, (long long)res->content_length, limit_mb, (unsigned long long)max_bytes);
	else if (res->too_large)
		snprintf(err, errsize, "image %s is larger than the %llu MiB limit (%llu bytes; the site's image_max_mb)",
		         shown, limit_mb, (unsigned long long)max_bytes);
	else
		snprintf(err, errsize, "cannot download the image: %s", res->error);
	*code = res->too_large ? "image_too_large" : "image_download_failed";
	return -1;
}

int wp_media_request(const char *url, const struct fetch_result *image, struct http_request *r, char *err,
                     size_t errsize)
{
	FILE *f = fopen(image->path, "rb");
	if (!f) {
		snprintf(err, errsize, "cannot read the downloaded image %s: %s", image->path, strerror(errno));
		return -1;
	}
	char type[96];
	bare_type(image->content_type, type, sizeof(type));
	char *name = wp_media_filename(url, type);
	if (!ext_of_type(type)) {   /* a server that names no image type: the name tells it, as WordPress reads it */
		const char *guess = type_of_name(name);
		if (guess || !*type)
			str_copy(type, guess ? guess : "application/octet-stream", sizeof(type));
	}
	char *disposition = xasprintf("Content-Disposition: attachment; filename=\"%s\"", name);
	char *content_type = xasprintf("Content-Type: %s", type);
	r->method = "POST";
	r->target = xstrdup(WP_MEDIA "?_fields=id,source_url,mime_type");
	r->body_file = f;
	r->body_len = (size_t)image->bytes;
	r->headers = curl_slist_append(curl_slist_append(NULL, content_type), disposition);
	free(content_type);
	free(disposition);
	free(name);
	return 0;
}

int64_t wp_media_id(const struct http_request *r)
{
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(r->json, "id");
	if (r->outcome != HTTP_DONE || r->status != 201 || !cJSON_IsNumber(id) || id->valuedouble < 1)
		return 0;
	return (int64_t)id->valuedouble;
}
