/* cors.h — cross-origin reads and writes from browsers (CORS): public reads for any page,
 * writes only for the origins of ORGWATCH_CORS_ORIGINS, never with cookies. */
#ifndef OW_CORS_H
#define OW_CORS_H

struct ow_req;
struct ow_route;
struct MHD_Response;

/* Adds the CORS headers r's answer gets: Access-Control-Allow-Origin: * on a public read
 * (GET or HEAD that needs no key), the request's Origin (and Vary: Origin) on anything else
 * from a listed origin, and the headers a page may read. 0, or -1 when a header could not be
 * added. */
int ow_cors_headers(struct ow_req *r, struct MHD_Response *resp);

/* Answers a preflight (OPTIONS) for r->path: 204 with Allow, and for a page on another
 * origin what it may send (methods, headers): any origin for reads that need no key, listed
 * origins for everything else. allow: the path's methods ("GET, POST"). */
int ow_cors_preflight(struct ow_req *r, const char *allow, int public_read_path);

#endif
