/* netcheck.h — which network addresses a webhook may be delivered to (the SSRF guard): CIDR
 * lists (ORGWATCH_WEBHOOK_ALLOW_NETS) and the address ranges refused unless allowed. Pure:
 * no DNS, no sockets. */
#ifndef OW_NETCHECK_H
#define OW_NETCHECK_H
#include <stddef.h>

#define OW_NET_MAX 32 /* CIDRs in one list */

/* An address or network; IPv4 is held in its IPv4-mapped IPv6 form (::ffff:a.b.c.d), so one
 * comparison serves both families. */
struct ow_net {
	unsigned char addr[16]; /* the network's bits (host bits zero) */
	unsigned prefix;	/* 0..128, in the IPv6 form (an IPv4 /8 is /104) */
};

/* Parses one address ("10.0.0.1", "::1") into its 16-byte form: 0, or -1 when it is none. */
int ow_net_parse_addr(const char *s, unsigned char out[16]);
/* Parses "a.b.c.d/n" (n 0..32), "v6/n" (n 0..128) or a bare address (a /32 or /128) of n
 * bytes at s: 0, or -1. Host bits set below the prefix are an error ("10.0.0.1/8"). */
int ow_net_parse_cidr(const char *s, size_t n, struct ow_net *out);
/* Parses a comma-separated CIDR list (spaces around items allowed; "" is the empty list) into
 * out (at most max): 0 with *n set, or -1 with the offending item's offset in *bad_at. */
int ow_net_parse_list(const char *s, struct ow_net *out, size_t max, size_t *n, size_t *bad_at);
/* 1 when addr is inside net; an IPv4 address is inside IPv4 networks only (never ::/0). */
int ow_net_contains(const struct ow_net *net, const unsigned char addr[16]);
/* Why addr may not be a webhook's destination: "loopback", "private", "link-local",
 * "unspecified", "multicast", "shared (CGNAT)", "reserved"; NULL for a public address.
 * IPv4-mapped (::ffff:0:0/96) and NAT64 (64:ff9b::/96) forms are judged by the IPv4 address
 * they carry. */
const char *ow_net_forbidden(const unsigned char addr[16]);
/* NULL when addr may be used: in one of the allowed nets, or not forbidden; else the reason
 * (as ow_net_forbidden). */
const char *ow_net_refused(const unsigned char addr[16], const struct ow_net *allow, size_t nallow);
/* The 16-byte form of a socket address (IPv4 as IPv4-mapped IPv6): 0, or -1 for another
 * family. */
struct sockaddr;
int ow_net_from_sockaddr(const struct sockaddr *sa, unsigned char out[16]);
/* Writes addr as text ("10.0.0.1", "::1") into out (at least 46 bytes): out. */
char *ow_net_format(const unsigned char addr[16], char *out, size_t size);

#endif
