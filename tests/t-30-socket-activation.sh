#!/usr/bin/env bash
# Debian's socket activation: with Debian's systemd-socket-activation.patch
# sshd uses the listening sockets systemd passes (LISTEN_FDS, LISTEN_PID)
# and binds no ListenAddress.  The Debian-only
# systemd-socket-activation-nonlocal.patch (packaging/debian) makes it say
# so, once, naming every non-local listen address, and the address watch
# does not run for addresses sshd did not bind: no netlink socket, no
# "now configured" and no ListenAddressNonlocalWarnTime line.  The sockets
# come from sd-listen.c (bound with IP_FREEBIND, as systemd does with
# FreeBind=yes; systemd-socket-activate has no such option) and from
# systemd-socket-activate itself, and serve logins once the addresses
# appear.  A control run of the same configuration without passed sockets
# binds and watches the addresses itself.
#
# The sshd is built from Debian 12's tree with Debian's patches, the
# series and the Debian-only patches (packaging/debian/build --tree,
# reused when unchanged); NL_DEBIAN_SUITE=trixie takes Debian 13's tree
# instead (t-31); NL_DEBIAN_TREE=DIR runs another such build, e.g.
# WITH_DEBIAN_ONLY=no packaging/debian/build --tree (then the checks of
# the line fail).
set -eu
T_NAME='socket-activation'
. "$(dirname "$0")/lib.sh"
setup
TOP=${NL_TOP:-$(cd "$TESTS/.." && pwd)}
PORT4=2230
PORT6=2231
PORT_SSA=2232
TYPO4=198.51.100.99
RDOM4=198.51.100.12
RDOM=nlsa0
# The end of the line, after "ListenAddressNonlocal ADDR port PORT, ...".
IGNORED='ignored: sshd uses the sockets systemd passed (socket activation);'
IGNORED+=' use FreeBind=yes and ListenStream= in an ssh.socket drop-in instead.'

command -v cc >/dev/null || skip_all "no C compiler (cc) for sd-listen"
cc -O -Wall -o "$T/sd-listen" "$TESTS/sd-listen.c" || { fail sd-listen-build "cc failed"; finish; }
if [ -n "${NL_DEBIAN_TREE:-}" ]; then
	deb=$NL_DEBIAN_TREE
elif ! deb=$(SUITE=${NL_DEBIAN_SUITE:-bookworm} "$TOP/packaging/debian/build" --tree 2>"$T/tree.stderr"); then
	fail debian-tree "packaging/debian/build --tree failed: $(tail -n 1 "$T/tree.stderr")"
	finish
fi
[ -x "$deb/sshd" ] || { fail debian-tree "no sshd in $deb"; finish; }
grep -Eq '^#define (HAVE_SYSTEMD|SYSTEMD_SOCKET_ACTIVATION) 1' "$deb/config.h" ||
    { fail debian-tree "$deb was built without systemd support"; finish; }
SSHD=$deb/sshd
note "sshd from ${deb#"$TOP"/}"

# ignored_lines LOG: the lines of LOG saying the non-local ones are ignored.
ignored_lines() { tr -d '\r' <"$1" | grep -F -- "$IGNORED" || true; }
# stop_sshd: SIGTERM to the last sshd, bounded wait for it to go.
stop_sshd() {
	kill "$SSHD_PID" 2>/dev/null || true
	wait_for 5 proc_gone "$SSHD_PID" || kill -9 "$SSHD_PID" 2>/dev/null || true
}
# listening_on LOG ADDR PORT...: LOG has "Server listening on ADDR port
# PORT." for each pair.
listening_on() {
	local log=$1
	shift
	while [ $# -ge 2 ]; do
		log_has "$log" "Server listening on $1 port $2." || return 1
		shift 2
	done
}
# watched_once PID: PID holds exactly one netlink route socket, subscribed
# to the IPv4 and IPv6 address groups (the watch's).
watched_once() { [ "$(netlink_groups "$1" | tr '\n' ' ')" = "00000110 " ]; }
# port_listening NS PORT: something listens on TCP PORT in NS.
port_listening() {
	[ -n "$(ip netns exec "$1" ss -Hltn "sport = :$2" 2>/dev/null)" ]
}

ns_pair
# A routing domain is a device on Linux (a veth will do for the parser).
ip -n "$NS_S" link add "$RDOM" type veth peer name "${RDOM}p"
ip -n "$NS_S" link set "$RDOM" up
# tree_helpers: from 10.0p1 on the listener runs sshd-session (and
# sshd-auth) for each connection: the tree's, not the system's.
tree_helpers() {
	[ ! -x "$deb/sshd-session" ] || echo "SshdSessionPath $deb/sshd-session"
	[ ! -x "$deb/sshd-auth" ] || echo "SshdAuthPath $deb/sshd-auth"
}
sshd_config "$T/sshd_config"
tree_helpers >>"$T/sshd_config"
cat >>"$T/sshd_config" <<EOF
Port $PORT4
ListenAddressNonlocal $SERVER4
ListenAddress [$SERVER6]:$PORT6 nonlocal
ListenAddressNonlocal $TYPO4
ListenAddressNonlocal $RDOM4 rdomain $RDOM
ListenAddress 127.0.0.1
ListenAddressNonlocalWarnTime 1
EOF

# 1. Sockets bound with IP_FREEBIND before the addresses exist, passed as
#    fds 3 and 4 with LISTEN_FDS=2 and LISTEN_PID (sd-listen execs sshd,
#    which keeps its pid).
t0=$(now_ms)
ip netns exec "$NS_S" "$T/sd-listen" "$SERVER4" "$PORT4" "$SERVER6" "$PORT6" -- \
    "$SSHD" -D -f "$T/sshd_config" -E "$T/sd.log" 2>>"$T/sd.stderr" </dev/null &
SSHD_PID=$!
PIDS+=("$SSHD_PID")
if ! wait_log "$T/sd.log" "Server listening on" 2; then
	fail listening "sshd did not take the passed sockets: $(tail -n 2 "$T/sd.stderr" "$T/sd.log" 2>/dev/null | tr '\r\n' '  ')"
	finish
fi
check passed-sockets "no 'Server listening on $SERVER4 port $PORT4.' and '... $SERVER6 port $PORT6.'" \
    listening_on "$T/sd.log" "$SERVER4" "$PORT4" "$SERVER6" "$PORT6"
wait_log "$T/sd.log" "$IGNORED" 1 3 || true
line=$(ignored_lines "$T/sd.log")
check ignored-logged "no line ending '$IGNORED'" test -n "$line"
check ignored-once "the line was logged $(ignored_lines "$T/sd.log" | grep -c .) times" \
    test "$(ignored_lines "$T/sd.log" | grep -c .)" -eq 1
missing=
for a in "$SERVER4 port $PORT4" "$SERVER6 port $PORT6" "$TYPO4 port $PORT4" \
    "$RDOM4 port $PORT4 rdomain $RDOM"; do
	case " $line" in
	*" $a, "*|*" $a ignored: "*) ;;
	*) missing+=" '$a'" ;;
	esac
done
check ignored-names-all "the line does not name$missing: '$line'" test -z "$missing"
check ignored-only-nonlocal "the line names the plain 127.0.0.1: '$line'" \
    test "${line/127.0.0.1/}" = "$line"
check not-bound-by-sshd "sshd logged its own bind of a non-local address" \
    test "$(count_log "$T/sd.log" "is not configured yet")" -eq 0

addr_add "$SERVER4/24"
addr_add "$SERVER6/64"
check login-v4 "no login to $SERVER4 port $PORT4 (socket from sd-listen)" \
    wait_login "$NS_C" "$SERVER4" "$PORT4" 25
check login-v6 "no login to $SERVER6 port $PORT6 (socket from sd-listen)" \
    wait_login "$NS_C" "$SERVER6" "$PORT6" 25
# Logins served: the listener is in its accept loop, past the point where
# the watch would have opened its socket.
check no-netlink "the listener holds netlink route sockets (groups: $(netlink_groups "$SSHD_PID" | tr '\n' ' '))" \
    test -z "$(netlink_groups "$SSHD_PID")"
# ListenAddressNonlocalWarnTime 1: give the warning timer 2.5 s.
left=$((2500 - ($(now_ms) - t0)))
[ "$left" -le 0 ] || sleep "$(printf '%d.%03d' $((left / 1000)) $((left % 1000)))"
check no-warn-timer "a ListenAddressNonlocalWarnTime line for an address sshd did not bind" \
    test "$(count_log "$T/sd.log" "still not configured")" -eq 0
check no-watch "the watch logged: $(grep -F 'non-local listen address' "$T/sd.log" | head -n 1 | tr -d '\r')" \
    test "$(count_log "$T/sd.log" "non-local listen address")" -eq 0
check alive "sshd died: $(tail -n 1 "$T/sd.log" | tr -d '\r')" sshd_alive
check no-fatal "sshd logged a fatal error" test "$(count_log "$T/sd.log" fatal)" -eq 0
stop_sshd

# 2. The socket passed by systemd's own tool (it execs sshd at the first
#    connection attempt; an absent address it cannot bind, so 127.0.0.1).
if command -v systemd-socket-activate >/dev/null; then
	sshd_config "$T/ssa_config"
	tree_helpers >>"$T/ssa_config"
	printf '%s\n' "Port $PORT_SSA" "ListenAddressNonlocal $SERVER4" >>"$T/ssa_config"
	ip netns exec "$NS_S" systemd-socket-activate --listen="127.0.0.1:$PORT_SSA" \
	    "$SSHD" -D -f "$T/ssa_config" -E "$T/ssa.log" 2>>"$T/ssa.stderr" </dev/null &
	SSHD_PID=$!
	PIDS+=("$SSHD_PID")
	if wait_for 5 port_listening "$NS_S" "$PORT_SSA" &&
	    [ "$(tcp_connect "$NS_S" 127.0.0.1 "$PORT_SSA")" = connected ] &&
	    wait_log "$T/ssa.log" "Server listening on 127.0.0.1 port $PORT_SSA."; then
		check ssa-ignored-line "no line 'ListenAddressNonlocal $SERVER4 port $PORT_SSA $IGNORED': $(ignored_lines "$T/ssa.log")" \
		    wait_for 3 log_has "$T/ssa.log" "ListenAddressNonlocal $SERVER4 port $PORT_SSA $IGNORED"
		check ssa-ignored-once "the line was logged $(ignored_lines "$T/ssa.log" | grep -c .) times" \
		    test "$(ignored_lines "$T/ssa.log" | grep -c .)" -eq 1
		check ssa-login "no login to 127.0.0.1 port $PORT_SSA (socket from systemd-socket-activate)" \
		    wait_login "$NS_S" 127.0.0.1 "$PORT_SSA" 25
		check ssa-no-netlink "the listener holds netlink route sockets" \
		    test -z "$(netlink_groups "$SSHD_PID")"
	else
		fail ssa-listening "sshd under systemd-socket-activate did not start: $(tail -n 2 "$T/ssa.stderr" "$T/ssa.log" 2>/dev/null | tr '\r\n' '  ')"
	fi
	stop_sshd
else
	printf 'SKIP %s/systemd-socket-activate%s: not installed (Debian package systemd)\n' "$T_NAME" "$TAG"
fi

# 3. Control: the same configuration without passed sockets.  sshd binds
#    the non-local addresses itself and watches them (one netlink socket),
#    and says nothing about socket activation.
addr_del "$SERVER4/24"
start_sshd "$T/sshd_config" control
if wait_log "$T/control.log" "Server listening on 127.0.0.1 port $PORT4."; then
	check control-binds "the control sshd did not bind $SERVER4 itself" \
	    wait_log "$T/control.log" "Non-local listen address $SERVER4 port $PORT4 is not configured yet."
	check control-watches "the control sshd holds no netlink route socket subscribed to 0x110: '$(netlink_groups "$SSHD_PID" | tr '\n' ' ')'" \
	    wait_for 3 watched_once "$SSHD_PID"
	check control-not-ignored "the control sshd says its addresses are ignored" \
	    test -z "$(ignored_lines "$T/control.log")"
else
	fail control-listening "sshd without passed sockets did not start: $(tail -n 1 "$T/control.log" | tr -d '\r')"
fi
stop_sshd
finish
