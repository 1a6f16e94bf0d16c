/* Setting the terminal up for the console and back, around app_run. */
#include "tui/console.h"

#include <langinfo.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cli/cli.h"
#include "tui/app.h"

static volatile sig_atomic_t terminate_requested;

static void on_terminate(int sig)
{
	(void)sig;
	terminate_requested = 1;
}

bool console_locale_utf8(void)
{
	const char *codeset = nl_langinfo(CODESET);
	return codeset && (strcasecmp(codeset, "UTF-8") == 0 || strcasecmp(codeset, "utf8") == 0);
}

/* stderr goes to a temporary file while curses owns the terminal; returns the saved descriptor. */
static int hold_stderr(FILE **held)
{
	fflush(stderr);
	*held = tmpfile();
	int saved = *held ? dup(STDERR_FILENO) : -1;
	if (saved >= 0)
		dup2(fileno(*held), STDERR_FILENO);
	return saved;
}

static void release_stderr(FILE *held, int saved)
{
	if (saved < 0)
		return;
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	rewind(held);
	char buf[4096];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), held)) > 0)
		fwrite(buf, 1, n, stderr);
	fclose(held);
}

static void start_curses(const struct config *cfg)
{
	set_escdelay(cfg->escape_delay_ms);
	initscr();
	raw();             /* Ctrl-C is a key (quit, which asks about runs in flight), not a kill */
	noecho();
	keypad(stdscr, TRUE);
	curs_set(0);
	leaveok(stdscr, TRUE);
}

int console_check_keys(const struct config *cfg)
{
	char err[1024];
	if (app_check_keys(cfg, err, sizeof(err)) < 0)
		return cli_fail(EXIT_USAGE, "%s%s%s", cfg->source_path, cfg->source_path[0] ? ": " : "", err);
	return EXIT_OK;
}

int console_main(const struct config *cfg, struct store *store, bool color)
{
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		return cli_fail(EXIT_USAGE, "the console needs a terminal; for scripts use 'feedsync conn list' and"
		                " 'feedsync runs'");
	int rc = console_check_keys(cfg);
	if (rc != EXIT_OK)
		return rc;
	char err[1024];
	bool ascii = cfg->ascii || !console_locale_utf8();
	FILE *held = NULL;
	int saved = hold_stderr(&held);
	struct sigaction sa, old_term, old_hup;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_terminate;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, &old_term);
	sigaction(SIGHUP, &sa, &old_hup);

	start_curses(cfg);
	struct app *app = app_new(cfg, store, color, ascii, err, sizeof(err));
	if (app) {
		app->terminate = &terminate_requested;
		app_run(app);
		app_free(app);
	}
	endwin();

	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGHUP, &old_hup, NULL);
	release_stderr(held, saved);
	if (!app)
		return cli_fail(EXIT_USAGE, "%s", err);
	return EXIT_OK;
}
