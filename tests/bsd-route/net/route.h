/*
 * Just enough of a BSD <net/route.h> for t-80 to compile the routing
 * socket branch of addr_watch_open()/addr_watch_read() on Linux, which has
 * no PF_ROUTE routing socket of its own.  Names and values as in
 * OpenBSD's <net/route.h> (the leading rt_msghdr fields are the same on
 * every BSD); glibc's <sys/socket.h> already defines PF_ROUTE.
 */
#ifndef T80_NET_ROUTE_H
#define T80_NET_ROUTE_H
#include <sys/types.h>

#define RTM_VERSION	5
#define RTM_NEWADDR	0xc
#define RTM_DELADDR	0xd
#define RTM_CHGADDR	0x17

#define ROUTE_MSGFILTER	1
#define ROUTE_FILTER(m)	(1 << (m))

struct rt_msghdr {
	u_short	rtm_msglen;
	u_char	rtm_version;
	u_char	rtm_type;
	u_short	rtm_hdrlen;
	u_short	rtm_index;
};
#endif
