/* png.h — a chart's SVG as PNG, drawn by librsvg's rsvg-convert in a child process. */
#ifndef OW_PNG_H
#define OW_PNG_H

#include <stddef.h>

#include "buf.h"

enum { OW_PNG_OK = 0, OW_PNG_UNAVAILABLE = 1, OW_PNG_FAILED = -1 };

/* Draws the SVG document svg (n bytes) as PNG into png: OW_PNG_OK; OW_PNG_UNAVAILABLE when
 * rsvg-convert (Debian's librsvg2-bin) is not installed; OW_PNG_FAILED when it failed, took
 * more than 10 s (it is killed) or wrote more than 32 MB. */
int ow_png_from_svg(const char *svg, size_t n, struct ow_buf *png) OW_WUR;

#endif
