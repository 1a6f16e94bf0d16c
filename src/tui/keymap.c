/* Key names, the action table as data, and the [keys] settings read into a keymap. */
#include "tui/keymap.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ACTION_INFO(id, name, keys, group, flags, help) [ACTION_##id] = {name, help, group, flags},
const struct action_info actions[ACTION_COUNT] = {CONSOLE_ACTIONS(ACTION_INFO)};
#undef ACTION_INFO

const char *const action_group_titles[GROUP_COUNT] = {
	[GROUP_MOVE] = "Moving", [GROUP_TABLE] = "Lists", [GROUP_ACT] = "Actions", [GROUP_GLOBAL] = "Everywhere",
};

static const struct {
	const char *name;
	int key;
} named_keys[] = {
	{"Enter", '\n'}, {"Esc", 27}, {"Tab", '\t'}, {"Space", ' '}, {"Backspace", KEY_BACKSPACE},
	{"Up", KEY_UP}, {"Down", KEY_DOWN}, {"Left", KEY_LEFT}, {"Right", KEY_RIGHT},
	{"PgUp", KEY_PPAGE}, {"PgDn", KEY_NPAGE}, {"Home", KEY_HOME}, {"End", KEY_END},
	{"Insert", KEY_IC}, {"Delete", KEY_DC},
};

int key_normalize(int key)
{
	if (key == '\r' || key == KEY_ENTER)
		return '\n';
	if (key == 127 || key == 8)
		return KEY_BACKSPACE;
	return key;
}

int key_parse(const char *name)
{
	size_t len = strlen(name);
	if (len == 1 && name[0] > ' ' && name[0] < 127)
		return name[0];
	if (len == 3 && name[0] == 'C' && name[1] == '-' && name[2] >= 'a' && name[2] <= 'z')
		return key_normalize(name[2] & 0x1f);
	if (name[0] == 'F' && len <= 3) {
		int64_t n;
		if (parse_int64(name + 1, &n) && n >= 1 && n <= 12)
			return KEY_F((int)n);
	}
	for (size_t i = 0; i < ARRAY_LEN(named_keys); i++)
		if (str_eq(named_keys[i].name, name))
			return named_keys[i].key;
	return -1;
}

void key_label(int key, char *buf, size_t size)
{
	for (size_t i = 0; i < ARRAY_LEN(named_keys); i++) {
		if (named_keys[i].key == key) {
			str_copy(buf, named_keys[i].name, size);
			return;
		}
	}
	if (key >= KEY_F(1) && key <= KEY_F(12))
		snprintf(buf, size, "F%d", key - KEY_F(0));
	else if (key > 0 && key < 27)
		snprintf(buf, size, "C-%c", 'a' + key - 1);
	else if (key > ' ' && key < 127)
		snprintf(buf, size, "%c", key);
	else
		snprintf(buf, size, "#%d", key);
}

static int parse_keys(struct keymap *km, enum action a, const char *text, char *err, size_t errsize)
{
	char *copy = xstrdup(text);
	char *save = NULL;
	int rc = 0;
	km->nkeys[a] = 0;
	for (char *word = strtok_r(copy, " ", &save); word; word = strtok_r(NULL, " ", &save)) {
		int key = key_parse(word);
		if (key < 0) {
			snprintf(err, errsize, "[keys] %s: '%s' is not a key (a character, C-x, F1..F12, Enter, Esc, Tab,"
			         " Space, Backspace, Up, Down, Left, Right, PgUp, PgDn, Home, End, Insert or Delete)",
			         actions[a].name, word);
			rc = -1;
			break;
		}
		if (km->nkeys[a] == KEYMAP_KEYS_MAX) {
			snprintf(err, errsize, "[keys] %s: at most %d keys", actions[a].name, KEYMAP_KEYS_MAX);
			rc = -1;
			break;
		}
		km->keys[a][km->nkeys[a]++] = key;
	}
	free(copy);
	return rc;
}

int keymap_load(struct keymap *km, const struct config *cfg, char *err, size_t errsize)
{
	memset(km, 0, sizeof(*km));
	for (int a = 0; a < ACTION_COUNT; a++)
		if (parse_keys(km, (enum action)a, cfg->keys[a], err, errsize) < 0)
			return -1;
	return 0;
}

bool keymap_matches(const struct keymap *km, enum action a, int key)
{
	key = key_normalize(key);
	for (int i = 0; i < km->nkeys[a]; i++)
		if (km->keys[a][i] == key)
			return true;
	return false;
}

void keymap_describe(const struct keymap *km, enum action a, struct strbuf *out)
{
	char name[16];
	for (int i = 0; i < km->nkeys[a]; i++) {
		key_label(km->keys[a][i], name, sizeof(name));
		sb_addf(out, "%s%s", i ? " " : "", name);
	}
}

const char *keymap_first(const struct keymap *km, enum action a, char *buf, size_t size)
{
	if (km->nkeys[a] == 0)
		return NULL;
	key_label(km->keys[a][0], buf, size);
	return buf;
}
