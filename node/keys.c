/* node/keys.c — create and load the device key file.
 * Never leaves a secret in a buffer it does not wipe, never follows a symlink. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sodium.h>

#include "keys.h"
#include "../proto/error.h"

#define S_MAGIC     "rapport-key-1\n"
#define S_MAGIC_LEN (sizeof S_MAGIC - 1)
#define S_FILE_LEN  (S_MAGIC_LEN + RP_SECRET_LEN)

int rp_key_create(const char *path, rp_key *key)
{
	uint8_t buf[S_FILE_LEN];
	int fd, rc = 0;
	if (sodium_init() < 0)
		return RP_EIO;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return errno == EEXIST ? RP_EEXIST : RP_EIO;
	crypto_sign_keypair(key->pk, key->sk);
	memcpy(buf, S_MAGIC, S_MAGIC_LEN);
	memcpy(buf + S_MAGIC_LEN, key->sk, RP_SECRET_LEN);
	if (write(fd, buf, sizeof buf) != (ssize_t)sizeof buf || fsync(fd) != 0)
		rc = RP_EIO;
	sodium_memzero(buf, sizeof buf);
	if (close(fd) != 0)
		rc = RP_EIO;
	if (rc) {
		unlink(path);
		rp_key_wipe(key);
	}
	return rc;
}

int rp_key_load(const char *path, rp_key *key)
{
	uint8_t buf[S_FILE_LEN + 1];
	ssize_t n;
	int fd, rc = 0;
	if (sodium_init() < 0)
		return RP_EIO;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? RP_ENOKEY : RP_EIO;
	n = read(fd, buf, sizeof buf);
	close(fd);
	if (n != (ssize_t)S_FILE_LEN || memcmp(buf, S_MAGIC, S_MAGIC_LEN) != 0) {
		rc = RP_EIO;
		goto out;
	}
	/* The secret is seed ‖ public key: the public half must be the one
	 * the seed makes (sk_to_pk would only copy it back). */
	{
		uint8_t seed[crypto_sign_SEEDBYTES];
		rp_key made;
		memcpy(key->sk, buf + S_MAGIC_LEN, RP_SECRET_LEN);
		crypto_sign_ed25519_sk_to_seed(seed, key->sk);
		if (crypto_sign_seed_keypair(made.pk, made.sk, seed) != 0 ||
		    sodium_memcmp(made.sk, key->sk, RP_SECRET_LEN) != 0) {
			rp_key_wipe(key);
			rc = RP_EIO;
		} else {
			memcpy(key->pk, made.pk, RP_DEVICE_LEN);
		}
		sodium_memzero(seed, sizeof seed);
		rp_key_wipe(&made);
	}
out:
	sodium_memzero(buf, sizeof buf);
	return rc;
}

void rp_key_wipe(rp_key *key)
{
	sodium_memzero(key, sizeof *key);
}
