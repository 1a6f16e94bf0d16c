# Converts code that calls SQLite directly to include/core/sqldb.h:
#   sed -i -E -f tools/sqldb_convert.sed FILES
# Idempotent: converted code has nothing left for it to match. Calls split over several lines, exec with an
# error-message out-parameter, sqlite3_open*, sqlite3_busy_timeout, sqlite3_free
# are left as they are; the build then names each one (sqlite3.h is no longer included) for a hand fix.

# The header and the two handle types.
s@#include <sqlite3\.h>@#include "core/sqldb.h"@
s/\b(struct )?sqlite3_stmt\b/struct sqldb_stmt/g
s/\b(struct )?sqlite3\b([^_.]|$)/struct sqldb\2/g

# Calls whose arguments change: the length -1, the tail NULL and the copy flag go.
s/\bsqlite3_prepare_v2\(([^;]*), -1, ([^,()]+), NULL\)/sqldb_prepare(\1, \2)/g
s/\bsqlite3_prepare_v3\(([^;]*), -1, SQLITE_PREPARE_PERSISTENT, ([^,()]+), NULL\)/sqldb_prepare_persistent(\1, \2)/g
s/\bsqlite3_exec\(([^;]*), NULL, NULL, NULL\)/sqldb_exec(\1)/g
s/\bsqlite3_bind_text\(([^;]*), -1, SQLITE_(TRANSIENT|STATIC)\)/sqldb_bind_text(\1)/g
s/\bsqlite3_bind_blob\(([^;]*), SQLITE_(TRANSIENT|STATIC)\)/sqldb_bind_blob(\1)/g
s/\bsqlite3_bind_int\(/sqldb_bind_int64(/g
s/\bsqlite3_db_filename\(([^,()]+), "main"\)/sqldb_filename(\1)/g
s/!sqlite3_get_autocommit\(/sqldb_in_transaction(/g
s/\bsqlite3_get_autocommit\(/!sqldb_in_transaction(/g
s/\bsqlite3_extended_errcode\(([^()]+)\) != SQLITE_CONSTRAINT_UNIQUE/!sqldb_unique_violation(\1)/g
s/\bsqlite3_extended_errcode\(([^()]+)\) == SQLITE_CONSTRAINT_UNIQUE/sqldb_unique_violation(\1)/g
s/\bsqlite3_last_insert_rowid\(/sqldb_last_insert_id(/g
s/\bsqlite3_total_changes(64)?\(/sqldb_total_changes(/g

# Calls that keep their arguments.
s/\bsqlite3_(step|reset|finalize|clear_bindings|bind_parameter_count|bind_null|bind_int64|bind_double|column_int64|column_double|column_int|column_text|column_blob|column_bytes|column_type|errmsg|changes|close)\(/sqldb_\1(/g

# Result and type codes.
s/\bSQLITE_(OK|ROW|DONE|INTEGER|FLOAT|TEXT|BLOB|NULL)\b/SQLDB_\1/g
