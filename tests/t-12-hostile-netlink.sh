#!/usr/bin/env bash
# Hostile netlink: a local process that sends its own datagrams to the
# listener's address watch socket (malformed, truncated, oversized, random,
# a flood) neither crashes sshd nor makes it log anything nor re-check its
# addresses: it trusts only the kernel's notifications, and those still
# work afterwards.  Each case is sent from the server namespace by
# tests/nl-send.c; for each one sshd must stay alive, serve a login, log no
# error and no address change, and make no bind probe (strace of the
# listener).  At the end a real address change is logged and served.
#
# Kernel behaviour used (Linux): a netlink socket bound with nl_pid 0 gets
# a port id (the first one of a process: its pid), listed with its groups
# in /proc/PID/net/netlink.  Any process of the namespace with
# CAP_NET_ADMIN may send it unicast datagrams (others get EPERM); the
# receiver sees the sender's port id in the source address (0 only for
# the kernel), whatever the headers claim.  A unicast to a full receive
# queue makes a blocking sender wait; it never makes the receiver's recv()
# fail with ENOBUFS (the kernel's own multicasts do).
#
# NL_HOSTILE_SSHD: run this sshd binary instead of $NL_PATCHED/sshd.
# t-09 style ASan run: NL_PATCHED=$NL_ASAN NL_TAG=asan.
set -eu
T_NAME='hostile-netlink'
. "$(dirname "$0")/lib.sh"
setup
[ -z "${NL_HOSTILE_SSHD:-}" ] || SSHD=$NL_HOSTILE_SSHD
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=0}
PORT=2212
ABSENT4=198.51.100.77
GROUPS_WANT=00000110
LOG=$T/sshd.log
CASES=(crash1 crash2 crash1+crash2 unaligned crash1+unaligned zero huge
    truncated oversized multi "random 500" flood)

command -v cc >/dev/null || skip_all "no C compiler (cc) for the netlink sender"
cc -O1 -Wall -Wextra -o "$T/nl-send" "$TESTS/nl-send.c" ||
    { fail sender-build "cc failed"; finish; }
STRACE=1
command -v strace >/dev/null || STRACE=

# settled: no tentative IPv6 address left in the server namespace, so
# that the kernel sends no address notification of its own later.
settled() { [ -z "$(ip -n "$NS_S" -6 addr show tentative)" ]; }
wait_settled() {
	local i
	for ((i = 0; i < 50; i++)); do
		settled && return 0
		sleep 0.1
	done
	return 1
}

# watch_portid PID: the port id of PID's netlink socket in the address
# groups (t-10's netlink_groups, the Pid column).
watch_portid() {
	local pid=$1 inodes
	inodes=$(find "/proc/$pid/fd" -lname 'socket:*' -printf '%l\n' 2>/dev/null |
	    sed 's/socket:\[\(.*\)\]/\1/')
	[ -n "$inodes" ] || return 0
	# sk Eth Pid Groups Rmem Wmem Dump Locks Drops Inode
	awk -v list="$inodes" -v groups="$GROUPS_WANT" \
	    'BEGIN { n = split(list, a, "\n"); for (i = 1; i <= n; i++) want[a[i]] = 1 }
	    NR > 1 && $2 == 0 && $4 == groups && ($10 in want) { print $3 }' "/proc/$pid/net/netlink"
}

# watch_column N: column N of the watch socket's line ("gone" without it).
watch_column() {
	local f=/proc/$SSHD_PID/net/netlink
	[ -r "$f" ] || { echo gone; return; }
	awk -v p="$PORTID" -v c="$1" 'NR > 1 && $3 == p { print $c; f = 1 }
	    END { if (!f) print "gone" }' "$f"
}

# wait_drained: the watch socket's receive queue is empty, or gone.
wait_drained() {
	local i
	for ((i = 0; i < 100; i++)); do
		case $(watch_column 5) in 0 | gone) return 0 ;; esac
		sleep 0.1
	done
	return 1
}

# listener_alive: running and not a zombie.
listener_alive() {
	local st
	st=$(awk '{ print $3 }' "/proc/$SSHD_PID/stat" 2>/dev/null) || return 1
	[ -n "$st" ] && [ "$st" != Z ]
}

# bad_lines: log and stderr lines that tell of an error or a crash.
bad_lines() {
	cat "$LOG" "$T/sshd.stderr" 2>/dev/null |
	    grep -ciE 'fatal|error|segv|segfault|sanitizer|killed|abort' || true
}
# changes: "is now configured" / "is no longer configured" lines.
changes() { grep -cE 'is (now|no longer) configured' "$LOG" 2>/dev/null || true; }
# log_unchanged LINES ERRORS CHANGES: the datagrams made sshd log no line
# (LINES 0), and even after the login bad_lines and changes are still
# ERRORS and CHANGES.
log_unchanged() { [ "$1" -eq 0 ] && [ "$(bad_lines)" -eq "$2" ] && [ "$(changes)" -eq "$3" ]; }

STARTS=0
# start_listener: start sshd, wait for its three listeners, set PORTID.
start_listener() {
	STARTS=$((STARTS + 1))
	start_sshd "$T/sshd_config"
	wait_log "$LOG" "Server listening on" $((3 * STARTS)) || return 1
	PORTID=$(watch_portid "$SSHD_PID")
	[ -n "$PORTID" ]
}

# strace_start: trace the listener's bind() and recv calls into
# $T/strace.out until strace_stop, once it is attached.
STRACE_PID=
strace_start() {
	local i
	[ -n "$STRACE" ] || return 0
	rm -f "$T/strace.out"
	timeout 120 strace -f -q -p "$SSHD_PID" -e trace=bind,recvfrom,recvmsg,recvmmsg \
	    -o "$T/strace.out" 2>>"$T/strace.stderr" &
	STRACE_PID=$!
	PIDS+=("$STRACE_PID")
	for ((i = 0; i < 50; i++)); do
		[ "$(awk '$1 == "TracerPid:" { print $2 }' "/proc/$SSHD_PID/status" 2>/dev/null)" = 0 ] ||
		    return 0
		sleep 0.1
	done
	note "strace did not attach to $SSHD_PID"
}
strace_stop() {
	[ -n "$STRACE_PID" ] || return 0
	kill "$STRACE_PID" 2>/dev/null || true
	wait "$STRACE_PID" 2>/dev/null || true
	STRACE_PID=
}
# traced REGEX [RESULT]: how many of the listener's traced calls match
# REGEX (and, if given, have RESULT in their line).
# (RE goes through awk -v, which gawk unescapes: write "[(]", not "\\(".)
traced() {
	[ -f "$T/strace.out" ] || { echo 0; return; }
	awk -v p="$SSHD_PID" -v re="$1" -v res="${2:-}" \
	    '$1 == p && $2 ~ re && index($0, res) { n++ } END { print n + 0 }' "$T/strace.out"
}

# send_parts A[+B...] [COUNT]: run nl-send for each case of the list.
send_parts() {
	local part out parts
	IFS=+ read -r -a parts <<<"$1"
	shift
	for part in "${parts[@]}"; do
		if ! out=$(ip netns exec "$NS_S" "$T/nl-send" "$PORTID" "$part" "$@" 2>&1); then
			fail "$part-sent" "nl-send: $out"
		else
			note "$out"
		fi
	done
}

# listener_stop: SIGSTOP the listener and wait until it is stopped, so
# that what is sent next is queued and read in one go.
listener_stop() {
	local i
	kill -STOP "$SSHD_PID" 2>/dev/null || return 0
	for ((i = 0; i < 50; i++)); do
		case $(awk '{ print $3 }' "/proc/$SSHD_PID/stat" 2>/dev/null) in
		T | t) return 0 ;;
		esac
		sleep 0.1
	done
	note "the listener did not stop"
}

# hostile NAME [COUNT]: send case NAME, then check sshd survived it
# unchanged and without probing.  NAME A+B+...: the cases A, B, ... are
# queued while the listener is stopped, so that it reads them in one
# drain of the socket.
hostile() {
	local name=$1 errs0 chg0 lines0 lines binds reads rc
	shift
	errs0=$(bad_lines)
	chg0=$(changes)
	lines0=$(wc -l <"$LOG")
	strace_start
	if [[ $name == *+* ]]; then
		listener_stop
		send_parts "$name"
		kill -CONT "$SSHD_PID" 2>/dev/null || true
	else
		send_parts "$name" "$@"
	fi
	wait_drained || note "$name: the watch socket still holds $(watch_column 5) bytes after 10 s"
	sleep 0.5
	strace_stop
	lines=$(($(wc -l <"$LOG") - lines0))
	case $(watch_column 9) in 0 | gone) ;; *) note "$name: watch socket drops $(watch_column 9)" ;; esac
	if [ -n "$STRACE" ]; then
		binds=$(traced '^bind[(]')
		reads=$(traced '^recv(from|msg|mmsg)[(]')
		[ "$(traced '^recv' ENOBUFS)" -eq 0 ] || note "$name: the listener's recv failed with ENOBUFS"
		if [ "$reads" -eq 0 ]; then
			fail "$name-no-probe" "strace never saw the listener read the datagrams"
		else
			check "$name-no-probe" "the listener made $binds bind probes ($reads reads) for user datagrams" \
			    test "$binds" -eq 0
		fi
	fi
	if listener_alive; then
		pass "$name-alive"
		check "$name-login" "no login to $SERVER4 after '$name'" login_ok "$NS_C" "$SERVER4" "$PORT"
	else
		rc=0
		wait "$SSHD_PID" 2>/dev/null || rc=$?
		fail "$name-alive" "sshd died after '$name' (exit status $rc$( ((rc <= 128)) || printf ', %s' "$(kill -l "$rc")"))"
	fi
	check "$name-log-quiet" "'$name' made sshd log $lines lines ($(($(bad_lines) - errs0)) errors, $(($(changes) - chg0)) address changes): $(tail -n 1 "$LOG" | tr -d '\r')" \
	    log_unchanged "$lines" "$errs0" "$chg0"
	if ! listener_alive; then
		note "restarting sshd for the remaining cases"
		start_listener || { fail restart "sshd did not start again"; finish; }
	fi
}

ns_pair
addr_add "$SERVER4/24"
addr_add "$SERVER6/64"
wait_settled || note "tentative addresses remain: $(ip -n "$NS_S" -6 addr show tentative)"
sshd_config "$T/sshd_config"
cat >>"$T/sshd_config" <<EOF
Port $PORT
ListenAddress $SERVER4
ListenAddressNonlocal $SERVER6
ListenAddressNonlocal $ABSENT4
EOF

start_listener ||
    { fail listening "sshd did not start or has no address watch socket: $(tail -n 3 "$LOG")"; finish; }
note "listener $SSHD_PID, watch socket port id $PORTID"
check login-before "no login to $SERVER4" wait_login "$NS_C" "$SERVER4" "$PORT" 25
[ -n "$STRACE" ] || printf 'SKIP %s/*-no-probe%s: strace is not installed\n' "$T_NAME" "$TAG"

for c in "${CASES[@]}"; do
	# shellcheck disable=SC2086  # "random 500": the case and its count
	hostile $c
done

# Positive control: the kernel's own notification still works, and is
# seen by the same strace count.
strace_start
addr_add "$ABSENT4/24"
check kernel-notification "no 'non-local listen address $ABSENT4 is now configured'" \
    wait_log "$LOG" "non-local listen address $ABSENT4 is now configured"
sleep 0.5
strace_stop
if [ -n "$STRACE" ]; then
	check kernel-notification-probes "strace saw no bind probe for the kernel's notification" \
	    test "$(traced '^bind[(]')" -gt 0
fi
check login-added "no login to $ABSENT4" wait_login "$NS_C" "$ABSENT4" "$PORT" 25
check still-alive "sshd died" listener_alive
finish
