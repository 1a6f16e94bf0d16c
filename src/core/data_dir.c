/* Shipped and user files (see data_dir.h). */
#include "core/data_dir.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

/* $STATE_DIRECTORY may list several directories, colon-separated; the first is the unit's own. */
static char *state_dir_db(void)
{
	const char *dirs = getenv("STATE_DIRECTORY");
	if (!dirs || dirs[0] != '/')
		return NULL;
	return xasprintf("%.*s/feedsync.db", (int)strcspn(dirs, ":"), dirs);
}

static char *user_data_db(void)
{
	const char *xdg = getenv("XDG_DATA_HOME");
	if (xdg && xdg[0] == '/')
		return xasprintf("%s/feedsync/feedsync.db", xdg);
	const char *home = getenv("HOME");
	if (home && *home)
		return xasprintf("%s/.local/share/feedsync/feedsync.db", home);
	return NULL;
}

enum db_place default_db_path(char *path, size_t size, char *looked, size_t looked_size)
{
	char *state = state_dir_db();
	char *user = state ? NULL : user_data_db();
	enum db_place place;
	if (state) {
		str_copy(path, state, size);
		snprintf(looked, looked_size, "%s ($STATE_DIRECTORY)", state);
		place = DB_SERVICE;
	} else if (access(LEGACY_DB, F_OK) == 0) {
		str_copy(path, LEGACY_DB, size);
		snprintf(looked, looked_size, "./%s", LEGACY_DB);
		place = DB_LEGACY;
	} else if (user) {
		str_copy(path, user, size);
		snprintf(looked, looked_size, "./%s and %s", LEGACY_DB, user);
		place = DB_USER;
	} else {
		snprintf(looked, looked_size, "./%s ($HOME and $XDG_DATA_HOME are unset)", LEGACY_DB);
		place = DB_NOWHERE;
	}
	free(state);
	free(user);
	return place;
}

int make_parent_dirs(const char *path)
{
	char *dir = xstrdup(path);
	int rc = 0;
	for (char *p = dir + 1; *p && rc == 0; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0700) < 0 && errno != EEXIST)
			rc = -1;
		*p = '/';
	}
	free(dir);
	return rc;
}
