#!/usr/bin/env bash
# t-13-route-socket: the BSD routing socket branch of the listener's
# address watch, run on Linux in the message layouts of OpenBSD, FreeBSD,
# NetBSD and macOS.  Each build (NL_ROUTE_OPENBSD ..., made by tests/run:
# no non-local option, no netlink, <net/route.h> from
# tests/bsd-route/LAYOUT) defers its non-local listeners and binds them
# when the address appears.  preload/routeshim.c turns sshd's
# socket(PF_ROUTE, SOCK_RAW, 0) into an AF_UNIX datagram socket and
# records its options, reads and bind() probes; rtmsg.c, compiled per
# layout, plays the kernel (and a hostile local user: on a BSD anyone can
# write to the routing socket, and everyone reads the echo of a failed
# request).
#
# Per layout: one routing socket, with OpenBSD's ROUTE_MSGFILTER (or
# SO_RERROR on FreeBSD and NetBSD, nothing on macOS); the backing-off
# timer while an address is absent; RTM_NEWADDR gets an added address
# logged and served at once; with every address present no timer runs,
# and malformed, foreign, failed-request and random messages cause no
# probe, while RTM_DESYNC (OpenBSD), RTM_CHGADDR (NetBSD),
# RTM_CHGADDRATTR (OpenBSD), RTM_NEWADDR, RTM_DELADDR and a read() failing
# with ENOBUFS each cause one probe of every address; removal and re-add
# are logged; an IPv6 address announced while still tentative is found
# by the timer once DAD ends (and on OpenBSD at once on RTM_CHGADDRATTR);
# after SIGHUP the watch works again.  OpenBSD also sets ROUTE_TABLEFILTER
# to RTABLE_ANY when a listener has an rdomain (a Linux VRF, or the veth
# where the kernel has no VRF).
#
# Run time: about 30 s per layout once the builds exist.
set -eu
T_NAME='route-socket'
. "$(dirname "$0")/lib.sh"

LAYOUTS=(openbsd freebsd netbsd macos)
declare -A OBJ=([openbsd]=${NL_ROUTE_OPENBSD:-} [freebsd]=${NL_ROUTE_FREEBSD:-}
    [netbsd]=${NL_ROUTE_NETBSD:-} [macos]=${NL_ROUTE_MACOS:-})
# SO_RERROR in each layout's <sys/socket.h> (tests/bsd-route); sshd sets it
# at glibc's SOL_SOCKET.
declare -A RERROR=([freebsd]=131072 [netbsd]=16384)
# Messages sshd takes as a hint in each layout, besides RTM_NEWADDR and
# RTM_DELADDR.
declare -A HINTS=([openbsd]="desync chgaddrattr" [netbsd]=chgaddr)
PF_ROUTE=16
SOL_SOCKET=1
ROUTE_MSGFILTER=1
ROUTE_TABLEFILTER=2
RTABLE_ANY=4294967295
# OpenBSD: ROUTE_FILTER() of RTM_NEWADDR 0xc, RTM_DELADDR 0xd, RTM_DESYNC
# 0x10 and RTM_CHGADDRATTR 0x14.
OPENBSD_FILTER=$(((1 << 0xc) | (1 << 0xd) | (1 << 0x10) | (1 << 0x14)))
IGNORED="errno badversion truncated short zero garbage=200 route ifinfo"
RDOMAIN_ADDR=198.51.100.30
VRF=nlvrf13
BASE_PORT=2230

# Under tests/run (NL_TOP set) a missing build is its build failure.
have=0
for l in "${LAYOUTS[@]}"; do
	if [ -n "${OBJ[$l]}" ]; then
		have=1
	elif [ -n "${NL_TOP:-}" ]; then
		fail "$l/build" "no route-$l build (see build/logs/tests/build-route-$l.err)"
	else
		printf 'SKIP %s/%s%s: NL_ROUTE_%s not set (tests/run builds it)\n' \
		    "$T_NAME" "$l" "$TAG" "${l^^}"
	fi
done
if [ $have = 0 ]; then
	[ -z "${NL_TOP:-}" ] || exit 1
	skip_all "no NL_ROUTE_* build set (tests/run builds them)"
fi
setup

msg() { printf 'non-local listen address %s is %s configured' "$1" "$2"; }
listening() { printf 'Server listening on %s port %s.' "$1" "$2"; }

# shim_count NAME REGEX: lines of the listener's (SSHD_PID) shim log
# matching "PID REGEX".
shim_count() {
	local n
	n=$(grep -cE "^$SSHD_PID $2" "$T/$1.shim" 2>/dev/null) || true
	echo "${n:-0}"
}
probes() { shim_count "$1" 'probe '; }
# datagrams the listener read (not EAGAIN or ENOBUFS)
reads() { shim_count "$1" 'route-read n=[0-9]+$'; }
at_least() { [ "$("$1" "$2")" -ge "$3" ]; }
has_shim() { [ "$(shim_count "$1" "$2")" -ge "${3:-1}" ]; }

# send NAME CASE...: rtmsg of NAME's layout plays the kernel.  A failure
# is the test's own; the checks that follow find what is missing.
send() {
	local name=$1
	shift
	timeout 40 ip netns exec "$NS_S" "$T/rtmsg-${name%%-*}" "$T/$name.sock" "$@" 2>>"$T/rtmsg.err" ||
	    fail "${name%%-*}/rtmsg" "rtmsg $* failed: $(tail -n 1 "$T/rtmsg.err")"
}

tentative() {
	ip -n "$NS_S" -6 addr show dev vs to "$1" | grep -q tentative
}
dad_ended() { ! tentative "$1"; }
sshd_gone() { ! kill -0 "$SSHD_PID" 2>/dev/null; }

# start_route LAYOUT NAME CONFIG: that build's sshd in the server
# namespace with the shim; log $T/NAME.log, shim log $T/NAME.shim.  env(1)
# loads the shim, not ip(8), whose netlink socket it would take.
start_route() {
	local l=$1 name=$2 cfg=$3
	ip netns exec "$NS_S" env LD_PRELOAD="$T/routeshim.so" \
	    ROUTESHIM_SOCK="$T/$name.sock" ROUTESHIM_LOG="$T/$name.shim" \
	    ROUTESHIM_RERROR="${RERROR[$l]:-}" \
	    "${OBJ[$l]}/sshd" -D -f "$cfg" -E "$T/$name.log" \
	    2>>"$T/$name.stderr" </dev/null &
	SSHD_PID=$!
	PIDS+=("$SSHD_PID")
}

stop_sshd() {
	kill "$SSHD_PID" 2>/dev/null || true
	wait_for 5 sshd_gone || kill -9 "$SSHD_PID" 2>/dev/null || true
}

# config FILE NAME LINE...: the common configuration, its own pid file.
config() {
	local f=$1 name=$2
	shift 2
	sshd_config "$f"
	sed -i -e "s|^PidFile .*|PidFile $T/$name.pid|" \
	    -e 's/^LogLevel INFO$/LogLevel VERBOSE/' "$f"
	printf '%s\n' "$@" >>"$f"
}

# timer_lull NAME: return just after a timed probe batch that came 3.8 s
# or more after the one before: the timer backs off (1 s doubling to
# 10 s), so the next one is as far away.  Fails after 25 s without.
timer_lull() {
	local name=$1 n last t prev=0 i
	last=$(probes "$name")
	for ((i = 0; i < 250; i++)); do
		sleep 0.1
		n=$(probes "$name")
		[ "$n" -ne "$last" ] || continue
		last=$n
		t=$(now_ms)
		[ "$prev" -eq 0 ] || [ $((t - prev)) -lt 3800 ] || return 0
		prev=$t
	done
	return 1
}

# check_options L NAME: the routing socket and the options sshd set on it.
check_options() {
	local l=$1 name=$2 n
	n=$(shim_count "$name" 'route-socket ')
	check "$l/one-route-socket" "the listener opened $n routing sockets" test "$n" -eq 1
	check "$l/watching" "'$(grep -m1 -F 'Cannot watch' "$T/$name.log" | tr -d '\r')'" \
	    test "$(count_log "$T/$name.log" "Cannot watch for address changes")" -eq 0
	case $l in
	openbsd)
		check "$l/msgfilter" "no ROUTE_MSGFILTER $OPENBSD_FILTER: $(grep -F route-setsockopt "$T/$name.shim" | tr '\n' ';')" \
		    has_shim "$name" "route-setsockopt level=$PF_ROUTE opt=$ROUTE_MSGFILTER value=$OPENBSD_FILTER\$"
		check "$l/no-tablefilter-without-rdomain" "ROUTE_TABLEFILTER set without an rdomain listener" \
		    test "$(shim_count "$name" "route-setsockopt level=$PF_ROUTE opt=$ROUTE_TABLEFILTER ")" -eq 0
		;;
	freebsd|netbsd)
		check "$l/so-rerror" "no SO_RERROR ${RERROR[$l]}: $(grep -F route-setsockopt "$T/$name.shim" | tr '\n' ';')" \
		    has_shim "$name" "route-setsockopt level=$SOL_SOCKET opt=${RERROR[$l]} value=1\$"
		check "$l/no-route-level-option" "an option at level PF_ROUTE was set" \
		    test "$(shim_count "$name" "route-setsockopt level=$PF_ROUTE ")" -eq 0
		;;
	macos)
		check "$l/no-socket-options" "options set: $(grep -F route-setsockopt "$T/$name.shim" | tr '\n' ';')" \
		    test "$(shim_count "$name" 'route-setsockopt ')" -eq 0
		;;
	esac
}

# expect_ignored L NAME CASE: CASE is read and causes no probe.
expect_ignored() {
	local l=$1 name=$2 c=$3 k=1 r0 p0
	case $c in garbage=*) k=${c#garbage=} ;; esac
	r0=$(reads "$name")
	p0=$(probes "$name")
	send "$name" "$c"
	if ! wait_for 10 at_least reads "$name" $((r0 + k)); then
		fail "$l/ignored-${c%=*}" "sshd read $(($(reads "$name") - r0)) of $k datagrams"
		return
	fi
	sleep 0.3
	check "$l/ignored-${c%=*}" "$c caused $(($(probes "$name") - p0)) probes" \
	    test "$(probes "$name")" -eq "$p0"
}

# expect_hint L NAME CASE [CHECK]: CASE causes one probe of each of the
# 2 addresses.
expect_hint() {
	local l=$1 name=$2 c=$3 what=${4:-hint-$3} p0
	p0=$(probes "$name")
	send "$name" "$c"
	wait_for 5 at_least probes "$name" $((p0 + 2)) || true
	sleep 0.3
	check "$l/$what" "$c caused $(($(probes "$name") - p0)) probes, want 2" \
	    test "$(probes "$name")" -eq $((p0 + 2))
}

# dad L NAME PORT HOW: SERVER6 removed, added again with duplicate address
# detection and announced while tentative; then nothing (HOW "timer"), or
# RTM_CHGADDRATTR when DAD has ended (HOW "chgaddrattr", OpenBSD).
dad() {
	local l=$1 name=$2 port=$3 how=$4 log=$T/$2.log n gone p0
	n=$(count_log "$log" "$(msg "$SERVER6" now)")
	gone=$(count_log "$log" "$(msg "$SERVER6" "no longer")")
	addr_del "$SERVER6/64"
	send "$name" deladdr
	wait_log "$log" "$(msg "$SERVER6" "no longer")" $((gone + 1)) 5 || true
	ip netns exec "$NS_S" sysctl -qw net.ipv6.conf.vs.accept_dad=1
	ip -n "$NS_S" addr add "$SERVER6/64" dev vs
	if ! tentative "$SERVER6"; then
		printf 'SKIP %s/%s/dad-%s%s: %s was not tentative after ip addr add\n' \
		    "$T_NAME" "$l" "$how" "$TAG" "$SERVER6"
		return
	fi
	send "$name" newaddr
	sleep 0.3
	if tentative "$SERVER6"; then
		check "$l/dad-$how-not-while-tentative" "logged as configured while tentative" \
		    test "$(count_log "$log" "$(msg "$SERVER6" now)")" -eq "$n"
	fi
	if [ "$how" = chgaddrattr ]; then
		wait_for 10 dad_ended "$SERVER6" || true
		p0=$(probes "$name")
		send "$name" chgaddrattr
		check "$l/dad-chgaddrattr-hint" "RTM_CHGADDRATTR caused no probe" \
		    wait_for 2 at_least probes "$name" $((p0 + 2))
		check "$l/dad-chgaddrattr-configured" "no '$(msg "$SERVER6" now)' 2 s after DAD ended" \
		    wait_log "$log" "$(msg "$SERVER6" now)" $((n + 1)) 2
	else
		check "$l/dad-timer-configured" "no '$(msg "$SERVER6" now)' within 15 s" \
		    wait_log "$log" "$(msg "$SERVER6" now)" $((n + 1)) 15
	fi
	check "$l/dad-$how-not-tentative-when-logged" "$SERVER6 was still tentative when logged" \
	    dad_ended "$SERVER6"
	check "$l/dad-$how-login" "no login to $SERVER6 after DAD" \
	    wait_login "$NS_C" "$SERVER6" "$port" 25
}

# layout L PORT: the whole story with one layout's build.
layout() {
	local l=$1 port=$2 name=$1-main log=$T/$1-main.log a c p0 n
	config "$T/$name.conf" "$name" "Port $port" \
	    "ListenAddressNonlocal $SERVER4" "ListenAddressNonlocal $SERVER6"
	start_route "$l" "$name" "$T/$name.conf"
	if ! wait_log "$log" "Bind to port $port on $SERVER6 deferred" 1 10 ||
	    ! wait_for 5 has_shim "$name" 'route-socket '; then
		fail "$l/starts" "sshd did not start: $(tail -n 2 "$log" | tr -d '\r')"
		stop_sshd
		return
	fi
	pass "$l/starts"
	sleep 0.5
	check_options "$l" "$name"

	# (b) RTM_NEWADDR for an added address: logged and served at once,
	# well before the next timed check.
	check "$l/timer-backs-off" "no timed probes 4 s apart while addresses are absent" \
	    timer_lull "$name"
	addr_add "$SERVER4/24"
	send "$name" newaddr
	check "$l/newaddr-configured" "no '$(msg "$SERVER4" now)' within 2 s of RTM_NEWADDR" \
	    wait_log "$log" "$(msg "$SERVER4" now)" 1 2
	check "$l/newaddr-bound" "no '$(listening "$SERVER4" "$port")'" \
	    wait_log "$log" "$(listening "$SERVER4" "$port")" 1 5
	check "$l/newaddr-login" "no login to $SERVER4" wait_login "$NS_C" "$SERVER4" "$port" 25

	# (c) every address present: no timer, and nothing but a notification
	# of the right kind makes the listener look.
	addr_add "$SERVER6/64"
	send "$name" newaddr
	check "$l/newaddr-configured-v6" "no '$(msg "$SERVER6" now)' within 2 s of RTM_NEWADDR" \
	    wait_log "$log" "$(msg "$SERVER6" now)" 1 2
	check "$l/newaddr-login-v6" "no login to $SERVER6" wait_login "$NS_C" "$SERVER6" "$port" 25
	p0=$(probes "$name")
	sleep 3
	check "$l/no-timer-when-present" "$(($(probes "$name") - p0)) probes in 3 s with every address present" \
	    test "$(probes "$name")" -eq "$p0"
	for c in $IGNORED; do
		expect_ignored "$l" "$name" "$c"
	done
	check "$l/alive-after-hostile" "sshd exited: $(tail -n 1 "$log" | tr -d '\r')" sshd_alive
	for a in "$SERVER4" "$SERVER6"; do
		n=$(count_log "$log" "$(msg "$a" now)")
		check "$l/configured-once-$a" "'$(msg "$a" now)' logged $n times" test "$n" -eq 1
	done

	# (d) the messages that are hints, and lost messages.
	for c in enobufs ${HINTS[$l]:-} newaddr deladdr; do
		expect_hint "$l" "$name" "$c"
	done

	# (e) removed and re-added.
	addr_del "$SERVER4/24"
	send "$name" deladdr
	check "$l/deladdr-logged" "no '$(msg "$SERVER4" "no longer")' within 2 s of RTM_DELADDR" \
	    wait_log "$log" "$(msg "$SERVER4" "no longer")" 1 2
	sleep 0.5
	n=$(count_log "$log" "$(msg "$SERVER4" "no longer")")
	check "$l/deladdr-once" "'$(msg "$SERVER4" "no longer")' logged $n times" test "$n" -eq 1
	addr_add "$SERVER4/24"
	send "$name" newaddr
	check "$l/readded-logged" "'$(msg "$SERVER4" now)' not logged a second time" \
	    wait_log "$log" "$(msg "$SERVER4" now)" 2 2
	check "$l/readded-login" "no login to $SERVER4 after the re-add" \
	    wait_login "$NS_C" "$SERVER4" "$port" 25
	n=$(count_log "$log" "$(listening "$SERVER4" "$port")")
	check "$l/bound-once" "$SERVER4 bound $n times" test "$n" -eq 1

	# (f) duplicate address detection.
	dad "$l" "$name" "$port" timer
	[ "$l" != openbsd ] || dad "$l" "$name" "$port" chgaddrattr

	# After SIGHUP the re-executed listener opens the socket again.
	kill -HUP "$SSHD_PID"
	if wait_for 10 has_shim "$name" 'route-socket ' 2 &&
	    wait_log "$log" "$(listening "$SERVER6" "$port")" 2 10; then
		sleep 1
		expect_hint "$l" "$name" enobufs hint-after-sighup
	else
		fail "$l/hint-after-sighup" "no second routing socket after SIGHUP: $(tail -n 1 "$log" | tr -d '\r')"
	fi
	check "$l/no-fatal" "fatal in the log" test "$(count_log "$log" fatal)" -eq 0
	check "$l/alive" "sshd exited" sshd_alive
	stop_sshd
	addr_del "$SERVER4/24" 2>/dev/null || true
	addr_del "$SERVER6/64" 2>/dev/null || true
}

# (g) OpenBSD: a listener in an rdomain makes the watch listen on every
# routing table.  Linux's rdomains are VRF devices; sshd takes any
# interface name (SO_BINDTODEVICE), so without VRF in the kernel the
# veth stands in.
rdomain_tablefilter() {
	local port=$1 name=openbsd-rdomain dev=$VRF err
	if ! err=$({ ip -n "$NS_S" link add "$VRF" type vrf table 10 &&
	    ip -n "$NS_S" link set "$VRF" up; } 2>&1); then
		printf 'SKIP %s/openbsd/rdomain-vrf%s: no VRF device (%s); rdomain vs instead\n' \
		    "$T_NAME" "$TAG" "$err"
		dev=vs
	fi
	config "$T/$name.conf" "$name" "Port $port" \
	    "ListenAddressNonlocal $RDOMAIN_ADDR rdomain $dev"
	start_route openbsd "$name" "$T/$name.conf"
	if wait_for 10 has_shim "$name" 'route-socket '; then
		sleep 0.5
		check openbsd/rdomain-tablefilter "no ROUTE_TABLEFILTER $RTABLE_ANY: $(grep -F route-setsockopt "$T/$name.shim" | tr '\n' ';')" \
		    has_shim "$name" "route-setsockopt level=$PF_ROUTE opt=$ROUTE_TABLEFILTER value=$RTABLE_ANY\$"
		check openbsd/rdomain-msgfilter "no ROUTE_MSGFILTER with an rdomain listener" \
		    has_shim "$name" "route-setsockopt level=$PF_ROUTE opt=$ROUTE_MSGFILTER value=$OPENBSD_FILTER\$"
		check openbsd/rdomain-probe "no probe of $RDOMAIN_ADDR in rdomain $dev" \
		    has_shim "$name" "probe family=inet addr=$RDOMAIN_ADDR ret=-1 errno=99\$"
	else
		fail openbsd/rdomain-tablefilter "no routing socket: $(tail -n 2 "$T/$name.log" | tr -d '\r')"
	fi
	stop_sshd
}

if ! cc -shared -fPIC -Wall -Wextra -o "$T/routeshim.so" \
    "$TESTS/preload/routeshim.c" -ldl 2>"$T/cc.err"; then
	fail shim-builds "$(head -n 1 "$T/cc.err")"
	finish
fi
ns_pair
i=0
for l in "${LAYOUTS[@]}"; do
	i=$((i + 1))
	[ -n "${OBJ[$l]}" ] || continue
	if ! cc -Wall -Wextra -I"$TESTS/bsd-route/$l" -o "$T/rtmsg-$l" \
	    "$TESTS/rtmsg.c" 2>"$T/cc.err"; then
		fail "$l/rtmsg-builds" "$(head -n 1 "$T/cc.err")"
		continue
	fi
	note "$l: $("$T/rtmsg-$l" /dev/null info)"
	layout "$l" $((BASE_PORT + i))
	[ "$l" != openbsd ] || rdomain_tablefilter $((BASE_PORT + 9))
done
finish
