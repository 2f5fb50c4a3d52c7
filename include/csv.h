/* csv.h — RFC 4180 CSV: a field/row writer into ow_buf and a bounded streaming push reader. */
#ifndef OW_CSV_H
#define OW_CSV_H
#include <stddef.h>

#include "buf.h"

/* ---- Writer ---------------------------------------------------------------------------- */

/* Appends one field of the current row to b: the n bytes at s, preceded by a comma unless it
 * is the row's first field. A row starts when b is empty or ends with LF, so the caller may
 * flush and reset b between rows (after ow_csv_end_row) but not in mid-row. The field is
 * quoted (with inner quotes doubled) only when it contains a comma, a quote, CR or LF, or
 * starts or ends with a space or tab; an empty first field is written as "" so that a row
 * with a single empty field is not a blank line. Returns 0, or -1 if b's cap or memory ran
 * out, in which case b is left exactly as it was. */
/* The UTF-8 byte-order mark a spreadsheet needs to read a CSV as UTF-8 (3 bytes). */
#define OW_CSV_BOM "\xEF\xBB\xBF"

int ow_csv_append_field(struct ow_buf *b, const char *s, size_t n) OW_WUR;

/* Ends the current row with CRLF. Returns 0, or -1 (b unchanged) when b is full. */
int ow_csv_end_row(struct ow_buf *b) OW_WUR;

/* ---- Reader ---------------------------------------------------------------------------- */

/* One field of a record: len bytes at ptr, followed by a NUL (fields never contain NUL). */
struct ow_csv_field {
	const char *ptr;
	size_t len;
};

/* Called once per record, in input order. line is the 1-based physical line on which the
 * record starts (a quoted field spanning lines makes later records start further down).
 * fields and their bytes are valid only during the call. Return 0 to go on, non-zero to
 * stop: the feed/finish call in progress then returns OW_CSV_STOPPED. */
typedef int (*ow_csv_record_cb)(void *ctx, unsigned long line, const struct ow_csv_field *fields,
				size_t nfields);

/* Results of ow_csv_reader_feed and ow_csv_reader_finish. Every result but OW_CSV_OK is
 * final: later calls return it again without reading input. */
enum ow_csv_status {
	OW_CSV_OK = 0,
	OW_CSV_STOPPED = 1, /* the callback returned non-zero */
	OW_CSV_EINPUT = -1, /* malformed CSV or a limit passed; see ow_csv_reader_error */
	OW_CSV_ENOMEM = -2, /* out of memory (a server fault, not the client's) */
};

#define OW_CSV_DEFAULT_MAX_FIELD ((size_t)64 << 10)
#define OW_CSV_DEFAULT_MAX_FIELDS 1024

/* Reader state. Its members are private: use the functions below. */
struct ow_csv_reader {
	size_t max_field, max_fields;
	struct ow_buf data;	     /* bytes of the current record, each field NUL-terminated */
	size_t field_start;	     /* offset in data of the field being read */
	struct ow_csv_field *fields; /* lengths of the finished fields of the current record */
	size_t nfields, fields_cap;
	int state, started, bom_seen, finished, status;
	unsigned long line, record_line, quote_line, err_line;
	char err[128];
};

/* Prepares r to read a new document. max_field caps a field's bytes (0: the default of
 * 64 KiB) and max_fields a record's field count (0: the default of 1024); a record passing
 * either is an error, never truncated. The reader's memory stays below about
 * max_fields * (max_field + 1) plus the field tables. Allocates nothing yet; pair with
 * ow_csv_reader_free. */
void ow_csv_reader_init(struct ow_csv_reader *r, size_t max_field, size_t max_fields);

/* Parses the next n bytes of the document (chunks may split it anywhere, even inside a quoted
 * field, a CRLF or the BOM) and calls cb for each record completed by them. The document is
 * UTF-8, optionally starting with a BOM (skipped); lines end with CRLF or LF; fields follow
 * RFC 4180 (quoted fields may hold commas, doubled quotes, CR and LF). Lines holding no byte
 * at all are skipped; "" on a line is one empty field. Errors, reported with the line where
 * they were found (an unterminated quote: the line where it opened): a quote inside an
 * unquoted field, a byte other than a comma or line end after a closing quote (a,"b"c), a CR
 * not followed by LF outside quotes, a NUL byte, invalid UTF-8, a field over max_field bytes,
 * a record over max_fields fields. cb may be NULL to only check the document. Returns an
 * ow_csv_status. */
int ow_csv_reader_feed(struct ow_csv_reader *r, const char *data, size_t n, ow_csv_record_cb cb,
		       void *ctx) OW_WUR;

/* Ends the document: delivers a last record that has no line end, or reports an unterminated
 * quoted field. Returns an ow_csv_status; afterwards feed and finish return OW_CSV_EINPUT
 * unless an earlier result was already final. */
int ow_csv_reader_finish(struct ow_csv_reader *r, ow_csv_record_cb cb, void *ctx) OW_WUR;

/* After OW_CSV_EINPUT or OW_CSV_ENOMEM: the message (a NUL-terminated English sentence owned
 * by r) and, if line is not NULL, the 1-based line it concerns. NULL when there was no error. */
const char *ow_csv_reader_error(const struct ow_csv_reader *r, unsigned long *line);

/* Releases all memory of r. Safe to call more than once; r may be reused after a new init. */
void ow_csv_reader_free(struct ow_csv_reader *r);

#endif
