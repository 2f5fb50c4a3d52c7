/* stmts.c — the one table of named prepared statements; SQL text only, no request text
 * is ever spliced in. Most statements call functions of sql/migrations/. */
#include "stmts.h"

const struct ow_stmt ow_stmts[OW_Q_COUNT] = {
	[OW_Q_READY] = {"ready", "SELECT count(*) FROM schema_migrations", 0},
	[OW_Q_AUTH_LOOKUP] = {"auth_lookup",
			      "SELECT name, role FROM api_keys"
			      " WHERE key_hash = sha256(convert_to($1, 'UTF8')) AND revoked_at IS NULL",
			      1},
};
