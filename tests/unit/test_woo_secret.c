/* Shop credentials at rest (dest/secret.h): sealing, the key file, masking. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/config.h"
#include "dest/secret.h"

static char dir[64];
static struct config cfg;

static void setup(void)
{
	strcpy(dir, "/tmp/fs-secret-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	config_defaults(&cfg);
	snprintf(cfg.db_path, sizeof(cfg.db_path), "%s/catalog.db", dir);
}

static void teardown(void)
{
	char path[4200];
	secret_key_path(&cfg, path, sizeof(path));
	unlink(path);
	rmdir(dir);
}

TestSuite(secret, .init = setup, .fini = teardown);

Test(secret, sealed_credentials_open_again_and_hide_the_plain_text)
{
	const char *plain = "ck_a9a8cf8fa3d3d56ab01e58e73cab9a8938cbb4a6\ncs_8e9308d6d488ec65624345038f70f472e8afe675";
	unsigned char *blob;
	size_t len;
	char err[512];
	cr_assert_eq(secret_seal(&cfg, plain, &blob, &len, err, sizeof(err)), 0, "%s", err);
	cr_expect_null(memmem(blob, len, "cs_8e93", 7), "the secret is not in the blob");
	char path[4200];
	secret_key_path(&cfg, path, sizeof(path));
	struct stat st;
	cr_assert_eq(stat(path, &st), 0, "the key file %s exists", path);
	cr_expect_eq(st.st_mode & 0777, 0600);
	char *opened;
	cr_assert_eq(secret_unseal(&cfg, blob, len, &opened, err, sizeof(err)), 0, "%s", err);
	cr_expect_str_eq(opened, plain);
	secret_free(opened);
	blob[len / 2] ^= 1;
	cr_expect_eq(secret_unseal(&cfg, blob, len, &opened, err, sizeof(err)), -1, "a changed blob is refused");
	cr_expect(strstr(err, "not sealed with the key") != NULL, "%s", err);
	free(blob);
}

Test(secret, a_key_file_others_can_read_is_refused)
{
	unsigned char *blob;
	size_t len;
	char err[512], path[4200], *opened = NULL;
	cr_assert_eq(secret_seal(&cfg, "k\ns", &blob, &len, err, sizeof(err)), 0, "%s", err);
	secret_key_path(&cfg, path, sizeof(path));
	chmod(path, 0644);
	cr_expect_eq(secret_unseal(&cfg, blob, len, &opened, err, sizeof(err)), -1);
	cr_expect(strstr(err, "chmod 600") != NULL, "%s", err);
	free(blob);
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
