#include "cli/sku_list.h"

#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/util.h"

void sku_list_add(struct sku_list *l, char *sku)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 16;
		l->skus = xrealloc(l->skus, l->cap * sizeof(*l->skus));
	}
	l->skus[l->n++] = sku;
}

int sku_list_add_file(struct sku_list *l, const char *path, char *err, size_t errsize)
{
	char *text = cli_read_file(path, err, errsize);
	if (!text)
		return -1;
	l->texts = xrealloc(l->texts, (l->ntexts + 1) * sizeof(*l->texts));
	l->texts[l->ntexts++] = text;
	for (char *line = text; line && *line;) {
		char *next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		char *sku = str_trim(line);
		if (*sku)
			sku_list_add(l, sku);
		line = next;
	}
	return 0;
}

void sku_list_free(struct sku_list *l)
{
	for (size_t i = 0; i < l->ntexts; i++)
		free(l->texts[i]);
	free(l->texts);
	free(l->skus);
	memset(l, 0, sizeof(*l));
}
