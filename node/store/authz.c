/* node/store/authz.c — the write permissions of authz.h, judged from the
 * authority table and the roster. Must never accept an op on the word of
 * the op itself: who owns, who follows, who logged what come from ops
 * already accepted here. */
#include <stdio.h>
#include <string.h>

#include "authz.h"
#include "roster.h"
#include "ingest.h"
#include "../../proto/error.h"
#include "../../proto/id.h"

static _Thread_local char s_why[RP_NAME_MAX * 2 + 96];

const char *rp_authz_why(void)
{
	return s_why;
}

#define S_KEY_LEN RP_ACCT_KEY_LEN       /* account ‖ hlc ‖ op id, as acct_ops */

/* What the authority table says at one place of an account's history. */
typedef struct s_state {
	int  creates;                       /* acct.create ops known, anywhere */
	int  same_create;                   /* ... one of them is this very op */
	int  owned;                         /* an owner is known at the place */
	char owner[RP_NAME_MAX + 1];
	char first_owner[RP_NAME_MAX + 1];  /* for ops dated before the create */
	int  follows;                       /* member's last follow before the place */
	int  ever_owned;                    /* member owned it at some place up to here */
	int  prev_made_owner;               /* the entry named prev made member the owner */
} s_state;

static int s_is_member(const char *val, size_t n, const char *member)
{
	return n == strlen(member) && !memcmp(val, member, n);
}

static int s_state_at(rp_store *st, MDB_txn *txn, const uint8_t key[S_KEY_LEN],
                      const char *member, const uint8_t *prev, s_state *s)
{
	MDB_cursor *c;
	MDB_val k = { RP_ACCOUNT_LEN, (void *)key }, v;
	int rc;
	memset(s, 0, sizeof *s);
	if ((rc = mdb_cursor_open(txn, st->authority, &c)))
		return rp_store_err(rc);
	for (rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == 0;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		const char *val = v.mv_data;
		int before;
		size_t n;
		if (k.mv_size != S_KEY_LEN || memcmp(k.mv_data, key, RP_ACCOUNT_LEN) || v.mv_size < 1)
			break;
		before = memcmp(k.mv_data, key, S_KEY_LEN) < 0;
		n = v.mv_size - 1;
		if (prev && (val[0] == 'c' || val[0] == 'a') && s_is_member(val + 1, n, member) &&
		    !memcmp((const uint8_t *)k.mv_data + RP_ACCOUNT_LEN + 8, prev, RP_OPID_LEN))
			s->prev_made_owner = 1;
		if (val[0] == 'c') {
			s->creates++;
			if (!memcmp(k.mv_data, key, S_KEY_LEN))
				s->same_create = 1;
			if (s->creates == 1 && n <= RP_NAME_MAX)
				snprintf(s->first_owner, sizeof s->first_owner, "%.*s", (int)n, val + 1);
		}
		if (!before)
			continue;
		if ((val[0] == 'c' || val[0] == 'a') && n <= RP_NAME_MAX) {
			snprintf(s->owner, sizeof s->owner, "%.*s", (int)n, val + 1);
			s->owned = 1;
			s->ever_owned |= s_is_member(val + 1, n, member);
		} else if (val[0] == 'f' && n >= 1 && n - 1 == strlen(member) &&
		           !memcmp(val + 2, member, n - 1)) {
			s->follows = val[1] == '1';
		}
	}
	mdb_cursor_close(c);
	if (rc != MDB_NOTFOUND && rc != 0)
		return rp_store_err(rc);
	if (!s->owned && s->creates) {
		memcpy(s->owner, s->first_owner, sizeof s->owner);
		s->owned = 1;
		s->ever_owned = !strcmp(s->owner, member);
	}
	return 0;
}

static int s_deny(const char *member, const char *role, const char *what)
{
	snprintf(s_why, sizeof s_why, "%s (%s) %s", member, role, what);
	return RP_EDENIED;
}

/* The member of the device that logged the target interaction. */
static int s_target_member(rp_store *st, MDB_txn *txn, const rp_body *body, const char *key,
                           char member[RP_NAME_MAX + 1])
{
	const uint8_t *target;
	if (!body || !body->map || rp_body_bin(body, key, &target, RP_OPID_LEN))
		return RP_ENOTFOUND;
	return rp_roster_device(st, txn, target, member, NULL);   /* the op id starts with its author */
}

int rp_authz_check(rp_store *st, MDB_txn *txn, const rp_op *op, const rp_body *body)
{
	static const uint8_t zero[RP_ACCOUNT_LEN];
	char member[RP_NAME_MAX + 1], role[RP_ROLE_MAX + 1];
	uint8_t key[S_KEY_LEN], opid[RP_OPID_LEN];
	const char *k = op->kind;
	int priv, owner, rc;
	s_state s;

	s_why[0] = 0;
	if ((rc = rp_roster_device(st, txn, op->author, member, role)))
		return rc;
	if (!memcmp(op->account, zero, RP_ACCOUNT_LEN))
		return 0;                        /* team scope: roster.c and redact rules */
	if (!strcmp(k, "redact"))
		return 0;                        /* ingest checks each target's author */
	if (!strcmp(role, "hub"))
		return s_deny(member, role, "is a relay: a hub writes no account data");
	priv = !strcmp(role, "admin") || !strcmp(role, "manager");
	rp_op_id(op, opid);
	rp_acct_key(key, op->account, op->hlc, opid);
	{
		const uint8_t *prev = NULL;
		if (!strcmp(k, "acct.assign") && op->body && rp_body_bin(body, "prev", &prev, RP_OPID_LEN))
			prev = NULL;
		if ((rc = s_state_at(st, txn, key, member, prev, &s)))
			return rc;
	}
	owner = s.owned && !strcmp(s.owner, member);

	if (!strcmp(k, "acct.create")) {
		if (s.creates && !s.same_create) {
			snprintf(s_why, sizeof s_why, "the account exists already");
			return RP_EEXIST;
		}
		return 0;
	}
	if (!strcmp(k, "acct.assign")) {
		const char *p;
		size_t n;
		char to[RP_NAME_MAX + 1];
		if (op->body) {
			if (rp_body_str(body, "to", &p, &n) || n == 0 || n > RP_NAME_MAX)
				return RP_EFORMAT;
			snprintf(to, sizeof to, "%.*s", (int)n, p);
			if (rp_roster_member(st, txn, to, NULL)) {
				snprintf(s_why, sizeof s_why, "'%s' is not a member", to);
				return RP_EFORMAT;
			}
		}
		/* A device that holds none of the account's history cannot know
		 * who owned it: the nodes holding it decided, and we keep it. An
		 * owner's handover that crossed another names, as prev, the op
		 * that made it the owner. */
		if (!s.creates || priv || owner || s.prev_made_owner)
			return 0;
		return s_deny(member, role, "does not own it, so cannot hand it over");
	}
	if (!s.creates) {
		snprintf(s_why, sizeof s_why, "the account is not known here yet");
		return RP_ENOTFOUND;
	}
	if (!strcmp(k, "acct.follow")) {
		const char *p;
		size_t n;
		int on = 1;
		if (priv || owner)
			return 0;
		if (op->body && rp_body_str(body, "member", &p, &n) == 0 && n == strlen(member) &&
		    !memcmp(p, member, n) && rp_body_bool(body, "follow", &on) == 0 && !on)
			return 0;                /* anyone may stop following */
		return s_deny(member, role, "does not own it, so cannot add followers");
	}
	/* A former owner's offline work dated after a handover it had not
	 * seen is kept: its device stops writing once it sees the handover,
	 * and a hostile one could as well date its ops before it. */
	if (priv || owner || s.ever_owned)
		return 0;
	if (!strcmp(k, "ix.amend") || !strcmp(k, "ix.retract")) {
		char logger[RP_NAME_MAX + 1];
		if (s_target_member(st, txn, op->body ? body : NULL, "ix", logger) == 0 &&
		    !strcmp(logger, member))
			return 0;
		return s_deny(member, role, "neither owns the account nor logged that interaction");
	}
	if (s.follows)
		return 0;
	return s_deny(member, role, "neither owns nor follows it");
}

int rp_authz_note(rp_store *st, MDB_txn *txn, const rp_op *op, const rp_body *body,
                  const uint8_t opid[RP_OPID_LEN])
{
	static const uint8_t zero[RP_ACCOUNT_LEN];
	uint8_t key[S_KEY_LEN];
	char val[2 + RP_NAME_MAX + 1];
	const char *p = NULL;
	size_t n = 0, vl;
	int on = 0;
	MDB_val mk = { S_KEY_LEN, key }, mv;

	if (!memcmp(op->account, zero, RP_ACCOUNT_LEN))
		return 0;
	if (!strcmp(op->kind, "acct.create")) {
		char member[RP_NAME_MAX + 1] = "";
		/* The named owner, else the creator's member (a redacted create too). */
		if (!op->body || rp_body_str(body, "owner", &p, &n) || n == 0 || n > RP_NAME_MAX) {
			rp_roster_device(st, txn, op->author, member, NULL);
			p = member;
			n = strlen(member);
		}
		vl = (size_t)snprintf(val, sizeof val, "c%.*s", (int)n, p);
	} else if (!strcmp(op->kind, "acct.assign")) {
		if (!op->body || rp_body_str(body, "to", &p, &n) || n == 0 || n > RP_NAME_MAX)
			return 0;
		vl = (size_t)snprintf(val, sizeof val, "a%.*s", (int)n, p);
	} else if (!strcmp(op->kind, "acct.follow")) {
		if (!op->body || rp_body_str(body, "member", &p, &n) || n == 0 || n > RP_NAME_MAX ||
		    rp_body_bool(body, "follow", &on))
			return 0;
		vl = (size_t)snprintf(val, sizeof val, "f%c%.*s", on ? '1' : '0', (int)n, p);
	} else {
		return 0;
	}
	rp_acct_key(key, op->account, op->hlc, opid);
	mv = (MDB_val){ vl, val };
	return rp_store_err(mdb_put(txn, st->authority, &mk, &mv, 0));
}

int rp_authz_rebuild(rp_store *st, MDB_txn *txn)
{
	MDB_cursor *c;
	MDB_val k, v;
	int rc;
	if ((rc = mdb_drop(txn, st->authority, 0)))
		return rp_store_err(rc);
	if ((rc = mdb_cursor_open(txn, st->ops, &c)))
		return rp_store_err(rc);
	for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0;
	     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
		rp_op op;
		rp_body b = { .map = NULL };
		uint8_t opid[RP_OPID_LEN];
		int r;
		if (rp_op_decode(v.mv_data, v.mv_size, &op) ||
		    (strcmp(op.kind, "acct.create") && strcmp(op.kind, "acct.assign") &&
		     strcmp(op.kind, "acct.follow")))
			continue;
		msgpack_unpacked_init(&b.up);
		if (op.body && rp_body_parse(&b, op.body, op.body_len)) {
			rp_body_done(&b);
			continue;
		}
		rp_op_id(&op, opid);
		r = rp_authz_note(st, txn, &op, &b, opid);
		rp_body_done(&b);
		if (r) {
			mdb_cursor_close(c);
			return r;
		}
	}
	mdb_cursor_close(c);
	return rc == MDB_NOTFOUND ? 0 : rp_store_err(rc);
}
