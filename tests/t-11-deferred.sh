#!/usr/bin/env bash
# Deferred bind, on platforms without a non-local bind option: proven on
# Linux with a build whose configure found no option (NL_NOOPTION) and one
# that also found no address notifications (NL_NOWATCH), so the listener
# checks on a timer while an address is absent (1 s after start-up or a
# change, backing off to 10 s) and not at all once all are present.  sshd
# starts with its other listeners, keeps the absent address pending, and
# binds it when the address appears; a login fails before and works after,
# within a measured time.  On the timer an IPv6 address under duplicate
# address detection is found once DAD ends, with no notification at all.
# Once bound, the socket stays bound: removing and re-adding the address
# needs no new bind.
set -eu
T_NAME='deferred'
. "$(dirname "$0")/lib.sh"
# Under tests/run (NL_TOP set) a missing build is its build failure.
if [ -z "${NL_NOOPTION:-}" ]; then
	[ -z "${NL_TOP:-}" ] || { fail build-nooption "no build without the option (see build/logs/tests/build-nooption.err)"; exit 1; }
	skip_all "NL_NOOPTION not set (tests/run builds it)"
fi
setup
PORT=2220
ABSENT_PLAIN=198.51.100.20

msg() { printf 'non-local listen address %s is %s configured' "$1" "$2"; }
deferred() { printf 'Bind to port %s on %s deferred until the address is configured.' "$PORT" "$1"; }
listening() { printf 'Server listening on %s port %s.' "$1" "$PORT"; }

# config FILE LINE...: the common configuration plus LINEs.
config() {
	local f=$1
	shift
	sshd_config "$f"
	printf '%s\n' "Port $PORT" "$@" >>"$f"
}

# appear NAME ADDR PLEN SECONDS [dad]: add ADDR (IPv6 with duplicate
# address detection if "dad"); the listener must log it, bind it and let a
# login in within SECONDS; the time is printed.
appear() {
	local name=$1 a=$2 plen=$3 limit=$4 t0
	t0=$(now_ms)
	if [ "${5:-}" = dad ]; then
		ip netns exec "$NS_S" sysctl -qw net.ipv6.conf.vs.accept_dad=1
		ip -n "$NS_S" addr add "$a/$plen" dev vs
	else
		addr_add "$a/$plen"
	fi
	if ! wait_log "$T/$name.log" "$(listening "$a")" 1 "$limit"; then
		fail "$name/bound-$a" "no '$(listening "$a")' within ${limit}s"
		return
	fi
	check "$name/bound-$a" "bound before '$(msg "$a" now)' was logged" \
	    test "$(grep -n -F -e "$(msg "$a" now)" -e "$(listening "$a")" "$T/$name.log" | head -n 1 | grep -cF "$(msg "$a" now)")" -eq 1
	if wait_login "$NS_C" "$a" "$PORT" 25; then
		pass "$name/login-after-add-$a"
		note "$name: $a added -> login done in $(since_ms "$t0") s"
	else
		fail "$name/login-after-add-$a" "no login after the address appeared"
	fi
}

# scenario NAME SSHD LIMIT: the whole story with one build.
scenario() {
	local name=$1 limit=$3 a n
	SSHD=$2/sshd
	config "$T/$name.conf" "ListenAddress 127.0.0.1" \
	    "ListenAddressNonlocal $SERVER4" "ListenAddressNonlocal $SERVER6"
	# the fallback's notice is at VERBOSE
	[ "$name" != periodic ] || sed -i 's/^LogLevel INFO$/LogLevel VERBOSE/' "$T/$name.conf"
	check "$name/config-accepted" "sshd -t rejected ListenAddressNonlocal" \
	    "$SSHD" -t -f "$T/$name.conf"
	start_sshd "$T/$name.conf" "$name"
	if ! wait_log "$T/$name.log" "$(listening 127.0.0.1)"; then
		fail "$name/starts" "sshd did not start: $(tail -n 2 "$T/$name.log")"
		return
	fi
	for a in "$SERVER4" "$SERVER6"; do
		check "$name/deferred-$a" "no '$(deferred "$a")'" log_has "$T/$name.log" "$(deferred "$a")"
		check "$name/absent-logged-$a" "no 'is not configured yet' line for $a" \
		    log_has "$T/$name.log" "Non-local listen address $a port $PORT is not configured yet."
		check "$name/not-listening-$a" "'$(listening "$a")' while absent" \
		    test "$(count_log "$T/$name.log" "$(listening "$a")")" -eq 0
		check "$name/login-fails-before-$a" "a login to $a worked before it existed" \
		    login_fails "$NS_C" "$a" "$PORT"
	done
	appear "$name" "$SERVER4" 24 "$limit"
	if [ "$name" = periodic ]; then
		appear "$name" "$SERVER6" 64 "$limit" dad
		check "$name/v6-after-dad" "$SERVER6 was still tentative when bound" \
		    test "$(ip -n "$NS_S" -6 addr show dev vs to "$SERVER6" | grep -c tentative)" -eq 0
		# Every address present: no timer, the listener sleeps (longer
		# than the 10 s the timer may back off to).
		sleep 1
		n=$(wakeups 11)
		check "$name/no-timer-while-present" "the listener woke up $n times in 11 s" \
		    test "$n" = 0
	else
		appear "$name" "$SERVER6" 64 "$limit"
	fi

	# Removed and re-added: the socket stays bound, logins work again
	# (without notifications, and with every address present, nothing
	# notices: there is no timer then).
	addr_del "$SERVER4/24"
	if [ "$name" != periodic ]; then
		check "$name/removed-logged" "no '$(msg "$SERVER4" "no longer")'" \
		    wait_log "$T/$name.log" "$(msg "$SERVER4" "no longer")" 1 "$limit"
	fi
	check "$name/no-connect-while-removed" "a TCP connect to $SERVER4 worked while it was removed" \
	    test "$(tcp_connect "$NS_C" "$SERVER4" "$PORT")" != connected
	addr_add "$SERVER4/24"
	if [ "$name" != periodic ]; then
		check "$name/readded-logged" "'$(msg "$SERVER4" now)' not logged again" \
		    wait_log "$T/$name.log" "$(msg "$SERVER4" now)" 2 "$limit"
	fi
	check "$name/login-after-readd" "no login after the re-add" \
	    wait_login "$NS_C" "$SERVER4" "$PORT" 25
	check "$name/bound-once" "$SERVER4 was bound $(count_log "$T/$name.log" "$(listening "$SERVER4")") times" \
	    test "$(count_log "$T/$name.log" "$(listening "$SERVER4")")" -eq 1
	check "$name/plain-listener-works" "no login over 127.0.0.1" \
	    login_ok "$NS_S" 127.0.0.1 "$PORT"
	check "$name/no-fatal" "fatal in the log" test "$(count_log "$T/$name.log" fatal)" -eq 0
	kill "$SSHD_PID"
	addr_del "$SERVER4/24"
	addr_del "$SERVER6/64"
}

# wakeups SECONDS: how often the listener's ppoll() returned in SECONDS
# ("unseen" if strace never saw it wait).
wakeups() {
	local out=$T/strace.$SSHD_PID
	timeout "$1" strace -qq -p "$SSHD_PID" -e trace=ppoll,restart_syscall -o "$out" 2>/dev/null || true
	if ! grep -qE '^(ppoll|restart_syscall)\(' "$out" 2>/dev/null; then
		echo unseen
		return
	fi
	grep -c ') = [0-9]' "$out" || true
}

ns_pair
scenario notify "$NL_NOOPTION" 10

# Only non-local addresses, all absent: sshd starts and waits for them;
# SIGHUP while they are absent defers them again.
SSHD=$NL_NOOPTION/sshd
config "$T/only.conf" "ListenAddressNonlocal $SERVER4"
start_sshd "$T/only.conf" only
if wait_log "$T/only.log" "$(deferred "$SERVER4")"; then
	pass only-nonlocal/starts
	kill -HUP "$SSHD_PID"
	check only-nonlocal/deferred-after-sighup "not deferred again after SIGHUP" \
	    wait_log "$T/only.log" "$(deferred "$SERVER4")" 2
	check only-nonlocal/no-cannot-bind "'Cannot bind any address.' logged" \
	    test "$(count_log "$T/only.log" "Cannot bind any address")" -eq 0
	appear only "$SERVER4" 24 10
else
	fail only-nonlocal/starts "sshd with only absent non-local addresses: $(tail -n 2 "$T/only.log")"
fi
kill "$SSHD_PID" 2>/dev/null || true
addr_del "$SERVER4/24" 2>/dev/null || true

# A plain ListenAddress is not deferred: an absent one still fails.
config "$T/plain.conf" "ListenAddress $ABSENT_PLAIN"
ip netns exec "$NS_S" "$SSHD" -D -f "$T/plain.conf" -E "$T/plain.log" 2>>"$T/plain.stderr" </dev/null &&
    rc=0 || rc=$?
check plain-absent/exits "sshd with one absent plain address exited $rc" test "$rc" -eq 255
check plain-absent/bind-failed "no bind failure logged" log_has "$T/plain.log" \
    "Bind to port $PORT on $ABSENT_PLAIN failed: Cannot assign requested address."
check plain-absent/cannot-bind "no 'Cannot bind any address.'" log_has "$T/plain.log" "Cannot bind any address."

# Without address notifications, the timer finds the addresses.
if [ "${NL_NOWATCH:-}" = none ]; then
	note "periodic check not part of this run"
elif [ -n "${NL_NOWATCH:-}" ]; then
	scenario periodic "$NL_NOWATCH" 25
	check periodic/fallback-logged "no 'Cannot watch for address changes' line" \
	    grep -qF "Cannot watch for address changes" "$T/periodic.log"
elif [ -n "${NL_TOP:-}" ]; then
	fail periodic/build "no build without netlink (see build/logs/tests/build-nowatch.err)"
else
	printf 'SKIP %s/periodic%s: NL_NOWATCH not set (tests/run builds it)\n' "$T_NAME" "$TAG"
fi
finish
