/* db_problem.h — failed statements as problem replies (the one place SQLSTATEs map to
 * HTTP statuses). */
#ifndef OW_DB_PROBLEM_H
#define OW_DB_PROBLEM_H
#include "db.h"

struct ow_req;

/* Replies to the request with the problem that matches a failed statement:
 * unavailable → 503; 23505 → 409; 23503 → 400 (a referenced record is missing) or
 * 409 on delete; 23P01 → 409; 23514/22xxx → 400; OW4xx raised by our functions →
 * that status with the column as field; anything else → 500 (logged as our bug). */
int ow_db_problem(struct ow_req *r, const struct ow_db_error *e);

/* Replies 503 for a dedicated connection that could not be had: over the limit (busy:
 * Retry-After 5, naming ORGWATCH_MAX_STREAMS) or the database unavailable (Retry-After 2). */
int ow_db_dedicated_problem(struct ow_req *r, int busy);
#endif
