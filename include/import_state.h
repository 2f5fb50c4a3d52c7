/* import_state.h — the state of one import, shared by the engine (import.c) and its CSV
 * reader (import_csv.c) and included by nothing else: the bounds, the collected errors, the
 * staging batch, and the two functions through which a parsed record enters the engine. */
#ifndef OW_IMPORT_STATE_H
#define OW_IMPORT_STATE_H
#include <jansson.h>
#include <libpq-fe.h>
#include <stddef.h>

#include "buf.h"
#include "csv.h"
#include "rtypes.h"

#define MAX_LINE ((size_t)1 << 20)
#define MAX_ERRORS 1000
#define BATCH_RECORDS 500
#define BATCH_BYTES ((size_t)2 << 20)
#define MAX_COLUMNS 64

struct import_error {
	unsigned long line;
	char field[64];
	char message[256];
};

struct ow_import {
	PGconn *conn;
	char actor[201];
	int format; /* enum ow_import_format (import.h) */
	const struct ow_rtype *default_type;
	int dry_run, in_tx, finished, db_failed;
	int lock_busy;	       /* the failure was a lock wait over lock_timeout */
	unsigned long spooled; /* batches copied into ow_import_spool */
	int copy_pending;      /* a batch's COPY sent, its result not read yet */
	char db_message[512];
	unsigned long line, records;
	struct ow_buf pending; /* NDJSON: the line being received */
	int skipping;	       /* NDJSON: inside a line longer than MAX_LINE */
	struct ow_csv_reader csv;
	char *columns[MAX_COLUMNS];
	size_t ncolumns;
	int header_done, header_bad;
	struct ow_buf batch; /* COPY text: line \t type \t document \n */
	size_t batch_n;
	unsigned long created, updated, unchanged;
	int create_organizations; /* ?create=organizations */
	char *notes; /* {"duplicates": [...], "created_organizations": [...]} from the apply */
	struct import_error *errors;
	size_t nerrors;
	unsigned long errors_total;
};

/* Keeps an error of line (field may be NULL); the first MAX_ERRORS are kept, all counted. */
void ow_import_add_error(struct ow_import *imp, unsigned long line, const char *field,
			 const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Validates one record of type t (its "type" already removed) and queues it; 0, or -1 when
 * the database failed. */
int ow_import_take_record(struct ow_import *imp, unsigned long line, const struct ow_rtype *t,
			  json_t *obj);
/* import_csv.c: the CSV reader's row callback (ctx: the import; the first row is the
 * header), and what a reader status means for the import (an error named with its line). */
int ow_import_csv_record(void *ctx, unsigned long line, const struct ow_csv_field *fields,
			 size_t nfields);
int ow_import_csv_status(struct ow_import *imp, int st);

#endif
