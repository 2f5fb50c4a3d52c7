/* test_change_ring.c — unit tests of the change stream's ring in memory (change_ring.c): the
 * newest entries kept in commit order within their bounds (entries and bytes), a key's place
 * found again (or not), and the bytes a subscriber at a place has still to be sent. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "change_ring.h"

/* An entry with key id and a document of len bytes. */
static struct ow_change *entry(long long id, size_t len)
{
	char key[24], doc[256];
	snprintf(key, sizeof key, "%lld", id);
	assert_true(len < sizeof doc);
	memset(doc, 'x', len);
	doc[len] = '\0';
	const char *col[9] = {key, "source.create", doc, "", "", "", "t", "f", NULL};
	struct ow_change *c = ow_change_new(col);
	assert_non_null(c);
	return c;
}

static void test_keeps_the_newest_in_commit_order(void **state)
{
	(void)state;
	struct ow_change_ring r;
	assert_int_equal(ow_change_ring_init(&r, 3, 1 << 20), 0);
	ow_change_ring_restart(&r, 10); /* following after change 10 */
	int found;
	assert_int_equal(ow_change_ring_after(&r, 10, &found), r.tail);
	assert_true(found);
	assert_int_equal(ow_change_ring_newest(&r), 10);
	/* Commit order, not id order: 12 committed before 11. */
	ow_change_ring_append(&r, entry(12, 5));
	ow_change_ring_append(&r, entry(11, 5));
	ow_change_ring_append(&r, entry(13, 5));
	assert_int_equal(ow_change_ring_newest(&r), 13);
	unsigned long long p = ow_change_ring_after(&r, 12, &found);
	assert_true(found);
	assert_int_equal(ow_change_ring_at(&r, p)->id, 11); /* after 12 comes 11 */
	/* A fourth pushes out the oldest: 12 is gone, and the ring now follows it. */
	ow_change_ring_append(&r, entry(14, 5));
	assert_int_equal(r.head - r.tail, 3);
	assert_int_equal(r.base_key, 12);
	assert_int_equal(ow_change_ring_after(&r, 12, &found), r.tail);
	assert_true(found);
	(void)ow_change_ring_after(&r, 10, &found);
	assert_false(found); /* older than the ring: from the database */
	(void)ow_change_ring_after(&r, 99, &found);
	assert_false(found);
	ow_change_ring_free(&r);
}

static void test_bytes_bound_and_unsent(void **state)
{
	(void)state;
	struct ow_change_ring r;
	assert_int_equal(ow_change_ring_init(&r, 100, 250), 0);
	ow_change_ring_restart(&r, 0);
	for (long long id = 1; id <= 3; id++)
		ow_change_ring_append(&r, entry(id, 100));
	/* 300 bytes over a bound of 250: the oldest went. */
	assert_int_equal(r.head - r.tail, 2);
	assert_int_equal(r.base_key, 1);
	assert_int_equal(ow_change_ring_bytes_from(&r, r.tail), 200);
	assert_int_equal(ow_change_ring_bytes_from(&r, r.tail + 1), 100);
	assert_int_equal(ow_change_ring_bytes_from(&r, r.head), 0);	/* sent everything */
	assert_int_equal(ow_change_ring_bytes_from(&r, r.tail - 1), 0); /* not in the ring */
	/* One entry larger than the bound stays: the newest is always kept. */
	ow_change_ring_append(&r, entry(4, 200));
	assert_int_equal(r.head - r.tail, 1);
	assert_int_equal(ow_change_ring_newest(&r), 4);
	/* Restarted (a replaced log): empty, following after the given key. */
	ow_change_ring_restart(&r, 40);
	assert_int_equal(r.head, r.tail);
	assert_int_equal(ow_change_ring_newest(&r), 40);
	ow_change_ring_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keeps_the_newest_in_commit_order),
		cmocka_unit_test(test_bytes_bound_and_unsent),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
