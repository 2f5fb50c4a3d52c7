/* replicas.h — PostgreSQL streaming replicas that take reads (ORGWATCH_REPLICA_URLS): a
 * watcher thread follows each one's health and lag behind the primary; a read goes to one
 * that is up and within ORGWATCH_REPLICA_MAX_LAG, round-robin; one that fails is skipped and
 * comes back by itself once the watcher reaches it again. */
#ifndef OW_REPLICAS_H
#define OW_REPLICAS_H
#include <stddef.h>

#include "buf.h"
#include "config.h"

#define OW_MAX_REPLICAS OW_CONFIG_MAX_REPLICAS

struct ow_config;

/* Takes the replicas of cfg and starts the watcher (nothing when there are none); 0 or -1. */
int ow_replicas_start(const struct ow_config *cfg, const char *primary_url) OW_WUR;
/* Stops the watcher and forgets the replicas. */
void ow_replicas_stop(void);
/* How many replicas are configured. */
int ow_replicas_count(void);
/* A replica fit for a read (up, lag within the limit), taking turns through *cursor; -1
 * when none is. */
int ow_replicas_pick(unsigned *cursor);
/* Replica i's libpq URI. */
const char *ow_replica_url(int i);
/* How long a read waits for a replica to replay the caller's last write (ms). */
unsigned ow_replicas_wait_ms(void);
/* A read was served by replica i (/metrics). */
void ow_replicas_note_read(int i);
/* Replica i could not be reached: no read goes to it until the watcher finds it up. */
void ow_replicas_mark_down(int i);
/* Prometheus lines: orgwatch_replica_up, _lag_seconds, _reads_total by replica. */
int ow_replicas_render_metrics(struct ow_buf *b) OW_WUR;
/* The replicas for /ready: ,"replicas":[{"name","address","state","lag_seconds"}]
 * (nothing when none is configured). */
int ow_replicas_render_ready(struct ow_buf *b) OW_WUR;

#endif
