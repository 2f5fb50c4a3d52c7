/* main.c — the command line: serve | migrate | key create/revoke | load-sample;
 * settings from the environment; signals. */
#include <libpq-fe.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "answers.h"
#include "stream.h"
#include "auth.h"
#include "config.h"
#include "db.h"
#include "handlers.h"
#include "http.h"
#include "import.h"
#include "resource.h"
#include "replicas.h"
#include "rtypes.h"
#include "stmts.h"
#include "webhooks.h"
#include "log.h"
#include "metrics.h"
#include "migrate.h"
#include "ratelimit.h"

static const char usage[] =
	"usage: orgwatch <command> [options]\n"
	"\n"
	"commands:\n"
	"  serve                                   serve the HTTP API\n"
	"  migrate                                 apply sql/schema/*.sql not yet applied, then\n"
	"                                          sql/functions/*.sql when they changed\n"
	"  key create --name NAME --role ROLE      print a new API key (reader|editor|admin)\n"
	"  key revoke --name NAME                  revoke the key with that name\n"
	"  load-sample                             load the sample dataset once (first start)\n"
	"  import FILE [--type TYPE] [--dry-run]   import NDJSON (or CSV: FILE.csv with --type or\n"
	"                                          named after its type, e.g. departures.csv);\n"
	"                                          FILE - reads stdin (--csv --type T for CSV)\n"
	"  routes                                  print the route table: METHOD PATH ROLE BODY\n"
	"  sql-types                               print sql/functions/90_record_types.sql (the "
	"SQL\n"
	"                                          dispatch by record type, from the registry)\n"
	"\n"
	"settings (environment):\n"
	"  ORGWATCH_DATABASE_URL    libpq connection string or URI (required)\n"
	"  ORGWATCH_LISTEN          host:port to serve on (default 127.0.0.1:8080)\n"
	"  ORGWATCH_DB_CONNECTIONS  request workers, each with a database connection (default:\n"
	"                           2 x cores; ORGWATCH_THREADS is the earlier name)\n"
	"  ORGWATCH_ANSWER_CACHE_MB memory for answers of public reads (default 64; 0 = none)\n"
	"  ORGWATCH_MAX_BODY        largest JSON body in bytes (default 1048576)\n"
	"  ORGWATCH_PUBLIC_READS    1 = reads need no key (default), 0 = reader key needed\n"
	"  ORGWATCH_MAX_CONNECTIONS concurrent connections (default 1024)\n"
	"  ORGWATCH_MAX_STREAMS     imports and exports at once (default 8)\n"
	"  ORGWATCH_CACHE_MAX_AGE   seconds HTTP caches may keep public reads (default 0)\n"
	"  ORGWATCH_REPLICA_URLS    read replicas: libpq URIs, comma-separated (default none)\n"
	"  ORGWATCH_REPLICA_MAX_LAG seconds a replica may lag and still take reads (default 10)\n"
	"  ORGWATCH_REPLICA_WAIT_MS ms a read waits for a replica to replay the caller's write\n"
	"                           (default 200)\n"
	"  ORGWATCH_LOG             error | warn | info | debug (default info)\n"
	"  ORGWATCH_HOME            folder with sql/, openapi.yaml, web/ (default .)\n"
	"  ORGWATCH_WEBHOOK_ALLOW_NETS     CIDRs webhooks may reach although private or\n"
	"                                  loopback, comma-separated (default none)\n"
	"  ORGWATCH_WEBHOOK_RETRY_WINDOW_S seconds a failing delivery is retried before its\n"
	"                                  webhook is disabled (default 259200: 72 h)\n";

static const char *env(const char *name)
{
	return getenv(name);
}

static int load_config(struct ow_config *cfg, int need_db)
{
	char err[512];
	if (ow_config_load(cfg, env, err, sizeof err) != 0) {
		fprintf(stderr, "orgwatch: %s\n", err);
		return -1;
	}
	if (need_db && !cfg->database_url[0]) {
		fprintf(stderr,
			"orgwatch: ORGWATCH_DATABASE_URL: not set (a libpq connection string"
			" or URI such as postgresql://user@127.0.0.1:5432/orgwatch)\n");
		return -1;
	}
	ow_log_set_level(cfg->log_level);
	return 0;
}

static PGconn *connect_cli(const struct ow_config *cfg)
{
	char err[512];
	PGconn *c = ow_db_connect_once(cfg->database_url, err, sizeof err);
	if (!c)
		fprintf(stderr, "orgwatch: cannot connect to the database: %s\n", err);
	return c;
}

static int cmd_serve(const struct ow_config *cfg)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	int rc = 1;
	if (ow_db_global_init(cfg->database_url, cfg->db_connections + ow_http_threads()) != 0)
		return 1;
	ow_db_set_max_dedicated(cfg->max_streams);
	ow_db_on_write_commit(ow_answers_changed);
	ow_ratelimit_init(cfg);
	if (ow_routes_init() != 0 || ow_ops_init(cfg->home) != 0 ||
	    ow_metrics_init(ow_routes, ow_routes_n) != 0 ||
	    ow_replicas_start(cfg, cfg->database_url) != 0 ||
	    ow_answers_start((size_t)cfg->answer_cache_mb << 20, cfg->database_url) != 0 ||
	    ow_stream_start(cfg, cfg->database_url) != 0 || ow_webhooks_start(cfg) != 0)
		goto out;
	ow_static_init(cfg->home);
	rc = ow_http_serve(cfg, ow_routes, ow_routes_n);
out:
	ow_stream_stop();
	ow_webhooks_stop();
	ow_answers_stop();
	ow_replicas_stop();
	ow_metrics_free();
	ow_ops_free();
	ow_db_global_shutdown();
	return rc;
}

static int load_sample_file(PGconn *c, const char *home)
{
	char path[1200];
	snprintf(path, sizeof path, "%s/sql/sample/sample.ndjson", home);
	FILE *in = fopen(path, "rb");
	if (!in) {
		fprintf(stderr, "orgwatch: cannot open %s\n", path);
		return 1;
	}
	struct ow_import *imp = ow_import_new(c, "sample", OW_IMPORT_NDJSON, NULL, 0);
	char chunk[65536];
	size_t got;
	while (imp && (got = fread(chunk, 1, sizeof chunk, in)) > 0)
		if (ow_import_feed(imp, chunk, got) != 0)
			break;
	fclose(in);
	int rc = 1;
	if (imp && ow_import_finish(imp) == 0 && ow_import_status(imp) == 200) {
		PGresult *res = ow_stmt_run(c, OW_Q_SAMPLE_MARK_LOADED, NULL);
		rc = PQresultStatus(res) == PGRES_COMMAND_OK ? 0 : 1;
		PQclear(res);
		printf("sample dataset loaded (%lu records)\n", ow_import_records(imp));
	} else if (imp) {
		struct ow_buf b;
		ow_buf_init(&b, 1 << 20);
		if (ow_import_report(imp, &b) == 0)
			fprintf(stderr, "orgwatch: loading the sample failed: %s\n", b.data);
		ow_buf_free(&b);
	}
	ow_import_free(imp);
	return rc;
}

static int cmd_migrate(const struct ow_config *cfg)
{
	PGconn *c = connect_cli(cfg);
	if (!c)
		return 1;
	char dir[1200], functions[1200], err[1024];
	snprintf(dir, sizeof dir, "%s/sql/schema", cfg->home);
	snprintf(functions, sizeof functions, "%s/sql/functions", cfg->home);
	int n = ow_migrate_run(c, dir, functions, stdout, err, sizeof err);
	PQfinish(c);
	if (n < 0) {
		fprintf(stderr, "orgwatch: migrate failed: %s\n", err);
		return 1;
	}
	printf("migrations current (%d applied now)\n", n);
	return 0;
}

/* Imports sql/sample/sample.ndjson through the import engine, once per database. */
static int cmd_load_sample(const struct ow_config *cfg)
{
	PGconn *c = connect_cli(cfg);
	if (!c)
		return 1;
	int rc = 1;
	PGresult *res = ow_stmt_run(c, OW_Q_SAMPLE_LOADED, NULL);
	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		fprintf(stderr, "orgwatch: %s(run 'orgwatch migrate' first)\n", PQerrorMessage(c));
	} else if (PQntuples(res) > 0) {
		printf("sample dataset already loaded on %s; not loading it again\n",
		       PQgetvalue(res, 0, 0));
		rc = 0;
	} else {
		rc = load_sample_file(c, cfg->home);
	}
	PQclear(res);
	PQfinish(c);
	return rc;
}

static int has_flag(int argc, char **argv, const char *flag)
{
	for (int i = 0; i < argc; i++)
		if (strcmp(argv[i], flag) == 0)
			return 1;
	return 0;
}

static const char *opt(int argc, char **argv, const char *name)
{
	for (int i = 0; i + 1 < argc; i++)
		if (strcmp(argv[i], name) == 0)
			return argv[i + 1];
	return NULL;
}

static int cmd_key(const struct ow_config *cfg, int argc, char **argv)
{
	const char *name = opt(argc, argv, "--name");
	const char *role_s = opt(argc, argv, "--role");
	int create = argc >= 1 && strcmp(argv[0], "create") == 0;
	int revoke = argc >= 1 && strcmp(argv[0], "revoke") == 0;
	enum ow_role role = OW_ROLE_EDITOR;
	if ((!create && !revoke) || !name || !name[0] || strlen(name) > 200) {
		fprintf(stderr,
			"usage: orgwatch key create --name NAME --role reader|editor|admin\n"
			"       orgwatch key revoke --name NAME\n");
		return 2;
	}
	if (create && (!role_s || ow_role_parse(role_s, &role) != 0)) {
		fprintf(stderr, "orgwatch: --role: expected reader, editor or admin\n");
		return 2;
	}
	PGconn *c = connect_cli(cfg);
	if (!c)
		return 1;
	char key[68], err[512];
	int rc = create ? ow_auth_key_create(c, name, role, key, err, sizeof err)
			: ow_auth_key_revoke(c, name, err, sizeof err);
	PQfinish(c);
	if (rc != 0) {
		fprintf(stderr, "orgwatch: %s\n", err);
		return 1;
	}
	if (create)
		printf("%s\n", key);
	else
		fprintf(stderr, "revoked the key '%s'\n", name);
	return 0;
}

/* The record type a CSV file name implies: ".../departures.csv" → "departures". */
static const char *type_from_name(const char *path, char *out, size_t outsz)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	snprintf(out, outsz, "%s", base);
	char *dot = strrchr(out, '.');
	if (dot)
		*dot = '\0';
	const struct ow_rtype *t = ow_rtype_find(out);
	return t ? t->name : NULL;
}

static void progress(FILE *f, const struct ow_import *imp, long long done, long long size,
		     const struct timespec *t0)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	double secs = (double)(now.tv_sec - t0->tv_sec) + (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
	unsigned long n = ow_import_records(imp);
	double rate = secs > 0 ? (double)n / secs : 0.0;
	if (size > 0)
		fprintf(f, "\r%lu records, %.0f records/s, %.0f%% of the file   ", n, rate,
			100.0 * (double)done / (double)size);
	else
		fprintf(f, "\r%lu records, %.0f records/s, %lld bytes read   ", n, rate, done);
	fflush(f);
}

static int cmd_import(const struct ow_config *cfg, int argc, char **argv)
{
	if (argc < 1 || (argv[0][0] == '-' && argv[0][1] != '\0')) {
		fprintf(stderr,
			"usage: orgwatch import FILE|- [--csv] [--type TYPE] [--dry-run]\n");
		return 2;
	}
	const char *path = argv[0];
	size_t len = strlen(path);
	int csv = (len > 4 && strcmp(path + len - 4, ".csv") == 0) || has_flag(argc, argv, "--csv");
	char stem[256];
	const char *type_arg = opt(argc, argv, "--type");
	const struct ow_rtype *given = type_arg ? ow_rtype_find(type_arg) : NULL;
	const char *type = type_arg ? (given ? given->name : NULL)
			   : csv    ? type_from_name(path, stem, sizeof stem)
				    : NULL;
	if ((type_arg && !type) || (csv && !type)) {
		char names[256];
		fprintf(stderr, "orgwatch: --type: expected one of %s\n",
			ow_rtype_names(names, sizeof names, 0));
		return 2;
	}
	int from_stdin = strcmp(path, "-") == 0;
	FILE *in = from_stdin ? stdin : fopen(path, "rb");
	if (!in) {
		fprintf(stderr, "orgwatch: cannot open %s\n", path);
		return 2;
	}
	/* The size is known for regular files only (a pipe or stdin has none: no percentage). */
	long long size = -1;
	if (fseek(in, 0, SEEK_END) == 0) {
		size = ftell(in);
		if (fseek(in, 0, SEEK_SET) != 0)
			size = -1;
	}
	PGconn *c = connect_cli(cfg);
	if (!c) {
		if (!from_stdin)
			fclose(in);
		return 1;
	}
	struct ow_import *imp = ow_import_new(c, "cli", csv ? OW_IMPORT_CSV : OW_IMPORT_NDJSON,
					      type, has_flag(argc, argv, "--dry-run"));
	int tty = isatty(STDERR_FILENO);
	struct timespec t0, last;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	last = t0;
	char chunk[65536];
	size_t got;
	long long done = 0;
	while (imp && (got = fread(chunk, 1, sizeof chunk, in)) > 0) {
		done += (long long)got;
		if (ow_import_feed(imp, chunk, got) != 0)
			break;
		struct timespec now;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (tty && now.tv_sec != last.tv_sec) {
			progress(stderr, imp, done, size, &t0);
			last = now;
		}
	}
	if (!from_stdin)
		fclose(in);
	int rc = 1;
	if (imp) {
		(void)ow_import_finish(imp);
		if (tty) {
			progress(stderr, imp, done, size, &t0);
			fputc('\n', stderr);
		}
		struct ow_buf b;
		ow_buf_init(&b, 1 << 20);
		if (ow_import_report(imp, &b) == 0)
			printf("%s\n", b.data);
		ow_buf_free(&b);
		rc = ow_import_status(imp) == 200 ? 0 : 1;
	}
	ow_import_free(imp);
	PQfinish(c);
	return rc;
}

static int wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return 1;
	return 0;
}

/* Prints the route table as the server builds it: "METHOD PATH ROLE BODY FILTERS" lines,
 * FILTERS the query filters of a record list (comma-separated) or "-" (the tests read the
 * real table from here). Needs no database. */
static int cmd_routes(void)
{
	if (ow_routes_init() != 0)
		return 1;
	static const char *const bodies[] = {"none", "json", "stream"};
	for (size_t i = 0; i < ow_routes_n; i++) {
		const struct ow_route *rt = &ow_routes[i];
		printf("%s %s %s %s ", rt->method, rt->pattern, ow_role_name(rt->role),
		       bodies[rt->body]);
		const struct ow_resource *res = rt->handler == ow_h_record_list ? rt->arg : NULL;
		for (size_t k = 0; res && k < res->nfilters; k++)
			printf("%s%s", k ? "," : "", res->filters[k].name);
		printf("%s\n", res && res->nfilters ? "" : "-");
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "help") == 0 || wants_help(argc, argv)) {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	const char *cmd = argv[1];
	if (!strcmp(cmd, "routes"))
		return cmd_routes();
	if (!strcmp(cmd, "sql-types"))
		return ow_rtypes_sql(stdout) == 0 ? 0 : 1;
	int known = !strcmp(cmd, "serve") || !strcmp(cmd, "migrate") || !strcmp(cmd, "key") ||
		    !strcmp(cmd, "load-sample") || !strcmp(cmd, "import");
	if (!known) {
		fprintf(stderr, "orgwatch: unknown command '%s' (try --help)\n", cmd);
		return 2;
	}
	static struct ow_config cfg;
	if (load_config(&cfg, 1) != 0)
		return 2;
	if (!strcmp(cmd, "serve"))
		return cmd_serve(&cfg);
	if (!strcmp(cmd, "migrate"))
		return cmd_migrate(&cfg);
	if (!strcmp(cmd, "load-sample"))
		return cmd_load_sample(&cfg);
	if (!strcmp(cmd, "import"))
		return cmd_import(&cfg, argc - 2, argv + 2);
	return cmd_key(&cfg, argc - 2, argv + 2);
}
