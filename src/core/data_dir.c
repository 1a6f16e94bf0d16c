/* Shipped and user files (see data_dir.h). */
#include "core/data_dir.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/util.h"

#ifndef FEEDSYNC_PREFIX
#define FEEDSYNC_PREFIX "/usr/local"
#endif

/* The directory of the running binary, for an installed layout: PREFIX/bin/feedsync. */
static bool exe_dir(char *buf, size_t size)
{
	ssize_t n = readlink("/proc/self/exe", buf, size - 1);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	char *slash = strrchr(buf, '/');
	if (!slash)
		return false;
	*slash = '\0';
	return true;
}

bool data_path_find(const char *in_tree, const char *installed, char *path, size_t size)
{
	char dir[PATH_MAX];
	char *candidates[4];
	size_t n = 0;
	candidates[n++] = xstrdup(in_tree);
	if (exe_dir(dir, sizeof(dir))) {
		candidates[n++] = xasprintf("%s/../share/feedsync/%s", dir, installed);
		candidates[n++] = xasprintf("%s/../%s", dir, in_tree);
	}
	candidates[n++] = xasprintf("%s/share/feedsync/%s", FEEDSYNC_PREFIX, installed);
	bool found = false;
	for (size_t i = 0; i < n; i++) {
		if (!found && access(candidates[i], R_OK) == 0) {
			str_copy(path, candidates[i], size);
			found = true;
		}
		free(candidates[i]);
	}
	return found;
}

char *user_config_path(const char *name)
{
	const char *xdg = getenv("XDG_CONFIG_HOME");
	if (xdg && xdg[0] == '/')
		return xasprintf("%s/feedsync/%s", xdg, name);
	const char *home = getenv("HOME");
	if (home && *home)
		return xasprintf("%s/.config/feedsync/%s", home, name);
	return NULL;
}
