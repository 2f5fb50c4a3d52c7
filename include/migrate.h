/* migrate.h — applies sql/migrations/NNNN_name.sql in order, each in one transaction. */
#ifndef OW_MIGRATE_H
#define OW_MIGRATE_H
#include <libpq-fe.h>
#include <stdio.h>

#include "buf.h"

/* Applies every migration file under dir not yet recorded in schema_migrations, in
 * name order, each wrapped in one transaction together with its record; concurrent
 * runs wait on an advisory lock. Prints one line per applied file to `out`. Returns
 * the number applied (0 when current), or -1 with err filled. */
int ow_migrate_run(PGconn *c, const char *dir, FILE *out, char *err, size_t errsz) OW_WUR;
/* Counts the migration files under dir (what /ready expects as applied); -1 on error. */
int ow_migrate_count_files(const char *dir) OW_WUR;
/* Runs a whole SQL file in one transaction; 0 or -1 with err. */
int ow_sql_file_run(PGconn *c, const char *path, char *err, size_t errsz) OW_WUR;

#endif
