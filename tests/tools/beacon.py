#!/usr/bin/env python3
"""tests/tools/beacon.py — send LAN beacons (proto/beacon.h) as a stranger
would: a real one, or one that must be dropped. Standard library only.

  beacon.py ADDRESS PORT TEAM_ID DEVICE_ID SERVE_PORT [--bad-mac] [--stamp-ms MS] [--count N]

TEAM_ID and DEVICE_ID are base32 as rapport prints them. The beacon says
DEVICE_ID serves on SERVE_PORT at the sender's address; --bad-mac spoils
its MAC, --stamp-ms sets its stamp (default: now). Sent N times (default
3), 0.2 s apart."""
import base64
import hashlib
import socket
import struct
import sys
import time


def b32(text):
    t = text.upper()
    return base64.b32decode(t + "=" * (-len(t) % 8))


def beacon(team, device, port, stamp, bad_mac):
    body = b"RPB1" + bytes([1]) + team + device + struct.pack(">HQ", port, stamp)
    key = hashlib.blake2b(b"rapport beacon v1", key=team, digest_size=32).digest()
    mac = hashlib.blake2b(body, key=key, digest_size=16).digest()
    if bad_mac:
        mac = bytes([mac[0] ^ 1]) + mac[1:]
    return body + mac


def main(argv):
    if len(argv) < 6:
        print(__doc__, file=sys.stderr)
        return 2
    addr, port, team, device, serve_port = argv[1], int(argv[2]), b32(argv[3]), b32(argv[4]), int(argv[5])
    rest = argv[6:]
    bad = "--bad-mac" in rest
    stamp = int(time.time() * 1000)
    count = 3
    if "--stamp-ms" in rest:
        stamp = int(rest[rest.index("--stamp-ms") + 1])
    if "--count" in rest:
        count = int(rest[rest.index("--count") + 1])
    if len(team) != 32 or len(device) != 32:
        print("beacon.py: TEAM_ID and DEVICE_ID must be 32 bytes in base32", file=sys.stderr)
        return 2
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
    for _ in range(count):
        s.sendto(beacon(team, device, serve_port, stamp, bad), (addr, port))
        time.sleep(0.2)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
