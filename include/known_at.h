/* known_at.h — reads pinned to a past change (known_at=, issue 29): see known_at.c. */
#ifndef OW_KNOWN_AT_H
#define OW_KNOWN_AT_H

struct ow_req;
struct MHD_Response;

/* Takes the request's known_at= (none: 0, the present): on a read it pins, resolves it and
 * pins the request's connection to that commit (0); else answers a 400 (a bad value, or a
 * route it does not pin), a 409 (a key not committed here after 2 s) or the database's
 * problem, and returns 1. */
int ow_known_at_take(struct ow_req *r);
/* A pinned answer no later commit can change is immutable (run after the answer cache set
 * r->cache_control). */
void ow_known_at_cache_control(struct ow_req *r);
/* Adds Orgwatch-Known-At: <key>; <committed at> to a pinned answer: 0, or -1. */
int ow_known_at_headers(struct ow_req *r, struct MHD_Response *resp);

#endif
