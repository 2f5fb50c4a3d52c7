/* catchup.c — the live stream's catch-up thread (catchup.h): requests queued in order, read one
 * at a time from the change feed on a connection of its own, each answered through done(). */
#include "catchup.h"

#include <libpq-fe.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>
#include <time.h>

#include "changefeed.h"
#include "db.h"
#include "log.h"

struct request {
	STAILQ_ENTRY(request) link; /* in queue */
	void *who;
	long long after;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static STAILQ_HEAD(, request) queue = STAILQ_HEAD_INITIALIZER(queue);
static int stopping, running;
static pthread_t thread;
static char *primary, *replica;
static ow_catchup_done_fn done;
static unsigned long long queries;

int ow_catchup_ask(void *who, long long after)
{
	struct request *q = malloc(sizeof *q);
	if (!q)
		return -1;
	*q = (struct request){.who = who, .after = after};
	pthread_mutex_lock(&lock);
	STAILQ_INSERT_TAIL(&queue, q, link);
	pthread_cond_signal(&wake);
	pthread_mutex_unlock(&lock);
	return 0;
}

static struct request *take(void)
{
	pthread_mutex_lock(&lock);
	while (STAILQ_EMPTY(&queue) && !stopping)
		pthread_cond_wait(&wake, &lock);
	struct request *q = stopping ? NULL : STAILQ_FIRST(&queue);
	if (q)
		STAILQ_REMOVE_HEAD(&queue, link);
	pthread_mutex_unlock(&lock);
	return q;
}

/* The connection: the replica when there is one and it answers, else the primary. */
static PGconn *connect_reader(int *on_replica)
{
	char why[256];
	PGconn *c = NULL;
	if (replica && (c = ow_changefeed_connect(replica, why, sizeof why)) != NULL)
		*on_replica = 1;
	else if ((c = ow_changefeed_connect(primary, why, sizeof why)) != NULL)
		*on_replica = 0;
	else
		ow_log(OW_LOG_WARN, "change stream catch-up: %s", why);
	return c;
}

static void *run(void *arg)
{
	(void)arg;
	PGconn *c = NULL;
	int on_replica = 0;
	struct request *q;
	while ((q = take()) != NULL) {
		if (!c)
			c = connect_reader(&on_replica);
		struct ow_change **page = calloc(OW_CATCHUP_PAGE, sizeof *page);
		int n = c && page ? ow_changefeed_page(c, q->after, OW_CATCHUP_PAGE, page) : -1;
		__atomic_fetch_add(&queries, 1, __ATOMIC_RELAXED);
		if (n == -1 && c && PQstatus(c) != CONNECTION_OK) {
			PQfinish(c);
			c = NULL;
		}
		/* The key was checked on the primary when the stream began: unknown to the primary
		 * now, the log was replaced; to a replica, not replayed yet. */
		if (n < 0) {
			free(page);
			page = NULL;
			n = n == -2 && !on_replica ? OW_CATCHUP_UNKNOWN : OW_CATCHUP_LATER;
		}
		done(q->who, page, n);
		free(q);
		if (n == OW_CATCHUP_LATER && !c) { /* the database is away: not every request now */
			struct timespec pause = {.tv_sec = 1};
			nanosleep(&pause, NULL);
		}
	}
	if (c)
		PQfinish(c);
	return NULL;
}

int ow_catchup_start(const char *primary_url, const char *replica_url, ow_catchup_done_fn fn)
{
	done = fn;
	stopping = 0;
	if (!(primary = strdup(primary_url)) || (replica_url && !(replica = strdup(replica_url))))
		return -1;
	if (pthread_create(&thread, NULL, run, NULL) != 0)
		return -1;
	running = 1;
	return 0;
}

void ow_catchup_stop(void)
{
	if (running) {
		pthread_mutex_lock(&lock);
		stopping = 1;
		pthread_cond_broadcast(&wake);
		pthread_mutex_unlock(&lock);
		pthread_join(thread, NULL);
		running = 0;
	}
	struct request *q;
	while ((q = STAILQ_FIRST(&queue)) != NULL) {
		STAILQ_REMOVE_HEAD(&queue, link);
		done(q->who, NULL, OW_CATCHUP_STOPPED);
		free(q);
	}
	free(primary);
	free(replica);
	primary = replica = NULL;
}

unsigned long long ow_catchup_queries(void)
{
	return __atomic_load_n(&queries, __ATOMIC_RELAXED);
}
