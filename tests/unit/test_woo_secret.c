/* Shop credentials at rest (dest/secret.h): sealing, the key file, the old format and its migration, masking. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/config.h"
#include "core/store.h"
#include "core/util.h"
#include "dest/secret.h"
#include "dest/shop.h"
#include "store_test.h"

#define TEMPLATE "/tmp/fs-secret-XXXXXX"

static char dir[64] = TEMPLATE;
static struct config cfg;

/* Blobs sealed in the format used before libsodium, and their key: databases made then hold such blobs. */
#define OLD_FORMAT "tests/fixtures/secrets/fsk1.tsv"
#define OLD_KEY_FILE "tests/fixtures/secrets/old.key"
#define OTHER_KEY "ff0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n"
static struct old_blob {
	char plain[256];
	unsigned char sealed[300];
	size_t len;
} old_format[8];
static size_t old_count;

static void load_old_format(void)
{
	FILE *f = fopen(OLD_FORMAT, "r");
	cr_assert_not_null(f, "cannot open %s", OLD_FORMAT);
	char line[1024], hex[600], first[128], second[128];
	for (old_count = 0; fgets(line, sizeof(line), f) && old_count < ARRAY_LEN(old_format);) {
		if (*line == '#')
			continue;
		struct old_blob *o = &old_format[old_count++];
		cr_assert_eq(sscanf(line, "%599[0-9a-f]\t%127[^\t]\t%127[^\n]", hex, first, second), 3, "%s", line);
		snprintf(o->plain, sizeof(o->plain), "%s\n%s", first, second);
		o->len = strlen(hex) / 2;
		for (size_t i = 0; i < o->len; i++) {
			unsigned v;
			cr_assert_eq(sscanf(hex + 2 * i, "%2x", &v), 1);
			o->sealed[i] = (unsigned char)v;
		}
	}
	fclose(f);
	cr_assert_geq(old_count, 3);
}

static void setup(void)
{
	cr_assert_not_null(mkdtemp(dir));
	config_defaults(&cfg);
	snprintf(cfg.db_path, sizeof(cfg.db_path), "%s/catalog.db", dir);
	load_old_format();
}

static void teardown(void)
{
	test_dir_remove(dir, TEMPLATE);
}

TestSuite(secret, .init = setup, .fini = teardown);

static void write_key(const char *text)
{
	char path[4200];
	secret_key_path(&cfg, path, sizeof(path));
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
	chmod(path, 0600);
}

static void use_old_key(void)
{
	char text[128] = "";
	FILE *f = fopen(OLD_KEY_FILE, "r");
	cr_assert_not_null(f, "cannot open %s", OLD_KEY_FILE);
	cr_assert_not_null(fgets(text, sizeof(text), f));
	fclose(f);
	write_key(text);
}

/* secret_unseal's answer: the plain text (caller frees) or NULL with err set. */
static char *unseal(const unsigned char *blob, size_t len, char *err, size_t errsize)
{
	char *plain = (char *)"untouched";
	int rc = secret_unseal(&cfg, blob, len, &plain, err, errsize);
	cr_expect_eq(rc == 0, plain != NULL, "a result exactly when it succeeds");
	return plain;
}

Test(secret, sealed_credentials_open_again_and_hide_the_plain_text)
{
	const char *plain = old_format[0].plain;
	unsigned char *blob;
	size_t len;
	char err[512];
	cr_assert_eq(secret_seal(&cfg, plain, &blob, &len, err, sizeof(err)), 0, "%s", err);
	cr_expect_null(memmem(blob, len, "cs_8e93", 7), "the secret is not in the blob");
	cr_expect(memcmp(blob, "fsk2", 4) == 0 && secret_is_current(blob, len), "sealed in the current format");
	char path[4200];
	secret_key_path(&cfg, path, sizeof(path));
	struct stat st;
	cr_assert_eq(stat(path, &st), 0, "the key file %s exists", path);
	cr_expect_eq(st.st_mode & 0777, 0600);
	char *opened = unseal(blob, len, err, sizeof(err));
	cr_assert_not_null(opened, "%s", err);
	cr_expect_str_eq(opened, plain);
	secret_free(opened);
	for (size_t at = 0; at < len; at += 7) {
		blob[at] ^= 1;
		cr_expect_null(unseal(blob, len, err, sizeof(err)), "a blob changed at byte %zu is refused", at);
		blob[at] ^= 1;
	}
	blob[len / 2] ^= 1;
	cr_expect_null(unseal(blob, len, err, sizeof(err)));
	cr_expect(strstr(err, "not sealed with the key") != NULL, "%s", err);
	free(blob);
}

Test(secret, a_blob_sealed_under_another_key_names_the_key_file)
{
	unsigned char *blob;
	size_t len;
	char err[512], path[4200];
	cr_assert_eq(secret_seal(&cfg, "k\ns", &blob, &len, err, sizeof(err)), 0, "%s", err);
	use_old_key();
	cr_expect_null(unseal(blob, len, err, sizeof(err)));
	secret_key_path(&cfg, path, sizeof(path));
	cr_expect(strstr(err, path) && strstr(err, "different key file"), "%s", err);
	free(blob);
}

Test(secret, blobs_of_no_known_format_are_damaged)
{
	char err[512];
	unsigned char *blob;
	size_t len;
	cr_assert_eq(secret_seal(&cfg, "k\ns", &blob, &len, err, sizeof(err)), 0, "%s", err);
	for (size_t cut = 0; cut < 44; cut += 11) {   /* shorter than either format's nonce and tag */
		cr_expect_null(unseal(blob, cut, err, sizeof(err)), "%zu bytes", cut);
		cr_expect(strstr(err, "damaged") != NULL, "%s", err);
	}
	memcpy(blob, "fsk9", 4);
	cr_expect_null(unseal(blob, len, err, sizeof(err)), "an unknown version");
	cr_expect(strstr(err, "damaged") != NULL, "%s", err);
	free(blob);
}

Test(secret, blobs_sealed_before_libsodium_still_open)
{
	use_old_key();
	char err[512];
	for (size_t i = 0; i < old_count; i++) {
		size_t len = old_format[i].len;
		unsigned char *blob = old_format[i].sealed;
		cr_expect_not(secret_is_current(blob, len), "vector %zu is in the old format", i);
		char *opened = unseal(blob, len, err, sizeof(err));
		cr_assert_not_null(opened, "vector %zu: %s", i, err);
		cr_expect_str_eq(opened, old_format[i].plain);
		secret_free(opened);
		blob[len - 1] ^= 0x80;
		cr_expect_null(unseal(blob, len, err, sizeof(err)), "vector %zu with its tag changed", i);
		blob[len - 1] ^= 0x80;
		blob[20] ^= 1;
		cr_expect_null(unseal(blob, len, err, sizeof(err)), "vector %zu with its ciphertext changed", i);
		cr_expect(strstr(err, "not sealed with the key") != NULL, "%s", err);
		blob[20] ^= 1;
	}
	write_key(OTHER_KEY);
	cr_expect_null(unseal(old_format[0].sealed, old_format[0].len, err, sizeof(err)), "an old blob, another key");
}

Test(secret, a_key_file_others_can_read_is_refused)
{
	unsigned char *blob;
	size_t len;
	char err[512], path[4200];
	cr_assert_eq(secret_seal(&cfg, "k\ns", &blob, &len, err, sizeof(err)), 0, "%s", err);
	secret_key_path(&cfg, path, sizeof(path));
	chmod(path, 0644);
	cr_expect_null(unseal(blob, len, err, sizeof(err)));
	cr_expect(strstr(err, "chmod 600") != NULL, "%s", err);
	free(blob);
}

/* A WooCommerce destination "shop" holding the old-format blob of old_format[0]; returns its id. */
static int64_t add_old_shop(struct store *s)
{
	use_old_key();
	struct dest_fields f = {.name = "shop", .type = "woocommerce", .base_url = "http://127.0.0.1:9",
	                        .verify_tls = true, .credentials = old_format[0].sealed,
	                        .credentials_len = old_format[0].len, .credentials_hint = "ck_\u2026b4a6"};
	int64_t id;
	char err[256];
	cr_assert_eq(store_dest_insert(s, &f, &id, err, sizeof(err)), 0, "%s", err);
	return id;
}

static struct store *open_store(void)
{
	char err[256];
	struct store *s = store_open_path(cfg.db_path, 1000, err, sizeof(err));
	cr_assert_not_null(s, "%s", err);
	return s;
}

/* Whether destination id's stored credentials are these bytes. */
static bool stored_is(struct store *s, int64_t id, const void *blob, size_t len)
{
	struct dest_row row;
	cr_assert_eq(store_dest_get(s, id, &row), 1);
	bool same = row.credentials_len == len && memcmp(row.credentials, blob, len) == 0;
	dest_row_free(&row);
	return same;
}

Test(secret, old_credentials_are_sealed_again_on_first_use)
{
	struct store *s = open_store();
	int64_t id = add_old_shop(s);
	struct shop shop;
	char err[512];
	cr_assert_eq(shop_load(s, &cfg, id, NULL, &shop, err, sizeof(err)), 0, "%s", err);
	cr_expect_str_eq(shop.key, "ck_a9a8cf8fa3d3d56ab01e58e73cab9a8938cbb4a6");
	cr_expect_str_eq(shop.secret, "cs_8e9308d6d488ec65624345038f70f472e8afe675");
	shop_free(&shop);

	struct dest_row row;
	cr_assert_eq(store_dest_get(s, id, &row), 1);
	cr_assert(secret_is_current(row.credentials, row.credentials_len), "written back in the current format");
	char *opened = unseal(row.credentials, row.credentials_len, err, sizeof(err));
	cr_expect_str_eq(opened, old_format[0].plain);
	secret_free(opened);
	cr_assert_eq(shop_load(s, &cfg, 0, "shop", &shop, err, sizeof(err)), 0, "%s", err);
	cr_expect_str_eq(shop.secret, "cs_8e9308d6d488ec65624345038f70f472e8afe675");
	shop_free(&shop);
	cr_expect(stored_is(s, id, row.credentials, row.credentials_len), "sealed once only");
	dest_row_free(&row);
	store_close(s);
}

Test(secret, a_reseal_never_overwrites_credentials_changed_meanwhile)
{
	struct store *s = open_store();
	int64_t id = add_old_shop(s);
	struct dest_row before;
	cr_assert_eq(store_dest_get(s, id, &before), 1);
	const unsigned char edited[] = "fsk2 sealed by a dest edit in between";
	const unsigned char stale[] = "fsk2 from the first reader";
	cr_assert_eq(store_dest_reseal(s, id, before.credentials, before.credentials_len, edited, sizeof(edited)), 0);
	cr_expect_eq(store_dest_reseal(s, id, before.credentials, before.credentials_len, stale, sizeof(stale)), 1,
	             "the second writer read what is no longer there");
	cr_expect(stored_is(s, id, edited, sizeof(edited)));
	dest_row_free(&before);
	store_close(s);
}

Test(secret, credentials_that_do_not_open_name_their_destination)
{
	struct store *s = open_store();
	int64_t id = add_old_shop(s);
	write_key(OTHER_KEY);
	struct shop shop;
	char err[512];
	cr_expect_eq(shop_load(s, &cfg, id, NULL, &shop, err, sizeof(err)), -1);
	cr_expect(strstr(err, "destination 'shop'") && strstr(err, "not sealed with the key"), "%s", err);
	cr_expect_null(shop.key);
	cr_expect_null(shop.secret);
	cr_expect(stored_is(s, id, old_format[0].sealed, old_format[0].len), "nothing written back");
	store_close(s);
}

Test(secret, masks_keep_the_prefix_and_the_last_four)
{
	char out[64];
	secret_mask("ck_a9a8cf8fa3d3d56ab01e58e73cab9a8938cbb4a6", out, sizeof(out));
	cr_expect_str_eq(out, "ck_\u2026b4a6");
	secret_mask("short", out, sizeof(out));
	cr_expect_str_eq(out, "\u2026", "a short secret shows nothing");
	secret_mask("abcdefghijklmnop", out, sizeof(out));
	cr_expect_str_eq(out, "\u2026mnop");
}
