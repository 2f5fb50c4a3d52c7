
/* The recipe's throwaway record type (tests/recipe/), step 4: its descriptor. */
static const struct ow_jfield award_fields[] = {
	{.name = "person_id", .type = OW_J_UUID, .flags = REQUIRED, .alias = "person"},
	{.name = "name", .type = OW_J_STRING, .flags = REQUIRED, .max = 200},
	{.name = "awarded_on", .type = OW_J_PDATE, .flags = NULLABLE},
};
static const struct ow_filter award_filters[] = {
	{"person", OW_F_REF, ow_ref_person},
	{"updated_since", OW_F_TIMESTAMP, NULL},
};
static const char *const award_csv[] = {"id", "person_id", "person", "name", "awarded_on",
					"created_at", "updated_at", NULL};
const struct ow_resource ow_res_awards = {
	.plural = "awards",
	.entity = "award",
	.fields = award_fields,
	.nfields = N(award_fields),
	.filters = award_filters,
	.nfilters = N(award_filters),
	.q_list = OW_Q_AWARDS_LIST,
	.q_get = OW_Q_AWARDS_GET,
	.q_write = OW_Q_AWARDS_WRITE,
	.csv_columns = award_csv,
};
