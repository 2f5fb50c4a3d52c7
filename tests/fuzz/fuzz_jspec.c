/* fuzz_jspec.c — libFuzzer target for JSON body validation (server/jspec.c) with the real
 * field specs of server/resources.c.
 *
 * Input: byte 0 picks the resource, the mode and the parse flags; byte 1 how many errors are
 * already stored before the check (to reach the OW_MAX_FIELD_ERRORS cap); the rest is the
 * body. Invariants:
 *  - no crash on any JSON (or on a body that does not parse: then the check sees NULL);
 *  - never more than OW_MAX_FIELD_ERRORS errors stored (the ow_errors is an exact-size heap
 *    block), each field and message NUL-terminated inside its array; the return value is the
 *    number of errors added, stored or dropped;
 *  - a non-object gives exactly one error with field ""; otherwise each error names a member
 *    of the body or a field of the spec; an empty object passes a patch and, on create,
 *    gives one "is required" per required field;
 *  - the check is deterministic. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jspec.h"
#include "resource.h"
#include "fuzz_check.h"

static const struct ow_resource *const RESOURCES[] = {
	&ow_res_organizations, &ow_res_teams,	   &ow_res_people,  &ow_res_positions,
	&ow_res_sources,       &ow_res_departures, &ow_res_layoffs, &ow_res_reporting_lines,
};
#define NRES (sizeof RESOURCES / sizeof RESOURCES[0])

static struct ow_errors *new_errors(size_t prefill)
{
	struct ow_errors *e = malloc(sizeof *e);
	CHECK(e);
	memset(e, 0xA5, sizeof *e);
	ow_errors_init(e);
	for (size_t i = 0; i < prefill; i++)
		ow_errors_add(e, "pre", "prefilled %zu", i);
	CHECK(e->n == (prefill < OW_MAX_FIELD_ERRORS ? prefill : OW_MAX_FIELD_ERRORS));
	CHECK(e->n + e->dropped == prefill);
	return e;
}

/* 1 when field (as stored, maybe truncated to 127 bytes) names a member of obj. */
static int names_member(const json_t *obj, const char *field)
{
	const char *k;
	const json_t *v;
	size_t fl = strlen(field);
	json_object_foreach((json_t *)obj, k, v)
	{
		size_t kl = strlen(k);
		if (kl == fl && memcmp(k, field, fl) == 0)
			return 1;
		if (kl > fl && fl == sizeof(((struct ow_field_error *)0)->field) - 1 &&
		    memcmp(k, field, fl) == 0)
			return 1;
	}
	return 0;
}

static int names_spec(const struct ow_resource *res, const char *field)
{
	for (size_t i = 0; i < res->nfields; i++)
		if (strcmp(res->fields[i].name, field) == 0)
			return 1;
	return 0;
}

static size_t nrequired(const struct ow_resource *res)
{
	size_t n = 0;
	for (size_t i = 0; i < res->nfields; i++)
		n += (res->fields[i].flags & OW_JF_REQUIRED) != 0;
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	const struct ow_resource *res = RESOURCES[data[0] % NRES];
	enum ow_jmode mode = (data[0] >> 3) & 1 ? OW_JSPEC_PATCH : OW_JSPEC_CREATE;
	/* As the server parses bodies, or also accepting any value and embedded NULs. */
	size_t flags = JSON_REJECT_DUPLICATES;
	if (data[0] & 0x10)
		flags |= JSON_DECODE_ANY | JSON_ALLOW_NUL;
	size_t prefill = data[1] % (OW_MAX_FIELD_ERRORS + 8);
	if (data[1] & 0x80)
		prefill = 0;

	json_error_t jerr;
	json_t *doc = json_loadb((const char *)data + 2, size - 2, flags, &jerr);

	struct ow_errors *e = new_errors(prefill);
	size_t before_n = e->n;
	size_t added = ow_jspec_check(doc, res->fields, res->nfields, mode, e);
	CHECK(e->n <= OW_MAX_FIELD_ERRORS);
	CHECK(e->n + e->dropped == prefill + added);
	for (size_t i = 0; i < e->n; i++) {
		CHECK(memchr(e->items[i].field, '\0', sizeof e->items[i].field) != NULL);
		CHECK(memchr(e->items[i].message, '\0', sizeof e->items[i].message) != NULL);
		CHECK(e->items[i].message[0] != '\0');
	}
	if (!json_is_object(doc)) {
		CHECK(added == 1);
		if (before_n < OW_MAX_FIELD_ERRORS)
			CHECK(e->n == before_n + 1 && e->items[before_n].field[0] == '\0');
	} else {
		for (size_t i = before_n; i < e->n; i++) {
			const char *f = e->items[i].field;
			CHECK(names_member(doc, f) || names_spec(res, f));
		}
		if (json_object_size(doc) == 0)
			CHECK(added == (mode == OW_JSPEC_PATCH ? 0 : nrequired(res)));
	}

	/* Deterministic: a second check adds the same errors. */
	struct ow_errors *e2 = new_errors(0);
	size_t added2 = ow_jspec_check(doc, res->fields, res->nfields, mode, e2);
	CHECK(added2 == added);
	for (size_t i = before_n, j = 0; i < e->n && j < e2->n; i++, j++) {
		CHECK(strcmp(e->items[i].field, e2->items[j].field) == 0);
		CHECK(strcmp(e->items[i].message, e2->items[j].message) == 0);
	}

	/* The format checkers on the raw bytes as a C string. */
	char *z = malloc(size - 1);
	CHECK(z);
	memcpy(z, data + 2, size - 2);
	z[size - 2] = '\0';
	int u = ow_jspec_is_uuid(z);
	CHECK(!u || strlen(z) == 36);
	int sl = ow_jspec_is_slug(z);
	CHECK(!sl || (strlen(z) >= 1 && strlen(z) <= 100 && strstr(z, "--") == NULL &&
		      strspn(z, "abcdefghijklmnopqrstuvwxyz0123456789-") == strlen(z)));
	free(z);

	free(e2);
	free(e);
	json_decref(doc);
	return 0;
}
