#!/usr/bin/env python3
"""tests/tools/zmq_garbage.py — hostile ZeroMQ clients thrown at `rapport serve`
(tests/t/t2030-sync-garbage.sh). Needs pyzmq (Debian: python3-zmq).

  zmq_garbage.py plain    ENDPOINT                 a DEALER without CURVE
  zmq_garbage.py stranger ENDPOINT SERVER_ID       CURVE, the right server key, a random client key
  zmq_garbage.py member   ENDPOINT SERVER_ID KEY   CURVE as the member whose device.key is KEY,
                                                   sending malformed sync messages, then a
                                                   well-formed session whose one batch holds
                                                   3 ops that are not ops

Each sends its messages, waits for answers (bounded), and prints
"replies N errors E other O". plain and stranger must get no reply at all
(exit 1 if they do); member may get error messages ([5, ver, code, text])
and nothing else (exit 1 on anything else), then prints "batch: acked LAST"
once the server acknowledged the bad batch (exit 1 if it did not)."""
import os
import sys
import time

import zmq

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rpwire import VERSION, device_bytes, ed_to_curve_public, ed_to_curve_secret, uint  # noqa: E402


def garbage_messages():
    rnd = os.urandom
    return [
        b"\xc1" + rnd(63),                               # never msgpack (random bytes may
                                                          # read as a version we do not speak)
        b"",
        b"\x98\x01\x01" + rnd(80),                       # hello-shaped, wrong lengths
        b"\x98\x01\x63" + rnd(100),                       # a future version
        b"\x95\x02\x01\x00\x05\x91\xc4\x10" + rnd(16),    # a batch before any hello
        b"\x94\x05\x01\xff\xa3abc",                       # an error from nowhere
        b"\xdd\xff\xff\xff\xff",                          # array32 claiming 4G elements
        b"\xc6\x7f\xff\xff\xff" + rnd(10),                # bin32 claiming 2 GiB
        b"\x91" * 5000,                                   # deep nesting
        rnd(200000),
        rnd(2 * 1024 * 1024),                             # over ZMQ_MAXMSGSIZE
    ]


def run(sock, msgs, wait_s):
    replies = errors = other = 0
    for m in msgs:
        try:
            sock.send(m, flags=zmq.NOBLOCK)
        except zmq.Again:
            pass
    try:
        sock.send_multipart([b"two", b"frames"], flags=zmq.NOBLOCK)
    except zmq.Again:
        pass
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        if sock.poll(100):
            r = sock.recv()
            replies += 1
            if len(r) >= 3 and r[0] == 0x94 and r[1] == 5:
                errors += 1
            else:
                other += 1
    return replies, errors, other


def bad_batch_session(sock, device):
    """hello (joining, claiming to hold the server's whole feed), then one batch
    of 3 random 'ops' covering our feed 0..3, then done. Returns the last seq
    the server acknowledged, or None."""
    hello = b"\x9a" + uint(1) + uint(VERSION) + b"\xc4\x20" + bytes(32) + b"\xc4\x20" + device \
        + uint(2**62) + uint(0) + uint(8) + uint(0) + uint(int(time.time() * 1000)) + uint(0)
    batch = b"\x95" + uint(2) + uint(VERSION) + uint(0) + uint(3) + b"\x93" \
        + b"".join(b"\xc4\x30" + os.urandom(48) for _ in range(3))
    done = b"\x93" + uint(4) + uint(VERSION) + uint(3)
    sock.send(hello)
    acked = None
    sent_batch = False
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if not sock.poll(100):
            continue
        r = sock.recv()
        if len(r) < 3:
            return None
        if r[1] == 1 and not sent_batch:          # the server's hello
            sock.send(batch)
            sent_batch = True
        elif r[1] == 3:                           # ack [3, VERSION, last]
            acked = r[3] if len(r) == 4 else None
            sock.send(done)
            break
        elif r[1] == 5:
            print("batch: the server refused the session: %r" % r[4:], file=sys.stderr)
            return None
    # let the server see done and complete
    end = time.monotonic() + 1
    while time.monotonic() < end:
        if sock.poll(100):
            sock.recv()
    return acked


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    mode, endpoint = sys.argv[1], sys.argv[2]
    ctx = zmq.Context()
    sock = ctx.socket(zmq.DEALER)
    sock.setsockopt(zmq.LINGER, 0)
    sock.setsockopt(zmq.SNDHWM, 1000)
    if mode in ("stranger", "member"):
        sock.curve_serverkey = ed_to_curve_public(device_bytes(sys.argv[3]))
        if mode == "stranger":
            pub, sec = zmq.curve_keypair()
            sock.curve_publickey, sock.curve_secretkey = pub, sec
        else:
            raw = open(sys.argv[4], "rb").read()
            sk = raw[raw.index(b"\n") + 1:]
            if len(sk) != 64:
                print("zmq_garbage: unexpected key file layout", file=sys.stderr)
                return 2
            sock.curve_publickey = ed_to_curve_public(sk[32:])
            sock.curve_secretkey = ed_to_curve_secret(sk[:32])
    elif mode != "plain":
        print(__doc__, file=sys.stderr)
        return 2
    sock.connect(endpoint)
    msgs = garbage_messages()
    replies, errors, other = run(sock, msgs, 1.5)
    sock.close(0)
    print("replies %d errors %d other %d" % (replies, errors, other))
    if mode in ("plain", "stranger"):
        ctx.term()
        return 1 if replies else 0
    bad = 1 if other else 0
    sock = ctx.socket(zmq.DEALER)
    sock.setsockopt(zmq.LINGER, 1000)
    sock.curve_serverkey = ed_to_curve_public(device_bytes(sys.argv[3]))
    sock.curve_publickey = ed_to_curve_public(sk[32:])
    sock.curve_secretkey = ed_to_curve_secret(sk[:32])
    sock.connect(endpoint)
    acked = bad_batch_session(sock, sk[32:])
    sock.close()
    ctx.term()
    print("batch: acked %s" % acked)
    return 1 if bad or acked != 3 else 0


if __name__ == "__main__":
    sys.exit(main())
