#!/usr/bin/env bash
# Address removed while connected, then re-added.
#
# Kernel behaviour (Linux, measured by this test): deleting an address does
# not reset the TCP connections using it.  While it is gone the server's
# segments cannot be routed (their source is no longer local) and the
# client's are not delivered, so the session stalls; TCP keeps retransmitting
# and, once the address is back, the session resumes and completes with no
# data lost.  It would only die if the outage outlasted TCP's retransmission
# limit (net.ipv4.tcp_retries2, about 15 minutes) or an ssh keepalive
# (ClientAliveInterval / ServerAliveInterval).  The listening socket is
# unaffected: sshd keeps running and accepts new logins after the re-add.
set -eu
T_NAME='address-removed'
. "$(dirname "$0")/lib.sh"
setup
PORT=2202
TICKS=8
OUTAGE=3

ns_pair
sshd_config "$T/sshd_config"
cat >>"$T/sshd_config" <<EOF
Port $PORT
ListenAddressNonlocal $SERVER4
ListenAddressNonlocal $SERVER6
EOF
start_sshd "$T/sshd_config"
wait_log "$T/sshd.log" "Server listening on" 2 || { fail listening "sshd did not start"; finish; }
addr_add "$SERVER4/24"
addr_add "$SERVER6/64"
for a in "$SERVER4" "$SERVER6"; do
	check "login-$a" "first login to $a failed" wait_login "$NS_C" "$a" "$PORT" 25
done

# start_session ADDR: a session printing a tick a second, in the background.
start_session() {
	ssh_run "$NS_C" "$1" "$PORT" \
	    "i=1; while [ \$i -le $TICKS ]; do echo tick \$i; i=\$((i + 1)); sleep 1; done; echo done" \
	    >"$T/session-$1.out" 2>"$T/session-$1.stderr" &
	PIDS+=("$!")
	SESSION_PID=$!
}
start_session "$SERVER4"
pid4=$SESSION_PID
start_session "$SERVER6"
pid6=$SESSION_PID
if ! wait_log "$T/session-$SERVER4.out" "tick 1" 1 10 ||
    ! wait_log "$T/session-$SERVER6.out" "tick 1" 1 10; then
	fail sessions "sessions did not start"
	finish
fi

addr_del "$SERVER4/24"
addr_del "$SERVER6/64"
before4=$(count_log "$T/session-$SERVER4.out" tick)
before6=$(count_log "$T/session-$SERVER6.out" tick)
# A new connection while the address is gone does not get through.
check no-connect-while-absent "a TCP connect to $SERVER4 worked while the address was gone" \
    test "$(tcp_connect "$NS_C" "$SERVER4" "$PORT")" != connected
sleep "$OUTAGE"
after4=$(count_log "$T/session-$SERVER4.out" tick)
after6=$(count_log "$T/session-$SERVER6.out" tick)
note "output received while the addresses were gone: $((after4 - before4)) ticks on $SERVER4, $((after6 - before6)) on $SERVER6"
check sshd-survives-removal "sshd exited after the addresses were removed" sshd_alive
addr_add "$SERVER4/24"
addr_add "$SERVER6/64"

# session_completed ADDR PID: the session ended normally with every tick.
session_completed() {
	local out=$T/session-$1.out i
	for ((i = 0; i < 300; i++)); do
		kill -0 "$2" 2>/dev/null || break
		sleep 0.1
	done
	wait "$2" || return 1
	[ "$(count_log "$out" tick)" -eq "$TICKS" ] && grep -qx 'done' "$out"
}
for a in "$SERVER4" "$SERVER6"; do
	if [ "$a" = "$SERVER4" ]; then pid=$pid4; else pid=$pid6; fi
	if session_completed "$a" "$pid"; then
		pass "session-survives-$a"
		note "established session to $a stalled during the ${OUTAGE}s outage and completed after the re-add"
	else
		fail "session-survives-$a" "session output: $(tr '\n' ' ' <"$T/session-$a.out") $(cat "$T/session-$a.stderr")"
	fi
	check "login-after-readd-$a" "no login to $a after the re-add" \
	    wait_login "$NS_C" "$a" "$PORT" 25
done
check sshd-running "sshd exited" sshd_alive
check no-fatal "sshd logged a fatal error" \
    test "$(count_log "$T/sshd.log" fatal)" -eq 0
finish
