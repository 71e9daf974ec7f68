/* node/sync/peer.c — the peers this node syncs with: names for endpoints and
 * pinned device ids (`rapport peer add`), and what the last sync with each
 * did. The cursors themselves live in their own table, written by sessions. */
#include <ctype.h>
#include <string.h>

#include "../node.h"
#include "peer.h"
#include "../store/roster.h"
#include "../../proto/error.h"

static json_t *s_load(MDB_txn *txn, MDB_dbi dbi, const uint8_t dev[RP_DEVICE_LEN])
{
	MDB_val k = { RP_DEVICE_LEN, (void *)dev }, v;
	if (mdb_get(txn, dbi, &k, &v))
		return NULL;
	return json_loadb(v.mv_data, v.mv_size, 0, NULL);
}

static int s_store(MDB_txn *txn, MDB_dbi dbi, const uint8_t dev[RP_DEVICE_LEN], json_t *j)
{
	char *text = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	int rc;
	if (!text)
		return RP_ENOMEM;
	MDB_val k = { RP_DEVICE_LEN, (void *)dev }, v = { strlen(text), text };
	rc = rp_store_err(mdb_put(txn, dbi, &k, &v, 0));
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

/* One name, one peer: a name given again moves to the new device. */
static int s_peer_add_run(rp_store *st, MDB_txn *txn, void *arg)
{
	const s_peer_set *ps = arg;
	MDB_cursor *c;
	MDB_val k, v;
	json_t *p;
	int rc;
	if ((rc = mdb_cursor_open(txn, st->peers, &c)) == 0) {
		for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
			json_t *o = json_loadb(v.mv_data, v.mv_size, 0, NULL);
			const char *on = json_string_value(json_object_get(o, "name"));
			if (on && !strcmp(on, ps->name) &&
			    (k.mv_size != RP_DEVICE_LEN || memcmp(k.mv_data, ps->device, RP_DEVICE_LEN))) {
				json_object_del(o, "name");
				json_object_del(o, "endpoint");
				rc = s_store(txn, st->peers, k.mv_data, o);
			}
			json_decref(o);
			if (rc)
				break;
		}
		mdb_cursor_close(c);
		rc = rc == MDB_NOTFOUND ? 0 : rc;
	}
	if (rc)
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

int rp_peer_find(rp_node *n, const char *name, char *endpoint, size_t cap,
                 uint8_t device[RP_DEVICE_LEN])
{
	MDB_txn *txn;
	MDB_cursor *c;
	MDB_val k, v;
	int rc, found = 0;
	if ((rc = rp_node_read(n, &txn)))
		return rc;
	if ((rc = mdb_cursor_open(txn, n->store->peers, &c)) == 0) {
		for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0 && !found;
		     rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
			json_t *o = json_loadb(v.mv_data, v.mv_size, 0, NULL);
			const char *on = json_string_value(json_object_get(o, "name"));
			const char *ep = json_string_value(json_object_get(o, "endpoint"));
			if (on && ep && !strcmp(on, name) && k.mv_size == RP_DEVICE_LEN) {
				snprintf(endpoint, cap, "%s", ep);
				memcpy(device, k.mv_data, RP_DEVICE_LEN);
				found = 1;
			}
			json_decref(o);
		}
		mdb_cursor_close(c);
	}
	mdb_txn_abort(txn);
	return found ? 0 : rp_fail(RP_ENOTFOUND, "no peer named '%s' (see 'rapport peer list')", name);
}

int rp_peer_list(rp_node *n, json_t **out)
{
	MDB_txn *txn;
	MDB_cursor *c;
	MDB_val k, v;
	json_t *list = json_array();
	int rc;
	rp_errclear();
	if ((rc = rp_node_read(n, &txn))) {
		json_decref(list);
		return rc;
	}
	if ((rc = mdb_cursor_open(txn, n->store->peers, &c)) == 0) {
		for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0; rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
			json_t *o = json_loadb(v.mv_data, v.mv_size, 0, NULL);
			char id[RP_DEVICE_TEXT + 1];
			MDB_val ck = { k.mv_size, k.mv_data }, cv;
			if (!o || k.mv_size != RP_DEVICE_LEN) {
				json_decref(o);
				continue;
			}
			rp_b32_encode(k.mv_data, RP_DEVICE_LEN, id, sizeof id);
			json_object_set_new(o, "device", json_string(id));
			json_object_set_new(o, "cursor", json_integer(mdb_get(txn, n->store->cursors, &ck, &cv) == 0 &&
			        cv.mv_size == 8 ? (json_int_t)rp_be64_get(cv.mv_data) : 0));
			if (!json_object_get(o, "name"))
				json_object_set_new(o, "name", json_null());
			if (!json_object_get(o, "endpoint"))
				json_object_set_new(o, "endpoint", json_null());
			json_array_append_new(list, o);
		}
		mdb_cursor_close(c);
	}
	mdb_txn_abort(txn);
	*out = list;
	return 0;
}

typedef struct s_peer_note {
	const uint8_t *device;
	const char    *endpoint, *result;
	uint64_t       sent, received, now;
} s_peer_note;

static int s_peer_record_run(rp_store *st, MDB_txn *txn, void *arg)
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

int rp_peer_record(rp_node *n, const uint8_t device[RP_DEVICE_LEN], const char *endpoint,
                   uint64_t sent, uint64_t received, const char *result)
{
	s_peer_note pn = { device, endpoint, result, sent, received, rp_node_now(n) };
	return rp_store_run(n->store, s_peer_record_run, &pn);
}
