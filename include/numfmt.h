/* numfmt.h — fast formatting for the SVG writers: printf's "%.Nf" (N ≤ 3) computed exactly
 * with integers, and ow_buf_fmt, a printf subset built on it. glibc formats every double
 * through arbitrary-precision arithmetic (half of an org chart's drawing time went there);
 * these give the same bytes as snprintf, which the unit tests check. */
#ifndef OW_NUMFMT_H
#define OW_NUMFMT_H
#include <stddef.h>

#include "buf.h"

/* Writes v as snprintf(out, n, "%.*f", decimals, v) would, for 0 ≤ decimals ≤ 3; out holds at
 * least 32 bytes. Returns the length written, or -1 (decimals out of range, v not finite or
 * |v| ≥ 2^53), in which case the caller formats with snprintf. */
int ow_fmt_fixed(char *out, double v, int decimals);

/* ow_buf_appendf for the conversions the charts use — %s, %.Ns, %.*s, %d, %ld, %lld, %zu,
 * %.Nf (N ≤ 3), %% — with the same output as ow_buf_appendf; any other conversion, flag or
 * width (and a number ow_fmt_fixed declines) makes it format the whole text with
 * ow_buf_appendf instead. 0, or -1 (the buffer is full), leaving b unchanged. */
int ow_buf_fmt(struct ow_buf *b, const char *fmt, ...) OW_WUR __attribute__((format(printf, 2, 3)));

#endif
