/* SKUs given on the command line (`plan apply --only A B`) or in a file, one per line. */
#ifndef FEEDSYNC_CLI_SKU_LIST_H
#define FEEDSYNC_CLI_SKU_LIST_H

#include <stddef.h>

struct sku_list {
	char **skus;                  /* into argv or texts */
	size_t n, cap;
	char **texts;                 /* the files read, owned */
	size_t ntexts;
};
void sku_list_add(struct sku_list *l, char *sku);
/*
 * Adds each line of file `path` ("-" = stdin) as a SKU: surrounding white space (and CR) dropped, empty lines
 * skipped. 0, or -1 with err set.
 */
int sku_list_add_file(struct sku_list *l, const char *path, char *err, size_t errsize);
void sku_list_free(struct sku_list *l);

#endif
