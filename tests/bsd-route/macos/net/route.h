/*
 * macOS's routing socket message layout, just enough of <net/route.h>
 * for building and running the routing socket branch of sshd's address
 * watch on Linux (tests/t-13-route-socket.sh; tests/preload/routeshim.c
 * stands in for the socket).  Names, types and values as in:
 *   apple-oss-distributions/xnu bsd/net/route.h and bsd/net/if.h
 *	(struct ifa_msghdr lives in if.h), tag xnu-11417.101.15, commit
 *	e3723e1f17661b24996789d8afc084c0c3303b26
 *   bsd/sys/socket.h at the same commit: no SO_RERROR.
 * macOS has no RTM_CHGADDR, RTM_DESYNC, RTM_CHGADDRATTR or message
 * filter; its metrics are 32-bit: sizeof(struct rt_msghdr) 92, rtm_errno
 * at offset 24; sizeof(struct ifa_msghdr) 20.  glibc's <sys/socket.h>
 * defines PF_ROUTE (16, = PF_NETLINK).
 */
#ifndef NL_BSD_ROUTE_MACOS_H
#define NL_BSD_ROUTE_MACOS_H
#include <sys/types.h>
#include <sys/socket.h>

struct rt_metrics {
	u_int32_t	rmx_locks;	/* Kernel leaves these values alone */
	u_int32_t	rmx_mtu;	/* MTU for this path */
	u_int32_t	rmx_hopcount;	/* max hops expected */
	int32_t		rmx_expire;	/* lifetime for route, e.g. redirect */
	u_int32_t	rmx_recvpipe;	/* inbound delay-bandwidth product */
	u_int32_t	rmx_sendpipe;	/* outbound delay-bandwidth product */
	u_int32_t	rmx_ssthresh;	/* outbound gateway buffer limit */
	u_int32_t	rmx_rtt;	/* estimated round trip time */
	u_int32_t	rmx_rttvar;	/* estimated rtt variance */
	u_int32_t	rmx_pksent;	/* packets sent using this route */
	u_int32_t	rmx_filler[4];	/* will be used for TCP's peer-MSS cache */
};

struct rt_msghdr {
	u_short	rtm_msglen;	/* to skip over non-understood messages */
	u_char	rtm_version;	/* future binary compatibility */
	u_char	rtm_type;	/* message type */
	u_short	rtm_index;	/* index for associated ifp */
	int	rtm_flags;	/* flags, incl. kern & message, e.g. DONE */
	int	rtm_addrs;	/* bitmask identifying sockaddrs in msg */
	pid_t	rtm_pid;	/* identify sender */
	int	rtm_seq;	/* for sender to identify action */
	int	rtm_errno;	/* why failed */
	int	rtm_use;	/* from rtentry */
	u_int32_t rtm_inits;	/* which metrics we are initializing */
	struct	rt_metrics rtm_rmx; /* metrics themselves */
};

#define RTM_VERSION	5	/* Up the ante and ignore older versions */

#define RTM_ADD		0x1	/* Add Route */
#define RTM_NEWADDR	0xc	/* address being added to iface */
#define RTM_DELADDR	0xd	/* address being removed from iface */
#define RTM_IFINFO	0xe	/* iface going up/down etc. */

/* From <net/if.h>. */
struct ifa_msghdr {
	unsigned short	ifam_msglen;	/* to skip non-understood messages */
	unsigned char	ifam_version;	/* future binary compatability */
	unsigned char	ifam_type;	/* message type */
	int		ifam_addrs;	/* like rtm_addrs */
	int		ifam_flags;	/* value of ifa_flags */
	unsigned short	ifam_index;	/* index for associated ifp */
	int		ifam_metric;	/* value of ifa_metric */
};
#endif
