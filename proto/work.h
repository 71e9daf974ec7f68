/* proto/work.h — work split over the cores: n independent items (sign
 * these ops, verify those), taken a few at a time from a shared counter by
 * up to two threads and by the caller, once it needs the result. The
 * caller never waits while there is work left to take, and no third
 * thread crowds two cores. Pure: no I/O, no clock; threads only.
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

#define RP_WORK_THREADS 2
#define RP_WORK_MIN     32     /* fewer items than this: the caller does them all */

typedef struct rp_work {
	void        (*fn)(void *arg, size_t i);
	void         *arg;
	size_t        n;
	atomic_size_t next;        /* the first item nobody took yet */
	pthread_t     t[RP_WORK_THREADS];
	int           running;     /* threads started */
} rp_work;

/* Begin: up to RP_WORK_THREADS threads take items (none when n is below
 * RP_WORK_MIN or no thread can start: rp_work_finish then does them all). */
void rp_work_start(rp_work *w, void (*fn)(void *arg, size_t i), void *arg, size_t n);

/* Take the items left, here, and join the threads: every item is done when
 * it returns. Calling it again does nothing. */
void rp_work_finish(rp_work *w);

/* Both at once: start and finish. */
void rp_work_run(void (*fn)(void *arg, size_t i), void *arg, size_t n);

#endif
