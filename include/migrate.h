/* migrate.h — applies sql/schema/NNNN_name.sql in order, each in one transaction, once;
 * then sql/functions/NN_name.sql, all in one transaction, whenever they changed. */
#ifndef OW_MIGRATE_H
#define OW_MIGRATE_H
#include <libpq-fe.h>
#include <stdio.h>

#include "buf.h"

/* Applies every migration file under dir not yet recorded in schema_migrations, in
 * name order, each wrapped in one transaction together with its record, then (when
 * functions_dir is not NULL) the function files as ow_functions_apply does; concurrent
 * runs wait on an advisory lock. Prints one line per applied file to `out`. Returns
 * the number of migrations applied (0 when current), or -1 with err filled. */
int ow_migrate_run(PGconn *c, const char *dir, const char *functions_dir, FILE *out, char *err,
		   size_t errsz) OW_WUR;
/* Counts the migration files under dir (what /ready expects as applied); -1 on error. */
int ow_migrate_count_files(const char *dir) OW_WUR;
/* Length of a function-files checksum as text, with its NUL (16 hex digits). */
#define OW_CHECKSUM_LEN 17
/* The checksum of the function files under dir (FNV-1a 64 over each NN_*.sql file's name
 * and bytes, in name order), as 16 hex digits; 0, or -1 when none can be read. */
int ow_functions_checksum(const char *dir, char out[OW_CHECKSUM_LEN]) OW_WUR;
/* Re-applies every function file under dir, in name order, in one transaction, when their
 * checksum differs from the one recorded in schema_functions, and records it; prints one
 * line when it did. Returns 1 applied, 0 already current, -1 with err filled. */
int ow_functions_apply(PGconn *c, const char *dir, FILE *out, char *err, size_t errsz) OW_WUR;

#endif
