/*
 * servconf_fuzz.c: libFuzzer harness for sshd's parser of ListenAddress
 * and ListenAddressNonlocal lines (servconf.c, with misc.c's hpdelim(),
 * cleanhostname(), a2port() and argv_split() and addr.c's addr_pton()).
 *
 * Built by scripts/fuzz against a configured build tree OBJ:
 *	clang -fsanitize=fuzzer,address,undefined -DHAVE_CONFIG_H -I$OBJ \
 *	    -Wl,--wrap=getaddrinfo,--wrap=getservbyname -o servconf_fuzz \
 *	    tests/fuzz/servconf_fuzz.c misc.o addr.o \
 *	    $OBJ/ssh-pkcs11-client.o $OBJ/libssh.a \
 *	    $OBJ/openbsd-compat/libopenbsd-compat.a -lcrypto -lz
 * where misc.o and addr.o are $OBJ/misc.c and $OBJ/addr.c compiled with
 * -fsanitize=fuzzer-no-link,address,undefined, so that the helpers the
 * parser calls are instrumented too. Every getaddrinfo() and
 * getservbyname() of the program comes to the wrappers below.
 *
 * servconf.c is included below, so that its static functions are
 * reachable: process_queued_listen_addrs() (the resolution that
 * fill_default_server_options() does) and format_listen_addrs() (what
 * sshd -T prints).
 *
 * Input: the first byte chooses, the rest is the lines.
 *	bits 0-3  line i is "ListenAddress " (bit i % 4 clear) or
 *		  "ListenAddressNonlocal " (set) followed by the i-th line of
 *		  the rest of the input (split at '\n', at most MAX_LINES)
 *	bit 4	  "Port 22" and "Port 2222" come first (so an address without
 *		  a port is listened on twice)
 *	bits 5-6  "AddressFamily any", "inet" or "inet6" comes first (0: none)
 *	bit 7	  the lines are given as sshd -o would: file "command-line",
 *		  line 0, no Match state
 *
 * What is checked, besides ASan and UBSan:
 *  - a rejected line (fatal() or an error() and -1) names its file and
 *    line;
 *  - an accepted line queues exactly one address, and what follows the
 *    address was "rdomain NAME" and (on ListenAddress) "nonlocal", in
 *    either order, each at most once: the address is non-local if either
 *    the keyword or the suffix says so, in the routing domain named, and
 *    not an IPv4-mapped one if non-local; a line rejected as "bad ...
 *    syntax" names its own keyword and had a suffix that is not so;
 *  - resolution (getaddrinfo, made numeric-only by __wrap_getaddrinfo
 *    below, so that no name is ever looked up on the network) fails
 *    exactly when the harness predicts it, with the file and line for a
 *    non-local address and upstream's message for a plain one; otherwise
 *    every address is there once per port, in one group per routing
 *    domain and non-local flag;
 *  - the sshd -T form of the result parses back to the same lines and
 *    the same listeners (address, port, routing domain, non-local flag),
 *    unless a routing domain has a quote or a backslash (see
 *    printable_rdomain());
 *  - where servconf.c serialises the configuration (10.x: sshd-session
 *    and sshd-auth receive it so), the queued addresses survive a
 *    serialise/deserialise round trip;
 *  - nothing allocated by an input that was accepted is left allocated
 *    (after the harness frees the options as sshd's free functions do).
 *
 * With SERVCONF_FUZZ_VERBOSE set in the environment, the harness says
 * for each input whether it was rejected (and why) or what sshd -T would
 * print.
 *
 * fatal() is a normal outcome: sshfatal() calls cleanup_exit(), which the
 * harness defines to longjmp() back. What the parser had allocated at that
 * point is freed through a record of every allocation the input made
 * (ASan's malloc/free hooks), since sshd would exit there; so fatal paths
 * do not count as leaks, while an accepted input must free everything.
 */

#include "includes.h"

#include <sys/types.h>
#include <sys/socket.h>
#include <net/if.h>
#include <netinet/in.h>

#include <errno.h>
#include <netdb.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sanitizer/allocator_interface.h>
#include <sanitizer/asan_interface.h>

/*
 * Linux's SO_BINDTODEVICE probe in sys_valid_rdomain() needs privilege
 * and an existing device; the kernel's rule for a device name
 * (dev_valid_name()) stands in for it, so that any routing domain the
 * kernel could have is accepted wherever the harness runs.
 */
#define sys_valid_rdomain	fuzz_valid_rdomain
static int fuzz_valid_rdomain(const char *);

#include "servconf.c"

#undef sys_valid_rdomain

#include "ssh-sk.h"

#define MAX_LINES	32	/* lines taken from one input */
#define MSG_LEN		1024
#define TRACK_SLOTS	(1 << 15)	/* allocations recorded per input */
#define TRACK_TOMB	((const void *)1)

int LLVMFuzzerInitialize(int *, char ***);
int LLVMFuzzerTestOneInput(const uint8_t *, size_t);
int __real_getaddrinfo(const char *, const char *, const struct addrinfo *,
    struct addrinfo **);
int __wrap_getaddrinfo(const char *, const char *, const struct addrinfo *,
    struct addrinfo **);
struct servent *__real_getservbyname(const char *, const char *);
struct servent *__wrap_getservbyname(const char *, const char *);

/*
 * The symbols servconf.c and the libssh.a members it pulls in need from
 * sshd's own objects (sshd.c, auth.c, auth2.c, groupaccess.c) and from
 * the security key middleware, as upstream's ssh-sk-null.cc stubs them;
 * none is reached from a ListenAddress line.
 */
struct sshbuf *cfg;

int
sshsk_sign(const char *provider_path, struct sshkey *key,
    u_char **sigp, size_t *lenp, const u_char *data, size_t datalen,
    u_int compat, const char *pin)
{
	return SSH_ERR_FEATURE_UNSUPPORTED;
}

int
auth2_methods_valid(const char *methods, int need_enable)
{
	return 0;
}

const char *
auth_get_canonical_hostname(struct ssh *ssh, int use_dns)
{
	return "UNKNOWN";
}

int
ga_init(const char *user, gid_t base)
{
	return 0;
}

int
ga_match_pattern_list(const char *group_pattern)
{
	return 0;
}

void
ga_free(void)
{
}

static int
fuzz_valid_rdomain(const char *name)
{
	size_t len = strlen(name);

	if (len == 0 || len >= IFNAMSIZ ||
	    strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return 0;
	/* The kernel's isspace() includes Latin-1's no-break space */
	return strpbrk(name, "/: \t\n\v\f\r\xa0") == NULL;
}

static void
fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "servconf_fuzz: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	abort();
}

/*
 * The record of the input's allocations: an open addressing set of the
 * live pointers, kept by ASan's hooks while "tracking" is set. The hooks
 * must not allocate.
 */
static const void *track_slot[TRACK_SLOTS];
static int tracking, track_full;
static u_int track_live;

/* The harness's own book-keeping is no coverage to look for */
#define NO_COVERAGE	__attribute__((no_sanitize("coverage")))

NO_COVERAGE
static size_t
track_hash(const volatile void *p)
{
	uint64_t v = (uintptr_t)p;

	v ^= v >> 33;
	v *= 0xff51afd7ed558ccdULL;
	v ^= v >> 33;
	return v & (TRACK_SLOTS - 1);
}

NO_COVERAGE
static void
track_malloc(const volatile void *p, size_t len)
{
	size_t i, n;

	if (!tracking || p == NULL)
		return;
	for (i = track_hash(p), n = 0; n < TRACK_SLOTS;
	    i = (i + 1) & (TRACK_SLOTS - 1), n++) {
		if (track_slot[i] == NULL || track_slot[i] == TRACK_TOMB) {
			track_slot[i] = (const void *)p;
			track_live++;
			return;
		}
	}
	track_full = 1;
}

NO_COVERAGE
static void
track_free(const volatile void *p)
{
	size_t i, n;

	if (!tracking || p == NULL)
		return;
	for (i = track_hash(p), n = 0; n < TRACK_SLOTS && track_slot[i] != NULL;
	    i = (i + 1) & (TRACK_SLOTS - 1), n++) {
		if (track_slot[i] == p) {
			track_slot[i] = TRACK_TOMB;
			track_live--;
			return;
		}
	}
}

static void
track_start(void)
{
	memset(track_slot, 0, sizeof(track_slot));
	track_live = 0;
	track_full = 0;
	tracking = 1;
}

/* After a fatal(): free what the input left allocated, as exit would */
NO_COVERAGE
static void
track_free_all(void)
{
	size_t i;

	tracking = 0;
	for (i = 0; i < TRACK_SLOTS; i++) {
		if (track_slot[i] != NULL && track_slot[i] != TRACK_TOMB)
			free((void *)track_slot[i]);
	}
}

/* After an accepted input: everything must have been freed */
NO_COVERAGE
static void
track_check_freed(void)
{
	size_t i;

	tracking = 0;
	if (track_full)
		fail("more than %d allocations at once", TRACK_SLOTS);
	if (track_live == 0)
		return;
	for (i = 0; i < TRACK_SLOTS; i++) {
		if (track_slot[i] != NULL && track_slot[i] != TRACK_TOMB)
			__asan_describe_address((void *)track_slot[i]);
	}
	fail("%u allocations of an accepted input not freed", track_live);
}

/*
 * Every getaddrinfo() call of the linked objects comes here
 * (-Wl,--wrap=getaddrinfo): numeric hosts only, so that no name is ever
 * looked up. glibc's own allocations (its caches) are not recorded; the
 * results are, as the caller owns them.
 */
int
__wrap_getaddrinfo(const char *host, const char *serv,
    const struct addrinfo *hints, struct addrinfo **res)
{
	struct addrinfo h, *ai;
	int r, was = tracking;

	memset(&h, 0, sizeof(h));
	if (hints != NULL)
		h = *hints;
	h.ai_flags |= AI_NUMERICHOST;
	h.ai_flags &= ~AI_CANONNAME;
	tracking = 0;
	r = __real_getaddrinfo(host, serv, &h, res);
	tracking = was;
	if (r == 0) {
		for (ai = *res; ai != NULL; ai = ai->ai_next)
			track_malloc(ai, sizeof(*ai));
	}
	return r;
}

/*
 * a2port()'s look-up of a service name (/etc/services): glibc keeps its
 * buffer for the next call, so it is not the input's to free.
 */
struct servent *
__wrap_getservbyname(const char *name, const char *proto)
{
	struct servent *se;
	int was = tracking;

	tracking = 0;
	se = __real_getservbyname(name, proto);
	tracking = was;
	return se;
}

/* fatal() comes back here while an input is being parsed */
static jmp_buf fatal_env;
static int catch_fatal;

void
cleanup_exit(int i)
{
	if (catch_fatal) {
		catch_fatal = 0;
		longjmp(fatal_env, 1);
	}
	_exit(i);
}

/* The last error or fatal message, as sshd would log it */
static char lastmsg[MSG_LEN];
static int verbose;		/* SERVCONF_FUZZ_VERBOSE: say what happened */
static char rtline[MSG_LEN];	/* the sshd -T line being parsed back */

static void
log_capture(LogLevel level, int forced, const char *msg, void *ctx)
{
	if (level <= SYSLOG_LEVEL_ERROR)
		strlcpy(lastmsg, msg, sizeof(lastmsg));
}

/* What the harness is doing, for the message of a fatal() */
static enum {
	PH_PREAMBLE, PH_LINE, PH_SERIALISE, PH_RESOLVE, PH_ROUNDTRIP
} phase;
static const char *phase_name[] = {
	"the Port/AddressFamily lines", "a line", "serialisation",
	"resolution", "parsing back sshd -T"
};

/* The input, as lines */
static struct line {
	const uint8_t *p;
	size_t len;
	int nonlocal;		/* ListenAddressNonlocal */
	int linenum;
} lines[MAX_LINES];
static u_int nlines;
static int cmdline;		/* as sshd -o would give them */
static const char *preamble[4];
static u_int npreamble;
static int qline[MAX_LINES];	/* queued address -> line number */
static char expect[MSG_LEN];	/* the resolution error predicted */
static size_t expect_plain, expect_nonlocal;

static int
parse_line(ServerOptions *o, const char *keyword, const uint8_t *p,
    size_t len, const char *filename, int linenum)
{
	static int active;
	char *s;
	size_t klen = strlen(keyword);
	int r;

	s = xmalloc(klen + 1 + len + 1);
	memcpy(s, keyword, klen);
	s[klen] = ' ';
	memcpy(s + klen + 1, p, len);
	s[klen + 1 + len] = '\0';
	active = 1;
	lastmsg[0] = '\0';
	r = process_server_config_line(o, s, filename, linenum,
	    cmdline ? NULL : &active, NULL, NULL);
	free(s);
	return r;
}

static void
split_input(const uint8_t *data, size_t size)
{
	const uint8_t *p = data + 1, *end = data + size, *nl;
	u_int flags = data[0];

	cmdline = (flags & 0x80) != 0;
	npreamble = 0;
	if (flags & 0x10) {
		preamble[npreamble++] = "Port 22";
		preamble[npreamble++] = "Port 2222";
	}
	switch ((flags >> 5) & 3) {
	case 1:
		preamble[npreamble++] = "AddressFamily any";
		break;
	case 2:
		preamble[npreamble++] = "AddressFamily inet";
		break;
	case 3:
		preamble[npreamble++] = "AddressFamily inet6";
		break;
	}
	for (nlines = 0; p < end && nlines < MAX_LINES; nlines++) {
		if ((nl = memchr(p, '\n', end - p)) == NULL)
			nl = end;
		lines[nlines].p = p;
		lines[nlines].len = nl - p;
		lines[nlines].nonlocal = (flags >> (nlines % 4)) & 1;
		lines[nlines].linenum = cmdline ? 0 :
		    (int)(npreamble + nlines + 1);
		p = nl < end ? nl + 1 : end;
	}
}

static void
parse_preamble(ServerOptions *o, const char *filename)
{
	u_int i;
	char *s;

	phase = PH_PREAMBLE;
	for (i = 0; i < npreamble; i++) {
		s = xstrdup(preamble[i]);
		if (process_server_config_line(o, s, filename, i + 1,
		    NULL, NULL, NULL) != 0)
			fail("%s rejected", preamble[i]);
		free(s);
	}
}

/*
 * What may follow the address, as sshd_config(5) and the README put it:
 * "rdomain NAME" and, on ListenAddress, "nonlocal", in either order, each
 * at most once. The words are split as the parser splits them (strdelim()
 * for the keyword, argv_split() for the rest). Returns -1 if the line has
 * no address word (the parser decides), 0 if the suffix is bad, 1 if it
 * is good, with the non-local flag and routing domain it gives.
 */
static int
expect_suffix(const struct line *l, int *nlp, char **rdp)
{
	const char *kw = l->nonlocal ?
	    "ListenAddressNonlocal" : "ListenAddress";
	char *s, *str, **av = NULL, *rd = NULL;
	size_t len, klen = strlen(kw);
	int ac = 0, n, ret = 0, nl = l->nonlocal;

	*nlp = 0;
	*rdp = NULL;
	s = xmalloc(klen + 1 + l->len + 1);
	memcpy(s, kw, klen);
	s[klen] = ' ';
	memcpy(s + klen + 1, l->p, l->len);
	s[klen + 1 + l->len] = '\0';
	for (len = strlen(s); len > 0 &&
	    strchr(WHITESPACE "\f", s[len - 1]) != NULL; len--)
		s[len - 1] = '\0';
	str = s;
	(void)strdelim(&str);
	if (str == NULL || *str == '\0' ||
	    argv_split(str, &ac, &av, 1) != 0 || ac == 0) {
		free(s);
		argv_free(av, ac);
		return -1;
	}
	n = ac - 1;
#define W(i, w)	(strcmp(av[1 + (i)], (w)) == 0)
	if (n == 0)
		ret = 1;
	else if (n == 2 && W(0, "rdomain")) {
		rd = av[2];
		ret = 1;
	} else if (!l->nonlocal && n == 1 && W(0, "nonlocal")) {
		nl = 1;
		ret = 1;
	} else if (!l->nonlocal && n == 3 && W(0, "rdomain") &&
	    W(2, "nonlocal")) {
		rd = av[2];
		nl = ret = 1;
	} else if (!l->nonlocal && n == 3 && W(0, "nonlocal") &&
	    W(1, "rdomain")) {
		rd = av[3];
		nl = ret = 1;
	}
#undef W
	*nlp = nl;
	if (rd != NULL)
		*rdp = xstrdup(rd);
	free(s);
	argv_free(av, ac);
	return ret;
}

/* An accepted line: the suffix allowed it, and the address is as said */
static void
check_accepted(const struct line *l, const struct queued_listenaddr *qla)
{
	struct addrinfo hints, *ai;
	struct sockaddr_in6 *sin6;
	char *rd;
	int nl, ok, was = tracking;

	if ((ok = expect_suffix(l, &nl, &rd)) == 0)
		fail("line %d: bad suffix accepted", l->linenum);
	if (ok == 1 && qla->nonlocal != nl)
		fail("line %d: non-local flag %d, expected %d", l->linenum,
		    qla->nonlocal, nl);
	if (ok == 1 && ((rd == NULL) != (qla->rdomain == NULL) ||
	    (rd != NULL && strcmp(rd, qla->rdomain) != 0)))
		fail("line %d: routing domain \"%s\", expected \"%s\"",
		    l->linenum, qla->rdomain == NULL ? "(none)" : qla->rdomain,
		    rd == NULL ? "(none)" : rd);
	free(rd);
	if (l->nonlocal && !qla->nonlocal)
		fail("line %d: ListenAddressNonlocal queued a plain address",
		    l->linenum);
	/* IPv6 listeners are IPV6_V6ONLY: a non-local mapped one is refused */
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_INET6;
	hints.ai_flags = AI_NUMERICHOST;
	tracking = 0;
	if (qla->nonlocal &&
	    __real_getaddrinfo(qla->addr, NULL, &hints, &ai) == 0) {
		sin6 = (struct sockaddr_in6 *)ai->ai_addr;
		if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr))
			fail("line %d: non-local IPv4-mapped %s accepted",
			    l->linenum, qla->addr);
		freeaddrinfo(ai);
	}
	tracking = was;
}

/* A rejected line must say where it is */
static void
check_rejected(const struct line *l)
{
	char where[64];

	snprintf(where, sizeof(where), "%s line %d: ",
	    cmdline ? "command-line" : "fuzz", l->linenum);
	char *rd = NULL, syntax[64];
	int nl;

	if (strncmp(lastmsg, where, strlen(where)) != 0)
		fail("line %d rejected without its file and line: \"%s\"",
		    l->linenum, lastmsg);
	snprintf(syntax, sizeof(syntax), "bad %s syntax",
	    l->nonlocal ? "ListenAddressNonlocal" : "ListenAddress");
	if (strstr(lastmsg, " syntax") != NULL &&
	    strcmp(lastmsg + strlen(where), syntax) != 0)
		fail("line %d: \"%s\", expected \"%s\"", l->linenum,
		    lastmsg, syntax);
	if (strcmp(lastmsg + strlen(where), syntax) == 0 &&
	    expect_suffix(l, &nl, &rd) == 1)
		fail("line %d: good suffix rejected: \"%s\"", l->linenum,
		    lastmsg);
	free(rd);
}

static int
port_of(const ServerOptions *o, const struct queued_listenaddr *qla,
    u_int j, char *buf, size_t len)
{
	if (qla->port > 0) {
		if (j > 0)
			return 0;
		snprintf(buf, len, "%d", qla->port);
	} else {
		if (j >= (o->num_ports == 0 ? 1 : o->num_ports))
			return 0;
		snprintf(buf, len, "%d",
		    o->num_ports == 0 ? SSH_DEFAULT_PORT : o->ports[j]);
	}
	return 1;
}

/*
 * What process_queued_listen_addrs() should do: the first address that
 * does not resolve (numerically) is fatal, otherwise each address is
 * there once per port.
 */
static void
predict_resolution(const ServerOptions *o)
{
	struct addrinfo hints, *ai, *a;
	struct queued_listenaddr *qla;
	char port[16];
	u_int i, j;
	int was = tracking;

	expect[0] = '\0';
	expect_plain = expect_nonlocal = 0;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = o->address_family == -1 ?
	    AF_UNSPEC : o->address_family;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST;
	tracking = 0;
	for (i = 0; i < o->num_queued_listens; i++) {
		qla = &o->queued_listen_addrs[i];
		for (j = 0; port_of(o, qla, j, port, sizeof(port)); j++) {
			if (__real_getaddrinfo(qla->addr, port, &hints,
			    &ai) != 0) {
				if (qla->nonlocal)
					snprintf(expect, sizeof(expect),
					    "%s line %d: bad addr or host: ",
					    cmdline ? "command-line" : "fuzz",
					    qline[i]);
				else
					strlcpy(expect, "bad addr or host: ",
					    sizeof(expect));
				tracking = was;
				return;
			}
			/* glibc takes "*" for no host: two addresses */
			for (a = ai; a != NULL; a = a->ai_next) {
				if (qla->nonlocal)
					expect_nonlocal++;
				else
					expect_plain++;
			}
			freeaddrinfo(ai);
		}
	}
	tracking = was;
}

static void
check_resolved(const ServerOptions *o)
{
	struct addrinfo *ai;
	size_t plain = 0, nonlocal = 0;
	u_int i, j;
	const struct listenaddr *a, *b;

	if (*expect != '\0')
		fail("resolution should have failed with \"%s...\"", expect);
	for (i = 0; i < o->num_listen_addrs; i++) {
		a = &o->listen_addrs[i];
		if (a->addrs == NULL)
			fail("an empty listen address group");
		for (ai = a->addrs; ai != NULL; ai = ai->ai_next) {
			if (a->nonlocal)
				nonlocal++;
			else
				plain++;
		}
		for (j = 0; j < i; j++) {
			b = &o->listen_addrs[j];
			if (a->nonlocal == b->nonlocal &&
			    (a->rdomain == NULL) == (b->rdomain == NULL) &&
			    (a->rdomain == NULL ||
			    strcmp(a->rdomain, b->rdomain) == 0))
				fail("two listen address groups for one "
				    "routing domain and non-local flag");
		}
	}
	if (plain != expect_plain || nonlocal != expect_nonlocal)
		fail("%zu plain and %zu non-local addresses resolved, "
		    "expected %zu and %zu", plain, nonlocal, expect_plain,
		    expect_nonlocal);
}

static void
free_listen(ServerOptions *o)
{
	u_int i;

	for (i = 0; i < o->num_queued_listens; i++) {
		free(o->queued_listen_addrs[i].addr);
		free(o->queued_listen_addrs[i].rdomain);
		free(o->queued_listen_addrs[i].filename);
	}
	free(o->queued_listen_addrs);
	for (i = 0; i < o->num_listen_addrs; i++) {
		free(o->listen_addrs[i].rdomain);
		if (o->listen_addrs[i].addrs != NULL)
			freeaddrinfo(o->listen_addrs[i].addrs);
	}
	free(o->listen_addrs);
	memset(o, 0, sizeof(*o));
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char * const *)a, *(char * const *)b);
}

/* sshd -T's listenaddress lines, sorted, in one string */
static char *
format_sorted(ServerOptions *o)
{
	char *all = xstrdup(""), *s, *cp, *line, **v = NULL, *ret, *tmp;
	size_t n = 0, i;
	u_int k;

	for (k = 0; k < o->num_listen_addrs; k++) {
		s = format_listen_addrs(&o->listen_addrs[k]);
		xasprintf(&tmp, "%s%s", all, s);
		free(all);
		free(s);
		all = tmp;
	}
	for (cp = all; (line = strsep(&cp, "\n")) != NULL;) {
		if (*line == '\0')
			continue;
		v = xreallocarray(v, n + 1, sizeof(*v));
		v[n++] = line;
	}
	if (n > 0)
		qsort(v, n, sizeof(*v), cmp_str);
	ret = xstrdup("");
	for (i = 0; i < n; i++) {
		xasprintf(&tmp, "%s%s\n", ret, v[i]);
		free(ret);
		ret = tmp;
	}
	free(v);
	free(all);
	return ret;
}

/*
 * The listeners themselves, sorted: address, port, routing domain and
 * non-local flag of each, not through format_listen_addrs().
 */
static char *
describe_sorted(ServerOptions *o)
{
	struct addrinfo *ai;
	const struct listenaddr *la;
	char host[NI_MAXHOST], port[NI_MAXSERV], **v = NULL, *ret, *tmp;
	size_t n = 0, i;
	u_int k;

	for (k = 0; k < o->num_listen_addrs; k++) {
		la = &o->listen_addrs[k];
		for (ai = la->addrs; ai != NULL; ai = ai->ai_next) {
			if (getnameinfo(ai->ai_addr, ai->ai_addrlen, host,
			    sizeof(host), port, sizeof(port),
			    NI_NUMERICHOST|NI_NUMERICSERV) != 0)
				fail("getnameinfo failed on a listener");
			v = xreallocarray(v, n + 1, sizeof(*v));
			xasprintf(&v[n++], "%s port %s rdomain %s%s", host,
			    port, la->rdomain == NULL ? "(none)" : la->rdomain,
			    la->nonlocal ? " nonlocal" : "");
		}
	}
	if (n > 0)
		qsort(v, n, sizeof(*v), cmp_str);
	ret = xstrdup("");
	for (i = 0; i < n; i++) {
		xasprintf(&tmp, "%s%s\n", ret, v[i]);
		free(ret);
		free(v[i]);
		ret = tmp;
	}
	free(v);
	return ret;
}

/*
 * sshd -T prints a routing domain as it is, unquoted, and the parser
 * takes quotes and backslashes as argv_split() does: a name with one of
 * those cannot parse back (upstream's printing, and with the series a
 * name ending in a backslash: " nonlocal" follows it; see
 * tests/fuzz/README.md). Only a Linux device name can be such a name.
 */
static int
printable_rdomain(const ServerOptions *o)
{
	u_int i;
	const char *r;

	for (i = 0; i < o->num_listen_addrs; i++) {
		if ((r = o->listen_addrs[i].rdomain) != NULL &&
		    strpbrk(r, "\"'\\") != NULL)
			return 0;
	}
	return 1;
}

/* The sshd -T form must parse back to the same listeners */
static void
check_roundtrip(ServerOptions *o)
{
	ServerOptions o2;
	char *before, *after, *copy, *cp, *line;
	int linenum = 0;

	if (!printable_rdomain(o))
		return;
	before = format_sorted(o);
	initialize_server_options(&o2);
	parse_preamble(&o2, "roundtrip");
	phase = PH_ROUNDTRIP;
	copy = xstrdup(before);
	for (cp = copy; (line = strsep(&cp, "\n")) != NULL;) {
		if (*line == '\0')
			continue;
		strlcpy(rtline, line, sizeof(rtline));
		if (process_server_config_line(&o2, line, "roundtrip",
		    ++linenum, NULL, NULL, NULL) != 0)
			fail("sshd -T line \"%s\" does not parse back: \"%s\"",
			    rtline, lastmsg);
	}
	free(copy);
	strlcpy(rtline, "(resolution)", sizeof(rtline));
	process_queued_listen_addrs(&o2);
	after = format_sorted(&o2);
	if (strcmp(before, after) != 0)
		fail("sshd -T output parses back to other lines:\n%s"
		    "--- parses back to:\n%s", before, after);
	free(before);
	free(after);
	before = describe_sorted(o);
	after = describe_sorted(&o2);
	if (strcmp(before, after) != 0)
		fail("sshd -T output parses back to other listeners:\n%s"
		    "--- parse back as:\n%s", before, after);
	free(before);
	free(after);
	free_listen(&o2);
}

#ifdef SSHD_CONFIG_BLOB_VERSION
/* What sshd-session and sshd-auth receive must be what was parsed */
static void
check_serialise(ServerOptions *o)
{
	ServerOptions o2;
	struct sshbuf *b = NULL;
	const struct queued_listenaddr *q1, *q2;
	u_int i;
	int r;

	phase = PH_SERIALISE;
	if ((r = serialise_server_options(o, &b)) != 0)
		fail("serialise_server_options: %s", ssh_err(r));
	initialize_server_options(&o2);
	if ((r = deserialise_server_options(b, &o2)) != 0)
		fail("deserialise_server_options: %s", ssh_err(r));
	sshbuf_free(b);
	if (o2.num_queued_listens != o->num_queued_listens)
		fail("%u queued addresses serialised, %u came back",
		    o->num_queued_listens, o2.num_queued_listens);
	for (i = 0; i < o->num_queued_listens; i++) {
		q1 = &o->queued_listen_addrs[i];
		q2 = &o2.queued_listen_addrs[i];
		if (strcmp(q1->addr, q2->addr) != 0 || q1->port != q2->port ||
		    q1->nonlocal != q2->nonlocal ||
		    (q1->rdomain == NULL) != (q2->rdomain == NULL) ||
		    (q1->rdomain != NULL &&
		    strcmp(q1->rdomain, q2->rdomain) != 0))
			fail("queued address %u changed by serialisation", i);
	}
	free_server_options(&o2);
}
#endif

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct addrinfo *ai;
	static const char *warm[] = { "198.51.100.7", "2001:db8::7", NULL };
	u_int i;

	verbose = getenv("SERVCONF_FUZZ_VERBOSE") != NULL;
	log_init("servconf_fuzz", SYSLOG_LEVEL_ERROR, SYSLOG_FACILITY_AUTH, 1);
	set_log_handler(log_capture, NULL);
	/* glibc's lazily made state (gai.conf, the address cache) first */
	for (i = 0; warm[i] != NULL; i++) {
		if (getaddrinfo(warm[i], NULL, NULL, &ai) == 0)
			freeaddrinfo(ai);
	}
	(void)getservbyname("ssh", "tcp");
	if (!__sanitizer_install_malloc_and_free_hooks(track_malloc,
	    track_free)) {
		fprintf(stderr, "servconf_fuzz: cannot install malloc hooks\n");
		exit(1);
	}
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static ServerOptions o;
	static u_int i;
	struct line *l;
	u_int queued;
	int r;

	if (size < 1)
		return -1;
	split_input(data, size);
	lastmsg[0] = '\0';
	track_start();
	catch_fatal = 1;
	if (setjmp(fatal_env) != 0) {
		/* A fatal(): where it may happen, it must say where */
		switch (phase) {
		case PH_LINE:
			check_rejected(&lines[i]);
			break;
		case PH_RESOLVE:
			if (*expect == '\0')
				fail("resolution failed unexpectedly: \"%s\"",
				    lastmsg);
			if (strncmp(lastmsg, expect, strlen(expect)) != 0)
				fail("resolution error \"%s\", expected "
				    "\"%s...\"", lastmsg, expect);
			break;
		case PH_ROUNDTRIP:
			fail("sshd -T line \"%s\" does not parse back: \"%s\"",
			    rtline, lastmsg);
			break;
		default:
			fail("fatal() in %s: \"%s\"", phase_name[phase],
			    lastmsg);
		}
		if (verbose)
			fprintf(stderr, "rejected: %s\n", lastmsg);
		track_free_all();
		return 0;
	}

	initialize_server_options(&o);
	parse_preamble(&o, "fuzz");
	phase = PH_LINE;
	for (i = 0; i < nlines; i++) {
		l = &lines[i];
		queued = o.num_queued_listens;
		r = parse_line(&o, l->nonlocal ?
		    "ListenAddressNonlocal" : "ListenAddress", l->p, l->len,
		    cmdline ? "command-line" : "fuzz", l->linenum);
		if (r != 0) {
			/* error() and -1: sshd stops after the file */
			catch_fatal = 0;
			check_rejected(l);
			if (verbose)
				fprintf(stderr, "rejected: %s\n", lastmsg);
			track_free_all();
			return 0;
		}
		if (o.num_queued_listens != queued + 1)
			fail("line %d accepted, %u addresses queued",
			    l->linenum, o.num_queued_listens - queued);
		check_accepted(l, &o.queued_listen_addrs[queued]);
		qline[queued] = l->linenum;
	}
#ifdef SSHD_CONFIG_BLOB_VERSION
	check_serialise(&o);
#endif
	predict_resolution(&o);
	phase = PH_RESOLVE;
	lastmsg[0] = '\0';
	process_queued_listen_addrs(&o);
	check_resolved(&o);
	check_roundtrip(&o);
	catch_fatal = 0;
	if (verbose) {
		char *out = format_sorted(&o);

		fprintf(stderr, "accepted:\n%s", out);
		free(out);
	}
	free_listen(&o);
	track_check_freed();
	return 0;
}
