/* buf.c — growable byte buffers with a hard size cap. */
#include "buf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ow_buf_init(struct ow_buf *b, size_t max)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
	b->max = max ? max : OW_BUF_DEFAULT_MAX;
}

/* Makes room for `extra` more bytes plus the terminating NUL. */
static int reserve(struct ow_buf *b, size_t extra)
{
	if (extra > b->max || b->len > b->max - extra)
		return -1;
	size_t need = b->len + extra + 1;
	if (need <= b->cap)
		return 0;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	char *p = realloc(b->data, cap);
	if (!p)
		return -1;
	b->data = p;
	b->cap = cap;
	return 0;
}

int ow_buf_append_grow(struct ow_buf *b, const void *p, size_t n)
{
	if (reserve(b, n) != 0)
		return -1;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

int ow_buf_append_str(struct ow_buf *b, const char *s)
{
	return ow_buf_append(b, s, strlen(s));
}

int ow_buf_vappendf(struct ow_buf *b, const char *fmt, va_list ap)
{
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0 || reserve(b, (size_t)n) != 0)
		return -1;
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int ow_buf_append_file(struct ow_buf *b, FILE *f)
{
	char chunk[65536];
	size_t got;
	int rc = 0;
	while (rc == 0 && (got = fread(chunk, 1, sizeof chunk, f)) > 0)
		rc = ow_buf_append(b, chunk, got);
	return rc;
}

int ow_buf_appendf(struct ow_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int rc = ow_buf_vappendf(b, fmt, ap);
	va_end(ap);
	return rc;
}

/* Length of the well-formed UTF-8 sequence at s (n bytes left), or 0 when it is not one
 * (bad lead, missing continuation, overlong form, surrogate, above U+10FFFF). */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	size_t len = s[0] < 0xC2 ? 0 : s[0] < 0xE0 ? 2 : s[0] < 0xF0 ? 3 : s[0] < 0xF5 ? 4 : 0;
	if (len == 0 || len > n)
		return 0;
	for (size_t k = 1; k < len; k++)
		if ((s[k] & 0xC0) != 0x80)
			return 0;
	if ((s[0] == 0xE0 && s[1] < 0xA0) || (s[0] == 0xED && s[1] >= 0xA0) ||
	    (s[0] == 0xF0 && s[1] < 0x90) || (s[0] == 0xF4 && s[1] >= 0x90))
		return 0;
	return len;
}

uint64_t ow_fnv1a64(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;
	for (size_t i = 0; i < n; i++) {
		h ^= s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

int ow_utf8_valid(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	for (size_t i = 0; i < n;) {
		if (u[i] < 0x80) {
			i++;
			continue;
		}
		size_t len = utf8_seq(u + i, n - i);
		if (len == 0)
			return 0;
		i += len;
	}
	return 1;
}

int ow_buf_append_json_str(struct ow_buf *b, const char *s, size_t n)
{
	if (ow_buf_append(b, "\"", 1) != 0 || ow_buf_append_json_chars(b, s, n) != 0)
		return -1;
	return ow_buf_append(b, "\"", 1);
}

int ow_buf_append_json_chars(struct ow_buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *u = (const unsigned char *)s;
	for (size_t i = 0; i < n;) {
		/* a run that needs no escape (printable ASCII but the quote and the backslash)
		 * is copied at once: most of every document */
		size_t run = i;
		while (run < n && u[run] >= 0x20 && u[run] < 0x80 && u[run] != '"' &&
		       u[run] != '\\')
			run++;
		if (run > i && ow_buf_append(b, s + i, run - i) != 0)
			return -1;
		if ((i = run) >= n)
			break;
		unsigned char c = u[i];
		char esc[7];
		const char *out = NULL;
		size_t outn = 2;
		switch (c) {
		case '"': out = "\\\""; break;
		case '\\': out = "\\\\"; break;
		case '\n': out = "\\n"; break;
		case '\r': out = "\\r"; break;
		case '\t': out = "\\t"; break;
		default:
			if (c < 0x20) {
				esc[0] = '\\';
				esc[1] = 'u';
				esc[2] = '0';
				esc[3] = '0';
				esc[4] = hex[c >> 4];
				esc[5] = hex[c & 15];
				esc[6] = '\0';
				out = esc;
				outn = 6;
			}
		}
		if (!out) {
			/* c >= 0x80: valid UTF-8 is copied; anything else (a sequence cut by
			 * truncation, stray bytes) becomes U+FFFD so the document stays valid JSON.
			 */
			size_t len = utf8_seq(u + i, n - i);
			int rc =
				len ? ow_buf_append(b, &s[i], len) : ow_buf_append(b, "\\ufffd", 6);
			if (rc != 0)
				return -1;
			i += len ? len : 1;
			continue;
		}
		if (ow_buf_append(b, out, outn) != 0)
			return -1;
		i++;
	}
	return 0;
}

void ow_buf_reset(struct ow_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

void ow_buf_free(struct ow_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}
