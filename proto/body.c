/* proto/body.c — build and read op bodies (msgpack maps).
 * Reading never trusts the bytes: a field of the wrong type is "absent". */
#include <string.h>

#include "body.h"
#include "error.h"
#include "limits.h"

void rp_body_init(rp_body_builder *b)
{
	msgpack_sbuffer_init(&b->entries);
	msgpack_sbuffer_init(&b->out);
	msgpack_packer_init(&b->pk, &b->entries, msgpack_sbuffer_write);
	b->count = 0;
}

static void s_key(rp_body_builder *b, const char *key)
{
	size_t n = strlen(key);
	msgpack_pack_str(&b->pk, n);
	msgpack_pack_str_body(&b->pk, key, n);
	b->count++;
}

void rp_body_put_str(rp_body_builder *b, const char *key, const char *val)
{
	s_key(b, key);
	if (!val) {
		msgpack_pack_nil(&b->pk);
		return;
	}
	size_t n = strlen(val);
	msgpack_pack_str(&b->pk, n);
	msgpack_pack_str_body(&b->pk, val, n);
}

void rp_body_put_int(rp_body_builder *b, const char *key, int64_t val)
{
	s_key(b, key);
	msgpack_pack_int64(&b->pk, val);
}

void rp_body_put_bool(rp_body_builder *b, const char *key, int val)
{
	s_key(b, key);
	if (val)
		msgpack_pack_true(&b->pk);
	else
		msgpack_pack_false(&b->pk);
}

void rp_body_put_bin(rp_body_builder *b, const char *key, const void *p, size_t n)
{
	s_key(b, key);
	msgpack_pack_bin(&b->pk, n);
	msgpack_pack_bin_body(&b->pk, p, n);
}

void rp_body_put_bins(rp_body_builder *b, const char *key, const uint8_t *items,
                      size_t item_len, size_t n)
{
	s_key(b, key);
	msgpack_pack_array(&b->pk, n);
	for (size_t i = 0; i < n; i++) {
		msgpack_pack_bin(&b->pk, item_len);
		msgpack_pack_bin_body(&b->pk, items + i * item_len, item_len);
	}
}

void rp_body_put_ints(rp_body_builder *b, const char *key, const int64_t *items, size_t n)
{
	s_key(b, key);
	msgpack_pack_array(&b->pk, n);
	for (size_t i = 0; i < n; i++)
		msgpack_pack_int64(&b->pk, items[i]);
}

void rp_body_put_amount(rp_body_builder *b, const char *key, int64_t cents, const char *cur)
{
	s_key(b, key);
	msgpack_pack_map(&b->pk, 2);
	msgpack_pack_str(&b->pk, 5);
	msgpack_pack_str_body(&b->pk, "cents", 5);
	msgpack_pack_int64(&b->pk, cents);
	msgpack_pack_str(&b->pk, 8);
	msgpack_pack_str_body(&b->pk, "currency", 8);
	msgpack_pack_str(&b->pk, strlen(cur));
	msgpack_pack_str_body(&b->pk, cur, strlen(cur));
}

int rp_body_finish(rp_body_builder *b, const uint8_t **bytes, size_t *len)
{
	msgpack_packer pk;
	msgpack_packer_init(&pk, &b->out, msgpack_sbuffer_write);
	b->out.size = 0;
	if (msgpack_pack_map(&pk, b->count) != 0 ||
	    msgpack_sbuffer_write(&b->out, b->entries.data, b->entries.size) != 0)
		return RP_ENOMEM;
	*bytes = (const uint8_t *)b->out.data;
	*len = b->out.size;
	return 0;
}

void rp_body_free(rp_body_builder *b)
{
	msgpack_sbuffer_destroy(&b->entries);
	msgpack_sbuffer_destroy(&b->out);
}

int rp_body_parse(rp_body *b, const uint8_t *bytes, size_t len)
{
	size_t off = 0;
	msgpack_unpacked_init(&b->up);
	b->map = NULL;
	if (!bytes)
		return RP_EFORMAT;
	if (msgpack_unpack_next(&b->up, (const char *)bytes, len, &off) != MSGPACK_UNPACK_SUCCESS ||
	    b->up.data.type != MSGPACK_OBJECT_MAP) {
		/* Nothing stays held on failure (the unpack may have made its
		 * zone): rp_body_done is then optional, and still safe. */
		msgpack_unpacked_destroy(&b->up);
		msgpack_unpacked_init(&b->up);
		return RP_EFORMAT;
	}
	b->map = &b->up.data;
	return 0;
}

void rp_body_done(rp_body *b)
{
	msgpack_unpacked_destroy(&b->up);
	b->map = NULL;
}

const msgpack_object *rp_body_get(const rp_body *b, const char *key)
{
	size_t n = strlen(key);
	if (!b->map)
		return NULL;
	for (uint32_t i = 0; i < b->map->via.map.size; i++) {
		const msgpack_object_kv *kv = &b->map->via.map.ptr[i];
		if (kv->key.type == MSGPACK_OBJECT_STR && kv->key.via.str.size == n &&
		    memcmp(kv->key.via.str.ptr, key, n) == 0)
			return &kv->val;
	}
	return NULL;
}

int rp_body_str(const rp_body *b, const char *key, const char **p, size_t *n)
{
	const msgpack_object *o = rp_body_get(b, key);
	if (!o || o->type != MSGPACK_OBJECT_STR)
		return RP_ENOTFOUND;
	*p = o->via.str.ptr;
	*n = o->via.str.size;
	return 0;
}

int rp_body_int(const rp_body *b, const char *key, int64_t *v)
{
	const msgpack_object *o = rp_body_get(b, key);
	if (!o)
		return RP_ENOTFOUND;
	if (o->type == MSGPACK_OBJECT_POSITIVE_INTEGER && o->via.u64 <= INT64_MAX)
		*v = (int64_t)o->via.u64;
	else if (o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER)
		*v = o->via.i64;
	else
		return RP_ENOTFOUND;
	return 0;
}

int rp_body_bool(const rp_body *b, const char *key, int *v)
{
	const msgpack_object *o = rp_body_get(b, key);
	if (!o || o->type != MSGPACK_OBJECT_BOOLEAN)
		return RP_ENOTFOUND;
	*v = o->via.boolean;
	return 0;
}

int rp_body_bin(const rp_body *b, const char *key, const uint8_t **p, size_t len)
{
	const msgpack_object *o = rp_body_get(b, key);
	if (!o || o->type != MSGPACK_OBJECT_BIN || o->via.bin.size != len)
		return RP_ENOTFOUND;
	*p = (const uint8_t *)o->via.bin.ptr;
	return 0;
}

int rp_body_is_nil(const rp_body *b, const char *key)
{
	const msgpack_object *o = rp_body_get(b, key);
	return o && o->type == MSGPACK_OBJECT_NIL;
}

int rp_body_amount(const rp_body *b, const char *key, int64_t *cents, char cur[4])
{
	const msgpack_object *o = rp_body_get(b, key);
	int have = 0, code = 0;
	if (!o || o->type != MSGPACK_OBJECT_MAP)
		return RP_ENOTFOUND;
	for (uint32_t i = 0; i < o->via.map.size; i++) {
		const msgpack_object *k = &o->via.map.ptr[i].key, *v = &o->via.map.ptr[i].val;
		if (k->type != MSGPACK_OBJECT_STR)
			continue;
		if (k->via.str.size == 5 && !memcmp(k->via.str.ptr, "cents", 5)) {
			if (v->type == MSGPACK_OBJECT_POSITIVE_INTEGER && v->via.u64 <= (uint64_t)RP_CENTS_MAX)
				*cents = (int64_t)v->via.u64, have = 1;
			else if (v->type == MSGPACK_OBJECT_NEGATIVE_INTEGER && v->via.i64 >= -RP_CENTS_MAX)
				*cents = v->via.i64, have = 1;
		} else if (k->via.str.size == 8 && !memcmp(k->via.str.ptr, "currency", 8) &&
		           v->type == MSGPACK_OBJECT_STR && v->via.str.size == 3) {
			memcpy(cur, v->via.str.ptr, 3);
			cur[3] = 0;
			code = 1;
		}
	}
	return have && code ? 0 : RP_ENOTFOUND;
}
