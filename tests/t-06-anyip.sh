#!/usr/bin/env bash
# Any-IP: a "local" route makes a whole prefix local to the host.
#
# Kernel behaviour (Linux): IPv4 bind() accepts any address whose route is
# RTN_LOCAL (inet_addr_type), so with "ip route add local PREFIX dev lo" a
# plain ListenAddress inside PREFIX binds and serves; the non-local option
# is not needed and sshd does not log "not configured yet" (its plain bind
# succeeds first).  IPv6 bind() only accepts addresses configured on an
# interface (ipv6_chk_addr), not local routes: a plain ListenAddress in an
# IPv6 Any-IP prefix fails with EADDRNOTAVAIL ("Cannot assign requested
# address"), while the non-local one binds with IPV6_FREEBIND and, the
# route delivering the traffic locally, serves.
#
# The IPv4 Any-IP prefix is 198.51.100.16/28 rather than the whole /24 so
# that the client (198.51.100.2) stays outside it and replies reach it.
set -eu
T_NAME='anyip'
. "$(dirname "$0")/lib.sh"
setup
PORT=2206
ANY4=198.51.100.20
ANY4_NL=198.51.100.21
ANY6=2001:db8:1::20
ANY6_NL=2001:db8:1::21

ns_pair
addr_add 198.51.100.1/24
addr_add 2001:db8::1/64
ip -n "$NS_S" route add local 198.51.100.16/28 dev lo
ip -n "$NS_S" -6 route add local 2001:db8:1::/64 dev lo
ip -n "$NS_C" -6 route add 2001:db8:1::/64 via 2001:db8::1

sshd_config "$T/sshd_config"
cat >>"$T/sshd_config" <<EOF
Port $PORT
ListenAddress $ANY4
ListenAddressNonlocal $ANY4_NL
ListenAddress [$ANY6]:$PORT
ListenAddressNonlocal [$ANY6_NL]:$PORT
EOF
start_sshd "$T/sshd_config"
log=$T/sshd.log
wait_log "$log" "Server listening on" 3 || { fail listening "sshd did not start: $(tail -n 3 "$log")"; finish; }

check v4-plain-binds "no listen line for plain $ANY4" \
    log_has "$log" "Server listening on $ANY4 port $PORT."
check v4-plain-login "no login on plain $ANY4" wait_login "$NS_C" "$ANY4" "$PORT" 25
check v4-nonlocal-is-local "sshd said $ANY4_NL is not configured" \
    test "$(count_log "$log" "address $ANY4_NL port $PORT is not configured")" -eq 0
check v4-nonlocal-login "no login on non-local $ANY4_NL" wait_login "$NS_C" "$ANY4_NL" "$PORT" 25
check only-v6-not-configured "expected exactly one 'not configured yet' line (for $ANY6_NL)" \
    test "$(count_log "$log" "is not configured yet")" -eq 1

check v6-plain-fails "no 'Cannot assign requested address' for plain $ANY6" \
    log_has "$log" "Bind to port $PORT on $ANY6 failed: Cannot assign requested address."
check v6-nonlocal-binds "no listen line for non-local $ANY6_NL" \
    log_has "$log" "Server listening on $ANY6_NL port $PORT."
check v6-nonlocal-not-configured "no 'not configured yet' line for $ANY6_NL" \
    log_has "$log" "Non-local listen address $ANY6_NL port $PORT is not configured yet."
check v6-nonlocal-login "no login on non-local $ANY6_NL" wait_login "$NS_C" "$ANY6_NL" "$PORT" 25
check sshd-running "sshd exited" sshd_alive
finish
