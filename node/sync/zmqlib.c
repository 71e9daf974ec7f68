/* node/sync/zmqlib.c — libzmq, loaded when a command first talks to a
 * peer (zmqlib.h). */
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "zmqlib.h"
#include "../node.h"
#include "../../proto/error.h"

#define S_LIB "libzmq.so.5"

/* Every libzmq function node/sync calls: its return type, name, parameters,
 * the arguments passed on, and what it returns when libzmq is not there.
 * (zmq_errno and zmq_strerror are below: they answer without it.) */
#define S_FUNCS(X) \
	X(void *,       zmq_ctx_new,        (void), (), NULL) \
	X(int,          zmq_ctx_term,       (void *c), (c), -1) \
	X(int,          zmq_ctx_set,        (void *c, int o, int v), (c, o, v), -1) \
	X(void *,       zmq_socket,         (void *c, int type), (c, type), NULL) \
	X(int,          zmq_close,          (void *s), (s), -1) \
	X(int,          zmq_setsockopt,     (void *s, int o, const void *v, size_t n), (s, o, v, n), -1) \
	X(int,          zmq_getsockopt,     (void *s, int o, void *v, size_t *n), (s, o, v, n), -1) \
	X(int,          zmq_bind,           (void *s, const char *a), (s, a), -1) \
	X(int,          zmq_connect,        (void *s, const char *a), (s, a), -1) \
	X(int,          zmq_socket_monitor, (void *s, const char *a, int e), (s, a, e), -1) \
	X(int,          zmq_send,           (void *s, const void *b, size_t n, int f), (s, b, n, f), -1) \
	X(int,          zmq_recv,           (void *s, void *b, size_t n, int f), (s, b, n, f), -1) \
	X(int,          zmq_poll,           (zmq_pollitem_t *i, int n, long t), (i, n, t), -1) \
	X(int,          zmq_msg_init,       (zmq_msg_t *m), (m), -1) \
	X(int,          zmq_msg_close,      (zmq_msg_t *m), (m), -1) \
	X(int,          zmq_msg_recv,       (zmq_msg_t *m, void *s, int f), (m, s, f), -1) \
	X(void *,       zmq_msg_data,       (zmq_msg_t *m), (m), NULL) \
	X(size_t,       zmq_msg_size,       (const zmq_msg_t *m), (m), 0) \
	X(const char *, zmq_msg_gets,       (const zmq_msg_t *m, const char *p), (m, p), NULL) \
	X(int,          zmq_errno,          (void), (), errno) \
	X(const char *, zmq_strerror,       (int e), (e), strerror(e))

#define S_SLOT(ret, name, params, args, fail) ret (*name) params;
static struct { S_FUNCS(S_SLOT) } s_z;

static pthread_once_t s_once = PTHREAD_ONCE_INIT;
static int  s_loaded;
static char s_why[512];

static void s_load(void)
{
	void *h = dlopen(S_LIB, RTLD_NOW | RTLD_LOCAL), *p;
	const char *missing = NULL;
	if (!h) {
		snprintf(s_why, sizeof s_why, "%s", dlerror());
		return;
	}
#define S_FIND(ret, name, params, args, fail) \
	if (!missing && !(p = dlsym(h, #name))) \
		missing = #name; \
	else if (!missing) \
		memcpy(&s_z.name, &p, sizeof p);
	S_FUNCS(S_FIND)
	if (missing) {
		snprintf(s_why, sizeof s_why, "%s has no %s", S_LIB, missing);
		dlclose(h);
		return;
	}
	s_loaded = 1;
}

static int s_ready(void)
{
	pthread_once(&s_once, s_load);
	return s_loaded;
}

int rp_zmq_load(void)
{
	if (s_ready())
		return 0;
	return rp_fail(RP_EIO, "cannot load ZeroMQ (%s; on Debian: apt-get install libzmq5): %s", S_LIB, s_why);
}

/* zmq_errno and zmq_strerror answer for errno without libzmq. */
#define S_CALL(ret, name, params, args, fail) \
	ret name params \
	{ \
		if (!s_ready()) { \
			if (strcmp(#name, "zmq_errno") && strcmp(#name, "zmq_strerror")) \
				errno = ENOSYS; \
			return fail; \
		} \
		return s_z.name args; \
	}
S_FUNCS(S_CALL)
