#!/usr/bin/env bash
# DHCP boot race.  A DHCP server (dnsmasq, DHCP only) holds a fixed lease
# for the node's MAC address; the node's sshd starts before its DHCP client
# (ISC dhclient), with ListenAddressNonlocal for the leased address; the
# client then gets the lease, and a login from a third namespace succeeds
# without an sshd restart.  The time from the lease being applied to the
# first login is printed (information, no assertion).
#
# dhclient runs with a -sf script of the test's own that applies the lease
# as Debian's /sbin/dhclient-script does (ip addr with the lease's
# lifetime): Debian's script also rewrites /etc/resolv.conf and runs the
# hooks in /etc/dhcp/, and a network namespace shares the host's /etc.
# Every file of both daemons (configuration, pid, lease, log) is in $T.
set -eu
T_NAME='dhcp-boot'
. "$(dirname "$0")/lib.sh"
setup
need_cmd dnsmasq dnsmasq-base
need_cmd dhclient isc-dhcp-client
PORT=22
SERVER_ADDR=198.51.100.1
LEASE=198.51.100.21
MAC=00:00:5e:00:53:21            # RFC 7042 documentation MAC range
NS_DHCP=nlt$$-dhcp
NS_NODE=nlt$$-node
NS_CL=nlt$$-client

lan_add
ns_add "$NS_DHCP"
lan_port "$NS_DHCP"
ns_add "$NS_NODE"
lan_port "$NS_NODE" "$MAC"
ns_add "$NS_CL"
lan_port "$NS_CL"
ip -n "$NS_DHCP" addr add "$SERVER_ADDR/24" dev eth0
ip -n "$NS_CL" addr add "$CLIENT4/24" dev eth0

# The DHCP server: DNS off (port=0, so no name server is offered either),
# static leases only, one for the node.
cat >"$T/dnsmasq.conf" <<EOF
port=0
interface=eth0
bind-interfaces
dhcp-range=198.51.100.0,static,255.255.255.0,12h
dhcp-host=$MAC,$LEASE,node
dhcp-leasefile=$T/dnsmasq.leases
pid-file=$T/dnsmasq.pid
log-dhcp
log-facility=$T/dnsmasq.log
EOF
if ! ip netns exec "$NS_DHCP" dnsmasq --conf-file="$T/dnsmasq.conf" 2>"$T/dnsmasq.stderr"; then
	fail dnsmasq "dnsmasq did not start: $(tail -n 1 "$T/dnsmasq.stderr")"
	finish
fi
daemon_track "$T/dnsmasq.pid" dnsmasq
check dnsmasq-running "dnsmasq wrote no pid file" daemon_wait "$T/dnsmasq.pid"

# The node boots: sshd first.
boot_node_sshd "$NS_NODE" node "$LEASE" "$PORT"
log=$T/node.log
check no-login-before-lease "$LEASE answered before the lease" \
    test "$(tcp_connect "$NS_CL" "$LEASE" "$PORT")" != connected

# Then the DHCP client.  The script records when it applied the lease.
cat >"$T/dhclient.conf" <<EOF
request subnet-mask, broadcast-address, routers;
timeout 15;
EOF
cat >"$T/dhclient-script" <<EOF
#!/bin/sh
# dhclient-script(8) for the test: apply the IPv4 lease, touch nothing else.
case \$reason in
PREINIT)
	ip link set dev "\$interface" up ;;
BOUND|RENEW|REBIND|REBOOT)
	ip -4 addr replace "\$new_ip_address/\$new_subnet_mask" \\
	    \${new_broadcast_address:+broadcast "\$new_broadcast_address"} dev "\$interface" \\
	    valid_lft "\$new_dhcp_lease_time" preferred_lft "\$new_dhcp_lease_time"
	date +%s%3N >"$T/lease-applied" ;;
EXPIRE|FAIL|RELEASE|STOP)
	[ -z "\$old_ip_address" ] || ip -4 addr del "\$old_ip_address/\$old_subnet_mask" dev "\$interface" ;;
esac
exit 0
EOF
chmod 755 "$T/dhclient-script"
# dhclient returns once it is bound (or after the 15 s timeout) and stays
# in the background; its pid file is written before it returns.
daemon_track "$T/dhclient.pid" dhclient
if ! timeout 30 ip netns exec "$NS_NODE" dhclient -4 -v -cf "$T/dhclient.conf" \
    -lf "$T/dhclient.leases" -pf "$T/dhclient.pid" -sf "$T/dhclient-script" eth0 \
    </dev/null >"$T/dhclient.out" 2>&1; then
	fail dhclient "dhclient failed: $(tail -n 1 "$T/dhclient.out")"
fi
check bound "dhclient did not apply a lease: $(tail -n 1 "$T/dhclient.out")" \
    wait_for 10 test -s "$T/lease-applied"
t0=$(cat "$T/lease-applied" 2>/dev/null || now_ms)
if wait_login "$NS_CL" "$LEASE" "$PORT" 25; then
	pass login-after-lease
	took=$(since_ms "$t0")
	t1=$(now_ms)
	login_ok "$NS_CL" "$LEASE" "$PORT" || true
	note "first login done $took s after dhclient applied the lease; one login alone takes $(since_ms "$t1") s (informational)"
else
	fail login-after-lease "no login to $LEASE within 25 tries after the lease"
fi
check leased-address "$LEASE is not on the node's eth0" ns_has_addr "$NS_NODE" "$LEASE"
# "dynamic": the address has the lease's lifetime, it came from DHCP.
check address-is-dynamic "$LEASE has no lifetime: $(ip -n "$NS_NODE" addr show to "$LEASE")" \
    grep -qw dynamic <(ip -n "$NS_NODE" addr show to "$LEASE")
check fixed-lease "dnsmasq's lease file lacks $MAC $LEASE: $(cat "$T/dnsmasq.leases" 2>/dev/null)" \
    grep -q " $MAC $LEASE " "$T/dnsmasq.leases"
check configured-logged "'non-local listen address $LEASE is now configured' not logged once" \
    test "$(count_log "$log" "non-local listen address $LEASE is now configured")" -eq 1
check sshd-not-restarted "sshd exited or re-executed" \
    test "$(count_log "$log" "Server listening on")" -eq 1
check sshd-running "sshd exited" sshd_alive
finish
