/* rtypes_sql.c — writes sql/functions/90_record_types.sql from the record-type registry
 * (rtypes.c): every SQL switch over the record types (keys, references, write, delete,
 * import, export, the tables to ANALYZE) and every per-type trigger (audit, updated_at), so
 * adding a type adds no line to them by hand. Each type's own SQL lives under fixed names in
 * its file of sql/functions/ (docs/ARCHITECTURE.md, "Adding a record type"). Run by
 * `orgwatch sql-types`; a unit test fails when the checked-in file differs. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "rtypes.h"

#define T(i) (&ow_rtypes[i])

static int failed;

int ow_rtype_referred(const struct ow_rtype *t)
{
	size_t n = strlen(t->name);
	for (size_t i = 0; i < ow_nrtypes; i++)
		for (size_t k = 0; k < 8 && ow_rtypes[i].refs[k]; k++) {
			const char *r = ow_rtypes[i].refs[k];
			if (strncmp(r, t->name, n) == 0 && r[n] == ':')
				return 1;
			if (strcmp(r, "sources:") == 0 && strcmp(t->name, "source") == 0)
				return 1;
		}
	return 0;
}

static void out_f(FILE *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void out_f(FILE *out, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (vfprintf(out, fmt, ap) < 0)
		failed = 1;
	va_end(ap);
}

static void fn_head(FILE *out, const char *comment, const char *sig, const char *ret,
		    const char *lang)
{
	out_f(out,
	      "\n-- %s\nCREATE OR REPLACE FUNCTION public.%s\n RETURNS %s LANGUAGE %s AS "
	      "$function$\n",
	      comment, sig, ret, lang);
}

static void fn_tail(FILE *out, int plpgsql)
{
	out_f(out, plpgsql ? "END $function$;\n" : "$function$;\n");
}

static void gen_key(FILE *out)
{
	fn_head(out,
		"The id a key names: a UUID, else the type's own key if it has one "
		"(ow_<type>_by_key).",
		"ow_key(entity text, k text)", "uuid STABLE", "plpgsql");
	out_f(out, "BEGIN\n\tIF k IS NULL THEN\n\t\tRETURN NULL;\n\tEND IF;\n"
		   "\tIF ow_is_uuid(k) THEN\n\t\tCASE entity\n");
	for (size_t i = 0; i < ow_nrtypes; i++)
		out_f(out,
		      "\t\tWHEN '%s' THEN RETURN (SELECT x.id FROM %s x WHERE x.id = k::uuid);\n",
		      T(i)->name, T(i)->table);
	out_f(out, "\t\tELSE RETURN NULL;\n\t\tEND CASE;\n\tEND IF;\n\tCASE entity\n");
	for (size_t i = 0; i < ow_nrtypes; i++)
		if (T(i)->own_key)
			out_f(out, "\tWHEN '%s' THEN RETURN ow_%s_by_key(k);\n", T(i)->name,
			      T(i)->name);
	out_f(out, "\tELSE RETURN NULL;\n\tEND CASE;\n");
	fn_tail(out, 1);
}

/* A type's name or plural as a word of a message ("reporting lines"). */
static void out_words(FILE *out, const char *pre, const char *s, const char *post, int first)
{
	out_f(out, "%s'%s", first ? "" : ", ", pre);
	for (; *s; s++)
		out_f(out, "%c", *s == '_' ? ' ' : *s);
	out_f(out, "%s'", post);
}

/* The records of one type that refer to a record of the type t: their count, and the words
 * naming them (a type referring to itself names its children; records citing a source). */
static void gen_referrer(FILE *out, const struct ow_rtype *t, const struct ow_rtype *r, int pass,
			 int *first)
{
	size_t n = strlen(t->name);
	int cites = !strcmp(t->name, "source"), any = 0;
	const char *pre = r == t ? "child " : "", *post = cites ? " citing it" : "";
	for (size_t k = 0; k < 8 && r->refs[k]; k++) {
		const char *ref = r->refs[k];
		if (cites ? strcmp(ref, "sources:") != 0
			  : strncmp(ref, t->name, n) || ref[n] != ':')
			continue;
		if (pass == 0 && cites)
			out_f(out, "%s\n\t\t(SELECT count(*) FROM %s WHERE source_id = rid",
			      *first ? "" : ",", r->sources_table);
		else if (pass == 0 && any)
			out_f(out, " OR %s_id = rid", ref + n + 1);
		else if (pass == 0)
			out_f(out, "%s\n\t\t(SELECT count(*) FROM %s WHERE %s_id = rid",
			      *first ? "" : ",", r->table, ref + n + 1);
		any = 1;
	}
	if (!any)
		return;
	if (pass == 0)
		out_f(out, ")");
	else
		out_words(out, pre, pass == 1 ? r->name : r->plural, post, *first);
	*first = 0;
}

/* ow_<type>_refs: what refers to a record of a type, derived from the other types' refs. */
static void gen_type_refs(FILE *out, const struct ow_rtype *t)
{
	char sig[120];
	snprintf(sig, sizeof sig, "ow_%s_refs(rid uuid)", t->name);
	fn_head(out, "What refers to a record of the type, counted and named (ow_refs_words).", sig,
		"text STABLE", "sql");
	out_f(out, "\tSELECT ow_refs_words(ARRAY[");
	for (int pass = 0; pass < 3; pass++) {
		int first = 1;
		if (pass)
			out_f(out, "],\n\t\tARRAY[");
		for (size_t i = 0; i < ow_nrtypes; i++)
			gen_referrer(out, t, T(i), pass, &first);
	}
	out_f(out, "])\n");
	fn_tail(out, 0);
}

static void gen_refs(FILE *out)
{
	fn_head(out,
		"The references a write of the type checks (ow_check_refs): \"entity:field\", "
		"\"sources:\".",
		"ow_entity_refs(entity text)", "text[] IMMUTABLE", "sql");
	out_f(out, "\tSELECT CASE entity\n");
	for (size_t i = 0; i < ow_nrtypes; i++) {
		if (!T(i)->refs[0])
			continue;
		out_f(out, "\t\tWHEN '%s' THEN ARRAY[", T(i)->name);
		for (size_t k = 0; k < 8 && T(i)->refs[k]; k++)
			out_f(out, "%s'%s'", k ? ", " : "", T(i)->refs[k]);
		out_f(out, "]\n");
	}
	out_f(out, "\t\tELSE '{}'::text[] END\n");
	fn_tail(out, 0);
	for (size_t i = 0; i < ow_nrtypes; i++)
		if (ow_rtype_referred(T(i)))
			gen_type_refs(out, T(i));
	fn_head(out,
		"What refers to a record (ow_<type>_refs; NULL: nothing can), which a delete "
		"refuses.",
		"ow_refs(entity text, rid uuid)", "text STABLE", "sql");
	out_f(out, "\tSELECT CASE entity\n");
	for (size_t i = 0; i < ow_nrtypes; i++)
		if (ow_rtype_referred(T(i)))
			out_f(out, "\t\tWHEN '%s' THEN ow_%s_refs(rid)\n", T(i)->name, T(i)->name);
	out_f(out, "\tEND\n");
	fn_tail(out, 0);
}

/* The source links of the facts that cite sources (a type with sources_table): a fact's
 * source ids, and replacing them (02_sources.sql: ow_fact_sources, ow_source_urls,
 * ow_link_sources call these). */
static void gen_sources(FILE *out)
{
	int first = 1;
	fn_head(out, "The ids of the sources a fact cites.",
		"ow_fact_source_ids(entity text, fact uuid)", "SETOF uuid STABLE", "sql");
	for (size_t i = 0; i < ow_nrtypes; i++)
		if (T(i)->sources_table) {
			out_f(out,
			      "\t%sSELECT source_id FROM %s WHERE entity = '%s' AND %s_id = fact\n",
			      first ? "" : "UNION ALL ", T(i)->sources_table, T(i)->name,
			      T(i)->name);
			first = 0;
		}
	fn_tail(out, 0);
	fn_head(out,
		"A fact's source links replaced by ids, and the fact's updated_at moved "
		"(orgwatch.force_touch).",
		"ow_fact_sources_replace(entity text, fact uuid, ids uuid[])", "void", "plpgsql");
	out_f(out,
	      "BEGIN\n\tPERFORM set_config('orgwatch.force_touch', '1', true);\n\tCASE entity\n");
	for (size_t i = 0; i < ow_nrtypes; i++)
		if (T(i)->sources_table)
			out_f(out,
			      "\tWHEN '%s' THEN\n\t\tDELETE FROM %s WHERE %s_id = "
			      "fact;\n\t\tINSERT INTO %s "
			      "SELECT fact, unnest(ids);\n\t\tUPDATE %s SET updated_at = "
			      "updated_at WHERE id "
			      "= fact;\n",
			      T(i)->name, T(i)->sources_table, T(i)->name, T(i)->sources_table,
			      T(i)->table);
	out_f(out, "\tEND CASE;\n\tPERFORM set_config('orgwatch.force_touch', '0', true);\n");
	fn_tail(out, 1);
}

/* Where every write of the type t starts (ow_<plural>_write): ow_<type>_locked, the row it
 * changes locked (none for a create), and ow_<type>_candidate, that row with the write's
 * fields and its references resolved (the registry's refs). */
static void gen_write_start(FILE *out, const struct ow_rtype *t)
{
	char sig[160];
	snprintf(sig, sizeof sig, "ow_%s_locked(p_key text, p_if_match text)", t->name);
	fn_head(out,
		"The row a write of the type changes, locked: none for a create (p_key NULL); 404 "
		"when the key names none, 412 on a stale If-Match (ow_check_locked).",
		sig, t->table, "plpgsql");
	out_f(out,
	      "DECLARE\n\tcur %s;\nBEGIN\n\tIF p_key IS NOT NULL THEN\n\t\tSELECT * INTO cur FROM "
	      "%s WHERE id = ow_key_404('%s', p_key) FOR UPDATE;\n\t\tPERFORM "
	      "ow_check_locked(FOUND, cur.updated_at, '%s', p_key, p_if_match);\n\tEND "
	      "IF;\n\tRETURN cur;\n",
	      t->table, t->table, t->name, t->name);
	fn_tail(out, 1);
	snprintf(sig, sizeof sig, "ow_%s_candidate(cur %s, d jsonb)", t->name, t->table);
	fn_head(out,
		"The row a write of the type asks for: cur (none for a create) with the write's "
		"fields (in stored form: ow_<type>_input), its references resolved.",
		sig, t->table, "plpgsql");
	if (t->input)
		out_f(out,
		      "DECLARE\n\tn %s := jsonb_populate_record(cur, ow_%s_input(d));\nBEGIN\n",
		      t->table, t->name);
	else
		out_f(out, "DECLARE\n\tn %s := jsonb_populate_record(cur, d);\nBEGIN\n", t->table);
	for (size_t k = 0; k < 8 && t->refs[k]; k++) {
		const char *field = strchr(t->refs[k], ':') + 1;
		int entity_len = (int)(field - 1 - t->refs[k]);
		if (*field)
			out_f(out, "\tn.%s_id := ow_ref_patch(d, '%.*s', '%s', cur.%s_id);\n",
			      field, entity_len, t->refs[k], field, field);
	}
	out_f(out, "\tRETURN n;\n");
	fn_tail(out, 1);
}

static void gen_write_delete(FILE *out)
{
	for (size_t i = 0; i < ow_nrtypes; i++)
		gen_write_start(out, T(i));
	fn_head(out,
		"The write of a record by type (create when p_key is NULL), references already "
		"checked: the row it changes locked (none for a create), the row asked for, then "
		"the type's rules and statement (ow_<plural>_write). Called by ow_write for the "
		"API, ow_import_one for imports.",
		"ow_write_record(entity text, p_actor text, p_key text, d jsonb, p_if_match text)",
		"TABLE(r_doc text, r_etag text, r_id uuid)", "plpgsql");
	out_f(out, "BEGIN\n\tPERFORM ow_begin_write(p_actor);\n\tCASE entity\n");
	for (size_t i = 0; i < ow_nrtypes; i++)
		out_f(out,
		      "\tWHEN '%s' THEN RETURN QUERY SELECT w.* FROM ow_%s_locked(p_key, "
		      "p_if_match) "
		      "c,\n\t\tLATERAL ow_%s_write(c, ow_%s_candidate(c, d), d) w;\n",
		      T(i)->name, T(i)->name, T(i)->plural, T(i)->name);
	out_f(out, "\tELSE PERFORM ow_raise('OW400', 'type', format('unknown record type %%L', "
		   "entity));\n\tEND CASE;\n");
	fn_tail(out, 1);
	fn_head(out, "The record a delete removes, locked (ow_<type>_locked): its id.",
		"ow_record_lock(entity text, p_key text, p_if_match text)", "uuid", "sql");
	out_f(out, "\tSELECT CASE entity\n");
	for (size_t i = 0; i < ow_nrtypes; i++)
		out_f(out, "\t\tWHEN '%s' THEN (ow_%s_locked(p_key, p_if_match)).id\n", T(i)->name,
		      T(i)->name);
	out_f(out, "\tEND\n");
	fn_tail(out, 0);
	fn_head(out,
		"The delete of a record by type: 412 on a stale If-Match, 409 while others refer "
		"to it.",
		"ow_record_delete(entity text, p_actor text, p_key text, p_if_match text)", "void",
		"plpgsql");
	out_f(out, "DECLARE\n\trid uuid;\n\trefs text;\nBEGIN\n"
		   "\tPERFORM ow_begin_write(p_actor);\n"
		   "\trid := ow_record_lock(entity, p_key, p_if_match);\n"
		   "\trefs := ow_refs(entity, rid);\n\tIF refs IS NOT NULL THEN\n"
		   "\t\tPERFORM ow_raise('OW409', NULL, format('Other records refer to this %%s: "
		   "%%s. Delete or change them first.',\n\t\t\tow_entity_label(entity), refs));\n"
		   "\tEND IF;\n\tCASE entity\n");
	for (size_t i = 0; i < ow_nrtypes; i++)
		out_f(out, "\tWHEN '%s' THEN DELETE FROM %s WHERE id = rid;\n", T(i)->name,
		      T(i)->table);
	out_f(out, "\tEND CASE;\n");
	fn_tail(out, 1);
}

static void gen_import(FILE *out)
{
	fn_head(out,
		"One import line written as a single write would write it: created, or the "
		"record its natural key names (ow_<type>_existing) updated or unchanged.",
		"ow_import_one(p_actor text, p_type text, d jsonb)", "text", "plpgsql");
	out_f(out, "DECLARE\n\tex_doc jsonb;\n\tex_id uuid;\n\tex_updated timestamptz;\n"
		   "\tafter_etag text;\nBEGIN\n\tCASE p_type\n");
	for (size_t i = 0; i < ow_nrtypes; i++)
		out_f(out,
		      "\tWHEN '%s' THEN SELECT e.doc, e.id, e.updated_at INTO ex_doc, ex_id, "
		      "ex_updated FROM ow_%s_existing(d) e;\n",
		      T(i)->name, T(i)->name);
	out_f(out, "\tELSE PERFORM ow_raise('OW400', 'type', format('unknown record type %%L', "
		   "p_type));\n\tEND CASE;\n\td := coalesce(ex_doc, d);\n"
		   "\tIF ex_id IS NULL THEN\n"
		   "\t\tPERFORM ow_write_record(p_type, p_actor, NULL, d, NULL);\n"
		   "\t\tRETURN 'created';\n\tEND IF;\n\td := d - 'id';\n"
		   "\tSELECT w.r_etag INTO after_etag FROM ow_write_record(p_type, p_actor, "
		   "ex_id::text, d, NULL) w;\n"
		   "\tRETURN CASE WHEN after_etag = ow_etag(ex_updated) THEN 'unchanged' ELSE "
		   "'updated' END;\n");
	fn_tail(out, 1);
	fn_head(out, "Whether an import writes a batch of the type set-based.",
		"ow_import_set_based(p_type text)", "boolean IMMUTABLE", "sql");
	out_f(out, "\tSELECT p_type IN (");
	int n = 0;
	for (size_t i = 0; i < ow_nrtypes; i++)
		if (T(i)->import_set)
			out_f(out, "%s'%s'", n++ ? ", " : "", T(i)->name);
	out_f(out, ")\n");
	fn_tail(out, 0);
	fn_head(out, "An import's batch of the type, set-based (ow_import_<plural>).",
		"ow_import_set(p_type text, p_actor text, p_lo integer, p_hi integer)", "void",
		"plpgsql");
	out_f(out, "BEGIN\n\tCASE p_type\n");
	for (size_t i = 0; i < ow_nrtypes; i++)
		if (T(i)->import_set)
			out_f(out, "\tWHEN '%s' THEN PERFORM ow_import_%s(p_actor, p_lo, p_hi);\n",
			      T(i)->name, T(i)->plural);
	out_f(out, "\tEND CASE;\n");
	fn_tail(out, 1);
	fn_head(out, "The tables an import of the type writes (ANALYZEd after a large run).",
		"ow_rtype_tables(p_type text)", "text IMMUTABLE", "sql");
	out_f(out, "\tSELECT CASE p_type\n");
	for (size_t i = 0; i < ow_nrtypes; i++) {
		out_f(out, "\t\tWHEN '%s' THEN '%s", T(i)->name, T(i)->table);
		if (T(i)->sources_table)
			out_f(out, ", %s", T(i)->sources_table);
		out_f(out, "'\n");
	}
	out_f(out, "\tEND\n");
	fn_tail(out, 0);
}

static void gen_export(FILE *out)
{
	fn_head(out,
		"Every record of p_type (NULL: all) in export order: rank (the registry's order: "
		"what a record refers to first), depth, key.",
		"ow_export_keys(p_type text)",
		"TABLE(rank integer, depth integer, key text, id uuid) STABLE", "sql");
	for (size_t i = 0; i < ow_nrtypes; i++)
		out_f(out,
		      "\t%sSELECT %zu, x.depth, x.key, x.id FROM ow_%s_export_keys() x WHERE "
		      "p_type "
		      "IS NULL OR p_type = '%s'\n",
		      i ? "UNION ALL " : "", i + 1, T(i)->name, T(i)->name);
	fn_tail(out, 0);
	fn_head(out, "The export lines of p_type (NULL: all), in export order.",
		"ow_export_lines(p_type text)", "SETOF text STABLE", "sql");
	out_f(out, "\tSELECT CASE k.rank\n");
	for (size_t i = 0; i < ow_nrtypes; i++)
		out_f(out,
		      "\tWHEN %zu THEN (SELECT ow_%s_export_line(x) FROM %s x WHERE x.id = k.id)\n",
		      i + 1, T(i)->name, T(i)->table);
	out_f(out, "\tEND\n\tFROM (SELECT x.rank, x.id FROM ow_export_keys(p_type) x ORDER BY "
		   "x.rank, x.depth, x.key OFFSET 0) k\n");
	fn_tail(out, 0);
}

/* One line a record type: its audit and updated_at triggers, declared by ow_record_triggers
 * (01_audit.sql). */
static void gen_triggers(FILE *out)
{
	out_f(out, "\n-- Each record type's audit triggers and updated_at trigger "
		   "(ow_record_triggers, 01_audit.sql).\n");
	for (size_t i = 0; i < ow_nrtypes; i++)
		out_f(out, "SELECT ow_record_triggers('%s', '%s');\n", T(i)->table, T(i)->name);
}

int ow_rtypes_sql(FILE *out)
{
	failed = 0;
	out_f(out,
	      "-- 90_record_types.sql — GENERATED by `orgwatch sql-types` from the "
	      "record-type registry\n-- (server/rtypes.c, written by server/rtypes_sql.c): do "
	      "not edit; `make unit` fails when this\n-- file differs from the command's "
	      "output. Every switch over the record types and every\n-- per-type trigger; each "
	      "type's own SQL is in its file under fixed names (ow_<type>_by_key,\n-- "
	      "_existing, _refs, _export_keys, _export_line, ow_<plural>_write, "
	      "ow_import_<plural>).\n-- Applied with the other files of sql/functions/ "
	      "(docs/ARCHITECTURE.md, \"Adding a record\n-- type\").\n");
	gen_key(out);
	gen_refs(out);
	gen_sources(out);
	gen_write_delete(out);
	gen_import(out);
	gen_export(out);
	gen_triggers(out);
	return failed || fflush(out) != 0 ? -1 : 0;
}
