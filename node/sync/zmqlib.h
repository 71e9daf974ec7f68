/* node/sync/zmqlib.h — libzmq, loaded by the commands that talk to peers
 * and by no other. Linking it costs every process the dynamic linking of
 * libzmq and what it pulls in (libstdc++, krb5, gssapi, pgm, norm): about
 * 6 ms on each command, most of which never opens a socket. zmqlib.c
 * defines the zmq_* functions node/sync calls; the first call loads
 * libzmq.so.5 (dlopen) and forwards to it, as every later one does.
 *
 * Before it is loaded, or when it cannot be, each of them fails as libzmq
 * would (NULL or -1, errno ENOSYS); rp_zmq_load says why, once, before the
 * first socket, so a missing library is a clear error and not a failed
 * call deep in a sync. */
#ifndef RP_ZMQLIB_H
#define RP_ZMQLIB_H

#include <zmq.h>

/* Load libzmq (once; the later calls return what the first did).
 * Returns 0 or RP_EIO with rp_errmsg naming the library and what failed. */
int rp_zmq_load(void);

#endif
