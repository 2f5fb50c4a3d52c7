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

/* ---- Tests ----------------------------------------------------------------------------- */

static void test_defaults(void **state)
{
	(void)state;
	struct ow_config c;
	char err[128] = "junk";
	assert_int_equal(ow_config_load(&c, fake_get, err, sizeof(err)), 0);
	assert_string_equal(err, "");
	assert_string_equal(c.database_url, "");
	assert_string_equal(c.listen_host, "127.0.0.1");
	assert_int_equal(c.listen_port, 8080);
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned want = cores < 1 ? 2 : cores > 128 ? 256 : 2 * (unsigned)cores;
	assert_int_equal(c.db_connections, want);
	assert_int_equal(c.answer_cache_mb, 64);
	assert_int_equal(c.max_body, 1048576);
	assert_int_equal(c.public_reads, 1);
	assert_int_equal(c.log_level, OW_LOG_INFO);
	assert_int_equal(c.max_connections, 1024);
	assert_int_equal(c.max_streams, 8);
	assert_string_equal(c.home, ".");
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
	assert_string_equal(c.database_url, "postgresql://orgwatch@127.0.0.1:15432/orgwatch");
	assert_string_equal(c.listen_host, "0.0.0.0");
	assert_int_equal(c.listen_port, 18080);
	assert_int_equal(c.db_connections, 12);
	assert_int_equal(c.max_body, 4 * 1048576);
	assert_int_equal(c.public_reads, 0);
	assert_int_equal(c.log_level, OW_LOG_DEBUG);
	assert_int_equal(c.max_connections, 500);
	assert_int_equal(c.max_streams, 3);
	assert_string_equal(c.home, "/srv/orgwatch");
}

static void test_empty_means_unset(void **state)
{
	(void)state;
	struct ow_config c;
	char err[128];
	static const char *const names[] = {
		"ORGWATCH_DATABASE_URL",    "ORGWATCH_LISTEN",	     "ORGWATCH_THREADS",
		"ORGWATCH_MAX_BODY",	    "ORGWATCH_PUBLIC_READS", "ORGWATCH_LOG",
		"ORGWATCH_MAX_CONNECTIONS", "ORGWATCH_MAX_STREAMS",  "ORGWATCH_HOME",
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		put(names[i], "");
	assert_int_equal(ow_config_load(&c, fake_get, err, sizeof(err)), 0);
	assert_string_equal(c.listen_host, "127.0.0.1");
	assert_int_equal(c.listen_port, 8080);
	assert_int_equal(c.max_body, 1048576);
	assert_string_equal(c.home, ".");
}

static void test_listen_ok(void **state)
{
	(void)state;
	struct ow_config c;
	load_ok("ORGWATCH_LISTEN", "localhost:18081", &c);
	assert_string_equal(c.listen_host, "localhost");
	assert_int_equal(c.listen_port, 18081);
	load_ok("ORGWATCH_LISTEN", "[::1]:8443", &c);
	assert_string_equal(c.listen_host, "::1");
	assert_int_equal(c.listen_port, 8443);
	load_ok("ORGWATCH_LISTEN", "[::]:1", &c);
	assert_string_equal(c.listen_host, "::");
	assert_int_equal(c.listen_port, 1);
	load_ok("ORGWATCH_LISTEN", "10.1.2.255:65535", &c);
	assert_string_equal(c.listen_host, "10.1.2.255");
	assert_int_equal(c.listen_port, 65535);
	load_ok("ORGWATCH_LISTEN", "[2001:db8::8a2e:370:7334]:80", &c);
	assert_string_equal(c.listen_host, "2001:db8::8a2e:370:7334");
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
	struct ow_config c;
	load_ok("ORGWATCH_THREADS", "1", &c);
	assert_int_equal(c.db_connections, 1);
	load_ok("ORGWATCH_THREADS", "256", &c);
	assert_int_equal(c.db_connections, 256);
	load_ok("ORGWATCH_THREADS", "007", &c);
	assert_int_equal(c.db_connections, 7);
	static const char *const bad[] = {"0",
					  "257",
					  "-1",
					  " 4",
					  "4 ",
					  "x",
					  "4.0",
					  "0x10",
					  "+4",
					  "1e2",
					  "99999999999999999999999"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		refused("ORGWATCH_THREADS", bad[i], "a whole number from 1 to 256");
		refused("ORGWATCH_DB_CONNECTIONS", bad[i], "a whole number from 1 to 256");
	}
	load_bad("ORGWATCH_THREADS", "x",
		 "ORGWATCH_THREADS: expected a whole number from 1 to 256, got \"x\"");
	/* The new name, and the new name over the earlier one. */
	load_ok("ORGWATCH_DB_CONNECTIONS", "9", &c);
	assert_int_equal(c.db_connections, 9);
}

static void test_answer_cache_mb(void **state)
{
	(void)state;
	struct ow_config c;
	load_ok("ORGWATCH_ANSWER_CACHE_MB", "0", &c);
	assert_int_equal(c.answer_cache_mb, 0);
	load_ok("ORGWATCH_ANSWER_CACHE_MB", "512", &c);
	assert_int_equal(c.answer_cache_mb, 512);
	static const char *const bad[] = {"-1", "x", "65537", " 4", "1.5"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		refused("ORGWATCH_ANSWER_CACHE_MB", bad[i],
			"a whole number of megabytes from 0 to 65536");
}

/* The change stream's and webhooks' counts: defaults, a value taken, bounds refused. */
static void test_stream_and_webhook_settings(void **state)
{
	(void)state;
	struct ow_config c;
	load_ok("ORGWATCH_LOG", "warn", &c);
	assert_int_equal(c.stream_per_client, 16);
	assert_int_equal(c.stream_lifetime_s, 3600);
	assert_int_equal(c.stream_keepalive_s, 15);
	assert_int_equal(c.stream_max_unsent_kb, 256);
	assert_int_equal(c.webhook_workers, 2);
	load_ok("ORGWATCH_STREAMS_PER_CLIENT", "2000", &c);
	assert_int_equal(c.stream_per_client, 2000);
	load_ok("ORGWATCH_WEBHOOK_WORKERS", "8", &c);
	assert_int_equal(c.webhook_workers, 8);
	refused("ORGWATCH_WEBHOOK_WORKERS", "33", "a whole number from 1 to 32");
	refused("ORGWATCH_WEBHOOK_WORKERS", "0", "a whole number from 1 to 32");
	refused("ORGWATCH_STREAM_KEEPALIVE_S", "0", "a whole number from 1 to 3600");
	refused("ORGWATCH_STREAMS_PER_CLIENT", "x", "a whole number from 1 to 100000");
}

static void test_max_body(void **state)
{
	(void)state;
	static const struct {
		const char *v;
		size_t bytes;
	} ok[] = {
		{"1024", 1024},		  {"1k", 1024},		 {"1K", 1024},
		{"512k", 524288},	  {"1m", 1048576},	 {"64M", 67108864},
		{"1g", 1073741824},	  {"1G", 1073741824},	 {"1073741824", 1073741824},
		{"1048576k", 1073741824}, {"1024m", 1073741824},
	};
	struct ow_config c;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		load_ok("ORGWATCH_MAX_BODY", ok[i].v, &c);
		assert_int_equal(c.max_body, ok[i].bytes);
	}
	static const char *const bad[] = {
		"1023",
		"0",
		"1073741825",
		"2g",
		"1048577k",
		"1025m",
		"k",
		"1kb",
		"1 k",
		"-1k",
		"1.5m",
		"0k",
		"1t",
		"1kk",
		"K1",
		"0x400",
		"99999999999999999999k",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		refused("ORGWATCH_MAX_BODY", bad[i],
			"a byte count from 1024 to 1073741824, optionally with suffix k, m or g");
}

static void test_public_reads(void **state)
{
	(void)state;
	static const struct {
		const char *v;
		int want;
	} ok[] = {{"0", 0}, {"1", 1}, {"true", 1}, {"false", 0}, {"TRUE", 1}, {"False", 0}};
	struct ow_config c;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		load_ok("ORGWATCH_PUBLIC_READS", ok[i].v, &c);
		assert_int_equal(c.public_reads, ok[i].want);
	}
	static const char *const bad[] = {"yes", "no", "2", " 1", "1 ", "truee", "00", "on"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		refused("ORGWATCH_PUBLIC_READS", bad[i], "0, 1, true or false");
}

static void test_log(void **state)
{
	(void)state;
	static const struct {
		const char *v;
		int want;
	} ok[] = {{"error", 0}, {"warn", 1}, {"info", 2}, {"debug", 3}, {"DEBUG", 3}, {"Warn", 1}};
	struct ow_config c;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		load_ok("ORGWATCH_LOG", ok[i].v, &c);
		assert_int_equal(c.log_level, ok[i].want);
	}
	static const char *const bad[] = {"verbose", "warning", "3", "info ", "trace", "err"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		refused("ORGWATCH_LOG", bad[i], "error, warn, info or debug");
}

static void test_max_connections(void **state)
{
	(void)state;
	struct ow_config c;
	load_ok("ORGWATCH_MAX_CONNECTIONS", "1", &c);
	assert_int_equal(c.max_connections, 1);
	load_ok("ORGWATCH_MAX_CONNECTIONS", "100000", &c);
	assert_int_equal(c.max_connections, 100000);
	static const char *const bad[] = {"0", "100001", "-5", "1k", "many", "4294967297"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		refused("ORGWATCH_MAX_CONNECTIONS", bad[i], "a whole number from 1 to 100000");
}

static void test_max_connections_per_ip(void **state)
{
	(void)state;
	struct ow_config c;
	load_ok("ORGWATCH_LOG", "info", &c);
	assert_int_equal(c.max_connections_per_ip, 64);
	load_ok("ORGWATCH_MAX_CONNECTIONS_PER_IP", "1", &c);
	assert_int_equal(c.max_connections_per_ip, 1);
	load_ok("ORGWATCH_MAX_CONNECTIONS_PER_IP", "100000", &c);
	assert_int_equal(c.max_connections_per_ip, 100000);
	static const char *const bad[] = {"0", "100001", "-1", "64k", "all"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		refused("ORGWATCH_MAX_CONNECTIONS_PER_IP", bad[i],
			"a whole number from 1 to 100000");
}

static void test_max_download_rows(void **state)
{
	(void)state;
	struct ow_config c;
	load_ok("ORGWATCH_LOG", "info", &c);
	assert_int_equal(c.max_download_rows, 1000000);
	load_ok("ORGWATCH_MAX_DOWNLOAD_ROWS", "5", &c);
	assert_int_equal(c.max_download_rows, 5);
	static const char *const bad[] = {"0", "100000001", "all", "-1"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		refused("ORGWATCH_MAX_DOWNLOAD_ROWS", bad[i], "a whole number from 1 to 100000000");
}

static void test_rate_limits(void **state)
{
	(void)state;
	struct ow_config c;
	load_ok("ORGWATCH_LOG", "info", &c);
	assert_int_equal(c.rate_reads, 1200);
	assert_int_equal(c.rate_writes, 600);
	assert_int_equal(c.rate_imports, 60);
	load_ok("ORGWATCH_RATE_READS", "0", &c);
	assert_int_equal(c.rate_reads, 0);
	load_ok("ORGWATCH_RATE_WRITES", "10000000", &c);
	assert_int_equal(c.rate_writes, 10000000);
	static const char *const bad[] = {"-1", "10000001", "fast", "1.5"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		refused("ORGWATCH_RATE_IMPORTS", bad[i], "a whole number from 1 to 10000000");
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

static void test_max_streams(void **state)
{
	(void)state;
	struct ow_config c;
	load_ok("ORGWATCH_MAX_STREAMS", "1", &c);
	assert_int_equal(c.max_streams, 1);
	load_ok("ORGWATCH_MAX_STREAMS", "1000", &c);
	assert_int_equal(c.max_streams, 1000);
	static const char *const bad[] = {"0", "1001", "-1", "8k", "all", "4294967304"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		refused("ORGWATCH_MAX_STREAMS", bad[i], "a whole number from 1 to 1000");
}

static void test_cache_max_age(void **state)
{
	(void)state;
	struct ow_config c;
	load_ok("ORGWATCH_CACHE_MAX_AGE", "0", &c);
	assert_int_equal(c.cache_max_age, 0);
	load_ok("ORGWATCH_CACHE_MAX_AGE", "86400", &c);
	assert_int_equal(c.cache_max_age, 86400);
	static const char *const bad[] = {"86401", "-1", "5s", "long", "4294967296"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		refused("ORGWATCH_CACHE_MAX_AGE", bad[i],
			"a whole number of seconds from 0 to 86400");
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
	static const char *const names[] = {
		"ORGWATCH_DATABASE_URL",    "ORGWATCH_LISTEN",	     "ORGWATCH_THREADS",
		"ORGWATCH_MAX_BODY",	    "ORGWATCH_PUBLIC_READS", "ORGWATCH_LOG",
		"ORGWATCH_MAX_CONNECTIONS", "ORGWATCH_MAX_STREAMS",  "ORGWATCH_HOME",
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		assert_int_equal(unsetenv(names[i]), 0);
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
		T(test_answer_cache_mb),
		T(test_stream_and_webhook_settings),
		T(test_max_body),
		T(test_public_reads),
		T(test_log),
		T(test_max_connections),
		T(test_max_connections_per_ip),
		T(test_max_download_rows),
		T(test_cors_origins),
		T(test_rate_limits),
		T(test_max_streams),
		T(test_cache_max_age),
		T(test_string_lengths),
		T(test_error_echo_is_one_safe_line),
		T(test_small_or_no_err_buffer),
		T(test_first_bad_setting_named),
		T(test_real_getenv),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
