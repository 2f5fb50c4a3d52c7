/* unit_jspec.h — what the jspec unit tests (test_jspec_types.c, test_jspec.c) share:
 * two spellings of one UUID, an enum's values, and check_text(), which parses a body as the
 * server does and checks it against a spec. */
#ifndef OW_UNIT_JSPEC_H
#define OW_UNIT_JSPEC_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "jspec.h"

#define UUID_LOWER "3f2a9c1e-0000-4000-8000-00000000abcd"
#define UUID_UPPER "3F2A9C1E-0000-4000-8000-00000000ABCD"

static const char *const statuses[] = {"active", "departed", "unknown", NULL};

/* Parses text as the server does (duplicates rejected) and checks it against sp. */
static inline size_t check_text(const char *text, const struct ow_jfield *sp, size_t n,
				enum ow_jmode mode, struct ow_errors *e)
{
	json_error_t jerr;
	json_t *doc = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
	if (!doc)
		fail_msg("bad test JSON %s: %s", text, jerr.text);
	ow_errors_init(e);
	size_t added = ow_jspec_check(doc, sp, n, mode, e);
	json_decref(doc);
	assert_int_equal(added, e->n + e->dropped);
	return added;
}

#endif
