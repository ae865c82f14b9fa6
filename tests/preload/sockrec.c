/*
 * sockrec.c: an LD_PRELOAD recorder for the socket calls sshd makes while
 * it sets up its listeners, so that a Linux machine can prove which
 * non-local bind option a build for another platform asks for.
 *
 * Build: cc -shared -fPIC -o sockrec.so sockrec.c -ldl
 *
 * Environment:
 *   SOCKREC_LOG       file to append one line per call to (required;
 *                     without it the shim only passes calls through)
 *   SOCKREC_NONLOCAL  the platform's non-local bind options as a
 *                     comma-separated list of LEVEL:OPTION numbers, e.g.
 *                     "0:24,41:64" (FreeBSD IP_BINDANY, IPV6_BINDANY);
 *                     C notation, so "1:0x1000" works
 *   SOCKREC_TRANSLATE when "1", a listed option is applied to the socket
 *                     as Linux IP_FREEBIND (AF_INET) or IPV6_FREEBIND
 *                     (AF_INET6) instead, so that the bind really succeeds
 *   SOCKREC_FAIL      an errno number or one of EPERM, EACCES,
 *                     ENOPROTOOPT: a listed option then fails with it
 *                     (as it would for an unprivileged user on a BSD)
 *
 * Log lines (all numbers decimal; family from getsockname()):
 *   PID socket fd=FD family=inet|inet6|other
 *   PID setsockopt fd=FD family=F level=L opt=O value=V ret=R errno=E
 *       [nonlocal=translated|failed|native]
 *   PID bind fd=FD family=F addr=ADDR port=P ret=R errno=E
 */
#define _GNU_SOURCE
#include <sys/types.h>
#include <sys/socket.h>
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

#ifndef IPV6_FREEBIND
#define IPV6_FREEBIND 78
#endif

#define MAX_NONLOCAL 8

static int (*real_socket)(int, int, int);
static int (*real_setsockopt)(int, int, int, const void *, socklen_t);
static int (*real_bind)(int, const struct sockaddr *, socklen_t);

static void
resolve(void)
{
	if (real_socket == NULL)
		real_socket = (int (*)(int, int, int))dlsym(RTLD_NEXT, "socket");
	if (real_setsockopt == NULL)
		real_setsockopt = (int (*)(int, int, int, const void *,
		    socklen_t))dlsym(RTLD_NEXT, "setsockopt");
	if (real_bind == NULL)
		real_bind = (int (*)(int, const struct sockaddr *,
		    socklen_t))dlsym(RTLD_NEXT, "bind");
}

static void
record(const char *fmt, ...)
{
	const char *path = getenv("SOCKREC_LOG");
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
	if ((fd = open(path, O_WRONLY|O_APPEND|O_CREAT|O_CLOEXEC, 0644)) != -1) {
		if (write(fd, line, n) != n) {
			/* nothing sensible to do; the test notices the gap */
		}
		close(fd);
	}
 out:
	errno = saved;
}

static const char *
family_name(int family)
{
	switch (family) {
	case AF_INET:
		return "inet";
	case AF_INET6:
		return "inet6";
	default:
		return "other";
	}
}

static int
sock_family(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int saved = errno;

	memset(&ss, 0, sizeof(ss));
	if (getsockname(fd, (struct sockaddr *)&ss, &len) == -1)
		ss.ss_family = AF_UNSPEC;
	errno = saved;
	return ss.ss_family;
}

/* Is LEVEL:OPT one of the options listed in SOCKREC_NONLOCAL? */
static int
is_nonlocal(int level, int opt)
{
	const char *list = getenv("SOCKREC_NONLOCAL");
	char *end;
	long l, o;
	int i;

	if (list == NULL)
		return 0;
	for (i = 0; i < MAX_NONLOCAL && *list != '\0'; i++) {
		l = strtol(list, &end, 0);
		if (end == list || *end != ':')
			return 0;
		list = end + 1;
		o = strtol(list, &end, 0);
		if (end == list)
			return 0;
		if (l == level && o == opt)
			return 1;
		list = end;
		if (*list == ',')
			list++;
	}
	return 0;
}

static int
fail_errno(void)
{
	const char *s = getenv("SOCKREC_FAIL");

	if (s == NULL || *s == '\0')
		return 0;
	if (strcmp(s, "EPERM") == 0)
		return EPERM;
	if (strcmp(s, "EACCES") == 0)
		return EACCES;
	if (strcmp(s, "ENOPROTOOPT") == 0)
		return ENOPROTOOPT;
	return atoi(s);
}

static int
int_value(const void *val, socklen_t len)
{
	int v = 0;

	if (val != NULL && len >= (socklen_t)sizeof(int))
		memcpy(&v, val, sizeof(v));
	else if (val != NULL && len == 1)
		v = *(const unsigned char *)val;
	return v;
}

int
socket(int domain, int type, int protocol)
{
	int fd;

	resolve();
	fd = real_socket(domain, type, protocol);
	if (fd != -1 && (domain == AF_INET || domain == AF_INET6))
		record("socket fd=%d family=%s", fd, family_name(domain));
	return fd;
}

int
setsockopt(int fd, int level, int opt, const void *val, socklen_t len)
{
	int family, ret, err, on = 1;
	const char *how = "";

	resolve();
	family = sock_family(fd);
	if (is_nonlocal(level, opt) && (err = fail_errno()) != 0) {
		ret = -1;
		errno = err;
		how = " nonlocal=failed";
	} else if (is_nonlocal(level, opt) &&
	    (getenv("SOCKREC_TRANSLATE") != NULL &&
	    strcmp(getenv("SOCKREC_TRANSLATE"), "1") == 0)) {
		if (family == AF_INET6)
			ret = real_setsockopt(fd, IPPROTO_IPV6, IPV6_FREEBIND,
			    &on, sizeof(on));
		else
			ret = real_setsockopt(fd, IPPROTO_IP, IP_FREEBIND,
			    &on, sizeof(on));
		how = " nonlocal=translated";
	} else {
		ret = real_setsockopt(fd, level, opt, val, len);
		if (is_nonlocal(level, opt))
			how = " nonlocal=native";
	}
	err = ret == -1 ? errno : 0;
	record("setsockopt fd=%d family=%s level=%d opt=%d value=%d "
	    "ret=%d errno=%d%s", fd, family_name(family), level, opt,
	    int_value(val, len), ret, err, how);
	errno = err;
	return ret;
}

int
bind(int fd, const struct sockaddr *sa, socklen_t len)
{
	char addr[INET6_ADDRSTRLEN] = "?";
	int ret, err, port = -1;

	resolve();
	ret = real_bind(fd, sa, len);
	err = ret == -1 ? errno : 0;
	if (sa != NULL && sa->sa_family == AF_INET &&
	    len >= (socklen_t)sizeof(struct sockaddr_in)) {
		const struct sockaddr_in *sin = (const void *)sa;

		inet_ntop(AF_INET, &sin->sin_addr, addr, sizeof(addr));
		port = ntohs(sin->sin_port);
	} else if (sa != NULL && sa->sa_family == AF_INET6 &&
	    len >= (socklen_t)sizeof(struct sockaddr_in6)) {
		const struct sockaddr_in6 *sin6 = (const void *)sa;

		inet_ntop(AF_INET6, &sin6->sin6_addr, addr, sizeof(addr));
		port = ntohs(sin6->sin6_port);
	}
	if (port != -1)
		record("bind fd=%d family=%s addr=%s port=%d ret=%d errno=%d",
		    fd, family_name(sa->sa_family), addr, port, ret, err);
	errno = err;
	return ret;
}
