/* test_csv.c — unit tests of the CSV writer and the streaming CSV reader. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "csv.h"
#include "unit_buf.h"

/* ---- Writer ---------------------------------------------------------------------------- */

/* Writes rows (each a NULL-terminated list of NUL-terminated fields) into a fresh buffer and
 * asserts the text is want. */
static void expect_rows(const char *const *const *rows, size_t n, const char *want)
{
	struct ow_buf b;
	ow_buf_init(&b, 0);
	for (size_t r = 0; r < n; r++) {
		for (const char *const *f = rows[r]; *f; f++)
			assert_int_equal(ow_csv_append_field(&b, *f, strlen(*f)), 0);
		assert_int_equal(ow_csv_end_row(&b), 0);
	}
	assert_string_equal(b.data, want);
	ow_buf_free(&b);
}

#define ROW(...) ((const char *const[]){__VA_ARGS__, NULL})
#define NROWS(rows) (sizeof(rows) / sizeof(rows[0]))

static void test_write_plain_and_quoted(void **state)
{
	(void)state;
	const char *const *rows[] = {
		ROW("id", "name", "note"),	    ROW("1", "Meijer, Erik", "said \"hi\""),
		ROW("2", "two\nlines", "cr\rhere"), ROW(" lead", "trail ", "mid space", "\ttab"),
		ROW("Zoë", "日本語", "a'b;c|d"),
	};
	expect_rows(rows, NROWS(rows),
		    "id,name,note\r\n"
		    "1,\"Meijer, Erik\",\"said \"\"hi\"\"\"\r\n"
		    "2,\"two\nlines\",\"cr\rhere\"\r\n"
		    "\" lead\",\"trail \",mid space,\"\ttab\"\r\n"
		    "Zoë,日本語,a'b;c|d\r\n");
}

static void test_write_empty_fields(void **state)
{
	struct ow_buf *b = *state;
	const char *const *rows[] = {
		ROW("", "x", ""),
		ROW(""),
		ROW("a", "", ""),
		ROW("\"\"", "\""),
	};
	expect_rows(rows, NROWS(rows),
		    "\"\",x,\r\n"
		    "\"\"\r\n"
		    "a,,\r\n"
		    "\"\"\"\"\"\",\"\"\"\"\r\n");
	/* A NULL pointer with length 0 is an empty field. */
	assert_int_equal(ow_csv_append_field(b, "a", 1), 0);
	assert_int_equal(ow_csv_append_field(b, NULL, 0), 0);
	assert_string_equal(b->data, "a,");
}

static void test_write_binary_length(void **state)
{
	struct ow_buf *b = *state;
	/* Only n bytes are written, whatever follows. */
	assert_int_equal(ow_csv_append_field(b, "abc,def", 3), 0);
	assert_int_equal(ow_csv_append_field(b, "x\"yz", 1), 0);
	assert_string_equal(b->data, "abc,x");
}

/* With a cap of 12 bytes. */
static void test_write_cap_leaves_buffer_unchanged(void **state)
{
	struct ow_buf *b = *state;
	assert_int_equal(ow_csv_append_field(b, "abc", 3), 0);
	/* ",\"x,yz\"" would pass the cap of 12 half-way through. */
	assert_int_equal(ow_csv_append_field(b, "x,y\"z\"", 6), -1);
	assert_string_equal(b->data, "abc");
	assert_int_equal(b->len, 3);
	assert_int_equal(ow_csv_append_field(b, "defghijk", 8), 0);
	assert_string_equal(b->data, "abc,defghijk");
	assert_int_equal(ow_csv_end_row(b), -1);
	assert_string_equal(b->data, "abc,defghijk");
}

/* ---- Reader helpers -------------------------------------------------------------------- */

struct collect {
	struct ow_buf out;
	int count, stop_after;
};

/* Renders each record as "LINE:[f1][f2]...\n". */
static int collect_cb(void *ctx, unsigned long line, const struct ow_csv_field *f, size_t n)
{
	struct collect *c = ctx;
	assert_int_equal(ow_buf_appendf(&c->out, "%lu:", line), 0);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(f[i].ptr[f[i].len], '\0');
		assert_int_equal(ow_buf_append(&c->out, "[", 1), 0);
		assert_int_equal(ow_buf_append(&c->out, f[i].ptr, f[i].len), 0);
		assert_int_equal(ow_buf_append(&c->out, "]", 1), 0);
	}
	assert_int_equal(ow_buf_append(&c->out, "\n", 1), 0);
	c->count++;
	return c->stop_after && c->count >= c->stop_after;
}

struct result {
	int status;
	char out[4096];
	char err[128];
	unsigned long err_line;
	int records;
};

/* Parses doc fed as up to three chunks: [0,a) [a,b) [b,len), with the given limits. */
static void parse_split(const char *doc, size_t len, size_t a, size_t b, size_t max_field,
			size_t max_fields, struct result *res)
{
	struct ow_csv_reader r;
	struct collect c = {.count = 0};
	ow_buf_init(&c.out, 0);
	ow_csv_reader_init(&r, max_field, max_fields);
	int st = ow_csv_reader_feed(&r, doc, a, collect_cb, &c);
	if (st == OW_CSV_OK)
		st = ow_csv_reader_feed(&r, doc + a, b - a, collect_cb, &c);
	if (st == OW_CSV_OK)
		st = ow_csv_reader_feed(&r, doc + b, len - b, collect_cb, &c);
	if (st == OW_CSV_OK)
		st = ow_csv_reader_finish(&r, collect_cb, &c);
	res->status = st;
	snprintf(res->out, sizeof(res->out), "%s", c.out.data ? c.out.data : "");
	const char *e = ow_csv_reader_error(&r, &res->err_line);
	snprintf(res->err, sizeof(res->err), "%s", e ? e : "");
	if (!e)
		res->err_line = 0;
	res->records = c.count;
	ow_csv_reader_free(&r);
	ow_buf_free(&c.out);
}

/* Parses the text doc in two chunks cut at a, with the given limits. */
static void parse_at(const char *doc, size_t a, size_t max_field, size_t max_fields,
		     struct result *res)
{
	parse_split(doc, strlen(doc), a, a, max_field, max_fields, res);
}

static void parse_all(const char *doc, struct result *res)
{
	size_t n = strlen(doc);
	parse_split(doc, n, n, n, 0, 0, res);
}

/* res is a success with the records want. */
static void check_ok(const struct result *res, const char *want)
{
	if (res->status != OW_CSV_OK)
		fail_msg("status %d, error line %lu: %s", res->status, res->err_line, res->err);
	assert_string_equal(res->out, want);
}

static void expect_ok(const char *doc, const char *want)
{
	struct result res;
	parse_all(doc, &res);
	check_ok(&res, want);
}

/* res is the input error msg on line, after the records records_before (NULL: not checked). */
static void check_error(const struct result *res, unsigned long line, const char *msg,
			const char *records_before)
{
	assert_int_equal(res->status, OW_CSV_EINPUT);
	assert_int_equal(res->err_line, line);
	assert_string_equal(res->err, msg);
	if (records_before)
		assert_string_equal(res->out, records_before);
}

static void expect_error(const char *doc, size_t len, unsigned long line, const char *msg,
			 const char *records_before)
{
	struct result res;
	parse_split(doc, len, len, len, 0, 0, &res);
	check_error(&res, line, msg, records_before);
}

/* ---- Reader ---------------------------------------------------------------------------- */

static void test_read_basic(void **state)
{
	(void)state;
	expect_ok("a,b,c\n1,2,3\n", "1:[a][b][c]\n2:[1][2][3]\n");
	expect_ok("a,b,c\r\n1,2,3\r\n", "1:[a][b][c]\n2:[1][2][3]\n");
	expect_ok("a,b\r\nc,d\ne,f\r\n", "1:[a][b]\n2:[c][d]\n3:[e][f]\n");
	expect_ok("a,b", "1:[a][b]\n");
	expect_ok("a,b\r", "1:[a][b]\n");
	expect_ok("a,", "1:[a][]\n");
	expect_ok(",\n", "1:[][]\n");
	expect_ok(",,\n", "1:[][][]\n");
	expect_ok("", "");
	expect_ok("\n\n", "");
	expect_ok("x", "1:[x]\n");
	expect_ok(" a , b ", "1:[ a ][ b ]\n");
}

static void test_read_quoting(void **state)
{
	(void)state;
	expect_ok("\"a,b\",\"c\"\"d\",\"\"\n", "1:[a,b][c\"d][]\n");
	expect_ok("\"\"\n", "1:[]\n");
	expect_ok("\"\"\"\"\n", "1:[\"]\n");
	expect_ok("\"x\"", "1:[x]\n");
	expect_ok("\"x\"\r\n", "1:[x]\n");
	expect_ok("\"a\",\"\"", "1:[a][]\n");
	expect_ok("\"cr\rinside\"\n", "1:[cr\rinside]\n");
	expect_ok("\"Meijer, Erik\",VP\n", "1:[Meijer, Erik][VP]\n");
}

static void test_read_blank_lines_and_numbers(void **state)
{
	(void)state;
	expect_ok("a\n\nb\r\n\r\nc\n", "1:[a]\n3:[b]\n5:[c]\n");
	expect_ok("\n\na\n", "3:[a]\n");
	expect_ok("\"\"\n\n\"\"\n", "1:[]\n3:[]\n");
	/* Embedded newlines advance the physical line count. */
	expect_ok("h\n\"one\ntwo\nthree\",x\nnext\n", "1:[h]\n2:[one\ntwo\nthree][x]\n5:[next]\n");
	expect_ok("\"a\r\nb\"\r\nc\r\n", "1:[a\r\nb]\n3:[c]\n");
	expect_ok("\"\n\n\"\n\"\n\"\nz", "1:[\n\n]\n4:[\n]\n6:[z]\n");
}

static void test_read_bom(void **state)
{
	(void)state;
	expect_ok("\xEF\xBB\xBF"
		  "a,b\n",
		  "1:[a][b]\n");
	expect_ok("\xEF\xBB\xBF", "");
	expect_ok("\xEF\xBB\xBF\"q\"\n", "1:[q]\n");
	/* Only at the very start: a second BOM is data (valid UTF-8 U+FEFF). */
	expect_ok("\xEF\xBB\xBF\xEF\xBB\xBF"
		  "a\n",
		  "1:[\xEF\xBB\xBF"
		  "a]\n");
	expect_ok("x\n\xEF\xBB\xBFy\n", "1:[x]\n2:[\xEF\xBB\xBFy]\n");
	/* A partial BOM is data, and invalid UTF-8. */
	expect_error("\xEF\xBB"
		     "a\n",
		     4, 1, "field 1 is not valid UTF-8", "");
	expect_error("\xEF", 1, 1, "field 1 is not valid UTF-8", "");
	/* A BOM split across chunks at every offset. */
	const char *doc = "\xEF\xBB\xBF"
			  "a,b\n";
	for (size_t i = 0; i <= strlen(doc); i++) {
		for (size_t j = i; j <= strlen(doc); j++) {
			struct result res;
			parse_split(doc, strlen(doc), i, j, 0, 0, &res);
			check_ok(&res, "1:[a][b]\n");
		}
	}
}

static const char SAMPLE[] = "\xEF\xBB\xBF"
			     "name,title,notes\r\n"
			     "\"Meijer, Erik\",\"VP \"\"Eng\"\"\",\"line1\r\nline2\nline3\"\r\n"
			     "plain,,\"\"\r\n"
			     "\n"
			     "Zoë,日本,\" lead\"\n"
			     "last,row,\"no newline \"\"end\"\"\"";
static const char SAMPLE_OUT[] = "1:[name][title][notes]\n"
				 "2:[Meijer, Erik][VP \"Eng\"][line1\r\nline2\nline3]\n"
				 "5:[plain][][]\n"
				 "7:[Zoë][日本][ lead]\n"
				 "8:[last][row][no newline \"end\"]\n";

static void test_read_chunks_every_offset(void **state)
{
	(void)state;
	size_t n = strlen(SAMPLE);
	struct result res;
	for (size_t a = 0; a <= n; a++) {
		for (size_t b = a; b <= n; b++) {
			parse_split(SAMPLE, n, a, b, 0, 0, &res);
			if (res.status != OW_CSV_OK || strcmp(res.out, SAMPLE_OUT) != 0)
				fail_msg("split at %zu,%zu: status %d, %s\n%s", a, b, res.status,
					 res.err, res.out);
		}
	}
}

static void test_read_byte_at_a_time(void **state)
{
	(void)state;
	struct ow_csv_reader r;
	struct collect c = {.count = 0};
	ow_buf_init(&c.out, 0);
	ow_csv_reader_init(&r, 0, 0);
	for (size_t i = 0; SAMPLE[i]; i++)
		assert_int_equal(ow_csv_reader_feed(&r, SAMPLE + i, 1, collect_cb, &c), OW_CSV_OK);
	assert_int_equal(ow_csv_reader_feed(&r, NULL, 0, collect_cb, &c), OW_CSV_OK);
	assert_int_equal(ow_csv_reader_finish(&r, collect_cb, &c), OW_CSV_OK);
	assert_string_equal(c.out.data, SAMPLE_OUT);
	assert_null(ow_csv_reader_error(&r, NULL));
	ow_csv_reader_free(&r);
	ow_csv_reader_free(&r); /* twice is harmless */
	ow_buf_free(&c.out);
}

#define AFTER_QUOTE_2 "unexpected character after the closing quote of field 2"

/* Documents of len bytes (NULs included) that are input errors: the message, the line it
 * names and the records delivered before it. */
static const struct malformed {
	const char *doc;
	size_t len;
	unsigned long line;
	const char *msg, *before;
} malformed[] = {
	/* quotes and carriage returns out of place, NUL bytes */
	{"a,\"b\"c\n", 7, 1, AFTER_QUOTE_2, ""},
	{"x\ny\na,\"b\"c\n", 11, 3, AFTER_QUOTE_2, "1:[x]\n2:[y]\n"},
	{"\"a\" ,b\n", 7, 1, "unexpected character after the closing quote of field 1", ""},
	{"a,b\"c\n", 6, 1, "a quote may only appear in a quoted field (field 2)", ""},
	{"ab\"\n", 4, 1, "a quote may only appear in a quoted field (field 1)", ""},
	{"a\rb\n", 4, 1, "carriage return not followed by a line feed", ""},
	{"ok\n\r\r\n", 6, 2, "carriage return not followed by a line feed", "1:[ok]\n"},
	{"a\0b\n", 4, 1, "NUL byte in input", ""},
	{"\"a\0b\"\n", 6, 1, "NUL byte in input", ""},
	{"\0", 1, 1, "NUL byte in input", ""},
	/* invalid UTF-8: stray continuation, overlong, surrogate, beyond U+10FFFF, cut short */
	{"ok\nbad,\x80\n", 9, 2, "field 2 is not valid UTF-8", "1:[ok]\n"},
	{"\xC0\xAF", 2, 1, "field 1 is not valid UTF-8", ""},
	{"\xE0\x80\xAF", 3, 1, "field 1 is not valid UTF-8", ""},
	{"\xED\xA0\x80", 3, 1, "field 1 is not valid UTF-8", ""},
	{"\xF4\x90\x80\x80", 4, 1, "field 1 is not valid UTF-8", ""},
	{"\"\xE6\x97\"", 4, 1, "field 1 is not valid UTF-8", ""},
};

static void test_read_malformed(void **state)
{
	(void)state;
	for (size_t i = 0; i < NROWS(malformed); i++) {
		const struct malformed *m = &malformed[i];
		expect_error(m->doc, m->len, m->line, m->msg, m->before);
	}
}

static void test_read_unterminated_quote(void **state)
{
	(void)state;
	/* Reported on the line where the quote opened, not at the end of input. */
	expect_error("a,b\nc,\"open\nmore\nlines\n", 23, 2, "quoted field 2 is never closed",
		     "1:[a][b]\n");
	expect_error("\"", 1, 1, "quoted field 1 is never closed", "");
	expect_error("x\n\n\"a\"\"", 7, 3, "quoted field 1 is never closed", "1:[x]\n");
}

static void test_read_errors_at_every_split(void **state)
{
	(void)state;
	static const char doc[] = "h1,h2\r\n\"multi\r\nline\",ok\r\nx,\"bad\"y\r\nnever,seen\r\n";
	size_t n = strlen(doc);
	struct result res;
	for (size_t a = 0; a <= n; a++) {
		parse_split(doc, n, a, a, 0, 0, &res);
		check_error(&res, 4, "unexpected character after the closing quote of field 2",
			    "1:[h1][h2]\n2:[multi\r\nline][ok]\n");
	}
}

static void test_read_field_limit(void **state)
{
	(void)state;
	struct result res;
	/* Exactly max_field bytes is fine, quoted or not; one more is an error. */
	parse_at("abcd,\"ab\"\"c\"\n", 3, 4, 0, &res);
	check_ok(&res, "1:[abcd][ab\"c]\n");
	const char *over = "x\nabcd,abcde\n";
	for (size_t a = 0; a <= strlen(over); a++) {
		parse_at(over, a, 4, 0, &res);
		check_error(&res, 2, "field 2 is longer than 4 bytes", "1:[x]\n");
	}
	parse_at("\"ab\ncde\"\n", 2, 4, 0, &res);
	check_error(&res, 2, "field 1 is longer than 4 bytes", NULL);
}

static void test_read_fields_limit(void **state)
{
	(void)state;
	struct result res;
	parse_at("a,b,c\n,,\n", 1, 0, 3, &res);
	check_ok(&res, "1:[a][b][c]\n2:[][][]\n");
	parse_at("a,b,c\nd,e,f,g\n", 1, 0, 3, &res);
	check_error(&res, 2, "record has more than 3 fields", "1:[a][b][c]\n");
	parse_at("a,b,c,\n", 7, 0, 3, &res);
	assert_int_equal(res.status, OW_CSV_EINPUT);
	assert_string_equal(res.err, "record has more than 3 fields");
	/* Many fields: the field table grows past its first allocation. */
	char wide[4000];
	size_t o = 0;
	for (int i = 0; i < 1000; i++)
		o += (size_t)snprintf(wide + o, sizeof(wide) - o, i ? ",%d" : "%d", i % 10);
	parse_split(wide, o, o / 2, o / 2, 0, 1000, &res);
	assert_int_equal(res.status, OW_CSV_OK);
	assert_int_equal(res.records, 1);
	parse_split(wide, o, o / 2, o / 2, 0, 999, &res);
	assert_int_equal(res.status, OW_CSV_EINPUT);
}

static void test_read_callback_stop(void **state)
{
	(void)state;
	struct ow_csv_reader r;
	struct collect c = {.count = 0, .stop_after = 2};
	ow_buf_init(&c.out, 0);
	ow_csv_reader_init(&r, 0, 0);
	const char *doc = "a\nb\nc\nd\n";
	assert_int_equal(ow_csv_reader_feed(&r, doc, strlen(doc), collect_cb, &c), OW_CSV_STOPPED);
	assert_string_equal(c.out.data, "1:[a]\n2:[b]\n");
	/* Final: later calls return the same and read nothing. */
	assert_int_equal(ow_csv_reader_feed(&r, "e\n", 2, collect_cb, &c), OW_CSV_STOPPED);
	assert_int_equal(ow_csv_reader_finish(&r, collect_cb, &c), OW_CSV_STOPPED);
	assert_int_equal(c.count, 2);
	assert_null(ow_csv_reader_error(&r, NULL));
	ow_csv_reader_free(&r);

	/* A stop from the record delivered by finish. */
	ow_buf_reset(&c.out);
	c.count = 0;
	c.stop_after = 1;
	ow_csv_reader_init(&r, 0, 0);
	assert_int_equal(ow_csv_reader_feed(&r, "last", 4, collect_cb, &c), OW_CSV_OK);
	assert_int_equal(ow_csv_reader_finish(&r, collect_cb, &c), OW_CSV_STOPPED);
	assert_string_equal(c.out.data, "1:[last]\n");
	ow_csv_reader_free(&r);
	ow_buf_free(&c.out);
}

static void test_read_sticky_and_after_finish(void **state)
{
	(void)state;
	struct ow_csv_reader r;
	unsigned long line = 0;
	ow_csv_reader_init(&r, 0, 0);
	assert_int_equal(ow_csv_reader_feed(&r, "a\"b\n", 4, NULL, NULL), OW_CSV_EINPUT);
	assert_int_equal(ow_csv_reader_feed(&r, "ok\n", 3, NULL, NULL), OW_CSV_EINPUT);
	assert_int_equal(ow_csv_reader_finish(&r, NULL, NULL), OW_CSV_EINPUT);
	assert_non_null(ow_csv_reader_error(&r, &line));
	assert_int_equal(line, 1);
	ow_csv_reader_free(&r);

	/* The reader can be reused after a new init. */
	ow_csv_reader_init(&r, 0, 0);
	assert_int_equal(ow_csv_reader_feed(&r, "a\n", 2, NULL, NULL), OW_CSV_OK);
	assert_int_equal(ow_csv_reader_finish(&r, NULL, NULL), OW_CSV_OK);
	assert_int_equal(ow_csv_reader_feed(&r, "b\n", 2, NULL, NULL), OW_CSV_EINPUT);
	assert_string_equal(ow_csv_reader_error(&r, &line), "input after the end of the document");
	ow_csv_reader_free(&r);
}

static void test_write_then_read(void **state)
{
	(void)state;
	/* Whatever the writer produces, the reader gives back byte for byte. */
	static const char *const fields[] = {
		"",   "plain", "a,b",	"q\"q",	    "\"",	"\r\n",
		"\n", " ",     "  x  ", "Zoë 日本", ",\"\r\n,",
	};
	size_t nf = sizeof(fields) / sizeof(fields[0]);
	struct ow_buf b, want;
	ow_buf_init(&b, 0);
	ow_buf_init(&want, 0);
	for (size_t i = 0; i < nf; i++) {
		for (size_t j = 0; j < nf; j++) {
			assert_int_equal(ow_csv_append_field(&b, fields[i], strlen(fields[i])), 0);
			assert_int_equal(ow_csv_append_field(&b, fields[j], strlen(fields[j])), 0);
			assert_int_equal(ow_csv_end_row(&b), 0);
			assert_int_equal(ow_buf_appendf(&want, "[%s][%s]\n", fields[i], fields[j]),
					 0);
		}
		/* A single-field row holding each value. */
		assert_int_equal(ow_csv_append_field(&b, fields[i], strlen(fields[i])), 0);
		assert_int_equal(ow_csv_end_row(&b), 0);
		assert_int_equal(ow_buf_appendf(&want, "[%s]\n", fields[i]), 0);
	}
	struct ow_csv_reader r;
	struct collect c = {.count = 0};
	ow_buf_init(&c.out, 0);
	ow_csv_reader_init(&r, 0, 0);
	assert_int_equal(ow_csv_reader_feed(&r, b.data, b.len, collect_cb, &c), OW_CSV_OK);
	assert_int_equal(ow_csv_reader_finish(&r, collect_cb, &c), OW_CSV_OK);
	assert_int_equal(c.count, (int)(nf * nf + nf));
	/* Strip the "LINE:" prefixes before comparing. */
	struct ow_buf got;
	ow_buf_init(&got, 0);
	for (const char *p = c.out.data; *p;) {
		const char *colon = strchr(p, ':');
		const char *end = colon + 1;
		/* A record ends at "]\n" followed by a digit (next record) or the end. */
		for (;;) {
			end = strstr(end, "]\n");
			assert_non_null(end);
			end += 2;
			if (!*end || (*end >= '0' && *end <= '9'))
				break;
		}
		assert_int_equal(ow_buf_append(&got, colon + 1, (size_t)(end - colon - 1)), 0);
		p = end;
	}
	assert_string_equal(got.data, want.data);
	ow_buf_free(&got);
	ow_csv_reader_free(&r);
	ow_buf_free(&c.out);
	ow_buf_free(&b);
	ow_buf_free(&want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_write_plain_and_quoted),
		BUF_TEST(test_write_empty_fields, 0),
		BUF_TEST(test_write_binary_length, 0),
		BUF_TEST(test_write_cap_leaves_buffer_unchanged, 12),
		cmocka_unit_test(test_read_basic),
		cmocka_unit_test(test_read_quoting),
		cmocka_unit_test(test_read_blank_lines_and_numbers),
		cmocka_unit_test(test_read_bom),
		cmocka_unit_test(test_read_chunks_every_offset),
		cmocka_unit_test(test_read_byte_at_a_time),
		cmocka_unit_test(test_read_malformed),
		cmocka_unit_test(test_read_unterminated_quote),
		cmocka_unit_test(test_read_errors_at_every_split),
		cmocka_unit_test(test_read_field_limit),
		cmocka_unit_test(test_read_fields_limit),
		cmocka_unit_test(test_read_callback_stop),
		cmocka_unit_test(test_read_sticky_and_after_finish),
		cmocka_unit_test(test_write_then_read),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
