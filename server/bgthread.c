/* bgthread.c — a thread that runs until it is asked to stop (bgthread.h). */
#include "bgthread.h"

int ow_bgthread_start(struct ow_bgthread *t, void *(*fn)(void *), void *arg)
{
	__atomic_store_n(&t->stop, 0, __ATOMIC_RELEASE);
	if (pthread_create(&t->id, NULL, fn, arg) != 0)
		return -1;
	t->running = 1;
	return 0;
}

int ow_bgthread_stopping(struct ow_bgthread *t)
{
	return __atomic_load_n(&t->stop, __ATOMIC_ACQUIRE);
}

void ow_bgthread_stop(struct ow_bgthread *t)
{
	if (!t->running)
		return;
	__atomic_store_n(&t->stop, 1, __ATOMIC_RELEASE);
	pthread_join(t->id, NULL);
	t->running = 0;
}
