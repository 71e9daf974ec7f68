"""tests/tools/rpwire.py — rapport's sync wire, spoken from Python by the
hostile and foreign peers of the scenario tests (zmq_garbage.py,
foreign_peer.py). Written from proto/msg.h and DESIGN.md §3 and §6, not
from our C code: a second implementation, so a test cannot share a bug with
the node it attacks. Needs nothing but the standard library.

Keys: a device id is the base32 of its Ed25519 public key; CURVE keys are
the X25519 forms of the Ed25519 pair (crypto_sign_ed25519_*_to_curve25519).
Messages: msgpack arrays [type, version, ...] in their smallest (canonical)
form, which is what the node accepts."""
import base64
import hashlib
import time

P = 2**255 - 19
VERSION = 3          # the sync protocol (proto/msg.h RP_SYNC_VERSION)
HELLO, BATCH, ACK, DONE, ERROR, HAVE, TICK = 1, 2, 3, 4, 5, 6, 7


def device_bytes(text):
    t = text.upper()
    return base64.b32decode(t + "=" * (-len(t) % 8))


def device_text(raw):
    return base64.b32encode(raw).decode().rstrip("=").lower()


def ed_to_curve_public(pk):
    """Ed25519 public key -> X25519 (crypto_sign_ed25519_pk_to_curve25519)."""
    y = int.from_bytes(pk, "little") & ((1 << 255) - 1)
    u = (1 + y) * pow((1 - y) % P, P - 2, P) % P
    return u.to_bytes(32, "little")


def ed_to_curve_secret(seed):
    """Ed25519 seed -> X25519 secret (crypto_sign_ed25519_sk_to_curve25519)."""
    h = bytearray(hashlib.sha512(seed).digest()[:32])
    h[0] &= 248
    h[31] &= 127
    h[31] |= 64
    return bytes(h)


def load_device_key(path):
    """(seed, public key) of a rapport device.key: a text header line, then
    the 64-byte libsodium secret key (seed ‖ public key)."""
    raw = open(path, "rb").read()
    sk = raw[raw.index(b"\n") + 1:]
    if len(sk) != 64:
        raise ValueError("unexpected key file layout in %s" % path)
    return sk[:32], sk[32:]


def curve_keys(seed, pk):
    """(public, secret) CURVE keys of an Ed25519 device key."""
    return ed_to_curve_public(pk), ed_to_curve_secret(seed)


# ---- msgpack, the subset the wire uses, smallest forms only ----------------

def uint(v):
    if v < 0x80:
        return bytes([v])
    if v < 0x100:
        return b"\xcc" + v.to_bytes(1, "big")
    if v < 0x10000:
        return b"\xcd" + v.to_bytes(2, "big")
    if v < 0x100000000:
        return b"\xce" + v.to_bytes(4, "big")
    return b"\xcf" + v.to_bytes(8, "big")


def bin_(b):
    if len(b) < 0x100:
        return b"\xc4" + bytes([len(b)]) + b
    if len(b) < 0x10000:
        return b"\xc5" + len(b).to_bytes(2, "big") + b
    return b"\xc6" + len(b).to_bytes(4, "big") + b


def array_head(n):
    if n < 16:
        return bytes([0x90 | n])
    return b"\xdc" + n.to_bytes(2, "big")


def decode(buf, pos=0):
    """One msgpack object at pos: (value, next pos). bin -> bytes, str -> str."""
    b = buf[pos]
    pos += 1
    if b < 0x80:
        return b, pos
    if b >= 0xe0:
        return b - 0x100, pos
    if 0xa0 <= b <= 0xbf:
        n = b & 0x1f
        return buf[pos:pos + n].decode("utf-8", "replace"), pos + n
    if 0x90 <= b <= 0x9f:
        return _items(buf, pos, b & 0x0f)
    if 0x80 <= b <= 0x8f:
        return _pairs(buf, pos, b & 0x0f)
    if b == 0xc0:
        return None, pos
    if b in (0xc2, 0xc3):
        return b == 0xc3, pos
    if b in (0xc4, 0xc5, 0xc6):
        w = {0xc4: 1, 0xc5: 2, 0xc6: 4}[b]
        n = int.from_bytes(buf[pos:pos + w], "big")
        pos += w
        return bytes(buf[pos:pos + n]), pos + n
    if b in (0xd9, 0xda, 0xdb):
        w = {0xd9: 1, 0xda: 2, 0xdb: 4}[b]
        n = int.from_bytes(buf[pos:pos + w], "big")
        pos += w
        return buf[pos:pos + n].decode("utf-8", "replace"), pos + n
    if b in (0xcc, 0xcd, 0xce, 0xcf):
        w = {0xcc: 1, 0xcd: 2, 0xce: 4, 0xcf: 8}[b]
        return int.from_bytes(buf[pos:pos + w], "big"), pos + w
    if b in (0xd0, 0xd1, 0xd2, 0xd3):
        w = {0xd0: 1, 0xd1: 2, 0xd2: 4, 0xd3: 8}[b]
        return int.from_bytes(buf[pos:pos + w], "big", signed=True), pos + w
    if b in (0xdc, 0xdd):
        w = 2 if b == 0xdc else 4
        return _items(buf, pos + w, int.from_bytes(buf[pos:pos + w], "big"))
    if b in (0xde, 0xdf):
        w = 2 if b == 0xde else 4
        return _pairs(buf, pos + w, int.from_bytes(buf[pos:pos + w], "big"))
    raise ValueError("msgpack byte 0x%02x not used by the wire" % b)


def _items(buf, pos, n):
    out = []
    for _ in range(n):
        v, pos = decode(buf, pos)
        out.append(v)
    return out, pos


def _pairs(buf, pos, n):
    out = {}
    for _ in range(n):
        k, pos = decode(buf, pos)
        v, pos = decode(buf, pos)
        out[k] = v
    return out, pos


# ---- messages ---------------------------------------------------------------

def hello(team, device, cursor=0, own_head=0, credit=8, feed_head=0, wall_ms=None, live=0):
    if wall_ms is None:
        wall_ms = int(time.time() * 1000)
    return array_head(10) + uint(HELLO) + uint(VERSION) + bin_(team) + bin_(device) \
        + uint(cursor) + uint(own_head) + uint(credit) + uint(feed_head) + uint(wall_ms) \
        + uint(live)


def batch(first, last, ops):
    return array_head(5) + uint(BATCH) + uint(VERSION) + uint(first) + uint(last) \
        + array_head(len(ops)) + b"".join(bin_(o) for o in ops)


def ack(last):
    return array_head(3) + uint(ACK) + uint(VERSION) + uint(last)


def done(last):
    return array_head(3) + uint(DONE) + uint(VERSION) + uint(last)


def parse(msg):
    """A received message as a list ([type, version, ...]); batch ops stay bytes."""
    v, _ = decode(msg)
    return v


def op_fields(raw):
    """An op ([version, team, author, seq, hlc, account, kind, body_hash,
    body, sig]) as a dict of the fields a test looks at."""
    v, _ = decode(raw)
    return {"author": device_text(v[2]), "seq": v[3], "hlc": v[4],
            "account": device_text(v[5]) if any(v[5]) else "", "kind": v[6]}
