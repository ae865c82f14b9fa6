/*
 * sd-listen ADDR PORT [ADDR PORT ...] -- COMMAND [ARG ...]: pass listening
 * sockets to COMMAND the way systemd passes those of a .socket unit with
 * Accept=no, FreeBind=yes and BindIPv6Only=ipv6-only (sd_listen_fds(3)):
 * a TCP socket per ADDR PORT (numeric), SO_REUSEADDR, IP_FREEBIND
 * (IPV6_FREEBIND and IPV6_V6ONLY on IPv6), bound and listening, at fds 3,
 * 4, ... in the order given, then exec COMMAND with LISTEN_FDS set to
 * their number and LISTEN_PID to its pid (exec keeps it).  The addresses
 * need not be configured.  Exit 2 on bad usage, 1 if a socket fails.
 * For tests/t-30-socket-activation.sh (systemd-socket-activate has no
 * FreeBind option).
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netdb.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SD_LISTEN_FDS_START	3
#define MAX_SOCKS		16
/* Above anything the caller may have left open at 3, 4, ... */
#define PARK_FD			100

static int
set_int(int fd, int level, int name, int on)
{
	return setsockopt(fd, level, name, &on, sizeof(on));
}

/* A listening socket on ADDR PORT, moved to fd PARK_FD + n; -1 on error. */
static int
listen_on(const char *addr, const char *port, int n)
{
	struct addrinfo hints, *ai;
	int fd, parked, r;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	if ((r = getaddrinfo(addr, port, &hints, &ai)) != 0) {
		fprintf(stderr, "sd-listen: %s %s: %s\n", addr, port,
		    gai_strerror(r));
		return -1;
	}
	if ((fd = socket(ai->ai_family, SOCK_STREAM, 0)) == -1) {
		perror("sd-listen: socket");
		freeaddrinfo(ai);
		return -1;
	}
	r = set_int(fd, SOL_SOCKET, SO_REUSEADDR, 1);
	if (r == 0 && ai->ai_family == AF_INET6) {
		r = set_int(fd, IPPROTO_IPV6, IPV6_V6ONLY, 1);
#ifdef IPV6_FREEBIND
		if (r == 0)
			r = set_int(fd, IPPROTO_IPV6, IPV6_FREEBIND, 1);
#else
		if (r == 0)
			r = set_int(fd, IPPROTO_IP, IP_FREEBIND, 1);
#endif
	} else if (r == 0)
		r = set_int(fd, IPPROTO_IP, IP_FREEBIND, 1);
	if (r == -1)
		perror("sd-listen: setsockopt");
	else if ((r = bind(fd, ai->ai_addr, ai->ai_addrlen)) == -1)
		fprintf(stderr, "sd-listen: bind %s %s: %s\n", addr, port,
		    strerror(errno));
	else if ((r = listen(fd, 128)) == -1)
		perror("sd-listen: listen");
	freeaddrinfo(ai);
	if (r == -1 ||
	    (parked = fcntl(fd, F_DUPFD, PARK_FD + n)) == -1) {
		close(fd);
		return -1;
	}
	close(fd);
	return parked;
}

int
main(int argc, char **argv)
{
	int fds[MAX_SOCKS], n = 0, i, cmd;
	char num[32];

	for (i = 1; i + 1 < argc && strcmp(argv[i], "--") != 0; i += 2) {
		if (n == MAX_SOCKS || strcmp(argv[i + 1], "--") == 0)
			break;
		if ((fds[n] = listen_on(argv[i], argv[i + 1], n)) == -1)
			return 1;
		n++;
	}
	cmd = i + 1;
	if (n == 0 || cmd >= argc || strcmp(argv[i], "--") != 0) {
		fprintf(stderr, "usage: sd-listen ADDR PORT [ADDR PORT ...] "
		    "-- COMMAND [ARG ...]\n");
		return 2;
	}
	for (i = 0; i < n; i++) {
		if (dup2(fds[i], SD_LISTEN_FDS_START + i) == -1) {
			perror("sd-listen: dup2");
			return 1;
		}
		close(fds[i]);
	}
	snprintf(num, sizeof(num), "%d", n);
	setenv("LISTEN_FDS", num, 1);
	snprintf(num, sizeof(num), "%ld", (long)getpid());
	setenv("LISTEN_PID", num, 1);
	unsetenv("LISTEN_FDNAMES");
	execvp(argv[cmd], argv + cmd);
	perror("sd-listen: exec");
	return 1;
}
