/* stmts.c — the one table of named prepared statements; SQL text only, no request text
 * is ever spliced in. Writes call functions of sql/functions/. List statements take
 * their filters first (NULL = not filtering), then the cursor's parts, then the limit. */
#include "stmts.h"

#include <libpq-fe.h>
#include <string.h>

#include "stmt_sql.h"

const struct ow_stmt ow_stmts[OW_Q_COUNT] = {
	[OW_Q_READY] = {"ready", "SELECT count(*) FROM schema_migrations", 0},
	/* The data version of cache.c: every write of a record leaves an audit row. */
	[OW_Q_DATA_VERSION] = {"data_version", "SELECT coalesce(max(seq), 0) FROM audit_commits",
			       0},
	[OW_Q_READY_FUNCTIONS] = {"ready_functions",
				  "SELECT checksum FROM schema_functions WHERE id = 1", 0},
	[OW_Q_AUTH_LOOKUP] =
		{"auth_lookup",
		 "SELECT name, role FROM api_keys"
		 " WHERE key_hash = sha256(convert_to($1, 'UTF8')) AND revoked_at IS NULL",
		 1},
	/* Which of up to 8 (record type, key) pairs name no record: ow_refs_verify (list.c)
	 * resolves a request's references with it before answering an empty page or a
	 * statistic, so that a missing one is never an empty 200. */
	[OW_Q_REFS_MISSING] = {"refs_missing",
			       "SELECT v.i FROM (VALUES (1, $1, $2), (2, $3, $4), (3, $5, $6),"
			       " (4, $7, $8), (5, $9, $10), (6, $11, $12), (7, $13, $14),"
			       " (8, $15, $16)) v (i, e, k)"
			       " WHERE v.k IS NOT NULL AND ow_key(v.e, v.k) IS NULL ORDER BY v.i",
			       16},
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
		 " AND ($4::timestamptz IS NULL OR o.updated_at >= $4::timestamptz)"
		 " AND ($5::text IS NULL OR lower(o.industry) = lower(ow_trimmed($5)))"
		 " AND ($6::text IS NULL OR o.country = upper($6))"
		 " AND ($7::text IS NULL OR o.stage = $7)" KEYSET("o", 8, 9, 10),
		 10, 1},
	[OW_Q_ORGANIZATIONS_GET] =
		{"organizations_get",
		 "SELECT ow_organization_doc(o)::text, ow_etag(o.updated_at), NULL"
		 " FROM organizations o WHERE o.slug = $1",
		 1},
	[OW_Q_ORGANIZATIONS_GET_ID] = {"organizations_get_id",
				       "SELECT ow_organization_doc(o)::text, ow_etag(o.updated_at),"
				       " NULL FROM organizations o WHERE o.id = $1::uuid",
				       1},
	[OW_Q_ORGANIZATIONS_WRITE] = {"organizations_write", WRITE("organization"), 4},

	[OW_Q_TEAMS_LIST] =
		{"teams_list",
		 "SELECT ow_team_json(t, o)::text, t.created_at::text, t.id::text FROM teams t"
		 " LEFT JOIN organizations o ON o.id = t.org_id WHERE"
		 " ($1::text IS NULL OR strpos(ow_fold(t.name), ow_fold($1)) > 0"
		 " OR strpos(t.slug, lower($1)) > 0)"
		 " AND ($2::text IS NULL OR t.org_id = (SELECT ow_key_strict('organization', $2, "
		 "'org')))"
		 " AND ($3::text IS NULL OR t.parent_id = (SELECT ow_key_strict('team', $3, "
		 "'parent')))"
		 " AND ($4::timestamptz IS NULL OR t.updated_at >= $4::timestamptz)" KEYSET("t", 5,
											    6, 7),
		 7, 1},
	/* A team's key may be "org/team" or a slug unique across organizations: ow_teams_get
	 * (ow_key) reads those; an id goes straight to the table. */
	[OW_Q_TEAMS_GET] = {"teams_get", GET("ow_teams_get"), 1},
	[OW_Q_TEAMS_GET_ID] =
		{"teams_get_id",
		 "SELECT ow_team_json(t, o)::text, ow_etag(t.updated_at), NULL FROM teams t"
		 " LEFT JOIN organizations o ON o.id = t.org_id WHERE t.id = $1::uuid",
		 1},
	[OW_Q_TEAMS_WRITE] = {"teams_write", WRITE("team"), 4},

	[OW_Q_PEOPLE_LIST] =
		{"people_list",
		 "SELECT ow_person_json(pg.r, cp.list)::text, pg.created_at::text, pg.id::text"
		 " FROM (SELECT p AS r, p.created_at, p.id FROM people p WHERE $1::text IS "
		 "NULL" PEOPLE_FILTERS KEYSET(
			 "p", 6, 7,
			 8) ") pg,"
			    " LATERAL ow_person_positions(pg.id) cp ORDER BY pg.created_at, pg.id",
		 8, 1},
	/* Ranked by how well the words match plus how well the whole name matches: "Meyer"
	 * matches a word of "Erik Meijer" no better than one of "Big Mudabuv Mefumob" (word
	 * similarity 0.33 each) but the whole name better (0.2 to 0.1), so Meijer ranks first
	 * instead of the tie going to the newer record. */
	[OW_Q_PEOPLE_SEARCH] =
		{"people_search",
		 "SELECT ow_person_json(pg.r, cp.list)::text, pg.score::text, pg.id::text"
		 " FROM (SELECT p AS r, p.id, s.score FROM people p,"
		 " LATERAL (SELECT (word_similarity(ow_fold($1), p.search_text)"
		 " + similarity(ow_fold($1), p.search_text))::float8 AS score) s"
		 " WHERE (ow_fold($1) <% p.search_text OR ow_fold($1) % "
		 "p.search_text)" PEOPLE_FILTERS
		 " AND ($6::float8 IS NULL OR (s.score, p.id) < ($6::float8, $7::uuid))"
		 " ORDER BY s.score DESC, p.id DESC LIMIT $8::int) pg,"
		 " LATERAL ow_person_positions(pg.id) cp ORDER BY pg.score DESC, pg.id DESC",
		 8, 1},
	/* Straight to the table by slug, or by id (h_records.c picks by the key's shape); the
	 * positions' query is inlined. */
	[OW_Q_PEOPLE_GET] = {"people_get", PERSON_GET "p.slug = $1", 1},
	[OW_Q_PEOPLE_GET_ID] = {"people_get_id", PERSON_GET "p.id = $1::uuid", 1},
	[OW_Q_PEOPLE_MOVED] = {"people_moved",
			       "SELECT NULL, NULL, p.slug FROM people_redirects r"
			       " JOIN people p ON p.id = r.survivor_id"
			       " WHERE r.old_id = ow_uuid_or_null($1) OR r.old_slug = $1",
			       1},
	[OW_Q_PEOPLE_WRITE] = {"people_write", WRITE("person"), 4},

	[OW_Q_POSITIONS_LIST] =
		{"positions_list",
		 ROW_PAGE("positions",
			  "x") " ($1::text IS NULL OR x.person_id = (SELECT "
			       "ow_key_strict('person', $1, "
			       "'person')))"
			       " AND ($2::text IS NULL OR x.org_id = (SELECT "
			       "ow_key_strict('organization', $2, "
			       "'org')))"
			       " AND ($3::text IS NULL OR x.team_id = (SELECT "
			       "ow_key_strict('team', $3, 'team')))"
			       " AND ($4::boolean IS NULL OR (x.ended_on IS NULL) = $4::boolean)"
			       " AND ($5::timestamptz IS NULL OR x.updated_at >= "
			       "$5::timestamptz)" KEYSET("x", 6, 7, 8)
				       ROW_DOCS("ow_position_doc_row(pg.r)"),
		 8, 1},
	[OW_Q_POSITIONS_GET] = {"positions_get",
				ROW_GET("positions", "x", "ow_position_doc_row(x)"), 1},
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
	[OW_Q_SOURCES_GET] =
		{"sources_get",
		 "SELECT ow_source_doc(s)::text, ow_etag(s.updated_at), NULL FROM sources s"
		 " WHERE s.url = $1",
		 1},
	[OW_Q_SOURCES_GET_ID] = {"sources_get_id",
				 "SELECT ow_source_doc(s)::text, ow_etag(s.updated_at), NULL"
				 " FROM sources s WHERE s.id = $1::uuid",
				 1},
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
		 3, 1},
	[OW_Q_PEOPLE_MERGE] = {"people_merge",
			       "SELECT r_doc, r_etag, r_id FROM ow_people_merge($1, $2, $3, $4)",
			       4},
	/* The audit log in commit order (sql/functions/19_commit_order.sql): after $3 (the
	 * resume key) or the page's cursor $4, writes at or after $1 to entity $2. */
	[OW_Q_CHANGES_LIST] =
		{"changes_list",
		 "SELECT ow_audit_doc(a)::text, a.id::text, a.id::text FROM ow_changes_after("
		 "coalesce($4::bigint, $3::bigint, 0), $5::int,"
		 " CASE WHEN $2::text IS NULL THEN NULL ELSE ARRAY[$2::text] END, $1::timestamptz) "
		 "a",
		 5, 1, SKIP_ARG(4)},

	[OW_Q_DEPARTURES_LIST] = {"departures_list",
				  DEPARTURES_SORTED(DEPARTED_LO, DEPARTED_HI, ">", "ASC"), 18, 1,
				  SKIP_SORT},
	[OW_Q_DEPARTURES_LIST_DESC] = {"departures_list_desc",
				       DEPARTURES_SORTED(DEPARTED_LO, DEPARTED_HI, "<", "DESC"), 18,
				       1, SKIP_SORT},
	[OW_Q_DEPARTURES_LIST_ANNOUNCED] = {"departures_list_announced",
					    DEPARTURES_SORTED(ANNOUNCED_LO, ANNOUNCED_HI, ">",
							      "ASC"),
					    18, 1, SKIP_SORT},
	[OW_Q_DEPARTURES_LIST_ANNOUNCED_DESC] = {"departures_list_announced_desc",
						 DEPARTURES_SORTED(ANNOUNCED_LO, ANNOUNCED_HI, "<",
								   "DESC"),
						 18, 1, SKIP_SORT},
	[OW_Q_DEPARTURES_GET] = {"departures_get",
				 "SELECT ow_departure_doc(d)::text, ow_etag(d.updated_at), NULL"
				 " FROM departures d WHERE d.id = ow_uuid_or_null($1)",
				 1},
	[OW_Q_DEPARTURES_WRITE] = {"departures_write", WRITE("departure"), 4},

	[OW_Q_LAYOFFS_LIST] = {"layoffs_list",
			       ROW_PAGE("layoffs", "l") LAYOFF_FILTERS KEYSET("l", 9, 10, 11)
				       ROW_DOCS("ow_layoff_doc_row(pg.r, false)"),
			       11, 1, SKIP_LAYOFF_SORT},
	/* ?sort=-count: the largest first, layoffs without a count last (as -1), then id. */
	[OW_Q_LAYOFFS_LIST_COUNT_DESC] =
		{"layoffs_list_count_desc",
		 "SELECT d.doc::text, pg.k::text, pg.id::text FROM (SELECT l AS r,"
		 " coalesce(l.count, -1) AS k, l.id FROM layoffs l WHERE" LAYOFF_FILTERS
		 " AND ($9::int IS NULL OR (coalesce(l.count, -1), l.id) < ($9::int, $10::uuid))"
		 " ORDER BY coalesce(l.count, -1) DESC, l.id DESC LIMIT $11::int) pg,"
		 " LATERAL ow_layoff_doc_row(pg.r, false) d ORDER BY pg.k DESC, pg.id DESC",
		 11, 1, SKIP_LAYOFF_SORT},
	[OW_Q_LAYOFFS_GET] = {"layoffs_get", ROW_GET("layoffs", "l", "ow_layoff_doc_row(l, true)"),
			      1},
	[OW_Q_LAYOFFS_WRITE] = {"layoffs_write", WRITE("layoff"), 4},

	[OW_Q_REPORTING_LINES_LIST] =
		{"reporting_lines_list",
		 ROW_PAGE("reporting_lines",
			  "x") " ($1::text IS NULL OR x.report_id = (SELECT "
			       "ow_key_strict('person', $1, "
			       "'report')))"
			       " AND ($2::text IS NULL OR x.manager_id = (SELECT "
			       "ow_key_strict('person', $2, "
			       "'manager')))"
			       " AND ($3::date IS NULL OR x.period @> $3::date)"
			       " AND ($4::timestamptz IS NULL OR x.updated_at >= "
			       "$4::timestamptz)" KEYSET("x", 5, 6, 7)
				       ROW_DOCS("ow_reporting_line_doc_row(pg.r)"),
		 7, 1},
	[OW_Q_REPORTING_LINES_GET] = {"reporting_lines_get",
				      ROW_GET("reporting_lines", "x",
					      "ow_reporting_line_doc_row(x)"),
				      1},
	[OW_Q_REPORTING_LINES_WRITE] = {"reporting_lines_write", WRITE("reporting_line"), 4},

	[OW_Q_PERSON_TIMELINE] = {"person_timeline", "SELECT ow_person_timeline($1)", 1},
	/* The chain up from $1 on $2, nearest first: the walk carries ids; people, the
	 * position that day, its team and organization are joined once per step. */
	[OW_Q_PERSON_MANAGERS] =
		{"person_managers",
		 "SELECT json_build_object('person', ow_person_ref(me),"
		 " 'as_of', coalesce($2::date, current_date), 'managers', coalesce(ch.list, "
		 "'[]'))::text"
		 " FROM people me, LATERAL (WITH RECURSIVE up (person_id, n) AS ("
		 " SELECT l.manager_id, 1 FROM reporting_lines l"
		 " WHERE l.report_id = me.id AND l.period @> coalesce($2::date, current_date)"
		 " UNION ALL"
		 " SELECT l.manager_id, up.n + 1 FROM up JOIN reporting_lines l"
		 " ON l.report_id = up.person_id AND l.period @> coalesce($2::date, current_date)"
		 " WHERE up.n < 1000)"
		 " SELECT json_agg(json_build_object('person', ow_person_ref(p), 'depth', up.n,"
		 " 'title', pos.title, 'team', ow_team_ref(t), 'org', ow_org_ref(o)) ORDER BY up.n)"
		 " AS list"
		 " FROM up JOIN people p ON p.id = up.person_id"
		 " LEFT JOIN LATERAL (SELECT po.title, po.team_id, po.org_id FROM positions po"
		 " WHERE po.person_id = up.person_id AND po.period @> coalesce($2::date, "
		 "current_date)"
		 " ORDER BY lower(po.period) NULLS FIRST LIMIT 1) pos ON true"
		 " LEFT JOIN teams t ON t.id = pos.team_id"
		 " LEFT JOIN organizations o ON o.id = pos.org_id) ch"
		 " WHERE me.id = ow_key_404('person', $1)",
		 2, 1},
	[OW_Q_ORG_CHANGES] = {"org_changes", "SELECT ow_org_changes($1, $2, $3)", 3},
	[OW_Q_CHART_HEAD] = {"chart_head",
			     "SELECT ow_chart_head($1, coalesce($2::date, current_date))", 2},
	[OW_Q_CHART_FLAT] = {"chart_flat",
			     "SELECT * FROM ow_chart_flat($1, coalesce($2::date, current_date), $3,"
			     " $4::int)",
			     4},
	[OW_Q_REPORTS_HEAD] = {"reports_head",
			       "SELECT ow_reports_head($1, coalesce($2::date, current_date))", 2},
	/* The people below $1 on $2, down to $3 levels: the walk carries ids only; each row's
	 * name is looked up by index once per row and its positions that day are joined with
	 * their teams (LATERAL, so the plan stays a nested loop however many rows the walk is
	 * estimated at: hash joins over the whole people and positions tables cost 100 ms).
	 * Columns as ow_chart_flat's, then three that choose between the positions of a person
	 * holding more than one that day (tree_reply.c keeps one, preferring one at an
	 * organization where the manager holds a position that day, then the earliest, then
	 * the lowest id): how many positions the manager holds at its organization (NULL when
	 * the person holds one: that probe for every row, and ordering each person's positions
	 * in SQL, cost 40 % of the statement), its start, its id. tree_reply.c orders and links
	 * them. */
	[OW_Q_REPORTS_FLAT] =
		{"reports_flat",
		 "WITH RECURSIVE tree (person_id, manager_id, d) AS ("
		 " SELECT l.report_id, l.manager_id, 1 FROM reporting_lines l"
		 " WHERE l.manager_id = (SELECT ow_key('person', $1))"
		 " AND l.period @> coalesce($2::date, current_date)"
		 " AND ($3::int IS NULL OR $3::int > 0)"
		 " UNION ALL"
		 " SELECT l.report_id, l.manager_id, t.d + 1 FROM tree t JOIN reporting_lines l"
		 " ON l.manager_id = t.person_id AND l.period @> coalesce($2::date, current_date)"
		 " WHERE ($3::int IS NULL OR t.d < $3::int) AND t.d < 1000)"
		 " SELECT t.person_id, t.manager_id, p.slug, p.full_name, po.title, tm.id, tm.slug,"
		 " tm.name, p.sort_key,"
		 " CASE WHEN po.n > 1 THEN (SELECT count(*) FROM positions m"
		 " WHERE m.person_id = t.manager_id AND m.org_id = po.org_id"
		 " AND m.period @> coalesce($2::date, current_date)) END,"
		 " lower(po.period), po.id"
		 " FROM tree t CROSS JOIN LATERAL (SELECT p.slug, p.full_name,"
		 " lower(public.unaccent('public.unaccent'::regdictionary, p.full_name)) AS "
		 "sort_key"
		 " FROM people p WHERE p.id = t.person_id LIMIT 1) p"
		 " LEFT JOIN LATERAL (SELECT x.id, x.org_id, x.title, x.team_id, x.period,"
		 " count(*) OVER () AS n FROM positions x WHERE x.person_id = t.person_id"
		 " AND x.period @> coalesce($2::date, current_date)) po ON true"
		 " LEFT JOIN teams tm ON tm.id = po.team_id",
		 3, 1},
	[OW_Q_TEAM_MEMBERS] = {"team_members",
			       "SELECT ow_team_member_json(po, p)::text, po.id::text, po.id::text "
			       "FROM positions po"
			       " JOIN people p ON p.id = po.person_id WHERE po.team_id = (SELECT "
			       "ow_key_404('team', $1))"
			       " AND po.period @> coalesce($2::date, current_date)"
			       " AND ($3::uuid IS NULL OR po.id > $3::uuid)"
			       " ORDER BY po.id LIMIT $4::int",
			       4, 1, SKIP_ARG(3)},
	[OW_Q_TEAM_ALUMNI] =
		{"team_alumni",
		 "SELECT a.doc::text, pg.person_id::text, pg.person_id::text FROM ("
		 "SELECT m.person_id, m.team_id FROM (SELECT DISTINCT po.person_id, po.team_id"
		 " FROM positions po WHERE po.team_id = (SELECT ow_key_404('team', $1))) m"
		 " WHERE ($2::uuid IS NULL OR m.person_id > $2::uuid)"
		 " ORDER BY m.person_id LIMIT $3::int) pg,"
		 " LATERAL ow_team_alumnus_row(pg.person_id, pg.team_id) a ORDER BY pg.person_id",
		 3, 1, SKIP_ARG(2)},

	[OW_Q_STATS_DEPARTURES] =
		{"stats_departures",
		 "SELECT ow_stats_departures(coalesce($1, 'month'), $2, $3, $4, $5, $6, $7, $8,"
		 " $9, $10, $11, $12::timestamptz, $13, $14, $15, $16)",
		 16},
	[OW_Q_STATS_FLOWS] = {"stats_flows", "SELECT ow_stats_flows($1, $2, $3, $4, $5, $6, $7)",
			      7},
	/* The charts' numbers (17_charts.sql): stack and the departure filters; org, industry,
	 * country, stage, from, to; org, from, to, status, industry, country, stage, top. */
	[OW_Q_CHART_DEPARTURES] = {"chart_departures",
				   "SELECT ow_chart_departures($1, $2, $3, $4, $5, $6, $7, $8, $9,"
				   " $10, $11, $12::timestamptz, $13, $14, $15, $16)",
				   16},
	[OW_Q_CHART_LAYOFFS] = {"chart_layoffs", "SELECT ow_chart_layoffs($1, $2, $3, $4, $5, $6)",
				6},
	[OW_Q_CHART_FLOWS] = {"chart_flows",
			      "SELECT ow_chart_flows($1, $2, $3, $4, $5, $6, $7, $8::int)", 8},
	[OW_Q_CHART_ORG_EXTRAS] =
		{"chart_org_extras",
		 "SELECT ow_chart_org_extras($1, coalesce($2::date, current_date),"
		 " $3::date)",
		 3},
	/* A subtree's picture in one statement: its rows, then a row with the extras only. */
	[OW_Q_CHART_SUBTREE] =
		{"chart_subtree",
		 "SELECT * FROM ow_chart_org_subtree($1, coalesce($2::date, current_date),"
		 " $3, $4::date, $5::int)",
		 5},
	/* A collapsed org chart in two phases (17_charts.sql): every position's holder and
	 * manager that day, then the rows of the people drawn with how many each stands for and
	 * a last row with the picture's extras. */
	[OW_Q_CHART_LINKS] =
		{"chart_links",
		 "SELECT * FROM ow_chart_link_arrays($1, coalesce($2::date, current_date))", 2,
		 .binary = 1},
	[OW_Q_CHART_PEOPLE] = {"chart_people",
			       "SELECT * FROM ow_chart_people($1, coalesce($2::date, current_date),"
			       " $3::uuid[], $4::bigint[], $5::date)",
			       5},
	/* group_by, then org, industry, country, stage, from, to (12_stats.sql). */
	[OW_Q_STATS_LAYOFFS] =
		{"stats_layoffs",
		 "SELECT ow_stats_layoffs(coalesce($1, 'month'), $2, $3, $4, $5, $6, $7)", 7},
	[OW_Q_STATS_ATTRITION] = {"stats_attrition",
				  "SELECT ow_stats_attrition($1, $2, $3, $4, $5)", 5},

	/* A live stream's start (h_stream.c): where its resume key $1 stands in commit order
	 * (NULL: no such change; -1 for 0), the newest change's id, and its filters' records. */
	[OW_Q_STREAM_START] =
		{"stream_start",
		 "SELECT ow_change_seq($1::bigint), ow_change_last(),"
		 " ow_key_strict('organization', $2, 'org'),"
		 " ow_key_strict('team', $3, 'team'), ow_key_strict('person', $4, 'person')",
		 4},
	/* The change feed's next entries after $1 (stream.c's follower and catch-up). */
	[OW_Q_CHANGE_FEED] = {"change_feed",
			      "SELECT id, event, doc, orgs, teams, people, tx_last, import,"
			      " import_counts FROM ow_change_feed($1::bigint, $2::int)",
			      2},
	[OW_Q_CHANGE_LAST] = {"change_last", "SELECT ow_change_last()", 0},
	[OW_Q_CHANGE_SESSION] =
		{"change_session",
		 "SET jit = off; SET statement_timeout = '60s'; SET lock_timeout = '10s'", 0},

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
	[OW_Q_IMPORT_BEGIN] =
		{"import_begin",
		 "BEGIN; SET LOCAL statement_timeout = 0; SET LOCAL orgwatch.import = on", 0},
	[OW_Q_IMPORT_SPOOL_COPY] = {"import_spool_copy",
				    "COPY ow_import_spool (line, type, doc) FROM STDIN", 0},
	/* Columns: r_line, r_outcome, r_field, r_message, r_count. */
	[OW_Q_IMPORT_SPOOL_APPLY] = {"import_spool_apply",
				     "SELECT * FROM ow_import_spool_apply($1, $2)", 2},
	[OW_Q_IMPORT_SPOOL_DROP] = {"import_spool_drop",
				    "DROP TABLE IF EXISTS pg_temp.ow_import_spool", 0},
	/* Keys sorted first, each line rendered as the cursor reaches it. */
	[OW_Q_EXPORT_DECLARE] = {"export_declare",
				 "DECLARE ow_export NO SCROLL CURSOR FOR"
				 " SELECT l FROM ow_export_lines($1) AS l",
				 1, .kind = OW_SK_CURSOR_DECLARE},
	[OW_Q_EXPORT_FETCH] = {"export_fetch", "FETCH 1000 FROM ow_export", 0,
			       .kind = OW_SK_CURSOR_FETCH},
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
	/* Webhooks (sql/functions/20_webhooks.sql): the admin's endpoints. */
	[OW_Q_WEBHOOK_CREATE] =
		{"webhook_create",
		 "SELECT d, d::jsonb ->> 'id' FROM ow_webhook_create($1, $2, $3, $4, $5,"
		 " $6, $7, $8, $9::bigint) d",
		 9},
	[OW_Q_WEBHOOKS_LIST] =
		{"webhooks_list",
		 "SELECT json_build_object('items', coalesce(json_agg(ow_webhook_doc(w)"
		 " ORDER BY w.created_at, w.id), '[]'))::text FROM webhooks w",
		 0},
	[OW_Q_WEBHOOK_GET] = {"webhook_get",
			      "SELECT ow_webhook_doc(w)::text FROM webhooks w"
			      " WHERE w.id = ow_uuid_or_null($1)",
			      1},
	[OW_Q_WEBHOOK_DELETE] = {"webhook_delete",
				 "DELETE FROM webhooks WHERE id = ow_uuid_or_null($1) RETURNING id",
				 1},
	[OW_Q_WEBHOOK_DELIVERIES] = {"webhook_deliveries",
				     "SELECT ow_webhook_deliveries(w.id, 100) FROM webhooks w"
				     " WHERE w.id = ow_uuid_or_null($1)",
				     1},
	[OW_Q_WEBHOOK_REDELIVER] = {"webhook_redeliver",
				    "SELECT ow_webhook_redeliver($1, $2::bigint)", 2},
	/* The deliverer: webhooks with work due, a session advisory lock per webhook (held while
	 * one server delivers for it), its state read again under the lock, the feed after its
	 * cursor, and each outcome (the cursor moves only from the value read). */
	[OW_Q_WEBHOOKS_DUE] = {"webhooks_due",
			       "SELECT id::text FROM webhooks WHERE enabled AND (next_attempt_at IS"
			       " NULL OR next_attempt_at <= now())"
			       " ORDER BY next_attempt_at NULLS FIRST, id LIMIT 200",
			       0},
	[OW_Q_WEBHOOK_LOCK] = {"webhook_lock", "SELECT pg_try_advisory_lock(7406121, hashtext($1))",
			       1},
	[OW_Q_WEBHOOK_UNLOCK] = {"webhook_unlock",
				 "SELECT pg_advisory_unlock(7406121, hashtext($1))", 1},
	[OW_Q_WEBHOOK_CLAIM] =
		{"webhook_claim",
		 "SELECT url, secret, array_to_string(entities, ','),"
		 " array_to_string(operations, ','), coalesce(org_id::text, ''),"
		 " coalesce(team_id::text, ''), coalesce(person_id::text, ''),"
		 " cursor::text, failures FROM webhooks WHERE id = $1::uuid AND enabled"
		 " AND (next_attempt_at IS NULL OR next_attempt_at <= now())",
		 1},
	[OW_Q_WEBHOOK_SKIP] = {"webhook_skip",
			       "UPDATE webhooks SET cursor = $3::bigint"
			       " WHERE id = $1::uuid AND cursor = $2::bigint",
			       3},
	[OW_Q_WEBHOOK_DELIVERED] = {"webhook_delivered",
				    "SELECT ow_webhook_delivered($1::uuid, $2::bigint, $3::bigint,"
				    " $4::int, $5::int)",
				    5},
	[OW_Q_WEBHOOK_FAILED] = {"webhook_failed",
				 "SELECT ow_webhook_failed($1::uuid, $2::bigint, $3::bigint, $4,"
				 " $5::int, $6::int, $7::int, $8::int)",
				 8},
	[OW_Q_WEBHOOKS_COUNT] =
		{"webhooks_count",
		 "SELECT count(*) FILTER (WHERE enabled), count(*) FILTER (WHERE NOT"
		 " enabled) FROM webhooks",
		 0},
	[OW_Q_REPLICA_HEALTH] = {"replica_health",
				 "SELECT pg_is_in_recovery(), CASE WHEN $1::pg_lsn IS NULL"
				 " OR pg_last_wal_replay_lsn() >= $1::pg_lsn THEN 0"
				 " ELSE coalesce(extract(epoch FROM now() -"
				 " pg_last_xact_replay_timestamp()), 0) END",
				 1},
	/* After the function files, in their transaction (98_prune.sql). */
	[OW_Q_FUNCTIONS_PRUNE] = {"functions_prune", "SELECT * FROM ow_prune_undefined()", 0},
	[OW_Q_FUNCTIONS_RECORD] =
		{"functions_record",
		 "INSERT INTO schema_functions (id, checksum) VALUES (1, $1)"
		 " ON CONFLICT (id) DO UPDATE SET checksum = $1, applied_at = now()",
		 1},
};
