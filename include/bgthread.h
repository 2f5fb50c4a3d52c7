/* bgthread.h — a thread of its own that runs until it is asked to stop: the answer cache's and
 * the change feed's followers, the read replicas' watcher. Its loop looks at
 * ow_bgthread_stopping between rounds; ow_bgthread_stop asks and waits for it. */
#ifndef OW_BGTHREAD_H
#define OW_BGTHREAD_H

#include <pthread.h>

#include "buf.h"

struct ow_bgthread {
	pthread_t id;
	int running; /* started and not yet joined */
	int stop;    /* asked to stop (atomic) */
};

/* Runs fn(arg) on a new thread for t, which is not running. 0, or -1 when no thread could be
 * made (t stays not running). */
int ow_bgthread_start(struct ow_bgthread *t, void *(*fn)(void *), void *arg) OW_WUR;

/* Whether t has been asked to stop: its own loop's test. */
int ow_bgthread_stopping(struct ow_bgthread *t);

/* Asks t to stop and waits until its function has returned; nothing when t is not running. */
void ow_bgthread_stop(struct ow_bgthread *t);

#endif
