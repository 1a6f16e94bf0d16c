#include "core/whoami.h"

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

void whoami(char *buf, size_t size)
{
	const char *forced = getenv("FEEDSYNC_USER");
	if (forced && *forced) {
		snprintf(buf, size, "%s", forced);
		return;
	}
	/* getlogin() names who logged in (also under sudo); without a controlling terminal, the effective user */
	const char *user = getlogin();
	struct passwd *pw = user ? NULL : getpwuid(geteuid());
	if (!user)
		user = pw ? pw->pw_name : NULL;
	char host[256] = "localhost";
	gethostname(host, sizeof(host) - 1);
	if (user)
		snprintf(buf, size, "%s@%s", user, host);
	else
		snprintf(buf, size, "uid %ld@%s", (long)geteuid(), host);
}
