/*
 * watch_corpus.c: write the seed corpus of watch_fuzz.c for one build
 * tree's address watch, one file per message, into DIR.
 *
 * Build: cc -DHAVE_CONFIG_H -I$OBJ [-I tests/bsd-route/LAYOUT] \
 *	    -o watch_corpus tests/fuzz/watch_corpus.c
 * Usage: watch_corpus DIR
 *
 * Routing socket (the layout's <net/route.h>): RTM_NEWADDR, RTM_DELADDR
 * and the layout's other address changes as struct ifa_msghdr plus three
 * BSD sockaddr_in, a failed request's echo, a route, a link change, and
 * a wrong version, a length beyond the datagram, a short, a zero-length
 * and an oversized message. Netlink: the sender's address watch_fuzz.c
 * expects first (the kernel, or a process), then RTM_NEWADDR and
 * RTM_DELADDR with IFA_ADDRESS and IFA_LOCAL, two messages in one
 * datagram, NLMSG_ERROR, NLMSG_DONE and an oversized datagram.
 */

#include "includes.h"

#include <sys/types.h>
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#if defined(HAVE_SYS_ADDR_WATCH)
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <arpa/inet.h>
#define CORPUS_NETLINK
#elif defined(HAVE_DECL_RTM_NEWADDR) && HAVE_DECL_RTM_NEWADDR
#include <net/route.h>
#define CORPUS_ROUTE
#else
#error "this build tree has no address notifications to read"
#endif

#define BIG		3000	/* more than the readers' buffers */

static const char *dir;
static unsigned char buf[4096];

static void
put(const char *name, size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "w")) == NULL ||
	    fwrite(buf, 1, len, f) != len || fclose(f) != 0) {
		fprintf(stderr, "watch_corpus: %s: %s\n", path,
		    strerror(errno));
		exit(1);
	}
}

#if defined(CORPUS_ROUTE)
/* OpenBSD's headers carry their length (rtm_hdrlen, ifam_hdrlen) */
#ifdef ROUTE_MSGFILTER
#define HAVE_HDRLEN 1
#endif
#define BSD_AF_INET	2	/* the same on every BSD */
#define RTA_DST_GW_MASK	0x07	/* RTA_DST|RTA_GATEWAY|RTA_NETMASK */
#define RTA_MASK_IFA_BRD 0xa4	/* RTA_NETMASK|RTA_IFA|RTA_BRD */

/* A BSD struct sockaddr_in: sin_len first, then an 8-bit family */
static size_t
put_sin(unsigned char *p, int a, int b, int c, int d)
{
	p[0] = 16;
	p[1] = BSD_AF_INET;
	p[4] = a;
	p[5] = b;
	p[6] = c;
	p[7] = d;
	return 16;
}

static size_t
addr_msg(int type, int version)
{
	struct ifa_msghdr ifam;
	size_t len = sizeof(ifam);

	memset(buf, 0, sizeof(buf));
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

static size_t
rt_msg(int type, int err, int nsa)
{
	struct rt_msghdr rtm;
	size_t len = sizeof(rtm);

	memset(buf, 0, sizeof(buf));
	if (nsa) {
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
	rtm.rtm_addrs = nsa ? RTA_DST_GW_MASK : 0;
	if (err != 0) {
		rtm.rtm_pid = 4242;
		rtm.rtm_seq = 1;
		rtm.rtm_errno = err;
	}
	memcpy(buf, &rtm, sizeof(rtm));
	return len;
}

static void
set_msglen(size_t len)
{
	uint16_t u = len;

	memcpy(buf, &u, sizeof(u));
}

static void
corpus(void)
{
	size_t len;

	put("newaddr", addr_msg(RTM_NEWADDR, RTM_VERSION));
	put("deladdr", addr_msg(RTM_DELADDR, RTM_VERSION));
#ifdef RTM_CHGADDR
	put("chgaddr", addr_msg(RTM_CHGADDR, RTM_VERSION));
#endif
#ifdef RTM_CHGADDRATTR
	put("chgaddrattr", addr_msg(RTM_CHGADDRATTR, RTM_VERSION));
#endif
#ifdef RTM_DESYNC
	put("desync", rt_msg(RTM_DESYNC, 0, 0));
#endif
	put("errno", rt_msg(RTM_NEWADDR, EPERM, 0));
	put("route", rt_msg(RTM_ADD, 0, 1));
	rt_msg(RTM_IFINFO, 0, 0);
	len = sizeof(struct rt_msghdr) + 24;
	set_msglen(len);
	put("ifinfo", len);
	put("badversion", addr_msg(RTM_NEWADDR, RTM_VERSION + 1));
	addr_msg(RTM_NEWADDR, RTM_VERSION);
	set_msglen(200);
	put("truncated", 40);
	set_msglen(4);
	put("head-only", 4);
	put("short", 3);
	len = addr_msg(RTM_NEWADDR, RTM_VERSION);
	set_msglen(0);
	put("zero", len);
	rt_msg(RTM_NEWADDR, 0, 1);
	set_msglen(BIG);
	put("oversized", BIG);
}
#else
#define SENDER_LEN	8	/* namelen, pad, nl_family, nl_pid */

static size_t
sender(uint32_t pid)
{
	uint16_t family = AF_NETLINK;

	memset(buf, 0, sizeof(buf));
	buf[0] = sizeof(struct sockaddr_nl);
	memcpy(buf + 2, &family, sizeof(family));
	memcpy(buf + 4, &pid, sizeof(pid));
	return SENDER_LEN;
}

static size_t
put_rta(size_t off, int type, const void *data, size_t dlen)
{
	struct rtattr rta;

	rta.rta_len = RTA_LENGTH(dlen);
	rta.rta_type = type;
	memcpy(buf + off, &rta, sizeof(rta));
	memcpy(buf + off + RTA_LENGTH(0), data, dlen);
	return off + RTA_SPACE(dlen);
}

/* An address message at OFF; returns where it ends */
static size_t
addr_msg(size_t off, int type)
{
	struct nlmsghdr nh;
	struct ifaddrmsg ifa;
	struct in_addr in;
	size_t end;

	inet_pton(AF_INET, "198.51.100.10", &in);
	memset(&ifa, 0, sizeof(ifa));
	ifa.ifa_family = AF_INET;
	ifa.ifa_prefixlen = 24;
	ifa.ifa_index = 2;
	memcpy(buf + off + NLMSG_HDRLEN, &ifa, sizeof(ifa));
	end = off + NLMSG_SPACE(sizeof(ifa));
	end = put_rta(end, IFA_ADDRESS, &in, sizeof(in));
	end = put_rta(end, IFA_LOCAL, &in, sizeof(in));
	memset(&nh, 0, sizeof(nh));
	nh.nlmsg_len = end - off;
	nh.nlmsg_type = type;
	memcpy(buf + off, &nh, sizeof(nh));
	return end;
}

static void
corpus(void)
{
	struct nlmsghdr nh;
	struct nlmsgerr err;
	size_t len;

	put("newaddr", addr_msg(sender(0), RTM_NEWADDR));
	put("deladdr", addr_msg(sender(0), RTM_DELADDR));
	put("newaddr-process", addr_msg(sender(4242), RTM_NEWADDR));
	len = addr_msg(addr_msg(sender(0), RTM_NEWADDR), RTM_DELADDR);
	put("two", len);
	len = sender(0);
	memset(&err, 0, sizeof(err));
	err.error = -ENOBUFS;
	memset(&nh, 0, sizeof(nh));
	nh.nlmsg_len = NLMSG_LENGTH(sizeof(err));
	nh.nlmsg_type = NLMSG_ERROR;
	memcpy(buf + len, &nh, sizeof(nh));
	memcpy(buf + len + NLMSG_HDRLEN, &err, sizeof(err));
	put("error", len + nh.nlmsg_len);
	len = sender(0);
	nh.nlmsg_len = NLMSG_LENGTH(sizeof(int));
	nh.nlmsg_type = NLMSG_DONE;
	memcpy(buf + len, &nh, sizeof(nh));
	put("done", len + nh.nlmsg_len);
	put("empty", sender(0));
	addr_msg(sender(0), RTM_NEWADDR);
	buf[0] = 0;			/* no sender address */
	put("unnamed", SENDER_LEN + 3);
	addr_msg(sender(0), RTM_NEWADDR);
	put("oversized", SENDER_LEN + BIG);
}
#endif

int
main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: watch_corpus DIR\n");
		return 2;
	}
	dir = argv[1];
	corpus();
	return 0;
}
