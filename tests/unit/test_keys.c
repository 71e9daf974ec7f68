/* tests/unit/test_keys.c — the device key file (node/keys.h): created 0600
 * and never over an existing file or through a symlink; loaded back to the
 * same key; a short, long, foreign or tampered file is refused and leaves
 * no secret behind. Real files in a temp dir. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sodium.h>

#include "tap.h"
#include "rmtree.h"
#include "../node/keys.h"
#include "../proto/error.h"

static char dir[64], path[128];

/* Write n bytes of the key file at path, changed by edit (may be NULL), to other. */
static void rewrite(const char *other, size_t n, void (*edit)(uint8_t *, size_t))
{
	uint8_t buf[256];
	FILE *f = fopen(path, "rb");
	size_t got = f ? fread(buf, 1, sizeof buf, f) : 0;
	if (f)
		fclose(f);
	if (n > got)
		memset(buf + got, 'x', n - got);
	if (edit)
		edit(buf, n);
	f = fopen(other, "wb");
	if (f) {
		fwrite(buf, 1, n, f);
		fclose(f);
	}
}

static void flip_magic(uint8_t *b, size_t n)
{
	(void)n;
	b[0] ^= 1;
}

static void flip_public_half(uint8_t *b, size_t n)
{
	b[n - 1] ^= 1;      /* the last byte of the secret: its public half */
}

static int is_zero(const rp_key *k)
{
	static const rp_key zero;
	return !memcmp(k, &zero, sizeof zero);
}

int main(void)
{
	rp_key a, b;
	struct stat sb;
	char other[160], link[160];
	uint8_t sig[crypto_sign_BYTES];
	off_t size;

	snprintf(dir, sizeof dir, "/tmp/rapport-keys-XXXXXX");
	if (!mkdtemp(dir))
		return 1;
	snprintf(path, sizeof path, "%s/device.key", dir);

	is_int(rp_key_load(path, &a), RP_ENOKEY, "no file: RP_ENOKEY");
	is_int(rp_key_create(path, &a), 0, "a new key is written");
	memset(&sb, 0, sizeof sb);
	is_int(stat(path, &sb), 0, "its file is there");
	is_int(sb.st_mode & 0777, 0600, "and is 0600");
	size = sb.st_size;
	ok(size > 64, "and holds the secret (%lld bytes)", (long long)size);
	is_int(rp_key_create(path, &b), RP_EEXIST, "a second create over it is refused");
	is_int(rp_key_load(path, &b), 0, "the file loads");
	ok(!memcmp(a.pk, b.pk, sizeof a.pk) && !memcmp(a.sk, b.sk, sizeof a.sk),
	   "back to the key that was created, which the second create left alone");
	ok(crypto_sign_detached(sig, NULL, (const uint8_t *)"hello", 5, b.sk) == 0 &&
	   crypto_sign_verify_detached(sig, (const uint8_t *)"hello", 5, a.pk) == 0,
	   "what the loaded key signs verifies with the device id");

	snprintf(other, sizeof other, "%s/short.key", dir);
	rewrite(other, (size_t)size - 1, NULL);
	is_int(rp_key_load(other, &b), RP_EIO, "a file one byte short is refused");
	snprintf(other, sizeof other, "%s/long.key", dir);
	rewrite(other, (size_t)size + 1, NULL);
	is_int(rp_key_load(other, &b), RP_EIO, "a file one byte long is refused");
	snprintf(other, sizeof other, "%s/foreign.key", dir);
	rewrite(other, (size_t)size, flip_magic);
	is_int(rp_key_load(other, &b), RP_EIO, "a file without our magic line is refused");
	snprintf(other, sizeof other, "%s/tampered.key", dir);
	rewrite(other, (size_t)size, flip_public_half);
	memset(&b, 0xff, sizeof b);
	is_int(rp_key_load(other, &b), RP_EIO, "a secret whose public half does not match is refused");
	ok(is_zero(&b), "and the key it read is wiped");

	snprintf(link, sizeof link, "%s/link.key", dir);
	ok(symlink(path, link) == 0, "a symlink to the key");
	is_int(rp_key_load(link, &b), RP_EIO, "is not followed on load");
	snprintf(link, sizeof link, "%s/dangling.key", dir);
	snprintf(other, sizeof other, "%s/target", dir);
	ok(symlink(other, link) == 0, "a symlink to nowhere");
	ok(rp_key_create(link, &b) != 0, "is not followed on create");
	ok(access(other, F_OK) != 0, "and nothing was written where it points");

	rp_key_wipe(&a);
	ok(is_zero(&a), "rp_key_wipe leaves nothing of the key");
	rm_tree(dir);
	return done_testing();
}
