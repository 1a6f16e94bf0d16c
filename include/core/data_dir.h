/*
 * Where the files installed with the program (themes, mapping presets) and the user's own are found.
 * Shipped files: ./IN_TREE (run from the source tree), next to the binary (PREFIX/bin/../share/feedsync/
 * INSTALLED when installed, ../IN_TREE from a build directory of the source tree), then
 * FEEDSYNC_PREFIX/share/feedsync/INSTALLED.
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

#endif
