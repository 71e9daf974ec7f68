/* node/keys.h — this device's Ed25519 key file, <home>/device.key.
 * Created 0600 with O_EXCL|O_NOFOLLOW; the secret is wiped from every buffer
 * that held it. The public half is the device id. */
#ifndef RP_KEYS_H
#define RP_KEYS_H

#include <stdint.h>
#include "../proto/op.h"

typedef struct rp_key {
	uint8_t pk[RP_DEVICE_LEN];
	uint8_t sk[RP_SECRET_LEN];
} rp_key;

/* Make a new key and write it to path. Returns 0, RP_EEXIST, RP_EIO. */
int rp_key_create(const char *path, rp_key *key);

/* Read the key at path. Returns 0, RP_ENOKEY (absent), RP_EIO (unreadable,
 * wrong size, or the public half does not match the secret). */
int rp_key_load(const char *path, rp_key *key);

void rp_key_wipe(rp_key *key);

#endif
