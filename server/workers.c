/* workers.c — the request workers (see workers.h): a FIFO of jobs under one mutex and n
 * threads that take them in order. A worker that finds the queue empty sleeps on the condition
 * variable; one job wakes one worker. */
#include "workers.h"

#include "buf.h"

#include <pthread.h>
#include <stdlib.h>
#include <sys/queue.h>
#include <time.h>

struct job {
	void *job;
	STAILQ_ENTRY(job) link; /* in queue */
	struct timespec since;	/* submitted */
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t more = PTHREAD_COND_INITIALIZER;
static STAILQ_HEAD(, job) queue = STAILQ_HEAD_INITIALIZER(queue);
static unsigned queued, nthreads, busy;
static unsigned long long done, *done_by; /* in all, and by each worker */
static double waited;			  /* seconds jobs spent in the queue */
static int stopping;
static pthread_t *threads;
static void (*run_job)(void *job);

static double since(const struct timespec *t0)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t0->tv_sec) + (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
}

static void *work(void *arg)
{
	unsigned me = (unsigned)(size_t)arg;
	pthread_mutex_lock(&lock);
	for (;;) {
		while (STAILQ_EMPTY(&queue) && !stopping)
			pthread_cond_wait(&more, &lock);
		struct job *j = STAILQ_FIRST(&queue);
		if (!j)
			break; /* stopping, nothing left */
		STAILQ_REMOVE_HEAD(&queue, link);
		queued--;
		busy++;
		waited += since(&j->since);
		pthread_mutex_unlock(&lock);
		run_job(j->job);
		free(j);
		pthread_mutex_lock(&lock);
		busy--;
		done++;
		done_by[me]++;
	}
	pthread_mutex_unlock(&lock);
	return NULL;
}

int ow_workers_start(unsigned n, void (*run)(void *job))
{
	run_job = run;
	stopping = 0;
	threads = calloc(n ? n : 1, sizeof *threads);
	done_by = calloc(n ? n : 1, sizeof *done_by);
	if (!threads || !done_by) {
		free(threads);
		free(done_by);
		return -1;
	}
	for (nthreads = 0; nthreads < (n ? n : 1); nthreads++)
		if (pthread_create(&threads[nthreads], NULL, work, (void *)(size_t)nthreads) != 0) {
			ow_workers_stop();
			return -1;
		}
	return 0;
}

void ow_workers_submit(void *job)
{
	struct job *j = malloc(sizeof *j);
	if (!j) { /* no memory for the queue: run it here rather than lose it */
		run_job(job);
		return;
	}
	j->job = job;
	clock_gettime(CLOCK_MONOTONIC, &j->since);
	pthread_mutex_lock(&lock);
	STAILQ_INSERT_TAIL(&queue, j, link);
	queued++;
	pthread_cond_signal(&more);
	pthread_mutex_unlock(&lock);
}

int ow_workers_render_metrics(struct ow_buf *b)
{
	pthread_mutex_lock(&lock);
	int rc = ow_buf_appendf(
		b,
		"# HELP orgwatch_workers Request workers (ORGWATCH_DB_CONNECTIONS), by state.\n"
		"# TYPE orgwatch_workers gauge\n"
		"orgwatch_workers{state=\"busy\"} %u\n"
		"orgwatch_workers{state=\"idle\"} %u\n"
		"# HELP orgwatch_workers_queued Requests waiting for a worker now.\n"
		"# TYPE orgwatch_workers_queued gauge\n"
		"orgwatch_workers_queued %u\n"
		"# HELP orgwatch_workers_wait_seconds_total Time requests waited for a worker.\n"
		"# TYPE orgwatch_workers_wait_seconds_total counter\n"
		"orgwatch_workers_wait_seconds_total %.6f\n"
		"# HELP orgwatch_worker_requests_total Requests each worker answered.\n"
		"# TYPE orgwatch_worker_requests_total counter\n",
		busy, nthreads - busy, queued, waited);
	for (unsigned i = 0; i < nthreads; i++)
		rc |= ow_buf_appendf(b, "orgwatch_worker_requests_total{worker=\"%u\"} %llu\n", i,
				     done_by[i]);
	pthread_mutex_unlock(&lock);
	return rc ? -1 : 0;
}

void ow_workers_stop(void)
{
	pthread_mutex_lock(&lock);
	stopping = 1;
	pthread_cond_broadcast(&more);
	pthread_mutex_unlock(&lock);
	for (unsigned i = 0; i < nthreads; i++)
		pthread_join(threads[i], NULL);
	free(threads);
	free(done_by);
	threads = NULL;
	done_by = NULL;
	nthreads = 0;
}
