/* node/sync/peer.c — the peers this node syncs with: names for endpoints and
 * pinned device ids (`rapport peer add`), and what the last sync with each
 * did. The cursors themselves live in their own table, written by sessions. */
#include <ctype.h>
#include <string.h>

#include "../node.h"
#include "peer.h"
#include "../store/roster.h"
#include "../store/txn.h"
#include "../text/when.h"
#include "served.h"
#include "../../proto/error.h"

static json_t *s_load(rp_txn *txn, MDB_dbi dbi, const uint8_t dev[RP_DEVICE_LEN])
{
	rp_val v;
	if (rp_store_get(txn, dbi, dev, RP_DEVICE_LEN, &v))
		return NULL;
	return json_loadb(v.mv_data, v.mv_size, 0, NULL);
}

static int s_store(rp_txn *txn, MDB_dbi dbi, const uint8_t dev[RP_DEVICE_LEN], json_t *j)
{
	char *text = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	int rc;
	if (!text)
		return RP_ENOMEM;
	rc = rp_store_err(rp_store_put(txn, dbi, dev, RP_DEVICE_LEN, text, strlen(text)));
	free(text);
	return rc;
}

/* tcp://HOST:PORT with a port in 1..65535; HOST a name, IPv4 or [IPv6] or *. */
int rp_endpoint_ok(const char *ep)
{
	const char *host, *colon;
	char *end;
	long port;
	if (!ep || strncmp(ep, "tcp://", 6) != 0 || strlen(ep) > 255)
		return 0;
	host = ep + 6;
	colon = strrchr(host, ':');
	if (!colon || colon == host)
		return 0;
	for (const char *p = host; p < colon; p++)
		if (!isalnum((unsigned char)*p) && !strchr(".-_[]:*", *p))
			return 0;
	port = strtol(colon + 1, &end, 10);
	return *end == 0 && port > 0 && port < 65536 && colon[1] != '+' && colon[1] != '-';
}

typedef struct s_peer_set {
	const char    *name, *endpoint;
	const uint8_t *device;
} s_peer_set;

/* Another peer holding the name ps->name lets go of it (every peer, when
 * ps->device is NULL); found says whether one did. */
typedef struct s_rename {
	const s_peer_set *ps;
	rp_txn          *txn;
	rp_store         *st;
	int              found;
} s_rename;

static int s_rename_one(void *arg, const rp_val *k, const rp_val *v)
{
	s_rename *r = arg;
	json_t *o = json_loadb(v->mv_data, v->mv_size, 0, NULL);
	const char *on = json_string_value(json_object_get(o, "name"));
	int rc = 0;
	if (on && !strcmp(on, r->ps->name) && k->mv_size == RP_DEVICE_LEN &&
	    (!r->ps->device || memcmp(k->mv_data, r->ps->device, RP_DEVICE_LEN))) {
		json_object_del(o, "name");
		json_object_del(o, "endpoint");
		rc = s_store(r->txn, r->st->peers, k->mv_data, o);
		r->found = 1;
	}
	json_decref(o);
	return rc;
}

/* One name, one peer: a name given again moves to the new device. */
static int s_peer_add_run(rp_store *st, rp_txn *txn, void *arg)
{
	const s_peer_set *ps = arg;
	s_rename r = { ps, txn, st, 0 };
	json_t *p;
	int rc;
	if ((rc = rp_store_scan(txn, st->peers, NULL, 0, s_rename_one, &r)))
		return rc;
	if (!(p = s_load(txn, st->peers, ps->device)))
		p = json_object();
	json_object_set_new(p, "name", json_string(ps->name));
	json_object_set_new(p, "endpoint", json_string(ps->endpoint));
	rc = s_store(txn, st->peers, ps->device, p);
	json_decref(p);
	return rc;
}

int rp_peer_add(rp_node *n, const char *name, const char *endpoint,
                const uint8_t device[RP_DEVICE_LEN])
{
	s_peer_set ps = { name, endpoint, device };
	int rc;
	rp_errclear();
	if (!name || !rp_member_name_ok(name, strlen(name)))
		return rp_fail(RP_EINVAL, "bad peer name '%s': use letters, digits, '.', '_' or '-'", name ? name : "");
	if (!rp_endpoint_ok(endpoint))
		return rp_fail(RP_EINVAL, "bad endpoint '%s': use tcp://HOST:PORT", endpoint ? endpoint : "");
	if (!memcmp(device, n->key.pk, RP_DEVICE_LEN))
		return rp_fail(RP_EINVAL, "that is this device's own id");
	rc = rp_store_run(n->store, s_peer_add_run, &ps);
	return rc ? rp_fail(rc, "cannot store the peer in %s: %s", n->home, rp_strerror(rc)) : 0;
}

/* Every device holding the name lets go of it (s_rename_one with no device
 * kept): it stays in the list as a device that synced with us, its cursor
 * kept. */
static int s_peer_remove_run(rp_store *st, rp_txn *txn, void *arg)
{
	s_rename *r = arg;
	r->txn = txn;
	r->st = st;
	r->found = 0;
	return rp_store_scan(txn, st->peers, NULL, 0, s_rename_one, r);
}

int rp_peer_remove(rp_node *n, const char *name)
{
	s_peer_set ps = { name, NULL, NULL };
	s_rename r = { &ps, NULL, NULL, 0 };
	int rc;
	rp_errclear();
	if ((rc = rp_store_run(n->store, s_peer_remove_run, &r)))
		return rp_fail(rc, "cannot remove the peer in %s: %s", n->home, rp_strerror(rc));
	return r.found ? 0 : rp_fail(RP_ENOTFOUND, "no peer named '%s' (see 'rapport peer list')", name);
}

typedef struct s_find {
	const char *name;
	char       *endpoint;
	size_t      cap;
	uint8_t    *device;
	int         found;
} s_find;

static int s_find_one(void *arg, const rp_val *k, const rp_val *v)
{
	s_find *f = arg;
	json_t *o = json_loadb(v->mv_data, v->mv_size, 0, NULL);
	const char *on = json_string_value(json_object_get(o, "name"));
	const char *ep = json_string_value(json_object_get(o, "endpoint"));
	if (on && ep && !strcmp(on, f->name) && k->mv_size == RP_DEVICE_LEN) {
		snprintf(f->endpoint, f->cap, "%s", ep);
		memcpy(f->device, k->mv_data, RP_DEVICE_LEN);
		f->found = 1;
	}
	json_decref(o);
	return f->found ? RP_STORE_STOP : 0;
}

int rp_peer_find(rp_node *n, const char *name, char *endpoint, size_t cap,
                 uint8_t device[RP_DEVICE_LEN])
{
	s_find f = { name, endpoint, cap, device, 0 };
	rp_txn *txn;
	int rc;
	if ((rc = rp_node_read(n, &txn)))
		return rc;
	rp_store_scan(txn, n->store->peers, NULL, 0, s_find_one, &f);
	rp_store_end(txn);
	return f.found ? 0 : rp_fail(RP_ENOTFOUND, "no peer named '%s' (see 'rapport peer list')", name);
}

typedef struct s_list {
	rp_txn  *txn;
	rp_store *st;
	json_t   *list;
	json_t   *daemon;     /* what the daemon says of the peers it dials, or NULL */
	rp_node  *node;
} s_list;

/* What the daemon says of its syncs with the peer called name (a JSON
 * string, or null) on device id: {state, retry_at, retry_in_s, failures,
 * last, refusal (null, "revoked" or "not a member": the state "refused")},
 * or null when it says nothing of it. */
static json_t *s_daemon_word(const s_list *l, const json_t *name, const char *id)
{
	json_t *d;
	size_t i;
	json_array_foreach(l->daemon, i, d) {
		const char *dev = json_string_value(json_object_get(d, "device"));
		const char *ra = json_string_value(json_object_get(d, "retry_at"));
		uint64_t at, now = rp_node_now(l->node);
		json_t *in;
		/* by its name; a device found on the LAN (no name here) by its id */
		if (!dev || strcmp(dev, id) || (!json_equal(json_object_get(d, "name"), name) &&
		    !(json_is_null(name) && json_is_true(json_object_get(d, "found")))))
			continue;
		in = ra && rp_when_parse_iso(ra, &at) == 0
		   ? json_integer((json_int_t)(at > now ? (at - now + 999) / 1000 : 0)) : json_null();
		return json_pack("{sOsOsosOsOsO?}", "state", json_object_get(d, "state"),
		                 "retry_at", json_object_get(d, "retry_at"), "retry_in_s", in,
		                 "failures", json_object_get(d, "failures"), "last", json_object_get(d, "last"),
		                 "refusal", json_object_get(d, "refusal"));
	}
	return json_null();
}

static int s_list_one(void *arg, const rp_val *k, const rp_val *v)
{
	s_list *l = arg;
	json_t *o = json_loadb(v->mv_data, v->mv_size, 0, NULL);
	char id[RP_DEVICE_TEXT + 1];
	uint64_t cursor = 0;
	if (!o || k->mv_size != RP_DEVICE_LEN) {
		json_decref(o);
		return 0;
	}
	rp_b32_encode(k->mv_data, RP_DEVICE_LEN, id, sizeof id);
	rp_store_get_u64(l->txn, l->st->cursors, k->mv_data, RP_DEVICE_LEN, &cursor);
	json_object_set_new(o, "device", json_string(id));
	json_object_set_new(o, "cursor", json_integer((json_int_t)cursor));
	if (!json_object_get(o, "name"))
		json_object_set_new(o, "name", json_null());
	if (!json_object_get(o, "endpoint"))
		json_object_set_new(o, "endpoint", json_null());
	{
		char member[RP_NAME_MAX + 1] = "";
		rp_roster_device(l->st, l->txn, k->mv_data, member, NULL);
		json_object_set_new(o, "member", *member ? json_string(member) : json_null());
		/* a revoked device is no peer any more, whatever its last sync said */
		json_object_set_new(o, "revoked", json_boolean(rp_roster_revoked(l->st, l->txn, k->mv_data)));
	}
	json_object_set_new(o, "daemon", s_daemon_word(l, json_object_get(o, "name"), id));
	return json_array_append_new(l->list, o) ? RP_ENOMEM : 0;
}

/* The peers, each with daemon (what it says of them, or null). Takes daemon. */
static int s_peer_list(rp_node *n, json_t *daemon, json_t **out)
{
	s_list l = { NULL, n->store, json_array(), daemon, n };
	int rc;
	rp_errclear();
	if (!l.list) {
		json_decref(l.daemon);
		return RP_ENOMEM;
	}
	if ((rc = rp_node_read(n, &l.txn))) {
		json_decref(l.daemon);
		json_decref(l.list);
		return rc;
	}
	rc = rp_store_scan(l.txn, n->store->peers, NULL, 0, s_list_one, &l);
	rp_store_end(l.txn);
	json_decref(l.daemon);
	if (rc) {
		json_decref(l.list);
		return rc;
	}
	*out = l.list;
	return 0;
}

int rp_peer_list(rp_node *n, json_t **out)
{
	return s_peer_list(n, rp_served_says(n), out);
}

int rp_peer_list_stored(rp_node *n, json_t **out)
{
	return s_peer_list(n, NULL, out);
}

typedef struct s_peer_note {
	const uint8_t *device;
	const char    *endpoint, *result;
	uint64_t       sent, received, now;
} s_peer_note;

static int s_peer_record_run(rp_store *st, rp_txn *txn, void *arg)
{
	const s_peer_note *pn = arg;
	json_t *p = s_load(txn, st->peers, pn->device);
	char when[32];
	int rc;
	if (!p)
		p = json_object();
	if (pn->endpoint && !json_object_get(p, "endpoint"))
		json_object_set_new(p, "endpoint", json_string(pn->endpoint));
	json_object_set_new(p, "last_sync", json_string(rp_when_iso(pn->now, when, sizeof when)));
	json_object_set_new(p, "last_sent", json_integer((json_int_t)pn->sent));
	json_object_set_new(p, "last_received", json_integer((json_int_t)pn->received));
	json_object_set_new(p, "last_result", json_string(pn->result));
	rc = s_store(txn, st->peers, pn->device, p);
	json_decref(p);
	return rc;
}

/* 1 if the record of device already says what a sync that moved nothing
 * would say, written less than RP_PEER_QUIET_MS ago: the daemon's syncs
 * every few seconds do not each cost a write to the disk. */
static int s_peer_quiet(rp_node *n, const s_peer_note *pn)
{
	rp_txn *txn;
	json_t *p;
	uint64_t at = 0;
	int quiet = 0;
	if (pn->sent || pn->received || strcmp(pn->result, "ok") || rp_node_read(n, &txn))
		return 0;
	if ((p = s_load(txn, n->store->peers, pn->device))) {
		const char *last = json_string_value(json_object_get(p, "last_result"));
		const char *when = json_string_value(json_object_get(p, "last_sync"));
		quiet = last && !strcmp(last, "ok") &&
		        json_integer_value(json_object_get(p, "last_sent")) == 0 &&
		        json_integer_value(json_object_get(p, "last_received")) == 0 && when && rp_when_parse_iso(when, &at) == 0 &&
		        at <= pn->now && pn->now - at < RP_PEER_QUIET_MS &&
		        (!pn->endpoint || json_object_get(p, "endpoint"));
		json_decref(p);
	}
	rp_store_end(txn);
	return quiet;
}

int rp_peer_record(rp_node *n, const uint8_t device[RP_DEVICE_LEN], const char *endpoint,
                   uint64_t sent, uint64_t received, const char *result)
{
	s_peer_note pn = { device, endpoint, result, sent, received, rp_node_now(n) };
	if (s_peer_quiet(n, &pn))
		return 0;
	return rp_store_run(n->store, s_peer_record_run, &pn);
}
