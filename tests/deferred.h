/* tests/deferred.h — the writer that deferred work to its end (refs.h,
 * words.h), stood in for by a child process: one that is gone, or one
 * still running; and noted as the one deferring under a meta key. */
#ifndef RP_TEST_DEFERRED_H
#define RP_TEST_DEFERRED_H

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../node/node.h"
#include "../node/store/txn.h"

static pid_t gone_pid(void)
{
	pid_t pid = fork();
	if (pid == 0)
		_exit(0);
	waitpid(pid, NULL, 0);
	return pid;
}

static pid_t live_pid(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		pause();
		_exit(0);
	}
	return pid;
}

static void end_pid(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/* 1 once pid is noted as the writer deferring under key. */
static int note_deferrer(rp_node *n, const char *key, pid_t pid)
{
	rp_txn *txn;
	return rp_store_begin(n->store, 1, &txn) == 0 &&
	       rp_meta_put_u64(n->store, txn, key, (uint64_t)pid) == 0 && rp_txn_commit(n->store, &txn) == 0;
}

#endif
