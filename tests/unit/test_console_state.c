/* The console's remembered settings: written atomically, read back, a damaged file ignored. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/util.h"
#include "tui/console_state.h"

static char dir[64];
static char path[128];

static void no_cell(const void *row, const struct cell_ctx *ctx, struct strbuf *out, enum role *role)
{
	(void)row, (void)ctx, (void)out, (void)role;
}

static const struct table_column columns[] = {
	{"id", "ID", 5, 3, false, 'r', CONN_F_ID, no_cell, false, 0},
	{"name", "NAME", 20, 8, true, 'l', CONN_F_NAME, no_cell, false, 0},
	{"source", "SRC", 9, 4, false, 'l', CONN_F_SOURCE, no_cell, false, 0},
	{"note", "NOTE", 9, 4, false, 'l', -1, no_cell, true, 0},
};

static const struct table_source source = {STORE_VIEW_CONNS, 1, NULL, NULL, NULL, NULL};

static void setup(void)
{
	str_copy(dir, "/tmp/feedsync-state-XXXXXX", sizeof(dir));
	cr_assert_not_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/deep/feedsync/console.state", dir);
}

static void teardown(void)
{
	char *cmd = xasprintf("rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
	free(cmd);
}

TestSuite(console_state, .init = setup, .fini = teardown);

static void new_table(struct table *t)
{
	table_init(t, columns, (int)ARRAY_LEN(columns), &source, NULL);
}

static void write_file(const char *text)
{
	cr_assert_eq(mkdir_parents(path), 0);
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
}

Test(console_state, what_is_remembered_comes_back_in_a_new_session)
{
	char problem[512], err[512];
	struct console_state *st = console_state_load(path, problem, sizeof(problem));
	cr_assert_str_empty(problem, "a missing file is no problem");
	struct table t;
	new_table(&t);
	t.sort_col = 2;
	t.descending = true;
	t.shown[0] = false;
	str_copy(t.filter, "acme shop", sizeof(t.filter));
	t.quick = QUICK_PROBLEMS;
	console_state_remember(st, "Connections", &t);
	cr_assert_eq(console_state_save(st, err, sizeof(err)), 0, "%s", err);
	console_state_free(st);

	st = console_state_load(path, problem, sizeof(problem));
	cr_assert_str_empty(problem);
	struct table back;
	new_table(&back);
	console_state_apply(st, "Connections", &back);
	cr_assert_eq(back.sort_col, 2);
	cr_assert(back.descending);
	cr_assert_not(back.shown[0]);
	cr_assert(back.shown[1] && back.shown[2]);
	cr_assert_not(back.shown[3]);
	cr_assert_str_eq(back.filter, "acme shop");
	cr_assert_eq(back.quick, QUICK_PROBLEMS);
	struct table other;
	new_table(&other);
	console_state_apply(st, "Runs", &other);
	cr_assert_eq(other.sort_col, 0, "a screen not remembered keeps its defaults");
	console_state_free(st);
}

Test(console_state, a_damaged_file_is_ignored_naming_its_line)
{
	write_file("# comment\n[Connections]\nsort = name\nquick = sometimes\n");
	char problem[512];
	struct console_state *st = console_state_load(path, problem, sizeof(problem));
	cr_assert(strstr(problem, "damaged at line 4"), "%s", problem);
	struct table t;
	new_table(&t);
	console_state_apply(st, "Connections", &t);
	cr_assert_eq(t.sort_col, 0, "nothing of a damaged file is used");
	console_state_free(st);

	static const char *const damaged[] = {"sort = name\n", "[Connections\n", "[]\n", "[Connections]\nwhat\n",
	                                       "[Connections]\ncolour = red\n", "[Connections]\nsort = name up\n"};
	for (size_t i = 0; i < ARRAY_LEN(damaged); i++) {
		write_file(damaged[i]);
		st = console_state_load(path, problem, sizeof(problem));
		cr_assert(strstr(problem, "damaged at line"), "'%s' reads as good: %s", damaged[i], problem);
		console_state_free(st);
	}
}

Test(console_state, unknown_columns_are_skipped_and_unsortable_ones_refused)
{
	write_file("[Connections]\nsort = note asc\ncolumns = name,gone\n");
	char problem[512];
	struct console_state *st = console_state_load(path, problem, sizeof(problem));
	cr_assert_str_empty(problem);
	struct table t;
	new_table(&t);
	console_state_apply(st, "Connections", &t);
	cr_assert_eq(t.sort_col, 0, "note has no field to sort by");
	cr_assert(t.shown[1]);
	cr_assert_not(t.shown[0] || t.shown[2] || t.shown[3]);
	console_state_free(st);
}

Test(console_state, saving_replaces_the_file_whole_and_only_when_changed)
{
	write_file("[Connections]\nsort = name desc\n");
	char problem[512], err[512];
	struct console_state *st = console_state_load(path, problem, sizeof(problem));
	struct table t;
	new_table(&t);
	console_state_apply(st, "Connections", &t);
	cr_assert_eq(unlink(path), 0);
	console_state_remember(st, "Connections", &t);   /* sort name desc, every default column: as read, but */
	cr_assert_eq(console_state_save(st, err, sizeof(err)), 0, "%s", err);   /* columns were not in the file */
	cr_assert_eq(access(path, F_OK), 0);
	cr_assert_eq(unlink(path), 0);
	console_state_remember(st, "Connections", &t);
	cr_assert_eq(console_state_save(st, err, sizeof(err)), 0);
	cr_assert_neq(access(path, F_OK), 0, "nothing changed: nothing written");
	console_state_free(st);
	char *listing = xasprintf("ls -A '%s/deep/feedsync' | grep -q tmp", dir);
	cr_assert_neq(system(listing), 0, "no temporary file is left");
	free(listing);
}
