#!/usr/bin/env bash
# IPv6 only means IPv6: a non-local IPv6 listener and a "ListenAddress ::"
# listener never accept IPv4 (v4-mapped) connections, because sshd sets
# IPV6_V6ONLY on every IPv6 listener, also on the non-local ones.  Only a
# wildcard shows it (a specific IPv6 address is unreachable over IPv4 with
# or without the option): "ListenAddress [::]:P nonlocal" binds beside
# "ListenAddress 0.0.0.0:P" (without IPV6_V6ONLY one of the two binds
# fails with EADDRINUSE), and an IPv4 connect to a "[::]:Q nonlocal"
# listener is refused.  An IPv4-mapped non-local address is a
# configuration error naming file and line.
set -eu
T_NAME='v6only'
. "$(dirname "$0")/lib.sh"
setup
PORT=2205
WILD_PORT=2215
PAIR_PORT=2216
NLWILD_PORT=2217
MAPPED=::ffff:198.51.100.5

ns_pair
sshd_config "$T/sshd_config"
cat >>"$T/sshd_config" <<EOF
ListenAddressNonlocal [$SERVER6]:$PORT
ListenAddress [::]:$WILD_PORT
ListenAddress 0.0.0.0:$PAIR_PORT
ListenAddress [::]:$PAIR_PORT nonlocal
ListenAddress [::]:$NLWILD_PORT nonlocal
EOF
start_sshd "$T/sshd_config"
wait_log "$T/sshd.log" "Server listening on" 5 || { fail listening "sshd did not start: $(tail -n 3 "$T/sshd.log")"; finish; }
check nonlocal-wildcard-beside-v4 "[::]:$PAIR_PORT nonlocal did not bind beside 0.0.0.0:$PAIR_PORT: $(grep -m1 'failed' "$T/sshd.log" | tr -d '\r')" \
    log_has "$T/sshd.log" "Server listening on :: port $PAIR_PORT."
check v4-beside-nonlocal-wildcard "0.0.0.0:$PAIR_PORT did not bind" \
    log_has "$T/sshd.log" "Server listening on 0.0.0.0 port $PAIR_PORT."
check no-bind-failure "a bind failed: $(grep -m1 'failed' "$T/sshd.log" | tr -d '\r')" \
    test "$(count_log "$T/sshd.log" "failed")" -eq 0
addr_add "$SERVER4/24"
addr_add "$SERVER6/64"

for p in "$PORT" "$WILD_PORT"; do
	check "v6-login-port-$p" "no IPv6 login on port $p" wait_login "$NS_C" "$SERVER6" "$p" 25
	check "no-v4-port-$p" "IPv4 connect to $SERVER4:$p was not refused" \
	    test "$(tcp_connect "$NS_C" "$SERVER4" "$p")" = refused
	check "no-v4-loopback-port-$p" "IPv4 connect to 127.0.0.1:$p was not refused" \
	    test "$(tcp_connect "$NS_S" 127.0.0.1 "$p")" = refused
done
check "no-v4-login" "an IPv4 login on port $WILD_PORT worked" \
    login_fails "$NS_C" "$SERVER4" "$WILD_PORT"
check "v6-login-nonlocal-wildcard" "no IPv6 login on [::]:$NLWILD_PORT nonlocal" \
    wait_login "$NS_C" "$SERVER6" "$NLWILD_PORT" 25
check "no-v4-nonlocal-wildcard" "IPv4 connect to $SERVER4:$NLWILD_PORT ([::] nonlocal) was not refused" \
    test "$(tcp_connect "$NS_C" "$SERVER4" "$NLWILD_PORT")" = refused
check "v4-login-pair-port" "no IPv4 login to $SERVER4:$PAIR_PORT (0.0.0.0)" \
    wait_login "$NS_C" "$SERVER4" "$PAIR_PORT" 25

# config_rejected NAME LINE: sshd -t on a file whose line 2 is LINE exits 255
# with the IPv4-mapped error naming file and line.
config_rejected() {
	local f=$T/mapped_$1 out rc=0
	{ echo "HostKey $T/host_ed25519"; echo "$2"; } >"$f"
	out=$("$SSHD" -t -f "$f" 2>&1) || rc=$?
	[ "$rc" -eq 255 ] || { note "$1: exit $rc: $out"; return 1; }
	case $out in
	*"$f line 2: non-local ListenAddress $MAPPED: IPv4-mapped address; use the IPv4 address"*) return 0 ;;
	esac
	note "$1: $out"
	return 1
}
check mapped-directive "[$MAPPED] not rejected with file and line" \
    config_rejected directive "ListenAddressNonlocal [$MAPPED]"
check mapped-suffix "[$MAPPED]:22 nonlocal not rejected with file and line" \
    config_rejected suffix "ListenAddress [$MAPPED]:22 nonlocal"
check sshd-running "sshd exited" sshd_alive
finish
