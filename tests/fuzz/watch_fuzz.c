/*
 * watch_fuzz.c: libFuzzer harness for the reader of sshd's address watch,
 * addr_watch_recv() in nonlocal.c: the BSD routing socket branch, or on
 * Linux sys_addr_watch_recv() in openbsd-compat/port-net.c (netlink).
 * One input is one notification datagram.
 *
 * Built by scripts/fuzz against a configured build tree OBJ (its config.h
 * chooses the branch; a routing socket tree has -I tests/bsd-route/LAYOUT
 * in its CPPFLAGS):
 *	clang -fsanitize=fuzzer,address,undefined -DHAVE_CONFIG_H -I$OBJ \
 *	    [-I tests/bsd-route/LAYOUT] -o watch_fuzz \
 *	    tests/fuzz/watch_fuzz.c $OBJ/libssh.a \
 *	    $OBJ/openbsd-compat/libopenbsd-compat.a -lcrypto -lz
 *
 * The reader's own source is included below, so that the static function
 * is reachable and instrumented. The input is written into one end of an
 * AF_UNIX datagram socketpair and the reader is called on the other: the
 * kernel delivers it, and truncates it to the reader's buffer, as it
 * would from the routing or netlink socket. The reader's read(2) and
 * recvmsg(2) go through the wrappers below, which poison for ASan what
 * the call did not fill in: the buffer past the bytes received and the
 * sender's address past its length. So a read of anything the kernel did
 * not deliver is reported, not only a read past the end of the buffer.
 *
 * Netlink: the first 8 bytes of the input are the sender's address as
 * recvmsg() reports it: msg_namelen (1 byte), a pad byte, nl_family
 * (2 bytes) and nl_pid (4 bytes, host order); the rest is the datagram.
 * A socketpair has no sender address, so the wrapper fills in that one:
 * 12, 0, AF_NETLINK, 0 is the kernel, anything else another process or
 * something the kernel would not report.
 *
 * Besides the sanitizers it checks that the reader reads exactly one
 * datagram and takes one for a hint only if it is one: on netlink if the
 * kernel sent it, on the routing socket if it is a whole address change
 * message in the layout's version that is not a failed request's echo.
 */

#include "includes.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sanitizer/asan_interface.h>

/*
 * The branch nonlocal.c takes, checked below, and what it and port-net.c
 * include, before read and recvmsg are redefined.
 */
#if defined(HAVE_SYS_ADDR_WATCH)
#if !defined(SYS_ADDR_WATCH_NETLINK)
#error "watch_fuzz knows only the netlink sys_addr_watch_recv()"
#endif
#define FUZZ_NETLINK
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#elif defined(HAVE_DECL_RTM_NEWADDR) && HAVE_DECL_RTM_NEWADDR
#define FUZZ_ROUTE
#include <net/route.h>
#else
#error "this build tree has no address notifications to read"
#endif
#include "openbsd-compat/sys-queue.h"
#include "log.h"
#include "misc.h"
#include "xmalloc.h"
#include "sshbuf.h"
#include "channels.h"
#include "ssherr.h"

#if defined(FUZZ_NETLINK)
#define NL_SENDER_LEN	8	/* the sender's address in the input */

/* The sender's address recvmsg() reports */
static struct {
	u_int namelen;
	sa_family_t family;
	uint32_t pid;
} sender;
#endif

/* What a wrapper poisoned; made addressable again after the call */
static struct {
	void *p;
	size_t len;
} poisoned[8];
static u_int npoisoned;
static u_int nreads;		/* the reader's read()s and recvmsg()s */

static void
fail(const char *what)
{
	fprintf(stderr, "watch_fuzz: %s\n", what);
	abort();
}

static void
poison(void *p, size_t len)
{
	if (len == 0)
		return;
	if (npoisoned >= sizeof(poisoned) / sizeof(poisoned[0]))
		fail("too many regions to poison");
	ASAN_POISON_MEMORY_REGION(p, len);
	poisoned[npoisoned].p = p;
	poisoned[npoisoned].len = len;
	npoisoned++;
}

static void
unpoison_all(void)
{
	while (npoisoned > 0) {
		npoisoned--;
		ASAN_UNPOISON_MEMORY_REGION(poisoned[npoisoned].p,
		    poisoned[npoisoned].len);
	}
}

#if defined(FUZZ_ROUTE)
static ssize_t
fuzz_read(int fd, void *buf, size_t len)
{
	ssize_t n;

	nreads++;
	if ((n = read(fd, buf, len)) == -1)
		return -1;
	poison((char *)buf + n, len - n);
	return n;
}
#define read(fd, buf, len)	fuzz_read(fd, buf, len)
#else
static ssize_t
fuzz_recvmsg(int fd, struct msghdr *msg, int flags)
{
	struct sockaddr_storage ss;
	struct sockaddr_nl *snl = (struct sockaddr_nl *)&ss;
	socklen_t cap = msg->msg_name == NULL ? 0 : msg->msg_namelen;
	size_t left, fill, i;
	ssize_t n;

	nreads++;
	if ((n = recvmsg(fd, msg, flags)) == -1)
		return -1;
	for (left = n, i = 0; i < msg->msg_iovlen; i++) {
		fill = MINIMUM(left, msg->msg_iov[i].iov_len);
		poison((char *)msg->msg_iov[i].iov_base + fill,
		    msg->msg_iov[i].iov_len - fill);
		left -= fill;
	}
	/* As the kernel does: copy what fits, report the whole length */
	memset(&ss, 0, sizeof(ss));
	snl->nl_family = sender.family;
	snl->nl_pid = sender.pid;
	fill = MINIMUM(MINIMUM(cap, sender.namelen), sizeof(ss));
	if (fill > 0)
		memcpy(msg->msg_name, &ss, fill);
	if (msg->msg_name != NULL)
		poison((char *)msg->msg_name + fill, cap - fill);
	msg->msg_namelen = sender.namelen;
	return n;
}
#define recvmsg(fd, msg, flags)	fuzz_recvmsg(fd, msg, flags)
#endif

/* The macros reach the reader's calls, not the declarations above */
#include "nonlocal.c"
#if defined(FUZZ_NETLINK)
#include "openbsd-compat/port-net.c"
#undef recvmsg
#else
#undef read
#endif

#if defined(FUZZ_ROUTE) != defined(ADDR_WATCH_ROUTE)
#error "nonlocal.c took another branch than watch_fuzz expects"
#endif

static int sv[2] = { -1, -1 };

#if defined(FUZZ_ROUTE)
/* An address change, as addr_watch_recv() lists them */
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

/* A hint must be a whole address change message, not an error's echo */
static void
check_route(int r, const uint8_t *data, size_t size)
{
	struct rt_msghdr rtm;
	size_t head = offsetof(struct rt_msghdr, rtm_type) +
	    sizeof(rtm.rtm_type);
	size_t errend = offsetof(struct rt_msghdr, rtm_errno) +
	    sizeof(rtm.rtm_errno);

	if (r != 0 && r != 1)
		fail("addr_watch_recv() failed on a readable socket");
	if (r == 0)
		return;
	memset(&rtm, 0, sizeof(rtm));
	memcpy(&rtm, data, MINIMUM(size, sizeof(rtm)));
	if (size < head || rtm.rtm_msglen < head || rtm.rtm_msglen > size)
		fail("hint from a message longer than the datagram");
	if (rtm.rtm_version != RTM_VERSION)
		fail("hint from a message of another version");
	if (!hint_type(rtm.rtm_type))
		fail("hint from a message that is no address change");
#ifdef ROUTE_MSGFILTER
	if (rtm.rtm_msglen >= errend && rtm.rtm_hdrlen >= errend &&
	    rtm.rtm_errno != 0)
		fail("hint from a failed request's echo");
#else
	if (rtm.rtm_msglen >= sizeof(rtm) && rtm.rtm_errno != 0)
		fail("hint from a failed request's echo");
	(void)errend;
#endif
}
#else
/* A hint must come from the kernel */
static void
check_netlink(int r)
{
	int kernel = sender.namelen == sizeof(struct sockaddr_nl) &&
	    sender.family == AF_NETLINK && sender.pid == 0;

	if (r != 0 && r != 1)
		fail("sys_addr_watch_recv() failed on a readable socket");
	if (r == 1 && !kernel)
		fail("hint from a sender other than the kernel");
	if (r == 0 && kernel)
		fail("the kernel's message ignored");
}
#endif

int LLVMFuzzerInitialize(int *, char ***);
int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	int sz = 256 * 1024;

	(void)argc;
	(void)argv;
	log_init("watch_fuzz", SYSLOG_LEVEL_QUIET, SYSLOG_FACILITY_AUTH, 1);
	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) == -1 ||
	    setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz)) == -1 ||
	    setsockopt(sv[1], SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz)) == -1 ||
	    set_nonblock(sv[1]) == -1) {
		perror("watch_fuzz: socketpair");
		exit(1);
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *dgram = data;
	size_t len = size;
	char c;
	int r;

#if defined(FUZZ_NETLINK)
	uint8_t a[NL_SENDER_LEN];
	uint16_t family;

	memset(a, 0, sizeof(a));
	memcpy(a, data, MINIMUM(size, sizeof(a)));
	memcpy(&family, a + 2, sizeof(family));
	sender.namelen = a[0];
	sender.family = family;
	memcpy(&sender.pid, a + 4, sizeof(sender.pid));
	dgram = data + MINIMUM(size, sizeof(a));
	len = size - MINIMUM(size, sizeof(a));
#endif
	if (send(sv[0], dgram, len, 0) != (ssize_t)len) {
		if (errno == EMSGSIZE)
			return -1;	/* larger than a datagram can be */
		perror("watch_fuzz: send");
		abort();
	}
	nreads = 0;
	r = addr_watch_recv(sv[1]);
	unpoison_all();
	if (nreads != 1)
		fail("the reader did not read exactly once");
	if (recv(sv[1], &c, 1, MSG_DONTWAIT) != -1 ||
	    (errno != EAGAIN && errno != EWOULDBLOCK))
		fail("a datagram was left unread");
#if defined(FUZZ_ROUTE)
	check_route(r, dgram, len);
#else
	check_netlink(r);
#endif
	return 0;
}
