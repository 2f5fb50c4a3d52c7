/* fuzz_cursor.c — libFuzzer target for pagination cursors (server/cursor.c).
 *
 * Byte 0 picks the mode and part count; the rest is either a cursor to decode or the parts
 * (split on NUL bytes) to encode. Every buffer handed to the module is an exact-size heap
 * block, so ASan reports any write or read past it. Invariants:
 *  - decode never writes past parts[nparts-1], and either succeeds with NUL-terminated
 *    parts that re-encode to exactly the input (the decoder is strict), or fails with every
 *    part set to "";
 *  - encode of valid parts succeeds into OW_CURSOR_MAX bytes, emits only the base64url
 *    alphabet, and decodes back to the same parts (and not with another part count);
 *  - encode into a too-small buffer fails with "" in it, never overflowing it. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cursor.h"
#include "fuzz_check.h"

typedef char part_t[OW_CURSOR_PART_MAX + 1];

static const char ALPHABET[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* Allocates exactly n parts (at least one row so that malloc(0) is not special), each
 * filled with a non-NUL garbage byte so a missing terminator is noticed. */
static part_t *alloc_parts(size_t n)
{
	part_t *p = malloc((n ? n : 1) * sizeof(part_t));
	CHECK(p);
	memset(p, 'Z', (n ? n : 1) * sizeof(part_t));
	return p;
}

static void decode_arbitrary(const uint8_t *data, size_t size, size_t nparts)
{
	char *cur = malloc(size + 1);
	CHECK(cur);
	memcpy(cur, data, size);
	cur[size] = '\0';
	part_t *parts = alloc_parts(nparts);
	int rc = ow_cursor_decode(cur, parts, nparts);
	if (nparts < 1 || nparts > OW_CURSOR_MAX_PARTS) {
		CHECK(rc == -1);
	} else if (rc == 0) {
		const char *ptrs[OW_CURSOR_MAX_PARTS];
		for (size_t i = 0; i < nparts; i++) {
			CHECK(memchr(parts[i], '\0', sizeof(part_t)) != NULL);
			ptrs[i] = parts[i];
		}
		/* Strict decoding: only the encoder's exact output is accepted. */
		char *again = malloc(OW_CURSOR_MAX);
		CHECK(again);
		int n = ow_cursor_encode(ptrs, nparts, again, OW_CURSOR_MAX);
		CHECK(n > 0 && strcmp(again, cur) == 0);
		free(again);
	} else {
		CHECK(rc == -1);
		for (size_t i = 0; i < nparts; i++)
			CHECK(parts[i][0] == '\0');
	}
	free(parts);
	if (nparts >= 1 && nparts <= OW_CURSOR_MAX_PARTS) {
		parts = alloc_parts(nparts);
		CHECK(ow_cursor_decode(NULL, parts, nparts) == -1 && parts[0][0] == '\0');
		free(parts);
	}
	free(cur);
}

static void round_trip(const uint8_t *data, size_t size, size_t nparts, size_t outsz)
{
	/* Parts: the input split on NUL bytes, as separate exact-size heap strings. */
	char *pv[8] = {0}; /* nparts is at most 7 */
	size_t at = 0, np = 0;
	int too_long = 0;
	while (np < nparts) {
		const uint8_t *z = at < size ? memchr(data + at, 0, size - at) : NULL;
		size_t len = z ? (size_t)(z - data) - at : size - at;
		if (at > size)
			len = 0;
		pv[np] = malloc(len + 1);
		CHECK(pv[np]);
		if (len)
			memcpy(pv[np], data + at, len);
		pv[np][len] = '\0';
		if (len > OW_CURSOR_PART_MAX)
			too_long = 1;
		np++;
		at += len + 1;
	}

	char *out = malloc(OW_CURSOR_MAX);
	CHECK(out);
	int n = ow_cursor_encode((const char *const *)pv, nparts, out, OW_CURSOR_MAX);
	if (nparts < 1 || nparts > OW_CURSOR_MAX_PARTS || too_long) {
		CHECK(n == -1 && out[0] == '\0');
	} else {
		CHECK(n > 0 && (size_t)n < OW_CURSOR_MAX && strlen(out) == (size_t)n);
		CHECK(strspn(out, ALPHABET) == (size_t)n);
		part_t *parts = alloc_parts(nparts);
		CHECK(ow_cursor_decode(out, parts, nparts) == 0);
		for (size_t i = 0; i < nparts; i++)
			CHECK(strcmp(parts[i], pv[i]) == 0);
		free(parts);
		/* A cursor made for another list shape is refused. */
		for (size_t other = 1; other <= OW_CURSOR_MAX_PARTS; other++) {
			if (other == nparts)
				continue;
			parts = alloc_parts(other);
			CHECK(ow_cursor_decode(out, parts, other) == -1);
			for (size_t i = 0; i < other; i++)
				CHECK(parts[i][0] == '\0');
			free(parts);
		}
		/* A cut cursor is refused. */
		if (n > 1) {
			char *cut = strndup(out, (size_t)n - 1);
			CHECK(cut);
			parts = alloc_parts(nparts);
			CHECK(ow_cursor_decode(cut, parts, nparts) == -1);
			free(parts);
			free(cut);
		}

		/* Encoding into an exact-size small buffer: fits iff outsz > n. */
		char *small = malloc(outsz ? outsz : 1);
		CHECK(small);
		int m = ow_cursor_encode((const char *const *)pv, nparts, small, outsz);
		if ((size_t)n < outsz)
			CHECK(m == n && strcmp(small, out) == 0);
		else
			CHECK(m == -1 && (outsz == 0 || small[0] == '\0'));
		free(small);
	}
	free(out);
	for (size_t i = 0; i < np; i++)
		free(pv[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	uint8_t ctl = data[0];
	size_t nparts = ctl & 7; /* 0..7: 0 and 5..7 must be refused */
	if (ctl & 0x80) {
		if (size < 3)
			return 0;
		size_t outsz = ((size_t)data[1] << 8 | data[2]) % (OW_CURSOR_MAX + 8);
		round_trip(data + 3, size - 3, nparts, outsz);
	} else {
		decode_arbitrary(data + 1, size - 1, nparts);
	}
	return 0;
}
