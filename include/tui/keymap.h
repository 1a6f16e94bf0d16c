/*
 * Keys to actions. Each action has up to KEYMAP_KEYS_MAX keys, read from the [keys] settings (whose
 * defaults are the table in tui/actions.h); screens ask whether a key means one of their actions.
 */
#ifndef FEEDSYNC_TUI_KEYMAP_H
#define FEEDSYNC_TUI_KEYMAP_H

#include <stdbool.h>
#include <stddef.h>

#include "core/config.h"
#include "core/util.h"
#include "tui/actions.h"

#define KEYMAP_KEYS_MAX 6

struct keymap {
	int keys[ACTION_COUNT][KEYMAP_KEYS_MAX];
	int nkeys[ACTION_COUNT];
};

struct action_info {
	const char *name;
	const char *help;
	enum action_group group;
	int flags;
};
extern const struct action_info actions[ACTION_COUNT];
extern const char *const action_group_titles[GROUP_COUNT];

/* Reads cfg->keys; -1 with err naming the action and the key that could not be read. */
int keymap_load(struct keymap *km, const struct config *cfg, char *err, size_t errsize);
bool keymap_matches(const struct keymap *km, enum action a, int key);
/* The keys of an action as the user writes them ("k Up"); "" when it has none. */
void keymap_describe(const struct keymap *km, enum action a, struct strbuf *out);
/* The first key of an action, for hints ("?"); NULL when it has none. */
const char *keymap_first(const struct keymap *km, enum action a, char *buf, size_t size);

/* A key code (as wgetch returns it, normalised) for a name; -1 when the name is not a key. */
int key_parse(const char *name);
void key_label(int key, char *buf, size_t size);
/* The same key whichever code the terminal sent: KEY_ENTER and \r are \n, DEL and ^H are Backspace. */
int key_normalize(int key);

#endif
