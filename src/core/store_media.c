/* The media library cache of WordPress destinations (see core/store_media.h). */
#include "store_internal.h"

#include <string.h>

#include "core/store_media.h"
#include "core/util.h"

static const char SQL_MEDIA_GET[] =
	"SELECT media_id, url FROM media_uploads WHERE destination_id = ?1 AND url_hash = ?2";
static const char SQL_MEDIA_PUT[] =
	"INSERT INTO media_uploads(destination_id, url_hash, url, media_id, uploaded_at) VALUES(?1, ?2, ?3, ?4, ?5)"
	" ON CONFLICT(destination_id, url_hash) DO UPDATE SET url = ?3, media_id = ?4, uploaded_at = ?5";
static const char SQL_MEDIA_FORGET[] = "DELETE FROM media_uploads WHERE destination_id = ?1 AND url_hash = ?2";

/* The key of a URL: its 64-bit hash, as the signed integer the database keeps. */
static int64_t url_key(const char *url)
{
	return (int64_t)hash64(url, strlen(url), HASH64_SEED);
}

int store_media_get(struct store *s, int64_t dest_id, const char *url, int64_t *media_id)
{
	struct sqldb_stmt *st = store_stmt(s, SQL_MEDIA_GET);
	if (!st)
		return -1;
	bind_int(st, 1, dest_id);
	bind_int(st, 2, url_key(url));
	int rc = sqldb_step(st), found = 0;
	/* Another URL of the same hash is not this one's: it is uploaded, and takes the row over. */
	if (rc == SQLDB_ROW && str_eq((const char *)sqldb_column_text(st, 1), url)) {
		*media_id = sqldb_column_int64(st, 0);
		found = 1;
	}
	sqldb_reset(st);
	return rc == SQLDB_ROW || rc == SQLDB_DONE ? found : -1;
}

int store_media_put(struct store *s, int64_t dest_id, const char *url, int64_t media_id, int64_t now)
{
	struct sqldb_stmt *st = store_stmt(s, SQL_MEDIA_PUT);
	if (!st)
		return -1;
	bind_int(st, 1, dest_id);
	bind_int(st, 2, url_key(url));
	bind_text(st, 3, url);
	bind_int(st, 4, media_id);
	bind_int(st, 5, now);
	return store_exec_stmt(st);
}

int store_media_forget(struct store *s, int64_t dest_id, const char *url)
{
	struct sqldb_stmt *st = store_stmt(s, SQL_MEDIA_FORGET);
	if (!st)
		return -1;
	bind_int(st, 1, dest_id);
	bind_int(st, 2, url_key(url));
	return store_exec_stmt(st);
}
