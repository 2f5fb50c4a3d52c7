/* auth.h — bearer keys: who is calling, whether their role suffices, key creation. */
#ifndef OW_AUTH_H
#define OW_AUTH_H
#include <libpq-fe.h>

#include "buf.h"
#include "router.h"

struct ow_req;

/* Decides whether the request may use its route. Reads `Authorization: Bearer KEY`,
 * looks up the key's hash (an unknown or revoked key is a 401 even on open reads),
 * then compares the key's role with the route's least role (reads need `reader` when
 * public reads are off). Returns 0 when allowed (r->who filled); otherwise it has
 * queued the 401/403/503 reply and returns -1. */
int ow_auth_check(struct ow_req *r) OW_WUR;

const char *ow_role_name(enum ow_role role);
/* Parses "reader" | "editor" | "admin"; -1 otherwise. */
int ow_role_parse(const char *s, enum ow_role *out) OW_WUR;

/* Creates a key for the command line: prints nothing, writes the new key (ow_ + 64 hex
 * digits from 32 random bytes) into key_out. 0 ok; -1 with err filled. */
int ow_auth_key_create(PGconn *c, const char *name, enum ow_role role, char key_out[68], char *err,
		       size_t errsz) OW_WUR;
/* Revokes the key with that name; 0 ok, -1 with err. */
int ow_auth_key_revoke(PGconn *c, const char *name, char *err, size_t errsz) OW_WUR;

#endif
