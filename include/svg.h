/* svg.h — writing SVG documents that embed anywhere: text escaped for XML (whatever bytes
 * the data holds), numbers written the same way every time, the document's frame
 * (role="img", <title>, <desc>, an inline style for a light, dark or automatic theme with a
 * colour-blind-safe palette, no script, no external fetch) and its footer (note, source line). */
#ifndef OW_SVG_H
#define OW_SVG_H

#include <stddef.h>

#include "buf.h"
#include "numfmt.h"

enum ow_svg_theme { OW_SVG_LIGHT, OW_SVG_DARK, OW_SVG_AUTO };

/* The size and theme of a chart; font sizes follow the width (never under 12 px). */
struct ow_svg_frame {
	int width, height;
	enum ow_svg_theme theme;
	/* The drawing's own size when it is scaled into width x height (its viewBox); 0: the
	 * same as width and height. */
	int view_width, view_height;
};

/* Series colours (Okabe and Ito's palette, distinguishable with the common colour-vision
 * deficiencies): classes s0 .. s(OW_SVG_SERIES-1) fill a shape with one. */
#define OW_SVG_SERIES 7

/* Appends s escaped as XML character data or attribute text (&, <, >, " and ' as entities):
 * bytes that are not UTF-8 and characters XML 1.0 forbids or discourages (C0 controls but
 * tab, newline and carriage return, which become spaces; DEL and C1 controls; U+FFFE,
 * U+FFFF) become U+FFFD. At most max_chars characters are written (0: no limit); a longer
 * text ends in "…" within that count. Returns 0, or -1 when the buffer is full. */
int ow_svg_escape(struct ow_buf *b, const char *s, size_t max_chars) OW_WUR;

/* The number of characters ow_svg_escape would write for s with max_chars. */
size_t ow_svg_chars(const char *s, size_t max_chars);

/* An estimate of the width in px of s set at font_px in the chart's sans-serif font (no font
 * metrics: an average advance per character, wide for CJK and emoji), with max_chars as
 * ow_svg_escape cuts it. */
double ow_svg_text_width(const char *s, double font_px, size_t max_chars);

/* The font size (px) of the chart's body text at this width: 13 from 480 px, else 12. */
double ow_svg_font(const struct ow_svg_frame *f);

/* Opens the document: the XML declaration, <svg> with its size, viewBox, role="img" and
 * aria-labelledby, <title> and <desc> (escaped), the style of the frame's theme, and a
 * background rectangle. */
int ow_svg_begin(struct ow_buf *b, const struct ow_svg_frame *f, const char *title,
		 const char *desc) OW_WUR;

/* A <text> at (x, y) of class cls ("fg", "muted", "title", ...), anchored "start", "middle"
 * or "end", its content s escaped and cut at max_chars. */
int ow_svg_text(struct ow_buf *b, double x, double y, const char *cls, const char *anchor,
		const char *s, size_t max_chars) OW_WUR;

/* Writes text at (x, y) wrapped into lines of at most width px (words set at font_px, by
 * ow_svg_text_width's estimate), at most max_lines lines (the last ending in "…" when text is
 * left out), each line_px below the previous one. Returns the number of lines written, or -1
 * when the buffer is full. */
int ow_svg_wrapped(struct ow_buf *b, double x, double y, double width, double font_px,
		   double line_px, const char *cls, const char *s, int max_lines);

/* The number of lines ow_svg_wrapped would write. */
int ow_svg_wrapped_lines(const char *s, double width, double font_px, int max_lines);

/* Closes the document. */
int ow_svg_end(struct ow_buf *b) OW_WUR;

#endif
