/* test_netcheck.c — unit tests of the webhooks' SSRF guard (netcheck.c: CIDR lists, the
 * refused ranges and their IPv4-mapped forms, the allow list), the Standard Webhooks
 * signature and secrets (whsig.c) and the ORGWATCH_WEBHOOK_* settings (config.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "netcheck.h"
#include "whsig.h"

static const char *refused(const char *addr, const char *allow)
{
	unsigned char a[16];
	struct ow_net nets[OW_NET_MAX];
	size_t n = 0, at = 0;
	if (ow_net_parse_addr(addr, a) != 0)
		fail_msg("'%s' did not parse", addr);
	if (ow_net_parse_list(allow, nets, OW_NET_MAX, &n, &at) != 0)
		fail_msg("allow list '%s' did not parse", allow);
	return ow_net_refused(a, nets, n);
}

static void test_refused_ranges(void **state)
{
	(void)state;
	static const struct {
		const char *addr, *why;
	} cases[] = {
		{"127.0.0.1", "loopback"},
		{"127.255.255.254", "loopback"},
		{"::1", "loopback"},
		{"::ffff:127.0.0.1", "loopback"},
		{"10.0.0.1", "private"},
		{"172.16.0.1", "private"},
		{"172.31.255.255", "private"},
		{"192.168.1.1", "private"},
		{"fc00::1", "private"},
		{"fd12:3456::1", "private"},
		{"::ffff:10.1.2.3", "private"},
		{"169.254.169.254", "link-local"},
		{"fe80::1", "link-local"},
		{"febf::1", "link-local"},
		{"0.0.0.0", "unspecified"},
		{"::", "unspecified"},
		{"224.0.0.1", "multicast"},
		{"ff02::1", "multicast"},
		{"100.64.0.1", "shared (CGNAT)"},
		{"100.127.255.255", "shared (CGNAT)"},
		{"255.255.255.255", "reserved"},
		{"64:ff9b::a9fe:a9fe", "link-local"}, /* NAT64 of 169.254.169.254 */
		{"::7f00:1", "reserved"},	      /* IPv4-compatible 127.0.0.1 */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *why = refused(cases[i].addr, "");
		if (!why || strcmp(why, cases[i].why) != 0)
			fail_msg("%s: expected %s, got %s", cases[i].addr, cases[i].why,
				 why ? why : "(allowed)");
	}
	/* Public addresses, and the edges just outside the ranges. */
	const char *pub[] = {"93.184.216.34",	"8.8.8.8",     "172.15.255.255",  "172.32.0.0",
			     "100.63.255.255",	"100.128.0.0", "169.253.255.255", "11.0.0.0",
			     "2606:4700::1111", "2001:db8::1", "::ffff:8.8.8.8",  NULL};
	for (size_t i = 0; pub[i]; i++) {
		const char *why = refused(pub[i], "");
		if (why)
			fail_msg("%s refused as %s", pub[i], why);
	}
	assert_string_equal(refused("fec0::1", ""), "private");
}

/* A client's socket address in the 16-byte form, the same as its text parsed: an IPv4 client
 * is refused or allowed like the IPv4 address it is. */
static void test_from_sockaddr(void **state)
{
	(void)state;
	unsigned char got[16], want[16];
	char text[64];
	struct sockaddr_in v4 = {.sin_family = AF_INET};
	assert_int_equal(inet_pton(AF_INET, "10.1.2.3", &v4.sin_addr), 1);
	assert_int_equal(ow_net_from_sockaddr((struct sockaddr *)&v4, got), 0);
	assert_int_equal(ow_net_parse_addr("10.1.2.3", want), 0);
	assert_memory_equal(got, want, 16);
	assert_string_equal(ow_net_format(got, text, sizeof text), "10.1.2.3");
	assert_non_null(ow_net_forbidden(got)); /* private */
	struct sockaddr_in6 v6 = {.sin6_family = AF_INET6};
	assert_int_equal(inet_pton(AF_INET6, "2001:db8::1", &v6.sin6_addr), 1);
	assert_int_equal(ow_net_from_sockaddr((struct sockaddr *)&v6, got), 0);
	assert_string_equal(ow_net_format(got, text, sizeof text), "2001:db8::1");
	struct sockaddr other = {.sa_family = AF_UNIX};
	assert_int_equal(ow_net_from_sockaddr(&other, got), -1);
	assert_int_equal(ow_net_from_sockaddr(NULL, got), -1);
}

static void test_allow_list(void **state)
{
	(void)state;
	assert_null(refused("127.0.0.1", "127.0.0.0/8"));
	assert_null(refused("::ffff:127.0.0.5", "127.0.0.0/8"));
	assert_string_equal(refused("::1", "127.0.0.0/8"), "loopback");
	assert_string_equal(refused("10.0.0.1", "127.0.0.0/8"), "private");
	assert_null(refused("10.1.2.3", " 127.0.0.0/8 , 10.1.0.0/16"));
	assert_string_equal(refused("10.2.0.1", "127.0.0.0/8,10.1.0.0/16"), "private");
	assert_null(refused("fd00::5", "fd00::/8"));
	assert_null(refused("::1", "::1"));
	assert_null(refused("169.254.169.254", "0.0.0.0/0"));
	assert_null(refused("fe80::1", "::/0"));
	assert_string_equal(refused("10.0.0.1", "::/0"), "private"); /* ::/0 is IPv6 only */
}

static void test_cidr_parse(void **state)
{
	(void)state;
	struct ow_net nets[OW_NET_MAX];
	size_t n = 99, at = 0;
	assert_int_equal(ow_net_parse_list("", nets, OW_NET_MAX, &n, &at), 0);
	assert_int_equal(n, 0);
	assert_int_equal(
		ow_net_parse_list("127.0.0.0/8,::1/128, 2001:db8::/32", nets, OW_NET_MAX, &n, &at),
		0);
	assert_int_equal(n, 3);
	assert_int_equal(nets[0].prefix, 104);
	assert_int_equal(nets[1].prefix, 128);
	const struct {
		const char *list;
		size_t at;
	} bad[] = {
		{"127.0.0.1/8", 0}, /* host bits set */
		{"10.0.0.0/33", 0},  {"::/129", 0},	      {"10.0.0.0/", 0},
		{"10.0.0.0/08", 0},  {"10.0.0/8", 0},	      {"localhost", 0},
		{"10.0.0.0/8,", 11}, {"10.0.0.0/8,,::1", 11}, {"10.0.0.0/8 x", 0},
		{"fe80::1%eth0", 0}, {"10.0.0.0/-1", 0},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (ow_net_parse_list(bad[i].list, nets, OW_NET_MAX, &n, &at) == 0)
			fail_msg("'%s' accepted", bad[i].list);
		assert_int_equal(at, bad[i].at);
	}
	/* At most OW_NET_MAX items. */
	char many[33 * 16] = "";
	for (int i = 0; i < 33; i++)
		strcat(many, i ? ",10.0.0.0/8" : "10.0.0.0/8");
	assert_int_equal(ow_net_parse_list(many, nets, OW_NET_MAX, &n, &at), -1);
	char out[64];
	unsigned char a[16];
	assert_int_equal(ow_net_parse_addr("10.0.0.1", a), 0);
	assert_string_equal(ow_net_format(a, out, sizeof out), "10.0.0.1");
	assert_int_equal(ow_net_parse_addr("fe80::1", a), 0);
	assert_string_equal(ow_net_format(a, out, sizeof out), "fe80::1");
}

/* The example of the Standard Webhooks specification's reference libraries. */
static void test_signature(void **state)
{
	(void)state;
	unsigned char key[OW_WHSIG_KEY_MAX];
	int n = ow_whsig_secret_parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", key);
	assert_int_equal(n, 24);
	char sig[OW_WHSIG_SIG_MAX];
	const char *body = "{\"test\": 2432232314}";
	assert_int_equal(ow_whsig_sign(key, (size_t)n, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330,
				       body, strlen(body), sig),
			 0);
	assert_string_equal(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
}

static void test_secrets(void **state)
{
	(void)state;
	unsigned char key[OW_WHSIG_KEY_MAX];
	char s[OW_WHSIG_SECRET_MAX], t[OW_WHSIG_SECRET_MAX];
	assert_int_equal(ow_whsig_secret_make(s), 0);
	assert_int_equal(ow_whsig_secret_make(t), 0);
	assert_string_not_equal(s, t);
	assert_int_equal(strncmp(s, "whsec_", 6), 0);
	assert_int_equal(strlen(s), 6 + 44);
	assert_int_equal(ow_whsig_secret_parse(s, key), 32);
	/* 64 bytes (the most), with padding "==" */
	char big[OW_WHSIG_SECRET_MAX] = "whsec_";
	for (int i = 0; i < 84; i++)
		strcat(big, "A");
	strcat(big, "AA==");
	assert_int_equal(ow_whsig_secret_parse(big, key), 64);
	const char *bad[] = {
		NULL,
		"",
		"MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",	  /* no prefix */
		"whsec_",				  /* empty */
		"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2La",	  /* 25 bytes: length not a multiple of 4 */
		"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLa==", /* 20 bytes: too short */
		"whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS!", /* not base64 */
		"whsec_MfKQ9r8GKYqrTwjUPD8I PZIo2LaLaSw", /* a space */
		"whsec_MfKQ9r8GKYqrTwjU=D8ILPZIo2LaLaSw", /* padding inside */
		"WHSEC_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
		NULL,
	};
	for (size_t i = 1; bad[i]; i++)
		if (ow_whsig_secret_parse(bad[i], key) >= 0)
			fail_msg("'%s' accepted as a secret", bad[i]);
	assert_int_equal(ow_whsig_secret_parse(NULL, key), -1);
	big[6 + 84] = 'A';
	strcat(big, "AAAA"); /* 67 bytes: too long */
	assert_int_equal(ow_whsig_secret_parse(big, key), -1);
}

static void test_retry_schedule(void **state)
{
	(void)state;
	/* Within 10 s of the failure first, then doubling from 10 s, capped at an hour. */
	const unsigned want[] = {0, 1, 5, 10, 20, 40, 80, 160, 320, 640, 1280, 2560, 3600, 3600};
	for (unsigned i = 1; i < sizeof want / sizeof want[0]; i++)
		assert_int_equal(ow_whsig_retry_delay(i), want[i]);
	assert_int_equal(ow_whsig_retry_delay(1000000), 3600);
}

static const char *const *env_pairs;
static const char *fake_env(const char *name)
{
	for (size_t i = 0; env_pairs[i]; i += 2)
		if (strcmp(env_pairs[i], name) == 0)
			return env_pairs[i + 1];
	return NULL;
}

static void test_settings(void **state)
{
	(void)state;
	struct ow_config c;
	char err[256];
	env_pairs = (const char *const[]){NULL};
	assert_int_equal(ow_config_load(&c, fake_env, err, sizeof err), 0);
	assert_int_equal(c.webhook_allow_n, 0);
	assert_int_equal(c.webhook_retry_window_s, 259200);
	env_pairs = (const char *const[]){"ORGWATCH_WEBHOOK_ALLOW_NETS", "127.0.0.0/8,fd00::/8",
					  "ORGWATCH_WEBHOOK_RETRY_WINDOW_S", "20", NULL};
	assert_int_equal(ow_config_load(&c, fake_env, err, sizeof err), 0);
	assert_int_equal(c.webhook_allow_n, 2);
	assert_int_equal(c.webhook_retry_window_s, 20);
	env_pairs = (const char *const[]){"ORGWATCH_WEBHOOK_ALLOW_NETS", "127.0.0.1/8", NULL};
	assert_int_equal(ow_config_load(&c, fake_env, err, sizeof err), -1);
	assert_non_null(strstr(err, "ORGWATCH_WEBHOOK_ALLOW_NETS: expected"));
	assert_non_null(strstr(err, "\"127.0.0.1/8\""));
	env_pairs = (const char *const[]){"ORGWATCH_WEBHOOK_RETRY_WINDOW_S", "0", NULL};
	assert_int_equal(ow_config_load(&c, fake_env, err, sizeof err), -1);
	assert_non_null(strstr(err, "ORGWATCH_WEBHOOK_RETRY_WINDOW_S"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_refused_ranges), cmocka_unit_test(test_from_sockaddr),
		cmocka_unit_test(test_allow_list),     cmocka_unit_test(test_cidr_parse),
		cmocka_unit_test(test_signature),      cmocka_unit_test(test_secrets),
		cmocka_unit_test(test_retry_schedule), cmocka_unit_test(test_settings),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
