/* rtypes.h — the one registry of record types: each type's names (singular, plural, path
 * segment, other spellings), resource (fields, filters, statements) and its columns in the
 * import/export format. The importer, the
 * exporter, /changes, the messages naming the types and the router's record routes all
 * read it; the order is the import/export order (what a record refers to comes first). */
#ifndef OW_RTYPES_H
#define OW_RTYPES_H
#include <stddef.h>
#include <stdio.h>

#include "buf.h"
#include "resource.h"

#define OW_RTYPE_MAX_COLUMNS 20

struct ow_rtype {
	const char *name;	/* "reporting_line": import "type", audit log entity */
	const char *plural;	/* "reporting_lines" */
	const char *path;	/* "reporting-lines": the record routes' path segment */
	const char *aliases[3]; /* other spellings accepted in ?type= and "type" */
	const struct ow_resource *res;
	/* Its fields in the import/export format (CSV columns), NULL-terminated. */
	const char *const columns[OW_RTYPE_MAX_COLUMNS];
	int import_id; /* 1: a line may carry the record's own id (layoffs) */
	/* What the generated SQL dispatch (rtypes_sql.c, sql/functions/90_record_types.sql)
	 * needs: its table, its source-link table (NULL: none), the references a write checks
	 * ("entity:field", "sources:" for its sources; NULL-terminated), whether a key other than
	 * its id names it (ow_<name>_by_key) and whether an import writes a batch of it
	 * set-based (ow_import_<plural>, 13_import_sets.sql). Whether other records may refer
	 * to it (ow_<name>_refs) follows from their refs: ow_rtype_referred. input: 1 when its
	 * SQL file has ow_<name>_input(d), the write's fields in their stored forms, applied
	 * before the candidate row is made. */
	const char *table;
	const char *sources_table;
	const char *const refs[8];
	int own_key;
	int import_set;
	int input;
};

#define OW_RTYPE_MAX 16

extern const struct ow_rtype ow_rtypes[];
extern const size_t ow_nrtypes;
/* The types' names (ow_rtypes[i].name), NULL-terminated, for enum filters such as
 * /changes?entity=; filled by ow_rtypes_init. */
extern const char *ow_rtype_entity_names[OW_RTYPE_MAX + 1];

/* Fills what is derived from the registry (ow_rtype_entity_names); call once at start,
 * before any thread reads it. */
void ow_rtypes_init(void);

/* The type named s in any accepted spelling (name, plural, path, alias), or NULL. */
const struct ow_rtype *ow_rtype_find(const char *s);
/* Writes "organizations, teams, people, ..." (plural), or with singular != 0 the singular
 * names, into out (n bytes, cut short if need be): the list messages show. Returns out. */
const char *ow_rtype_names(char *out, size_t n, int singular);

/* Writes the SQL that dispatches by record type (sql/functions/90_record_types.sql: every
 * per-type switch and trigger), generated from the registry: `orgwatch sql-types`. Returns 0,
 * or -1 when out failed. */
int ow_rtypes_sql(FILE *out);
/* 1 when another type's refs name t ("<t->name>:field", or "sources:" for sources). */
int ow_rtype_referred(const struct ow_rtype *t);

#endif
