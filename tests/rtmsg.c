/*
 * rtmsg.c: send BSD routing socket messages, in the layout of the
 * <net/route.h> it is compiled against, to the stand-in routing socket of
 * tests/preload/routeshim.c (an AF_UNIX datagram socket), one datagram
 * per message, as the kernel would deliver them to sshd's address watch.
 *
 * Build: cc -I tests/bsd-route/LAYOUT -o rtmsg-LAYOUT tests/rtmsg.c
 * Usage: rtmsg PATH CASE...   (every CASE is checked before any is sent)
 *
 * Cases (address messages are struct ifa_msghdr plus three BSD
 * sockaddr_in: netmask, address, broadcast):
 *   newaddr, deladdr      RTM_NEWADDR, RTM_DELADDR
 *   chgaddr               RTM_CHGADDR (NetBSD)
 *   chgaddrattr           RTM_CHGADDRATTR (OpenBSD: end of IPv6 DAD)
 *   desync                RTM_DESYNC as a bare rt_msghdr (OpenBSD)
 *   ifinfo                RTM_IFINFO (a link change, not an address)
 *   route                 RTM_ADD as rt_msghdr plus dst, gateway, netmask
 *   errno                 RTM_NEWADDR laid out as a whole rt_msghdr with
 *                         rtm_errno EPERM: a failed request's echo
 *   badversion            RTM_NEWADDR with RTM_VERSION + 1
 *   truncated             RTM_NEWADDR claiming 200 bytes in a 40-byte datagram
 *   short                 3 bytes
 *   zero                  RTM_NEWADDR with rtm_msglen 0
 *   garbage=N             N datagrams of 1 to 3000 random bytes (fixed
 *                         seed), none of them a valid address message:
 *                         wrong version, a length beyond the datagram, a
 *                         type that is no address change, or a failed
 *                         request's echo
 *   enobufs               "ENOBUFS", which the shim turns into read()
 *                         failing with ENOBUFS
 *   info                  send nothing; print the layout's sizes
 * An unknown case (or one this layout does not have) exits 2.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <net/route.h>

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* OpenBSD's headers carry their length (rtm_hdrlen, ifam_hdrlen). */
#ifdef ROUTE_MSGFILTER
#define HAVE_HDRLEN 1
#endif

#define BSD_AF_INET	2	/* the same on every BSD */
#define RTA_DST_GW_MASK	0x07	/* RTA_DST|RTA_GATEWAY|RTA_NETMASK */
#define RTA_MASK_IFA_BRD 0xa4	/* RTA_NETMASK|RTA_IFA|RTA_BRD */
#define GARBAGE_MAX	3000
#define BIG		4096

/* A BSD struct sockaddr_in: sin_len first, then an 8-bit family. */
struct bsd_sockaddr_in {
	uint8_t		sin_len;
	uint8_t		sin_family;
	uint16_t	sin_port;
	uint8_t		sin_addr[4];
	uint8_t		sin_zero[8];
};

static const char *path;
static int sock = -1;

static void
send_dgram(const void *buf, size_t len)
{
	struct sockaddr_un su;

	memset(&su, 0, sizeof(su));
	su.sun_family = AF_UNIX;
	memcpy(su.sun_path, path, strlen(path));
	/* Blocks while sshd's queue is full: it reads, or the alarm ends us. */
	if (sendto(sock, buf, len, 0, (struct sockaddr *)&su,
	    sizeof(su)) != (ssize_t)len) {
		fprintf(stderr, "rtmsg: sendto %s: %s\n", path,
		    strerror(errno));
		exit(1);
	}
}

static size_t
put_sin(unsigned char *p, uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	struct bsd_sockaddr_in sin;

	memset(&sin, 0, sizeof(sin));
	sin.sin_len = sizeof(sin);
	sin.sin_family = BSD_AF_INET;
	sin.sin_addr[0] = a;
	sin.sin_addr[1] = b;
	sin.sin_addr[2] = c;
	sin.sin_addr[3] = d;
	memcpy(p, &sin, sizeof(sin));
	return sizeof(sin);
}

/* An address message of TYPE in BUF; returns its length. */
static size_t
addr_msg(unsigned char *buf, int type, int version)
{
	struct ifa_msghdr ifam;
	size_t len = sizeof(ifam);

	memset(buf, 0, BIG);
	len += put_sin(buf + len, 255, 255, 255, 0);
	len += put_sin(buf + len, 198, 51, 100, 10);
	len += put_sin(buf + len, 198, 51, 100, 255);
	memset(&ifam, 0, sizeof(ifam));
	ifam.ifam_msglen = len;
	ifam.ifam_version = version;
	ifam.ifam_type = type;
#ifdef HAVE_HDRLEN
	ifam.ifam_hdrlen = sizeof(ifam);
#endif
	ifam.ifam_index = 2;
	ifam.ifam_addrs = RTA_MASK_IFA_BRD;
	memcpy(buf, &ifam, sizeof(ifam));
	return len;
}

/* A struct rt_msghdr of TYPE with ERR in BUF, NSA sockaddrs after it. */
static size_t
rt_msg(unsigned char *buf, int type, int err, int nsa)
{
	struct rt_msghdr rtm;
	size_t len = sizeof(rtm);

	memset(buf, 0, BIG);
	if (nsa > 0) {
		len += put_sin(buf + len, 198, 51, 100, 0);
		len += put_sin(buf + len, 198, 51, 100, 1);
		len += put_sin(buf + len, 255, 255, 255, 0);
	}
	memset(&rtm, 0, sizeof(rtm));
	rtm.rtm_msglen = len;
	rtm.rtm_version = RTM_VERSION;
	rtm.rtm_type = type;
#ifdef HAVE_HDRLEN
	rtm.rtm_hdrlen = sizeof(rtm);
#endif
	rtm.rtm_index = 2;
	rtm.rtm_addrs = nsa > 0 ? RTA_DST_GW_MASK : 0;
	if (err != 0) {
		/* The echo of the requester's own failed message. */
		rtm.rtm_pid = getpid();
		rtm.rtm_seq = 1;
		rtm.rtm_errno = err;
	}
	memcpy(buf, &rtm, sizeof(rtm));
	return len;
}

static int
hint_type(int type)
{
	switch (type) {
	case RTM_NEWADDR:
	case RTM_DELADDR:
#ifdef RTM_CHGADDR
	case RTM_CHGADDR:
#endif
#ifdef RTM_CHGADDRATTR
	case RTM_CHGADDRATTR:
#endif
#ifdef RTM_DESYNC
	case RTM_DESYNC:
#endif
		return 1;
	}
	return 0;
}

/* xorshift32 with a fixed seed: the same garbage every run. */
static uint32_t
rnd(void)
{
	static uint32_t x = 0x2545f491;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return x;
}

static void
set_u16(unsigned char *p, unsigned int v)
{
	uint16_t u = v > 0xffff ? 0xffff : v;

	memcpy(p, &u, sizeof(u));
}

/* One datagram of garbage that sshd must not take for a notification. */
static void
garbage_one(unsigned char *buf)
{
	struct rt_msghdr rtm;
	size_t i, len;
	int kind, type;

	len = (rnd() % 16 == 0) ? 2049 + rnd() % (GARBAGE_MAX - 2048) :
	    1 + rnd() % 600;
	for (i = 0; i < len; i++)
		buf[i] = rnd();
	kind = len < sizeof(rtm) + 1 ? rnd() % 3 : rnd() % 4;
	if (len < 4)
		kind = 0;
	switch (kind) {
	case 0:		/* anything, but not this version */
		if (len >= 3 && buf[2] == RTM_VERSION)
			buf[2] ^= 0x40;
		break;
	case 1:		/* an address message longer than the datagram */
		set_u16(buf, len + 1 + rnd() % 100);
		buf[2] = RTM_VERSION;
		buf[3] = RTM_NEWADDR;
		break;
	case 2:		/* a valid message of some other type */
		set_u16(buf, len);
		buf[2] = RTM_VERSION;
		type = rnd() % 256;
		buf[3] = hint_type(type) ? RTM_ADD : type;
		break;
	case 3:		/* the echo of a failed request */
		memcpy(&rtm, buf, sizeof(rtm));
		rtm.rtm_msglen = len;
		rtm.rtm_version = RTM_VERSION;
		rtm.rtm_type = RTM_NEWADDR;
#ifdef HAVE_HDRLEN
		rtm.rtm_hdrlen = sizeof(rtm);
#endif
		rtm.rtm_errno = 1 + rnd() % 100;
		memcpy(buf, &rtm, sizeof(rtm));
		break;
	}
	send_dgram(buf, len);
}

/* Send CASE, or with DRYRUN only say whether it exists (0) or not (-1). */
static int
send_case(const char *what, int dryrun)
{
	static unsigned char buf[BIG];
	char *end;
	long i, count;
	size_t len;

	if (strncmp(what, "garbage=", 8) == 0) {
		count = strtol(what + 8, &end, 10);
		if (end == what + 8 || *end != '\0' || count < 1 ||
		    count > 100000)
			return -1;
		if (dryrun)
			return 0;
		for (i = 0; i < count; i++)
			garbage_one(buf);
		return 0;
	}
	if (strcmp(what, "newaddr") == 0)
		len = addr_msg(buf, RTM_NEWADDR, RTM_VERSION);
	else if (strcmp(what, "deladdr") == 0)
		len = addr_msg(buf, RTM_DELADDR, RTM_VERSION);
#ifdef RTM_CHGADDR
	else if (strcmp(what, "chgaddr") == 0)
		len = addr_msg(buf, RTM_CHGADDR, RTM_VERSION);
#endif
#ifdef RTM_CHGADDRATTR
	else if (strcmp(what, "chgaddrattr") == 0)
		len = addr_msg(buf, RTM_CHGADDRATTR, RTM_VERSION);
#endif
#ifdef RTM_DESYNC
	else if (strcmp(what, "desync") == 0)
		len = rt_msg(buf, RTM_DESYNC, 0, 0);
#endif
	else if (strcmp(what, "ifinfo") == 0) {
		/* an if_msghdr: the common header, then zeroed if_data */
		rt_msg(buf, RTM_IFINFO, 0, 0);
		len = sizeof(struct rt_msghdr) + 24;
		set_u16(buf, len);
	} else if (strcmp(what, "route") == 0)
		len = rt_msg(buf, RTM_ADD, 0, 3);
	else if (strcmp(what, "errno") == 0)
		len = rt_msg(buf, RTM_NEWADDR, EPERM, 0);
	else if (strcmp(what, "badversion") == 0)
		len = addr_msg(buf, RTM_NEWADDR, RTM_VERSION + 1);
	else if (strcmp(what, "truncated") == 0) {
		addr_msg(buf, RTM_NEWADDR, RTM_VERSION);
		set_u16(buf, 200);
		len = 40;
	} else if (strcmp(what, "short") == 0) {
		addr_msg(buf, RTM_NEWADDR, RTM_VERSION);
		set_u16(buf, 3);
		len = 3;
	} else if (strcmp(what, "zero") == 0) {
		len = addr_msg(buf, RTM_NEWADDR, RTM_VERSION);
		set_u16(buf, 0);
	} else if (strcmp(what, "enobufs") == 0) {
		len = strlen("ENOBUFS");
		memcpy(buf, "ENOBUFS", len);
	} else if (strcmp(what, "info") == 0) {
		if (!dryrun)
			printf("rt_msghdr=%zu ifa_msghdr=%zu rtm_errno@%zu "
			    "RTM_VERSION=%d RTM_NEWADDR=%d RTM_DELADDR=%d\n",
			    sizeof(struct rt_msghdr), sizeof(struct ifa_msghdr),
			    offsetof(struct rt_msghdr, rtm_errno), RTM_VERSION,
			    RTM_NEWADDR, RTM_DELADDR);
		return 0;
	} else
		return -1;
	if (!dryrun)
		send_dgram(buf, len);
	return 0;
}

int
main(int argc, char **argv)
{
	struct sockaddr_un su;
	int i;

	if (argc < 3) {
		fprintf(stderr, "usage: rtmsg PATH CASE...\n");
		return 2;
	}
	path = argv[1];
	if (strlen(path) >= sizeof(su.sun_path)) {
		fprintf(stderr, "rtmsg: %s: path too long\n", path);
		return 2;
	}
	for (i = 2; i < argc; i++) {
		if (send_case(argv[i], 1) == -1) {
			fprintf(stderr, "rtmsg: unknown case '%s' for this "
			    "layout\n", argv[i]);
			return 2;
		}
	}
	if ((sock = socket(AF_UNIX, SOCK_DGRAM, 0)) == -1) {
		fprintf(stderr, "rtmsg: socket: %s\n", strerror(errno));
		return 1;
	}
	alarm(30);
	for (i = 2; i < argc; i++)
		send_case(argv[i], 0);
	return 0;
}
