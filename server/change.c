/* change.c — change-feed entries and the filter a stream subscriber or a webhook gives
 * (change.h): the one place that decides whether a change is one they want. */
#include "change.h"

#include <stdlib.h>
#include <string.h>

#include "rtypes.h"

const char *const ow_change_operations[] = {"create", "update", "delete", "merge", NULL};

/* The entry and its texts in one allocation: the texts follow the struct, each with its NUL
 * (a NULL column as ""; import_counts stays NULL when its column is). */
struct ow_change *ow_change_new(const char *const col[9])
{
	static const int text_col[] = {1, 2, 3, 4, 5, 8};
	size_t len[6], size = sizeof(struct ow_change);
	for (int i = 0; i < 6; i++) {
		const char *v = col[text_col[i]];
		len[i] = v ? strlen(v) : 0;
		size += len[i] + 1;
	}
	struct ow_change *c = malloc(size);
	if (!c)
		return NULL;
	char *at = (char *)(c + 1);
	char **dest[] = {&c->event, &c->doc, &c->orgs, &c->teams, &c->people, &c->import_counts};
	for (int i = 0; i < 6; i++) {
		const char *v = col[text_col[i]];
		*dest[i] = at;
		memcpy(at, v ? v : "", len[i] + 1);
		at += len[i] + 1;
	}
	c->id = col[0] ? atoll(col[0]) : 0;
	c->doclen = len[1];
	c->tx_last = col[6] && col[6][0] == 't';
	c->import = col[7] && col[7][0] == 't';
	if (!col[8])
		c->import_counts = NULL;
	return c;
}

void ow_change_free(struct ow_change *c)
{
	free(c);
}

/* The index of the name of n bytes at s in names, or -1. */
static int name_index(const char *s, size_t n, const char *const *names)
{
	for (int i = 0; names[i] && i < 32; i++)
		if (strlen(names[i]) == n && strncmp(names[i], s, n) == 0)
			return i;
	return -1;
}

int ow_change_names_bits(const char *list, const char *const *names, unsigned *bits)
{
	unsigned b = 0;
	const char *p = list;
	for (;;) {
		size_t n = strcspn(p, ",");
		int i = name_index(p, n, names);
		if (i < 0)
			return -1;
		b |= 1u << i;
		if (!p[n])
			break;
		p += n + 1;
	}
	*bits |= b;
	return 0;
}

/* 1 when id (36 characters) is one of the comma-separated ids in list. */
static int has_id(const char *list, const char *id)
{
	size_t n = strlen(id);
	for (const char *p = list; (p = strstr(p, id)) != NULL; p += n)
		if ((p == list || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
			return 1;
	return 0;
}

int ow_change_filter_match(const struct ow_change_filter *f, const struct ow_change *c)
{
	const char *dot = strchr(c->event, '.');
	if (!dot)
		return 0;
	if (f->entities) {
		int i = name_index(c->event, (size_t)(dot - c->event), ow_rtype_entity_names);
		if (i < 0 || !(f->entities & (1u << i)))
			return 0;
	}
	if (f->operations) {
		int i = name_index(dot + 1, strlen(dot + 1), ow_change_operations);
		if (i < 0 || !(f->operations & (1u << i)))
			return 0;
	}
	return (!f->org[0] || has_id(c->orgs, f->org)) &&
	       (!f->team[0] || has_id(c->teams, f->team)) &&
	       (!f->person[0] || has_id(c->people, f->person));
}
