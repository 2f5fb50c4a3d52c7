/* change.h — one entry of the change feed (sql/functions/19_commit_order.sql, ow_change_feed)
 * as the live stream and webhooks hold it, and the filter a subscriber or a webhook gives. */
#ifndef OW_CHANGE_H
#define OW_CHANGE_H
#include <stddef.h>

/* An entry of the audit log in commit order. Every string is owned by the entry. */
struct ow_change {
	long long id; /* the resume key (the audit entry's id) */
	char *event;  /* "<entity>.<operation>": "departure.create" */
	char *doc;    /* the entry as GET /changes gives it (one line of JSON) */
	size_t doclen;
	char *orgs, *teams, *people; /* what it concerns: comma-separated ids, "" for none */
	int tx_last;		     /* the last entry of its transaction */
	int import;		     /* written by an import */
	char *import_counts;	     /* the last entry of an import: its counts (JSON), else NULL */
};

/* Copies a feed row's columns (id, event, doc, orgs, teams, people, tx_last, import,
 * import_counts; NULL for SQL NULL) into a new entry, texts included, in one allocation that
 * ow_change_free releases; NULL when out of memory. */
struct ow_change *ow_change_new(const char *const col[9]);
void ow_change_free(struct ow_change *c);

/* Which changes a subscriber or webhook wants. Bits follow ow_rtype_entity_names (entities)
 * and ow_change_operations (operations); 0 means all. An id of "" means any. */
struct ow_change_filter {
	unsigned entities;
	unsigned operations;
	char org[37], team[37], person[37];
};
extern const char *const ow_change_operations[]; /* create, update, delete, merge */

/* Sets bits from a comma-separated list of names (each one of names); 0, or -1 when a name is
 * not one of them. */
int ow_change_names_bits(const char *list, const char *const *names, unsigned *bits);
/* 1 when c is one the filter wants. */
int ow_change_filter_match(const struct ow_change_filter *f, const struct ow_change *c);

#endif
