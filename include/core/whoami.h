/*
 * Who is acting at this terminal, for records such as who applied a plan: $FEEDSYNC_USER when it is set
 * (scripts and tests name themselves), else the login name (or the effective user's name) "@" the host.
 */
#ifndef FEEDSYNC_CORE_WHOAMI_H
#define FEEDSYNC_CORE_WHOAMI_H

#include <stddef.h>

void whoami(char *buf, size_t size);

#endif
