#!/usr/bin/env bash
# t-80-platforms: the FreeBSD, old-FreeBSD, OpenBSD and "no option" branches
# of the series, proven on Linux.  Each branch is a build of the patched
# tree with configure steered to it (cache variables, and the foreign
# constants' real values on CPPFLAGS); the recorder in tests/preload logs
# every socket option sshd sets and turns the foreign non-local option into
# IP_FREEBIND so that the bind really succeeds.  In a private network
# namespace each build must ask for exactly its platform's option on its
# non-local listeners and nothing on the plain ones, log the two lines, and
# let a key-based ssh login in once the address exists.  With the option
# refused (EPERM), sshd names the listener, skips it and keeps serving.
# Where the platform has no option (the build without any, and IPv6 on old
# FreeBSD), the directive is accepted and the bind is deferred until the
# address appears (tests/t-11-deferred.sh covers that path end to end).
# A Linux build on a kernel older than its headers (IPV6_FREEBIND failing
# with ENOPROTOOPT) falls back to IP_FREEBIND.  The BSD routing socket
# branch of the address watch is compiled against every BSD layout of
# <net/route.h> (tests/bsd-route); t-13 runs it.
#
# Run time: about 6 s once the five builds exist (scripts/build reuses
# them); each missing one costs 1 to 4 minutes on 2 cores.
#
# NL_PATCHED: build dir of the normal patched 9.2p1 (else built here).
# "--build BRANCH" only prints the build dir of one branch (linux, freebsd,
# freebsd-old, openbsd, nooption), building it if needed.
# Prints one PASS/FAIL/SKIP line per check; exit 1 if any failed.
set -eu

TOP=$(cd "$(dirname "$0")/.." && pwd)
BASE=${NL_BASE:-9.2p1}
PORT=2222
V4=198.51.100.7
V6=2001:db8::7
V4_SUFFIX=198.51.100.9
# Plain listeners on absent addresses: their first bind fails, so only they
# show that a plain listener never gets the non-local retry.
PLAIN4=198.51.100.8
PLAIN6=2001:db8::8

# The constants, as the platforms' headers define them: FreeBSD
# netinet/in.h IP_BINDANY 24, netinet6/in6.h IPV6_BINDANY 64; FreeBSD 7's
# IP_NONLOCALOK 24 (IPv4 only; IP_BINDANY later took its number); OpenBSD
# sys/socket.h SO_BINDANY 0x1000 (at SOL_SOCKET, Linux's value here).
# misc.c selects SO_BINDANY under __OpenBSD__ as OpenBSD's own tree has
# it, so the OpenBSD build compiles misc.c alone that way (tests/openbsd-cc);
# there, as on OpenBSD, sock_set_v6only() sets nothing (IPv6 sockets are
# always IPv6-only).
NO_LINUX=(ac_cv_have_decl_IP_FREEBIND=no ac_cv_have_decl_IPV6_FREEBIND=no)
declare -A CONFIGURE=(
	[freebsd]="CPPFLAGS=-DIP_BINDANY=24 -DIPV6_BINDANY=64"
	[freebsd-old]="CPPFLAGS=-DIP_NONLOCALOK=24"
	[openbsd]=""
	[nooption]=""
)
# LEVEL:OPTION=VALUE sshd must set on a non-local IPv4 / IPv6 listener
# ("" = the platform has none for that family).
declare -A WANT4=([linux]="0:15=1" [freebsd]="0:24=1" [freebsd-old]="0:24=1"
    [openbsd]="1:4096=1")
declare -A WANT6=([linux]="41:78=1" [freebsd]="41:64=1" [freebsd-old]=""
    [openbsd]="1:4096=1")
# IPV6_V6ONLY as sock_set_v6only() sets it ("" where it sets nothing).
declare -A V6ONLY=([linux]="41:26=1 " [freebsd]="41:26=1 "
    [freebsd-old]="41:26=1 " [openbsd]="")
# The privilege the EPERM message names.
declare -A PRIV=([freebsd]=PRIV_NETINET_BINDANY [openbsd]=root)
# Every non-local option of every branch: none may appear on a plain listener.
ALL_NONLOCAL="0:15 41:78 0:24 41:64 1:4096"

failed=0
pass() { printf 'PASS platforms/%s\n' "$1"; }
fail() { printf 'FAIL platforms/%s: %s\n' "$1" "$2"; failed=1; }
skip() { printf 'SKIP platforms/%s: %s\n' "$1" "$2"; }

# ---------------------------------------------------------------- outside

# build_variant NAME: print the build dir of the patched tree for NAME
# (with FROM_TREE=1, of build/src/BASE's HEAD, in folders of its own).
build_variant() {
	local name=$1 extra prefix=
	[ "${FROM_TREE:-0}" != 1 ] || prefix=tree
	if [ "$name" = linux ]; then
		if [ -n "${NL_PATCHED:-}" ]; then
			printf '%s\n' "$NL_PATCHED"
		else
			"$TOP/scripts/build" "$BASE" patched
		fi
		return
	fi
	extra=${CONFIGURE[$name]}
	if [ "$name" = openbsd ]; then
		NL_REAL_CC=${CC:-cc} CC="$TOP/tests/openbsd-cc" \
		    "$TOP/scripts/build" "$BASE" "$prefix$name" "${NO_LINUX[@]}"
	elif [ -n "$extra" ]; then
		"$TOP/scripts/build" "$BASE" "$prefix$name" "${NO_LINUX[@]}" "$extra"
	else
		"$TOP/scripts/build" "$BASE" "$prefix$name" "${NO_LINUX[@]}"
	fi
}

# check_nooption OBJ: the directive is accepted in every form, from the
# file and from the command line (the bind is deferred at run time).
check_nooption() {
	local obj=$1 cfg=$WORK/nooption.conf
	write_base_config "$cfg" nooption
	expect_accepted "$obj" "$cfg" "" nooption/plain-config-accepted
	expect_accepted "$obj" "$cfg" "ListenAddressNonlocal $V4" \
	    nooption/directive-accepted
	expect_accepted "$obj" "$cfg" "ListenAddress $V4_SUFFIX:$PORT nonlocal" \
	    nooption/suffix-accepted
	expect_accepted "$obj" "$cfg" "ListenAddressNonlocal [$V6]:$PORT" \
	    nooption/ipv6-accepted
	if "$obj/sshd" -t -f "$cfg" -o "ListenAddressNonlocal $V4" >"$WORK/t.out" 2>&1; then
		pass "nooption/option-accepted"
	else
		fail "nooption/option-accepted" "$(head -n 1 "$WORK/t.out")"
	fi
}

# expect_accepted OBJ BASECFG LINE NAME: sshd -t on BASECFG plus LINE
# exits 0.
expect_accepted() {
	local obj=$1 base=$2 line=$3 name=$4 cfg=$WORK/t.conf
	cp "$base" "$cfg"
	[ -z "$line" ] || printf '%s\n' "$line" >>"$cfg"
	if "$obj/sshd" -t -f "$cfg" >"$WORK/t.out" 2>&1; then
		pass "$name"
	else
		fail "$name" "$(head -n 1 "$WORK/t.out")"
	fi
}

# check_routesock: the BSD routing socket branch of the address watch
# (nonlocal.c) compiles with gcc and clang -Wall -Wextra without a warning
# against every system's <net/route.h> layout in tests/bsd-route, in that
# layout's build (tests/run makes them; t-13 runs them).
check_routesock() {
	local layout var obj cc out
	for layout in openbsd freebsd netbsd macos; do
		var=NL_ROUTE_${layout^^}
		obj=${!var:-}
		if [ -z "$obj" ] || [ ! -f "$obj/config.h" ]; then
			fail "routesock/$layout" "no $layout routing socket build (tests/run makes it)"
			continue
		fi
		for cc in gcc clang; do
			if ! command -v "$cc" >/dev/null; then
				skip "routesock/$layout/$cc" "$cc is not installed"
				continue
			fi
			if ! out=$("$cc" -I"$TOP/tests/bsd-route/$layout" -I"$obj" \
			    -DHAVE_CONFIG_H -Wall -Wextra -c "$obj/nonlocal.c" \
			    -o "$WORK/nonlocal-$layout.o" 2>&1); then
				fail "routesock/$layout/$cc" "nonlocal.c does not compile: $(grep -m1 error <<<"$out")"
			elif [ -n "$out" ]; then
				fail "routesock/$layout/$cc" "warning: $(grep -m1 warning <<<"$out")"
			elif ! "$cc" -I"$TOP/tests/bsd-route/$layout" -I"$obj" -DHAVE_CONFIG_H -E \
			    "$obj/nonlocal.c" 2>/dev/null | grep -qF 'u.rtm.rtm_version != '; then
				fail "routesock/$layout/$cc" "the routing socket branch was not the one compiled"
			else
				pass "routesock/$layout/$cc"
			fi
		done
	done
}

# check_nooption_regress OBJ: the series' regress test on that build runs
# to its end (its sshd, whose only listener is deferred, starts) and passes.
check_nooption_regress() {
	local obj=$1 out log want="bind absent addresses"
	out=$(TEST_SSH_PORT=4380 REGRESS_TIMEOUT=300 "$TOP/scripts/regress" "$obj" nonlocal 2>&1) || true
	log=$TOP/build/logs/regress-$(basename "$obj")-nonlocal.log
	if grep -q "^PASS regress/nonlocal " <<<"$out" && grep -qxF "$want" "$log" &&
	    ! grep -q "^SKIPPED" "$log"; then
		pass "nooption/regress-deferred-path"
	else
		fail "nooption/regress-deferred-path" "$(grep -m1 . <<<"$out") (log: ${log#"$TOP"/})"
	fi
}

# write_base_config FILE TAG: an sshd_config with host key, pid file and
# key login for root, and no listener.
write_base_config() {
	local cfg=$1 tag=$2
	cat >"$cfg" <<EOF
HostKey $WORK/host_ed25519
PidFile $WORK/sshd-$tag.pid
UsePAM no
StrictModes no
PermitRootLogin prohibit-password
AuthorizedKeysFile $WORK/authorized_keys
LogLevel INFO
EOF
}

make_keys() {
	local obj=$1
	"$obj/ssh-keygen" -q -t ed25519 -N '' -C host -f "$WORK/host_ed25519"
	"$obj/ssh-keygen" -q -t ed25519 -N '' -C user -f "$WORK/user_ed25519"
	cp "$WORK/user_ed25519.pub" "$WORK/authorized_keys"
}

# shellcheck disable=SC2317 # called by the EXIT trap
cleanup_outside() {
	rm -rf "$WORK"
}

outside() {
	local v obj
	local -A objs=()
	WORK=$(mktemp -d "${TMPDIR:-/tmp}/t-80.XXXXXX")
	export WORK
	trap cleanup_outside EXIT
	if [ "$(id -u)" -ne 0 ] || ! unshare -n true 2>/dev/null; then
		skip "all" "needs root and network namespaces (unshare -n)"
		exit 0
	fi
	if ! cc -shared -fPIC -Wall -Wextra -o "$WORK/sockrec.so" \
	    "$TOP/tests/preload/sockrec.c" -ldl 2>"$WORK/cc.err"; then
		fail "recorder-builds" "$(head -n 1 "$WORK/cc.err")"
		exit 1
	fi
	for v in linux freebsd freebsd-old openbsd nooption; do
		if obj=$(build_variant "$v" 2>"$WORK/build.err"); then
			objs[$v]=$obj
			pass "$v/builds"
		else
			fail "$v/builds" "$(tail -n 1 "$WORK/build.err")"
		fi
	done
	[ -n "${objs[linux]:-}" ] || exit 1
	make_keys "${objs[linux]}"
	if [ -n "${objs[nooption]:-}" ]; then
		check_nooption "${objs[nooption]}"
	fi
	if [ -n "${NL_TOP:-}" ]; then
		check_routesock
	else
		skip routesock "NL_ROUTE_* not set (tests/run builds them)"
	fi
	export OBJ_LINUX=${objs[linux]:-} OBJ_FREEBSD=${objs[freebsd]:-}
	export OBJ_FREEBSD_OLD=${objs[freebsd-old]:-} OBJ_OPENBSD=${objs[openbsd]:-}
	unshare -n -- "$BASH" "$0" --in-netns || failed=1
	if [ -n "${objs[nooption]:-}" ]; then
		check_nooption_regress "${objs[nooption]}"
	fi
	exit $failed
}

# ------------------------------------------------------- inside the netns

# The one sshd running at a time (its pid), stopped by stop_sshd or the trap.
SSHD_PID=
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup_inside() {
	stop_sshd
}

# start_sshd TAG OBJ CFG [ENV...]: start sshd -D with the recorder; wait
# (bounded) until it wrote its pid file.  Returns 1 if it exited instead.
start_sshd() {
	local tag=$1 obj=$2 cfg=$3
	shift 3
	rm -f "$WORK/sshd-$tag.pid" "$WORK/sshd-$tag.log" "$WORK/rec-$tag.log"
	env "$@" LD_PRELOAD="$WORK/sockrec.so" SOCKREC_LOG="$WORK/rec-$tag.log" \
	    "$obj/sshd" -D -f "$cfg" -E "$WORK/sshd-$tag.log" &
	SSHD_PID=$!
	echo "$SSHD_PID" >"$WORK/listener-$tag"
	for _ in $(seq 1 100); do
		[ -s "$WORK/sshd-$tag.pid" ] && return 0
		kill -0 "$SSHD_PID" 2>/dev/null || break
		sleep 0.1
	done
	stop_sshd
	return 1
}

stop_sshd() {
	[ -n "$SSHD_PID" ] || return 0
	kill "$SSHD_PID" 2>/dev/null || true
	wait "$SSHD_PID" 2>/dev/null || true
	SSHD_PID=
}

# calls TAG ADDR: what the listener process did to the socket it finally
# bound to ADDR:PORT (or, if none got bound, to the last one it tried), in
# order: "LEVEL:OPT=VALUE" for each option set and "bind:ERRNO" for each
# bind ("-" when no socket tried ADDR:PORT).
calls() {
	local tag=$1 addr=$2 pid
	pid=$(cat "$WORK/listener-$tag")
	awk -v pid="$pid" -v addr="addr=$addr" -v port="port=$PORT" '
	$1 != pid { next }
	function field(name,   i) {
		for (i = 3; i <= NF; i++)
			if (index($i, name "=") == 1)
				return substr($i, length(name) + 2)
		return ""
	}
	$2 == "socket" { seq[field("fd")] = ""; next }
	$2 == "setsockopt" {
		fd = field("fd")
		seq[fd] = seq[fd] " " field("level") ":" field("opt") "=" field("value")
		next
	}
	$2 == "bind" && $5 == addr && $6 == port {
		fd = field("fd")
		seq[fd] = seq[fd] " bind:" field("errno")
		if (field("ret") == "0" || !bound) { out = seq[fd]; found = 1 }
		if (field("ret") == "0") bound = 1
	}
	END { if (found) print substr(out, 2); else print "-" }
	' "$WORK/rec-$tag.log"
}

# expect_calls TAG ADDR WANT NAME
expect_calls() {
	local got
	got=$(calls "$1" "$2")
	if [ "$got" = "$3" ]; then
		pass "$4"
	else
		fail "$4" "listener $2: calls '$got', want '$3'"
	fi
}

# log_text TAG: sshd's log (-E writes CRLF line ends).
log_text() {
	tr -d '\r' <"$WORK/sshd-$1.log" 2>/dev/null || true
}

# expect_log TAG NAME LINE...: each LINE is in the log, exactly once.
expect_log() {
	local tag=$1 name=$2 line n
	shift 2
	for line in "$@"; do
		n=$(log_text "$tag" | grep -cxF -- "$line" || true)
		if [ "$n" != 1 ]; then
			fail "$name" "log has '$line' $n times, want 1"
			return
		fi
	done
	pass "$name"
}

expect_no_log() {
	local tag=$1 name=$2 text=$3
	if log_text "$tag" | grep -qF -- "$text"; then
		fail "$name" "log unexpectedly has '$(log_text "$tag" | grep -m1 -F -- "$text")'"
	else
		pass "$name"
	fi
}

# wait_listening TAG ADDR NAME: the deferred listener on ADDR is bound
# (its "Server listening" line appears within 10 s).
wait_listening() {
	local i
	for ((i = 0; i < 100; i++)); do
		if log_text "$1" | grep -qxF "Server listening on $2 port $PORT."; then
			pass "$3"
			return
		fi
		sleep 0.1
	done
	fail "$3" "no 'Server listening on $2 port $PORT.' within 10 s"
}

# expect_login OBJ ADDR NAME: a key-based login to ADDR runs a command.
expect_login() {
	local obj=$1 addr=$2 name=$3 out rc=0
	out=$(timeout 30 "$obj/ssh" -F /dev/null -i "$WORK/user_ed25519" \
	    -o UserKnownHostsFile=/dev/null -o StrictHostKeyChecking=no \
	    -o BatchMode=yes -o ConnectTimeout=5 -o LogLevel=ERROR \
	    -p "$PORT" "root@$addr" "echo login-ok-\$((6 * 7))" 2>&1) || rc=$?
	if [ $rc -eq 0 ] && [ "$out" = "login-ok-42" ]; then
		pass "$name"
	else
		fail "$name" "ssh to $addr port $PORT: exit $rc: $(head -n 1 <<<"$out")"
	fi
}

# no_nonlocal_calls TAG ADDR NAME: the plain listener on ADDR got none of
# the non-local options of any branch.
no_nonlocal_calls() {
	local tag=$1 addr=$2 name=$3 got o
	got=$(calls "$tag" "$addr")
	for o in $ALL_NONLOCAL; do
		case " $got" in
		*" $o="*) fail "$name" "plain listener $addr got $o ($got)"; return ;;
		esac
	done
	case $got in
	-) fail "$name" "plain listener $addr was not bound" ;;
	*) pass "$name" ;;
	esac
}

# listener_config FILE TAG [V4 V6]: the test's listeners: non-local v4
# (long form) and v6 (suffix form), plain 127.0.0.1 and ::1.
listener_config() {
	local cfg=$1 tag=$2
	write_base_config "$cfg" "$tag"
	cat >>"$cfg" <<EOF
Port $PORT
ListenAddressNonlocal $V4
ListenAddress [$V6]:$PORT nonlocal
ListenAddress 127.0.0.1
ListenAddress [::1]:$PORT
ListenAddress $PLAIN4
ListenAddress [$PLAIN6]:$PORT
EOF
}

# nonlocal_list V: the SOCKREC_NONLOCAL list of a branch.
nonlocal_list() {
	local v=$1 l=""
	[ -z "${WANT4[$v]}" ] || l=${WANT4[$v]%=*}
	[ -z "${WANT6[$v]}" ] || l="$l,${WANT6[$v]%=*}"
	printf '%s\n' "${l#,}"
}

# check_branch V OBJ: listeners, calls, log lines and logins of one branch.
check_branch() {
	local v=$1 obj=$2 cfg=$WORK/$1.conf tag=$1 want4 want6 translate=1
	# Linux's own options need no translation.
	[ "$v" != linux ] || translate=0
	listener_config "$cfg" "$tag"
	if ! start_sshd "$tag" "$obj" "$cfg" SOCKREC_NONLOCAL="$(nonlocal_list "$v")" \
	    SOCKREC_TRANSLATE=$translate; then
		fail "$v/starts" "sshd did not start: $(log_text "$tag" | tail -n 1)"
		return
	fi
	pass "$v/starts"
	want4="1:2=1 bind:99 ${WANT4[$v]} bind:0"
	expect_calls "$tag" "$V4" "$want4" "$v/ipv4-nonlocal-option"
	expect_log "$tag" "$v/ipv4-log" "Server listening on $V4 port $PORT." \
	    "Non-local listen address $V4 port $PORT is not configured yet."
	if [ -n "${WANT6[$v]}" ]; then
		want6="1:2=1 ${V6ONLY[$v]}bind:99 ${WANT6[$v]} bind:0"
		expect_calls "$tag" "$V6" "$want6" "$v/ipv6-nonlocal-option"
		expect_log "$tag" "$v/ipv6-log" "Server listening on $V6 port $PORT." \
		    "Non-local listen address $V6 port $PORT is not configured yet."
	else
		# No IPv6 option on this platform: the bind is deferred.
		expect_log "$tag" "$v/ipv6-deferred-logged" \
		    "Bind to port $PORT on $V6 deferred until the address is configured." \
		    "Non-local listen address $V6 port $PORT is not configured yet."
		expect_no_log "$tag" "$v/ipv6-not-listening" "Server listening on $V6 "
	fi
	expect_calls "$tag" ::1 "1:2=1 ${V6ONLY[$v]}bind:0" "$v/plain-ipv6-v6only-only"
	no_nonlocal_calls "$tag" 127.0.0.1 "$v/plain-ipv4-no-nonlocal-option"
	expect_calls "$tag" "$PLAIN4" "1:2=1 bind:99" "$v/plain-absent-ipv4-no-retry"
	expect_calls "$tag" "$PLAIN6" "1:2=1 ${V6ONLY[$v]}bind:99" "$v/plain-absent-ipv6-no-retry"
	expect_log "$tag" "$v/plain-absent-fails" \
	    "Bind to port $PORT on $PLAIN4 failed: Cannot assign requested address." \
	    "Bind to port $PORT on $PLAIN6 failed: Cannot assign requested address."
	expect_log "$tag" "$v/plain-log" "Server listening on 127.0.0.1 port $PORT." \
	    "Server listening on ::1 port $PORT."
	expect_no_log "$tag" "$v/plain-no-nonlocal-log" "Non-local listen address 127.0.0.1"
	expect_login "$obj" 127.0.0.1 "$v/login-plain"
	# The addresses arrive: the listeners bound before now take logins.
	ip addr add "$V4/32" dev lo
	expect_login "$obj" "$V4" "$v/login-nonlocal-ipv4"
	ip addr add "$V6/128" dev lo nodad
	if [ -z "${WANT6[$v]}" ]; then
		# Deferred: the same socket, no option, bound once it exists.
		wait_listening "$tag" "$V6" "$v/ipv6-deferred-bound"
		expect_calls "$tag" "$V6" "1:2=1 41:26=1 bind:99 bind:0" \
		    "$v/ipv6-deferred-calls"
	fi
	expect_login "$obj" "$V6" "$v/login-nonlocal-ipv6"
	ip addr del "$V6/128" dev lo
	ip addr del "$V4/32" dev lo
	stop_sshd
}

# check_old_kernel OBJ: a Linux build whose headers have IPV6_FREEBIND, on
# a kernel without it (before 4.15: the recorder makes it fail with
# ENOPROTOOPT), still binds its IPv6 non-local listener, with IP_FREEBIND.
check_old_kernel() {
	local obj=$1 cfg=$WORK/oldkernel.conf tag=oldkernel
	listener_config "$cfg" "$tag"
	if ! start_sshd "$tag" "$obj" "$cfg" SOCKREC_NONLOCAL=41:78 \
	    SOCKREC_FAIL=ENOPROTOOPT; then
		fail "linux/old-kernel-starts" "sshd did not start: $(log_text "$tag" | tail -n 1)"
		return
	fi
	expect_calls "$tag" "$V6" "1:2=1 41:26=1 bind:99 41:78=1 0:15=1 bind:0" \
	    "linux/old-kernel-ipv6-falls-back-to-ip-freebind"
	expect_log "$tag" "linux/old-kernel-ipv6-listening" \
	    "Server listening on $V6 port $PORT." \
	    "Non-local listen address $V6 port $PORT is not configured yet."
	expect_no_log "$tag" "linux/old-kernel-no-error" "Cannot enable non-local bind"
	stop_sshd
}

# check_eperm V OBJ: the option refused: one error per non-local listener,
# the others serve; with only non-local listeners sshd gives up.
check_eperm() {
	local v=$1 obj=$2 cfg=$WORK/$1-eperm.conf tag=$1-eperm rc
	local why=" (requires ${PRIV[$v]})"
	listener_config "$cfg" "$tag"
	if ! start_sshd "$tag" "$obj" "$cfg" SOCKREC_NONLOCAL="$(nonlocal_list "$v")" \
	    SOCKREC_FAIL=EPERM; then
		fail "$v/eperm-starts" "sshd did not start: $(log_text "$tag" | tail -n 1)"
		return
	fi
	pass "$v/eperm-starts"
	expect_log "$tag" "$v/eperm-errors" \
	    "Cannot enable non-local bind to port $PORT on $V4: Operation not permitted$why." \
	    "Cannot enable non-local bind to port $PORT on $V6: Operation not permitted$why."
	expect_no_log "$tag" "$v/eperm-skipped-ipv4" "Server listening on $V4 "
	expect_no_log "$tag" "$v/eperm-skipped-ipv6" "Server listening on $V6 "
	expect_log "$tag" "$v/eperm-others-listen" "Server listening on 127.0.0.1 port $PORT."
	expect_login "$obj" 127.0.0.1 "$v/eperm-login-plain"
	stop_sshd

	tag=$v-eperm-only
	cfg=$WORK/$tag.conf
	write_base_config "$cfg" "$tag"
	printf 'Port %s\nListenAddressNonlocal %s\nListenAddressNonlocal [%s]:%s\n' \
	    "$PORT" "$V4" "$V6" "$PORT" >>"$cfg"
	rc=0
	env SOCKREC_NONLOCAL="$(nonlocal_list "$v")" SOCKREC_FAIL=EPERM \
	    LD_PRELOAD="$WORK/sockrec.so" SOCKREC_LOG="$WORK/rec-$tag.log" \
	    timeout 20 "$obj/sshd" -D -f "$cfg" -E "$WORK/sshd-$tag.log" || rc=$?
	if [ $rc -ne 0 ] && [ $rc -ne 124 ] &&
	    log_text "$tag" | grep -qxF "Cannot bind any address."; then
		pass "$v/eperm-nothing-bound-exits"
	else
		fail "$v/eperm-nothing-bound-exits" "exit $rc, last log line: $(log_text "$tag" | tail -n 1)"
	fi
}

inside() {
	trap cleanup_inside EXIT
	ip link set lo up
	local v obj
	for v in linux freebsd freebsd-old openbsd; do
		case $v in
		linux) obj=$OBJ_LINUX ;;
		freebsd) obj=$OBJ_FREEBSD ;;
		freebsd-old) obj=$OBJ_FREEBSD_OLD ;;
		openbsd) obj=$OBJ_OPENBSD ;;
		esac
		[ -n "$obj" ] || continue
		check_branch "$v" "$obj"
	done
	[ -z "$OBJ_LINUX" ] || check_old_kernel "$OBJ_LINUX"
	[ -z "$OBJ_FREEBSD" ] || check_eperm freebsd "$OBJ_FREEBSD"
	[ -z "$OBJ_OPENBSD" ] || check_eperm openbsd "$OBJ_OPENBSD"
	exit $failed
}

case ${1:-} in
--in-netns) inside ;;
--build)
	# --build BRANCH: print the build dir of that branch (for t-85).
	case ${2:-} in
	linux|freebsd|freebsd-old|openbsd|nooption) build_variant "$2" ;;
	*) echo "usage: $0 --build linux|freebsd|freebsd-old|openbsd|nooption" >&2; exit 2 ;;
	esac ;;
'') outside ;;
*) echo "usage: $0 [--build BRANCH]" >&2; exit 2 ;;
esac
