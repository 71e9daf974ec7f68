#!/bin/bash
# Garbage thrown at a serving hub: random bytes, a flood of connections,
# hand-made ZeroMQ greetings (NULL mechanism, a bogus CURVE hello, a frame
# claiming 2^63 bytes), a connection that stalls mid-greeting, and — with
# pyzmq — a ZeroMQ client without CURVE, one with a key not in the roster,
# and a member sending malformed sync messages. Afterwards the hub is still
# running, its store is as it was, and it serves a legitimate sync.
. ./lib.sh

new_team hub ann Shop
new_device rep1 bob
new_device rogue rog
hub_id="$(rp_must hub id)"
rp_must hub member add bob "$(rp_must rep1 id)" --role manager >/dev/null
rp_must hub member add rog "$(rp_must rogue id)" --role rep >/dev/null
rp_must hub account add "Bakery Blum" >/dev/null
rp_must hub log "Bakery Blum" visit "Met the owner" >/dev/null
port="$(free_port)"
start_serve hub "$port"
hub_ep="$(endpoint hub)"
rp_must rep1 peer add hub "$hub_ep" "$hub_id"
hub_digest="$(digest hub)"
hub_ops="$(status_of hub .ops)"

# to_port CMD: CMD's stdout to a fresh TCP connection to the hub, bounded;
# whether the hub hangs up early does not matter.
to_port()
{
	timeout 10 bash -c '{ eval "$1"; } >/dev/tcp/127.0.0.1/'"$port" _ "$1" 2>/dev/null
	return 0
}

# The ZMTP 3.1 greeting with mechanism $1 (padded to 20 bytes), as a client.
greeting()
{
	printf '\xff\x00\x00\x00\x00\x00\x00\x00\x01\x7f\x03\x01'
	printf '%s' "$1"
	head -c $((20 - ${#1})) /dev/zero
	printf '\x00'
	head -c 31 /dev/zero
}
export -f greeting

test_begin "raw garbage at the port"

test_expect "100,000 random bytes" to_port 'head -c 100000 /dev/urandom'
test_expect "... the hub is still serving" serve_alive hub
# flood N: N connections at once, each with 20,000 random bytes (waits for
# those N only: a bare `wait` would wait for the serve too).
flood()
{
	local i pids=()
	for i in $(seq 1 "$1"); do
		to_port 'head -c 20000 /dev/urandom' &
		pids+=("$!")
	done
	wait "${pids[@]}"
}
test_expect "30 connections at once, each with 20,000 random bytes" flood 30
test_expect "a ZMTP greeting with the NULL mechanism, READY and two messages" \
	to_port "greeting NULL; printf '\x04\x1c\x05READY\x0bSocket-Type\x00\x00\x00\x06DEALER\x00\x05hello\x00\x03abc'; sleep 0.3"
test_expect "a CURVE greeting and a HELLO command of random bytes" \
	to_port "greeting CURVE; printf '\x04\xc8\x05HELLO'; head -c 194 /dev/urandom; sleep 0.3"
test_expect "a CURVE greeting and a command frame claiming 2^63 bytes" \
	to_port "greeting CURVE; printf '\x06\x7f\xff\xff\xff\xff\xff\xff\xff'; head -c 5000 /dev/urandom; sleep 0.3"
test_expect "a bare greeting signature, then silence for a second" \
	to_port "printf '\xff\x00\x00\x00\x00\x00\x00\x00\x01\x7f'; sleep 1"
test_expect "the hub is still serving" serve_alive hub

test_begin "a hostile ZeroMQ client"

py="$(python_zmq)"
tool="$(dirname "${BASH_SOURCE[0]}")/../tools/zmq_garbage.py"
if [ -z "$py" ]; then
	for what in "a ZeroMQ client without CURVE gets no answer" \
		"a CURVE client with a key not in the roster gets no answer" \
		"a member's malformed messages get errors, nothing else" \
		"... its batch of 3 non-ops is acknowledged, refused and counted"; do
		test_skip "$what" "no python3 with the zmq module (Debian: python3-zmq)"
	done
else
	test_expect "a ZeroMQ client without CURVE, sending 12 messages, gets no answer" \
		expect_stdout 'replies 0 errors 0 other 0' timeout 30 "$py" "$tool" plain "$hub_ep"
	test_expect "a CURVE client with a key not in the roster gets no answer" \
		expect_stdout 'replies 0 errors 0 other 0' timeout 30 "$py" "$tool" stranger "$hub_ep" "$hub_id"
	test_expect "a member's malformed messages get error messages, nothing else" \
		expect_exit 0 timeout 30 "$py" "$tool" member "$hub_ep" "$hub_id" "$TMP/rogue/device.key"
	test_expect "... its batch of 3 non-ops is acknowledged" expect_match "$OUT" '^batch: acked 3$'
	test_expect "... and refused, and counted in the hub's status" \
		expect_stdout 3 status_of hub .refused
	test_expect "... the hub names the member in its log" \
		expect_match "$(cat "${SERVE_LOG[hub]}")" 'rog \([a-z2-7]{8}\): sync failed: malformed message'
fi

test_begin "a stalled connection does not block others"

exec 7<>"/dev/tcp/127.0.0.1/$port"
printf '\xff\x00\x00\x00' >&7
test_expect "with a connection stalled mid-greeting, rep1 syncs (joins)" sync_ok rep1 hub
test_expect "... receiving the hub's $hub_ops ops" expect_match "$OUT" "received $hub_ops ops"
exec 7>&-

test_begin "the hub is intact and serving"

test_expect "the hub's serve is still running" serve_alive hub
test_expect "its store is unchanged: digest" expect_unchanged hub "$hub_digest"
test_expect "... and ops" expect_stdout "$hub_ops" status_of hub .ops
test_expect "fsck passes on the hub" expect_fsck_ok hub
rp_must hub account add "Cafe Corner" >/dev/null
test_expect "a write on the hub is served at the next sync" sync_ok rep1 hub
test_expect "... rep1 received it" expect_match "$OUT" 'received [1-9][0-9]* ops? \(1 account changed\)'
test_expect "... and both digests are equal" expect_same_digest hub rep1
test_expect "the hub's log tells of no crash or sanitizer report" \
	expect_no_match "$(cat "${SERVE_LOG[hub]}")" 'Sanitizer|runtime error|assert'
test_expect "the hub's serve: SIGTERM, exit 0" stop_serve hub

test_expect "no process of this test is left running" expect_nothing_left

test_done
