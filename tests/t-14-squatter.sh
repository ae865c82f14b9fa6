#!/usr/bin/env bash
# A deferred listener (no non-local bind option) does not hold its port:
# another process may bind ADDR:PORT after the address appears and before
# sshd does.  sshd then logs the failed bind once, keeps the listener
# pending and retries on its timer (1 s backing off to 10 s), and serves
# the address once the other process has let the port go.
set -eu
T_NAME='squatter'
. "$(dirname "$0")/lib.sh"
if [ -z "${NL_NOOPTION:-}" ]; then
	[ -z "${NL_TOP:-}" ] || { fail build-nooption "no build without the option (see build/logs/tests/build-nooption.err)"; exit 1; }
	skip_all "NL_NOOPTION not set (tests/run builds it)"
fi
setup
SSHD=$NL_NOOPTION/sshd
PORT=2214
HOLD=6
in_use="Bind to port $PORT on $SERVER4 failed: Address already in use; will retry."
listening="Server listening on $SERVER4 port $PORT."

cc -O -Wall -o "$T/bind-probe" "$TESTS/bind-probe.c" || { fail probe-build "cc failed"; finish; }
ns_pair
sshd_config "$T/sshd_config"
printf '%s\n' "Port $PORT" "ListenAddress 127.0.0.1" \
    "ListenAddressNonlocal $SERVER4" >>"$T/sshd_config"
start_sshd "$T/sshd_config"
wait_log "$T/sshd.log" "Bind to port $PORT on $SERVER4 deferred until the address is configured." ||
    { fail starts "no deferred listener: $(tail -n 2 "$T/sshd.log")"; finish; }

# The squatter takes the port first (it needs no privilege: IP_FREEBIND
# and a port above 1023), then the address appears.
ip netns exec "$NS_S" "$T/bind-probe" -f -r -h "$HOLD" "$SERVER4" "$PORT" \
    >"$T/squatter.out" 2>&1 &
SQUATTER=$!
PIDS+=("$SQUATTER")
for _ in $(seq 1 50); do
	grep -qx ok "$T/squatter.out" 2>/dev/null && break
	sleep 0.1
done
check squatter-has-port "the squatter did not get the port: $(cat "$T/squatter.out")" \
    grep -qx ok "$T/squatter.out"
addr_add "$SERVER4/24"
check address-seen "no 'now configured' line" \
    wait_log "$T/sshd.log" "non-local listen address $SERVER4 is now configured"
check in-use-logged "no '$in_use'" wait_log "$T/sshd.log" "$in_use"
check not-listening-while-taken "sshd claims to listen while the port is taken" \
    test "$(count_log "$T/sshd.log" "$listening")" -eq 0
# While the squatter holds the port, sshd retries (at 1, 2 and 4 s) but
# says so once.
sleep 3
check in-use-logged-once "'$in_use' logged $(count_log "$T/sshd.log" "$in_use") times" \
    test "$(count_log "$T/sshd.log" "$in_use")" -eq 1
check alive-while-taken "sshd died" sshd_alive
# The squatter lets go after HOLD seconds: sshd binds within its back-off.
check bound-after-squatter "no '$listening' within 20 s of the squatter leaving" \
    wait_log "$T/sshd.log" "$listening" 1 $((HOLD + 20))
check login-after-squatter "no login to $SERVER4" wait_login "$NS_C" "$SERVER4" "$PORT" 25
check plain-listener-works "no login over 127.0.0.1" login_ok "$NS_S" 127.0.0.1 "$PORT"
check no-fatal "fatal in the log" test "$(count_log "$T/sshd.log" fatal)" -eq 0
finish
