#!/usr/bin/env bash
# Deferred bind, on platforms without a non-local bind option: proven on
# Linux with a build whose configure found no option (NL_NOOPTION) and one
# that also found no address notifications, so the listener checks every
# 10 seconds (NL_NOWATCH).  sshd starts with its other listeners, keeps the
# absent address pending, and binds it when the address appears; a login
# fails before and works after, within a measured time.  Once bound, the
# socket stays bound: removing and re-adding the address needs no new bind.
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

# appear NAME ADDR PLEN SECONDS: add ADDR; the listener must log it, bind
# it and let a login in within SECONDS; the time is printed.
appear() {
	local name=$1 a=$2 plen=$3 limit=$4 t0
	t0=$(now_ms)
	addr_add "$a/$plen"
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
	local name=$1 limit=$3 a
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
	appear "$name" "$SERVER6" 64 "$limit"

	# Removed and re-added: the socket stays bound, logins work again.
	addr_del "$SERVER4/24"
	check "$name/removed-logged" "no '$(msg "$SERVER4" "no longer")'" \
	    wait_log "$T/$name.log" "$(msg "$SERVER4" "no longer")" 1 "$limit"
	check "$name/no-connect-while-removed" "a TCP connect to $SERVER4 worked while it was removed" \
	    test "$(tcp_connect "$NS_C" "$SERVER4" "$PORT")" != connected
	addr_add "$SERVER4/24"
	check "$name/readded-logged" "'$(msg "$SERVER4" now)' not logged again" \
	    wait_log "$T/$name.log" "$(msg "$SERVER4" now)" 2 "$limit"
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

# Without address notifications, the periodic check finds the address
# (every 10 seconds).
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
