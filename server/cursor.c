/* cursor.c — pagination cursors: a versioned, length-prefixed, checksummed payload in base64url.
 *
 * Payload layout (big-endian):
 *   u8 version (1) | u8 part count | { u16 length | bytes } per part | u32 FNV-1a of all before
 */
#include "cursor.h"

#include <stdint.h>
#include <string.h>

#define VERSION 1
/* Version, count, 4 * (length + 256 bytes), checksum. */
#define PAYLOAD_MAX (2 + OW_CURSOR_MAX_PARTS * (2 + OW_CURSOR_PART_MAX) + 4)

static const char B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static uint32_t fnv1a(const unsigned char *p, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 16777619u;
	}
	return h;
}

/* Length of the unpadded base64 text for n bytes. */
static size_t b64_len(size_t n)
{
	return n / 3 * 4 + (n % 3 ? n % 3 + 1 : 0);
}

/* Encodes n bytes into out, which has room for b64_len(n) + 1 bytes. */
static void b64_encode(const unsigned char *p, size_t n, char *out)
{
	size_t o = 0, i = 0;
	for (; i + 3 <= n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
		out[o++] = B64[v >> 18];
		out[o++] = B64[v >> 12 & 63];
		out[o++] = B64[v >> 6 & 63];
		out[o++] = B64[v & 63];
	}
	if (n - i == 1) {
		out[o++] = B64[p[i] >> 2];
		out[o++] = B64[(p[i] & 3) << 4];
	} else if (n - i == 2) {
		uint32_t v = (uint32_t)p[i] << 8 | p[i + 1];
		out[o++] = B64[v >> 10];
		out[o++] = B64[v >> 4 & 63];
		out[o++] = B64[(v & 15) << 2];
	}
	out[o] = '\0';
}

/* The value of base64url digit c (its place in B64), or -1. */
static int b64_value(char c)
{
	const char *at = c ? strchr(B64, c) : NULL;
	return at ? (int)(at - B64) : -1;
}

/* Decodes n characters of canonical unpadded base64url into out (room for PAYLOAD_MAX).
 * Returns the byte count, or -1 (bad character, impossible length, non-zero spare bits). */
static long b64_decode(const char *s, size_t n, unsigned char *out)
{
	if (n % 4 == 1 || n / 4 * 3 + (n % 4 ? n % 4 - 1 : 0) > PAYLOAD_MAX)
		return -1;
	uint32_t acc = 0;
	unsigned bits = 0;
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		int v = b64_value(s[i]);
		if (v < 0)
			return -1;
		acc = (acc << 6 | (uint32_t)v) & 0xffffff;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (unsigned char)(acc >> bits);
		}
	}
	/* Canonical form: the bits left over after the last whole byte are zero. */
	if (bits && (acc & ((1u << bits) - 1)) != 0)
		return -1;
	return (long)o;
}

int ow_cursor_encode(const char *const parts[], size_t nparts, char *out, size_t outsz)
{
	unsigned char pay[PAYLOAD_MAX];
	size_t n = 0;

	if (out && outsz)
		out[0] = '\0';
	if (!out || !parts || nparts < 1 || nparts > OW_CURSOR_MAX_PARTS)
		return -1;
	pay[n++] = VERSION;
	pay[n++] = (unsigned char)nparts;
	for (size_t i = 0; i < nparts; i++) {
		if (!parts[i])
			return -1;
		size_t len = strnlen(parts[i], OW_CURSOR_PART_MAX + 1);
		if (len > OW_CURSOR_PART_MAX)
			return -1;
		pay[n++] = (unsigned char)(len >> 8);
		pay[n++] = (unsigned char)(len & 0xff);
		memcpy(pay + n, parts[i], len);
		n += len;
	}
	uint32_t sum = fnv1a(pay, n);
	for (int shift = 24; shift >= 0; shift -= 8)
		pay[n++] = (unsigned char)(sum >> shift);
	if (b64_len(n) >= outsz)
		return -1;
	b64_encode(pay, n, out);
	return (int)b64_len(n);
}

/* Splits a decoded payload into parts; returns -1 unless it is exactly well-formed. */
static int unpack(const unsigned char *pay, size_t n, char parts[][OW_CURSOR_PART_MAX + 1],
		  size_t nparts)
{
	if (n < 6 || pay[0] != VERSION || pay[1] != nparts)
		return -1;
	uint32_t sum = (uint32_t)pay[n - 4] << 24 | (uint32_t)pay[n - 3] << 16 |
		       (uint32_t)pay[n - 2] << 8 | pay[n - 1];
	n -= 4;
	if (fnv1a(pay, n) != sum)
		return -1;
	size_t at = 2;
	for (size_t i = 0; i < nparts; i++) {
		if (n - at < 2)
			return -1;
		size_t len = (size_t)pay[at] << 8 | pay[at + 1];
		at += 2;
		if (len > OW_CURSOR_PART_MAX || len > n - at || memchr(pay + at, 0, len))
			return -1;
		memcpy(parts[i], pay + at, len);
		parts[i][len] = '\0';
		at += len;
	}
	return at == n ? 0 : -1;
}

int ow_cursor_decode(const char *cursor, char parts[][OW_CURSOR_PART_MAX + 1], size_t nparts)
{
	unsigned char pay[PAYLOAD_MAX];

	if (!parts || nparts < 1 || nparts > OW_CURSOR_MAX_PARTS)
		return -1;
	for (size_t i = 0; i < nparts; i++)
		parts[i][0] = '\0';
	if (!cursor)
		return -1;
	size_t len = strnlen(cursor, OW_CURSOR_MAX);
	if (len == 0 || len >= OW_CURSOR_MAX)
		return -1;
	long n = b64_decode(cursor, len, pay);
	if (n < 0 || unpack(pay, (size_t)n, parts, nparts) != 0) {
		for (size_t i = 0; i < nparts; i++)
			parts[i][0] = '\0';
		return -1;
	}
	return 0;
}
