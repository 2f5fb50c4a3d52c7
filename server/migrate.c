/* migrate.c — the migration runner: numbered SQL files, one transaction each. */
#include "migrate.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#define MAX_MIGRATIONS 1000

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

/* Lists migration file names under dir, sorted; caller frees each and the array. */
static int list_files(const char *dir, char ***out)
{
	DIR *d = opendir(dir);
	if (!d)
		return -1;
	char **names = calloc(MAX_MIGRATIONS, sizeof *names);
	int n = 0;
	struct dirent *e;
	while (names && (e = readdir(d)) != NULL) {
		if (!is_migration(e->d_name) || n == MAX_MIGRATIONS)
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
	char chunk[65536];
	size_t got;
	int rc = 0;
	while (rc == 0 && (got = fread(chunk, 1, sizeof chunk, f)) > 0)
		rc = ow_buf_append(b, chunk, got);
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

int ow_sql_file_run(PGconn *c, const char *path, char *err, size_t errsz)
{
	struct ow_buf b;
	ow_buf_init(&b, (size_t)256 << 20);
	if (read_file(path, &b) != 0) {
		snprintf(err, errsz, "cannot read %s", path);
		ow_buf_free(&b);
		return -1;
	}
	int rc = exec_ok(c, "BEGIN", err, errsz);
	if (rc == 0 && exec_ok(c, b.data, err, errsz) != 0) {
		char inner[768];
		snprintf(inner, sizeof inner, "%s", err);
		snprintf(err, errsz, "%s: %s", path, inner);
		rc = -1;
	}
	ow_buf_free(&b);
	if (rc != 0) {
		char ignore[64];
		(void)exec_ok(c, "ROLLBACK", ignore, sizeof ignore);
		return -1;
	}
	return exec_ok(c, "COMMIT", err, errsz);
}

static int applied(PGconn *c, const char *version, int *yes, char *err, size_t errsz)
{
	const char *p[] = {version};
	PGresult *res = PQexecParams(c, "SELECT 1 FROM schema_migrations WHERE version = $1", 1,
				     NULL, p, NULL, NULL, 0);
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
	if (rc == 0) {
		const char *p[] = {name};
		PGresult *res =
			PQexecParams(c, "INSERT INTO schema_migrations (version) VALUES ($1)", 1,
				     NULL, p, NULL, NULL, 0);
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

int ow_migrate_run(PGconn *c, const char *dir, FILE *out, char *err, size_t errsz)
{
	char **names = NULL;
	int n = list_files(dir, &names);
	if (n < 0) {
		snprintf(err, errsz, "cannot read the migrations folder %s", dir);
		return -1;
	}
	int count = 0;
	if (exec_ok(c,
		    "SET client_min_messages = warning;"
		    " SELECT pg_advisory_lock(7406117);"
		    " CREATE TABLE IF NOT EXISTS schema_migrations (version text PRIMARY KEY,"
		    " applied_at timestamptz NOT NULL DEFAULT now())",
		    err, errsz) != 0)
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
	char ignore[64];
	(void)exec_ok(c, "SELECT pg_advisory_unlock(7406117)", ignore, sizeof ignore);
	free_list(names, n);
	return count;
}
