/* netcheck.c — the SSRF guard's address logic (netcheck.h): CIDR parsing, membership and the
 * ranges a webhook may not reach unless ORGWATCH_WEBHOOK_ALLOW_NETS allows them. */
#include "netcheck.h"

#include <arpa/inet.h>
#include <string.h>

static const unsigned char V4_MAPPED[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
static const unsigned char NAT64[12] = {0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};

int ow_net_parse_addr(const char *s, unsigned char out[16])
{
	unsigned char v4[4];
	if (inet_pton(AF_INET, s, v4) == 1) {
		memcpy(out, V4_MAPPED, 12);
		memcpy(out + 12, v4, 4);
		return 0;
	}
	return inet_pton(AF_INET6, s, out) == 1 ? 0 : -1;
}

int ow_net_parse_cidr(const char *s, size_t n, struct ow_net *out)
{
	char text[64];
	if (n == 0 || n >= sizeof text)
		return -1;
	memcpy(text, s, n);
	text[n] = '\0';
	char *slash = strchr(text, '/');
	if (slash)
		*slash = '\0';
	int v4 = strchr(text, ':') == NULL;
	if (ow_net_parse_addr(text, out->addr) != 0)
		return -1;
	unsigned max = v4 ? 32 : 128, p = max;
	if (slash) {
		const char *d = slash + 1;
		size_t len = strlen(d);
		if (len == 0 || len > 3 || strspn(d, "0123456789") != len ||
		    (len > 1 && d[0] == '0'))
			return -1;
		p = 0;
		for (; *d; d++)
			p = p * 10 + (unsigned)(*d - '0');
		if (p > max)
			return -1;
	}
	out->prefix = v4 ? p + 96 : p;
	for (unsigned bit = out->prefix; bit < 128; bit++) /* host bits must be zero */
		if (out->addr[bit / 8] & (0x80u >> (bit % 8)))
			return -1;
	return 0;
}

int ow_net_parse_list(const char *s, struct ow_net *out, size_t max, size_t *n, size_t *bad_at)
{
	size_t count = 0;
	const char *p = s;
	if (s[strspn(s, " ")] == '\0') { /* the empty list */
		*n = 0;
		return 0;
	}
	for (;;) {
		while (*p == ' ')
			p++;
		size_t len = strcspn(p, ","), trimmed = len;
		while (trimmed && p[trimmed - 1] == ' ')
			trimmed--;
		if (trimmed == 0 || count == max ||
		    ow_net_parse_cidr(p, trimmed, &out[count]) != 0) {
			*bad_at = (size_t)(p - s);
			return -1;
		}
		count++;
		if (!p[len])
			break;
		p += len + 1;
	}
	*n = count;
	return 0;
}

int ow_net_contains(const struct ow_net *net, const unsigned char addr[16])
{
	/* An IPv6 network (::/0 included) holds no IPv4 address: IPv4 is allowed by IPv4 CIDRs
	 * (or ::ffff:a.b.c.d/n written out). */
	int v4_addr = memcmp(addr, V4_MAPPED, 12) == 0;
	int v4_net = net->prefix >= 96 && memcmp(net->addr, V4_MAPPED, 12) == 0;
	if (v4_addr != v4_net)
		return 0;
	unsigned full = net->prefix / 8, rest = net->prefix % 8;
	if (memcmp(net->addr, addr, full) != 0)
		return 0;
	if (rest == 0)
		return 1;
	unsigned char mask = (unsigned char)(0xffu << (8 - rest));
	return (net->addr[full] & mask) == (addr[full] & mask);
}

/* The IPv4 ranges refused, as {first octet, second octet, prefix}, with their reason. */
static const struct {
	unsigned char a, b;
	unsigned prefix;
	const char *why;
} V4[] = {
	{0, 0, 8, "unspecified"},  {10, 0, 8, "private"},	 {100, 64, 10, "shared (CGNAT)"},
	{127, 0, 8, "loopback"},   {169, 254, 16, "link-local"}, {172, 16, 12, "private"},
	{192, 168, 16, "private"}, {224, 0, 4, "multicast"},	 {240, 0, 4, "reserved"},
};

static const char *v4_forbidden(const unsigned char *v4)
{
	unsigned char mapped[16];
	memcpy(mapped, V4_MAPPED, 12);
	memcpy(mapped + 12, v4, 4);
	for (size_t i = 0; i < sizeof V4 / sizeof V4[0]; i++) {
		struct ow_net net = {.prefix = V4[i].prefix + 96};
		memcpy(net.addr, V4_MAPPED, 12);
		net.addr[12] = V4[i].a;
		net.addr[13] = V4[i].b;
		if (ow_net_contains(&net, mapped))
			return V4[i].why;
	}
	return NULL;
}

const char *ow_net_forbidden(const unsigned char a[16])
{
	static const unsigned char zero[16];
	if (memcmp(a, V4_MAPPED, 12) == 0 || memcmp(a, NAT64, 12) == 0)
		return v4_forbidden(a + 12);
	if (memcmp(a, zero, 16) == 0)
		return "unspecified";
	if (memcmp(a, zero, 15) == 0 && a[15] == 1)
		return "loopback";
	if (memcmp(a, zero, 12) == 0) /* IPv4-compatible (deprecated): never a real destination */
		return "reserved";
	if ((a[0] & 0xfe) == 0xfc)
		return "private";
	if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80)
		return "link-local";
	if (a[0] == 0xfe && (a[1] & 0xc0) == 0xc0) /* site-local (deprecated) */
		return "private";
	if (a[0] == 0xff)
		return "multicast";
	return NULL;
}

const char *ow_net_refused(const unsigned char addr[16], const struct ow_net *allow, size_t nallow)
{
	for (size_t i = 0; i < nallow; i++)
		if (ow_net_contains(&allow[i], addr))
			return NULL;
	return ow_net_forbidden(addr);
}

int ow_net_from_sockaddr(const struct sockaddr *sa, unsigned char out[16])
{
	if (sa && sa->sa_family == AF_INET) {
		memcpy(out, V4_MAPPED, 12);
		memcpy(out + 12, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, 4);
		return 0;
	}
	if (sa && sa->sa_family == AF_INET6) {
		memcpy(out, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, 16);
		return 0;
	}
	return -1;
}

char *ow_net_format(const unsigned char addr[16], char *out, size_t size)
{
	const char *ok = memcmp(addr, V4_MAPPED, 12) == 0
				 ? inet_ntop(AF_INET, addr + 12, out, (socklen_t)size)
				 : inet_ntop(AF_INET6, addr, out, (socklen_t)size);
	if (!ok && size)
		out[0] = '\0';
	return out;
}
