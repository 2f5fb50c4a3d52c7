/* test_router.c — unit tests of route matching: params, specificity, 404/405 with Allow. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "router.h"

static int h_stub(struct ow_req *r)
{
	(void)r;
	return 0;
}

/* A route of these tests: every one is answered by h_stub, with no cache rule. */
/* clang-format off */
#define STUB(method, pattern, role, body) {method, pattern, h_stub, role, body, NULL, OW_CACHE_NONE}
/* clang-format on */

/* A realistic table; "/people/{id}" comes before "/people/duplicates" on purpose, so the
 * literal must win by specificity, not by order. */
static const struct ow_route table[] = {
	STUB("GET", "/people", OW_ROLE_PUBLIC, OW_BODY_NONE),
	STUB("POST", "/people", OW_ROLE_EDITOR, OW_BODY_JSON),
	STUB("GET", "/people/{id}", OW_ROLE_PUBLIC, OW_BODY_NONE),
	STUB("PATCH", "/people/{id}", OW_ROLE_EDITOR, OW_BODY_JSON),
	STUB("DELETE", "/people/{id}", OW_ROLE_EDITOR, OW_BODY_NONE),
	STUB("GET", "/people/duplicates", OW_ROLE_PUBLIC, OW_BODY_NONE),
	STUB("POST", "/people/{id}/merge", OW_ROLE_EDITOR, OW_BODY_JSON),
	STUB("GET", "/organizations/{id}/chart", OW_ROLE_PUBLIC, OW_BODY_NONE),
	STUB("GET", "/organizations/{id}/teams/{team}", OW_ROLE_PUBLIC, OW_BODY_NONE),
	STUB("GET", "/health", OW_ROLE_PUBLIC, OW_BODY_NONE),
};
#define NTABLE (sizeof table / sizeof table[0])

struct result {
	enum ow_match m;
	const struct ow_route *route;
	struct ow_route_params params;
	char allow[128];
};

static enum ow_match match_in(const struct ow_route *t, size_t n, const char *method,
			      const char *path, struct result *res)
{
	memset(res, 0, sizeof *res);
	res->route = t; /* must be overwritten */
	res->m = ow_router_match(t, n, method, path, &res->route, &res->params, res->allow,
				 sizeof res->allow);
	return res->m;
}

/* Asserts that method + path reaches the row method/pattern of `table`. */
static void expect_route(const char *method, const char *path, const char *row_method,
			 const char *pattern, struct result *res)
{
	if (match_in(table, NTABLE, method, path, res) != OW_MATCH_OK)
		fail_msg("%s %s: no match (%d)", method, path, (int)res->m);
	assert_non_null(res->route);
	assert_string_equal(res->route->method, row_method);
	assert_string_equal(res->route->pattern, pattern);
}

/* expect_route, and the first {param} of the match decoded is id. */
static void expect_id(const char *method, const char *path, const char *row_method,
		      const char *pattern, const char *id, struct result *res)
{
	expect_route(method, path, row_method, pattern, res);
	assert_string_equal(res->params.values[0], id);
}

/* Asserts a 404: no route, empty Allow. */
static void expect_no_path(const char *method, const char *path)
{
	struct result res;
	if (match_in(table, NTABLE, method, path, &res) != OW_MATCH_NO_PATH)
		fail_msg("%s \"%s\": expected NO_PATH, got %d", method, path, (int)res.m);
	assert_null(res.route);
	assert_string_equal(res.allow, "");
}

/* Asserts a 405 with exactly this Allow list. */
static void expect_no_method(const char *method, const char *path, const char *allow)
{
	struct result res;
	if (match_in(table, NTABLE, method, path, &res) != OW_MATCH_NO_METHOD)
		fail_msg("%s %s: expected NO_METHOD, got %d", method, path, (int)res.m);
	assert_null(res.route);
	assert_string_equal(res.allow, allow);
}

static void test_collection_routes(void **state)
{
	(void)state;
	struct result res;
	expect_route("GET", "/people", "GET", "/people", &res);
	assert_int_equal(res.params.n, 0);
	expect_route("POST", "/people", "POST", "/people", &res);
	assert_int_equal(res.route->body, OW_BODY_JSON);
	assert_int_equal(res.route->role, OW_ROLE_EDITOR);
	expect_route("GET", "/health", "GET", "/health", &res);
	assert_int_equal(res.params.n, 0);
}

static void test_params_extracted(void **state)
{
	(void)state;
	struct result res;
	expect_id("GET", "/people/ada-lovelace", "GET", "/people/{id}", "ada-lovelace", &res);
	assert_int_equal(res.params.n, 1);

	expect_id("PATCH", "/people/3f2a9c1e-0000-4000-8000-000000000001", "PATCH", "/people/{id}",
		  "3f2a9c1e-0000-4000-8000-000000000001", &res);
	assert_int_equal(res.params.n, 1);

	expect_id("DELETE", "/people/x", "DELETE", "/people/{id}", "x", &res);

	expect_id("POST", "/people/grace/merge", "POST", "/people/{id}/merge", "grace", &res);
	assert_int_equal(res.params.n, 1);

	expect_id("GET", "/organizations/acme/chart", "GET", "/organizations/{id}/chart", "acme",
		  &res);
	assert_int_equal(res.params.n, 1);

	expect_route("GET", "/organizations/acme/teams/core", "GET",
		     "/organizations/{id}/teams/{team}", &res);
	assert_int_equal(res.params.n, 2);
	assert_string_equal(res.params.values[0], "acme");
	assert_string_equal(res.params.values[1], "core");

	/* A later match without params reports n = 0, not the previous count. */
	res.params.n = 3;
	assert_int_equal(
		ow_router_match(table, NTABLE, "GET", "/people", &res.route, &res.params, NULL, 0),
		OW_MATCH_OK);
	assert_int_equal(res.params.n, 0);
}

static void test_literal_beats_param(void **state)
{
	(void)state;
	struct result res;
	expect_route("GET", "/people/duplicates", "GET", "/people/duplicates", &res);
	assert_int_equal(res.params.n, 0);
	/* The literal pattern wins the path, so its methods decide: no fallback to {id}. */
	expect_no_method("DELETE", "/people/duplicates", "GET");
	expect_no_method("PATCH", "/people/duplicates", "GET");
	/* Only an exact literal is a literal: near misses are ids. */
	expect_id("GET", "/people/duplicatesx", "GET", "/people/{id}", "duplicatesx", &res);
	expect_id("GET", "/people/Duplicates", "GET", "/people/{id}", "Duplicates", &res);
	expect_route("GET", "/people/duplicate", "GET", "/people/{id}", &res);
	/* Literals are compared raw (only {param} values are decoded). */
	expect_id("GET", "/people/duplicate%73", "GET", "/people/{id}", "duplicates", &res);
}

/* A literal at the first differing segment wins, whatever the table order. */
static void test_first_difference_decides(void **state)
{
	(void)state;
	const struct ow_route a[] = {
		STUB("GET", "/{kind}/chart", OW_ROLE_PUBLIC, OW_BODY_NONE),
		STUB("GET", "/organizations/{id}", OW_ROLE_PUBLIC, OW_BODY_NONE),
		STUB("GET", "/{kind}/{id}", OW_ROLE_PUBLIC, OW_BODY_NONE),
	};
	const struct ow_route b[] = {a[2], a[1], a[0]};
	const struct ow_route *tables[] = {a, b};
	for (size_t t = 0; t < 2; t++) {
		struct result res;
		assert_int_equal(match_in(tables[t], 3, "GET", "/organizations/chart", &res),
				 OW_MATCH_OK);
		assert_string_equal(res.route->pattern, "/organizations/{id}");
		assert_string_equal(res.params.values[0], "chart");
		assert_int_equal(match_in(tables[t], 3, "GET", "/teams/chart", &res), OW_MATCH_OK);
		assert_string_equal(res.route->pattern, "/{kind}/chart");
		assert_int_equal(res.params.n, 1);
		assert_string_equal(res.params.values[0], "teams");
		assert_int_equal(match_in(tables[t], 3, "GET", "/teams/core", &res), OW_MATCH_OK);
		assert_string_equal(res.route->pattern, "/{kind}/{id}");
		assert_int_equal(res.params.n, 2);
		assert_string_equal(res.params.values[0], "teams");
		assert_string_equal(res.params.values[1], "core");
	}
}

static void test_method_not_allowed(void **state)
{
	(void)state;
	expect_no_method("PUT", "/people/ada", "GET, PATCH, DELETE");
	expect_no_method("POST", "/people/ada", "GET, PATCH, DELETE");
	expect_no_method("DELETE", "/people", "GET, POST");
	expect_no_method("POST", "/health", "GET");
	expect_no_method("GET", "/people/ada/merge", "POST");
	expect_no_method("DELETE", "/organizations/acme/chart", "GET");
	/* Unknown and lower-case methods are not methods of any route. */
	expect_no_method("BREW", "/people", "GET, POST");
	expect_no_method("get", "/health", "GET");
	expect_no_method("", "/people/ada", "GET, PATCH, DELETE");
	/* Without an Allow buffer the decision is the same. */
	const struct ow_route *route = table;
	assert_int_equal(
		ow_router_match(table, NTABLE, "PUT", "/people/ada", &route, NULL, NULL, 0),
		OW_MATCH_NO_METHOD);
	assert_null(route);
}

static void test_head_served_by_get(void **state)
{
	(void)state;
	struct result res;
	expect_route("HEAD", "/people", "GET", "/people", &res);
	expect_id("HEAD", "/people/ada", "GET", "/people/{id}", "ada", &res);
	expect_route("HEAD", "/people/duplicates", "GET", "/people/duplicates", &res);
	expect_route("HEAD", "/health", "GET", "/health", &res);
	/* No GET, no HEAD. */
	expect_no_method("HEAD", "/people/ada/merge", "POST");
}

static void test_trailing_slash(void **state)
{
	(void)state;
	struct result res;
	expect_route("GET", "/people/", "GET", "/people", &res);
	expect_route("POST", "/people/", "POST", "/people", &res);
	expect_route("GET", "/health/", "GET", "/health", &res);
	expect_id("GET", "/people/ada/", "GET", "/people/{id}", "ada", &res);
	expect_route("POST", "/people/ada/merge/", "POST", "/people/{id}/merge", &res);
	expect_no_method("PUT", "/people/", "GET, POST");
	/* Only one trailing slash is ignored. */
	expect_no_path("GET", "/people//");
	expect_no_path("GET", "/health//");
}

static void test_empty_segments_and_bad_paths(void **state)
{
	(void)state;
	expect_no_path("GET", "//people");
	expect_no_path("GET", "/people//x");
	expect_no_path("GET", "/people//ada/merge");
	expect_no_path("POST", "/people/ada//merge");
	expect_no_path("GET", "//");
	expect_no_path("GET", "///");
	expect_no_path("GET", "");
	expect_no_path("GET", "people");
	expect_no_path("GET", "*");
	/* Wrong segment counts or unknown literals. */
	expect_no_path("GET", "/nope");
	expect_no_path("GET", "/people/ada/timeline");
	expect_no_path("GET", "/people/ada/merge/now");
	expect_no_path("GET", "/organizations/acme");
	expect_no_path("GET", "/organizations");
	expect_no_path("GET", "/health/x");
	expect_no_path("GET", "/Health");
	expect_no_path("GET", "/peoplex");
}

static void test_root_only_if_listed(void **state)
{
	(void)state;
	expect_no_path("GET", "/");
	const struct ow_route with_root[] = {
		STUB("GET", "/", OW_ROLE_PUBLIC, OW_BODY_NONE),
		STUB("GET", "/health", OW_ROLE_PUBLIC, OW_BODY_NONE),
	};
	struct result res;
	assert_int_equal(match_in(with_root, 2, "GET", "/", &res), OW_MATCH_OK);
	assert_ptr_equal(res.route, &with_root[0]);
	assert_int_equal(res.params.n, 0);
	assert_int_equal(match_in(with_root, 2, "HEAD", "/", &res), OW_MATCH_OK);
	assert_ptr_equal(res.route, &with_root[0]);
	assert_int_equal(match_in(with_root, 2, "POST", "/", &res), OW_MATCH_NO_METHOD);
	assert_string_equal(res.allow, "GET");
	assert_int_equal(match_in(with_root, 2, "GET", "//", &res), OW_MATCH_NO_PATH);
	assert_int_equal(match_in(with_root, 2, "GET", "/health", &res), OW_MATCH_OK);
	assert_ptr_equal(res.route, &with_root[1]);
	/* An empty table matches nothing. */
	assert_int_equal(match_in(with_root, 0, "GET", "/", &res), OW_MATCH_NO_PATH);
}

/* Writes prefix, seglen bytes of c and suffix into s; returns s. */
static char *long_path(char *s, const char *prefix, size_t seglen, char c, const char *suffix)
{
	size_t p = strlen(prefix);
	memcpy(s, prefix, p);
	memset(s + p, c, seglen);
	strcpy(s + p + seglen, suffix);
	return s;
}

static void test_segment_length(void **state)
{
	(void)state;
	char path[1024];
	struct result res;
	/* OW_ROUTE_PARAM_MAX - 1 = 255 bytes is the longest value. */
	long_path(path, "/people/", OW_ROUTE_PARAM_MAX - 1, 'a', "");
	assert_int_equal(match_in(table, NTABLE, "GET", path, &res), OW_MATCH_OK);
	assert_int_equal(strlen(res.params.values[0]), OW_ROUTE_PARAM_MAX - 1);
	assert_int_equal(res.params.values[0][OW_ROUTE_PARAM_MAX - 2], 'a');
	long_path(path, "/people/", OW_ROUTE_PARAM_MAX - 1, 'b', "/merge");
	assert_int_equal(match_in(table, NTABLE, "POST", path, &res), OW_MATCH_OK);
	assert_int_equal(strlen(res.params.values[0]), OW_ROUTE_PARAM_MAX - 1);

	expect_no_path("GET", long_path(path, "/people/", OW_ROUTE_PARAM_MAX, 'a', ""));
	expect_no_path("GET", long_path(path, "/people/", 300, 'a', ""));
	expect_no_path("POST", long_path(path, "/people/", 300, 'a', "/merge"));
	expect_no_path("GET", long_path(path, "/", 300, 'a', ""));
	expect_no_path("GET", long_path(path, "/organizations/acme/teams/", 300, 'c', ""));
	/* The raw length counts: 300 raw bytes are refused even if they decode shorter. */
	path[0] = '\0';
	strcat(path, "/people/");
	for (int i = 0; i < 100; i++)
		strcat(path, "%41");
	expect_no_path("GET", path);
	/* ... while 85 escapes (255 raw bytes) decode to 85 bytes. */
	path[0] = '\0';
	strcat(path, "/people/");
	for (int i = 0; i < 85; i++)
		strcat(path, "%41");
	assert_int_equal(match_in(table, NTABLE, "GET", path, &res), OW_MATCH_OK);
	assert_int_equal(strlen(res.params.values[0]), 85);
}

static void test_many_segments(void **state)
{
	(void)state;
	char path[4096];
	path[0] = '\0';
	for (int i = 0; i < 1000; i++)
		strcat(path, "/a");
	expect_no_path("GET", path);
	path[0] = '\0';
	for (int i = 0; i < 17; i++)
		strcat(path, "/people");
	expect_no_path("GET", path);

	const struct ow_route four[] = {
		STUB("GET", "/{a}/{b}/x/{c}/{d}", OW_ROLE_PUBLIC, OW_BODY_NONE),
	};
	struct result res;
	assert_int_equal(match_in(four, 1, "GET", "/1/2/x/3/4", &res), OW_MATCH_OK);
	assert_int_equal(res.params.n, 4);
	assert_string_equal(res.params.values[0], "1");
	assert_string_equal(res.params.values[1], "2");
	assert_string_equal(res.params.values[2], "3");
	assert_string_equal(res.params.values[3], "4");
}

static void test_percent_decoding(void **state)
{
	(void)state;
	struct result res;
	expect_id("GET", "/people/meta%2Ffair", "GET", "/people/{id}", "meta/fair", &res);
	expect_id("GET", "/people/meta%2ffair", "GET", "/people/{id}", "meta/fair", &res);
	/* An encoded slash does not split segments. */
	expect_id("POST", "/people/a%2Fb/merge", "POST", "/people/{id}/merge", "a/b", &res);
	expect_id("GET", "/people/%41da%20L.", "GET", "/people/{id}", "Ada L.", &res);
	expect_id("GET", "/people/Zo%C3%AB", "GET", "/people/{id}", "Zo\xC3\xAB", &res);
	expect_id("GET", "/people/%25", "GET", "/people/{id}", "%", &res);
	/* Bad escapes and an encoded NUL never match. */
	expect_no_path("GET", "/people/%");
	expect_no_path("GET", "/people/%4");
	expect_no_path("GET", "/people/ab%4");
	expect_no_path("GET", "/people/%zz");
	expect_no_path("GET", "/people/%4g");
	expect_no_path("GET", "/people/%00");
	expect_no_path("GET", "/people/ada%00x");
	expect_no_path("POST", "/people/%/merge");
	expect_no_path("GET", "/organizations/acme/teams/%G1");
}

/* The Allow list never overruns its buffer and is always NUL-terminated. */
static void test_allow_truncation(void **state)
{
	(void)state;
	const char *full = "GET, PATCH, DELETE";
	for (size_t sz = 0; sz <= strlen(full) + 2; sz++) {
		char buf[64];
		memset(buf, 'Z', sizeof buf);
		const struct ow_route *route = table;
		enum ow_match m =
			ow_router_match(table, NTABLE, "PUT", "/people/ada", &route, NULL, buf, sz);
		assert_int_equal(m, OW_MATCH_NO_METHOD);
		assert_null(route);
		if (sz == 0) {
			for (size_t i = 0; i < sizeof buf; i++)
				assert_int_equal(buf[i], 'Z');
			continue;
		}
		size_t len = strnlen(buf, sz);
		assert_true(len < sz);
		assert_memory_equal(buf, full, len);
		if (sz > strlen(full))
			assert_string_equal(buf, full);
		for (size_t i = sz; i < sizeof buf; i++)
			assert_int_equal(buf[i], 'Z');
	}
	/* A one-byte buffer is safe on a match too. */
	char one[1] = {'Z'};
	const struct ow_route *route = NULL;
	assert_int_equal(ow_router_match(table, NTABLE, "GET", "/health", &route, NULL, one, 1),
			 OW_MATCH_OK);
	assert_int_equal(one[0], '\0');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_collection_routes),
		cmocka_unit_test(test_params_extracted),
		cmocka_unit_test(test_literal_beats_param),
		cmocka_unit_test(test_first_difference_decides),
		cmocka_unit_test(test_method_not_allowed),
		cmocka_unit_test(test_head_served_by_get),
		cmocka_unit_test(test_trailing_slash),
		cmocka_unit_test(test_empty_segments_and_bad_paths),
		cmocka_unit_test(test_root_only_if_listed),
		cmocka_unit_test(test_segment_length),
		cmocka_unit_test(test_many_segments),
		cmocka_unit_test(test_percent_decoding),
		cmocka_unit_test(test_allow_truncation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
