#!/usr/bin/env bash
# IPv6 stateless autoconfiguration.  radvd (Debian's package) advertises
# 2001:db8:1::/64 on a veth; the node's stable SLAAC address is known in
# advance (EUI-64 of the fixed MAC address the test gives its interface),
# and sshd listens on it with ListenAddressNonlocal before the interface
# is even up.  The address appears with duplicate address detection (no
# nodad): the watch logs it only once DAD has ended, and a login over IPv6
# succeeds without an sshd restart.
#
# Every router advertisement refreshes the address's lifetimes, and the
# kernel announces each refresh (RTM_NEWADDR).  With radvd advertising
# every 3 to 4 s, strace counts the listener's ppoll() wake-ups and its
# bind() probes (port 0) for NL_SLAAC_SECONDS (default 20; 60 for the
# figure in tests/README.md), against the router advertisements the node
# received (Icmp6InRouterAdvertisements): at most one probe batch (here one
# address, one probe) and one wake-up per advertisement, plus 2.
set -eu
T_NAME='slaac'
. "$(dirname "$0")/lib.sh"
setup
need_cmd radvd radvd
need_cmd strace strace
PORT=22
SECONDS_COUNTED=${NL_SLAAC_SECONDS:-20}
PREFIX=2001:db8:1::
ROUTER6=2001:db8:1::1
MAC=00:00:5e:00:53:22            # RFC 7042 documentation MAC range
NS_NODE=nlt$$-node
NS_RTR=nlt$$-router

# eui64 PREFIX64 MAC: the address in the /64 PREFIX64 (four groups) whose
# interface identifier is MAC's modified EUI-64 (RFC 4291 appendix A:
# ff:fe in the middle, the universal/local bit flipped), written as the
# kernel and sshd write it (this MAC gives no run of zero groups to
# compress).
eui64() {
	local -a b
	IFS=: read -ra b <<<"$2"
	printf '%s:%x:%x:%x:%x' "$1" $(((0x${b[0]} ^ 2) << 8 | 0x${b[1]})) \
	    $((0x${b[2]} << 8 | 0xff)) $((0xfe00 | 0x${b[3]})) $((0x${b[4]} << 8 | 0x${b[5]}))
}
SLAAC=$(eui64 2001:db8:1:0 "$MAC")

ns_add "$NS_NODE"
ns_add "$NS_RTR"
# The node as it comes out of the box: router advertisements accepted,
# addresses autoconfigured from the MAC (addr_gen_mode 0), DAD on.
ip netns exec "$NS_NODE" sysctl -qw net.ipv6.conf.default.accept_ra=1 \
    net.ipv6.conf.default.autoconf=1 net.ipv6.conf.default.addr_gen_mode=0 \
    net.ipv6.conf.default.accept_dad=1 net.ipv6.conf.default.use_tempaddr=0
ip netns exec "$NS_RTR" sysctl -qw net.ipv6.conf.all.forwarding=1
ip -n "$NS_RTR" link add eth0 type veth peer name eth0 address "$MAC" netns "$NS_NODE"
ip -n "$NS_RTR" addr add "$ROUTER6/64" dev eth0 nodad
ip -n "$NS_RTR" link set eth0 up

boot_node_sshd "$NS_NODE" node "$SLAAC" "$PORT"
log=$T/node.log

cat >"$T/radvd.conf" <<EOF
interface eth0
{
	AdvSendAdvert on;
	MinRtrAdvInterval 3;
	MaxRtrAdvInterval 4;
	prefix $PREFIX/64
	{
		AdvOnLink on;
		AdvAutonomous on;
	};
};
EOF
daemon_track "$T/radvd.pid" radvd
if ! ip netns exec "$NS_RTR" radvd --config "$T/radvd.conf" --pidfile "$T/radvd.pid" \
    --logmethod logfile --logfile "$T/radvd.log" 2>"$T/radvd.stderr"; then
	fail radvd "radvd did not start: $(tail -n 1 "$T/radvd.stderr")"
	finish
fi
check radvd-running "radvd wrote no pid file: $(tail -n 1 "$T/radvd.log" 2>/dev/null)" \
    daemon_wait "$T/radvd.pid"

# The node's link comes up; it solicits a router, radvd answers, the
# kernel adds the address as tentative and runs DAD.  Until DAD ends the
# watch must not call it configured.
ip -n "$NS_NODE" link set eth0 up
check slaac-address "no $SLAAC on the node: $(ip -n "$NS_NODE" -6 addr show dev eth0 | tr '\n' ' ')" \
    wait_for 15 ns_has_addr "$NS_NODE" "$SLAAC"
not_tentative() { ! ns_tentative "$NS_NODE" "$SLAAC"; }
not_nodad() { ! ip -n "$NS_NODE" addr show to "$SLAAC" | grep -qw nodad; }
seen_tentative=no early=no
for ((i = 0; i < 100; i++)); do
	# The log first, then the address: a line logged before a check that
	# still finds the address tentative was logged while it was.
	logged=$(count_log "$log" "is now configured")
	ns_tentative "$NS_NODE" "$SLAAC" || break
	seen_tentative=yes
	[ "$logged" -eq 0 ] || early=yes
	sleep 0.05
done
check dad-ran "$SLAAC was never seen tentative (DAD off?)" test "$seen_tentative" = yes
check dad-ended "$SLAAC still tentative after 5 s" not_tentative
check no-nodad "$SLAAC carries nodad" not_nodad
check not-configured-while-tentative "the watch logged $SLAAC configured while tentative" test "$early" = no
check configured-after-dad "no 'non-local listen address $SLAAC is now configured'" \
    wait_log "$log" "non-local listen address $SLAAC is now configured"
check login-v6 "no login to [$SLAAC]:$PORT" wait_login "$NS_RTR" "$SLAAC" "$PORT" 25

# Wake-ups and probes while radvd keeps advertising.
# shellcheck disable=SC2016  # awk's fields
ras() { ip netns exec "$NS_NODE" awk '$1 == "Icmp6InRouterAdvertisements" { print $2 }' /proc/net/snmp6; }
ra0=$(ras)
timeout "$SECONDS_COUNTED" strace -f -qq -p "$SSHD_PID" -e trace=ppoll,bind,restart_syscall \
    -o "$T/strace.out" 2>"$T/strace.stderr" || true
ra=$(($(ras) - ra0))
# Lines: "PID ppoll(...) = 1 (...)", "PID <... ppoll resumed>...) = 1",
# "PID restart_syscall(<... resuming interrupted ppoll ...>) = 1".
if ! grep -qE '^[0-9]+ +(ppoll\(|restart_syscall\(|<\.\.\. ppoll resumed>)' "$T/strace.out" 2>/dev/null; then
	fail strace-saw-listener "strace did not see the listener wait: $(tail -n 1 "$T/strace.stderr")"
else
	wakeups=$(grep -cE '^[0-9]+ +(ppoll\(|restart_syscall\(|<\.\.\. ppoll resumed>).*\) += [0-9]+' "$T/strace.out" || true)
	probes=$(grep -cE '^[0-9]+ +bind\(.*port=htons\(0\)' "$T/strace.out" || true)
	note "in ${SECONDS_COUNTED} s: $ra router advertisements received, $wakeups listener wake-ups, $probes bind probes"
	check ras-received "only $ra router advertisements in ${SECONDS_COUNTED} s" test "$ra" -ge 2
	check wakeups-bounded "$wakeups wake-ups for $ra advertisements" test "$wakeups" -le $((ra + 2))
	check probes-bounded "$probes probes for $ra advertisements (one address)" test "$probes" -le $((ra + 2))
fi
check login-v6-after "no login to [$SLAAC]:$PORT after the count" wait_login "$NS_RTR" "$SLAAC" "$PORT" 5
check configured-once "'is now configured' logged $(count_log "$log" "is now configured") times" \
    test "$(count_log "$log" "is now configured")" -eq 1
check sshd-running "sshd exited" sshd_alive
finish
