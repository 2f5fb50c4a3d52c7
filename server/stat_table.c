/* stat_table.c — a statistic's JSON answer as a CSV table (see stat_table.h). */
#include "stat_table.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "list.h"

/* The value at a dotted path ("from.slug") in o, or NULL. */
static json_t *at_path(json_t *o, const char *path)
{
	char key[64];
	while (o && *path) {
		size_t n = strcspn(path, ".");
		if (n >= sizeof key)
			return NULL;
		memcpy(key, path, n);
		key[n] = '\0';
		o = json_is_object(o) ? json_object_get(o, key) : NULL;
		path += n + (path[n] == '.');
	}
	return o;
}

/* Appends one row of the table: each cell from row, else from root. */
static int stat_row(struct ow_buf *b, const struct ow_stat_table *t, json_t *row, json_t *root,
		    int excel)
{
	json_t *flat = json_object();
	if (!flat)
		return -1;
	for (size_t i = 0; t->cells[i]; i++) {
		json_t *v = at_path(row, t->cells[i]);
		if (!v && row != root && !strchr(t->cells[i], '.'))
			v = at_path(root, t->cells[i]);
		json_object_set(flat, t->cells[i], v ? v : json_null());
	}
	char *text = json_dumps(flat, JSON_COMPACT);
	json_decref(flat);
	int rc = text ? ow_list_csv_row(b, text, t->cells, excel) : -1;
	free(text);
	return rc;
}

int ow_stat_table_csv(struct ow_buf *b, const struct ow_stat_table *t, const char *json, int excel)
{
	json_t *root = json_loads(json, 0, NULL);
	if (!root)
		return -1;
	char names[OW_STAT_MAX_CELLS][64];
	const char *header[OW_STAT_MAX_CELLS + 1];
	size_t n = 0;
	for (; t->cells[n] && n < OW_STAT_MAX_CELLS; n++) {
		snprintf(names[n], sizeof names[n], "%s", t->cells[n]);
		for (char *c = names[n]; *c; c++)
			if (*c == '.')
				*c = '_';
		header[n] = names[n];
	}
	header[n] = NULL;
	int rc = ow_list_csv_header(b, header, excel);
	if (rc == 0 && t->root_row)
		rc = stat_row(b, t, root, root, excel);
	json_t *rows = json_object_get(root, t->rows);
	size_t i;
	json_t *row;
	json_array_foreach(rows, i, row)
	{
		if (rc == 0)
			rc = stat_row(b, t, row, root, excel);
	}
	json_decref(root);
	return rc;
}
