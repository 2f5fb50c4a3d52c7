/* svg.c — the SVG writer of the charts (see svg.h): XML escaping of data text, width
 * estimates and wrapping, the document's frame and theme. Pure: unit-tested and fuzzed. */
#include "svg.h"

#include <string.h>

/* Decodes one UTF-8 character at s (n bytes left): its code point, or -1 for a byte that
 * starts no valid sequence (overlong, surrogate, beyond U+10FFFF, cut short); *len is the
 * number of bytes it takes (1 for an invalid byte). */
static long utf8_next(const unsigned char *s, size_t n, size_t *len)
{
	unsigned char c = s[0];
	*len = 1;
	if (c < 0x80)
		return c;
	size_t k = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
	if (k == 0 || c > 0xF4 || k > n)
		return -1;
	long cp = c & (0x7F >> k);
	for (size_t i = 1; i < k; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return -1;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	if ((k == 3 && cp < 0x800) || (k == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
	    (cp >= 0xD800 && cp <= 0xDFFF))
		return -1;
	*len = k;
	return cp;
}

size_t ow_svg_chars(const char *s, size_t max_chars)
{
	size_t n = strlen(s), count = 0, len;
	for (size_t i = 0; i < n; i += len) {
		(void)utf8_next((const unsigned char *)s + i, n - i, &len);
		count++;
	}
	return max_chars && count > max_chars ? max_chars : count;
}

/* One character as XML text: an entity, U+FFFD, a space, or its own bytes. */
static int put_char(struct ow_buf *b, const char *p, size_t len, long cp)
{
	switch (cp) {
	case '&': return ow_buf_append_str(b, "&amp;");
	case '<': return ow_buf_append_str(b, "&lt;");
	case '>': return ow_buf_append_str(b, "&gt;");
	case '"': return ow_buf_append_str(b, "&quot;");
	case '\'': return ow_buf_append_str(b, "&#39;");
	case '\t':
	case '\n':
	case '\r': return ow_buf_append_str(b, " ");
	default: break;
	}
	if (cp < 0 || cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0xFFFE || cp == 0xFFFF)
		return ow_buf_append_str(b, "\xEF\xBF\xBD");
	return ow_buf_append(b, p, len);
}

int ow_svg_escape(struct ow_buf *b, const char *s, size_t max_chars)
{
	size_t n = strlen(s), total = ow_svg_chars(s, 0), len;
	size_t keep = max_chars && total > max_chars ? max_chars - 1 : total, written = 0;
	for (size_t i = 0; i < n && written < keep; i += len, written++) {
		long cp = utf8_next((const unsigned char *)s + i, n - i, &len);
		if (put_char(b, s + i, len, cp) != 0)
			return -1;
	}
	return keep < total ? ow_buf_append_str(b, "\xE2\x80\xA6") : 0; /* … */
}

/* The advance of one character in em: an estimate on the wide side of the common sans-serif
 * fonts (DejaVu Sans, which librsvg and many Linux browsers fall back to, is among the
 * widest), so that text measured to fit does fit. */
static double advance(long cp)
{
	if (cp < 0)
		return 0.65;
	if (cp == ' ')
		return 0.32;
	if (cp >= '0' && cp <= '9')
		return 0.64;
	if (cp >= 'A' && cp <= 'Z')
		return cp == 'M' || cp == 'W' ? 0.9 : cp == 'I' || cp == 'J' ? 0.35 : 0.72;
	if (cp >= 'a' && cp <= 'z')
		return cp == 'm' || cp == 'w'		       ? 0.88
		       : (cp == 'i' || cp == 'l' || cp == 'j') ? 0.29
		       : (cp == 'f' || cp == 't' || cp == 'r') ? 0.42
							       : 0.6;
	if (cp < 0x80)
		return 0.45;
	if (cp >= 0x300 && cp <= 0x36F) /* combining marks */
		return 0;
	if ((cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
	    (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
	    (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) || cp >= 0x1F000)
		return 1.0;
	return 0.66;
}

double ow_svg_text_width(const char *s, double font_px, size_t max_chars)
{
	size_t n = strlen(s), total = ow_svg_chars(s, 0), len;
	size_t keep = max_chars && total > max_chars ? max_chars - 1 : total, count = 0;
	double em = keep < total ? 1.0 : 0; /* the "…" */
	for (size_t i = 0; i < n && count < keep; i += len, count++)
		em += advance(utf8_next((const unsigned char *)s + i, n - i, &len));
	return em * font_px;
}

double ow_svg_font(const struct ow_svg_frame *f)
{
	return f->width >= 480 ? 13 : 12;
}

/* Light colours: text at least 7:1 on the background, the muted text 7:1 (WCAG AA asks
 * 4.5:1); dark the same on a near-black background. */
static const char LIGHT[] =
	".bg{fill:#ffffff}.fg,.title{fill:#1b1b1b}.muted{fill:#575757}.grid{stroke:#e1e4e8}"
	".axis,.link{stroke:#80868d}.box{fill:#f3f5f7;stroke:#8d98a3}"
	".ghost{fill:none;stroke:#8d98a3;stroke-dasharray:4 "
	"3}.unknown{fill:#ffffff;stroke:#6b7280}";
static const char DARK[] =
	".bg{fill:#16181b}.fg,.title{fill:#ececec}.muted{fill:#b3b3b3}.grid{stroke:#30343a}"
	".axis,.link{stroke:#8f959c}.box{fill:#22262b;stroke:#68737e}"
	".ghost{fill:none;stroke:#68737e;stroke-dasharray:4 "
	"3}.unknown{fill:#16181b;stroke:#9aa1a9}";
/* Okabe and Ito: blue, orange, bluish green, reddish purple, sky blue, vermillion, yellow. */
static const char SERIES[] = ".s0{fill:#0072b2}.s1{fill:#e69f00}.s2{fill:#009e73}"
			     ".s3{fill:#cc79a7}.s4{fill:#56b4e9}.s5{fill:#d55e00}.s6{fill:#f0e442}";

int ow_svg_begin(struct ow_buf *b, const struct ow_svg_frame *f, const char *title,
		 const char *desc)
{
	double font = ow_svg_font(f);
	int rc = ow_buf_fmt(
		b,
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
		"viewBox=\"0 0 %d %d\" role=\"img\" aria-labelledby=\"t d\">\n<title id=\"t\">",
		f->width, f->height, f->view_width ? f->view_width : f->width,
		f->view_height ? f->view_height : f->height);
	rc |= ow_svg_escape(b, title, 300);
	rc |= ow_buf_append_str(b, "</title>\n<desc id=\"d\">");
	rc |= ow_svg_escape(b, desc, 2000);
	rc |= ow_buf_fmt(b,
			 "</desc>\n<style>text{font-family:system-ui,-apple-system,\"Segoe UI\","
			 "Roboto,\"Helvetica Neue\",Arial,sans-serif;font-size:%.0fpx}"
			 ".title{font-size:%.0fpx;font-weight:700}.strong{font-weight:700}"
			 ".grid,.axis,.link{fill:none;stroke-width:1}%s",
			 font, font + 5, SERIES);
	if (f->theme == OW_SVG_DARK)
		rc |= ow_buf_append_str(b, DARK);
	else
		rc |= ow_buf_append_str(b, LIGHT);
	if (f->theme == OW_SVG_AUTO)
		rc |= ow_buf_fmt(b, "@media (prefers-color-scheme:dark){%s}", DARK);
	rc |= ow_buf_fmt(b, "</style>\n<rect class=\"bg\" width=\"%d\" height=\"%d\"/>\n",
			 f->view_width ? f->view_width : f->width,
			 f->view_height ? f->view_height : f->height);
	return rc ? -1 : 0;
}

int ow_svg_text(struct ow_buf *b, double x, double y, const char *cls, const char *anchor,
		const char *s, size_t max_chars)
{
	int rc = ow_buf_fmt(b, "<text x=\"%.1f\" y=\"%.1f\" class=\"%s\"%s%s%s>", x, y, cls,
			    strcmp(anchor, "start") ? " text-anchor=\"" : "",
			    strcmp(anchor, "start") ? anchor : "",
			    strcmp(anchor, "start") ? "\"" : "");
	rc |= ow_svg_escape(b, s, max_chars);
	rc |= ow_buf_append_str(b, "</text>\n");
	return rc ? -1 : 0;
}

/* The end (exclusive) of the line that starts at s and fits in width px: after the last
 * space that keeps it within width; a word wider than width alone is broken after its last
 * character that fits (at least one character). */
static size_t line_end(const char *s, double width, double font_px)
{
	size_t n = strlen(s), len, fit = 0, chars_fit = 0;
	double w = 0;
	for (size_t i = 0; i < n; i += len) {
		long cp = utf8_next((const unsigned char *)s + i, n - i, &len);
		if (cp == ' ' && w <= width)
			fit = i;
		w += advance(cp) * font_px;
		if (w > width)
			return fit ? fit : chars_fit ? chars_fit : i + len;
		chars_fit = i + len;
	}
	return n;
}

/* Walks the lines of s, writing each as a <text> when b is given; returns the count, or -1
 * when the buffer is full. The last line, when text is left out, leaves room for its "…". */
static int wrap(struct ow_buf *b, double x, double y, double width, double font_px, double line_px,
		const char *cls, const char *s, int max_lines)
{
	char line[1024];
	int lines = 0;
	while (*s == ' ')
		s++;
	while (*s && lines < max_lines) {
		size_t end = line_end(s, width, font_px);
		int cut = lines == max_lines - 1 && s[end]; /* the rest is left out: say so */
		if (cut)
			end = line_end(s, width - advance(0x2026) * font_px, font_px);
		size_t k = end < sizeof line - 4 ? end : sizeof line - 4;
		memcpy(line, s, k);
		line[k] = '\0';
		if (cut)
			strcat(line, "\xE2\x80\xA6"); /* … */
		if (b && ow_svg_text(b, x, y + line_px * lines, cls, "start", line, 0) != 0)
			return -1;
		lines++;
		s += end;
		while (*s == ' ')
			s++;
	}
	return lines;
}

int ow_svg_wrapped(struct ow_buf *b, double x, double y, double width, double font_px,
		   double line_px, const char *cls, const char *s, int max_lines)
{
	return wrap(b, x, y, width, font_px, line_px, cls, s, max_lines);
}

int ow_svg_wrapped_lines(const char *s, double width, double font_px, int max_lines)
{
	return wrap(NULL, 0, 0, width, font_px, 0, "", s, max_lines);
}

int ow_svg_end(struct ow_buf *b)
{
	return ow_buf_append_str(b, "</svg>\n");
}
