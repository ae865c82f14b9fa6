#!/usr/bin/env bash
# SIGHUP: sshd re-executes itself and binds its non-local listener again
# although the address is still absent; the address then appears and logins
# work.  A reload whose configuration no longer has the directive drops the
# listener.
set -eu
T_NAME='sighup'
. "$(dirname "$0")/lib.sh"
setup
PORT=2203
log=$T/sshd.log

ns_pair
sshd_config "$T/base_config"
cp "$T/base_config" "$T/sshd_config"
cat >>"$T/sshd_config" <<EOF
Port $PORT
ListenAddressNonlocal $SERVER4
ListenAddress 127.0.0.1
EOF
start_sshd "$T/sshd_config"
listen4="Server listening on $SERVER4 port $PORT."
absent4="Non-local listen address $SERVER4 port $PORT is not configured yet."
listen_lo="Server listening on 127.0.0.1 port $PORT."
wait_log "$log" "$listen_lo" 1 || { fail start "sshd did not start: $(tail -n 3 "$log")"; finish; }

# reload N: SIGHUP and wait for the restart and for the loopback listener
# to come back for the Nth time.
reload() {
	kill -HUP "$SSHD_PID"
	wait_log "$log" "Received SIGHUP; restarting." "$(($1 - 1))" &&
	    wait_log "$log" "$listen_lo" "$1"
}

check hup-restart "no restart after SIGHUP" reload 2
check hup-relisten "no second '$listen4' line" \
    test "$(count_log "$log" "$listen4")" -eq 2
check hup-still-absent "no second 'not configured yet' line" \
    test "$(count_log "$log" "$absent4")" -eq 2
check hup-same-process "sshd did not survive SIGHUP" sshd_alive

addr_add "$SERVER4/24"
check login-after-add "no login to $SERVER4 after the address was added" \
    wait_login "$NS_C" "$SERVER4" "$PORT" 25

# Reload with the directive removed: the listener must go.
cp "$T/base_config" "$T/sshd_config"
cat >>"$T/sshd_config" <<EOF
Port $PORT
ListenAddress 127.0.0.1
EOF
mark=$(wc -l <"$log")
check reload-without-directive "no restart after the second SIGHUP" reload 3
check listener-gone-log "the log still has a listen line for $SERVER4" \
    test "$(tail -n +"$((mark + 1))" "$log" | grep -cF "$SERVER4")" -eq 0
check listener-gone-connect "a TCP connect to $SERVER4:$PORT still worked" \
    test "$(tcp_connect "$NS_C" "$SERVER4" "$PORT")" = refused
check listener-gone-login "a login to $SERVER4 still worked" \
    login_fails "$NS_C" "$SERVER4" "$PORT"
check loopback-login "no login on 127.0.0.1 after the reload" \
    login_ok "$NS_S" 127.0.0.1 "$PORT"
check sshd-running "sshd exited" sshd_alive
finish
