/*
 * fetch: downloads from tests/helpers/feedserver.py (started per test on a free port) and local reads.
 * Run from the repository root, as make does; FEEDSERVER overrides the server script's path.
 */
#include "feed/fetch.h"

#include "core/util.h"
#include <cjson/cJSON.h>

#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <unistd.h>
#include <zlib.h>

#define SERVER_START_TIMEOUT_MS 10000

static char work_dir[PATH_MAX]; /* the server's root: feed.csv lives here */
static char out_dir[PATH_MAX];  /* temp_dir for downloads: must be empty again after every failure */
static char feed_path[PATH_MAX];
static pid_t server_pid;
static int server_port;

/* ---- fixtures ---- */

static void write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	cr_assert_not_null(f, "cannot write %s", path);
	cr_assert_eq(fwrite(data, 1, len, f), len);
	cr_assert_eq(fclose(f), 0);
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	cr_assert_not_null(f, "cannot open %s: %s", path, strerror(errno));
	struct strbuf sb = {0};
	char buf[8192];
	size_t n;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		sb_add(&sb, buf, n);
	fclose(f);
	*len = sb.len;
	return sb_detach(&sb);
}

/* About 40 KB of CSV, so that gzip visibly shrinks it. */
static char *feed_text(void)
{
	struct strbuf sb = {0};
	sb_adds(&sb, "sku,name,price,qty\n");
	for (int i = 1; i <= 1000; i++)
		sb_addf(&sb, "SKU-%05d,Sample product %d,%d.99,%d\n", i, i, i % 90, i % 13);
	return sb_detach(&sb);
}

static void make_dirs(void)
{
	const char *tmp = getenv("TMPDIR");
	snprintf(work_dir, sizeof(work_dir), "%s/fetch-test-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	cr_assert_not_null(mkdtemp(work_dir), "mkdtemp: %s", strerror(errno));
	snprintf(out_dir, sizeof(out_dir), "%s/out", work_dir);
	cr_assert_eq(mkdir(out_dir, 0700), 0);
	snprintf(feed_path, sizeof(feed_path), "%s/feed.csv", work_dir);
	char *feed = feed_text();
	write_file(feed_path, feed, strlen(feed));
	free(feed);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	chmod(path, 0700);
	return remove(path);
}

static void remove_dirs(void)
{
	if (work_dir[0]) {
		chmod(out_dir, 0700);
		nftw(work_dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	}
	work_dir[0] = '\0';
}

static int read_port(const char *port_file)
{
	FILE *f = fopen(port_file, "r");
	int port = 0;
	if (f) {
		if (fscanf(f, "%d", &port) != 1)
			port = 0;
		fclose(f);
	}
	return port;
}

static void start_server(void)
{
	make_dirs();
	const char *script = getenv("FEEDSERVER") ? getenv("FEEDSERVER") : "tests/helpers/feedserver.py";
	cr_assert_eq(access(script, R_OK), 0, "%s not found: run the tests from the repository root", script);
	char port_file[PATH_MAX];
	snprintf(port_file, sizeof(port_file), "%s/port", work_dir);
	server_pid = fork();
	cr_assert_neq(server_pid, -1);
	if (server_pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		execlp("python3", "python3", script, "--root", work_dir, "--port-file", port_file, "--lifetime", "60",
		       "--max-stall", "10", (char *)NULL);
		_exit(127);
	}
	int64_t deadline = monotonic_ms() + SERVER_START_TIMEOUT_MS;
	while ((server_port = read_port(port_file)) == 0) {
		int status;
		cr_assert_eq(waitpid(server_pid, &status, WNOHANG), 0, "feedserver.py exited at start (python3 missing?)");
		cr_assert_lt(monotonic_ms(), deadline, "feedserver.py did not write its port within 10 s");
		sleep_ms(20);
	}
}

static void stop_server(void)
{
	if (server_pid > 0) {
		kill(server_pid, SIGTERM);
		waitpid(server_pid, NULL, 0);
	}
	server_pid = 0;
	remove_dirs();
}

TestSuite(fetch, .init = start_server, .fini = stop_server, .timeout = 15);
TestSuite(fetch_local, .init = make_dirs, .fini = remove_dirs, .timeout = 15);

/* ---- helpers ---- */

static char *url_for(const char *route)
{
	return xasprintf("http://127.0.0.1:%d%s", server_port, route);
}

static struct fetch_opts test_opts(void)
{
	return (struct fetch_opts){.temp_dir = out_dir, .connect_timeout_s = 5, .timeout_s = 20, .stall_timeout_s = 5};
}

static int fetch_route(const char *route, const struct fetch_opts *opts, struct fetch_result *res)
{
	char *url = url_for(route);
	int rc = fetch_to_file(url, opts, res);
	free(url);
	return rc;
}

static void assert_out_dir_empty(void)
{
	DIR *d = opendir(out_dir);
	cr_assert_not_null(d);
	struct dirent *e;
	int files = 0;
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			files++;
	closedir(d);
	cr_assert_eq(files, 0, "a failed fetch left %d file(s) in the temp dir", files);
}

static void assert_same_as_feed(const char *path)
{
	size_t want_len, got_len;
	char *want = read_file(feed_path, &want_len);
	char *got = read_file(path, &got_len);
	cr_assert_eq(got_len, want_len, "got %zu bytes, want %zu", got_len, want_len);
	cr_assert(memcmp(got, want, want_len) == 0, "content differs from feed.csv");
	free(want);
	free(got);
}

static void assert_fetched_feed(const char *route, const struct fetch_opts *opts)
{
	struct fetch_result res;
	cr_assert_eq(fetch_route(route, opts, &res), 0, "%s: %s", route, res.error);
	cr_assert(res.is_temp);
	cr_assert_eq(res.http_status, 200);
	cr_assert(str_starts_with(res.path, out_dir), "temp file %s outside temp_dir", res.path);
	assert_same_as_feed(res.path);
	fetch_cleanup(&res);
	assert_out_dir_empty();
}

static void assert_error_has(const struct fetch_result *res, const char *part)
{
	cr_assert(strstr(res->error, part) != NULL, "error \"%s\" lacks \"%s\"", res->error, part);
}

/* ---- http ---- */

struct progress_log {
	int calls;
	uint64_t last;
	uint64_t cancel_after; /* 0 = never */
};

static int log_progress(void *ud, uint64_t received, uint64_t total)
{
	(void)total;
	struct progress_log *log = ud;
	log->calls++;
	log->last = received;
	return log->cancel_after && received >= log->cancel_after;
}

Test(fetch, plain_download)
{
	struct progress_log log = {0};
	struct fetch_opts opts = test_opts();
	opts.progress = log_progress;
	opts.progress_ud = &log;
	struct fetch_result res;
	cr_assert_eq(fetch_route("/files/feed.csv", &opts, &res), 0, "%s", res.error);
	struct stat st;
	cr_assert_eq(stat(res.path, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0600);
	cr_assert_eq(res.bytes, (uint64_t)st.st_size);
	cr_assert_eq(res.wire_bytes, res.bytes);
	cr_assert_str_eq(res.content_type, "text/csv");
	cr_assert_eq(res.error[0], '\0');
	cr_assert_gt(log.calls, 0);
	cr_assert_eq(log.last, res.wire_bytes);
	assert_same_as_feed(res.path);
	fetch_cleanup(&res);
	cr_assert_eq(res.path[0], '\0');
	assert_out_dir_empty();
}

Test(fetch, gzip_content_encoding)
{
	struct fetch_opts opts = test_opts();
	assert_fetched_feed("/gzip/feed.csv", &opts);
}

Test(fetch, gz_body_is_inflated)
{
	struct fetch_opts opts = test_opts();
	struct fetch_result res;
	cr_assert_eq(fetch_route("/gz/feed.csv", &opts, &res), 0, "%s", res.error);
	cr_assert_lt(res.wire_bytes, res.bytes, "wire %llu should be the compressed size",
		     (unsigned long long)res.wire_bytes);
	assert_same_as_feed(res.path);
	fetch_cleanup(&res);
}

/* A sample keeps the feed's beginning and stops the transfer, compressed or not. */
Test(fetch, head_bytes_keeps_the_beginning_only)
{
	static const char *const routes[] = {"/files/feed.csv", "/gz/feed.csv"};
	size_t want_len;
	char *want = read_file(feed_path, &want_len);
	for (size_t i = 0; i < ARRAY_LEN(routes); i++) {
		struct fetch_opts opts = test_opts();
		opts.head_bytes = 4096;
		struct fetch_result res;
		cr_assert_eq(fetch_route(routes[i], &opts, &res), 0, "%s: %s", routes[i], res.error);
		cr_assert(res.head_only, "%s", routes[i]);
		cr_assert_geq(res.bytes, 4096);
		if (i == 0)   /* a small gzip body arrives whole in one piece, and inflates whole */
			cr_assert_lt(res.bytes, want_len, "%s: the whole feed was kept", routes[i]);
		size_t got_len;
		char *got = read_file(res.path, &got_len);
		cr_assert(memcmp(got, want, got_len) == 0, "%s: not the feed's beginning", routes[i]);
		free(got);
		fetch_cleanup(&res);
	}
	free(want);
	struct fetch_opts whole = test_opts();
	whole.head_bytes = want_len + 1;
	struct fetch_result res;
	cr_assert_eq(fetch_route("/files/feed.csv", &whole, &res), 0, "%s", res.error);
	cr_assert_not(res.head_only, "a feed shorter than the head is whole");
	assert_same_as_feed(res.path);
	fetch_cleanup(&res);
}

Test(fetch, truncated_gz_is_an_error)
{
	struct fetch_opts opts = test_opts();
	struct fetch_result res;
	cr_assert_eq(fetch_route("/truncated-gz/feed.csv", &opts, &res), -1);
	assert_error_has(&res, "gzip data truncated after ");
	assert_error_has(&res, "the download or file is incomplete");
	cr_assert_not(res.is_temp);
	assert_out_dir_empty();
}

Test(fetch, http_404_names_status_url_and_first_line)
{
	struct fetch_opts opts = test_opts();
	struct fetch_result res;
	cr_assert_eq(fetch_route("/status/404", &opts, &res), -1);
	char *want = xasprintf("HTTP 404 Not Found from http://127.0.0.1:%d/status/404: no such feed", server_port);
	cr_assert_str_eq(res.error, want);
	cr_assert_eq(res.http_status, 404);
	free(want);
	assert_out_dir_empty();
}

Test(fetch, error_page_detail_keeps_the_answer_but_not_the_urls_credentials)
{
	struct fetch_opts opts = test_opts();
	opts.password = "pw-of-the-feed";
	struct fetch_result res;
	char *url = xasprintf("http://reader:pw-in-url@127.0.0.1:%d/status/404?token=t0p-s3cret&page=2&note=pw-of-the-feed",
	                      server_port);
	cr_assert_eq(fetch_to_file(url, &opts, &res), -1);
	free(url);
	cJSON *d = cJSON_Parse(res.detail);
	cr_assert_not_null(d, "detail: %s", res.detail);
	cr_expect_eq(cJSON_GetObjectItem(d, "status")->valueint, 404);
	cr_expect_str_eq(cJSON_GetObjectItem(d, "method")->valuestring, "GET");
	cr_expect_str_eq(cJSON_GetObjectItem(d, "path")->valuestring, "/status/404", "no query");
	cr_expect(str_starts_with(cJSON_GetObjectItem(d, "content_type")->valuestring, "text/plain"));
	const char *excerpt = cJSON_GetObjectItem(d, "excerpt")->valuestring;
	cr_expect(strstr(excerpt, "no such feed\\nrequested /status/404?token=***&page=2&note=***") != NULL, "%s", excerpt);
	cr_expect(strstr(res.detail, "t0p-s3cret") == NULL && strstr(res.detail, "pw-") == NULL, "%s", res.detail);
	cJSON_Delete(d);

	cr_assert_eq(fetch_route("/files/feed.csv", &opts, &res), 0, "%s", res.error);
	cr_expect_str_eq(res.detail, "", "no detail without a failure");
	fetch_cleanup(&res);
}

Test(fetch, an_html_page_sent_as_200_is_kept_in_case_the_feed_cannot_be_read)
{
	struct fetch_opts opts = test_opts();
	struct fetch_result res;
	cr_assert_eq(fetch_route("/html", &opts, &res), 0, "%s", res.error);
	cJSON *d = cJSON_Parse(res.detail);
	cr_assert_not_null(d, "detail: %s", res.detail);
	cr_expect_eq(cJSON_GetObjectItem(d, "status")->valueint, 200);
	cr_expect_str_eq(cJSON_GetObjectItem(d, "path")->valuestring, "/html");
	cr_expect(strstr(cJSON_GetObjectItem(d, "excerpt")->valuestring, "<title>Sign in</title>") != NULL);
	cJSON_Delete(d);
	fetch_cleanup(&res);
}

Test(fetch, http_500_html_page_shows_its_text)
{
	struct fetch_opts opts = test_opts();
	struct fetch_result res;
	cr_assert_eq(fetch_route("/status/500?msg=database%20is%20down", &opts, &res), -1);
	assert_error_has(&res, "HTTP 500 Internal Server Error from http://127.0.0.1:");
	cr_assert(str_ends_with(res.error, ": database is down"), "%s", res.error);
	cr_assert_null(strchr(res.error, '<'), "markup leaked: %s", res.error);
	assert_out_dir_empty();
}

Test(fetch, stall_times_out)
{
	struct fetch_opts opts = test_opts();
	opts.stall_timeout_s = 1;
	struct fetch_result res;
	int64_t start = monotonic_ms();
	cr_assert_eq(fetch_route("/stall", &opts, &res), -1);
	cr_assert_lt(monotonic_ms() - start, 5000);
	assert_error_has(&res, "timed out after 1 s with no data from http://127.0.0.1:");
	assert_error_has(&res, "(http.stall_timeout_s)");
	assert_out_dir_empty();
}

Test(fetch, whole_download_times_out)
{
	struct fetch_opts opts = test_opts();
	opts.timeout_s = 1;
	struct fetch_result res;
	cr_assert_eq(fetch_route("/slow?bps=2000&bytes=100000", &opts, &res), -1);
	assert_error_has(&res, "/slow?bps=2000&bytes=100000 did not finish within 1 s (http.timeout_s)");
	assert_out_dir_empty();
}

Test(fetch, follows_redirects_up_to_the_limit)
{
	struct fetch_opts opts = test_opts();
	assert_fetched_feed("/redirect?n=3&to=/files/feed.csv", &opts);

	opts.max_redirects = 2;
	struct fetch_result res;
	cr_assert_eq(fetch_route("/redirect?n=3&to=/files/feed.csv", &opts, &res), -1);
	assert_error_has(&res, "(http.max_redirects)");
	assert_out_dir_empty();
}

Test(fetch, max_bytes_caps_the_download)
{
	struct fetch_opts opts = test_opts();
	opts.max_bytes = 1000;
	struct fetch_result res;
	cr_assert_eq(fetch_route("/big?bytes=100000", &opts, &res), -1);
	assert_error_has(&res, "feed larger than the 1000 limit (http.max_download_bytes)");
	cr_assert(res.too_large);
	assert_out_dir_empty();
}

Test(fetch, max_bytes_counts_inflated_bytes)
{
	struct fetch_opts opts = test_opts();
	opts.max_bytes = 20 * 1024; /* above the compressed size, below the 40 KB feed */
	struct fetch_result res;
	cr_assert_eq(fetch_route("/gz/feed.csv", &opts, &res), -1);
	assert_error_has(&res, "feed larger than the 20k limit");
	assert_out_dir_empty();
}

Test(fetch, basic_auth)
{
	struct fetch_opts opts = test_opts();
	opts.username = "user";
	opts.password = "secret";
	assert_fetched_feed("/auth/feed.csv", &opts);

	opts.password = "wrong-pw";
	struct fetch_result res;
	cr_assert_eq(fetch_route("/auth/feed.csv", &opts, &res), -1);
	assert_error_has(&res, "HTTP 401 Unauthorized from");
	assert_error_has(&res, ": wrong user name or password");
	cr_assert_null(strstr(res.error, "wrong-pw"));
	assert_out_dir_empty();
}

Test(fetch, bearer_token)
{
	struct fetch_opts opts = test_opts();
	opts.bearer_token = "secret-token";
	assert_fetched_feed("/bearer/feed.csv", &opts);
}

Test(fetch, unusable_temp_dir)
{
	struct fetch_opts opts = test_opts();
	char bad_dir[PATH_MAX + 16];
	chmod(out_dir, 0500);
	if (access(out_dir, W_OK) == 0) /* root writes anyway: use a directory that does not exist */
		snprintf(bad_dir, sizeof(bad_dir), "%s/missing", out_dir);
	else
		str_copy(bad_dir, out_dir, sizeof(bad_dir));
	opts.temp_dir = bad_dir;
	struct fetch_result res;
	cr_assert_eq(fetch_route("/files/feed.csv", &opts, &res), -1);
	char *want = xasprintf("cannot create a temp file in %s: ", bad_dir);
	assert_error_has(&res, want);
	free(want);
	chmod(out_dir, 0700);
}

/* A file size limit makes write() fail mid-download, even for root, like a full disk would. */
Test(fetch, write_failure_removes_the_partial_file)
{
	struct fetch_opts opts = test_opts();
	struct rlimit old;
	cr_assert_eq(getrlimit(RLIMIT_FSIZE, &old), 0);
	struct rlimit small = {.rlim_cur = 8192, .rlim_max = old.rlim_max};
	signal(SIGXFSZ, SIG_IGN);
	cr_assert_eq(setrlimit(RLIMIT_FSIZE, &small), 0);
	struct fetch_result res;
	int rc = fetch_route("/big?bytes=200000", &opts, &res);
	setrlimit(RLIMIT_FSIZE, &old);
	cr_assert_eq(rc, -1);
	char *want = xasprintf("cannot write to temp dir %s: File too large", out_dir);
	cr_assert_str_eq(res.error, want);
	free(want);
	assert_out_dir_empty();
}

Test(fetch, progress_callback_cancels)
{
	struct progress_log log = {.cancel_after = 1};
	struct fetch_opts opts = test_opts();
	opts.progress = log_progress;
	opts.progress_ud = &log;
	struct fetch_result res;
	cr_assert_eq(fetch_route("/slow?bps=20000&bytes=200000", &opts, &res), -1);
	cr_assert(res.cancelled);
	assert_error_has(&res, "download cancelled");
	assert_out_dir_empty();
}

Test(fetch, connect_error_hides_credentials)
{
	int sock = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(addr);
	cr_assert_eq(bind(sock, (struct sockaddr *)&addr, len), 0);
	cr_assert_eq(getsockname(sock, (struct sockaddr *)&addr, &len), 0);
	close(sock); /* nothing listens there now */
	char *url = xasprintf("http://bob:hunter2@127.0.0.1:%d/feed.csv?token=abc123&page=2", ntohs(addr.sin_port));
	struct fetch_opts opts = test_opts();
	struct fetch_result res;
	cr_assert_eq(fetch_to_file(url, &opts, &res), -1);
	free(url);
	assert_error_has(&res, "cannot fetch http://***@127.0.0.1:");
	assert_error_has(&res, "/feed.csv?token=***&page=2: ");
	cr_assert_null(strstr(res.error, "hunter2"));
	cr_assert_null(strstr(res.error, "abc123"));
	assert_out_dir_empty();
}

/* ---- local files ---- */

static void write_gzip(const char *path, const char *data, size_t len)
{
	gzFile gz = gzopen(path, "wb");
	cr_assert_not_null(gz);
	cr_assert_eq(gzwrite(gz, data, (unsigned)len), (int)len);
	cr_assert_eq(gzclose(gz), Z_OK);
}

Test(fetch_local, plain_file_is_read_in_place)
{
	struct fetch_opts opts = test_opts();
	struct fetch_result res;
	cr_assert_eq(fetch_to_file(feed_path, &opts, &res), 0, "%s", res.error);
	cr_assert_str_eq(res.path, feed_path);
	cr_assert_not(res.is_temp);
	cr_assert_eq(res.http_status, 0);
	struct stat st;
	cr_assert_eq(stat(feed_path, &st), 0);
	cr_assert_eq(res.bytes, (uint64_t)st.st_size);
	fetch_cleanup(&res);
	cr_assert_eq(access(feed_path, F_OK), 0, "cleanup removed the user's own file");
}

Test(fetch_local, file_url_is_decoded)
{
	char spaced[PATH_MAX + 32];
	snprintf(spaced, sizeof(spaced), "%s/my feed.csv", work_dir);
	write_file(spaced, "sku\nA\n", 6);
	char *url = xasprintf("file://%s/my%%20feed.csv", work_dir);
	struct fetch_opts opts = test_opts();
	struct fetch_result res;
	cr_assert_eq(fetch_to_file(url, &opts, &res), 0, "%s", res.error);
	cr_assert_str_eq(res.path, spaced);
	cr_assert_eq(res.bytes, 6);
	free(url);

	url = xasprintf("file://localhost%s", feed_path);
	cr_assert_eq(fetch_to_file(url, &opts, &res), 0, "%s", res.error);
	cr_assert_str_eq(res.path, feed_path);
	free(url);

	cr_assert_eq(fetch_to_file("file://otherhost/data/feed.csv", &opts, &res), -1);
	assert_error_has(&res, "local path");
}

Test(fetch_local, missing_file)
{
	char missing[PATH_MAX + 16];
	snprintf(missing, sizeof(missing), "%s/nope.csv", work_dir);
	struct fetch_opts opts = test_opts();
	struct fetch_result res;
	cr_assert_eq(fetch_to_file(missing, &opts, &res), -1);
	char *want = xasprintf("cannot read %s: No such file or directory", missing);
	cr_assert_str_eq(res.error, want);
	cr_assert_eq(res.path[0], '\0');
	free(want);
}

Test(fetch_local, directory_is_refused)
{
	struct fetch_opts opts = test_opts();
	struct fetch_result res;
	cr_assert_eq(fetch_to_file(work_dir, &opts, &res), -1);
	assert_error_has(&res, "it is a directory");
}

Test(fetch_local, gz_file_is_inflated_to_a_temp_file)
{
	size_t len;
	char *feed = read_file(feed_path, &len);
	char gz_path[PATH_MAX + 16];
	snprintf(gz_path, sizeof(gz_path), "%s/feed.csv.gz", work_dir);
	write_gzip(gz_path, feed, len);
	free(feed);

	struct progress_log log = {0};
	struct fetch_opts opts = test_opts();
	opts.progress = log_progress;
	opts.progress_ud = &log;
	struct fetch_result res;
	cr_assert_eq(fetch_to_file(gz_path, &opts, &res), 0, "%s", res.error);
	cr_assert(res.is_temp);
	cr_assert_eq(res.bytes, len);
	cr_assert_gt(log.calls, 0);
	cr_assert_eq(log.last, res.wire_bytes);
	assert_same_as_feed(res.path);
	fetch_cleanup(&res);
	assert_out_dir_empty();
}

Test(fetch_local, truncated_gz_file)
{
	size_t len;
	char *feed = read_file(feed_path, &len);
	char gz_path[PATH_MAX + 16];
	snprintf(gz_path, sizeof(gz_path), "%s/feed.csv.gz", work_dir);
	write_gzip(gz_path, feed, len);
	free(feed);
	char *gz = read_file(gz_path, &len);
	write_file(gz_path, gz, len / 2);
	free(gz);

	struct fetch_opts opts = test_opts();
	struct fetch_result res;
	cr_assert_eq(fetch_to_file(gz_path, &opts, &res), -1);
	char *want = xasprintf("gzip data truncated after %zu bytes", len / 2);
	assert_error_has(&res, want);
	free(want);
	assert_out_dir_empty();
}

Test(fetch_local, unsupported_scheme)
{
	struct fetch_opts opts = test_opts();
	struct fetch_result res;
	cr_assert_eq(fetch_to_file("ftp://user:pw@example.com/feed.csv", &opts, &res), -1);
	cr_assert_str_eq(res.error, "cannot fetch ftp://***@example.com/feed.csv: only http, https and file URLs "
				    "are supported");
}

static void assert_redacts(const char *url, const char *want)
{
	char buf[512];
	fetch_redact_url(url, buf, sizeof(buf));
	cr_assert_str_eq(buf, want, "redacting %s", url);
}

Test(fetch_local, redact_url)
{
	assert_redacts("https://user:pass@shop.example/feed.csv", "https://***@shop.example/feed.csv");
	assert_redacts("https://shop.example/feed.csv?key=abc&format=csv&token=xyz",
		       "https://shop.example/feed.csv?key=***&format=csv&token=***");
	assert_redacts("https://s.example/wc?consumer_key=ck_1&consumer_secret=cs_2&per_page=100",
		       "https://s.example/wc?consumer_key=***&consumer_secret=***&per_page=100");
	assert_redacts("http://s.example/x?api_key=1&apiKey=2&access_token=3&Signature=4&keyword=shoes&author=me",
		       "http://s.example/x?api_key=***&apiKey=***&access_token=***&Signature=***&keyword=shoes&author=me");
	assert_redacts("http://s.example/x?password=1&pwd=2&pass=3&auth=4#frag",
		       "http://s.example/x?password=***&pwd=***&pass=***&auth=***#frag");
	assert_redacts("http://s.example/a@b/x?q=1", "http://s.example/a@b/x?q=1");
	assert_redacts("/data/feeds/key=1.csv", "/data/feeds/key=1.csv");
	assert_redacts("https://s.example/x?flag&secret=", "https://s.example/x?flag&secret=***");

	char small[16];
	fetch_redact_url("https://user:pass@shop.example/", small, sizeof(small));
	cr_assert_str_eq(small, "https://***@sho");
}
