#!/usr/bin/env python3
"""tests/tools/foreign_peer.py — a peer that is not rapport, speaking its sync
protocol over CURVE, to check that a node gives nothing to a device that is
not a current member of its team (DESIGN.md §2). Needs pyzmq (Debian:
python3-zmq); the wire is tests/tools/rpwire.py.

  foreign_peer.py serve   BIND KEY CLAIM [SECONDS]
        a CURVE server with no ZAP handler: it admits any client, answers
        its hello, acknowledges every batch and finishes when the client
        does. Prints "listening DEVICE_ID" first (flushed), then when the
        client is done or the time is up one line per op received
        ("op KIND ACCOUNT AUTHOR SEQ") and "received N ops; error TEXT|-".
  foreign_peer.py connect ENDPOINT SERVER_ID KEY CLAIM
        a client of a rapport serve, the same way round.

KEY is a rapport device.key (the peer then holds that device's key: one
from a fresh `rapport init` is in no roster) or, for connect only, "random"
(a CURVE key pair that is no device's). CLAIM is what its hello says of itself:
"joining" (the all-zero team) or "team:TEAM_ID" (a team id, base32).
Exit 0 when the exchange ran (whatever the node decided), 2 on usage."""
import os
import sys
import time

import zmq
import zmq.utils.z85

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rpwire  # noqa: E402


def keys(spec):
    """(device id bytes, curve public, curve secret) for KEY."""
    if spec == "random":
        pub, sec = zmq.curve_keypair()
        # A device id needs an Ed25519 key: any 32 bytes that are not a
        # roster key do, the hello only names it.
        return os.urandom(32), zmq.utils.z85.decode(pub), zmq.utils.z85.decode(sec)
    seed, pk = rpwire.load_device_key(spec)
    cpub, csec = rpwire.curve_keys(seed, pk)
    return pk, cpub, csec


def team_of(claim):
    if claim == "joining":
        return bytes(32)
    if claim.startswith("team:"):
        return rpwire.device_bytes(claim[5:])
    raise SystemExit("foreign_peer: CLAIM is joining or team:TEAM_ID")


class Exchange:
    """Our side of one sync: we hold nothing, and take all we are given."""

    def __init__(self, device, team, initiator):
        self.device, self.team, self.initiator = device, team, initiator
        self.ops, self.error, self.finished = [], None, False
        self.cursor = 0            # how much of the peer's feed we hold
        self.hello_sent = False
        self.peer_cursor = 0       # how much of our feed the node says it holds

    def hello(self):
        self.hello_sent = True
        # Our feed is empty: head 0, so a node waiting to hear from a
        # stranger gets its answer at once.
        return rpwire.hello(self.team, self.device, cursor=self.cursor, feed_head=0)

    def input(self, msg):
        """Replies to one message from the node."""
        try:
            m = rpwire.parse(msg)
        except (ValueError, IndexError):
            self.error = "undecodable message"
            self.finished = True
            return []
        out = []
        t = m[0]
        if t == rpwire.HELLO:
            self.peer_cursor = m[4]
            if not self.hello_sent:
                out.append(self.hello())
            # Nothing to give: our feed ends where the node says it is.
            out.append(rpwire.done(self.peer_cursor))
        elif t == rpwire.BATCH:
            for raw in m[4]:
                try:
                    self.ops.append(rpwire.op_fields(raw))
                except (ValueError, IndexError):
                    self.ops.append({"kind": "?", "account": "?", "author": "?", "seq": 0})
            if m[2] != m[3]:
                self.cursor = m[3]
            out.append(rpwire.ack(self.cursor))
        elif t == rpwire.DONE:
            self.finished = True
        elif t == rpwire.ERROR:
            self.error = m[3]
            self.finished = True
        return out

    def report(self):
        for o in self.ops:
            print("op %s %s %s %s" % (o["kind"], o["account"] or "-", o["author"], o["seq"]))
        print("received %d ops; error %s" % (len(self.ops), self.error or "-"))
        sys.stdout.flush()


def serve(bind, keyspec, claim, seconds):
    device, cpub, csec = keys(keyspec)
    ctx = zmq.Context()
    sock = ctx.socket(zmq.ROUTER)
    sock.setsockopt(zmq.LINGER, 0)
    sock.curve_server = True
    sock.curve_publickey, sock.curve_secretkey = cpub, csec
    sock.bind(bind)
    print("listening %s" % rpwire.device_text(device))
    sys.stdout.flush()
    ex = Exchange(device, team_of(claim), initiator=False)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not ex.finished:
        if not sock.poll(100):
            continue
        frames = sock.recv_multipart()
        if len(frames) != 2:
            continue
        for reply in ex.input(frames[1]):
            sock.send_multipart([frames[0], reply])
    time.sleep(0.2)                          # let the last ack leave
    sock.close(0)
    ctx.term()
    ex.report()
    return 0


def connect(endpoint, server_id, keyspec, claim):
    device, cpub, csec = keys(keyspec)
    ctx = zmq.Context()
    sock = ctx.socket(zmq.DEALER)
    sock.setsockopt(zmq.LINGER, 0)
    sock.curve_serverkey = rpwire.ed_to_curve_public(rpwire.device_bytes(server_id))
    sock.curve_publickey, sock.curve_secretkey = cpub, csec
    sock.connect(endpoint)
    ex = Exchange(device, team_of(claim), initiator=True)
    sock.send(ex.hello())
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not ex.finished:
        if not sock.poll(100):
            continue
        for reply in ex.input(sock.recv()):
            sock.send(reply)
    time.sleep(0.2)
    sock.close(0)
    ctx.term()
    if not ex.finished and not ex.ops:
        ex.error = ex.error or "no answer"
    ex.report()
    return 0


def main(argv):
    if len(argv) >= 4 and argv[1] == "serve":
        return serve(argv[2], argv[3], argv[4] if len(argv) > 4 else "joining",
                     float(argv[5]) if len(argv) > 5 else 15)
    if len(argv) == 6 and argv[1] == "connect":
        return connect(argv[2], argv[3], argv[4], argv[5])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
