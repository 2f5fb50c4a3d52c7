/* http.h — the libmicrohttpd daemon: request lifecycle, body limits, graceful stop. */
#ifndef OW_HTTP_H
#define OW_HTTP_H
#include <stddef.h>

#include "router.h"

struct ow_config;

/* Serves the route table until SIGINT or SIGTERM, then stops accepting, lets requests
 * in flight finish (up to 10 s), closes connections and returns 0. Returns 1 when the
 * daemon cannot start (port taken...). The caller blocks SIGINT/SIGTERM/SIGPIPE first. */
int ow_http_serve(const struct ow_config *cfg, const struct ow_route *routes, size_t nroutes);
/* Requests currently being served. */
unsigned ow_http_inflight(void);
/* libmicrohttpd's event threads: one per core (at most 16). */
unsigned ow_http_threads(void);

#endif
