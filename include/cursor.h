/* cursor.h — opaque keyset-pagination cursors: up to 4 string parts <-> URL-safe base64. */
#ifndef OW_CURSOR_H
#define OW_CURSOR_H
#include <stddef.h>

#include "buf.h"

/* Longest encoded cursor, NUL included (4 parts of 256 bytes encode to 1384 characters). */
#define OW_CURSOR_MAX 1400
/* Most parts in one cursor, and most bytes in one part (NUL excluded). */
#define OW_CURSOR_MAX_PARTS 4
#define OW_CURSOR_PART_MAX 256

/* Encodes nparts (1..OW_CURSOR_MAX_PARTS) NUL-terminated strings, each at most
 * OW_CURSOR_PART_MAX bytes and holding any bytes but NUL, into out (outsz bytes) as a
 * NUL-terminated cursor of the URL-safe base64 alphabet (A-Z a-z 0-9 - _, no padding), safe
 * to put in a query string unescaped. The payload is versioned, length-prefixed and carries
 * a checksum, so a cursor that was cut, edited or made for another list shape is refused by
 * ow_cursor_decode. The checksum detects corruption, not forgery: a cursor's parts are keyset
 * values that must still be validated and bound as query parameters. Returns the encoded
 * length (> 0), or -1 (bad part count, a part too long, or out too small; out is then set to
 * "" when outsz > 0). An out of OW_CURSOR_MAX bytes always suffices. */
int ow_cursor_encode(const char *const parts[], size_t nparts, char *out, size_t outsz) OW_WUR;

/* Decodes the NUL-terminated cursor into parts[0..nparts-1], each NUL-terminated (a part
 * never contains NUL, so strlen gives its length). Strict: anything but the exact output of
 * ow_cursor_encode for exactly nparts parts is refused — characters outside the alphabet,
 * padding, non-zero trailing bits, a length over OW_CURSOR_MAX - 1, an unknown version, a
 * different part count, a part length running past the payload, trailing bytes, a checksum
 * mismatch, an embedded NUL. Returns 0 on success; on failure -1, with every parts[i] set to
 * "" (never a crash, never a partial result). cursor may be NULL (refused). */
int ow_cursor_decode(const char *cursor, char parts[][OW_CURSOR_PART_MAX + 1],
		     size_t nparts) OW_WUR;

#endif
