/* proto/work.h — work split over the cores: n independent items (sign
 * these ops, verify those), taken a few at a time from a shared counter by
 * one thread fewer than the machine has cores (at least one, at most
 * RP_WORK_THREADS) and by the caller, once it needs the result. The caller
 * never waits while there is work left to take, and the threads never
 * crowd it off a core while it does other work (on two cores, a second
 * signing thread cost an import a tenth of its time). Pure: no I/O, no
 * clock; threads only.
 *
 *   rp_work w;
 *   rp_work_start(&w, sign_one, ops, n);   // threads begin (if n is large enough)
 *   ... other work ...
 *   rp_work_finish(&w);                     // the caller takes what is left, joins
 *
 * fn(arg, i) is called exactly once for each i in [0, n), from any of the
 * threads; it must touch only item i (and what no other item touches). */
#ifndef RP_WORK_H
#define RP_WORK_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>

#define RP_WORK_THREADS 7      /* the most threads one piece of work starts */
#define RP_WORK_MIN     32     /* fewer items than this: the caller does them all */

typedef struct rp_work {
	void        (*fn)(void *arg, size_t i);
	void         *arg;
	size_t        n;
	atomic_size_t next;        /* the first item nobody took yet */
	pthread_t     t[RP_WORK_THREADS];
	int           running;     /* threads started */
} rp_work;

/* How many threads a piece of work starts: the cores online less one,
 * within [1, RP_WORK_THREADS]. */
int rp_work_threads(void);

/* Begin: up to rp_work_threads() threads take items (none when n is below
 * RP_WORK_MIN or no thread can start: rp_work_finish then does them all). */
void rp_work_start(rp_work *w, void (*fn)(void *arg, size_t i), void *arg, size_t n);

/* Take the items left, here, and join the threads: every item is done when
 * it returns. Calling it again does nothing. */
void rp_work_finish(rp_work *w);

/* Both at once: start and finish. */
void rp_work_run(void (*fn)(void *arg, size_t i), void *arg, size_t n);

#endif
