/* fuzz_svg.c — libFuzzer target for the SVG writer's escaping and text handling
 * (server/svg.c), where every text that comes from the data goes through.
 *
 * Byte 0 is a character limit (0: none); the rest is any bytes, as a name in the database
 * might hold after a bad import. Invariants of ow_svg_escape's output:
 *  - it is valid UTF-8 with no byte below 0x20, no DEL, no C1 control (U+0080..U+009F), no
 *    U+FFFE/U+FFFF: nothing XML 1.0 forbids or an SVG renderer chokes on;
 *  - it holds no '<', '>', '"' or '\'' and every '&' starts one of the five entities we
 *    write, so it is safe as character data and as an attribute value;
 *  - it has exactly ow_svg_chars(s, limit) characters once entities count as one, and ends
 *    in "…" exactly when the text was cut;
 *  - ow_svg_text_width is finite and not negative; wrapping never loops or writes more
 *    lines than asked. */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_check.h"
#include "svg.h"

/* The characters of an escaped text (an entity counts as one), checking each. */
static size_t check_escaped(const unsigned char *s, size_t n)
{
	size_t chars = 0;
	for (size_t i = 0; i < n; chars++) {
		unsigned char c = s[i];
		CHECK(c >= 0x20 && c != 0x7F && c != '<' && c != '>' && c != '"' && c != '\'');
		if (c == '&') {
			static const char *const ENT[] = {"&amp;", "&lt;", "&gt;", "&quot;", "&#39;"};
			size_t k = 0;
			for (size_t e = 0; e < 5 && !k; e++)
				if (n - i >= strlen(ENT[e]) && memcmp(s + i, ENT[e], strlen(ENT[e])) == 0)
					k = strlen(ENT[e]);
			CHECK(k);
			i += k;
			continue;
		}
		size_t len = c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
		CHECK(c < 0x80 || c >= 0xC2);
		CHECK(i + len <= n);
		uint32_t cp = len == 1 ? c : (uint32_t)(c & (0x7F >> len));
		for (size_t j = 1; j < len; j++) {
			CHECK((s[i + j] & 0xC0) == 0x80);
			cp = (cp << 6) | (s[i + j] & 0x3F);
		}
		CHECK(!(cp >= 0x80 && cp <= 0x9F) && cp != 0xFFFE && cp != 0xFFFF);
		CHECK(!(cp >= 0xD800 && cp <= 0xDFFF) && cp <= 0x10FFFF);
		CHECK(len == 1 || (len == 2 && cp >= 0x80) || (len == 3 && cp >= 0x800) || (len == 4 && cp >= 0x10000));
		i += len;
	}
	return chars;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	size_t limit = data[0] % 64;
	char *s = malloc(size);
	CHECK(s);
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	struct ow_buf b;
	ow_buf_init(&b, 1 << 20);
	CHECK(ow_svg_escape(&b, s, limit) == 0);
	size_t want = ow_svg_chars(s, limit), total = ow_svg_chars(s, 0);
	size_t got = check_escaped((const unsigned char *)b.data, b.len);
	CHECK(got == want);
	int cut = limit && total > limit;
	CHECK(!cut || (b.len >= 3 && memcmp(b.data + b.len - 3, "\xE2\x80\xA6", 3) == 0));
	double w = ow_svg_text_width(s, 13, limit);
	CHECK(isfinite(w) && w >= 0);
	ow_buf_reset(&b);
	int lines = ow_svg_wrapped(&b, 0, 0, 100 + (double)(data[0] % 200), 13, 16, "fg", s, 3);
	CHECK(lines >= 0 && lines <= 3);
	CHECK(lines == ow_svg_wrapped_lines(s, 100 + (double)(data[0] % 200), 13, 3));
	ow_buf_free(&b);
	free(s);
	return 0;
}
