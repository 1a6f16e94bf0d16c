/* The form widget's keys, without a terminal: focus, text editing, choices and lists. */
#include <criterion/criterion.h>
#include <string.h>

#include "tui/form.h"

static const char *const colours[] = {"red", "green", "blue", NULL};

struct answers {
	struct strbuf name, combo;
	int colour;
	bool on;
};

/* Three fields and a button, described the way a screen does before each key. */
static void describe(struct form *f, struct answers *a, bool with_colour)
{
	form_begin(f);
	form_add(f, &(struct form_item){.kind = FORM_TEXT, .id = 1, .row = 0, .text = &a->name, .width = 20});
	if (with_colour)
		form_add(f, &(struct form_item){.kind = FORM_CHOICE, .id = 2, .row = 1, .options = colours, .noptions = 3,
		                                .value = &a->colour, .width = 10});
	form_add(f, &(struct form_item){.kind = FORM_NOTE, .row = 2, .label = "a note"});
	form_add(f, &(struct form_item){.kind = FORM_CHECK, .id = 3, .row = 3, .check = &a->on, .width = 10});
	form_add(f, &(struct form_item){.kind = FORM_TEXT, .id = 4, .row = 4, .text = &a->combo, .options = colours,
	                                .noptions = 3, .width = 10});
	form_add(f, &(struct form_item){.kind = FORM_BUTTON, .id = 5, .row = 5, .label = "Go", .width = 6});
}

static enum form_event key(struct form *f, struct answers *a, int k)
{
	describe(f, a, true);
	return form_key(f, k);
}

static int focused(struct form *f, struct answers *a)
{
	describe(f, a, true);
	return form_focused(f)->id;
}

Test(form, tab_walks_the_fields_round_and_round_skipping_notes)
{
	struct form f;
	struct answers a = {0};
	form_init(&f);
	cr_assert_eq(focused(&f, &a), 1, "the first field has the focus at first");
	int order[] = {2, 3, 4, 5, 1};
	for (size_t i = 0; i < 5; i++) {
		cr_assert_eq(key(&f, &a, '\t'), FORM_MOVED);
		cr_assert_eq(focused(&f, &a), order[i]);
	}
	key(&f, &a, KEY_BTAB);
	cr_assert_eq(focused(&f, &a), 5, "Shift-Tab from the first goes to the last");
	form_free(&f);
}

Test(form, typing_edits_at_the_cursor)
{
	struct form f;
	struct answers a = {0};
	form_init(&f);
	for (const char *p = "acme"; *p; p++)
		cr_assert_eq(key(&f, &a, *p), FORM_EDITED);
	key(&f, &a, KEY_LEFT);
	key(&f, &a, KEY_LEFT);
	key(&f, &a, 'X');
	cr_assert_str_eq(sb_str(&a.name), "acXme");
	key(&f, &a, KEY_BACKSPACE);
	key(&f, &a, KEY_DC);
	cr_assert_str_eq(sb_str(&a.name), "ace");
	key(&f, &a, KEY_HOME);
	key(&f, &a, 'Z');
	cr_assert_str_eq(sb_str(&a.name), "Zace");
	key(&f, &a, 21);   /* C-u */
	cr_assert_str_eq(sb_str(&a.name), "");
	cr_assert_eq(key(&f, &a, 27), FORM_IGNORED, "Esc is the owner's");
	sb_free(&a.name);
	form_free(&f);
}

Test(form, choices_step_open_and_pick)
{
	struct form f;
	struct answers a = {0};
	form_init(&f);
	form_focus(&f, 2);
	cr_assert_eq(key(&f, &a, KEY_RIGHT), FORM_EDITED);
	cr_assert_eq(a.colour, 1);
	key(&f, &a, 'r');
	cr_assert(f.list_open, "typing opens the list, so that what it selects shows");
	cr_assert_eq(a.colour, 1, "nothing is chosen by typing alone");
	cr_assert_eq(f.list_at, 0, "a letter selects the option it starts");
	cr_assert_eq(key(&f, &a, '\n'), FORM_EDITED);
	cr_assert_eq(a.colour, 0);
	key(&f, &a, '\n');
	cr_assert(f.list_open);
	key(&f, &a, KEY_END);
	cr_assert_eq(key(&f, &a, '\n'), FORM_EDITED);
	cr_assert_eq(a.colour, 2);
	cr_assert_not(f.list_open);
	key(&f, &a, '\n');
	cr_assert_eq(key(&f, &a, 27), FORM_MOVED, "Esc closes the list");
	cr_assert_not(f.list_open);
	form_free(&f);
}

Test(form, typing_selects_by_prefix_and_tab_chooses)
{
	struct form f;
	struct answers a = {0};
	form_init(&f);
	form_focus(&f, 2);
	key(&f, &a, 'g');
	cr_assert(f.list_open);
	cr_assert_eq(f.list_at, 1, "g: green");
	key(&f, &a, 'r');
	cr_assert_eq(f.list_at, 1, "gr: still green");
	key(&f, &a, 'b');
	cr_assert_eq(f.list_at, 2, "grb matches nothing: b starts again, blue");
	key(&f, &a, 'x');
	cr_assert_eq(f.list_at, 2, "x matches nothing: the selection stays");
	cr_assert_eq(key(&f, &a, '\t'), FORM_EDITED);
	cr_assert_eq(a.colour, 2, "Tab chooses");
	cr_assert_not(f.list_open);
	cr_assert_neq(focused(&f, &a), 2, "and goes on to the next field");
	form_free(&f);
}

Test(form, checkboxes_combos_and_buttons)
{
	struct form f;
	struct answers a = {0};
	form_init(&f);
	form_focus(&f, 3);
	key(&f, &a, ' ');
	cr_assert(a.on);
	form_focus(&f, 4);
	key(&f, &a, '\n');
	key(&f, &a, KEY_DOWN);
	key(&f, &a, '\n');
	cr_assert_str_eq(sb_str(&a.combo), "green", "picked from the list");
	key(&f, &a, '!');
	cr_assert_str_eq(sb_str(&a.combo), "green!", "or typed");
	form_focus(&f, 5);
	cr_assert_eq(key(&f, &a, '\n'), FORM_PRESSED);
	cr_assert_eq(f.event_id, 5);
	sb_free(&a.combo);
	form_free(&f);
}

Test(form, the_focus_stays_on_its_field_when_others_go)
{
	struct form f;
	struct answers a = {0};
	form_init(&f);
	form_focus(&f, 4);
	describe(&f, &a, false);
	cr_assert_eq(form_focused(&f)->id, 4, "the choice before it is gone");
	form_key(&f, KEY_UP);
	cr_assert_eq(form_focused(&f)->id, 3);
	form_free(&f);
}
