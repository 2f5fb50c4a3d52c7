/* unit_buf.h — a cmocka fixture for the unit tests that write into one struct ow_buf
 * (test_buf.c, test_csv.c, test_numfmt.c): BUF_TEST(f, cap) runs f with *state a fresh
 * buffer capped at cap bytes (0: no cap), freed after f whether its assertions held or not. */
#ifndef OW_UNIT_BUF_H
#define OW_UNIT_BUF_H

#include <stdlib.h>

#include "buf.h"

static inline int buf_setup(void **state)
{
	size_t cap = *state ? *(const size_t *)*state : 0;
	struct ow_buf *b = malloc(sizeof *b);
	if (!b)
		return -1;
	ow_buf_init(b, cap);
	*state = b;
	return 0;
}

static inline int buf_teardown(void **state)
{
	ow_buf_free(*state);
	free(*state);
	return 0;
}

#define BUF_TEST(f, cap)                                                                           \
	cmocka_unit_test_prestate_setup_teardown(f, buf_setup, buf_teardown, &(size_t){cap})

#endif
