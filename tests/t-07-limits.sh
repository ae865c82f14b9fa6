#!/usr/bin/env bash
# Limits: sshd keeps upstream's MAX_LISTEN_SOCKS (16).  Sixteen listeners,
# mixing configured addresses (plain ListenAddress) and absent ones
# (non-local), all bind and serve; a seventeenth is upstream's fatal error.
set -eu
T_NAME='limits'
. "$(dirname "$0")/lib.sh"
setup
PORT=2207

ns_pair
present4="198.51.100.30 198.51.100.31 198.51.100.32 198.51.100.33 198.51.100.34 198.51.100.35 198.51.100.36"
absent4="198.51.100.40 198.51.100.41 198.51.100.42 198.51.100.43"
present6="2001:db8::30 2001:db8::31"
absent6="2001:db8::40 2001:db8::41"
for a in $present4; do addr_add "$a/24"; done
for a in $present6; do addr_add "$a/64"; done

# listen_lines PORT: the 16 listen directives (7 + 2 + 1 plain, 4 + 2
# non-local).
listen_lines() {
	local a
	echo "Port $1"
	for a in $present4 $present6 127.0.0.1; do echo "ListenAddress $a"; done
	for a in $absent4 $absent6; do echo "ListenAddressNonlocal $a"; done
}
sshd_config "$T/sshd_config"
listen_lines "$PORT" >>"$T/sshd_config"
start_sshd "$T/sshd_config"
log=$T/sshd.log
if wait_log "$log" "Server listening on" 16; then
	pass sixteen-listening
else
	fail sixteen-listening "$(count_log "$log" "Server listening on") listen lines: $(tail -n 2 "$log")"
fi
check six-not-configured "expected 6 'not configured yet' lines" \
    test "$(count_log "$log" "is not configured yet")" -eq 6
for a in $absent4; do addr_add "$a/24"; done
for a in $absent6; do addr_add "$a/64"; done
for a in 198.51.100.30 198.51.100.36 198.51.100.43 2001:db8::31 2001:db8::40; do
	check "login-$a" "no login on $a" wait_login "$NS_C" "$a" "$PORT" 25
done
check login-127.0.0.1 "no login on 127.0.0.1" login_ok "$NS_S" 127.0.0.1 "$PORT"
check sshd-running "sshd exited" sshd_alive

# The seventeenth listener: upstream's fatal, sshd exits non-zero.  (Another
# port, so that the binds before it succeed while the first sshd runs.)
sshd_config "$T/sshd_config17"
sed -i "s|^PidFile .*|PidFile $T/sshd17.pid|" "$T/sshd_config17"
{ listen_lines $((PORT + 1)); echo "ListenAddressNonlocal 198.51.100.44"; } >>"$T/sshd_config17"
rc=0
ip netns exec "$NS_S" timeout 20 "$SSHD" -D -f "$T/sshd_config17" -E "$T/sshd17.log" \
    2>>"$T/sshd17.stderr" </dev/null || rc=$?
check seventeen-exit "sshd with 17 listeners exited $rc, want 255" test "$rc" -eq 255
check seventeen-fatal "no 'Too many listen sockets' fatal in the log" \
    grep -qF "Too many listen sockets. Enlarge MAX_LISTEN_SOCKS" "$T/sshd17.log"
finish
