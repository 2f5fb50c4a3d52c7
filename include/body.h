/* body.h — turning a request's JSON body into a validated jansson value. */
#ifndef OW_BODY_H
#define OW_BODY_H
#include <jansson.h>

#include "jspec.h"

struct ow_req;

/* Parses the body (duplicate keys rejected) and checks it against the field spec.
 * Returns the value (caller json_decref's it), or NULL after queuing a 400 reply that
 * names the JSON syntax error or every bad field. */
json_t *ow_body_json(struct ow_req *r, const struct ow_jfield *spec, size_t n, enum ow_jmode mode);

#endif
