/*
 * FreeBSD's routing socket message layout, just enough of <net/route.h>
 * for building and running the routing socket branch of sshd's address
 * watch on Linux (tests/t-13-route-socket.sh; tests/preload/routeshim.c
 * stands in for the socket).  Names, types and values as in:
 *   freebsd/freebsd-src sys/net/route.h, the current layout (FreeBSD 14
 *	and main: rtm_index followed by _rtm_spare1, rmx_nhidx in
 *	rt_metrics, NETLINK_COMPAT guards; the file no longer carries a
 *	$FreeBSD$ tag and the stored copy read had no commit id)
 *	(struct rt_metrics, struct rt_msghdr, RTM_*)
 *   freebsd/freebsd-src sys/net/if.h (struct ifa_msghdr, which lives
 *	there, not in route.h)
 *   freebsd/freebsd-src sys/sys/socket.h: SO_RERROR 0x00020000 ("keep
 *	track of receive errors", FreeBSD 14 and later; value as in the
 *	transcriptions of that header in the Rust nc crate and Go x/sys)
 * FreeBSD has no RTM_CHGADDR, RTM_DESYNC, ROUTE_MSGFILTER or
 * ROUTE_TABLEFILTER.  On LP64 (u_long is 8 bytes there as on Linux
 * x86_64): sizeof(struct rt_msghdr) 152, rtm_errno at offset 24;
 * sizeof(struct ifa_msghdr) 20.  glibc's <sys/socket.h> defines PF_ROUTE
 * (16, = PF_NETLINK).
 */
#ifndef NL_BSD_ROUTE_FREEBSD_H
#define NL_BSD_ROUTE_FREEBSD_H
#include <sys/types.h>
#include <sys/socket.h>

struct rt_metrics {
	u_long	rmx_locks;	/* Kernel must leave these values alone */
	u_long	rmx_mtu;	/* MTU for this path */
	u_long	rmx_hopcount;	/* max hops expected */
	u_long	rmx_expire;	/* lifetime for route, e.g. redirect */
	u_long	rmx_recvpipe;	/* inbound delay-bandwidth product */
	u_long	rmx_sendpipe;	/* outbound delay-bandwidth product */
	u_long	rmx_ssthresh;	/* outbound gateway buffer limit */
	u_long	rmx_rtt;	/* estimated round trip time */
	u_long	rmx_rttvar;	/* estimated rtt variance */
	u_long	rmx_pksent;	/* packets sent using this route */
	u_long	rmx_weight;	/* route weight */
	u_long	rmx_nhidx;	/* route nexhop index */
	u_long	rmx_filler[2];	/* will be used for T/TCP later */
};

struct rt_msghdr {
	u_short	rtm_msglen;	/* to skip over non-understood messages */
	u_char	rtm_version;	/* future binary compatibility */
	u_char	rtm_type;	/* message type */
	u_short	rtm_index;	/* index for associated ifp */
	u_short	_rtm_spare1;
	int	rtm_flags;	/* flags, incl. kern & message, e.g. DONE */
	int	rtm_addrs;	/* bitmask identifying sockaddrs in msg */
	pid_t	rtm_pid;	/* identify sender */
	int	rtm_seq;	/* for sender to identify action */
	int	rtm_errno;	/* why failed */
	int	rtm_fmask;	/* bitmask used in RTM_CHANGE message */
	u_long	rtm_inits;	/* which metrics we are initializing */
	struct	rt_metrics rtm_rmx; /* metrics themselves */
};

#define RTM_VERSION	5	/* Up the ante and ignore older versions */

#define	RTM_ADD		0x1	/* (1) Add Route */
#define	RTM_NEWADDR	0xc	/* (2) address being added to iface */
#define	RTM_DELADDR	0xd	/* (2) address being removed from iface */
#define	RTM_IFINFO	0xe	/* (3) iface going up/down etc. */

/* From <net/if.h>. */
struct ifa_msghdr {
	u_short	ifam_msglen;	/* to skip over non-understood messages */
	u_char	ifam_version;	/* future binary compatibility */
	u_char	ifam_type;	/* message type */
	int	ifam_addrs;	/* like rtm_addrs */
	int	ifam_flags;	/* value of ifa_flags */
	u_short	ifam_index;	/* index for associated ifp */
	u_short	_ifam_spare1;
	int	ifam_metric;	/* value of ifa_ifp->if_metric */
};

/* SO_RERROR really lives in FreeBSD's <sys/socket.h>; Linux has none. */
#ifndef SO_RERROR
#define	SO_RERROR	0x00020000	/* keep track of receive errors */
#endif
#endif
