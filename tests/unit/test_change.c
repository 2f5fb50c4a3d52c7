/* test_change.c — unit tests of the change filter (change.c) that decides which changes a
 * stream subscriber or a webhook is sent, and of a change id as a query argument. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "change.h"
#include "filter.h"
#include "rtypes.h"

#define ORG "01a25102-373a-71a9-81ea-fca338b3123a"
#define ORG2 "01a25102-373a-71a9-81ea-fca338b3123b"
#define TEAM "01a25102-373a-71a9-81ea-fca338b31230"
#define PERSON "01a25102-373a-71a9-81ea-fca338b31231"

static struct ow_change *change(const char *event, const char *orgs, const char *teams,
				const char *people, const char *import, const char *tx_last)
{
	const char *col[9] = {"42",   event,   "{\"id\" : 42}", orgs, teams,
			      people, tx_last, import,		NULL};
	struct ow_change *c = ow_change_new(col);
	assert_non_null(c);
	return c;
}

static void test_new_copies_the_row(void **state)
{
	(void)state;
	const char *col[9] = {"9007199254740993",
			      "departure.create",
			      "{}",
			      NULL,
			      NULL,
			      ORG,
			      "t",
			      "t",
			      "{\"departure\":{\"create\":1}}"};
	struct ow_change *c = ow_change_new(col);
	assert_non_null(c);
	assert_true(c->id == 9007199254740993LL);
	assert_string_equal(c->orgs, "");
	assert_string_equal(c->people, ORG);
	assert_int_equal(c->doclen, 2);
	assert_true(c->tx_last && c->import);
	assert_string_equal(c->import_counts, "{\"departure\":{\"create\":1}}");
	ow_change_free(c);
}

static void test_entities_and_operations(void **state)
{
	(void)state;
	struct ow_change_filter f;
	memset(&f, 0, sizeof f);
	struct ow_change *dep = change("departure.create", ORG, "", PERSON, "f", "t");
	struct ow_change *lay = change("layoff.update", ORG, "", "", "f", "t");
	struct ow_change *line = change("reporting_line.delete", "", "", PERSON, "f", "t");
	assert_true(ow_change_filter_match(&f, dep)); /* no filter: everything */
	assert_int_equal(ow_change_names_bits("departure,reporting_line", ow_rtype_entity_names,
					      &f.entities),
			 0);
	assert_true(ow_change_filter_match(&f, dep));
	assert_false(ow_change_filter_match(&f, lay));
	assert_true(ow_change_filter_match(&f, line));
	assert_int_equal(ow_change_names_bits("create", ow_change_operations, &f.operations), 0);
	assert_true(ow_change_filter_match(&f, dep));
	assert_false(ow_change_filter_match(&f, line)); /* a delete */
	/* Unknown names, empty items and prefixes are refused, the bits left as they were. */
	unsigned before = f.entities;
	assert_int_equal(ow_change_names_bits("departure,", ow_rtype_entity_names, &f.entities),
			 -1);
	assert_int_equal(ow_change_names_bits("depart", ow_rtype_entity_names, &f.entities), -1);
	assert_int_equal(ow_change_names_bits("departures", ow_rtype_entity_names, &f.entities),
			 -1);
	assert_int_equal(f.entities, before);
	ow_change_free(dep);
	ow_change_free(lay);
	ow_change_free(line);
}

static void test_ids_match_whole(void **state)
{
	(void)state;
	struct ow_change_filter f;
	memset(&f, 0, sizeof f);
	strcpy(f.org, ORG);
	struct ow_change *both = change("departure.create", ORG2 "," ORG, TEAM, PERSON, "f", "t");
	struct ow_change *other = change("departure.create", ORG2, TEAM, PERSON, "f", "t");
	struct ow_change *none = change("source.create", "", "", "", "f", "t");
	assert_true(ow_change_filter_match(&f, both));	 /* destination listed second */
	assert_false(ow_change_filter_match(&f, other)); /* shares all but the last character */
	assert_false(ow_change_filter_match(&f, none));
	strcpy(f.person, PERSON);
	assert_true(ow_change_filter_match(&f, both));
	strcpy(f.team, ORG); /* a team id it does not concern */
	assert_false(ow_change_filter_match(&f, both));
	ow_change_free(both);
	ow_change_free(other);
	ow_change_free(none);
}

static void test_change_id_argument(void **state)
{
	(void)state;
	const struct ow_filter after = {"after", OW_F_CHANGE_ID, NULL};
	assert_null(ow_filter_check(&after, "0"));
	assert_null(ow_filter_check(&after, "123456789012345678"));
	const char *bad[] = {"", "-1", "1.5", "1e3", "abc", " 1", "1234567890123456789", NULL};
	for (size_t i = 0; bad[i]; i++)
		if (!ow_filter_check(&after, bad[i]))
			fail_msg("'%s' accepted as a change id", bad[i]);
}

int main(void)
{
	ow_rtypes_init();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_copies_the_row),
		cmocka_unit_test(test_entities_and_operations),
		cmocka_unit_test(test_ids_match_whole),
		cmocka_unit_test(test_change_id_argument),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
