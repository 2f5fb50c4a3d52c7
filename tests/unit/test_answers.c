/* test_answers.c — unit tests of the answer cache (server/answers.c) without a database (no
 * follower: answers are served from the start): an answer is found again with its bytes and
 * headers; any change of the data version makes every kept answer stale; the least recently
 * used answers go first and the memory stays within its bound; an answer over an eighth of
 * it is not kept; an answer held while evicted stays readable until released; and one request
 * makes an answer that others asked for meanwhile (single flight), who are handed back when
 * it is kept or given up. And the request workers (server/workers.c) run every job once. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "answers.h"
#include "workers.h"

static int setup(void **state)
{
	(void)state;
	return ow_answers_start(64 * 1024, NULL);
}

static int teardown(void **state)
{
	(void)state;
	ow_answers_stop();
	return 0;
}

/* Makes and keeps the answer body for key (no one else asked for it meanwhile). */
static void keep(const char *key, const char *body, const char *etag)
{
	struct ow_answer_capture *c = NULL;
	assert_int_equal(ow_answers_turn(key, strlen(key), NULL, &c), OW_ANSWER_MAKE);
	assert_non_null(c);
	ow_capture_begin(c);
	const char *const headers[] = {"Link", "</people?cursor=x>; rel=\"next\"", NULL};
	ow_capture_headers(c, "application/json; charset=utf-8", headers, etag,
			   "public, max-age=0");
	ow_capture_append(c, body, strlen(body));
	ow_capture_keep(c);
}

static void test_found_again_with_its_headers(void **state)
{
	(void)state;
	assert_null(ow_answers_find("a", 1));
	keep("a", "{\"x\":1}", "\"v1.20261207.00\"");
	struct ow_answer *a = ow_answers_find("a", 1);
	assert_non_null(a);
	size_t len;
	const char *body = ow_answer_body(a, &len);
	assert_int_equal(len, 7);
	assert_memory_equal(body, "{\"x\":1}", 7);
	assert_string_equal(ow_answer_content_type(a), "application/json; charset=utf-8");
	assert_string_equal(ow_answer_etag(a), "\"v1.20261207.00\"");
	assert_string_equal(ow_answer_cache_control(a), "public, max-age=0");
	const char *h[5];
	ow_answer_headers(a, h, 5);
	assert_string_equal(h[0], "Link");
	assert_string_equal(h[1], "</people?cursor=x>; rel=\"next\"");
	assert_null(h[2]);
	ow_answer_release(a);
	assert_null(ow_answers_find("b", 1));	/* another key */
	assert_null(ow_answers_find("a\0", 2)); /* keys are compared whole */
}

static void test_a_write_makes_every_answer_stale(void **state)
{
	(void)state;
	keep("k1", "one", NULL);
	keep("k2", "two", NULL);
	ow_answers_changed();
	assert_null(ow_answers_find("k1", 2));
	assert_null(ow_answers_find("k2", 2));
	/* An answer begun before a write and kept after it is of no use: not kept. */
	struct ow_answer_capture *c = NULL;
	assert_int_equal(ow_answers_turn("k3", 2, NULL, &c), OW_ANSWER_MAKE);
	ow_capture_begin(c);
	ow_capture_headers(c, "text/plain", NULL, NULL, NULL);
	ow_capture_append(c, "old", 3);
	ow_answers_changed();
	ow_capture_keep(c);
	assert_null(ow_answers_find("k3", 2));
}

static size_t kept_bytes(void)
{
	struct ow_buf b;
	ow_buf_init(&b, 1 << 16);
	assert_int_equal(ow_answers_render_metrics(&b), 0);
	const char *p = strstr(b.data, "\norgwatch_answer_cache_bytes ");
	assert_non_null(p);
	size_t n = (size_t)strtoull(p + strlen("\norgwatch_answer_cache_bytes "), NULL, 10);
	ow_buf_free(&b);
	return n;
}

static void test_least_recently_used_go_first_within_the_bound(void **state)
{
	(void)state;
	char body[4000], key[16];
	memset(body, 'x', sizeof body - 1);
	body[sizeof body - 1] = '\0';
	for (int i = 0; i < 40; i++) { /* 40 × ~4 kB into 64 kB */
		snprintf(key, sizeof key, "lru%d", i);
		keep(key, body, NULL);
		if (i == 5) { /* lru0 used again: it stays while lru1.. go */
			struct ow_answer *a = ow_answers_find("lru0", 4);
			assert_non_null(a);
			ow_answer_release(a);
		}
	}
	assert_true(kept_bytes() <= 64 * 1024);
	struct ow_answer *newest = ow_answers_find("lru39", 5);
	assert_non_null(newest);
	ow_answer_release(newest);
	assert_null(ow_answers_find("lru1", 4));
	assert_null(ow_answers_find("lru2", 4));
}

static void test_too_big_is_not_kept(void **state)
{
	(void)state;
	static char big[9000]; /* over 64 kB / 8 */
	memset(big, 'y', sizeof big - 1);
	keep("big", big, NULL);
	assert_null(ow_answers_find("big", 3));
}

static void test_held_answer_outlives_its_eviction(void **state)
{
	(void)state;
	keep("held", "still here", NULL);
	struct ow_answer *a = ow_answers_find("held", 4);
	assert_non_null(a);
	ow_answers_changed();
	assert_null(ow_answers_find("held", 4)); /* stale: out of the table */
	size_t len;
	assert_memory_equal(ow_answer_body(a, &len), "still here", 10); /* still readable */
	ow_answer_release(a); /* freed now (ASan checks) */
}

static int handed_back[8], n_handed;

static void on_done(void *job)
{
	handed_back[n_handed++] = *(int *)job;
}

static void test_one_request_makes_an_answer_others_wait_for(void **state)
{
	(void)state;
	ow_answers_on_flight_done(on_done);
	n_handed = 0;
	int first = 1, second = 2, third = 3;
	struct ow_answer_capture *c = NULL, *none = NULL;
	assert_int_equal(ow_answers_turn("chart", 5, &first, &c), OW_ANSWER_MAKE);
	assert_non_null(c);
	assert_int_equal(ow_answers_turn("chart", 5, &second, &none), OW_ANSWER_WAIT);
	assert_null(none);
	assert_int_equal(ow_answers_turn("chart", 5, &third, &none), OW_ANSWER_WAIT);
	assert_int_equal(n_handed, 0);
	ow_capture_begin(c);
	ow_capture_headers(c, "image/svg+xml", NULL, NULL, NULL);
	ow_capture_append(c, "<svg/>", 6);
	ow_capture_keep(c);
	/* Both handed back, in the order they asked, with the answer already kept. */
	assert_int_equal(n_handed, 2);
	assert_int_equal(handed_back[0], 2);
	assert_int_equal(handed_back[1], 3);
	struct ow_answer *a = ow_answers_find("chart", 5);
	assert_non_null(a);
	ow_answer_release(a);
	/* Given up (not a 200): those waiting are handed back too, and find nothing. */
	n_handed = 0;
	assert_int_equal(ow_answers_turn("gone", 4, &first, &c), OW_ANSWER_MAKE);
	assert_int_equal(ow_answers_turn("gone", 4, &second, &none), OW_ANSWER_WAIT);
	ow_capture_drop(c);
	assert_int_equal(n_handed, 1);
	assert_null(ow_answers_find("gone", 4));
	/* The flight is over: the next request makes it again. */
	assert_int_equal(ow_answers_turn("gone", 4, &third, &c), OW_ANSWER_MAKE);
	ow_capture_drop(c);
	ow_answers_on_flight_done(NULL);
}

static int ran[1000];
static pthread_mutex_t ran_lock = PTHREAD_MUTEX_INITIALIZER;

static void run(void *job)
{
	pthread_mutex_lock(&ran_lock);
	ran[*(int *)job]++;
	pthread_mutex_unlock(&ran_lock);
}

static void test_workers_run_every_job_once(void **state)
{
	(void)state;
	static int ids[1000];
	assert_int_equal(ow_workers_start(3, run), 0);
	for (int i = 0; i < 1000; i++) {
		ids[i] = i;
		ow_workers_submit(&ids[i]);
	}
	ow_workers_stop(); /* finishes what was submitted */
	for (int i = 0; i < 1000; i++)
		assert_int_equal(ran[i], 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_found_again_with_its_headers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_write_makes_every_answer_stale, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_least_recently_used_go_first_within_the_bound,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_too_big_is_not_kept, setup, teardown),
		cmocka_unit_test_setup_teardown(test_held_answer_outlives_its_eviction, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_one_request_makes_an_answer_others_wait_for,
						setup, teardown),
		cmocka_unit_test(test_workers_run_every_job_once),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
