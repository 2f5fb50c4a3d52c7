/* buf.h — growable byte buffers with a hard size cap (every buffer has a bound). */
#ifndef OW_BUF_H
#define OW_BUF_H
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define OW_WUR __attribute__((warn_unused_result))

/* A NUL-terminated growable buffer. `max` is the hard cap on len (0 = 64 MiB).
 * Growth is geometric; an append that would pass the cap fails and leaves the
 * buffer unchanged. The buffer owns `data`; ow_buf_free releases it. */
struct ow_buf {
	char *data;
	size_t len;
	size_t cap;
	size_t max;
};

#define OW_BUF_DEFAULT_MAX ((size_t)64 << 20)

void ow_buf_init(struct ow_buf *b, size_t max);
/* Appends n bytes; returns 0, or -1 (cap reached or out of memory). Inline while the bytes fit
 * the room already there (documents are written a few bytes at a time); ow_buf_append_grow
 * otherwise. */
int ow_buf_append_grow(struct ow_buf *b, const void *p, size_t n) OW_WUR;
OW_WUR static inline int ow_buf_append(struct ow_buf *b, const void *p, size_t n)
{
	if (n < b->cap - b->len && n <= b->max - b->len) {
		if (n)
			memcpy(b->data + b->len, p, n);
		b->len += n;
		b->data[b->len] = '\0';
		return 0;
	}
	return ow_buf_append_grow(b, p, n);
}
int ow_buf_append_str(struct ow_buf *b, const char *s) OW_WUR;
int ow_buf_appendf(struct ow_buf *b, const char *fmt, ...) OW_WUR
	__attribute__((format(printf, 2, 3)));
int ow_buf_vappendf(struct ow_buf *b, const char *fmt, va_list ap) OW_WUR;
/* Appends s as a JSON string literal (quotes included, escapes as RFC 8259); bytes that are
 * not well-formed UTF-8 become U+FFFD. */
int ow_buf_append_json_str(struct ow_buf *b, const char *s, size_t n) OW_WUR;
/* The same without the quotes: pieces of one string literal written in turn. */
int ow_buf_append_json_chars(struct ow_buf *b, const char *s, size_t n) OW_WUR;
/* Appends what is left to read of f, up to its end or a read error (the caller tells the two
 * apart with ferror); returns 0, or -1 when the cap is reached or memory runs out. */
int ow_buf_append_file(struct ow_buf *b, FILE *f) OW_WUR;
/* FNV-1a, 64 bits: start from OW_FNV64_INIT and continue over n bytes at p (checksums of
 * files, ETags). */
#define OW_FNV64_INIT 0xcbf29ce484222325ULL
uint64_t ow_fnv1a64(uint64_t h, const void *p, size_t n);
/* 1 when the n bytes at s are well-formed UTF-8 (no overlong forms, surrogates or code
 * points above U+10FFFF), else 0. */
int ow_utf8_valid(const char *s, size_t n);
void ow_buf_reset(struct ow_buf *b);
void ow_buf_free(struct ow_buf *b);

#endif
