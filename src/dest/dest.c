#include "dest/dest.h"

#include "core/util.h"

extern const struct dest_ops dest_file_ops;
extern const struct dest_ops dest_woo_ops;
extern const struct dest_ops dest_wp_ops;
extern const struct dest_ops dest_shopify_ops;

static const struct dest_ops *const DESTINATIONS[] = {
	&dest_file_ops,
	&dest_woo_ops,
	&dest_wp_ops,
	&dest_shopify_ops,
};

const struct dest_ops *dest_find(const char *type)
{
	for (size_t i = 0; i < ARRAY_LEN(DESTINATIONS); i++)
		if (str_eq(DESTINATIONS[i]->name, type))
			return DESTINATIONS[i];
	return NULL;
}

bool dest_changed_only(const struct conn_config *conn)
{
	(void)conn;
	return false;
}
