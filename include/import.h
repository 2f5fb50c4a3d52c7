/* import.h — the bulk import engine shared by POST /import and `orgwatch import FILE`:
 * NDJSON or CSV pushed in chunks of any size, each record validated, batches parked in a
 * temporary table while the body arrives and upserted in one transaction at its end,
 * every error named with its line, all or nothing. */
#ifndef OW_IMPORT_H
#define OW_IMPORT_H
#include <libpq-fe.h>
#include <stddef.h>

#include "buf.h"

enum ow_import_format { OW_IMPORT_NDJSON, OW_IMPORT_CSV };

struct ow_import;

/* Starts an import on connection c (the import owns the transaction it opens on it,
 * not the connection). type: the record type (any spelling of rtypes.h) for CSV (required)
 * or the default for NDJSON lines without "type" (may be NULL). Returns NULL when out of memory. */
struct ow_import *ow_import_new(PGconn *c, const char *actor, enum ow_import_format format,
				const char *type, int dry_run);
/* Feeds the next bytes of the document. Returns 0, or -1 when the database failed (the
 * import is then over; the report says so). */
int ow_import_feed(struct ow_import *imp, const char *data, size_t n);
/* Ends the document: last records, then every batch written in one transaction (the
 * import lock is taken here, not while the body arrives), then COMMIT (or ROLLBACK on any
 * error or dry run). */
int ow_import_finish(struct ow_import *imp);
/* ?create=organizations: organizations named by a name that matches none are created
 * (16_import_same_record.sql). */
void ow_import_create_organizations(struct ow_import *imp, int on);
/* Records read so far (for progress lines). */
unsigned long ow_import_records(const struct ow_import *imp);
/* True when the import failed because the import lock (another import being written) was
 * not free within lock_timeout: the status is then 503 and a retry will do. */
int ow_import_lock_busy(const struct ow_import *imp);
/* HTTP status of the outcome: 200 done (or dry run), 422 rejected, 503 database failure. */
unsigned ow_import_status(const struct ow_import *imp);
/* Appends the report {"created","updated","unchanged","errors":[{line,field,message}],
 * "dry_run"} (counts are 0 when rejected; at most 1000 errors listed, the rest counted). */
int ow_import_report(const struct ow_import *imp, struct ow_buf *out) OW_WUR;
/* Rolls back if still open and frees everything. NULL is fine. */
void ow_import_free(struct ow_import *imp);

#endif
