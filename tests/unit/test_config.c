#include <criterion/criterion.h>
#include <errno.h>
#include <ftw.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/config.h"
#include "core/util.h"

/* Every test runs in its own empty directory, with HOME and XDG_CONFIG_HOME pointing inside it. */
static char work_dir[64];
static char repo_dir[4096];

static void enter_work_dir(void)
{
	cr_assert_not_null(getcwd(repo_dir, sizeof(repo_dir)));
	str_copy(work_dir, "/tmp/feedsync-config-XXXXXX", sizeof(work_dir));
	cr_assert_not_null(mkdtemp(work_dir), "mkdtemp: %s", strerror(errno));
	cr_assert_eq(chdir(work_dir), 0);
	unsetenv("FEEDSYNC_CONFIG");
	char *xdg = xasprintf("%s/xdg", work_dir), *home = xasprintf("%s/home", work_dir);
	setenv("XDG_CONFIG_HOME", xdg, 1);
	setenv("HOME", home, 1);
	free(xdg);
	free(home);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path);
}

static void leave_work_dir(void)
{
	cr_assert_eq(chdir(repo_dir), 0);
	nftw(work_dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

TestSuite(config, .init = enter_work_dir, .fini = leave_work_dir, .timeout = 10);

/* Writes text to path (relative to the work directory), creating the directories on the way. */
static void write_file(const char *path, const char *text)
{
	char dir[4096];
	str_copy(dir, path, sizeof(dir));
	for (char *slash = strchr(dir + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		mkdir(dir, 0755);
		*slash = '/';
	}
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f, "%s: %s", path, strerror(errno));
	fputs(text, f);
	fclose(f);
}

static char err[8192];

static int load_text(struct config *cfg, const char *text)
{
	write_file("feedsync.ini", text);
	return config_load(cfg, "feedsync.ini", err, sizeof(err));
}

static void assert_error(const char *text, const char *expected)
{
	struct config cfg;
	cr_assert_eq(load_text(&cfg, text), -1, "accepted:\n%s", text);
	cr_assert_str_eq(err, expected);
}

/* config_print output from the first section on: the header names the source, the rest is the values. */
static char *printed_body(const struct config *cfg)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	config_print(cfg, out);
	fclose(out);
	char *body = xstrdup(strstr(text, "\n[") + 1);
	free(text);
	return body;
}

static void assert_same_settings(const struct config *a, const struct config *b)
{
	char *pa = printed_body(a), *pb = printed_body(b);
	cr_assert_str_eq(pa, pb);
	free(pa);
	free(pb);
}

Test(config, defaults_follow_the_header)
{
	struct config cfg;
	config_defaults(&cfg);
	cr_assert_str_eq(cfg.source_path, "");
	cr_assert_str_eq(cfg.db_path, "", "empty: the data directory decides (default_db_path)");
	cr_assert_eq(cfg.busy_timeout_ms, 5000);
	cr_assert_eq(cfg.worker_threads, 2);
	cr_assert_eq(cfg.poll_interval_ms, 1000);
	cr_assert_eq(cfg.heartbeat_interval_s, 5);
	cr_assert_eq(cfg.stale_after_s, 60);
	cr_assert_eq(cfg.shutdown_grace_s, 10);
	cr_assert_eq(cfg.connect_timeout_s, 15);
	cr_assert_eq(cfg.timeout_s, 600);
	cr_assert_eq(cfg.stall_timeout_s, 30);
	cr_assert_eq(cfg.max_download_bytes, INT64_C(2147483648));
	cr_assert_eq(cfg.max_redirects, 5);
	cr_assert_str_eq(cfg.user_agent, "");
	cr_assert_str_eq(cfg.temp_dir, "");
	cr_assert_eq(cfg.batch_rows, 10000);
	cr_assert_eq(cfg.error_cap, 1000);
	cr_assert_eq(cfg.max_field_bytes, 64 * 1024 * 1024);
	cr_assert_eq(cfg.max_value_bytes, 1024 * 1024);
	cr_assert_eq(cfg.max_shrink_percent, 50);
	cr_assert_eq(cfg.push_batch_size, 100);
	cr_assert_eq(cfg.push_concurrency, 4);
	cr_assert_eq(cfg.push_retries, 3);
	cr_assert_eq(cfg.push_backoff_ms, 1000);
	cr_assert_eq(cfg.refresh_ms, 500);
	cr_assert_str_eq(cfg.theme, "default");
	cr_assert_not(cfg.readonly || cfg.mouse || cfg.ascii || cfg.use_worker);
	cr_assert_eq(cfg.log_level, LOG_INFO);
	cr_assert_str_eq(cfg.log_file, "");
}

Test(config, no_file_anywhere_means_defaults)
{
	struct config cfg, defaults;
	config_defaults(&defaults);
	cr_assert_eq(config_load(&cfg, NULL, err, sizeof(err)), 0, "%s", err);
	cr_assert_str_eq(cfg.source_path, "");
	cr_assert_str_eq(err, "");
	assert_same_settings(&cfg, &defaults);
}

Test(config, reads_every_type)
{
	struct config cfg;
	cr_assert_eq(load_text(&cfg,
		"; a comment\n"
		"# another\n"
		"[database]\n"
		"path = data/catalog.db\n"
		"[worker]\n"
		"threads = 8\n"
		"[http]\n"
		"max_download_bytes = 512m\n"
		"[tui]\n"
		"mouse = yes\n"
		"[log]\n"
		"level = debug\n"
		"file = /var/log/feedsync.log\n"), 0, "%s", err);
	cr_assert_str_eq(cfg.source_path, "feedsync.ini");
	cr_assert_str_eq(cfg.db_path, "data/catalog.db", "a relative path stays relative");
	cr_assert_eq(cfg.worker_threads, 8);
	cr_assert_eq(cfg.max_download_bytes, INT64_C(512) << 20);
	cr_assert(cfg.mouse);
	cr_assert_eq(cfg.log_level, LOG_DEBUG);
	cr_assert_str_eq(cfg.log_file, "/var/log/feedsync.log");
	cr_assert_eq(cfg.timeout_s, 600, "keys the file does not set keep their default");
}

Test(config, unknown_section_names_the_header_line)
{
	assert_error("[database]\npath = x.db\n\n[foo]\nbar = 1\n",
		"feedsync.ini:4: unknown section [foo] (database, worker, http, import, push, tui, keys, log)");
}

Test(config, unknown_section_without_keys_is_reported)
{
	assert_error("[worker]\nthreads = 2\n[Worker]\n",
		"feedsync.ini:3: unknown section [Worker] (database, worker, http, import, push, tui, keys, log)");
}

Test(config, unknown_key_lists_the_section_keys)
{
	assert_error("[worker]\nthreads = 2\nthread = 4\n",
		"feedsync.ini:3: unknown key 'thread' in [worker] (threads, poll_interval_ms, "
		"heartbeat_interval_s, stale_after_s, shutdown_grace_s)");
}

Test(config, bad_integer_says_what_is_accepted)
{
	assert_error("\n\n[worker]\nthreads = many\n",
		"feedsync.ini:4: worker.threads = 'many': expected an integer from 1 to 64");
	assert_error("[worker]\nthreads = 65\n",
		"feedsync.ini:2: worker.threads = '65': expected an integer from 1 to 64");
	assert_error("[worker]\nthreads = 0\n",
		"feedsync.ini:2: worker.threads = '0': expected an integer from 1 to 64");
	assert_error("[worker]\nthreads = 2 # two\n",
		"feedsync.ini:2: worker.threads = '2 # two': expected an integer from 1 to 64");
}

Test(config, key_before_any_section)
{
	assert_error("threads = 2\n",
		"feedsync.ini:1: key 'threads' comes before any [section] "
		"(database, worker, http, import, push, tui, keys, log)");
}

Test(config, key_set_twice)
{
	assert_error("[worker]\nthreads = 2\n[http]\ntimeout_s = 5\n[worker]\nthreads = 3\n",
		"feedsync.ini:6: worker.threads is set twice (first on line 2)");
}

Test(config, malformed_lines)
{
	assert_error("[worker\nthreads = 2\n",
		"feedsync.ini:1: expected ']' to close the section name");
	assert_error("[worker]\nthreads = 2\n[http\ntimeout_s = 5\n[log]\nlevel = loud\n",
		"feedsync.ini:3: expected ']' to close the section name\n"
		"feedsync.ini:6: log.level = 'loud': expected one of debug, info, warn, error");
	assert_error("[worker]\nthreads 2\n",
		"feedsync.ini:2: expected [section] or key = value");
}

Test(config, heartbeat_must_come_before_a_run_is_stale)
{
	assert_error("[worker]\nheartbeat_interval_s = 30\nstale_after_s = 20\n",
		"feedsync.ini:3: worker.stale_after_s (20) must be greater than worker.heartbeat_interval_s (30)");
}

Test(config, every_problem_is_reported_in_order)
{
	assert_error(
		"[worker]\n"
		"threads = many\n"
		"nonsense\n"
		"thread = 1\n"
		"[foo]\n"
		"x = 1\n"
		"[tui]\n"
		"mouse = maybe\n"
		"also nonsense\n"
		"[log]\n"
		"level = verbose\n",
		"feedsync.ini:2: worker.threads = 'many': expected an integer from 1 to 64\n"
		"feedsync.ini:3: expected [section] or key = value\n"
		"feedsync.ini:4: unknown key 'thread' in [worker] (threads, poll_interval_ms, "
		"heartbeat_interval_s, stale_after_s, shutdown_grace_s)\n"
		"feedsync.ini:5: unknown section [foo] (database, worker, http, import, push, tui, keys, log)\n"
		"feedsync.ini:8: tui.mouse = 'maybe': expected true or false (or yes/no, on/off, 1/0)\n"
		"feedsync.ini:9: expected [section] or key = value\n"
		"feedsync.ini:11: log.level = 'verbose': expected one of debug, info, warn, error");
}

Test(config, quoted_strings)
{
	struct config cfg;
	cr_assert_eq(load_text(&cfg,
		"[http]\nuser_agent = \"  spaced agent \"\n"
		"[tui]\ntheme = \"dark\"\n"
		"[database]\npath = \"a \"quoted\" name.db\"\n"
		"[log]\nfile = \"\"\n"), 0, "%s", err);
	cr_assert_str_eq(cfg.user_agent, "  spaced agent ");
	cr_assert_str_eq(cfg.theme, "dark");
	cr_assert_str_eq(cfg.db_path, "a \"quoted\" name.db");
	cr_assert_str_eq(cfg.log_file, "");
}

Test(config, bad_strings)
{
	assert_error("[tui]\ntheme = \"dark\n",
		"feedsync.ini:2: tui.theme = '\"dark': expected a closing double quote (note that ' ;' starts a comment)");
	assert_error("[tui]\ntheme = \"dark ; night\"\n",
		"feedsync.ini:2: tui.theme = '\"dark': expected a closing double quote (note that ' ;' starts a comment)");
	assert_error("[tui]\ntheme = \"\"\n",
		"feedsync.ini:2: tui.theme = '\"\"': expected a non-empty value");
	assert_error("[tui]\ntheme = 0123456789012345678901234567890123456789012345678901234567890123\n",
		"feedsync.ini:2: tui.theme = '0123456789012345678901234567890123456789012345678901234567890123': "
		"expected at most 63 bytes");
}

Test(config, size_suffixes)
{
	static const struct { const char *text; int64_t bytes; } cases[] = {
		{ "1k", 1024 }, { "4K", 4096 }, { "64m", INT64_C(64) << 20 }, { "2G", INT64_C(2) << 30 },
		{ "1048576", 1048576 }, { "1024g", INT64_C(1024) << 30 },
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct config cfg;
		char *text = xasprintf("[http]\nmax_download_bytes = %s\n", cases[i].text);
		cr_assert_eq(load_text(&cfg, text), 0, "%s: %s", cases[i].text, err);
		cr_assert_eq(cfg.max_download_bytes, cases[i].bytes, "%s", cases[i].text);
		free(text);
	}
	static const char *const bad[] = { "12x", "1.5g", "-1k", "k", "1kb", "99999999999g", "1023", "1025g", "" };
	for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
		char *text = xasprintf("[http]\nmax_download_bytes = %s\n", bad[i]);
		char *expected = xasprintf("feedsync.ini:2: http.max_download_bytes = '%s': expected a size from 1k "
			"to 1024g (bytes, or a number with a k, m or g suffix)", bad[i]);
		assert_error(text, expected);
		free(text);
		free(expected);
	}
}

Test(config, bool_forms)
{
	static const struct { const char *text; bool value; } cases[] = {
		{ "true", true }, { "yes", true }, { "on", true }, { "1", true }, { "TRUE", true }, { "Yes", true },
		{ "false", false }, { "no", false }, { "off", false }, { "0", false }, { "OFF", false },
	};
	for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
		struct config cfg;
		char *text = xasprintf("[tui]\nascii = %s\nreadonly = %s\n", cases[i].text, cases[i].text);
		cr_assert_eq(load_text(&cfg, text), 0, "%s: %s", cases[i].text, err);
		cr_assert_eq(cfg.ascii, cases[i].value, "%s", cases[i].text);
		cr_assert_eq(cfg.readonly, cases[i].value, "%s", cases[i].text);
		free(text);
	}
	assert_error("[tui]\nascii = 2\n",
		"feedsync.ini:2: tui.ascii = '2': expected true or false (or yes/no, on/off, 1/0)");
}

Test(config, log_levels)
{
	static const char *const names[] = { "debug", "info", "warn", "error" };
	for (size_t i = 0; i < ARRAY_LEN(names); i++) {
		struct config cfg;
		char *text = xasprintf("[log]\nlevel = %s\n", names[i]);
		cr_assert_eq(load_text(&cfg, text), 0, "%s", err);
		cr_assert_eq((size_t)cfg.log_level, i);
		free(text);
	}
	struct config cfg;
	cr_assert_eq(load_text(&cfg, "[log]\nlevel = WARN\n"), 0, "%s", err);
	cr_assert_eq(cfg.log_level, LOG_WARN);
}

Test(config, syntax_variants_inih_accepts)
{
	struct config cfg;
	cr_assert_eq(load_text(&cfg,
		"\xEF\xBB\xBF[worker]\r\n"
		"  threads = 3\r\n"
		"\tpoll_interval_ms: 250 ; inline comment\r\n"), 0, "%s", err);
	cr_assert_eq(cfg.worker_threads, 3, "an indented key is a key, not a continuation");
	cr_assert_eq(cfg.poll_interval_ms, 250);
}

Test(config, long_lines)
{
	struct strbuf text = {0};
	sb_adds(&text, "[database]\npath = ");
	for (int i = 0; i < 4095; i++)
		sb_addc(&text, 'p');
	sb_adds(&text, "\n[tui]\ntheme = ");
	for (int i = 0; i < 9000; i++)
		sb_addc(&text, 't');
	sb_adds(&text, "\n[worker]\nthreads = lots\n");
	struct config cfg;
	cr_assert_eq(load_text(&cfg, sb_str(&text)), -1);
	cr_assert_str_eq(err,
		"feedsync.ini:4: line longer than 8190 bytes\n"
		"feedsync.ini:6: worker.threads = 'lots': expected an integer from 1 to 64");
	cr_assert_eq(strlen(cfg.db_path), 4095, "a full-length path fits on one line");
	cr_assert_eq(ini_max_line, 200, "inih's process-wide options are restored");
	cr_assert(ini_allow_multiline);
	sb_free(&text);
}

Test(config, lookup_order)
{
	write_file("explicit.ini", "[worker]\nthreads = 7\n");
	write_file("env.ini", "[worker]\nthreads = 6\n");
	write_file("feedsync.ini", "[worker]\nthreads = 3\n");
	write_file("xdg/feedsync/feedsync.ini", "[worker]\nthreads = 4\n");
	write_file("home/.config/feedsync/feedsync.ini", "[worker]\nthreads = 5\n");
	setenv("FEEDSYNC_CONFIG", "env.ini", 1);
	struct config cfg;

	cr_assert_eq(config_load(&cfg, "explicit.ini", err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(cfg.worker_threads, 7);
	cr_assert_str_eq(cfg.source_path, "explicit.ini");

	cr_assert_eq(config_load(&cfg, NULL, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(cfg.worker_threads, 6);
	cr_assert_str_eq(cfg.source_path, "env.ini");

	setenv("FEEDSYNC_CONFIG", "", 1); /* empty counts as unset */
	cr_assert_eq(config_load(&cfg, NULL, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(cfg.worker_threads, 3);
	cr_assert_str_eq(cfg.source_path, "feedsync.ini");

	unlink("feedsync.ini");
	cr_assert_eq(config_load(&cfg, NULL, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(cfg.worker_threads, 4);
	char *xdg_file = xasprintf("%s/xdg/feedsync/feedsync.ini", work_dir);
	cr_assert_str_eq(cfg.source_path, xdg_file);
	free(xdg_file);

	setenv("XDG_CONFIG_HOME", "xdg", 1); /* relative: ignored, as the XDG specification says */
	cr_assert_eq(config_load(&cfg, NULL, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(cfg.worker_threads, 5);
	unsetenv("XDG_CONFIG_HOME");
	cr_assert_eq(config_load(&cfg, NULL, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(cfg.worker_threads, 5);

	unlink("home/.config/feedsync/feedsync.ini");
	cr_assert_eq(config_load(&cfg, NULL, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(cfg.worker_threads, 2);
	cr_assert_str_eq(cfg.source_path, "");
}

Test(config, a_named_file_must_exist)
{
	struct config cfg;
	write_file("feedsync.ini", "[worker]\nthreads = 3\n");
	cr_assert_eq(config_load(&cfg, "missing.ini", err, sizeof(err)), -1);
	cr_assert_str_eq(err, "missing.ini: cannot open: No such file or directory");

	setenv("FEEDSYNC_CONFIG", "gone.ini", 1);
	cr_assert_eq(config_load(&cfg, NULL, err, sizeof(err)), -1);
	cr_assert_str_eq(err, "gone.ini: cannot open (named by $FEEDSYNC_CONFIG): No such file or directory");

	mkdir("adir", 0755);
	cr_assert_eq(config_load(&cfg, "adir", err, sizeof(err)), -1);
	cr_assert_str_eq(err, "adir: cannot read: it is a directory");
}

Test(config, error_text_is_truncated_to_the_buffer)
{
	struct config cfg;
	char small[16];
	write_file("feedsync.ini", "[foo]\n");
	cr_assert_eq(config_load(&cfg, "feedsync.ini", small, sizeof(small)), -1);
	cr_assert_str_eq(small, "feedsync.ini:1:");
}

Test(config, print_parses_back_identically)
{
	struct config cfg;
	config_defaults(&cfg);
	str_copy(cfg.db_path, "/srv/feedsync/catalog.db", sizeof(cfg.db_path));
	str_copy(cfg.user_agent, "  agent with spaces ", sizeof(cfg.user_agent));
	str_copy(cfg.temp_dir, "\"starts with a quote", sizeof(cfg.temp_dir));
	str_copy(cfg.theme, "high-contrast", sizeof(cfg.theme));
	str_copy(cfg.log_file, "ends with a quote\"", sizeof(cfg.log_file));
	cfg.worker_threads = 64;
	cfg.busy_timeout_ms = 0;
	cfg.max_download_bytes = INT64_C(3) << 30;
	cfg.max_field_bytes = 1536 * 1024;
	cfg.max_value_bytes = 1000 * 1000;
	cfg.mouse = true;
	cfg.use_worker = true;
	cfg.log_level = LOG_ERROR;

	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	config_print(&cfg, out);
	fclose(out);

	struct config back;
	cr_assert_eq(load_text(&back, text), 0, "%s\n%s", err, text);
	assert_same_settings(&cfg, &back);
	cr_assert_str_eq(back.user_agent, "  agent with spaces ");
	cr_assert_str_eq(back.temp_dir, "\"starts with a quote");
	cr_assert_str_eq(back.log_file, "ends with a quote\"");
	cr_assert_eq(back.max_field_bytes, 1536 * 1024);
	cr_assert_eq(back.max_value_bytes, 1000 * 1000);
	cr_assert(strstr(text, "max_field_bytes = 1536k\n"));
	cr_assert(strstr(text, "# feedsync settings in effect: the built-in defaults"));
	free(text);
}

static char *read_whole(const char *path)
{
	FILE *f = fopen(path, "r");
	cr_assert_not_null(f, "%s: %s", path, strerror(errno));
	struct strbuf sb = {0};
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		sb_add(&sb, chunk, n);
	fclose(f);
	return sb_detach(&sb);
}

/* The shipped file is documentation: it must hold exactly the defaults, every key, and the current help. */
Test(config, shipped_file_matches_the_table)
{
	char *path = xasprintf("%s/feedsync.ini", repo_dir);
	struct config shipped, defaults;
	config_defaults(&defaults);
	cr_assert_eq(config_load(&shipped, path, err, sizeof(err)), 0, "%s", err);
	assert_same_settings(&shipped, &defaults);

	char *file = read_whole(path);
	char *expected = printed_body(&defaults);
	const char *body = strstr(file, "\n[");
	cr_assert_not_null(body);
	cr_assert_str_eq(body + 1, expected,
		"feedsync.ini must list every key, with config_print's comments, from [database] on");
	free(expected);
	free(file);
	free(path);
}
