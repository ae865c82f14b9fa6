#!/usr/bin/env bash
# The listener watches its non-local addresses: it logs once per address
# when one becomes configured or goes away (also after SIGHUP), warns once
# about an address still absent ListenAddressNonlocalWarnTime after
# start-up, and costs nothing without non-local listeners: no netlink
# socket, and no wake-up of an idle listener either way.
#
# Kernel behaviour used (Linux): an address added to or deleted from an
# interface is announced on the netlink route socket's IPv4/IPv6 address
# groups (RTMGRP_IPV4_IFADDR 0x10, RTMGRP_IPV6_IFADDR 0x100); an IPv6
# address under duplicate address detection is announced again when DAD
# ends, and only then can a plain bind() use it.
set -eu
T_NAME='watch'
. "$(dirname "$0")/lib.sh"
setup
PORT_A=2210
PORT_B=2211
TYPO4=198.51.100.99
WARN=4
GROUPS_WANT=00000110

ns_pair
sshd_config "$T/sshd_config"
cat >>"$T/sshd_config" <<EOF
Port $PORT_A
Port $PORT_B
ListenAddressNonlocal $SERVER4
ListenAddressNonlocal $SERVER6
ListenAddressNonlocal $TYPO4
ListenAddressNonlocalWarnTime $WARN
EOF

# msg ADDR STATE: the watch's log line for ADDR ("now" / "no longer").
msg() { printf 'non-local listen address %s is %s configured' "$1" "$2"; }
warning() {
	printf 'non-local listen address %s is still not configured %d seconds after start-up' "$1" "$WARN"
}


# wakeups PID SECONDS: how many times PID's ppoll() returned in SECONDS,
# or "unseen" if strace did not see PID waiting in ppoll() at all (it could
# not attach), so that a silent strace never counts as no wake-ups.
wakeups() {
	local out=$T/strace.$1
	timeout "$2" strace -qq -p "$1" -e trace=ppoll,restart_syscall -o "$out" 2>/dev/null || true
	if ! grep -qE '^(ppoll|restart_syscall)\(' "$out" 2>/dev/null; then
		echo unseen
		return
	fi
	grep -c ') = [0-9]' "$out" || true
}

start_sshd "$T/sshd_config"
wait_log "$T/sshd.log" "Server listening on" 6 ||
    { fail listening "sshd did not start: $(tail -n 3 "$T/sshd.log")"; finish; }
check one-netlink-socket "the listener's netlink sockets: '$(netlink_groups "$SSHD_PID" | tr '\n' ' ')'" \
    test "$(netlink_groups "$SSHD_PID" | tr '\n' ' ')" = "$GROUPS_WANT "

addr_add "$SERVER4/24"
check configured-v4 "no '$(msg "$SERVER4" now)'" wait_log "$T/sshd.log" "$(msg "$SERVER4" now)"
check login-v4 "no login to $SERVER4" wait_login "$NS_C" "$SERVER4" "$PORT_A" 25

# IPv6 with duplicate address detection: announced when added (tentative,
# plain bind still refused) and again when DAD ends; logged once, when the
# address can really be used.
ip netns exec "$NS_S" sysctl -qw net.ipv6.conf.vs.accept_dad=1
ip -n "$NS_S" addr add "$SERVER6/64" dev vs
check configured-v6-after-dad "no '$(msg "$SERVER6" now)'" \
    wait_log "$T/sshd.log" "$(msg "$SERVER6" now)"
dad=$(ip -n "$NS_S" -6 addr show dev vs to "$SERVER6" | grep -c tentative || true)
check v6-not-tentative-when-logged "$SERVER6 was still tentative when logged as configured" test "$dad" -eq 0
check login-v6 "no login to $SERVER6" wait_login "$NS_C" "$SERVER6" "$PORT_B" 25

check warning-for-typo "no '$(warning "$TYPO4")'" wait_log "$T/sshd.log" "$(warning "$TYPO4")" 1 $((WARN + 10))
check warning-once "the warning for $TYPO4 was logged $(count_log "$T/sshd.log" "$TYPO4 is still") times" \
    test "$(count_log "$T/sshd.log" "$TYPO4 is still")" -eq 1
check no-warning-for-present "a configured address was warned about" \
    test "$(count_log "$T/sshd.log" "still not configured")" -eq 1
check one-line-per-address "'$(msg "$SERVER4" now)' logged $(count_log "$T/sshd.log" "$(msg "$SERVER4" now)") times for two ports" \
    test "$(count_log "$T/sshd.log" "$(msg "$SERVER4" now)")" -eq 1

if command -v strace >/dev/null; then
	n=$(wakeups "$SSHD_PID" 3)
	note "idle listener with non-local addresses: $n ppoll wake-ups in 3 s"
	check idle-no-wakeups "the idle listener woke up $n times in 3 s" test "$n" = 0
else
	printf 'SKIP %s/idle-no-wakeups%s: strace is not installed\n' "$T_NAME" "$TAG"
fi

addr_del "$SERVER4/24"
check removed-v4 "no '$(msg "$SERVER4" "no longer")'" \
    wait_log "$T/sshd.log" "$(msg "$SERVER4" "no longer")"
addr_add "$SERVER4/24"
check readded-v4 "'$(msg "$SERVER4" now)' not logged again" \
    wait_log "$T/sshd.log" "$(msg "$SERVER4" now)" 2
check login-v4-readded "no login to $SERVER4 after the re-add" wait_login "$NS_C" "$SERVER4" "$PORT_A" 25

# An address change that does not concern a listen address logs nothing.
before=$(count_log "$T/sshd.log" "non-local listen address")
addr_add 198.51.100.50/24
addr_del 198.51.100.50/24
sleep 1
check unrelated-change-silent "an unrelated address change was logged" \
    test "$(count_log "$T/sshd.log" "non-local listen address")" -eq "$before"

# SIGHUP: the re-executed listener watches again.
kill -HUP "$SSHD_PID"
if wait_log "$T/sshd.log" "Server listening on" 12; then
	addr_del "$SERVER4/24"
	check watch-after-sighup "no '$(msg "$SERVER4" "no longer")' after SIGHUP" \
	    wait_log "$T/sshd.log" "$(msg "$SERVER4" "no longer")" 2
else
	fail watch-after-sighup "sshd did not listen again after SIGHUP"
fi
check no-fatal "sshd logged a fatal error" test "$(count_log "$T/sshd.log" fatal)" -eq 0
kill "$SSHD_PID"

# Without non-local listeners: no netlink socket, no wake-ups.
sshd_config "$T/plain_config"
printf 'Port %s\nListenAddress 127.0.0.1\n' "$PORT_A" >>"$T/plain_config"
start_sshd "$T/plain_config" plain
if wait_log "$T/plain.log" "Server listening on 127.0.0.1 port $PORT_A."; then
	check plain-no-netlink "a listener without non-local addresses holds netlink sockets: $(netlink_groups "$SSHD_PID" | tr '\n' ' ')" \
	    test -z "$(netlink_groups "$SSHD_PID")"
	if command -v strace >/dev/null; then
		n=$(wakeups "$SSHD_PID" 3)
		check plain-idle-no-wakeups "the idle plain listener woke up $n times in 3 s" test "$n" = 0
	fi
	check warn-time-default "ListenAddressNonlocalWarnTime default not 300 in sshd -T" \
	    grep -qx 'listenaddressnonlocalwarntime 300' <(ip netns exec "$NS_S" "$SSHD" -T -f "$T/plain_config" 2>&1)
else
	fail plain-listening "sshd with a plain ListenAddress did not start"
fi

# A standby node's address is absent by design: the message is INFO, so
# with LogLevel ERROR it is not logged at all (sshd's -E log carries no
# level prefix to tell an error() line by).
sshd_config "$T/quiet_config"
sed -i 's/^LogLevel INFO$/LogLevel ERROR/' "$T/quiet_config"
printf '%s\n' "Port $PORT_B" "ListenAddressNonlocal $TYPO4" \
    "ListenAddressNonlocalWarnTime 1" >>"$T/quiet_config"
start_sshd "$T/quiet_config" quiet
sleep 3
check warning-is-info "the message is logged at LogLevel ERROR" \
    test "$(count_log "$T/quiet.log" "still not configured")" -eq 0
check quiet-alive "sshd with LogLevel ERROR died: $(tail -n 1 "$T/quiet.log")" sshd_alive

# Once every non-local address is present, the warning time's deadline no
# longer matters: the listener blocks in ppoll() with no timeout at all
# (read from /proc/PID/syscall: the call's number and its third argument,
# the timeout pointer, 0 for none).
case $(uname -m) in
x86_64) PPOLL_NR=271 ;;
aarch64) PPOLL_NR=73 ;;
*) PPOLL_NR= ;;
esac
LATE4=198.51.100.77
sshd_config "$T/late_config"
printf '%s\n' "Port $PORT_A" "ListenAddressNonlocal $LATE4" >>"$T/late_config"
start_sshd "$T/late_config" late
if [ -z "$PPOLL_NR" ]; then
	printf 'SKIP %s/no-deadline-while-present%s: no ppoll number for %s\n' "$T_NAME" "$TAG" "$(uname -m)"
elif wait_log "$T/late.log" "Server listening on $LATE4 port $PORT_A."; then
	addr_add "$LATE4/32"
	wait_log "$T/late.log" "$(msg "$LATE4" now)" || true
	sleep 0.5
	read -r nr _ _ tsp _ <"/proc/$SSHD_PID/syscall" || nr=
	check no-deadline-while-present "the listener waits in syscall $nr with timeout pointer $tsp while every non-local address is present" \
	    test "$nr" = "$PPOLL_NR" -a "$tsp" = 0x0
else
	fail no-deadline-while-present "sshd with $LATE4 did not start"
fi
finish
