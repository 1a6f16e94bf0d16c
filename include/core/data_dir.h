/*
 * Where the files installed with the program (themes, mapping presets) and the user's own are found.
 * Shipped files: ./IN_TREE (run from the source tree), next to the binary (PREFIX/bin/../share/feedsync/
 * INSTALLED when installed, ../IN_TREE from a build directory of the source tree), then
 * FEEDSYNC_PREFIX/share/feedsync/INSTALLED.
 * The default database: the service's state directory, a database left in the working directory by an
 * older version, then the user's data directory.
 */
#ifndef FEEDSYNC_CORE_DATA_DIR_H
#define FEEDSYNC_CORE_DATA_DIR_H

#include <stdbool.h>
#include <stddef.h>

/* The first of those places that is readable into path; false when none is. */
bool data_path_find(const char *in_tree, const char *installed, char *path, size_t size);

/* $XDG_CONFIG_HOME/feedsync/NAME ($XDG_CONFIG_HOME only when absolute, as the XDG base directory
 * specification asks), else ~/.config/feedsync/NAME; NULL without either. Caller frees. */
char *user_config_path(const char *name);

/* The file older versions created in the working directory, still used when it is there. */
#define LEGACY_DB "feedsync.db"

enum db_place {
	DB_NAMED,    /* by --db, $FEEDSYNC_DB or [database] path */
	DB_SERVICE,  /* $STATE_DIRECTORY/feedsync.db, set by systemd's StateDirectory= */
	DB_LEGACY,   /* ./feedsync.db, from before the data directory */
	DB_USER,     /* $XDG_DATA_HOME/feedsync/feedsync.db, else ~/.local/share/feedsync/feedsync.db */
	DB_NOWHERE,  /* none of them applies: path is left alone */
};
/* The database to use when none is named, in path, and the places considered, in looked (for a message). */
enum db_place default_db_path(char *path, size_t size, char *looked, size_t looked_size);

/* Creates the missing directories above path (mode 0700: a catalog holds shop credentials); -1, errno. */
int make_parent_dirs(const char *path);

#endif
