/* stmts.c — the one table of named prepared statements; SQL text only, no request text
 * is ever spliced in. Writes call functions of sql/functions/. List statements take
 * their filters first (NULL = not filtering), then the cursor's parts, then the limit. */
#include "stmts.h"

#include <libpq-fe.h>

/* Keyset condition and order shared by the created-order lists ($c1 = created_at, $c2 = id). */
#define KEYSET(t, c1, c2, lim)                                                                     \
	" AND ($" #c1 "::timestamptz IS NULL OR (" t ".created_at, " t ".id) > ($" #c1             \
	"::timestamptz, $" #c2 "::uuid)) ORDER BY " t ".created_at, " t ".id LIMIT $" #lim "::int"

#define GET(fn) "SELECT r_doc, r_etag, r_moved FROM " fn "($1)"
/* Every record write goes through ow_write(), which first names every unknown reference. */
#define WRITE(entity)                                                                              \
	"SELECT r_doc, r_etag, r_id FROM ow_write('" entity "', $1, $2, $3::jsonb, $4)"

/* People filters $2 org, $3 team (current members), $4 tag, $5 updated_since. Written as
 * IN (...) so that, with the argument given, the planner can start from the members. */
#define PEOPLE_FILTERS                                                                             \
	" AND ($2::text IS NULL OR p.id IN (SELECT po.person_id FROM positions po"                 \
	" WHERE po.ended_on IS NULL AND po.org_id = (SELECT ow_key_strict('organization', $2, "    \
	"'org'))))"                                                                                \
	" AND ($3::text IS NULL OR p.id IN (SELECT po.person_id FROM positions po"                 \
	" WHERE po.ended_on IS NULL AND po.team_id = (SELECT ow_key_strict('team', $3, 'team'))))" \
	" AND ($4::text IS NULL OR p.tags @> ARRAY[$4::text])"                                     \
	" AND ($5::timestamptz IS NULL OR p.updated_at >= $5::timestamptz)"

/* Departures: filters $1..$12 (person, org, team, destination_org, kind, reason_category,
 * destination_kind, from, to, layoff, updated_since, status; the sort filter picks the
 * statement and is not passed: see SKIP_SORT), applied by ow_departures_filtered
 * (sql/functions/08_departures.sql), the one definition the statistics use too; plain SQL,
 * inlined into each statement by the planner. */
#define DEPARTURE_FILTERS                                                                          \
	" FROM ow_departures_filtered($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::timestamptz,"  \
	" $12) d WHERE true"

/* Sorted by the start of the date's range, then its end (a "2016-01-01" departure before
 * "2016-01" before "2016"), then id. The cursor's first part is "start|end". The page is
 * chosen first (the filters, the keyset, the limit), then rendered by ow_departure_json with
 * joins to what its rows refer to: no lookup per row. */
#define DEPARTURES_SORTED(lo, hi, cmp, dir)                                                        \
	"SELECT ow_departure_json(d.r, p, o, t, dst, l, src.ids, src.summaries)::text,"            \
	" d.k_lo::text || '|' || d.k_hi::text, d.id::text"                                         \
	" FROM (SELECT d AS r, d.id, d.person_id, d.org_id, d.team_id, d.destination_org_id,"      \
	" d.layoff_id, " lo " AS k_lo, " hi " AS k_hi" DEPARTURE_FILTERS                           \
	" AND ($13::text IS NULL OR ((" lo "), (" hi "), d.id) " cmp                               \
	" (split_part($13, '|', 1)::date, split_part($13, '|', 2)::date, $14::uuid))"              \
	" ORDER BY (" lo ") " dir ", (" hi ") " dir ", d.id " dir " LIMIT $15::int) d"             \
	" JOIN people p ON p.id = d.person_id JOIN organizations o ON o.id = d.org_id"             \
	" LEFT JOIN teams t ON t.id = d.team_id"                                                   \
	" LEFT JOIN organizations dst ON dst.id = d.destination_org_id"                            \
	" LEFT JOIN layoffs l ON l.id = d.layoff_id"                                               \
	" LEFT JOIN LATERAL (SELECT json_agg(s.id ORDER BY s.url) AS ids,"                         \
	" json_agg(json_build_object('id', s.id, 'url', s.url, 'publisher', s.publisher,"          \
	" 'title', s.title) ORDER BY s.url) AS summaries FROM departure_sources x"                 \
	" JOIN sources s ON s.id = x.source_id WHERE x.departure_id = d.id) src ON true"           \
	" ORDER BY d.k_lo " dir ", d.k_hi " dir ", d.id " dir

/* The C argument a statement does not take (bit i = argument i): the departures' sort
 * filter (it chose the statement); a cursor's second part where one part is enough. */
#define SKIP_SORT (1ULL << 12)
#define SKIP_ARG(i) (1ULL << (i))

#define DEPARTED_LO "lower(d.departed_range)"
#define DEPARTED_HI "upper(d.departed_range)"
#define ANNOUNCED_LO "coalesce(lower(d.announced_range), 'infinity'::date)"
#define ANNOUNCED_HI "coalesce(upper(d.announced_range), 'infinity'::date)"

const struct ow_stmt ow_stmts[OW_Q_COUNT] = {
	[OW_Q_READY] = {"ready", "SELECT count(*) FROM schema_migrations", 0},
	/* The data version of cache.c: every write of a record leaves an audit row. */
	[OW_Q_DATA_VERSION] = {"data_version", "SELECT coalesce(max(id), 0) FROM audit_log", 0},
	[OW_Q_READY_FUNCTIONS] = {"ready_functions",
				  "SELECT checksum FROM schema_functions WHERE id = 1", 0},
	[OW_Q_AUTH_LOOKUP] =
		{"auth_lookup",
		 "SELECT name, role FROM api_keys"
		 " WHERE key_hash = sha256(convert_to($1, 'UTF8')) AND revoked_at IS NULL",
		 1},
	[OW_Q_RECORD_DELETE] = {"record_delete", "SELECT ow_record_delete($1, $2, $3, $4)", 4},
	[OW_Q_IDEM_CLAIM] = {"idem_claim",
			     "SELECT r_state, r_status, r_location, r_etag, r_response"
			     " FROM ow_idem_claim($1, $2, $3, $4, $5)",
			     5},
	[OW_Q_IDEM_STORE] = {"idem_store", "SELECT ow_idem_store($1, $2, $3::int, $4, $5, $6)", 6},

	[OW_Q_ORGANIZATIONS_LIST] =
		{"organizations_list",
		 "SELECT ow_organization_doc(o)::text, o.created_at::text, o.id::text"
		 " FROM organizations o WHERE"
		 " ($1::text IS NULL OR strpos(ow_fold(o.name), ow_fold($1)) > 0"
		 " OR strpos(o.slug, lower($1)) > 0)"
		 " AND ($2::text IS NULL OR o.kind = $2)"
		 " AND ($3::text IS NULL OR o.parent_id = (SELECT ow_key_strict('organization', "
		 "$3, 'parent')))"
		 " AND ($4::timestamptz IS NULL OR o.updated_at >= $4::timestamptz)" KEYSET("o", 5,
											    6, 7),
		 7, 1},
	[OW_Q_ORGANIZATIONS_GET] = {"organizations_get", GET("ow_organizations_get"), 1},
	[OW_Q_ORGANIZATIONS_WRITE] = {"organizations_write", WRITE("organization"), 4},

	[OW_Q_TEAMS_LIST] =
		{"teams_list",
		 "SELECT ow_team_doc(t)::text, t.created_at::text, t.id::text FROM teams t WHERE"
		 " ($1::text IS NULL OR strpos(ow_fold(t.name), ow_fold($1)) > 0"
		 " OR strpos(t.slug, lower($1)) > 0)"
		 " AND ($2::text IS NULL OR t.org_id = (SELECT ow_key_strict('organization', $2, "
		 "'org')))"
		 " AND ($3::text IS NULL OR t.parent_id = (SELECT ow_key_strict('team', $3, "
		 "'parent')))"
		 " AND ($4::timestamptz IS NULL OR t.updated_at >= $4::timestamptz)" KEYSET("t", 5,
											    6, 7),
		 7, 1},
	[OW_Q_TEAMS_GET] = {"teams_get", GET("ow_teams_get"), 1},
	[OW_Q_TEAMS_WRITE] = {"teams_write", WRITE("team"), 4},

	[OW_Q_PEOPLE_LIST] =
		{"people_list",
		 "SELECT ow_person_doc(p)::text, p.created_at::text, p.id::text FROM people p"
		 " WHERE $1::text IS NULL" PEOPLE_FILTERS KEYSET("p", 6, 7, 8),
		 8, 1},
	[OW_Q_PEOPLE_SEARCH] =
		{"people_search",
		 "SELECT ow_person_doc(p)::text, s.score::text, p.id::text FROM people p,"
		 " LATERAL (SELECT greatest(word_similarity(ow_fold($1), p.search_text),"
		 " similarity(ow_fold($1), p.search_text))::float8 AS score) s"
		 " WHERE (ow_fold($1) <% p.search_text OR ow_fold($1) % "
		 "p.search_text)" PEOPLE_FILTERS
		 " AND ($6::float8 IS NULL OR (s.score, p.id) < ($6::float8, $7::uuid))"
		 " ORDER BY s.score DESC, p.id DESC LIMIT $8::int",
		 8, 1},
	[OW_Q_PEOPLE_GET] = {"people_get", GET("ow_people_get"), 1},
	[OW_Q_PEOPLE_WRITE] = {"people_write", WRITE("person"), 4},

	[OW_Q_POSITIONS_LIST] =
		{"positions_list",
		 "SELECT ow_position_doc(x)::text, x.created_at::text, x.id::text"
		 " FROM positions x WHERE"
		 " ($1::text IS NULL OR x.person_id = (SELECT ow_key_strict('person', $1, "
		 "'person')))"
		 " AND ($2::text IS NULL OR x.org_id = (SELECT ow_key_strict('organization', $2, "
		 "'org')))"
		 " AND ($3::text IS NULL OR x.team_id = (SELECT ow_key_strict('team', $3, 'team')))"
		 " AND ($4::boolean IS NULL OR (x.ended_on IS NULL) = $4::boolean)"
		 " AND ($5::timestamptz IS NULL OR x.updated_at >= $5::timestamptz)" KEYSET("x", 6,
											    7, 8),
		 8, 1},
	[OW_Q_POSITIONS_GET] = {"positions_get", GET("ow_positions_get"), 1},
	[OW_Q_POSITIONS_WRITE] = {"positions_write", WRITE("position"), 4},

	[OW_Q_SOURCES_LIST] =
		{"sources_list",
		 "SELECT ow_source_doc(s)::text, s.created_at::text, s.id::text FROM sources s "
		 "WHERE"
		 " ($1::text IS NULL OR strpos(ow_fold(coalesce(s.title, '') || ' ' || s.url), "
		 "ow_fold($1)) > 0)"
		 " AND ($2::text IS NULL OR s.publisher = $2)"
		 " AND ($3::timestamptz IS NULL OR s.updated_at >= $3::timestamptz)" KEYSET("s", 4,
											    5, 6),
		 6, 1},
	[OW_Q_SOURCES_GET] = {"sources_get", GET("ow_sources_get"), 1},
	[OW_Q_SOURCES_WRITE] = {"sources_write", WRITE("source"), 4},

	/* Recomputes the pairs of people whose names changed (at most 1 s of work); returns how
	 * many people are still waiting (0015_people_similar.sql). */
	[OW_Q_PEOPLE_SIMILAR_REFRESH] = {"people_similar_refresh",
					 "SELECT ow_people_similar_refresh('1 second')::text", 0},
	[OW_Q_PEOPLE_DUPLICATES] =
		{"people_duplicates",
		 "SELECT json_build_object("
		 "'a', json_build_object('id', a.id, 'slug', a.slug, 'full_name', a.full_name, "
		 "'aliases', to_json(a.aliases)),"
		 " 'b', json_build_object('id', b.id, 'slug', b.slug, 'full_name', b.full_name, "
		 "'aliases', to_json(b.aliases)),"
		 " 'score', round(s.score::numeric, 3))::text, s.score::text,"
		 " s.a::text || ':' || s.b::text"
		 " FROM people_similar s JOIN people a ON a.id = s.a JOIN people b ON b.id = s.b"
		 " WHERE $1::float8 IS NULL OR (s.score, s.a, s.b) < ($1::float8,"
		 " split_part($2::text, ':', 1)::uuid, split_part($2::text, ':', 2)::uuid)"
		 " ORDER BY s.score DESC, s.a DESC, s.b DESC LIMIT $3::int",
		 3},
	[OW_Q_PEOPLE_MERGE] = {"people_merge",
			       "SELECT r_doc, r_etag, r_id FROM ow_people_merge($1, $2, $3, $4)",
			       4},
	[OW_Q_CHANGES_LIST] =
		{"changes_list",
		 "SELECT ow_audit_doc(a)::text, a.id::text, a.id::text FROM audit_log a"
		 " WHERE ($1::timestamptz IS NULL OR a.at >= $1::timestamptz)"
		 " AND ($2::text IS NULL OR a.entity = $2)"
		 " AND ($3::bigint IS NULL OR a.id > $3::bigint)"
		 " ORDER BY a.id LIMIT $4::int",
		 4, 0, SKIP_ARG(3)},

	[OW_Q_DEPARTURES_LIST] = {"departures_list",
				  DEPARTURES_SORTED(DEPARTED_LO, DEPARTED_HI, ">", "ASC"), 15, 1,
				  SKIP_SORT},
	[OW_Q_DEPARTURES_LIST_DESC] = {"departures_list_desc",
				       DEPARTURES_SORTED(DEPARTED_LO, DEPARTED_HI, "<", "DESC"), 15,
				       1, SKIP_SORT},
	[OW_Q_DEPARTURES_LIST_ANNOUNCED] = {"departures_list_announced",
					    DEPARTURES_SORTED(ANNOUNCED_LO, ANNOUNCED_HI, ">",
							      "ASC"),
					    15, 1, SKIP_SORT},
	[OW_Q_DEPARTURES_LIST_ANNOUNCED_DESC] = {"departures_list_announced_desc",
						 DEPARTURES_SORTED(ANNOUNCED_LO, ANNOUNCED_HI, "<",
								   "DESC"),
						 15, 1, SKIP_SORT},
	[OW_Q_DEPARTURES_GET] = {"departures_get", GET("ow_departures_get"), 1},
	[OW_Q_DEPARTURES_WRITE] = {"departures_write", WRITE("departure"), 4},

	[OW_Q_LAYOFFS_LIST] =
		{"layoffs_list",
		 "SELECT ow_layoff_doc(l)::text, l.created_at::text, l.id::text FROM layoffs l "
		 "WHERE"
		 " ($1::text IS NULL OR l.org_id = (SELECT ow_key_strict('organization', $1, "
		 "'org')))"
		 " AND ($2::text IS NULL OR l.team_id = (SELECT ow_key_strict('team', $2, 'team')))"
		 " AND ($3::text IS NULL AND $4::text IS NULL OR l.announced_range && daterange("
		 " lower(ow_pdate_range($3::text)), upper(ow_pdate_range($4::text))))"
		 " AND ($5::timestamptz IS NULL OR l.updated_at >= $5::timestamptz)" KEYSET("l", 6,
											    7, 8),
		 8, 1},
	[OW_Q_LAYOFFS_GET] = {"layoffs_get", GET("ow_layoffs_get"), 1},
	[OW_Q_LAYOFFS_WRITE] = {"layoffs_write", WRITE("layoff"), 4},

	[OW_Q_REPORTING_LINES_LIST] =
		{"reporting_lines_list",
		 "SELECT ow_reporting_line_doc(x)::text, x.created_at::text, x.id::text"
		 " FROM reporting_lines x WHERE"
		 " ($1::text IS NULL OR x.report_id = (SELECT ow_key_strict('person', $1, "
		 "'report')))"
		 " AND ($2::text IS NULL OR x.manager_id = (SELECT ow_key_strict('person', $2, "
		 "'manager')))"
		 " AND ($3::date IS NULL OR x.period @> $3::date)"
		 " AND ($4::timestamptz IS NULL OR x.updated_at >= $4::timestamptz)" KEYSET("x", 5,
											    6, 7),
		 7, 1},
	[OW_Q_REPORTING_LINES_GET] = {"reporting_lines_get", GET("ow_reporting_lines_get"), 1},
	[OW_Q_REPORTING_LINES_WRITE] = {"reporting_lines_write", WRITE("reporting_line"), 4},

	[OW_Q_PERSON_TIMELINE] = {"person_timeline", "SELECT ow_person_timeline($1)", 1},
	[OW_Q_PERSON_MANAGERS] = {"person_managers",
				  "SELECT ow_person_managers($1, coalesce($2::date, current_date))",
				  2},
	[OW_Q_ORG_CHANGES] = {"org_changes", "SELECT ow_org_changes($1, $2, $3)", 3},
	[OW_Q_CHART_HEAD] = {"chart_head",
			     "SELECT ow_chart_head($1, coalesce($2::date, current_date))", 2},
	[OW_Q_CHART_FLAT] = {"chart_flat",
			     "SELECT * FROM ow_chart_flat($1, coalesce($2::date, current_date), $3,"
			     " $4::int)",
			     4},
	[OW_Q_REPORTS_HEAD] = {"reports_head",
			       "SELECT ow_reports_head($1, coalesce($2::date, current_date))", 2},
	[OW_Q_REPORTS_DECLARE] =
		{"reports_declare",
		 "DECLARE ow_tree NO SCROLL CURSOR FOR SELECT depth, node"
		 " FROM ow_reports_rows($1, coalesce($2::date, current_date), $3::int)",
		 3},
	[OW_Q_TEAM_MEMBERS] =
		{"team_members",
		 "SELECT ow_team_member_doc(po)::text, po.id::text, po.id::text FROM positions po"
		 " WHERE po.team_id = (SELECT ow_key_404('team', $1))"
		 " AND po.period @> coalesce($2::date, current_date)"
		 " AND ($3::uuid IS NULL OR po.id > $3::uuid)"
		 " ORDER BY po.id LIMIT $4::int",
		 4, 0, SKIP_ARG(3)},
	[OW_Q_TEAM_ALUMNI] =
		{"team_alumni",
		 "SELECT ow_team_alumnus_doc(m.person_id, m.team_id)::text, m.person_id::text,"
		 " m.person_id::text FROM (SELECT DISTINCT po.person_id, po.team_id FROM positions "
		 "po"
		 " WHERE po.team_id = (SELECT ow_key_404('team', $1))) m"
		 " WHERE ($2::uuid IS NULL OR m.person_id > $2::uuid)"
		 " ORDER BY m.person_id LIMIT $3::int",
		 3, 0, SKIP_ARG(2)},

	[OW_Q_STATS_DEPARTURES] =
		{"stats_departures",
		 "SELECT ow_stats_departures(coalesce($1, 'month'), $2, $3, $4, $5, $6, $7, $8,"
		 " $9, $10, $11, $12::timestamptz, $13)",
		 13},
	[OW_Q_STATS_FLOWS] = {"stats_flows", "SELECT ow_stats_flows($1, $2, $3, $4)", 4},
	[OW_Q_STATS_ATTRITION] = {"stats_attrition",
				  "SELECT ow_stats_attrition($1, $2, $3, $4, $5)", 5},

	/* The import's staging: every validated record with its line, streamed in by COPY while
	 * the body arrives (autocommitted, one COPY a batch, no lock), then applied set-based by
	 * ow_import_spool_apply() in one transaction under the import lock (13_import.sql). */
	[OW_Q_IMPORT_SPOOL_CREATE] =
		{"import_spool_create",
		 "CREATE TEMP TABLE IF NOT EXISTS ow_import_spool (line int NOT NULL,"
		 " type text NOT NULL, doc jsonb NOT NULL); TRUNCATE ow_import_spool",
		 0},
	/* The one statement that applies a whole file may run longer than the session's 30 s
	 * statement_timeout (before, each batch of 500 was its own statement): lifted for the
	 * import's transaction only. */
	[OW_Q_IMPORT_BEGIN] = {"import_begin", "BEGIN; SET LOCAL statement_timeout = 0", 0},
	[OW_Q_IMPORT_SPOOL_COPY] = {"import_spool_copy",
				    "COPY ow_import_spool (line, type, doc) FROM STDIN", 0},
	/* Columns: r_line, r_outcome, r_field, r_message, r_count. */
	[OW_Q_IMPORT_SPOOL_APPLY] = {"import_spool_apply",
				     "SELECT * FROM ow_import_spool_apply($1)", 1},
	[OW_Q_IMPORT_SPOOL_DROP] = {"import_spool_drop",
				    "DROP TABLE IF EXISTS pg_temp.ow_import_spool", 0},
	/* Keys sorted first, each line rendered as the cursor reaches it. */
	[OW_Q_EXPORT_DECLARE] = {"export_declare",
				 "DECLARE ow_export NO SCROLL CURSOR FOR"
				 " SELECT l FROM ow_export_lines($1) AS l",
				 1},
	[OW_Q_EXPORT_FETCH] = {"export_fetch", "FETCH 1000 FROM ow_export", 0},
	[OW_Q_TREE_FETCH] = {"tree_fetch", "FETCH 2000 FROM ow_tree", 0},
	[OW_Q_KEY_CREATE] = {"key_create",
			     "INSERT INTO api_keys (name, role, key_hash)"
			     " VALUES ($1, $2, sha256(convert_to($3, 'UTF8')))",
			     3},
	[OW_Q_KEY_REVOKE] = {"key_revoke",
			     "UPDATE api_keys SET revoked_at = now()"
			     " WHERE name = $1 AND revoked_at IS NULL",
			     1},
	[OW_Q_SAMPLE_LOADED] = {"sample_loaded",
				"SELECT value FROM ow_meta WHERE key = 'sample_loaded'", 0},
	[OW_Q_SAMPLE_MARK_LOADED] = {"sample_mark_loaded",
				     "INSERT INTO ow_meta (key, value) VALUES ('sample_loaded',"
				     " to_char(now() AT TIME ZONE 'UTC',"
				     " 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'))"
				     " ON CONFLICT (key) DO NOTHING",
				     0},
	/* Concurrent migrate runs wait for each other. */
	[OW_Q_MIGRATE_LOCK] =
		{"migrate_lock",
		 "SET client_min_messages = warning;"
		 " SELECT pg_advisory_lock(7406117);"
		 " CREATE TABLE IF NOT EXISTS schema_migrations (version text PRIMARY KEY,"
		 " applied_at timestamptz NOT NULL DEFAULT now())",
		 0},
	[OW_Q_MIGRATE_UNLOCK] = {"migrate_unlock", "SELECT pg_advisory_unlock(7406117)", 0},
	[OW_Q_MIGRATE_APPLIED] = {"migrate_applied",
				  "SELECT 1 FROM schema_migrations WHERE version = $1", 1},
	[OW_Q_MIGRATE_RECORD] = {"migrate_record",
				 "INSERT INTO schema_migrations (version) VALUES ($1)", 1},
	/* Read replicas (replicas.c, db.c): the primary's position, past every commit so far
	 * (the insert position: with synchronous_commit off the write position may not be). */
	[OW_Q_PRIMARY_LSN] = {"primary_lsn", "SELECT pg_current_wal_insert_lsn()::text", 0},
	[OW_Q_REPLICA_REPLAYED] = {"replica_replayed",
				   "SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn", 1},
	/* A replica's health: a replica at all, and how old its replay is when it is behind the
	 * primary's position $1 (0 when caught up, or when the primary's is unknown). */
	[OW_Q_REPLICA_HEALTH] = {"replica_health",
				 "SELECT pg_is_in_recovery(), CASE WHEN $1::pg_lsn IS NULL"
				 " OR pg_last_wal_replay_lsn() >= $1::pg_lsn THEN 0"
				 " ELSE coalesce(extract(epoch FROM now() -"
				 " pg_last_xact_replay_timestamp()), 0) END",
				 1},
	[OW_Q_FUNCTIONS_RECORD] =
		{"functions_record",
		 "INSERT INTO schema_functions (id, checksum) VALUES (1, $1)"
		 " ON CONFLICT (id) DO UPDATE SET checksum = $1, applied_at = now()",
		 1},
};

int ow_stmt_nargs(enum ow_stmt_id id)
{
	return ow_stmts[id].nparams + __builtin_popcountll(ow_stmts[id].skip);
}

PGresult *ow_stmt_run(PGconn *c, enum ow_stmt_id id, const char *const *params)
{
	const struct ow_stmt *s = &ow_stmts[id];
	if (s->nparams == 0)
		return PQexec(c, s->sql);
	return PQexecParams(c, s->sql, s->nparams, NULL, params, NULL, NULL, 0);
}
