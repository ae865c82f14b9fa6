/*
 * NetBSD's routing socket message layout, just enough of <net/route.h>
 * for building and running the routing socket branch of sshd's address
 * watch on Linux (tests/t-13-route-socket.sh; tests/preload/routeshim.c
 * stands in for the socket).  Names, types and values as in:
 *   NetBSD/src sys/net/route.h
 *	$NetBSD: route.h,v 1.132 2022/09/20 02:23:37 knakahara Exp $
 *	(struct rt_metrics, struct rt_msghdr, RTM_*, RO_MSGFILTER)
 *   NetBSD/src sys/net/if.h
 *	$NetBSD: if.h,v 1.304 2022/11/25 08:39:32 knakahara Exp $
 *	(struct ifa_msghdr, which lives there, not in route.h)
 *   NetBSD/src sys/sys/socket.h
 *	$NetBSD: socket.h,v 1.131.4.1 2024/08/23 16:20:35 martin Exp $
 *	(SO_RERROR 0x4000)
 * NetBSD's message structures start 64-bit aligned (__align64, its
 * <sys/cdefs.h> __aligned(sizeof(uint64_t))) so that ILP32 and LP64
 * kernels send the same bytes; time_t is 64 bits on NetBSD as on Linux
 * x86_64.  sizeof(struct rt_msghdr) 120, rtm_errno at offset 24;
 * sizeof(struct ifa_msghdr) 32.  NetBSD's own message filter is
 * RO_MSGFILTER (an array of types), not OpenBSD's ROUTE_MSGFILTER; it
 * has no RTM_DESYNC or RTM_CHGADDRATTR.  glibc's <sys/socket.h> defines
 * PF_ROUTE (16, = PF_NETLINK).
 */
#ifndef NL_BSD_ROUTE_NETBSD_H
#define NL_BSD_ROUTE_NETBSD_H
#include <sys/types.h>
#include <sys/socket.h>
#include <stdint.h>
#include <time.h>

#define	__nl_align64	__attribute__((__aligned__(sizeof(uint64_t))))

struct rt_metrics {
	uint64_t rmx_locks;	/* Kernel must leave these values alone */
	uint64_t rmx_mtu;	/* MTU for this path */
	uint64_t rmx_hopcount;	/* max hops expected */
	uint64_t rmx_recvpipe;	/* inbound delay-bandwidth product */
	uint64_t rmx_sendpipe;	/* outbound delay-bandwidth product */
	uint64_t rmx_ssthresh;	/* outbound gateway buffer limit */
	uint64_t rmx_rtt;	/* estimated round trip time */
	uint64_t rmx_rttvar;	/* estimated rtt variance */
	time_t	rmx_expire;	/* lifetime for route, e.g. redirect */
	time_t	rmx_pksent;	/* packets sent using this route */
};

struct rt_msghdr {
	u_short	rtm_msglen __nl_align64;
				/* to skip over non-understood messages */
	u_char	rtm_version;	/* future binary compatibility */
	u_char	rtm_type;	/* message type */
	u_short	rtm_index;	/* index for associated ifp */
	int	rtm_flags;	/* flags, incl. kern & message, e.g. DONE */
	int	rtm_addrs;	/* bitmask identifying sockaddrs in msg */
	pid_t	rtm_pid;	/* identify sender */
	int	rtm_seq;	/* for sender to identify action */
	int	rtm_errno;	/* why failed */
	int	rtm_use;	/* from rtentry */
	int	rtm_inits;	/* which metrics we are initializing */
	struct	rt_metrics rtm_rmx __nl_align64;
				/* metrics themselves */
};

#define RTM_VERSION	4	/* Up the ante and ignore older versions */

#define RTM_ADD		0x1	/* Add Route */
#define RTM_IFINFO	0x14	/* iface/link going up/down etc. */
#define RTM_NEWADDR	0x16	/* address being added to iface */
#define RTM_DELADDR	0x17	/* address being removed from iface */
#define RTM_CHGADDR	0x18	/* address properties changed */

#define	RO_MSGFILTER	1	/* array of which rtm_type to send to client */

/* From <net/if.h>. */
struct ifa_msghdr {
	u_short	ifam_msglen __nl_align64;
				/* to skip over non-understood messages */
	u_char	ifam_version;	/* future binary compatibility */
	u_char	ifam_type;	/* message type */
	u_short	ifam_index;	/* index for associated ifp */
	int	ifam_flags;	/* value of ifa_flags */
	int	ifam_addrs;	/* like rtm_addrs */
	pid_t	ifam_pid;	/* identify sender */
	int	ifam_addrflags;	/* family specific address flags */
	int	ifam_metric;	/* value of ifa_metric */
};

#undef __nl_align64

/* SO_RERROR really lives in NetBSD's <sys/socket.h>; Linux has none. */
#ifndef SO_RERROR
#define	SO_RERROR	0x4000		/* Keep track of receive errors */
#endif
#endif
