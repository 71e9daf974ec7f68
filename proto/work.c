/* proto/work.c — work split over the cores (see work.h). */
#include <unistd.h>

#include "work.h"

#define S_CLAIM 16             /* items a thread takes at a time */

static void s_take(rp_work *w)
{
	for (;;) {
		size_t i = atomic_fetch_add(&w->next, S_CLAIM), end = i + S_CLAIM;
		if (i >= w->n)
			return;
		for (end = end < w->n ? end : w->n; i < end; i++)
			w->fn(w->arg, i);
	}
}

static void *s_thread(void *arg)
{
	s_take(arg);
	return NULL;
}

int rp_work_threads(void)
{
	static atomic_int cached;
	int n = atomic_load(&cached);
	if (n == 0) {
		long cores = sysconf(_SC_NPROCESSORS_ONLN);
		n = cores - 1 > RP_WORK_THREADS ? RP_WORK_THREADS : cores > 1 ? (int)cores - 1 : 1;
		atomic_store(&cached, n);
	}
	return n;
}

void rp_work_start(rp_work *w, void (*fn)(void *arg, size_t i), void *arg, size_t n)
{
	w->fn = fn;
	w->arg = arg;
	w->n = n;
	w->running = 0;
	atomic_store(&w->next, 0);
	int threads = rp_work_threads();
	while (n >= RP_WORK_MIN && w->running < threads &&
	       pthread_create(&w->t[w->running], NULL, s_thread, w) == 0)
		w->running++;
}

void rp_work_finish(rp_work *w)
{
	s_take(w);
	while (w->running > 0)
		pthread_join(w->t[--w->running], NULL);
}

void rp_work_run(void (*fn)(void *arg, size_t i), void *arg, size_t n)
{
	rp_work w;
	rp_work_start(&w, fn, arg, n);
	rp_work_finish(&w);
}
