/*
 * probe: run a trigger, then time how long until a server is ready.
 *
 *   probe [-t MS] [-a CMD] [-l CMD | -g LOG -n N | ADDR PORT...] -- TRIGGER...
 *
 * TRIGGER (an argv, e.g. "ip addr add ...") runs to completion; the clock
 * starts when it returns.  With -a, the shell command CMD runs next (inside
 * the measured time: "start sshd once the address exists").  Then, polling
 * every millisecond for at most MS milliseconds (default 5000):
 *   ADDR PORT...  until each target accepts a TCP connection and sends a
 *                 line starting "SSH-"; prints "CONNECT_US BANNER_US" (the
 *                 slowest target's times);
 *   -l CMD        until the shell command CMD exits 0 (a login); prints
 *                 "LOGIN_US";
 *   -g LOG -n N   until LOG holds N lines "Server listening on"; prints
 *                 "READY_US".
 * A figure not reached in time is printed as "never" and the exit status
 * is 1.  Times are microseconds of CLOCK_MONOTONIC.
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAXTARGETS	64
#define POLL_NS		1000000L

struct target {
	struct sockaddr_storage ss;
	socklen_t len;
	long long connect_us;
	long long banner_us;
};

static long long t0;

static long long
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void
tick(void)
{
	struct timespec ts = { 0, POLL_NS };

	nanosleep(&ts, NULL);
}

static void
usage(void)
{
	fprintf(stderr, "usage: probe [-t MS] [-a CMD] "
	    "[-l CMD | -g LOG -n N | ADDR PORT...] -- TRIGGER...\n");
	exit(2);
}

static int
run_argv(char **argv)
{
	pid_t pid;
	int status;

	if ((pid = fork()) == -1)
		return -1;
	if (pid == 0) {
		execvp(argv[0], argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) == -1)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

static int
run_shell(const char *cmd)
{
	char *argv[] = { "sh", "-c", (char *)cmd, NULL };

	return run_argv(argv);
}

static void
parse_target(struct target *t, const char *addr, const char *port)
{
	struct addrinfo hints, *ai;

	memset(&hints, 0, sizeof(hints));
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(addr, port, &hints, &ai) != 0) {
		fprintf(stderr, "probe: bad target %s %s\n", addr, port);
		exit(2);
	}
	memcpy(&t->ss, ai->ai_addr, ai->ai_addrlen);
	t->len = ai->ai_addrlen;
	t->connect_us = t->banner_us = -1;
	freeaddrinfo(ai);
}

/* One attempt: connect, then wait (bounded) for the banner. */
static void
try_target(struct target *t, long long deadline)
{
	struct pollfd pfd;
	char buf[8];
	long long left;
	int fd;
	ssize_t n;

	if ((fd = socket(t->ss.ss_family, SOCK_STREAM, 0)) == -1)
		return;
	if (connect(fd, (struct sockaddr *)&t->ss, t->len) == -1) {
		close(fd);
		return;
	}
	if (t->connect_us == -1)
		t->connect_us = now_us() - t0;
	pfd.fd = fd;
	pfd.events = POLLIN;
	while ((left = deadline - now_us()) > 0 &&
	    poll(&pfd, 1, (int)(left / 1000) + 1) == 1) {
		n = read(fd, buf, 4);
		if (n == 4 && memcmp(buf, "SSH-", 4) == 0)
			t->banner_us = now_us() - t0;
		break;
	}
	close(fd);
}

static int
count_listening(const char *path)
{
	static const char needle[] = "Server listening on";
	char line[1024];
	FILE *f;
	int n = 0;

	if ((f = fopen(path, "r")) == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strstr(line, needle) != NULL)
			n++;
	fclose(f);
	return n;
}

static void
print_us(long long us)
{
	if (us < 0)
		printf("never");
	else
		printf("%lld", us);
}

int
main(int argc, char **argv)
{
	struct target t[MAXTARGETS];
	const char *after = NULL, *login = NULL, *log = NULL;
	long long timeout_ms = 5000, deadline, done_us = -1, cmax, bmax;
	char **trigger;
	int ch, i, ntargets = 0, nlines = 0, noargs, pending, rc, sep;

	while ((ch = getopt(argc, argv, "+a:g:l:n:t:")) != -1) {
		switch (ch) {
		case 'a': after = optarg; break;
		case 'g': log = optarg; break;
		case 'l': login = optarg; break;
		case 'n': nlines = atoi(optarg); break;
		case 't': timeout_ms = atoll(optarg); break;
		default: usage();
		}
	}
	/* getopt eats the "--" when no target precedes it. */
	noargs = strcmp(argv[optind - 1], "--") == 0;
	argc -= optind;
	argv += optind;
	for (sep = 0; !noargs && sep < argc && strcmp(argv[sep], "--") != 0; sep++)
		;
	if (noargs)
		sep = -1;
	else if (sep == argc || sep % 2 != 0 || sep / 2 > MAXTARGETS)
		usage();
	for (i = 0; i + 1 < sep; i += 2)
		parse_target(&t[ntargets++], argv[i], argv[i + 1]);
	trigger = argv + sep + 1;
	if (sep + 1 >= argc || (ntargets > 0) + (login != NULL) +
	    (log != NULL) != 1 || (log != NULL && nlines < 1))
		usage();
	setvbuf(stdout, NULL, _IOLBF, 0);

	if ((rc = run_argv(trigger)) != 0) {
		fprintf(stderr, "probe: trigger %s exited %d\n", trigger[0], rc);
		return 2;
	}
	t0 = now_us();
	if (after != NULL && (rc = run_shell(after)) != 0) {
		fprintf(stderr, "probe: \"%s\" exited %d\n", after, rc);
		return 2;
	}
	deadline = t0 + timeout_ms * 1000;

	for (;;) {
		if (login != NULL) {
			if (run_shell(login) == 0) {
				done_us = now_us() - t0;
				break;
			}
		} else if (log != NULL) {
			if (count_listening(log) >= nlines) {
				done_us = now_us() - t0;
				break;
			}
		} else {
			for (pending = i = 0; i < ntargets; i++) {
				if (t[i].banner_us == -1)
					try_target(&t[i], deadline);
				if (t[i].banner_us == -1)
					pending++;
			}
			if (pending == 0)
				break;
		}
		if (now_us() >= deadline)
			break;
		tick();
	}

	if (ntargets > 0) {
		cmax = bmax = 0;
		for (i = 0; i < ntargets; i++) {
			if (cmax != -1)
				cmax = t[i].connect_us == -1 ? -1 :
				    (t[i].connect_us > cmax ? t[i].connect_us : cmax);
			if (bmax != -1)
				bmax = t[i].banner_us == -1 ? -1 :
				    (t[i].banner_us > bmax ? t[i].banner_us : bmax);
		}
		print_us(cmax);
		printf(" ");
		print_us(bmax);
		printf("\n");
		return bmax == -1;
	}
	print_us(done_us);
	printf("\n");
	return done_us == -1;
}
