/*
 * The console's command line (`:` as in vim and k9s): `runs [failed|running|active]`, `conn ID|NAME`,
 * `dest`, `q`. A command may be shortened while it stays unique; Tab completes, Up/Down recall the
 * commands typed before in this console.
 */
#ifndef FEEDSYNC_TUI_CMDLINE_H
#define FEEDSYNC_TUI_CMDLINE_H

#include "tui/app.h"

struct cmdline;

struct cmdline *cmdline_new(void);
void cmdline_free(struct cmdline *c);
/* Opens the prompt in the status line; Enter runs what was typed, naming what is wrong when it cannot. */
void cmdline_open(struct app *app);
/* Runs one command line as if typed (leading ':' optional); false, with the error in the status line, when not. */
bool cmdline_run(struct app *app, const char *line);

#endif
