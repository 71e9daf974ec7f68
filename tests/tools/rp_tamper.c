/* tests/tools/rp_tamper.c — a test-only sync client that lies once: it syncs
 * HOME with a node like `rapport sync ENDPOINT --peer ID`, but flips one byte
 * of the signature of the first outgoing op whose bytes contain MARKER.
 * Never built into rapport; tests/t/t2000-sync-tamper.sh drives it.
 *
 *   rp_tamper HOME ENDPOINT PEER_ID MARKER
 *
 * Prints "tampered: KIND seq SEQ" and the session's counters on stdout.
 * Exit 0: the exchange completed with exactly one op tampered; 1: the sync
 * failed; 2: usage, or no outgoing op held MARKER (nothing was tampered). */
#include "drive.h"

#define S_OUT_CAP (RP_BATCH_MAX + 4096)

static const char *s_marker;
static int s_tampered;
static uint8_t s_out[S_OUT_CAP];

/* Whether hay holds needle (memmem is a GNU extension). */
static int s_contains(const uint8_t *hay, size_t len, const char *needle, size_t nlen)
{
	for (size_t i = 0; nlen && i + nlen <= len; i++)
		if (!memcmp(hay + i, needle, nlen))
			return 1;
	return 0;
}

/* If msg is a batch holding an op with the marker (and nothing was tampered
 * yet), rebuild it into s_out with that op's signature altered. Returns 1
 * with *msg and *len replaced, 0 to send msg as it is, -1 on failure. */
static int s_tamper(void *arg, const uint8_t **msg, size_t *len)
{
	(void)arg;
	rp_batch_builder b;
	rp_msg m;
	size_t pos = 0, oplen, mlen = strlen(s_marker);
	const uint8_t *op;
	int hit = 0;

	if (s_tampered || rp_msg_decode(*msg, *len, &m) != 0 || m.type != RP_MSG_BATCH)
		return 0;
	rp_batch_begin(&b, s_out, sizeof s_out);
	while (rp_msg_batch_next(&m, &pos, &op, &oplen) == 1) {
		static uint8_t copy[RP_OP_MAX];
		rp_op decoded;

		if (oplen > sizeof copy)
			return -1;
		memcpy(copy, op, oplen);
		if (!hit && oplen >= RP_SIG_LEN && s_contains(op, oplen, s_marker, mlen)) {
			/* The signature is the op's last field: its last 64 bytes. */
			copy[oplen - 1 - RP_SIG_LEN / 2] ^= 0x01;
			if (rp_op_decode(copy, oplen, &decoded) != 0 || rp_op_verify(&decoded) != RP_ESIG) {
				fprintf(stderr, "rp_tamper: the altered op does not decode, or still verifies\n");
				return -1;
			}
			printf("tampered: %s seq %llu\n", decoded.kind, (unsigned long long)decoded.seq);
			hit = 1;
		}
		if (rp_batch_add(&b, copy, oplen) != 0)
			return -1;
	}
	if (!hit)
		return 0;
	if (rp_batch_finish(&b, m.first, m.last, msg, len) != 0)
		return -1;
	s_tampered = 1;
	return 1;
}

int main(int argc, char **argv)
{
	drive_hooks h = { .out = s_tamper };
	int rc;

	if (argc != 5 || !*argv[4]) {
		fprintf(stderr, "usage: rp_tamper HOME ENDPOINT PEER_ID MARKER\n");
		return 2;
	}
	s_marker = argv[4];
	if ((rc = drive_sync("rp_tamper", argv[1], argv[2], argv[3], &h)) != 0)
		return rc;
	if (!s_tampered)
		fprintf(stderr, "rp_tamper: no outgoing op held '%s': nothing tampered\n", s_marker);
	return s_tampered ? 0 : 2;
}
