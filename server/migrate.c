/* migrate.c — the migration runner: numbered schema files (sql/schema/), one transaction
 * each, applied once; then the function files (sql/functions/: functions and triggers), all
 * re-applied in one transaction whenever their checksum differs from the one the database
 * recorded, which then drops the ow_* functions and triggers that no file defines. */
#include "migrate.h"

#include "stmts.h"

#include <dirent.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_MIGRATIONS 1000

/* A function file: NN_name.sql (two digits, an underscore). */
static int is_function_file(const char *name)
{
	size_t n = strlen(name);
	return n >= 8 && n <= 200 && strcmp(name + n - 4, ".sql") == 0 && name[0] >= '0' &&
	       name[0] <= '9' && name[1] >= '0' && name[1] <= '9' && name[2] == '_';
}

static int is_migration(const char *name)
{
	size_t n = strlen(name);
	if (n < 10 || n > 200 || strcmp(name + n - 4, ".sql") != 0)
		return 0;
	for (int i = 0; i < 4; i++)
		if (name[i] < '0' || name[i] > '9')
			return 0;
	return name[4] == '_';
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Lists the file names under dir that `want` accepts, sorted; caller frees each and the
 * array. */
static int list_matching(const char *dir, int (*want)(const char *), char ***out)
{
	DIR *d = opendir(dir);
	if (!d)
		return -1;
	char **names = calloc(MAX_MIGRATIONS, sizeof *names);
	int n = 0;
	struct dirent *e;
	while (names && (e = readdir(d)) != NULL) {
		if (!want(e->d_name) || n == MAX_MIGRATIONS)
			continue;
		names[n] = strdup(e->d_name);
		if (!names[n])
			break;
		n++;
	}
	closedir(d);
	if (!names)
		return -1;
	qsort(names, (size_t)n, sizeof *names, cmp_names);
	*out = names;
	return n;
}

static int list_files(const char *dir, char ***out)
{
	return list_matching(dir, is_migration, out);
}

static void free_list(char **names, int n)
{
	for (int i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

int ow_migrate_count_files(const char *dir)
{
	char **names;
	int n = list_files(dir, &names);
	if (n >= 0)
		free_list(names, n);
	return n;
}

static int read_file(const char *path, struct ow_buf *b)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return -1;
	int rc = ow_buf_append_file(b, f);
	if (ferror(f))
		rc = -1;
	fclose(f);
	if (rc == 0 && !b->data)
		rc = ow_buf_append(b, "", 0);
	return rc;
}

static int exec_ok(PGconn *c, const char *sql, char *err, size_t errsz)
{
	PGresult *res = PQexec(c, sql);
	ExecStatusType st = PQresultStatus(res);
	int ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
	if (!ok)
		snprintf(err, errsz, "%s", PQresultErrorMessage(res));
	PQclear(res);
	return ok ? 0 : -1;
}

/* Ends a migration step's transaction: when rc is 0, records it (statement id with its one
 * parameter) and commits; otherwise, or when recording fails, rolls back. 0 or -1 with err. */
static int record_and_commit(PGconn *c, int rc, enum ow_stmt_id id, const char *param, char *err,
			     size_t errsz)
{
	if (rc == 0) {
		const char *p[] = {param};
		PGresult *res = ow_stmt_run(c, id, p);
		if (PQresultStatus(res) != PGRES_COMMAND_OK) {
			snprintf(err, errsz, "%s", PQresultErrorMessage(res));
			rc = -1;
		}
		PQclear(res);
	}
	if (rc == 0)
		return exec_ok(c, "COMMIT", err, errsz);
	char ignore[64];
	(void)exec_ok(c, "ROLLBACK", ignore, sizeof ignore);
	return -1;
}

static int applied(PGconn *c, const char *version, int *yes, char *err, size_t errsz)
{
	const char *p[] = {version};
	PGresult *res = ow_stmt_run(c, OW_Q_MIGRATE_APPLIED, p);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		snprintf(err, errsz, "%s", PQresultErrorMessage(res));
		PQclear(res);
		return -1;
	}
	*yes = PQntuples(res) > 0;
	PQclear(res);
	return 0;
}

static int apply_one(PGconn *c, const char *dir, const char *name, char *err, size_t errsz)
{
	char path[1400];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	struct ow_buf b;
	ow_buf_init(&b, (size_t)64 << 20);
	if (read_file(path, &b) != 0) {
		snprintf(err, errsz, "cannot read %s", path);
		ow_buf_free(&b);
		return -1;
	}
	int rc = exec_ok(c, "BEGIN", err, errsz);
	if (rc == 0 && exec_ok(c, b.data, err, errsz) != 0) {
		char inner[768];
		snprintf(inner, sizeof inner, "%s", err);
		snprintf(err, errsz, "%s: %s", name, inner);
		rc = -1;
	}
	ow_buf_free(&b);
	return record_and_commit(c, rc, OW_Q_MIGRATE_RECORD, name, err, errsz);
}

int ow_migrate_run(PGconn *c, const char *dir, const char *functions_dir, FILE *out, char *err,
		   size_t errsz)
{
	char **names = NULL;
	int n = list_files(dir, &names);
	if (n < 0) {
		snprintf(err, errsz, "cannot read the migrations folder %s", dir);
		return -1;
	}
	int count = 0;
	if (exec_ok(c, ow_stmt_sql(OW_Q_MIGRATE_LOCK), err, errsz) != 0)
		count = -1;
	for (int i = 0; count >= 0 && i < n; i++) {
		int yes = 0;
		if (applied(c, names[i], &yes, err, errsz) != 0) {
			count = -1;
			break;
		}
		if (yes)
			continue;
		if (apply_one(c, dir, names[i], err, errsz) != 0) {
			count = -1;
			break;
		}
		fprintf(out, "applied %s\n", names[i]);
		count++;
	}
	if (count >= 0 && functions_dir &&
	    ow_functions_apply(c, functions_dir, out, err, errsz) < 0)
		count = -1;
	char ignore[64];
	(void)exec_ok(c, ow_stmt_sql(OW_Q_MIGRATE_UNLOCK), ignore, sizeof ignore);
	free_list(names, n);
	return count;
}

int ow_functions_checksum(const char *dir, char out[OW_CHECKSUM_LEN])
{
	char **names = NULL;
	int n = list_matching(dir, is_function_file, &names);
	if (n <= 0) {
		if (n == 0)
			free_list(names, n);
		return -1;
	}
	uint64_t h = OW_FNV64_INIT;
	int rc = 0;
	for (int i = 0; i < n && rc == 0; i++) {
		char path[1400];
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		struct ow_buf b;
		ow_buf_init(&b, (size_t)64 << 20);
		rc = read_file(path, &b);
		if (rc == 0) {
			h = ow_fnv1a64(h, names[i], strlen(names[i]) + 1);
			h = ow_fnv1a64(h, b.data, b.len);
		}
		ow_buf_free(&b);
	}
	free_list(names, n);
	if (rc != 0)
		return -1;
	snprintf(out, OW_CHECKSUM_LEN, "%016llx", (unsigned long long)h);
	return 0;
}

/* The checksum the database recorded (empty when none); 0 or -1 with err. */
static int recorded_checksum(PGconn *c, char out[OW_CHECKSUM_LEN], char *err, size_t errsz)
{
	PGresult *res = ow_stmt_run(c, OW_Q_READY_FUNCTIONS, NULL);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		snprintf(err, errsz, "%s", PQresultErrorMessage(res));
		PQclear(res);
		return -1;
	}
	snprintf(out, OW_CHECKSUM_LEN, "%s", PQntuples(res) ? PQgetvalue(res, 0, 0) : "");
	PQclear(res);
	return 0;
}

/* Drops the functions and triggers no file defined in this transaction (ow_prune_undefined,
 * sql/functions/98_prune.sql); what it dropped goes to dropped, a line each. 0 or -1. */
static int prune_undefined(PGconn *c, struct ow_buf *dropped, char *err, size_t errsz)
{
	PGresult *res = ow_stmt_run(c, OW_Q_FUNCTIONS_PRUNE, NULL);
	int rc = PQresultStatus(res) == PGRES_TUPLES_OK ? 0 : -1;
	if (rc != 0)
		snprintf(err, errsz, "dropping what no file defines: %s",
			 PQresultErrorMessage(res));
	for (int i = 0; rc == 0 && i < PQntuples(res); i++)
		rc = ow_buf_appendf(dropped, "dropped %s (no file defines it)\n",
				    PQgetvalue(res, i, 0));
	PQclear(res);
	return rc;
}

/* Runs every function file in one transaction (bodies checked at first call, as pg_dump
 * restores do: a file may refer to a function of a later one), drops what no file defines and
 * records the checksum. */
static int apply_functions(PGconn *c, const char *dir, char **names, int n, const char *sum,
			   struct ow_buf *dropped, char *err, size_t errsz)
{
	int rc = exec_ok(c, "BEGIN; SET LOCAL check_function_bodies = off", err, errsz);
	for (int i = 0; rc == 0 && i < n; i++) {
		char path[1400];
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		struct ow_buf b;
		ow_buf_init(&b, (size_t)64 << 20);
		if (read_file(path, &b) != 0) {
			snprintf(err, errsz, "cannot read %s", path);
			rc = -1;
		} else if (exec_ok(c, b.data, err, errsz) != 0) {
			char inner[768];
			snprintf(inner, sizeof inner, "%s", err);
			snprintf(err, errsz, "sql/functions/%s: %s", names[i], inner);
			rc = -1;
		}
		ow_buf_free(&b);
	}
	if (rc == 0)
		rc = prune_undefined(c, dropped, err, errsz);
	return record_and_commit(c, rc, OW_Q_FUNCTIONS_RECORD, sum, err, errsz);
}

int ow_functions_apply(PGconn *c, const char *dir, FILE *out, char *err, size_t errsz)
{
	char sum[OW_CHECKSUM_LEN], have[OW_CHECKSUM_LEN];
	if (ow_functions_checksum(dir, sum) != 0) {
		snprintf(err, errsz, "cannot read the function files in %s", dir);
		return -1;
	}
	if (recorded_checksum(c, have, err, errsz) != 0)
		return -1;
	if (strcmp(sum, have) == 0)
		return 0;
	char **names = NULL;
	int n = list_matching(dir, is_function_file, &names);
	if (n <= 0) {
		snprintf(err, errsz, "no function files in %s", dir);
		if (n == 0)
			free_list(names, n);
		return -1;
	}
	struct ow_buf dropped;
	ow_buf_init(&dropped, (size_t)1 << 20);
	int rc = apply_functions(c, dir, names, n, sum, &dropped, err, errsz);
	if (rc == 0)
		fprintf(out, "applied sql/functions (%d files, checksum %s)\n%s", n, sum,
			dropped.data ? dropped.data : "");
	ow_buf_free(&dropped);
	free_list(names, n);
	return rc == 0 ? 1 : -1;
}
