/* node/node.c — open and close a node, the thread's error message, and the
 * write transaction every change goes through (sign, ingest, rebuild views,
 * commit; grow the map and replay when it fills: rp_txn_rerun). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>
#include <time.h>
#include <stdatomic.h>
#include <sodium.h>

#include "node.h"
#include "store/dirty.h"
#include "store/words.h"
#include "store/ingest.h"
#include "store/authz.h"
#include "erase.h"
#include "store/schema.h"
#include "store/roster.h"
#include "store/index.h"
#include "store/view.h"
#include "../proto/body.h"
#include "store/pending.h"
#include "store/refs.h"
#include "store/delivery.h"
#include "../proto/hlc.h"
#include "../proto/work.h"

static _Thread_local char s_errmsg[512];

const char *rp_errmsg(void)
{
	return s_errmsg;
}

void rp_errclear(void)
{
	s_errmsg[0] = 0;
}

int rp_fail(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s_errmsg, sizeof s_errmsg, fmt, ap);
	va_end(ap);
	return code;
}

int rp_home_default(char *buf, size_t cap)
{
	const char *h = getenv("RAPPORT_HOME"), *x = getenv("XDG_DATA_HOME");
	int n;
	if (h && *h)
		n = snprintf(buf, cap, "%s", h);
	else if (x && *x)
		n = snprintf(buf, cap, "%s/rapport", x);
	else if ((h = getenv("HOME")) && *h)
		n = snprintf(buf, cap, "%s/.local/share/rapport", h);
	else
		return rp_fail(RP_EINVAL, "no home: set RAPPORT_HOME or HOME, or pass --home");
	if (n < 0 || (size_t)n >= cap)
		return rp_fail(RP_EINVAL, "home path too long");
	return 0;
}

/* mkdir -p, the last component 0700. */
static int s_mkdirs(const char *path)
{
	char tmp[RP_PATH_MAX];
	struct stat sb;
	if (snprintf(tmp, sizeof tmp, "%s", path) >= (int)sizeof tmp)
		return RP_EINVAL;
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(tmp, 0700) != 0 && errno != EEXIST)
			return RP_EIO;
		*p = '/';
	}
	if (mkdir(tmp, 0700) != 0 && errno != EEXIST)
		return RP_EIO;
	if (stat(tmp, &sb) != 0 || !S_ISDIR(sb.st_mode))
		return RP_EIO;
	return 0;
}

int rp_init(const char *home, const char *member, const char *team, uint64_t now_ms)
{
	char path[RP_PATH_MAX + 32];
	rp_node *n = NULL;
	rp_write *w = NULL;
	rp_key key;
	int rc;

	rp_errclear();
	if (!member || !rp_member_name_ok(member, strlen(member)))
		return rp_fail(RP_EINVAL, "bad member name '%s': use 1-%d letters, digits, '.', '_' or '-'",
		               member ? member : "", RP_NAME_MAX);
	if (team) {
		json_t *utf8 = json_string(team);     /* NULL unless valid UTF-8 */
		json_decref(utf8);
		if (!*team || strlen(team) > RP_NAME_MAX || !utf8)
			return rp_fail(RP_EINVAL, "bad team name '%s'", team);
	}
	if ((rc = s_mkdirs(home)))
		return rp_fail(rc, "cannot create home %s: %s", home, strerror(errno));
	snprintf(path, sizeof path, "%s/device.key", home);
	rc = rp_key_create(path, &key);
	rp_key_wipe(&key);
	if (rc == RP_EEXIST)
		return rp_fail(rc, "%s already holds a device key: this device is initialised", home);
	if (rc)
		return rp_fail(rc, "cannot write %s: %s", path, strerror(errno));
	if ((rc = rp_node_open(home, &n)))
		return rc;
	rp_node_set_now(n, now_ms);
	if ((rc = rp_write_begin(n, &w)))
		goto out;
	if ((rc = rp_meta_put(n->store, w->txn, "member_name", member, strlen(member))))
		goto out;
	if (team) {
		rp_body_builder b;
		const uint8_t *body;
		size_t len;
		rp_body_init(&b);
		rp_body_put_str(&b, "team", team);
		rp_body_put_str(&b, "member", member);
		rc = rp_body_finish(&b, &body, &len);
		if (!rc)
			rc = rp_write_op(w, NULL, "team.genesis", body, len, NULL);
		rp_body_free(&b);
		if (rc)
			goto out;
	}
	rc = rp_write_commit(&w);
out:
	rp_write_abort(&w);
	rp_node_close(&n);
	return rc;
}

/* A store from before a table's format: upgrade it in one txn (the
 * authority and handovers tables derived, pending ops stamped and counted). */
typedef struct s_upgrade_job {
	int      authority, pending, layout, handovers;
	uint64_t now;
} s_upgrade_job;

static int s_upgrade_run(rp_store *st, rp_txn *txn, void *arg)
{
	const s_upgrade_job *u = arg;
	int rc = u->authority ? rp_authz_rebuild(st, txn) : 0;
	if (rc == 0 && u->authority)
		rc = rp_meta_put_u64(st, txn, "authority", 1);
	if (rc == 0 && u->handovers && (rc = rp_delivery_rebuild(st, txn)) == 0)
		rc = rp_meta_put_u64(st, txn, "handovers", 1);
	if (rc == 0 && u->pending)
		rc = rp_pending_upgrade(st, txn, u->now);
	/* Views laid out by an older rapport lack figures this one reads
	 * (what a customer buys, its cadence, referrals): rebuild them all,
	 * and their indexes from nothing (an older rapport packed them
	 * otherwise: no diff against those). */
	if (rc == 0 && u->layout && (rc = rp_index_clear(st, txn)) == 0 &&
	    (rc = rp_view_mark_all_stale(st, txn)) == 0)
		rc = rp_meta_put_u64(st, txn, "view_layout", RP_VIEW_LAYOUT);
	return rc;
}

static int s_upgrade(rp_node *n, int authority, int pending, int layout, int handovers)
{
	s_upgrade_job u = { authority, pending, layout, handovers, rp_node_now(n) };
	return rp_store_run(n->store, s_upgrade_run, &u);
}

typedef struct s_open_progress {
	rp_open_progress_fn fn;
	void               *arg;
	int                 upgrade;
} s_open_progress;

static void s_on_rebuild(void *arg, uint64_t done, uint64_t total)
{
	const s_open_progress *p = arg;
	p->fn(p->arg, p->upgrade, done, total);
}

int rp_node_open(const char *home, rp_node **out)
{
	return rp_node_open_progress(home, NULL, NULL, out);
}

int rp_node_open_progress(const char *home, rp_open_progress_fn fn, void *arg, rp_node **out)
{
	char path[RP_PATH_MAX + 32];
	rp_node *n;
	int rc;

	rp_errclear();
	rp_view_watch_alloc();
	if (sodium_init() < 0)
		return rp_fail(RP_EIO, "libsodium failed to initialise");
	if (!(n = calloc(1, sizeof *n)))
		return RP_ENOMEM;
	if (snprintf(n->home, sizeof n->home, "%s", home) >= (int)sizeof n->home) {
		free(n);
		return rp_fail(RP_EINVAL, "home path too long");
	}
	snprintf(path, sizeof path, "%s/device.key", home);
	if ((rc = rp_key_load(path, &n->key))) {
		free(n);
		if (rc == RP_ENOKEY)
			return rp_fail(rc, "%s is not initialised: run 'rapport init --name NAME [--team TEAM]'", home);
		return rp_fail(rc, "cannot read the device key %s", path);
	}
	/* Shared while the store is open: an erasure swaps data.mdb only when
	 * it holds the home alone (erase.h). */
	snprintf(path, sizeof path, "%s/home.lock", home);
	n->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (n->lock_fd < 0 || rp_erase_lock_shared(n->lock_fd) != 0) {
		if (n->lock_fd >= 0)
			close(n->lock_fd);
		rp_key_wipe(&n->key);
		free(n);
		return rp_fail(RP_EIO, "cannot lock %s: %s", path, strerror(errno));
	}
	if ((rc = rp_store_open(home, &n->store))) {
		close(n->lock_fd);
		rp_key_wipe(&n->key);
		free(n);
		if (rc == RP_EVERSION)
			return rp_fail(rc, "%s was written by a newer rapport", home);
		return rp_fail(rc, "cannot open the store in %s", home);
	}
	/* A sync killed mid-way leaves views stale: bring them up to date before
	 * anyone reads them (its committed ops are all there). */
	{
		rp_txn *txn;
		size_t stale = 0;
		uint64_t authority = 1, layout = RP_VIEW_LAYOUT, handovers = 1;
		int pending = 0, refs_due = 0, words_due = 0;
		if (rp_store_begin(n->store, 0, &txn) == 0) {
			stale = rp_store_count(txn, n->store->stale);
			refs_due = rp_refs_due(n->store, txn);
			words_due = rp_words_due(n->store, txn);
			rp_meta_get_u64(n->store, txn, "authority", &authority);
			rp_meta_get_u64(n->store, txn, "handovers", &handovers);
			/* no layout recorded: before layouts were, or a new store (no views) */
			if (rp_meta_get_u64(n->store, txn, "view_layout", &layout) != 0)
				layout = rp_store_count(txn, n->store->summaries) ? 1 : 0;
			pending = rp_pending_needs_upgrade(n->store, txn);
			rp_store_end(txn);
		}
		/* A store from before the authority or handovers table or the
		 * pending format: once. */
		if ((authority != 1 || handovers != 1 || pending || layout < RP_VIEW_LAYOUT) &&
		    (rc = s_upgrade(n, authority != 1, pending, layout < RP_VIEW_LAYOUT, handovers != 1))) {
			rp_node_close(&n);
			return rp_fail(rc, "cannot upgrade the store in %s", home);
		}
		if (layout < RP_VIEW_LAYOUT)
			stale = 1;               /* every view, marked above: rebuilt below */
		/* On a full disk the store is still read: views a sync left stale
		 * are rebuilt once there is room again. */
		s_open_progress pr = { fn, arg, layout < RP_VIEW_LAYOUT };
		if (stale && (rc = rp_view_refresh_stale_progress(n->store, NULL, fn ? s_on_rebuild : NULL, &pr)) &&
		    rc != RP_ENOSPC) {
			rp_node_close(&n);
			return rp_fail(rc, "cannot rebuild the views in %s", home);
		}
		/* An import killed before it indexed its ids (refs.h): index them. */
		if (refs_due && (rc = rp_refs_recover(n->store)) && rc != RP_ENOSPC) {
			rp_node_close(&n);
			return rp_fail(rc, "cannot index the ids in %s", home);
		}
		/* ... or its words (words.h). */
		if (words_due && (rc = rp_words_recover(n->store)) && rc != RP_ENOSPC) {
			rp_node_close(&n);
			return rp_fail(rc, "cannot index the words in %s", home);
		}
	}
	/* An erasure a crash or a busy home left undone: finish it now, if
	 * this process holds the home alone (else its holder will). */
	if (rp_erase_pending(n) && (rc = rp_erase_now(n, 0)) && rc != RP_EBUSY && rc != RP_EIO) {
		rp_node_close(&n);
		return rp_fail(rc, "cannot erase dropped data from %s", home);
	}
	*out = n;
	return 0;
}

void rp_node_close(rp_node **n)
{
	if (!n || !*n)
		return;
	rp_store_close(&(*n)->store);
	if ((*n)->lock_fd >= 0)
		close((*n)->lock_fd);
	rp_key_wipe(&(*n)->key);
	free(*n);
	*n = NULL;
}

void rp_node_set_now(rp_node *n, uint64_t now_ms)
{
	n->now_ms = now_ms;
}

void rp_node_set_keep(rp_node *n, int keep)
{
	n->keep = keep;
}

void rp_node_set_scan(rp_node *n, int scan)
{
	n->scan = scan;
}

uint64_t rp_node_now(const rp_node *n)
{
	struct timespec ts;
	if (n->now_ms)
		return n->now_ms;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void rp_node_device_text(const rp_node *n, char out[RP_DEVICE_TEXT + 1])
{
	rp_b32_encode(n->key.pk, RP_DEVICE_LEN, out, RP_DEVICE_TEXT + 1);
}

int rp_node_member(rp_node *n, char *out, size_t cap)
{
	char member[RP_NAME_MAX + 1];
	rp_txn *txn;
	int rc;
	rp_errclear();
	if ((rc = rp_node_read(n, &txn)))
		return rc;
	rc = rp_node_identity(n, txn, NULL, member, NULL);
	rp_store_end(txn);
	if (rc == 0)
		snprintf(out, cap, "%s", member);
	return rc;
}

int rp_node_read(rp_node *n, rp_txn **txn)
{
	int rc = rp_store_begin(n->store, 0, txn);
	return rc ? rp_fail(rc, "cannot read the store in %s", n->home) : 0;
}

int rp_node_identity(rp_node *n, rp_txn *txn, uint8_t team[RP_TEAM_LEN],
                     char member[RP_NAME_MAX + 1], char role[16])
{
	rp_val v;
	if (rp_meta_get(n->store, txn, "team", &v) || v.mv_size != RP_TEAM_LEN)
		return rp_fail(RP_ENOTEAM, "this device is not in a team yet: start one with "
		               "'rapport init --team', or have an admin add it and sync");
	if (team)
		memcpy(team, v.mv_data, RP_TEAM_LEN);
	if (rp_roster_device(n->store, txn, n->key.pk, member, role))
		return rp_fail(RP_ENOTEAM, "this device is not in the team's roster yet");
	return 0;
}

/* ---- the write transaction ------------------------------------------------ */

int rp_write_begin(rp_node *n, rp_write **out)
{
	rp_write *w = calloc(1, sizeof *w);
	int rc;
	rp_errclear();
	if (!w)
		return RP_ENOMEM;
	w->node = n;
	w->q[0].low = w->q[1].low = SIZE_MAX;
	if ((rc = rp_store_begin(n->store, 1, &w->txn))) {
		free(w);
		return rp_fail(rc, "cannot write to the store in %s", n->home);
	}
	if ((rc = rp_meta_get_u64(n->store, w->txn, "hlc", &w->hlc)) ||
	    (rc = rp_store_get_u64(w->txn, n->store->heads, n->key.pk, RP_DEVICE_LEN, &w->seq)))
		goto fail;
	char role[RP_ROLE_MAX + 1] = "";
	w->has_team = rp_node_identity(n, w->txn, w->team, w->member, role) == 0;
	snprintf(w->role, sizeof w->role, "%s", role);
	rp_errclear();
	*out = w;
	return 0;
fail:
	rp_store_end(w->txn);
	free(w);
	return rp_fail(rc, "cannot read the store in %s", n->home);
}

static int s_sign_wait(rp_write *w);

void rp_write_abort(rp_write **w)
{
	if (!w || !*w)
		return;
	rp_store_end((*w)->txn);
	rp_dirty_free(&(*w)->dirty);
	free((*w)->log);
	s_sign_wait(*w);          /* no thread may still sign what is freed */
	for (int i = 0; i < 2; i++) {
		free((*w)->q[i].ops);
		free((*w)->q[i].body);
		free((*w)->q[i].arena);
	}
	free((*w)->signer);
	free(*w);
	*w = NULL;
}

/* The log of the write, ingested again in a fresh txn (rp_txn_rerun). */
static int s_replay_job(rp_store *st, rp_txn *txn, void *arg)
{
	rp_write *w = arg;
	uint64_t clock = 0;
	int rc = 0;
	for (size_t off = 0; off < w->log_len && rc == 0; ) {
		uint32_t len = (uint32_t)rp_be64_get(w->log + off);
		rc = rp_ingest(st, txn, w->log + off + 8, len, RP_INGEST_VERIFIED,
		               &w->dirty, &clock, rp_node_now(w->node));
		off += 8 + len;
		if (rc == RP_EDUP)
			rc = 0;
	}
	return rc;
}

/* The map is full: start again in a bigger map with the same ops. */
static int s_replay(rp_write *w)
{
	int rc;
	/* The views rebuilt on the way went with the txn. (An op ingested
	 * after its account's view was rebuilt marks it again: rp_dirty.) */
	rp_dirty_unsettle(&w->dirty);
	rc = rp_txn_rerun(w->node->store, &w->txn, s_replay_job, w);
	return rc == RP_EIO ? rp_fail(rc, "cannot grow the store in %s", w->node->home) : rc;
}

/* Signing is most of the cost of a large write (an import): ops are queued
 * with their seq and stamp fixed, a batch at a time. A full batch is signed
 * on the spare cores while the one before it is ingested and the next is
 * composed; rp_write_flush signs and ingests what is left, in order. */
#define S_QUEUE_MAX      4096

/* One batch being signed (proto/work.h: two threads, and the writer once
 * it needs the batch). */
typedef struct s_sign_ctx {
	rp_op         *ops;
	const uint8_t *sk;
	atomic_int     rc;          /* the first failure */
} s_sign_ctx;

struct rp_signer {
	rp_work    work;
	s_sign_ctx ctx;
};

static void s_sign_one(void *arg, size_t i)
{
	s_sign_ctx *c = arg;
	int rc;
	if (atomic_load(&c->rc) == 0 && (rc = rp_op_sign(&c->ops[i], c->sk)))
		atomic_store(&c->rc, rc);
}

/* Start signing batch b; s_sign_wait signs the rest and collects the result. */
static int s_sign_start(rp_write *w, rp_wbatch *b)
{
	struct rp_signer *s = w->signer;
	if (!s && !(s = w->signer = calloc(1, sizeof *s)))
		return RP_ENOMEM;
	for (size_t i = 0; i < b->n; i++)      /* bodies live in the arena: fix pointers */
		b->ops[i].body = b->arena + b->body[i];
	s->ctx.ops = b->ops;
	s->ctx.sk = w->node->key.sk;
	atomic_store(&s->ctx.rc, 0);
	rp_work_start(&s->work, s_sign_one, &s->ctx, b->n);
	w->signing = 1;
	return 0;
}

static int s_sign_wait(rp_write *w)
{
	int rc;
	if (!w->signing)
		return 0;
	rp_work_finish(&w->signer->work);
	w->signing = 0;
	if ((rc = atomic_load(&w->signer->ctx.rc)))
		return rp_fail(rc, "cannot sign: %s", rp_strerror(rc));
	return 0;
}

static int s_log_append(rp_write *w, const uint8_t *buf, size_t len)
{
	if (w->log_len + 8 + len > w->log_cap) {
		size_t cap = (w->log_cap ? w->log_cap * 2 : 65536) + len;
		void *p = realloc(w->log, cap);
		if (!p)
			return RP_ENOMEM;
		w->log = p;
		w->log_cap = cap;
	}
	rp_be64_put(w->log + w->log_len, len);
	memcpy(w->log + w->log_len + 8, buf, len);
	w->log_len += 8 + len;
	return 0;
}

size_t rp_write_size(const rp_write *w)
{
	/* ingested, and queued (their bodies) */
	return w->log_len + w->q[0].arena_len + w->q[1].arena_len;
}

/* Ingest the signed batch b, in order; it is empty afterwards. */
static int s_ingest_batch(rp_write *w, rp_wbatch *b)
{
	uint8_t buf[RP_OP_MAX];
	size_t len;
	int rc = 0;
	for (size_t i = 0; i < b->n; i++) {
		rp_op *op = &b->ops[i];
		uint64_t clock = w->hlc;     /* our own op: the clock already moved past it */
		if ((rc = rp_op_encode(op, buf, sizeof buf, &len)) || (rc = s_log_append(w, buf, len))) {
			rc = rp_fail(rc, "cannot encode %s: %s", op->kind, rp_strerror(rc));
			break;
		}
		rc = rp_ingest_local(w->node->store, w->txn, op, buf, len, &w->dirty, &clock,
		                     rp_node_now(w->node));
		if (rp_store_full(rc))
			rc = s_replay(w);       /* replays the log, this op included */
		if (rc == RP_EDENIED && *rp_authz_why())
			rc = rp_fail(rc, "%s refused: %s", op->kind, rp_authz_why());
		else if (rc == RP_EDENIED)
			rc = rp_fail(rc, "%s: your role (%s) does not allow it", op->kind, w->role);
		else if (rc == RP_EEXIST && !strcmp(op->kind, "acct.create"))
			rc = rp_fail(rc, "acct.create refused: that account exists already");
		else if (rc == RP_EFORMAT && rp_schema_why())    /* what every node checks on arrival */
			rc = rp_fail(RP_EINVAL, "%s refused: %s", op->kind, rp_schema_why());
		else if (rc == RP_EFORMAT && *rp_authz_why())
			rc = rp_fail(RP_EINVAL, "%s refused: %s", op->kind, rp_authz_why());
		else if (rc)
			rc = *rp_errmsg() ? rc : rp_fail(rc, "%s refused: %s", op->kind, rp_strerror(rc));
		if (rc)
			break;
	}
	b->n = 0;
	b->arena_len = 0;
	b->low = SIZE_MAX;
	return rc;
}

/* Rebuild the views of dirty accounts [settled, upto) now (rp_dirty.h). */
static int s_settle(rp_write *w, size_t upto)
{
	rp_dirty *d = &w->dirty;
	int rc;
	if (upto > d->n)
		upto = d->n;
	if (upto <= d->settled)
		return 0;
	rc = rp_view_refresh_many(w->node->store, w->txn,
	                          (const uint8_t (*)[RP_ACCOUNT_LEN])d->accts + d->settled,
	                          d->refold + d->settled, upto - d->settled);
	if (rc == 0)
		rp_dirty_settle(d, upto);
	else if (rp_store_full(rc))
		rc = s_replay(w);          /* they are rebuilt at commit instead */
	return rc;
}

/* The views still to rebuild at commit: those never settled, and those
 * touched again after they were. */
static int s_settle_all(rp_write *w)
{
	rp_dirty *d = &w->dirty;
	int rc = 0;
	if (d->nagain) {
		uint8_t (*again)[RP_ACCOUNT_LEN] = malloc(d->nagain * sizeof *again);
		uint8_t *refold = malloc(d->nagain);
		size_t k = 0;
		if (!again || !refold) {
			free(again);
			free(refold);
			return RP_ENOMEM;
		}
		for (size_t i = 0; i < d->settled; i++)
			if (d->again[i]) {
				refold[k] = d->refold[i];
				memcpy(again[k++], d->accts[i], RP_ACCOUNT_LEN);
			}
		rc = rp_view_refresh_many(w->node->store, w->txn, (const uint8_t (*)[RP_ACCOUNT_LEN])again, refold, k);
		free(again);
		free(refold);
	}
	if (rc == 0 && d->n > d->settled)
		rc = rp_view_refresh_many(w->node->store, w->txn,
		                          (const uint8_t (*)[RP_ACCOUNT_LEN])d->accts + d->settled,
		                          d->refold + d->settled, d->n - d->settled);
	return rc;
}

/* The batch being composed is full: it starts signing, and the one signed
 * before it is ingested meanwhile and takes the new ops. */
static int s_rotate(rp_write *w)
{
	int rc = s_sign_wait(w);
	if (rc == 0 && (rc = s_sign_start(w, &w->q[w->fill])) == 0) {
		w->fill = !w->fill;
		rc = s_ingest_batch(w, &w->q[w->fill]);
	}
	/* Every op of the accounts before the first the signing batch touches
	 * is in the store: their views are rebuilt now, while it is signed,
	 * and not all at once at commit with the signers idle. */
	if (rc == 0)
		rc = s_settle(w, w->q[!w->fill].low);
	return rc;
}

int rp_write_flush(rp_write *w)
{
	rp_wbatch *last = &w->q[w->fill];
	int rc = s_sign_wait(w);
	if (rc == 0)
		rc = s_ingest_batch(w, &w->q[!w->fill]);
	if (rc == 0 && last->n && (rc = s_sign_start(w, last)) == 0 && (rc = s_sign_wait(w)) == 0)
		rc = s_ingest_batch(w, last);
	return rc;
}

int rp_write_op(rp_write *w, const uint8_t *acct, const char *kind,
                const uint8_t *body, size_t body_len, uint8_t opid_out[RP_OPID_LEN])
{
	static const uint8_t zero[RP_TEAM_LEN];
	int genesis = !strcmp(kind, "team.genesis");
	uint64_t now;
	rp_wbatch *b;
	rp_op *op;
	int rc;

	if (strlen(kind) > RP_KIND_MAX)
		return rp_fail(RP_EINVAL, "op kind '%s' is too long", kind);
	if (!w->has_team && !genesis)
		return rp_fail(RP_ENOTEAM, "this device is not in a team yet: start one with "
		               "'rapport init --team', or have an admin add it and sync");
	if (body_len > RP_BODY_MAX)
		return rp_fail(RP_ELIMIT, "%s is too large (%zu bytes; the limit is %d)",
		               kind, body_len, RP_BODY_MAX);
	if (rp_body_check(body, body_len) != 0)
		return rp_fail(RP_ELIMIT, "%s: a value is too large or too deeply nested", kind);
	if (w->q[w->fill].n == S_QUEUE_MAX && (rc = s_rotate(w)))
		return rc;
	b = &w->q[w->fill];
	if (b->n == b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 16;
		rp_op *q = realloc(b->ops, cap * sizeof *q);
		size_t *qb = q ? realloc(b->body, cap * sizeof *qb) : NULL;
		if (q)
			b->ops = q;
		if (!q || !qb)
			return RP_ENOMEM;
		b->body = qb;
		b->cap = cap;
	}
	if (b->arena_len + body_len > b->arena_cap) {
		size_t cap = (b->arena_cap ? b->arena_cap * 2 : 65536) + body_len;
		uint8_t *p = realloc(b->arena, cap);
		if (!p)
			return RP_ENOMEM;
		b->arena = p;
		b->arena_cap = cap;
	}
	op = &b->ops[b->n];
	memset(op, 0, sizeof *op);
	op->version = RP_PROTO_VERSION;
	memcpy(op->team, genesis ? zero : w->team, RP_TEAM_LEN);
	memcpy(op->author, w->node->key.pk, RP_DEVICE_LEN);
	op->seq = w->seq + 1;
	now = rp_node_now(w->node);
	/* Our clock ran ahead once (the date was wrong): new ops take the
	 * wall clock again, and status says this device's clock was ahead. */
	if (rp_hlc_ahead(w->hlc, now)) {
		uint64_t ahead = RP_HLC_MS(w->hlc) - now;
		rc = rp_ingest_note_skew(w->node->store, w->txn, w->node->key.pk, ahead);
		if (rp_store_full(rc) && (rc = s_replay(w)) == 0)   /* the note is not in the log */
			rc = rp_ingest_note_skew(w->node->store, w->txn, w->node->key.pk, ahead);
		if (rc)
			return rc;
	}
	op->hlc = rp_hlc_next(w->hlc, now);
	if (acct)
		memcpy(op->account, acct, RP_ACCOUNT_LEN);
	snprintf(op->kind, sizeof op->kind, "%s", kind);
	op->body_len = body_len;
	memcpy(b->arena + b->arena_len, body, body_len);
	b->body[b->n++] = b->arena_len;
	b->arena_len += body_len;
	w->seq = op->seq;
	w->hlc = op->hlc;
	rp_op_id(op, w->last_opid);
	if (opid_out)
		memcpy(opid_out, w->last_opid, RP_OPID_LEN);
	/* The account counts as written from now on (its view is rebuilt by commit). */
	if (acct) {
		size_t pos;
		if ((rc = rp_dirty_add_pos(&w->dirty, acct, &pos)))
			return rc;
		if (pos >= w->dirty.settled && pos < b->low)
			b->low = pos;
	}
	if (genesis) {
		char role[RP_ROLE_MAX + 1] = "";
		if ((rc = rp_write_flush(w)))
			return rc;
		w->has_team = rp_node_identity(w->node, w->txn, w->team, w->member, role) == 0;
		snprintf(w->role, sizeof w->role, "%s", role);
		rp_errclear();
	}
	return 0;
}

int rp_write_commit(rp_write **wp)
{
	rp_write *w = *wp;
	int rc;
	if ((rc = rp_write_flush(w))) {
		rp_write_abort(wp);
		return rc;
	}
	for (;;) {
		rc = s_settle_all(w);
		if (rc == 0)
			rc = rp_meta_put_u64(w->node->store, w->txn, "hlc", w->hlc);
		if (rc == 0 && (rc = rp_txn_commit(w->node->store, &w->txn)) == 0)
			break;
		if (!rp_store_full(rc)) {
			rp_node *n = w->node;
			rp_write_abort(wp);
			if ((rc = rp_store_write_err(n->store, rc)) == RP_ENOSPC)
				return rp_fail(RP_ENOSPC, "the disk holding %s is full: nothing of this was written; "
				               "free some space and try again", n->home);
			return *rp_errmsg() ? rc : rp_fail(rc, "cannot commit to the store: %s", rp_strerror(rc));
		}
		if ((rc = s_replay(w))) {
			rp_write_abort(wp);
			return rc;
		}
	}
	{
		rp_node *n = w->node;
		rp_write_abort(wp);
		/* The write dropped data (a purge, a redaction): off the disk before
		 * the command returns, unless another process holds the home (the
		 * daemon then does it: erase.h). */
		if (rp_erase_pending(n) && (rc = rp_erase_now(n, 200)) && rc != RP_EBUSY)
			return rp_fail(rc, "committed, but cannot erase the dropped data from %s yet: %s",
			               n->home, rp_strerror(rc));
	}
	return 0;
}
