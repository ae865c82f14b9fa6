/*
 * routeshim.c: an LD_PRELOAD stand-in for a BSD routing socket, so that
 * a Linux machine can run the PF_ROUTE branch of sshd's address watch
 * (built against one of the <net/route.h> layouts in tests/bsd-route)
 * and feed it messages of that layout (tests/rtmsg.c).  The BSD socket
 * becomes an AF_UNIX datagram socket bound to a path: whatever is sent
 * there arrives as one routing message per read(), as from the kernel.
 *
 * Build: cc -shared -fPIC -o routeshim.so routeshim.c -ldl
 *
 * Environment:
 *   ROUTESHIM_SOCK    path to bind the stand-in to (required for the
 *                     substitution; removed first, so that sshd re-executed
 *                     after SIGHUP binds it again)
 *   ROUTESHIM_LOG     file to append one line per call to
 *   ROUTESHIM_RERROR  the layout's SO_RERROR values as a comma-separated
 *                     list (C notation, e.g. "0x20000"): setsockopt at
 *                     SOL_SOCKET with one of them is recorded and succeeds
 *                     (default: none)
 *
 * Calls:
 *   socket(PF_ROUTE, SOCK_RAW, 0)  with ROUTESHIM_SOCK set: the AF_UNIX
 *                     SOCK_DGRAM socket bound to that path (PF_ROUTE is
 *                     glibc's 16, which is also PF_NETLINK: start sshd
 *                     through env(1), not through a netlink user)
 *   setsockopt        on that fd at level PF_ROUTE, or SOL_SOCKET with a
 *                     listed SO_RERROR: recorded, returns 0; any other
 *                     option is passed on
 *   read, recv, recvfrom  on that fd: a datagram of exactly the 7 bytes
 *                     "ENOBUFS" returns -1 with errno ENOBUFS (the kernel's
 *                     "notifications were lost"); anything else as read
 *   close, dup2, dup3 forget the fd
 *   bind              of any socket to port 0 is recorded as a probe
 *
 * Log lines (numbers decimal):
 *   PID route-socket fd=FD
 *   PID route-setsockopt level=L opt=O value=V
 *   PID route-setsockopt level=L opt=O value=V passed ret=R errno=E
 *   PID route-read n=N [errno=E]
 *   PID probe family=inet|inet6 addr=ADDR ret=R errno=E
 */
#define _GNU_SOURCE
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_ROUTE_FDS	8
#define MAX_RERROR	4
#define MAGIC_ENOBUFS	"ENOBUFS"
#define MAGIC_LEN	(sizeof(MAGIC_ENOBUFS) - 1)

static int (*real_socket)(int, int, int);
static int (*real_setsockopt)(int, int, int, const void *, socklen_t);
static int (*real_bind)(int, const struct sockaddr *, socklen_t);
static ssize_t (*real_read)(int, void *, size_t);
static ssize_t (*real_recv)(int, void *, size_t, int);
static ssize_t (*real_recvfrom)(int, void *, size_t, int, struct sockaddr *,
    socklen_t *);
static int (*real_close)(int);
static int (*real_dup2)(int, int);
static int (*real_dup3)(int, int, int);

static int route_fds[MAX_ROUTE_FDS] = { -1, -1, -1, -1, -1, -1, -1, -1 };

static void
resolve(void)
{
	if (real_socket != NULL)
		return;
	real_setsockopt = (int (*)(int, int, int, const void *,
	    socklen_t))dlsym(RTLD_NEXT, "setsockopt");
	real_bind = (int (*)(int, const struct sockaddr *,
	    socklen_t))dlsym(RTLD_NEXT, "bind");
	real_read = (ssize_t (*)(int, void *, size_t))dlsym(RTLD_NEXT, "read");
	real_recv = (ssize_t (*)(int, void *, size_t,
	    int))dlsym(RTLD_NEXT, "recv");
	real_recvfrom = (ssize_t (*)(int, void *, size_t, int,
	    struct sockaddr *, socklen_t *))dlsym(RTLD_NEXT, "recvfrom");
	real_close = (int (*)(int))dlsym(RTLD_NEXT, "close");
	real_dup2 = (int (*)(int, int))dlsym(RTLD_NEXT, "dup2");
	real_dup3 = (int (*)(int, int, int))dlsym(RTLD_NEXT, "dup3");
	/* Last: it is the "resolved" flag. */
	real_socket = (int (*)(int, int, int))dlsym(RTLD_NEXT, "socket");
}

static void
record(const char *fmt, ...)
{
	const char *path = getenv("ROUTESHIM_LOG");
	char line[512];
	int fd, n, m, saved = errno;
	va_list ap;

	if (path == NULL || *path == '\0')
		return;
	n = snprintf(line, sizeof(line), "%ld ", (long)getpid());
	va_start(ap, fmt);
	m = vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
	va_end(ap);
	if (n < 0 || m < 0)
		goto out;
	n += m;
	if (n > (int)sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	/* One write per line on an O_APPEND file: lines never interleave. */
	if ((fd = open(path, O_WRONLY|O_APPEND|O_CREAT|O_CLOEXEC,
	    0644)) != -1) {
		if (write(fd, line, n) != n) {
			/* nothing sensible to do; the test notices the gap */
		}
		real_close(fd);
	}
 out:
	errno = saved;
}

static int
is_route_fd(int fd)
{
	int i;

	if (fd < 0)
		return 0;
	for (i = 0; i < MAX_ROUTE_FDS; i++)
		if (route_fds[i] == fd)
			return 1;
	return 0;
}

static void
remember(int fd)
{
	int i;

	for (i = 0; i < MAX_ROUTE_FDS; i++) {
		if (route_fds[i] == -1) {
			route_fds[i] = fd;
			return;
		}
	}
}

static void
forget(int fd)
{
	int i;

	for (i = 0; i < MAX_ROUTE_FDS; i++)
		if (route_fds[i] == fd)
			route_fds[i] = -1;
}

/* Is OPT one of the SO_RERROR values listed in ROUTESHIM_RERROR? */
static int
is_rerror(int opt)
{
	const char *list = getenv("ROUTESHIM_RERROR");
	char *end;
	long o;
	int i;

	if (list == NULL)
		return 0;
	for (i = 0; i < MAX_RERROR && *list != '\0'; i++) {
		o = strtol(list, &end, 0);
		if (end == list)
			return 0;
		if (o == opt)
			return 1;
		list = end;
		if (*list == ',')
			list++;
	}
	return 0;
}

static unsigned int
uint_value(const void *val, socklen_t len)
{
	unsigned int v = 0;

	if (val != NULL && len >= (socklen_t)sizeof(v))
		memcpy(&v, val, sizeof(v));
	else if (val != NULL && len == 1)
		v = *(const unsigned char *)val;
	return v;
}

/* The stand-in: a datagram socket bound to ROUTESHIM_SOCK. */
static int
route_socket(const char *path, int flags)
{
	struct sockaddr_un su;
	size_t len = strlen(path);
	int fd, saved;

	memset(&su, 0, sizeof(su));
	su.sun_family = AF_UNIX;
	if (len >= sizeof(su.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(su.sun_path, path, len);
	if ((fd = real_socket(AF_UNIX, SOCK_DGRAM | flags, 0)) == -1)
		return -1;
	if ((unlink(path) == -1 && errno != ENOENT) ||
	    real_bind(fd, (struct sockaddr *)&su, sizeof(su)) == -1) {
		saved = errno;
		real_close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

int
socket(int domain, int type, int protocol)
{
	const char *path = getenv("ROUTESHIM_SOCK");
	int fd;

	resolve();
	if (path == NULL || *path == '\0' || domain != PF_ROUTE ||
	    (type & ~(SOCK_NONBLOCK|SOCK_CLOEXEC)) != SOCK_RAW || protocol != 0)
		return real_socket(domain, type, protocol);
	fd = route_socket(path, type & (SOCK_NONBLOCK|SOCK_CLOEXEC));
	if (fd == -1)
		return -1;
	remember(fd);
	record("route-socket fd=%d", fd);
	return fd;
}

int
setsockopt(int fd, int level, int opt, const void *val, socklen_t len)
{
	int ret, err;

	resolve();
	if (!is_route_fd(fd))
		return real_setsockopt(fd, level, opt, val, len);
	if (level == PF_ROUTE || (level == SOL_SOCKET && is_rerror(opt))) {
		record("route-setsockopt level=%d opt=%d value=%u", level, opt,
		    uint_value(val, len));
		return 0;
	}
	ret = real_setsockopt(fd, level, opt, val, len);
	err = ret == -1 ? errno : 0;
	record("route-setsockopt level=%d opt=%d value=%u passed ret=%d "
	    "errno=%d", level, opt, uint_value(val, len), ret, err);
	errno = err;
	return ret;
}

/* After reading N bytes of BUF from the stand-in: the magic, the log. */
static ssize_t
route_received(void *buf, size_t len, ssize_t n)
{
	if (n == (ssize_t)MAGIC_LEN && len >= MAGIC_LEN &&
	    memcmp(buf, MAGIC_ENOBUFS, MAGIC_LEN) == 0) {
		n = -1;
		errno = ENOBUFS;
	}
	if (n == -1)
		record("route-read n=-1 errno=%d", errno);
	else
		record("route-read n=%zd", n);
	return n;
}

ssize_t
read(int fd, void *buf, size_t len)
{
	ssize_t n;

	resolve();
	n = real_read(fd, buf, len);
	if (!is_route_fd(fd))
		return n;
	return route_received(buf, len, n);
}

ssize_t
recv(int fd, void *buf, size_t len, int flags)
{
	ssize_t n;

	resolve();
	n = real_recv(fd, buf, len, flags);
	if (!is_route_fd(fd))
		return n;
	return route_received(buf, len, n);
}

ssize_t
recvfrom(int fd, void *buf, size_t len, int flags, struct sockaddr *from,
    socklen_t *fromlen)
{
	ssize_t n;

	resolve();
	n = real_recvfrom(fd, buf, len, flags, from, fromlen);
	if (!is_route_fd(fd))
		return n;
	return route_received(buf, len, n);
}

int
close(int fd)
{
	resolve();
	forget(fd);
	return real_close(fd);
}

int
dup2(int oldfd, int newfd)
{
	resolve();
	if (oldfd != newfd)
		forget(newfd);
	return real_dup2(oldfd, newfd);
}

int
dup3(int oldfd, int newfd, int flags)
{
	resolve();
	forget(newfd);
	return real_dup3(oldfd, newfd, flags);
}

int
bind(int fd, const struct sockaddr *sa, socklen_t len)
{
	char addr[INET6_ADDRSTRLEN] = "?";
	const char *family = NULL;
	int ret, err, port = -1;

	resolve();
	ret = real_bind(fd, sa, len);
	err = ret == -1 ? errno : 0;
	if (sa != NULL && sa->sa_family == AF_INET &&
	    len >= (socklen_t)sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *sin = (const void *)sa;

		inet_ntop(AF_INET, &sin->sin_addr, addr, sizeof(addr));
		port = ntohs(sin->sin_port);
		family = "inet";
	} else if (sa != NULL && sa->sa_family == AF_INET6 &&
	    len >= (socklen_t)sizeof(struct sockaddr_in6)) {
		const struct sockaddr_in6 *sin6 = (const void *)sa;

		inet_ntop(AF_INET6, &sin6->sin6_addr, addr, sizeof(addr));
		port = ntohs(sin6->sin6_port);
		family = "inet6";
	}
	/* sshd's probes: "is the address configured?" */
	if (port == 0)
		record("probe family=%s addr=%s ret=%d errno=%d", family, addr,
		    ret, err);
	errno = err;
	return ret;
}
