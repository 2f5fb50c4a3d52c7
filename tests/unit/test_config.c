/* test_config.c — unit tests of ORGWATCH_* settings: defaults, accepted values, every refusal. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

/* ---- A fake environment ---------------------------------------------------------------- */

static struct {
	const char *name, *value;
} env[16];
static size_t nenv;

static const char *fake_get(const char *name)
{
	for (size_t i = 0; i < nenv; i++) {
		if (strcmp(env[i].name, name) == 0)
			return env[i].value;
	}
	return NULL;
}

static void put(const char *name, const char *value)
{
	for (size_t i = 0; i < nenv; i++) {
		if (strcmp(env[i].name, name) == 0) {
			env[i].value = value;
			return;
		}
	}
	assert_true(nenv < sizeof(env) / sizeof(env[0]));
	env[nenv].name = name;
	env[nenv].value = value;
	nenv++;
}

static int reset_env(void **state)
{
	(void)state;
	nenv = 0;
	return 0;
}

/* Loads with only name=value set and expects success. */
static void load_ok(const char *name, const char *value, struct ow_config *c)
{
	char err[256];
	nenv = 0;
	put(name, value);
	if (ow_config_load(c, fake_get, err, sizeof(err)) != 0)
		fail_msg("%s=%s refused: %s", name, value, err);
	assert_string_equal(err, "");
}

/* Loads with only name=value set and expects exactly the error want. */
static void load_bad(const char *name, const char *value, const char *want)
{
	struct ow_config c;
	char err[512];
	nenv = 0;
	put(name, value);
	if (ow_config_load(&c, fake_get, err, sizeof(err)) != -1)
		fail_msg("%s=\"%s\" accepted", name, value);
	assert_string_equal(err, want);
	assert_null(strchr(err, '\n'));
}

/* Expects value refused with the setting's usual "expected ..." message. */
static void refused(const char *name, const char *value, const char *what)
{
	char want[512];
	snprintf(want, sizeof(want), "%s: expected %s, got \"%s\"", name, what, value);
	load_bad(name, value, want);
}

/* The settings test_all_set sets (but UNRELATED), test_empty_means_unset sets empty and
 * test_real_getenv unsets. */
static const char *const core_names[] = {
	"ORGWATCH_DATABASE_URL",    "ORGWATCH_LISTEN",	     "ORGWATCH_THREADS",
	"ORGWATCH_MAX_BODY",	    "ORGWATCH_PUBLIC_READS", "ORGWATCH_LOG",
	"ORGWATCH_MAX_CONNECTIONS", "ORGWATCH_MAX_STREAMS",  "ORGWATCH_HOME",
};

/* The fields of struct ow_config the settings of core_names set. */
struct core {
	const char *database_url, *listen_host;
	unsigned listen_port, db_connections;
	size_t max_body;
	int public_reads, log_level;
	unsigned max_connections, max_streams;
	const char *home;
};

/* Asserts that c's core fields are want's. */
static void expect_core(const struct ow_config *c, const struct core *want)
{
	assert_string_equal(c->database_url, want->database_url);
	assert_string_equal(c->listen_host, want->listen_host);
	assert_int_equal(c->listen_port, want->listen_port);
	assert_int_equal(c->db_connections, want->db_connections);
	assert_int_equal(c->max_body, want->max_body);
	assert_int_equal(c->public_reads, want->public_reads);
	assert_int_equal(c->log_level, want->log_level);
	assert_int_equal(c->max_connections, want->max_connections);
	assert_int_equal(c->max_streams, want->max_streams);
	assert_string_equal(c->home, want->home);
}

/* ---- Tests ----------------------------------------------------------------------------- */

static void test_defaults(void **state)
{
	(void)state;
	struct ow_config c;
	char err[128] = "junk";
	assert_int_equal(ow_config_load(&c, fake_get, err, sizeof(err)), 0);
	assert_string_equal(err, "");
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned want = cores < 1 ? 2 : cores > 128 ? 256 : 2 * (unsigned)cores;
	expect_core(&c, &(struct core){"", "127.0.0.1", 8080, want, 1048576, 1, OW_LOG_INFO, 1024,
				       8, "."});
	assert_int_equal(c.answer_cache_mb, 64);
}

static void test_all_set(void **state)
{
	(void)state;
	struct ow_config c;
	char err[128];
	put("ORGWATCH_DATABASE_URL", "postgresql://orgwatch@127.0.0.1:15432/orgwatch");
	put("ORGWATCH_LISTEN", "0.0.0.0:18080");
	put("ORGWATCH_THREADS", "12");
	put("ORGWATCH_MAX_BODY", "4m");
	put("ORGWATCH_PUBLIC_READS", "false");
	put("ORGWATCH_LOG", "debug");
	put("ORGWATCH_MAX_CONNECTIONS", "500");
	put("ORGWATCH_MAX_STREAMS", "3");
	put("ORGWATCH_HOME", "/srv/orgwatch");
	put("UNRELATED", "x");
	assert_int_equal(ow_config_load(&c, fake_get, err, sizeof(err)), 0);
	expect_core(&c, &(struct core){"postgresql://orgwatch@127.0.0.1:15432/orgwatch", "0.0.0.0",
				       18080, 12, 4 * 1048576, 0, OW_LOG_DEBUG, 500, 3,
				       "/srv/orgwatch"});
}

static void test_empty_means_unset(void **state)
{
	(void)state;
	struct ow_config c;
	char err[128];
	for (size_t i = 0; i < sizeof(core_names) / sizeof(core_names[0]); i++)
		put(core_names[i], "");
	assert_int_equal(ow_config_load(&c, fake_get, err, sizeof(err)), 0);
	assert_string_equal(c.listen_host, "127.0.0.1");
	assert_int_equal(c.listen_port, 8080);
	assert_int_equal(c.max_body, 1048576);
	assert_string_equal(c.home, ".");
}

static void test_listen_ok(void **state)
{
	(void)state;
	static const struct {
		const char *value, *host;
		unsigned port; /* 0: not checked */
	} ok[] = {
		{"localhost:18081", "localhost", 18081},
		{"[::1]:8443", "::1", 8443},
		{"[::]:1", "::", 1},
		{"10.1.2.255:65535", "10.1.2.255", 65535},
		{"[2001:db8::8a2e:370:7334]:80", "2001:db8::8a2e:370:7334", 0},
	};
	struct ow_config c;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		load_ok("ORGWATCH_LISTEN", ok[i].value, &c);
		assert_string_equal(c.listen_host, ok[i].host);
		if (ok[i].port)
			assert_int_equal(c.listen_port, ok[i].port);
	}
}

static void test_listen_bad(void **state)
{
	(void)state;
	static const char what[] = "HOST:PORT with HOST an IPv4 address, localhost or [IPv6] and "
				   "PORT 1-65535";
	static const char *const bad[] = {
		"127.0.0.1",
		"127.0.0.1:",
		"127.0.0.1:0",
		"127.0.0.1:65536",
		":8080",
		"8080",
		"256.1.1.1:80",
		"1.2.3:80",
		"1.2.3.4.5:80",
		"example.com:80",
		"LOCALHOST:80",
		"[::1]8080",
		"[::1:80",
		"[zz]:80",
		"::1:80",
		"[]:80",
		"127.0.0.1:80x",
		"127.0.0.1:-1",
		"127.0.0.1: 80",
		" 127.0.0.1:80",
		"[127.0.0.1]:80",
		"localhost:+80",
		"127.0.0.1:99999999999999999999",
		"1.2.3.04:80",
		"[::1]:",
		"[::1]:80:80",
		"0x7f.0.0.1:80",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		refused("ORGWATCH_LISTEN", bad[i], what);
}

static void test_threads(void **state)
{
	(void)state;
	load_bad("ORGWATCH_THREADS", "x",
		 "ORGWATCH_THREADS: expected a whole number from 1 to 256, got \"x\"");
}

/* ---- Numbers and words, as tables ------------------------------------------------------ */

/* The offset and size of a number field of struct ow_config (unsigned, int or size_t). */
#define NUMBER(f) offsetof(struct ow_config, f), sizeof(((struct ow_config *)0)->f)

/* The number in the field of c at off, size bytes long. */
static unsigned long long number_at(const struct ow_config *c, size_t off, size_t size)
{
	if (size == sizeof(size_t)) {
		size_t v;
		memcpy(&v, (const char *)c + off, sizeof v);
		return v;
	}
	assert_int_equal(size, sizeof(unsigned));
	unsigned v;
	memcpy(&v, (const char *)c + off, sizeof v);
	return v;
}

/* Defaults that test_defaults does not check: the setting left unset (ORGWATCH_LOG=info the
 * only one set) gives want. */
static const struct number_default {
	const char *name;
	size_t off, size;
	unsigned long long want;
} number_defaults[] = {
	{"ORGWATCH_STREAMS_PER_CLIENT", NUMBER(stream_per_client), 16},
	{"ORGWATCH_STREAM_LIFETIME_S", NUMBER(stream_lifetime_s), 3600},
	{"ORGWATCH_STREAM_KEEPALIVE_S", NUMBER(stream_keepalive_s), 15},
	{"ORGWATCH_STREAM_MAX_UNSENT_KB", NUMBER(stream_max_unsent_kb), 256},
	{"ORGWATCH_WEBHOOK_WORKERS", NUMBER(webhook_workers), 2},
	{"ORGWATCH_MAX_CONNECTIONS_PER_IP", NUMBER(max_connections_per_ip), 64},
	{"ORGWATCH_MAX_DOWNLOAD_ROWS", NUMBER(max_download_rows), 1000000},
	{"ORGWATCH_RATE_READS", NUMBER(rate_reads), 1200},
	{"ORGWATCH_RATE_WRITES", NUMBER(rate_writes), 600},
	{"ORGWATCH_RATE_IMPORTS", NUMBER(rate_imports), 60},
};

/* A value taken: setting name=value alone sets the field to want. */
static const struct number_taken {
	const char *name, *value;
	size_t off, size;
	unsigned long long want;
} number_taken[] = {
	{"ORGWATCH_THREADS", "1", NUMBER(db_connections), 1},
	{"ORGWATCH_THREADS", "256", NUMBER(db_connections), 256},
	{"ORGWATCH_THREADS", "007", NUMBER(db_connections), 7},
	/* the new name of ORGWATCH_THREADS */
	{"ORGWATCH_DB_CONNECTIONS", "9", NUMBER(db_connections), 9},
	{"ORGWATCH_ANSWER_CACHE_MB", "0", NUMBER(answer_cache_mb), 0},
	{"ORGWATCH_ANSWER_CACHE_MB", "512", NUMBER(answer_cache_mb), 512},
	{"ORGWATCH_STREAMS_PER_CLIENT", "2000", NUMBER(stream_per_client), 2000},
	{"ORGWATCH_WEBHOOK_WORKERS", "8", NUMBER(webhook_workers), 8},
	{"ORGWATCH_MAX_BODY", "1024", NUMBER(max_body), 1024},
	{"ORGWATCH_MAX_BODY", "1k", NUMBER(max_body), 1024},
	{"ORGWATCH_MAX_BODY", "1K", NUMBER(max_body), 1024},
	{"ORGWATCH_MAX_BODY", "512k", NUMBER(max_body), 524288},
	{"ORGWATCH_MAX_BODY", "1m", NUMBER(max_body), 1048576},
	{"ORGWATCH_MAX_BODY", "64M", NUMBER(max_body), 67108864},
	{"ORGWATCH_MAX_BODY", "1g", NUMBER(max_body), 1073741824},
	{"ORGWATCH_MAX_BODY", "1G", NUMBER(max_body), 1073741824},
	{"ORGWATCH_MAX_BODY", "1073741824", NUMBER(max_body), 1073741824},
	{"ORGWATCH_MAX_BODY", "1048576k", NUMBER(max_body), 1073741824},
	{"ORGWATCH_MAX_BODY", "1024m", NUMBER(max_body), 1073741824},
	{"ORGWATCH_PUBLIC_READS", "0", NUMBER(public_reads), 0},
	{"ORGWATCH_PUBLIC_READS", "1", NUMBER(public_reads), 1},
	{"ORGWATCH_PUBLIC_READS", "true", NUMBER(public_reads), 1},
	{"ORGWATCH_PUBLIC_READS", "false", NUMBER(public_reads), 0},
	{"ORGWATCH_PUBLIC_READS", "TRUE", NUMBER(public_reads), 1},
	{"ORGWATCH_PUBLIC_READS", "False", NUMBER(public_reads), 0},
	{"ORGWATCH_LOG", "error", NUMBER(log_level), 0},
	{"ORGWATCH_LOG", "warn", NUMBER(log_level), 1},
	{"ORGWATCH_LOG", "info", NUMBER(log_level), 2},
	{"ORGWATCH_LOG", "debug", NUMBER(log_level), 3},
	{"ORGWATCH_LOG", "DEBUG", NUMBER(log_level), 3},
	{"ORGWATCH_LOG", "Warn", NUMBER(log_level), 1},
	{"ORGWATCH_MAX_CONNECTIONS", "1", NUMBER(max_connections), 1},
	{"ORGWATCH_MAX_CONNECTIONS", "100000", NUMBER(max_connections), 100000},
	{"ORGWATCH_MAX_CONNECTIONS_PER_IP", "1", NUMBER(max_connections_per_ip), 1},
	{"ORGWATCH_MAX_CONNECTIONS_PER_IP", "100000", NUMBER(max_connections_per_ip), 100000},
	{"ORGWATCH_MAX_DOWNLOAD_ROWS", "5", NUMBER(max_download_rows), 5},
	{"ORGWATCH_RATE_READS", "0", NUMBER(rate_reads), 0},
	{"ORGWATCH_RATE_WRITES", "10000000", NUMBER(rate_writes), 10000000},
	{"ORGWATCH_MAX_STREAMS", "1", NUMBER(max_streams), 1},
	{"ORGWATCH_MAX_STREAMS", "1000", NUMBER(max_streams), 1000},
	{"ORGWATCH_CACHE_MAX_AGE", "0", NUMBER(cache_max_age), 0},
	{"ORGWATCH_CACHE_MAX_AGE", "86400", NUMBER(cache_max_age), 86400},
};

/* Values one setting refuses with its usual message "NAME: expected WHAT, got "VALUE"". */
#define VALUES(...) ((const char *const[]){__VA_ARGS__, NULL})
static const char *const *const thread_counts_refused = VALUES(
	"0", "257", "-1", " 4", "4 ", "x", "4.0", "0x10", "+4", "1e2", "99999999999999999999999");
static const struct refusal {
	const char *name, *what;
	const char *const *values;
} refusals[] = {
	{"ORGWATCH_THREADS", "a whole number from 1 to 256", thread_counts_refused},
	{"ORGWATCH_DB_CONNECTIONS", "a whole number from 1 to 256", thread_counts_refused},
	{"ORGWATCH_ANSWER_CACHE_MB", "a whole number of megabytes from 0 to 65536",
	 VALUES("-1", "x", "65537", " 4", "1.5")},
	{"ORGWATCH_WEBHOOK_WORKERS", "a whole number from 1 to 32", VALUES("33", "0")},
	{"ORGWATCH_STREAM_KEEPALIVE_S", "a whole number from 1 to 3600", VALUES("0")},
	{"ORGWATCH_STREAMS_PER_CLIENT", "a whole number from 1 to 100000", VALUES("x")},
	{"ORGWATCH_MAX_BODY",
	 "a byte count from 1024 to 1073741824, optionally with suffix k, m or g",
	 VALUES("1023", "0", "1073741825", "2g", "1048577k", "1025m", "k", "1kb", "1 k", "-1k",
		"1.5m", "0k", "1t", "1kk", "K1", "0x400", "99999999999999999999k")},
	{"ORGWATCH_PUBLIC_READS", "0, 1, true or false",
	 VALUES("yes", "no", "2", " 1", "1 ", "truee", "00", "on")},
	{"ORGWATCH_LOG", "error, warn, info or debug",
	 VALUES("verbose", "warning", "3", "info ", "trace", "err")},
	{"ORGWATCH_MAX_CONNECTIONS", "a whole number from 1 to 100000",
	 VALUES("0", "100001", "-5", "1k", "many", "4294967297")},
	{"ORGWATCH_MAX_CONNECTIONS_PER_IP", "a whole number from 1 to 100000",
	 VALUES("0", "100001", "-1", "64k", "all")},
	{"ORGWATCH_MAX_DOWNLOAD_ROWS", "a whole number from 1 to 100000000",
	 VALUES("0", "100000001", "all", "-1")},
	{"ORGWATCH_RATE_IMPORTS", "a whole number from 1 to 10000000",
	 VALUES("-1", "10000001", "fast", "1.5")},
	{"ORGWATCH_MAX_STREAMS", "a whole number from 1 to 1000",
	 VALUES("0", "1001", "-1", "8k", "all", "4294967304")},
	{"ORGWATCH_CACHE_MAX_AGE", "a whole number of seconds from 0 to 86400",
	 VALUES("86401", "-1", "5s", "long", "4294967296")},
};

static void test_number_defaults(void **state)
{
	(void)state;
	struct ow_config c;
	load_ok("ORGWATCH_LOG", "info", &c);
	for (size_t i = 0; i < sizeof(number_defaults) / sizeof(number_defaults[0]); i++) {
		const struct number_default *d = &number_defaults[i];
		if (number_at(&c, d->off, d->size) != d->want)
			fail_msg("%s unset: %llu, want %llu", d->name,
				 number_at(&c, d->off, d->size), d->want);
	}
}

static void test_values_taken(void **state)
{
	(void)state;
	struct ow_config c;
	for (size_t i = 0; i < sizeof(number_taken) / sizeof(number_taken[0]); i++) {
		const struct number_taken *t = &number_taken[i];
		load_ok(t->name, t->value, &c);
		if (number_at(&c, t->off, t->size) != t->want)
			fail_msg("%s=\"%s\": %llu, want %llu", t->name, t->value,
				 number_at(&c, t->off, t->size), t->want);
	}
}

static void test_values_refused(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++)
		for (const char *const *v = refusals[i].values; *v; v++)
			refused(refusals[i].name, *v, refusals[i].what);
}

static void test_cors_origins(void **state)
{
	(void)state;
	struct ow_config c;
	load_ok("ORGWATCH_LOG", "info", &c);
	assert_int_equal(c.cors_origins_n, 0);
	load_ok("ORGWATCH_CORS_ORIGINS",
		"https://news.example, http://127.0.0.1:8090,http://[::1]:9", &c);
	assert_int_equal(c.cors_origins_n, 3);
	assert_string_equal(c.cors_origins[0], "https://news.example");
	assert_string_equal(c.cors_origins[1], "http://127.0.0.1:8090");
	assert_string_equal(c.cors_origins[2], "http://[::1]:9");
	static const char *const bad[] = {"*",		"news.example", "https://news.example/",
					  "ftp://x",	"https://",	"https://a.example/path",
					  "https://a b"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char err[256];
		nenv = 0;
		put("ORGWATCH_CORS_ORIGINS", bad[i]);
		if (ow_config_load(&c, fake_get, err, sizeof(err)) == 0)
			fail_msg("ORGWATCH_CORS_ORIGINS=%s accepted", bad[i]);
		assert_non_null(strstr(err, "ORGWATCH_CORS_ORIGINS"));
	}
}

static void test_string_lengths(void **state)
{
	(void)state;
	static const char *const names[] = {"ORGWATCH_DATABASE_URL", "ORGWATCH_HOME"};
	static char v[1100];
	struct ow_config c;
	for (size_t k = 0; k < 2; k++) {
		memset(v, 'a', 1023);
		v[1023] = '\0';
		load_ok(names[k], v, &c);
		assert_int_equal(strlen(k == 0 ? c.database_url : c.home), 1023);
		memset(v, 'a', 1024);
		v[1024] = '\0';
		char want[256];
		snprintf(want, sizeof(want), "%s: expected at most 1023 bytes, got \"%.60s...\"",
			 names[k], v);
		load_bad(names[k], v, want);
	}
}

static void test_error_echo_is_one_safe_line(void **state)
{
	(void)state;
	load_bad("ORGWATCH_LOG", "a\nb\"c\\d\x7f",
		 "ORGWATCH_LOG: expected error, warn, info or debug, got "
		 "\"a\\x0ab\\x22c\\x5cd\\x7f\"");
	/* Long values are cut after 60 bytes. */
	char v[200];
	memset(v, '9', sizeof(v) - 1);
	v[sizeof(v) - 1] = '\0';
	char want[256];
	snprintf(want, sizeof(want),
		 "ORGWATCH_THREADS: expected a whole number from 1 to 256, got \"%.60s...\"", v);
	load_bad("ORGWATCH_THREADS", v, want);
	/* 60 control bytes: the escaped echo still fits. */
	char ctl[61];
	memset(ctl, '\x01', 60);
	ctl[60] = '\0';
	struct ow_config c;
	char err[512];
	nenv = 0;
	put("ORGWATCH_LOG", ctl);
	assert_int_equal(ow_config_load(&c, fake_get, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "got \"\\x01\\x01"));
	assert_int_equal(err[strlen(err) - 1], '"');
}

static void test_small_or_no_err_buffer(void **state)
{
	(void)state;
	struct ow_config c;
	char err[16];
	put("ORGWATCH_THREADS", "x");
	memset(err, '#', sizeof(err));
	assert_int_equal(ow_config_load(&c, fake_get, err, sizeof(err)), -1);
	assert_string_equal(err, "ORGWATCH_THREAD");
	assert_int_equal(ow_config_load(&c, fake_get, NULL, 0), -1);
	err[0] = '#';
	assert_int_equal(ow_config_load(&c, fake_get, err, 0), -1);
	assert_int_equal(err[0], '#');
}

static void test_first_bad_setting_named(void **state)
{
	(void)state;
	struct ow_config c;
	char err[256];
	put("ORGWATCH_LOG", "loud");
	put("ORGWATCH_THREADS", "0");
	assert_int_equal(ow_config_load(&c, fake_get, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "ORGWATCH_THREADS: "));
	assert_null(strstr(err, "ORGWATCH_LOG"));
}

static void test_real_getenv(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(core_names) / sizeof(core_names[0]); i++)
		assert_int_equal(unsetenv(core_names[i]), 0);
	assert_int_equal(setenv("ORGWATCH_THREADS", "3", 1), 0);
	assert_int_equal(setenv("ORGWATCH_LISTEN", "127.0.0.1:18099", 1), 0);
	struct ow_config c;
	char err[128];
	assert_int_equal(ow_config_load(&c, NULL, err, sizeof(err)), 0);
	assert_int_equal(c.db_connections, 3);
	assert_int_equal(c.listen_port, 18099);
	assert_int_equal(setenv("ORGWATCH_THREADS", "lots", 1), 0);
	assert_int_equal(ow_config_load(&c, NULL, err, sizeof(err)), -1);
	assert_string_equal(
		err, "ORGWATCH_THREADS: expected a whole number from 1 to 256, got \"lots\"");
	assert_int_equal(unsetenv("ORGWATCH_THREADS"), 0);
	assert_int_equal(unsetenv("ORGWATCH_LISTEN"), 0);
}

#define T(f) cmocka_unit_test_setup(f, reset_env)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_defaults),
		T(test_all_set),
		T(test_empty_means_unset),
		T(test_listen_ok),
		T(test_listen_bad),
		T(test_threads),
		T(test_number_defaults),
		T(test_values_taken),
		T(test_values_refused),
		T(test_cors_origins),
		T(test_string_lengths),
		T(test_error_echo_is_one_safe_line),
		T(test_small_or_no_err_buffer),
		T(test_first_bad_setting_named),
		T(test_real_getenv),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
