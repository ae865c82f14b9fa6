#!/usr/bin/env bash
# Hostile neighbour: while sshd listens non-locally on ADDR:PORT, neither
# an unprivileged user nor another root process can take that port, with or
# without IP_FREEBIND, SO_REUSEADDR or SO_REUSEPORT, on the address itself
# or on the wildcard; sshd keeps serving.
#
# Kernel rule (Linux inet_csk_bind_conflict): a bind conflicts with a socket
# in LISTEN state on the same port when the addresses overlap; a wildcard
# (0.0.0.0, or :: unless IPV6_V6ONLY) overlaps every specific address.
# SO_REUSEADDR never allows sharing a port with a listening socket, and
# SO_REUSEPORT only between sockets that all set it (and, for TCP, belong to
# the same uid); sshd does not set it.  IP_FREEBIND only relaxes the "is the
# address local?" check, which the kernel makes before the port check: while
# the address is absent a bind without IP_FREEBIND fails with EADDRNOTAVAIL,
# with it (and once the address exists) with EADDRINUSE.
set -eu
T_NAME='hostile-neighbour'
. "$(dirname "$0")/lib.sh"
setup
PORT=2204

command -v cc >/dev/null || skip_all "no C compiler (cc) for the bind probe"
cc -O -Wall -o "$T/bind-probe" "$TESTS/bind-probe.c" || { fail probe-build "cc failed"; finish; }
chmod 755 "$T/bind-probe"
nobody_gid=$(id -g nobody)

ns_pair
sshd_config "$T/sshd_config"
cat >>"$T/sshd_config" <<EOF
Port $PORT
ListenAddressNonlocal $SERVER4
ListenAddressNonlocal $SERVER6
EOF
start_sshd "$T/sshd_config"
wait_log "$T/sshd.log" "Server listening on" 2 || { fail listening "sshd did not start"; finish; }

# probe WHO FLAGS ADDR: run the bind probe as root or nobody.
probe() {
	local who=$1 flags=$2 addr=$3
	local cmd=("$T/bind-probe")
	# shellcheck disable=SC2206
	[ -z "$flags" ] || cmd+=($flags)
	cmd+=("$addr" "$PORT")
	if [ "$who" = nobody ]; then
		cmd=(setpriv --reuid=nobody --regid="$nobody_gid" --clear-groups "${cmd[@]}")
	fi
	ip netns exec "$NS_S" "${cmd[@]}" || true
}

# attack PHASE: every attempt of both users must fail as the rule says.
attack() {
	local phase=$1 who flags addr want got n bad
	for who in nobody root; do
		n=0 bad=0
		for addr in "$SERVER4" 0.0.0.0 "$SERVER6" ::; do
			for flags in "" "-f" "-r" "-f -r" "-p" "-f -r -p" "-6" "-f -r -6"; do
				case $addr:$flags in
				*.*:*6*) continue ;;	# -6 only means something on IPv6
				esac
				want=EADDRINUSE
				if [ "$phase" = absent ] && { [ "$addr" = "$SERVER4" ] || [ "$addr" = "$SERVER6" ]; }; then
					case $flags in *-f*) ;; *) want=EADDRNOTAVAIL ;; esac
				fi
				got=$(probe "$who" "$flags" "$addr")
				n=$((n + 1))
				if [ "$got" != "$want" ]; then
					fail "$phase-$who-bind-$addr${flags:+-${flags// /}}" "got $got, want $want"
					bad=$((bad + 1))
				fi
			done
		done
		[ "$bad" -ne 0 ] || pass "$phase-$who-all-$n-binds-refused"
	done
}

attack absent
# Controls: the probe itself works (another address, another port).
check control-other-address "nobody could not bind 198.51.100.11:$PORT with IP_FREEBIND" \
    test "$(probe nobody -f 198.51.100.11)" = ok
addr_add "$SERVER4/24"
addr_add "$SERVER6/64"
attack present
check control-other-port "root could not bind $SERVER4:$((PORT + 1))" \
    test "$(PORT=$((PORT + 1)) probe root "" "$SERVER4")" = ok

for a in "$SERVER4" "$SERVER6"; do
	check "login-$a" "no login to $a after the attempts" wait_login "$NS_C" "$a" "$PORT" 25
done
check sshd-running "sshd exited" sshd_alive
check log-clean "sshd logged an error" \
    test "$(grep -ciE 'error|fatal' "$T/sshd.log")" -eq 0
finish
