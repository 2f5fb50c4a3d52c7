/* edge.h — what is refused about a request before it is routed: framing a proxy in front
 * could read differently (Content-Length, Transfer-Encoding, Host), NUL bytes in the request
 * line or a query value, repeated or non-UTF-8 query parameters. */
#ifndef OW_EDGE_H
#define OW_EDGE_H

struct ow_req;

/* Checks the request line and headers of r (method, url and version as libmicrohttpd handed
 * them to the access handler: pointers into its copy of the request line). Returns 0 when the
 * request may go on, or 1 after queuing the answer: 400 (501 for a Transfer-Encoding other
 * than chunked); framing faults also close the connection. */
int ow_edge_check(struct ow_req *r, const char *method, const char *url, const char *version);

#endif
