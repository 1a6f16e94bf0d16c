#include "feed_test.h"

#include "core/util.h"

static const struct source_opts csv_opts = {.format = "csv"};

Test(csv, semicolon_with_bom_is_sniffed_and_the_bom_skipped)
{
	struct source *src = open_ok(FEEDS "semicolon_bom.csv", &csv_opts);
	cr_assert_eq(src->delimiter_used, ';');
	size_t n;
	const char *const *cols = source_columns(src, &n);
	cr_assert_eq(n, 4);
	cr_assert_str_eq(cols[0], "cod"); /* not "\xEF\xBB\xBFcod" */
	cr_assert_str_eq(cols[3], "cantitate");
	struct record rec;
	next_ok(src, &rec);
	cr_assert_eq(rec.line, 2);
	cr_assert_null(rec.problem);
	expect_value(&rec, "denumire", "Mască de protecție");
	expect_value(&rec, "pret", "12,50");
	next_ok(src, &rec);
	cr_assert_eq(rec.line, 3);
	expect_value(&rec, "denumire", "Cană; ceramică");
	expect_end(src);
	source_close(src);
}

Test(csv, sniffs_tab_and_pipe_and_trims_header_names)
{
	struct source *src = open_ok(FEEDS "tabs_crlf.tsv", &csv_opts);
	cr_assert_eq(src->delimiter_used, '\t');
	struct record rec;
	next_ok(src, &rec);
	expect_value(&rec, "sku", "1");
	expect_value(&rec, "price", "1.5"); /* no trailing \r from the CRLF */
	next_ok(src, &rec);
	cr_assert_eq(rec.line, 3);
	expect_value(&rec, "name", "two, three");
	expect_end(src);
	source_close(src);

	src = open_ok(FEEDS "pipes.csv", &csv_opts);
	cr_assert_eq(src->delimiter_used, '|');
	next_ok(src, &rec);
	expect_value(&rec, "name", "a, b, c");
	source_close(src);
}

Test(csv, a_given_delimiter_is_not_sniffed)
{
	struct source_opts opts = {.format = "csv", .delimiter = ','};
	struct source *src = open_ok(FEEDS "semicolon_bom.csv", &opts);
	cr_assert_eq(src->delimiter_used, ',');
	size_t n;
	source_columns(src, &n);
	cr_assert_eq(n, 1);
	source_close(src);
}

Test(csv, quoted_fields_keep_newlines_and_quotes_and_lines_count_them)
{
	struct source *src = open_ok(FEEDS "quoted.csv", &csv_opts);
	struct record rec;
	next_ok(src, &rec);
	cr_assert_eq(rec.line, 2);
	expect_value(&rec, "name", "Say \"hi\"");
	expect_value(&rec, "description", "line one\nline two\nline three");
	expect_value(&rec, "price", "10");
	next_ok(src, &rec);
	cr_assert_eq(rec.line, 5);
	expect_value(&rec, "description", "");
	next_ok(src, &rec); /* after a blank line */
	cr_assert_eq(rec.line, 7);
	expect_value(&rec, "name", "a, b");
	expect_value(&rec, "description", "x\r\ny");
	next_ok(src, &rec); /* the last line has no newline */
	cr_assert_eq(rec.line, 9);
	expect_value(&rec, "description", "no newline at end");
	expect_value(&rec, "price", "40");
	expect_end(src);
	expect_end(src);
	source_close(src);
}

Test(csv, another_enclosure)
{
	char dir[64], path[128];
	make_work_dir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/f.csv", dir);
	const char text[] = "sku,name\n1,'a, ''b'''\n";
	write_file(path, text, sizeof(text) - 1);
	struct source_opts opts = {.format = "csv", .enclosure = '\''};
	struct source *src = open_ok(path, &opts);
	struct record rec;
	next_ok(src, &rec);
	expect_value(&rec, "name", "a, 'b'");
	source_close(src);
	remove_work_dir(dir, "f.csv");
}

Test(csv, ragged_rows_carry_a_problem_and_reading_goes_on)
{
	struct source *src = open_ok(FEEDS "ragged.csv", &csv_opts);
	struct record rec;
	next_ok(src, &rec);
	cr_assert_null(rec.problem);
	next_ok(src, &rec);
	cr_assert_eq(rec.line, 3);
	cr_assert_eq(rec.n, 5);
	cr_assert_str_eq(rec.problem, "row has 5 fields, the header has 7");
	next_ok(src, &rec);
	cr_assert_null(rec.problem);
	next_ok(src, &rec);
	cr_assert_eq(rec.line, 5);
	cr_assert_str_eq(rec.problem, "row has 9 fields, the header has 7");
	cr_assert_str_eq(rec.names[8], "col9");
	cr_assert_str_eq(rec.values[8], "9");
	expect_end(src);
	source_close(src);
}

Test(csv, no_header_names_columns_and_returns_the_first_row)
{
	struct source_opts opts = {.format = "csv", .no_header = true};
	struct source *src = open_ok(FEEDS "pipes.csv", &opts);
	size_t n;
	const char *const *cols = source_columns(src, &n);
	cr_assert_eq(n, 3);
	cr_assert_str_eq(cols[0], "col1");
	cr_assert_str_eq(cols[2], "col3");
	struct record rec;
	next_ok(src, &rec);
	cr_assert_eq(rec.line, 1);
	expect_value(&rec, "col1", "sku");
	next_ok(src, &rec);
	cr_assert_eq(rec.line, 2);
	expect_value(&rec, "col2", "a, b, c");
	expect_end(src);
	source_close(src);
}

Test(csv, windows_1250_is_converted)
{
	struct source_opts opts = {.format = "csv", .encoding = "windows-1250"};
	struct source *src = open_ok(FEEDS "cp1250.csv", &opts);
	struct record rec;
	next_ok(src, &rec);
	cr_assert_null(rec.problem);
	cr_assert_eq(rec.line, 2);
	expect_value(&rec, "name", "ăâîşţĂÂÎŞŢ");
	expect_value(&rec, "price", "1.00");
	next_ok(src, &rec);
	cr_assert_eq(rec.line, 3);
	expect_value(&rec, "name", "Şcoală");
	expect_end(src);
	source_close(src);
}

Test(csv, invalid_utf8_is_a_row_problem_naming_column_and_byte)
{
	struct source *src = open_ok(FEEDS "invalid_utf8.csv", &csv_opts);
	struct record rec;
	next_ok(src, &rec);
	cr_assert_null(rec.problem);
	next_ok(src, &rec);
	cr_assert_eq(rec.line, 3);
	cr_assert_str_eq(rec.problem, "invalid UTF-8 in column 'name' at byte 4 (0xE8); if the feed is not UTF-8 set "
	                              "source.encoding, e.g. windows-1250");
	next_ok(src, &rec);
	cr_assert_null(rec.problem);
	expect_value(&rec, "name", "fine");
	expect_end(src);
	source_close(src);

	src = open_ok(FEEDS "cp1250.csv", &csv_opts); /* the same bytes read as UTF-8 */
	next_ok(src, &rec);
	cr_assert_not_null(rec.problem);
	cr_assert(strstr(rec.problem, "column 'name' at byte 1 (0xE3)"), "%s", rec.problem);
	source_close(src);
}

Test(csv, bytes_invalid_in_the_encoding_are_fatal_with_their_line)
{
	struct source_opts opts = {.format = "csv", .encoding = "windows-1250"};
	struct source_error err = {0};
	struct source *src = source_open(FEEDS "cp1250_bad.csv", &opts, &err);
	cr_assert_null(src); /* the small file is converted while reading the header */
	cr_assert_eq(err.line, 3);
	cr_assert(strstr(err.message, "line 3: ") == err.message, "%s", err.message);
	cr_assert(strstr(err.message, "windows-1250") && strstr(err.message, "0x81"), "%s", err.message);
}

Test(csv, unknown_encoding_fails_open)
{
	struct source_opts opts = {.format = "csv", .encoding = "klingon-8"};
	struct source_error err = {0};
	cr_assert_null(source_open(FEEDS "cp1250.csv", &opts, &err));
	cr_assert_str_eq(err.message, "unknown encoding 'klingon-8' (iconv names such as windows-1250, iso-8859-2, "
	                              "utf-16)");
}

Test(csv, unterminated_quote_is_fatal_naming_where_it_starts)
{
	struct source *src = open_ok(FEEDS "unterminated.csv", &csv_opts);
	struct source_error err = {0};
	cr_assert_eq(expect_fatal(src, &err), 2);
	cr_assert_eq(err.line, 4);
	cr_assert(strstr(err.message, "closing quote is missing"), "%s", err.message);
	source_close(src);
}

Test(csv, header_only_and_zero_byte_files_just_end)
{
	struct source *src = open_ok(FEEDS "header_only.csv", &csv_opts);
	size_t n;
	cr_assert_not_null(source_columns(src, &n));
	cr_assert_eq(n, 3);
	expect_end(src);
	source_close(src);

	src = open_ok(FEEDS "empty.csv", &csv_opts);
	cr_assert_null(source_columns(src, &n));
	cr_assert_eq(n, 0);
	expect_end(src);
	cr_assert_eq(src->bytes_read, 0);
	source_close(src);
}

Test(csv, registry_and_open_errors)
{
	cr_assert_eq(source_find("winmentor"), source_find("csv"));
	cr_assert_eq(source_find("JSON"), source_find("json"));
	cr_assert_null(source_find("yaml"));

	struct source_opts opts = {.format = "winmentor"};
	struct source *src = open_ok(FEEDS "winmentor.csv", &opts);
	struct record rec;
	next_ok(src, &rec);
	expect_value(&rec, "Denumire", "Pâine");
	source_close(src);

	struct source_error err = {0};
	opts.format = "yaml";
	cr_assert_null(source_open(FEEDS "winmentor.csv", &opts, &err));
	cr_assert(strstr(err.message, "unknown source format 'yaml'"), "%s", err.message);
	opts.format = "csv";
	cr_assert_null(source_open(FEEDS "no-such-file.csv", &opts, &err));
	cr_assert_str_eq(err.message, "cannot open " FEEDS "no-such-file.csv: No such file or directory");
	source_close(NULL);
}

Test(csv, a_field_over_the_limit_is_fatal_naming_its_line)
{
	char dir[64], path[128];
	make_work_dir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/big.csv", dir);
	struct strbuf sb = {0};
	sb_adds(&sb, "sku,name\n1,ok\n2,\"");
	for (int i = 0; i < 300000; i++) /* unterminated: swallows the rest, across many chunks */
		sb_adds(&sb, "x\n");
	write_file(path, sb.buf, sb.len);
	struct source_opts opts = {.format = "csv", .max_field_bytes = 100000};
	struct source *src = open_ok(path, &opts);
	struct source_error err = {0};
	cr_assert_eq(expect_fatal(src, &err), 1);
	cr_assert_eq(err.line, 3);
	cr_assert(strstr(err.message, "field larger than"), "%s", err.message);
	source_close(src);

	sb_reset(&sb); /* a row of many small fields is capped too */
	sb_adds(&sb, "a\n1\n");
	for (int i = 0; i < 50000; i++)
		sb_adds(&sb, "xy,");
	sb_adds(&sb, "\n");
	write_file(path, sb.buf, sb.len);
	src = open_ok(path, &opts);
	cr_assert_eq(expect_fatal(src, &err), 1);
	cr_assert_eq(err.line, 3);
	cr_assert(strstr(err.message, "row larger than"), "%s", err.message);
	source_close(src);
	sb_free(&sb);
	remove_work_dir(dir, "big.csv");
}

/* Rows of every shape, so chunk boundaries fall inside quoted newlines and multibyte characters. */
Test(csv, lines_stay_exact_across_chunk_boundaries)
{
	enum { ROWS = 30000 };
	char dir[64], path[128];
	make_work_dir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/mixed.csv", dir);
	struct strbuf sb = {0};
	long *lines = xcalloc(ROWS, sizeof(*lines));
	long line = 1;
	sb_adds(&sb, "id;text;n\r\n");
	line++;
	for (int i = 0; i < ROWS; i++) {
		if (i % 11 == 0) {
			sb_adds(&sb, "\n");
			line++;
		}
		lines[i] = line;
		if (i % 7 == 0) {
			sb_addf(&sb, "%d;\"multi\nline \"\"ș\"\"\r\nend\";%d\r\n", i, i);
			line += 3;
		} else {
			sb_addf(&sb, "%d;plain ăîâ %d;%d\n", i, i, i);
			line++;
		}
	}
	write_file(path, sb.buf, sb.len);
	struct source *src = open_ok(path, &csv_opts);
	cr_assert_eq(src->delimiter_used, ';');
	struct record rec;
	char want[64];
	for (int i = 0; i < ROWS; i++) {
		next_ok(src, &rec);
		cr_assert_eq(rec.line, lines[i], "row %d: line %ld, want %ld", i, rec.line, lines[i]);
		cr_assert_null(rec.problem, "row %d: %s", i, rec.problem);
		snprintf(want, sizeof(want), "%d", i);
		cr_assert_str_eq(rec.values[0], want);
		if (i % 7 == 0)
			cr_assert_str_eq(rec.values[1], "multi\nline \"ș\"\r\nend");
		else
			cr_assert(str_starts_with(rec.values[1], "plain ăîâ "));
	}
	expect_end(src);
	cr_assert_eq(src->bytes_read, sb.len);
	source_close(src);
	free(lines);
	sb_free(&sb);
	remove_work_dir(dir, "mixed.csv");
}

Test(csv, windows_1250_across_chunk_boundaries)
{
	char dir[64], path[128];
	make_work_dir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/cp.csv", dir);
	struct strbuf sb = {0};
	sb_adds(&sb, "sku,name\n");
	for (int i = 0; i < 20000; i++)
		sb_addf(&sb, "%d,\xAA\x63oal\xE3 \xFE\n", i); /* "Şcoală ţ" in windows-1250 */
	write_file(path, sb.buf, sb.len);
	struct source_opts opts = {.format = "csv", .encoding = "CP1250"};
	struct source *src = open_ok(path, &opts);
	struct record rec;
	for (int i = 0; i < 20000; i++) {
		next_ok(src, &rec);
		cr_assert_eq(rec.line, i + 2);
		cr_assert_null(rec.problem);
		cr_assert_str_eq(rec.values[1], "Şcoală ţ");
	}
	expect_end(src);
	source_close(src);
	sb_free(&sb);
	remove_work_dir(dir, "cp.csv");
}

/* A sanity check, not a benchmark: prints the rate, asserts only that everything was read. */
Test(csv, parses_200k_rows, .timeout = 60)
{
	enum { ROWS = 200000 };
	char dir[64], path[128];
	make_work_dir(dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/perf.csv", dir);
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs("sku,name,description,price,sale_price,quantity,category,brand,ean\n", f);
	for (int i = 0; i < ROWS; i++)
		fprintf(f, "SKU%07d,\"Produs de test %d, varianta\",Descriere pentru produsul %d cu detalii tehnice "
		           "si alte informatii,%d.%02d,%d.50,%d,Categorie/Subcategorie %d,Brand%d,594%010d\n",
		        i, i, i, i % 1000, i % 100, i % 900, i % 50, i % 20, i % 30, i);
	fclose(f);
	int64_t start = monotonic_ms();
	struct source *src = open_ok(path, &csv_opts);
	struct record rec;
	struct source_error err = {0};
	long rows = 0;
	int rc;
	while ((rc = source_next(src, &rec, &err)) == 1) {
		cr_assert_null(rec.problem);
		rows++;
	}
	int64_t ms = monotonic_ms() - start;
	cr_assert_eq(rc, 0, "%s", err.message);
	cr_assert_eq(rows, ROWS);
	fprintf(stderr, "csv: %ld rows (%llu bytes) in %lld ms: %.0f rows/s\n", rows, src->bytes_read, (long long)ms,
	        rows * 1000.0 / (double)(ms ? ms : 1));
	source_close(src);
	remove_work_dir(dir, "perf.csv");
}

/* Writes text to a fresh file in dir and opens it with opts. */
static struct source *open_text(const char *dir, const char *text, const struct source_opts *opts)
{
	char path[128];
	snprintf(path, sizeof(path), "%s/feed.csv", dir);
	write_file(path, text, strlen(text));
	return open_ok(path, opts);
}

Test(csv, repeated_header_names_are_renamed_with_a_warning_naming_both_columns)
{
	char dir[64];
	make_work_dir(dir, sizeof(dir));
	struct source *src = open_text(dir, "sku,price,name,Price ,price_2,price\nA1,1,n,2,3,4\n", &csv_opts);
	size_t n;
	const char *const *cols = source_columns(src, &n);
	cr_assert_eq(n, 6);
	cr_assert_str_eq(cols[3], "Price_3"); /* price_2 is taken by column 5 */
	cr_assert_str_eq(cols[4], "price_2");
	cr_assert_str_eq(cols[5], "price_4");
	cr_assert_eq(src->warnings.n, 2);
	cr_assert_str_eq(src->warnings.items[0], "columns: column 4 `Price` repeats column 2; read it as `Price_3`");
	cr_assert_str_eq(src->warnings.items[1], "columns: column 6 `price` repeats column 2; read it as `price_4`");
	struct record rec;
	next_ok(src, &rec);
	cr_assert_null(rec.problem);
	expect_value(&rec, "price", "1");
	expect_value(&rec, "Price_3", "2");
	expect_value(&rec, "price_2", "3");
	expect_value(&rec, "price_4", "4");
	source_close(src);

	struct source_opts no_header = {.format = "csv", .no_header = true};
	src = open_text(dir, "a,a\n", &no_header);
	cr_assert_eq(src->warnings.n, 0);
	source_close(src);
	remove_work_dir(dir, "feed.csv");
}

Test(csv, a_bom_overrides_the_declared_encoding_with_a_warning_unless_it_is_the_type_default)
{
	struct source_opts declared = {.format = "csv", .encoding = "windows-1250"};
	struct source *src = open_ok(FEEDS "semicolon_bom.csv", &declared);
	size_t n;
	cr_assert_str_eq(source_columns(src, &n)[0], "cod");
	cr_assert_eq(src->warnings.n, 1);
	cr_assert_str_eq(src->warnings.items[0], "source.encoding: the file starts with a UTF-8 byte-order mark: read "
	                 "as UTF-8, not as windows-1250");
	struct record rec;
	next_ok(src, &rec);
	expect_value(&rec, "denumire", "Mască de protecție");
	source_close(src);

	struct source_opts defaulted = declared;
	defaulted.encoding_is_default = true;
	src = open_ok(FEEDS "semicolon_bom.csv", &defaulted);
	cr_assert_eq(src->warnings.n, 0);
	next_ok(src, &rec);
	expect_value(&rec, "denumire", "Mască de protecție");
	source_close(src);
}
