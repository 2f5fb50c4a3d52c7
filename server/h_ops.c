/* h_ops.c — GET /health, /ready, /metrics and /openapi.yaml. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "db_problem.h"
#include "handlers.h"
#include "http.h"
#include "log.h"
#include "metrics.h"
#include "migrate.h"
#include "problem.h"
#include "replicas.h"
#include "req.h"
#include "webhooks.h"

static struct ow_buf openapi;
static int expected_migrations;
static char functions_checksum[OW_CHECKSUM_LEN]; /* of the sql/functions/ files at start */

int ow_ops_init(const char *home)
{
	char path[1200];
	snprintf(path, sizeof path, "%s/openapi.yaml", home);
	ow_buf_init(&openapi, 16 << 20);
	FILE *f = fopen(path, "rb");
	if (f) {
		int rc = ow_buf_append_file(&openapi, f);
		fclose(f);
		if (rc != 0) {
			ow_log(OW_LOG_ERROR, "%s is too large", path);
			return -1;
		}
	} else {
		ow_log(OW_LOG_WARN, "%s not found; /openapi.yaml will answer 404", path);
	}
	snprintf(path, sizeof path, "%s/sql/schema", home);
	expected_migrations = ow_migrate_count_files(path);
	if (expected_migrations < 0) {
		ow_log(OW_LOG_ERROR, "cannot read %s (is ORGWATCH_HOME right?)", path);
		return -1;
	}
	snprintf(path, sizeof path, "%s/sql/functions", home);
	if (ow_functions_checksum(path, functions_checksum) != 0) {
		ow_log(OW_LOG_ERROR, "cannot read %s (is ORGWATCH_HOME right?)", path);
		return -1;
	}
	return 0;
}

void ow_ops_free(void)
{
	ow_buf_free(&openapi);
}

int ow_h_health(struct ow_req *r)
{
	static const char body[] = "{\"status\":\"ok\"}";
	return ow_reply_json(r, 200, body, sizeof body - 1, NULL);
}

int ow_h_ready(struct ow_req *r)
{
	struct ow_db_error err;
	struct ow_db *db = ow_db_acquire(&err);
	PGresult *res = db ? ow_db_exec(db, OW_Q_READY, NULL, &err) : NULL;
	if (!res)
		return ow_db_problem(r, &err);
	int applied = atoi(PQgetvalue(res, 0, 0));
	PQclear(res);
	if (applied != expected_migrations)
		return ow_problem_replyf(
			r, OW_P_UNAVAILABLE,
			"Migrations not current: %d applied, %d expected. Run 'orgwatch migrate'.",
			applied, expected_migrations);
	res = ow_db_exec(db, OW_Q_READY_FUNCTIONS, NULL, &err);
	if (!res)
		return ow_db_problem(r, &err);
	char have[OW_CHECKSUM_LEN];
	snprintf(have, sizeof have, "%s", PQntuples(res) ? PQgetvalue(res, 0, 0) : "none");
	PQclear(res);
	if (strcmp(have, functions_checksum) != 0)
		return ow_problem_replyf(
			r, OW_P_UNAVAILABLE,
			"SQL functions not current: the database has %s, this server's"
			" sql/functions/ is %s. Run 'orgwatch migrate'.",
			have, functions_checksum);
	struct ow_buf b;
	ow_buf_init(&b, 64 * 1024);
	int rc = ow_buf_appendf(&b,
				"{\"status\":\"ready\",\"database\":\"ok\",\"migrations\":{"
				"\"applied\":%d,\"expected\":%d},\"functions\":\"%s\"",
				applied, expected_migrations, functions_checksum);
	rc |= ow_replicas_render_ready(&b);
	rc |= ow_buf_append_str(&b, "}");
	rc = rc == 0 ? ow_reply_json_buf(r, 200, &b)
		     : ow_problem_reply(r, OW_P_INTERNAL, "/ready could not be rendered.", NULL,
					NULL);
	ow_buf_free(&b);
	return rc;
}

int ow_h_metrics(struct ow_req *r)
{
	struct ow_buf b;
	ow_buf_init(&b, 16 << 20);
	int rc = ow_metrics_render(&b, ow_http_inflight());
	if (rc == 0)
		rc = ow_webhooks_render_metrics(&b);
	if (rc == 0)
		rc = ow_reply(r, 200, "text/plain; version=0.0.4; charset=utf-8", b.data, b.len,
			      NULL);
	else
		rc = ow_problem_reply(r, OW_P_INTERNAL, "Metrics could not be rendered.", NULL,
				      NULL);
	ow_buf_free(&b);
	return rc;
}

int ow_h_openapi(struct ow_req *r)
{
	if (!openapi.len)
		return ow_problem_reply(r, OW_P_NOT_FOUND, "openapi.yaml is not installed.", NULL,
					NULL);
	return ow_reply(r, 200, "application/yaml; charset=utf-8", openapi.data, openapi.len, NULL);
}
