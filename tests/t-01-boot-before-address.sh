#!/usr/bin/env bash
# Boot before the address: sshd starts with non-local listeners for an IPv4
# and an IPv6 address that do not exist yet (plus one plain loopback
# listener, and a plain one on an absent address, which fails as upstream
# and gets no non-local retry), logs that they are not configured, and
# serves logins on them as soon as the addresses are added, without a
# restart.
set -eu
T_NAME='boot-before-address'
. "$(dirname "$0")/lib.sh"
setup
PORT=2201
PLAIN_ABSENT=198.51.100.21

ns_pair
sshd_config "$T/sshd_config"
cat >>"$T/sshd_config" <<EOF
Port $PORT
ListenAddressNonlocal $SERVER4
ListenAddressNonlocal [$SERVER6]:$PORT
ListenAddress 127.0.0.1
ListenAddress $PLAIN_ABSENT
EOF
start_sshd "$T/sshd_config"

log=$T/sshd.log
if wait_log "$log" "Server listening on" 3; then
	pass listening
else
	fail listening "expected 3 listeners, log: $(tr '\n' '|' <"$log")"
	finish
fi
for a in "$SERVER4" "$SERVER6"; do
	check "not-configured-logged-$a" "no 'not configured yet' line for $a" \
	    log_has "$log" "Non-local listen address $a port $PORT is not configured yet."
	check "listening-logged-$a" "no 'Server listening' line for $a" \
	    log_has "$log" "Server listening on $a port $PORT."
done
check loopback-plain "the plain loopback listener logged 'not configured yet'" \
    test "$(count_log "$log" "127.0.0.1 port $PORT is not configured")" -eq 0
# A plain listener on an absent address fails exactly as upstream's does.
check plain-absent-fails "no upstream bind failure for the plain $PLAIN_ABSENT" \
    log_has "$log" "Bind to port $PORT on $PLAIN_ABSENT failed: Cannot assign requested address."
check plain-absent-no-retry "the plain $PLAIN_ABSENT listener was bound or called non-local" \
    test "$(count_log "$log" "$PLAIN_ABSENT port $PORT")" -eq 0
check loopback-login "login on the plain 127.0.0.1 listener failed" \
    login_ok "$NS_S" 127.0.0.1 "$PORT"
check no-login-before-address "login to $SERVER4 worked before the address existed" \
    test "$(tcp_connect "$NS_C" "$SERVER4" "$PORT")" != connected

# Add the addresses; time from "ip addr add" to the first good login.
for a in "$SERVER4/24" "$SERVER6/64"; do
	addr=${a%/*}
	t0=$(now_ms)
	addr_add "$a"
	if wait_login "$NS_C" "$addr" "$PORT" 25; then
		pass "login-after-add-$addr"
		note "first login on $addr $(since_ms "$t0")s after ip addr add (informational)"
	else
		fail "login-after-add-$addr" "no login within 25 tries after adding $addr"
	fi
done
check sshd-running "sshd exited" sshd_alive
finish
