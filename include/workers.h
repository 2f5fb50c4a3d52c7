/* workers.h — the request workers: a fixed number of threads that run the database part of
 * requests, taken in the order they were handed over. libmicrohttpd's few event threads read
 * and write sockets and never wait for the database; a request whose answer needs a statement
 * is suspended, run here, and resumed (server/http.c). */
#ifndef OW_WORKERS_H
#define OW_WORKERS_H

/* Starts n workers that call run(job) for every job submitted; 0 or -1. */
int ow_workers_start(unsigned n, void (*run)(void *job));
/* Hands job to the next free worker (first come, first served). */
void ow_workers_submit(void *job);
#include "buf.h"

/* Prometheus lines: workers busy and idle, requests waiting for one and the time they
 * waited, requests each worker answered. */
int ow_workers_render_metrics(struct ow_buf *b) OW_WUR;
/* Lets the workers finish the jobs submitted and stops them. */
void ow_workers_stop(void);

#endif
