/* conns.c — the registry of open client connections and its watcher thread.
 *
 * libmicrohttpd alone leaves three holes this module closes:
 *  - Over MHD_OPTION_CONNECTION_LIMIT it stops accepting, so excess clients wait in the
 *    kernel's backlog with no answer. Here the accept policy refuses them at once instead
 *    (accepted and closed), and libmicrohttpd's own limit is set above ours.
 *  - Its connection timeout counts inactivity, so a client sending a header byte every few
 *    seconds holds a connection for ever. Here a request's header must be complete within
 *    header_timeout_s of the connection's start (or of the end of its previous request).
 *  - Nothing bounds how slowly a body may arrive: a client sending a byte every few seconds
 *    holds its connection (and an import's transaction) for ever. Here, as Apache's
 *    mod_reqtimeout does (body=20,MinRate=500), a body gets body_timeout_s plus one second
 *    for every min_rate bytes received. Only time spent waiting for the client counts: not
 *    the time the server spends on a chunk (an import waiting for another import's lock),
 *    nor time when unread bytes sit in the socket (the worker thread is busy elsewhere).
 *  - With edge-triggered epoll, a FIN that arrives together with the last bytes of a partial
 *    body raises no further event, so an abandoned upload (and the import transaction it
 *    holds) waits for the timeout. Here a connection whose body has been awaited for a second
 *    is peeked at; if the client has closed or reset it, it is shut down.
 *  - Its per-address limit (MHD_OPTION_PER_IP_CONNECTION_LIMIT) also leaves excess clients
 *    unanswered in the backlog, where they keep every other client out too. Here each
 *    address's open connections are counted (a small hash table, under the registry's
 *    mutex) and one over per_ip is refused at accept. Counted when libmicrohttpd reports
 *    the connection started, so threads accepting at the same instant may let in one each
 *    over the cap; never fewer than the cap.
 * In each case the watcher calls shutdown(2) on the socket, never close(2): libmicrohttpd
 * sees the end of the stream, closes the connection itself and runs the usual completion
 * callbacks (so an import's transaction is rolled back). The registry's mutex is held while
 * doing so, and libmicrohttpd notifies MHD_CONNECTION_NOTIFY_CLOSED (which takes the mutex)
 * before it closes the descriptor, so the watcher never touches a reused descriptor. */
#include "conns.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <pthread.h>
#include <string.h>
#include <sys/ioctl.h>
#include <stdlib.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <time.h>

#include "log.h"

enum phase { PH_HEADER, PH_BODY, PH_ANSWERING };

/* One client address and how many of its connections are open. */
struct addr_count {
	struct addr_count *next;
	unsigned char key[17]; /* family byte, then 4 or 16 address bytes */
	unsigned open;
};

#define ADDR_BUCKETS 1024

struct conn {
	LIST_ENTRY(conn) link;	 /* in open_conns */
	struct addr_count *addr; /* NULL: not counted (address unknown or out of memory) */
	int fd;
	enum phase phase;
	struct timespec since; /* start of the current phase */
	int shut;	       /* shutdown(2) already called */
	/* PH_BODY: bytes received, seconds spent waiting for the client before wait_start,
	 * and whether the server is handling a chunk (busy: the client is not waited for). */
	unsigned long long body_bytes;
	double waited;
	struct timespec wait_start;
	int busy;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static LIST_HEAD(, conn) open_conns = LIST_HEAD_INITIALIZER(open_conns);
static unsigned open_count, max_open, max_per_ip, header_timeout, body_timeout, body_min_rate;
static unsigned long long refused, refused_per_ip, timed_out, abandoned, too_slow;
static struct addr_count *addrs[ADDR_BUCKETS];

/* The key of a client address (1 when it is IPv4 or IPv6, 0 otherwise). An IPv4-mapped IPv6
 * address counts as its IPv4 address. */
static int addr_key(const struct sockaddr *sa, unsigned char key[17])
{
	memset(key, 0, 17);
	if (!sa)
		return 0;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
		key[0] = 4;
		memcpy(key + 1, &in->sin_addr, 4);
		return 1;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
		if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
			key[0] = 4;
			memcpy(key + 1, in6->sin6_addr.s6_addr + 12, 4);
		} else {
			key[0] = 6;
			memcpy(key + 1, in6->sin6_addr.s6_addr, 16);
		}
		return 1;
	}
	return 0;
}

static unsigned addr_bucket(const unsigned char key[17])
{
	uint32_t h = 2166136261u; /* FNV-1a */
	for (int i = 0; i < 17; i++)
		h = (h ^ key[i]) * 16777619u;
	return h % ADDR_BUCKETS;
}

/* The entry of key, or NULL; with create, made when missing (NULL when out of memory).
 * Called with the mutex held. */
static struct addr_count *addr_find(const unsigned char key[17], int create)
{
	unsigned b = addr_bucket(key);
	for (struct addr_count *a = addrs[b]; a; a = a->next)
		if (memcmp(a->key, key, 17) == 0)
			return a;
	if (!create)
		return NULL;
	struct addr_count *a = calloc(1, sizeof *a);
	if (!a)
		return NULL;
	memcpy(a->key, key, 17);
	a->next = addrs[b];
	addrs[b] = a;
	return a;
}

/* One connection of a fewer open; the entry goes when none is left. Mutex held. */
static void addr_release(struct addr_count *a)
{
	if (!a || --a->open > 0)
		return;
	struct addr_count **p = &addrs[addr_bucket(a->key)];
	while (*p && *p != a)
		p = &(*p)->next;
	if (*p)
		*p = a->next;
	free(a);
}
static int running;
static pthread_t watcher;

static double since_s(const struct timespec *t, const struct timespec *now)
{
	return (double)(now->tv_sec - t->tv_sec) + (double)(now->tv_nsec - t->tv_nsec) / 1e9;
}

/* True when bytes the client sent wait unread in the socket (the server is behind). */
static int unread(int fd)
{
	int n = 0;
	return ioctl(fd, FIONREAD, &n) == 0 && n > 0;
}

/* True when the peer has closed or reset the connection and sent nothing still unread. */
static int peer_gone(int fd)
{
	char c;
	ssize_t n = recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
	if (n == 0)
		return 1;
	return n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR;
}

static void check_all(void)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	pthread_mutex_lock(&lock);
	struct conn *c;
	LIST_FOREACH(c, &open_conns, link)
	{
		if (c->shut || c->fd < 0)
			continue;
		double age = since_s(&c->since, &now);
		if (c->phase == PH_HEADER && age > header_timeout) {
			c->shut = 1;
			timed_out++;
			shutdown(c->fd, SHUT_RDWR);
		} else if (c->phase == PH_BODY && age >= 1.0 && peer_gone(c->fd)) {
			c->shut = 1;
			abandoned++;
			shutdown(c->fd, SHUT_RDWR);
		} else if (c->phase == PH_BODY && !c->busy) {
			if (unread(c->fd)) {
				c->wait_start =
					now; /* the server is behind: not the client's time */
				continue;
			}
			double waited = c->waited + since_s(&c->wait_start, &now);
			double allowed =
				(double)body_timeout + (double)c->body_bytes / body_min_rate;
			if (waited > allowed) {
				c->shut = 1;
				too_slow++;
				shutdown(c->fd, SHUT_RDWR);
			}
		}
	}
	pthread_mutex_unlock(&lock);
}

static void *watch(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&lock);
	while (running) {
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += 500 * 1000 * 1000;
		if (until.tv_nsec >= 1000 * 1000 * 1000) {
			until.tv_sec++;
			until.tv_nsec -= 1000 * 1000 * 1000;
		}
		pthread_cond_timedwait(&wake, &lock, &until);
		if (!running)
			break;
		pthread_mutex_unlock(&lock);
		check_all();
		pthread_mutex_lock(&lock);
	}
	pthread_mutex_unlock(&lock);
	return NULL;
}

int ow_conns_start(unsigned max, unsigned per_ip, unsigned header_timeout_s,
		   unsigned body_timeout_s, unsigned body_min_rate_bps)
{
	max_open = max;
	max_per_ip = per_ip ? per_ip : max;
	header_timeout = header_timeout_s;
	body_timeout = body_timeout_s;
	body_min_rate = body_min_rate_bps ? body_min_rate_bps : 1;
	running = 1;
	if (pthread_create(&watcher, NULL, watch, NULL) != 0) {
		running = 0;
		return -1;
	}
	return 0;
}

void ow_conns_stop(void)
{
	pthread_mutex_lock(&lock);
	int was = running;
	running = 0;
	pthread_cond_signal(&wake);
	pthread_mutex_unlock(&lock);
	if (was)
		pthread_join(watcher, NULL);
}

enum MHD_Result ow_conns_accept(void *cls, const struct sockaddr *addr, socklen_t addrlen)
{
	(void)cls;
	(void)addrlen;
	if (__atomic_load_n(&open_count, __ATOMIC_RELAXED) >= max_open) {
		__atomic_fetch_add(&refused, 1, __ATOMIC_RELAXED);
		return MHD_NO;
	}
	unsigned char key[17];
	if (!addr_key(addr, key))
		return MHD_YES;
	pthread_mutex_lock(&lock);
	struct addr_count *a = addr_find(key, 0);
	int over = a && a->open >= max_per_ip;
	if (over)
		refused_per_ip++;
	pthread_mutex_unlock(&lock);
	return over ? MHD_NO : MHD_YES;
}

void ow_conns_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
		     enum MHD_ConnectionNotificationCode code)
{
	(void)cls;
	if (code == MHD_CONNECTION_NOTIFY_STARTED) {
		struct conn *c = calloc(1, sizeof *c);
		const union MHD_ConnectionInfo *ci =
			MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
		if (!c || !ci) {
			free(c); /* untracked: only libmicrohttpd's own timeout applies */
			*socket_context = NULL;
			return;
		}
		c->fd = ci->connect_fd;
		c->phase = PH_HEADER;
		clock_gettime(CLOCK_MONOTONIC, &c->since);
		const union MHD_ConnectionInfo *ai =
			MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
		unsigned char key[17];
		int keyed = ai && addr_key(ai->client_addr, key);
		pthread_mutex_lock(&lock);
		if (keyed && (c->addr = addr_find(key, 1)) != NULL)
			c->addr->open++;
		LIST_INSERT_HEAD(&open_conns, c, link);
		__atomic_fetch_add(&open_count, 1, __ATOMIC_RELAXED);
		pthread_mutex_unlock(&lock);
		*socket_context = c;
		return;
	}
	struct conn *c = *socket_context;
	if (!c)
		return;
	pthread_mutex_lock(&lock);
	LIST_REMOVE(c, link);
	addr_release(c->addr);
	__atomic_fetch_sub(&open_count, 1, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&lock);
	free(c);
	*socket_context = NULL;
}

/* The registry entry of conn, returned with the registry's mutex held and *now read; NULL
 * (mutex not held) for an untracked connection. */
static struct conn *lock_conn(struct MHD_Connection *conn, struct timespec *now)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	struct conn *c = ci ? ci->socket_context : NULL;
	if (!c)
		return NULL;
	clock_gettime(CLOCK_MONOTONIC, now);
	pthread_mutex_lock(&lock);
	return c;
}

static void set_phase(struct MHD_Connection *conn, enum phase p)
{
	struct timespec now;
	struct conn *c = lock_conn(conn, &now);
	if (!c)
		return;
	c->phase = p;
	c->since = now;
	c->body_bytes = 0;
	c->waited = 0;
	c->wait_start = now;
	c->busy = 0;
	pthread_mutex_unlock(&lock);
}

void ow_conns_body_chunk(struct MHD_Connection *conn, size_t n)
{
	struct timespec now;
	struct conn *c = lock_conn(conn, &now);
	if (!c)
		return;
	if (!c->busy)
		c->waited += since_s(&c->wait_start, &now);
	c->busy = 1;
	c->body_bytes += n;
	pthread_mutex_unlock(&lock);
}

void ow_conns_body_waiting(struct MHD_Connection *conn)
{
	struct timespec now;
	struct conn *c = lock_conn(conn, &now);
	if (!c)
		return;
	c->busy = 0;
	c->wait_start = now;
	pthread_mutex_unlock(&lock);
}

void ow_conns_body_awaited(struct MHD_Connection *conn)
{
	set_phase(conn, PH_BODY);
}

void ow_conns_answering(struct MHD_Connection *conn)
{
	set_phase(conn, PH_ANSWERING);
}

void ow_conns_request_done(struct MHD_Connection *conn)
{
	set_phase(conn, PH_HEADER);
}

unsigned ow_conns_open(void)
{
	return __atomic_load_n(&open_count, __ATOMIC_RELAXED);
}

unsigned long long ow_conns_refused(void)
{
	return __atomic_load_n(&refused, __ATOMIC_RELAXED);
}

/* A counter that the lock guards, read under it. */
static unsigned long long locked_count(const unsigned long long *counter)
{
	pthread_mutex_lock(&lock);
	unsigned long long n = *counter;
	pthread_mutex_unlock(&lock);
	return n;
}

unsigned long long ow_conns_refused_per_ip(void)
{
	return locked_count(&refused_per_ip);
}

unsigned long long ow_conns_timed_out(void)
{
	return locked_count(&timed_out);
}

unsigned long long ow_conns_abandoned(void)
{
	return locked_count(&abandoned);
}

unsigned long long ow_conns_too_slow(void)
{
	return locked_count(&too_slow);
}
