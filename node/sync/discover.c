/* node/sync/discover.c — LAN discovery by UDP beacon (see discover.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "discover.h"
#include "../store/roster.h"
#include "../../proto/beacon.h"
#include "../../proto/error.h"

static int s_parse(const char *addr, struct sockaddr_in *sa)
{
	char host[64];
	const char *colon = strrchr(addr, ':');
	char *end;
	long port;
	if (!colon || (size_t)(colon - addr) >= sizeof host)
		return -1;
	memcpy(host, addr, (size_t)(colon - addr));
	host[colon - addr] = 0;
	port = strtol(colon + 1, &end, 10);
	memset(sa, 0, sizeof *sa);
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)port);
	if (*end || port <= 0 || port > 65535 || colon[1] == '+' || inet_pton(AF_INET, host, &sa->sin_addr) != 1)
		return -1;
	return 0;
}

int rp_discover_addr_ok(const char *addr)
{
	struct sockaddr_in sa;
	return addr && s_parse(addr, &sa) == 0;
}

int rp_discover_open(rp_discover *d, rp_node *n, const char *addr, uint16_t serve_port,
                     rp_discover_found found, void *arg)
{
	struct sockaddr_in to, any;
	int one = 1;
	memset(d, 0, sizeof *d);
	d->fd = d->nl = -1;
	d->node = n;
	d->serve_port = serve_port;
	d->found = found;
	d->arg = arg;
	if (s_parse(addr, &to) != 0)
		return rp_fail(RP_EINVAL, "bad discovery address '%s': use IPv4:PORT, e.g. %s", addr,
		               RP_DISCOVER_DEFAULT);
	d->to = to;
	memset(&any, 0, sizeof any);
	any.sin_family = AF_INET;
	any.sin_port = to.sin_port;
	any.sin_addr.s_addr = htonl(INADDR_ANY);
	/* every daemon of the machine listens on the port: each hears each beacon */
	if ((d->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) < 0 ||
	    setsockopt(d->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
	    setsockopt(d->fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof one) != 0 ||
	    bind(d->fd, (struct sockaddr *)&any, sizeof any) != 0) {
		int e = errno;
		if (d->fd >= 0)
			close(d->fd);
		d->fd = -1;
		return rp_fail(RP_EIO, "cannot listen for beacons on UDP port %u: %s", ntohs(to.sin_port), strerror(e));
	}
	/* Network changes, to say where we are at once (best effort: a beacon
	 * still goes every few seconds without). */
	{
		struct sockaddr_nl nl = { .nl_family = AF_NETLINK, .nl_groups = RTMGRP_LINK | RTMGRP_IPV4_IFADDR };
		d->nl = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_ROUTE);
		if (d->nl >= 0 && bind(d->nl, (struct sockaddr *)&nl, sizeof nl) != 0) {
			close(d->nl);
			d->nl = -1;
		}
	}
	return 0;
}

/* Did the links or addresses change since the last turn? (Drains netlink.) */
static int s_network_changed(rp_discover *d)
{
	char buf[8192] __attribute__((aligned(__alignof__(struct nlmsghdr))));
	int changed = 0;
	if (d->nl < 0)
		return 0;
	for (int i = 0; i < 16 && recv(d->nl, buf, sizeof buf, 0) > 0; i++)
		changed = 1;
	return changed;
}

int rp_discover_fd(const rp_discover *d)
{
	return d->fd;
}

/* 1 if device was heard within the second (then it is not looked up again). */
static int s_recent(rp_discover *d, const uint8_t device[RP_DEVICE_LEN], uint64_t now)
{
	for (size_t i = 0; i < d->nheard; i++)
		if (!memcmp(d->heard[i].device, device, RP_DEVICE_LEN)) {
			if (now - d->heard[i].at < 1000)
				return 1;
			d->heard[i].at = now;
			return 0;
		}
	memcpy(d->heard[d->next_heard].device, device, RP_DEVICE_LEN);
	d->heard[d->next_heard].at = now;
	d->next_heard = (d->next_heard + 1) % (sizeof d->heard / sizeof d->heard[0]);
	if (d->nheard < sizeof d->heard / sizeof d->heard[0])
		d->nheard++;
	return 0;
}

/* A beacon from src: told to the daemon when it names a teammate's device. */
static void s_heard(rp_discover *d, const uint8_t *buf, size_t len, const struct sockaddr_in *src,
                    const uint8_t team[RP_TEAM_LEN], uint64_t now)
{
	rp_beacon b;
	rp_txn *txn;
	char member[RP_NAME_MAX + 1], ip[INET_ADDRSTRLEN], ep[96];
	int ok = 0;
	if (rp_beacon_decode(buf, len, team, rp_node_now(d->node), &b) != 0 ||
	    !memcmp(b.device, d->node->key.pk, RP_DEVICE_LEN)) {
		d->dropped++;
		return;
	}
	if (s_recent(d, b.device, now) || !d->found)
		return;
	if (rp_store_begin(d->node->store, 0, &txn) == 0) {
		ok = rp_roster_device(d->node->store, txn, b.device, member, NULL) == 0 &&
		     !rp_roster_revoked(d->node->store, txn, b.device);
		rp_store_end(txn);
	}
	if (!ok || !inet_ntop(AF_INET, &src->sin_addr, ip, sizeof ip)) {
		d->dropped++;
		return;
	}
	snprintf(ep, sizeof ep, "tcp://%s:%u", ip, b.port);
	d->found(d->arg, b.device, member, ep, now);
}

/* Our team's id into team: 1, or 0 while this device is in none. */
static int s_team(rp_discover *d, uint8_t team[RP_TEAM_LEN])
{
	rp_txn *txn;
	int in = 0;
	if (rp_store_begin(d->node->store, 0, &txn) == 0) {
		in = rp_node_identity(d->node, txn, team, NULL, NULL) == 0;
		rp_store_end(txn);
	}
	rp_errclear();
	return in;
}

uint64_t rp_discover_turn(rp_discover *d, uint64_t now)
{
	uint8_t team[RP_TEAM_LEN];
	int in_team = -1;        /* looked up only when a datagram or our beacon needs it */
	if (d->fd < 0)
		return UINT64_MAX;
	if (s_network_changed(d) && d->next_send > now + RP_DISCOVER_SETTLE_MS) {
		d->next_send = now + RP_DISCOVER_SETTLE_MS;
		d->changes++;
	}
	for (int i = 0; i < RP_DISCOVER_READS; i++) {
		uint8_t buf[RP_BEACON_LEN + 1];
		struct sockaddr_in src;
		socklen_t sl = sizeof src;
		ssize_t got = recvfrom(d->fd, buf, sizeof buf, 0, (struct sockaddr *)&src, &sl);
		if (got < 0)
			break;
		if (in_team < 0)
			in_team = s_team(d, team);
		if (in_team && sl == sizeof src)
			s_heard(d, buf, (size_t)got, &src, team, now);
	}
	if (now >= d->next_send && in_team < 0)
		in_team = s_team(d, team);
	/* a device not in a team yet has nothing to say, and hears no one */
	if (in_team > 0 && now >= d->next_send) {
		rp_beacon b;
		uint8_t out[RP_BEACON_LEN];
		memcpy(b.team, team, RP_TEAM_LEN);
		memcpy(b.device, d->node->key.pk, RP_DEVICE_LEN);
		b.port = d->serve_port;
		b.stamp_ms = rp_node_now(d->node);
		rp_beacon_encode(&b, out);
		sendto(d->fd, out, sizeof out, 0, (const struct sockaddr *)&d->to, sizeof d->to);
		d->next_send = now + RP_DISCOVER_EVERY_MS;
	}
	return d->next_send > now ? d->next_send - now : 0;
}

void rp_discover_close(rp_discover *d)
{
	if (d->fd >= 0)
		close(d->fd);
	if (d->nl >= 0)
		close(d->nl);
	d->fd = d->nl = -1;
}
