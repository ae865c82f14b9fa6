/*
 * OpenBSD's routing socket message layout, just enough of <net/route.h>
 * for building and running the routing socket branch of sshd's address
 * watch on Linux (tests/t-13-route-socket.sh; tests/preload/routeshim.c
 * stands in for the socket).  Names, types and values as in:
 *   openbsd/src sys/net/route.h
 *	$OpenBSD: route.h,v 1.218 2025/07/14 08:48:51 dlg Exp $
 *	(struct rt_metrics, struct rt_msghdr, RTM_*, ROUTE_*, RTABLE_ANY)
 *   openbsd/src sys/net/if.h
 *	$OpenBSD: if.h,v 1.221 2025/09/09 09:16:18 bluhm Exp $
 *	(struct ifa_msghdr, which lives there, not in route.h)
 *   openbsd/src sys/sys/socket.h: OpenBSD has no SO_RERROR.
 * On LP64 (amd64, as on Linux x86_64): sizeof(struct rt_msghdr) 96,
 * rtm_errno at offset 32, rtm_hdrlen at 4; sizeof(struct ifa_msghdr) 24.
 * glibc's <sys/socket.h> defines PF_ROUTE (16, = PF_NETLINK).
 */
#ifndef NL_BSD_ROUTE_OPENBSD_H
#define NL_BSD_ROUTE_OPENBSD_H
#include <sys/types.h>
#include <sys/socket.h>

/* "Huge version for userland compatibility." */
struct rt_metrics {
	u_int64_t	rmx_pksent;	/* packets sent using this route */
	int64_t		rmx_expire;	/* lifetime for route, e.g. redirect */
	u_int		rmx_locks;	/* Kernel must leave these values */
	u_int		rmx_mtu;	/* MTU for this path */
	u_int		rmx_refcnt;	/* # references hold */
	u_int		rmx_hopcount;	/* max hops expected */
	u_int		rmx_recvpipe;	/* inbound delay-bandwidth product */
	u_int		rmx_sendpipe;	/* outbound delay-bandwidth product */
	u_int		rmx_ssthresh;	/* outbound gateway buffer limit */
	u_int		rmx_rtt;	/* estimated round trip time */
	u_int		rmx_rttvar;	/* estimated rtt variance */
	u_int		rmx_pad;
};

struct rt_msghdr {
	u_short	rtm_msglen;	/* to skip over non-understood messages */
	u_char	rtm_version;	/* future binary compatibility */
	u_char	rtm_type;	/* message type */
	u_short	rtm_hdrlen;	/* sizeof(rt_msghdr) to skip over the header */
	u_short	rtm_index;	/* index for associated ifp */
	u_short	rtm_tableid;	/* routing table id */
	u_char	rtm_priority;	/* routing priority */
	u_char	rtm_mpls;	/* MPLS additional infos */
	int	rtm_addrs;	/* bitmask identifying sockaddrs in msg */
	int	rtm_flags;	/* flags, incl. kern & message, e.g. DONE */
	int	rtm_fmask;	/* bitmask used in RTM_CHANGE message */
	pid_t	rtm_pid;	/* identify sender */
	int	rtm_seq;	/* for sender to identify action */
	int	rtm_errno;	/* why failed */
	u_int	rtm_inits;	/* which metrics we are initializing */
	struct	rt_metrics rtm_rmx; /* metrics themselves */
};

#define RTM_VERSION	5	/* Up the ante and ignore older versions */
#define RTM_MAXSIZE	2048	/* Maximum size of an accepted route msg */

#define RTM_ADD		0x1	/* Add Route */
#define RTM_NEWADDR	0xc	/* address being added to iface */
#define RTM_DELADDR	0xd	/* address being removed from iface */
#define RTM_IFINFO	0xe	/* iface going up/down etc. */
#define RTM_DESYNC	0x10	/* route socket buffer overflow */
#define RTM_CHGADDRATTR	0x14	/* address attribute change */

/* setsockopt(fd, PF_ROUTE, ...) filters */
#define ROUTE_MSGFILTER	1	/* bitmask of rtm_type to send to the client */
#define ROUTE_TABLEFILTER 2	/* routing table to listen on; RTABLE_ANY */
#define ROUTE_FILTER(m)	(1 << (m))
#define RTABLE_ANY	0xffffffff

/* From <net/if.h>. */
struct ifa_msghdr {
	u_short	ifam_msglen;	/* to skip over non-understood messages */
	u_char	ifam_version;	/* future binary compatibility */
	u_char	ifam_type;	/* message type */
	u_short	ifam_hdrlen;	/* sizeof(ifa_msghdr) to skip over the header */
	u_short	ifam_index;	/* index for associated ifp */
	u_short	ifam_tableid;	/* routing table id */
	u_char	ifam_pad1;
	u_char	ifam_pad2;
	int	ifam_addrs;	/* like rtm_addrs */
	int	ifam_flags;	/* value of ifa_flags */
	int	ifam_metric;	/* value of ifa_metric */
};
#endif
