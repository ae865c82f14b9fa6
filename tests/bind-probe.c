/*
 * bind-probe [-f] [-r] [-p] [-6] [-h SECS] ADDR PORT: try to take ADDR:PORT as a TCP
 * listener the way a hostile neighbour would, and print the outcome:
 * "ok" if bind() and listen() succeeded, else the errno name of the
 * failing call (EADDRINUSE, EADDRNOTAVAIL, ...).  Exit 0 if it got the
 * port, 1 if not, 2 on bad usage.
 *   -f  IP_FREEBIND (IPV6_FREEBIND on IPv6 where declared)
 *   -r  SO_REUSEADDR
 *   -p  SO_REUSEPORT
 *   -6  IPV6_V6ONLY on an IPv6 socket (default: the kernel's, dual stack)
 *   -h  once it has the port, hold it for SECS seconds before exiting
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *
errname(int e)
{
	switch (e) {
	case EADDRINUSE: return "EADDRINUSE";
	case EADDRNOTAVAIL: return "EADDRNOTAVAIL";
	case EACCES: return "EACCES";
	case EPERM: return "EPERM";
	case EINVAL: return "EINVAL";
	case ENOPROTOOPT: return "ENOPROTOOPT";
	default: return strerror(e);
	}
}

static void
setopt(int s, int level, int name, const char *what)
{
	int on = 1;

	if (setsockopt(s, level, name, &on, sizeof(on)) == -1) {
		printf("setsockopt %s: %s\n", what, errname(errno));
		exit(1);
	}
}

int
main(int argc, char **argv)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	int ch, s, freebind = 0, reuseaddr = 0, reuseport = 0, v6only = 0;
	int hold = 0;
	socklen_t len;

	while ((ch = getopt(argc, argv, "frp6h:")) != -1) {
		switch (ch) {
		case 'h': hold = atoi(optarg); break;
		case 'f': freebind = 1; break;
		case 'r': reuseaddr = 1; break;
		case 'p': reuseport = 1; break;
		case '6': v6only = 1; break;
		default: return 2;
		}
	}
	if (argc - optind != 2) {
		fprintf(stderr, "usage: bind-probe [-f] [-r] [-p] [-6] [-h SECS] "
		    "ADDR PORT\n");
		return 2;
	}
	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, argv[optind], &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(atoi(argv[optind + 1]));
		len = sizeof(*sin);
	} else if (inet_pton(AF_INET6, argv[optind], &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(atoi(argv[optind + 1]));
		len = sizeof(*sin6);
	} else {
		fprintf(stderr, "bind-probe: bad address %s\n", argv[optind]);
		return 2;
	}
	if ((s = socket(ss.ss_family, SOCK_STREAM, 0)) == -1) {
		printf("socket: %s\n", errname(errno));
		return 1;
	}
	if (freebind) {
#ifdef IPV6_FREEBIND
		if (ss.ss_family == AF_INET6)
			setopt(s, IPPROTO_IPV6, IPV6_FREEBIND, "IPV6_FREEBIND");
		else
#endif
			setopt(s, IPPROTO_IP, IP_FREEBIND, "IP_FREEBIND");
	}
	if (reuseaddr)
		setopt(s, SOL_SOCKET, SO_REUSEADDR, "SO_REUSEADDR");
	if (reuseport)
		setopt(s, SOL_SOCKET, SO_REUSEPORT, "SO_REUSEPORT");
	if (v6only && ss.ss_family == AF_INET6)
		setopt(s, IPPROTO_IPV6, IPV6_V6ONLY, "IPV6_V6ONLY");
	if (bind(s, (struct sockaddr *)&ss, len) == -1) {
		printf("%s\n", errname(errno));
		return 1;
	}
	if (listen(s, 5) == -1) {
		printf("listen: %s\n", errname(errno));
		return 1;
	}
	printf("ok\n");
	fflush(stdout);
	if (hold > 0)
		sleep(hold);
	return 0;
}
