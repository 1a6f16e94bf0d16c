/* The console's marked rows (a sorted set of SKUs) and who is acting (whoami). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "core/whoami.h"
#include "tui/marks.h"

Test(marks, toggled_on_and_off_and_kept_sorted)
{
	struct marks m = {0};
	cr_expect_not(marks_has(&m, "A"), "an empty set");
	const char *keys[] = {"M", "C", "Z", "A", "Q"};
	for (size_t i = 0; i < 5; i++)
		marks_toggle(&m, keys[i]);
	cr_assert_eq(m.n, 5);
	for (size_t i = 1; i < m.n; i++)
		cr_expect_lt(strcmp(m.keys[i - 1], m.keys[i]), 0, "sorted at %zu", i);
	marks_toggle(&m, "C");
	cr_expect_not(marks_has(&m, "C"));
	cr_expect(marks_has(&m, "A"));
	cr_expect(marks_has(&m, "Z"));
	cr_expect_eq(m.n, 4);
	marks_clear(&m);
	cr_expect_eq(m.n, 0);
	cr_expect_not(marks_has(&m, "A"));
}

Test(whoami, the_environment_names_who_else_user_at_host)
{
	char who[128];
	setenv("FEEDSYNC_USER", "robot@ci", 1);
	whoami(who, sizeof(who));
	cr_expect_str_eq(who, "robot@ci");
	unsetenv("FEEDSYNC_USER");
	whoami(who, sizeof(who));
	cr_expect_not_null(strchr(who, '@'), "'%s' names a host", who);
	cr_expect_neq(who[0], '@', "'%s' names a user", who);
}
