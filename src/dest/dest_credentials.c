/* A destination's credentials in words, never the secret itself (see dest/dest_credentials.h). */
#include "dest/dest_credentials.h"

#include <stdio.h>

#include <cjson/cJSON.h>

#include "core/util.h"

/* A WordPress site's credentials are its user's Application Password: no consumer key to show. */
static void wp_credentials_text(const struct dest_row *r, char *buf, size_t size)
{
	cJSON *o = cJSON_Parse(r->options ? r->options : "{}");
	const char *user = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(o,
	                                        "site"), "user"));
	if (r->secret_env)
		snprintf(buf, size, "user %s, application password from the environment: %s", user ? user : "?",
		         r->secret_env);
	else if (r->credentials || r->credentials_hint) /* the console's rows carry only the hint */
		snprintf(buf, size, "user %s, application password stored encrypted", user ? user : "?");
	else
		snprintf(buf, size, "none");
	cJSON_Delete(o);
}

void dest_credentials_text(const struct dest_row *r, char *buf, size_t size)
{
	if (str_eq(r->type, "wordpress"))
		wp_credentials_text(r, buf, size);
	else if (str_eq(r->type, "shopify") && r->secret_env)
		snprintf(buf, size, "access token from the environment: %s", r->secret_env);
	else if (str_eq(r->type, "shopify") && (r->credentials || r->credentials_hint))
		snprintf(buf, size, "access token stored encrypted, %s", r->credentials_hint ? r->credentials_hint : "?");
	else if (r->key_env || r->secret_env)
		snprintf(buf, size, "from the environment: %s and %s", r->key_env ? r->key_env : "?",
		         r->secret_env ? r->secret_env : "?");
	else if (r->credentials || r->credentials_hint)
		snprintf(buf, size, "stored encrypted, consumer key %s", r->credentials_hint ? r->credentials_hint : "?");
	else
		snprintf(buf, size, "none");
}
