/* read_route.h — replicas' part of a request (see read_route.c). */
#ifndef OW_READ_ROUTE_H
#define OW_READ_ROUTE_H

struct ow_req;
struct MHD_Response;

/* A public read (GET of a route with a cache kind) may go to a replica that has replayed the
 * caller's last write, kept in r->lsn. Returns 0, or 1 after answering a bad Orgwatch-LSN. */
int ow_read_route(struct ow_req *r);
/* r->on_queue: after a write, the primary's position (header and cookie); on a read, which
 * connection served it (or "memory"); nothing when no replica is configured. 0 or -1. */
int ow_read_routing_headers(struct ow_req *r, struct MHD_Response *resp, unsigned status);

#endif
