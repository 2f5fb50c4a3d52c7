/* numfmt.c — "%.Nf" with integers and a printf subset for the SVG writers (see numfmt.h).
 * Pure: unit-tested against snprintf. */
#include "numfmt.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>

static const uint64_t pow10_[] = {1, 10, 100, 1000};

/* The decimal digits of u, written backwards from end; returns where they start. */
static char *digits_back(char *end, uint64_t u)
{
	do {
		*--end = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	return end;
}

int ow_fmt_fixed(char *out, double v, int decimals)
{
	if (decimals < 0 || decimals > 3 || !isfinite(v))
		return -1;
	int neg = signbit(v) != 0;
	double a = fabs(v);
	if (a >= 9007199254740992.0) /* 2^53 */
		return -1;
	uint64_t scale = pow10_[decimals], q = 0;
	if (a != 0) {
		/* a = m × 2^e exactly, m a 53-bit integer; q = a × scale rounded to nearest, ties
		 * to even, as glibc rounds the exact binary value. */
		int ex;
		double fr = frexp(a, &ex);
		uint64_t m = (uint64_t)ldexp(fr, 53);
		int e = ex - 53;
		if (e >= 0) {
			q = (m << e) * scale; /* a < 2^53: m << e < 2^53, times ≤ 1000 fits */
		} else if (-e < 64) {
			unsigned s = (unsigned)-e;
			uint64_t prod = m * scale; /* < 2^63 */
			q = prod >> s;
			uint64_t r = prod & ((UINT64_C(1) << s) - 1), half = UINT64_C(1) << (s - 1);
			if (r > half || (r == half && (q & 1)))
				q++;
		} /* else a × scale < 2^63 × 2^-64 < 0.5: q = 0 */
	}
	char tmp[40], *end = tmp + sizeof tmp, *p = end;
	if (decimals > 0) {
		uint64_t frac = q % scale;
		for (int k = 0; k < decimals; k++) {
			*--p = (char)('0' + frac % 10);
			frac /= 10;
		}
		*--p = '.';
	}
	p = digits_back(p, q / scale);
	if (neg)
		*--p = '-';
	size_t len = (size_t)(end - p);
	memcpy(out, p, len);
	out[len] = '\0';
	return (int)len;
}

static int put_signed(struct ow_buf *b, long long v)
{
	char tmp[24], *end = tmp + sizeof tmp;
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	char *p = digits_back(end, u);
	if (v < 0)
		*--p = '-';
	return ow_buf_append(b, p, (size_t)(end - p));
}

/* One conversion at *f (after the '%'); *f moves past it. 0 done, -1 buffer full, 1 not
 * a conversion of the subset. */
static int convert(struct ow_buf *b, const char **f, va_list *ap)
{
	const char *s = *f;
	int prec = -1;
	if (*s == '%') {
		*f = s + 1;
		return ow_buf_append(b, "%", 1);
	}
	if (*s == '.') {
		s++;
		if (*s == '*') {
			prec = va_arg(*ap, int);
			s++;
		} else {
			if (*s < '0' || *s > '9')
				return 1;
			prec = 0;
			while (*s >= '0' && *s <= '9' && prec < 100000)
				prec = prec * 10 + (*s++ - '0');
		}
	}
	int lng = 0, size = 0;
	if (*s == 'z')
		size = 1, s++;
	else if (s[0] == 'l' && s[1] == 'l')
		lng = 2, s += 2;
	else if (*s == 'l')
		lng = 1, s++;
	char conv = *s++;
	*f = s;
	if (conv == 's' && !lng && !size) {
		const char *str = va_arg(*ap, const char *);
		if (!str)
			str = "(null)";
		size_t n = prec >= 0 ? strnlen(str, (size_t)prec) : strlen(str);
		return ow_buf_append(b, str, n);
	}
	if (conv == 'd' && prec < 0 && !size)
		return put_signed(b, lng == 2	? va_arg(*ap, long long)
				     : lng == 1 ? va_arg(*ap, long)
						: va_arg(*ap, int));
	if (conv == 'u' && size && prec < 0) {
		char tmp[24], *end = tmp + sizeof tmp, *p = digits_back(end, va_arg(*ap, size_t));
		return ow_buf_append(b, p, (size_t)(end - p));
	}
	if (conv == 'f' && !lng && !size && prec >= 0 && prec <= 3) {
		char num[40];
		int n = ow_fmt_fixed(num, va_arg(*ap, double), prec);
		return n < 0 ? 1 : ow_buf_append(b, num, (size_t)n);
	}
	return 1;
}

int ow_buf_fmt(struct ow_buf *b, const char *fmt, ...)
{
	size_t start = b->len;
	va_list mine, whole;
	va_start(whole, fmt);
	va_copy(mine, whole);
	int rc = 0;
	const char *f = fmt;
	while (*f && rc == 0) {
		const char *pct = strchr(f, '%');
		size_t lit = pct ? (size_t)(pct - f) : strlen(f);
		if (lit && (rc = ow_buf_append(b, f, lit)) != 0)
			break;
		if (!pct)
			break;
		f = pct + 1;
		rc = convert(b, &f, &mine);
	}
	va_end(mine);
	if (rc != 0) { /* full, or not the subset: as it was, then printf's way for the latter */
		b->len = start;
		if (b->data)
			b->data[start] = '\0';
		if (rc > 0)
			rc = ow_buf_vappendf(b, fmt, whole);
	}
	va_end(whole);
	return rc;
}
