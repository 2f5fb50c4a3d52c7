/* conns.h — the registry of open client connections and its watcher thread: the cap on
 * how many may be open (excess refused at accept), a deadline for each request's header
 * (slow-loris clients), a minimum rate for request bodies, and closing connections whose
 * client went away while its body was awaited (libmicrohttpd's edge-triggered epoll can miss a FIN
 * that arrives with the data). */
#ifndef OW_CONNS_H
#define OW_CONNS_H

#include <microhttpd.h>

/* Starts the watcher. max: connections open at once, per_ip: from one client address (more
 * are refused: accepted and closed at once); header_timeout_s: time a client gets to send a
 * complete request header, counted from the connection's start or the end of its previous request;
 * body_timeout_s and body_min_rate_bps: a body must arrive within body_timeout_s plus one second
 * for every body_min_rate_bps bytes received, counting only time spent waiting for the client. */
int ow_conns_start(unsigned max, unsigned per_ip, unsigned header_timeout_s,
		   unsigned body_timeout_s, unsigned body_min_rate_bps);
void ow_conns_stop(void);

/* libmicrohttpd callbacks: MHD_start_daemon's accept policy and MHD_OPTION_NOTIFY_CONNECTION. */
enum MHD_Result ow_conns_accept(void *cls, const struct sockaddr *addr, socklen_t addrlen);
void ow_conns_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
		     enum MHD_ConnectionNotificationCode code);

/* The request's header is complete; its body (if any) is awaited. */
void ow_conns_body_awaited(struct MHD_Connection *conn);
/* A chunk of n body bytes arrived and is being handled (the client is not waited for)... */
void ow_conns_body_chunk(struct MHD_Connection *conn, size_t n);
/* ... and has been: the client is waited for again. */
void ow_conns_body_waiting(struct MHD_Connection *conn);
/* The body is complete; the request is being answered. */
void ow_conns_answering(struct MHD_Connection *conn);
/* The request is over; the header clock of the next one starts. */
void ow_conns_request_done(struct MHD_Connection *conn);

/* Counters for /metrics. */
unsigned ow_conns_open(void);
unsigned long long ow_conns_refused(void);
/* Refused because their address had per_ip connections open. */
unsigned long long ow_conns_refused_per_ip(void);
unsigned long long ow_conns_timed_out(void);
unsigned long long ow_conns_abandoned(void);
unsigned long long ow_conns_too_slow(void);

#endif
