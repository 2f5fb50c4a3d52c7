/* h_changes.c — GET /changes: the audit log of every write, in the order the writes committed
 * (after= resumes from an entry's id without skipping a write that committed late). */
#include "db.h"
#include "handlers.h"
#include "list.h"
#include "req.h"
#include "rtypes.h"

static const struct ow_filter filters[] = {
	{"since", OW_F_TIMESTAMP, NULL},
	{"entity", OW_F_ENUM, ow_rtype_entity_names}, /* the record types of rtypes.c */
	{"after", OW_F_CHANGE_ID, NULL},	      /* the resume key: never skips */
};
static const char *const csv_columns[] = {"id",	       "at",	 "actor", "entity", "entity_id",
					  "operation", "before", "after", NULL};

int ow_h_changes(struct ow_req *r)
{
	const char *params[6];
	struct ow_list_page page;
	if (ow_list_parse(r, filters, 3, params, &page) != 0)
		return 0;
	ow_list_page_params(&page, params + 3);
	return ow_list_run(r, OW_Q_CHANGES_LIST, params, &page, csv_columns);
}
