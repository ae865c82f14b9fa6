#!/usr/bin/env bash
# VRRP failover with keepalived.  Two nodes and a client on one bridge;
# keepalived (Debian's package, configured as an administrator would: one
# vrrp_instance per address family, the master with the higher priority)
# moves the virtual addresses 198.51.100.100 and 2001:db8::100.  sshd on
# both nodes is started before keepalived, with ListenAddressNonlocal for
# both virtual addresses and a plain ListenAddress for the node's own.
#
# A login to each virtual address reaches the master (the session prints
# the node's host name: each sshd runs in a UTS namespace of its own);
# keepalived on the master is stopped, the addresses move, and the next
# logins reach the other node, neither sshd restarted.  Each sshd logs each
# address arriving and leaving exactly once (the standby's leave comes when
# its keepalived stops too), and the standby's log holds nothing but its
# start-up lines while it is standby.  Then the same with upstream's sshd
# on the standby: its bind fails at start-up (keepalived has not added the
# addresses yet), and after the failover the virtual addresses are on that
# node with nothing listening on them (connection refused), while it
# serves its own address.
set -eu
T_NAME='vrrp-failover'
. "$(dirname "$0")/lib.sh"
setup
need_cmd keepalived keepalived
PORT=22
VIP4=198.51.100.100
VIP6=2001:db8::100
NS_A=nlt$$-node-a
NS_B=nlt$$-node-b
NS_CL=nlt$$-client
declare -A NS=([node-a]=$NS_A [node-b]=$NS_B)
declare -A OWN4=([node-a]=198.51.100.11 [node-b]=198.51.100.12)
declare -A OWN6=([node-a]=2001:db8::11 [node-b]=2001:db8::12)
declare -A PRIO=([node-a]=150 [node-b]=100)
declare -A STATE=([node-a]=MASTER [node-b]=BACKUP)
declare -A PID=()

# msg ADDR STATE: the watch's log line for ADDR ("now" / "no longer").
msg() { printf 'non-local listen address %s is %s configured' "$1" "$2"; }
log_tail() { [ ! -f "$1" ] || tr -d '\r' <"$1" | tail -n "${2:-3}" | tr '\n' '|'; }

lan_add
for ns in "$NS_A" "$NS_B" "$NS_CL"; do
	ns_add "$ns"
	lan_port "$ns"
done
for node in node-a node-b; do
	ip -n "${NS[$node]}" addr add "${OWN4[$node]}/24" dev eth0
	ip -n "${NS[$node]}" addr add "${OWN6[$node]}/64" dev eth0 nodad
done
ip -n "$NS_CL" addr add "$CLIENT4/24" dev eth0
ip -n "$NS_CL" addr add "$CLIENT6/64" dev eth0 nodad

# node_sshd NODE KEYWORD BUILD: the node's sshd (patched: KEYWORD
# ListenAddressNonlocal; upstream: ListenAddress), its own address plain.
node_sshd() {
	local node=$1 kw=$2 bin=$3/sshd cfg=$T/$1.conf
	sshd_config "$cfg"
	sed -i "s|^PidFile .*|PidFile $T/$node.pid|" "$cfg"
	printf '%s\n' "Port $PORT" "ListenAddress ${OWN4[$node]}" \
	    "$kw $VIP4" "$kw $VIP6" >>"$cfg"
	: >"$T/$node.log"
	start_node_sshd "${NS[$node]}" "$node" "$cfg" "$bin"
	PID[$node]=$SSHD_PID
}

# keepalived.conf of NODE: what an administrator writes for one IPv4 and
# one IPv6 virtual address (VRRP version 3 for both; multicast on eth0).
keepalived_conf() {
	local node=$1 vrid=51 vip family
	printf 'global_defs {\n    router_id %s\n    vrrp_version 3\n}\n' "$node"
	for vip in "$VIP4/24" "$VIP6/64"; do
		family=4
		[[ $vip != *:* ]] || family=6
		cat <<EOF
vrrp_instance VI_$family {
    state ${STATE[$node]}
    interface eth0
    virtual_router_id $vrid
    priority ${PRIO[$node]}
    advert_int 1
    virtual_ipaddress {
        $vip
    }
}
EOF
		vrid=$((vrid + 1))
	done
}

# start_keepalived NODE: keepalived as Debian's unit runs it (--dont-fork),
# VRRP only, logging to $T/keepalived-NODE.log (the previous run's log
# becomes .log.1), pid files in $T.
start_keepalived() {
	local node=$1 k=$T/keepalived-$1
	keepalived_conf "$node" >"$k.conf"
	[ ! -f "$k.log" ] || mv "$k.log" "$k.log.1"
	ip netns exec "${NS[$node]}" keepalived --dont-fork --log-console --no-syslog \
	    --log-detail --vrrp --use-file "$k.conf" --pid "$k.pid" --vrrp_pid "$k-vrrp.pid" \
	    >>"$k.log" 2>&1 </dev/null &
	daemon_track "$k.pid" keepalived
	daemon_wait "$k.pid"
}
stop_keepalived() { daemon_stop "$T/keepalived-$1.pid" keepalived; }

# holds_vips NODE: both virtual addresses are configured on NODE.
holds_vips() { ns_has_addr "${NS[$1]}" "$VIP4" && ns_has_addr "${NS[$1]}" "$VIP6"; }
holds_none() { ! ns_has_addr "${NS[$1]}" "$VIP4" && ! ns_has_addr "${NS[$1]}" "$VIP6"; }
# is_backup NODE: keepalived on NODE has entered BACKUP for both instances.
is_backup() {
	local k=$T/keepalived-$1.log
	grep -qs '(VI_4) Entering BACKUP STATE' "$k" && grep -qs '(VI_6) Entering BACKUP STATE' "$k"
}
# master_up NODE: start keepalived on NODE and wait until it holds both
# addresses; standby_up NODE: start it and wait until it is BACKUP.
master_up() {
	start_keepalived "$1" && wait_for 15 holds_vips "$1"
}
standby_up() {
	start_keepalived "$1" && wait_for 10 is_backup "$1"
}

# check_node NAME NS ADDR NODE [TRIES]: PASS NAME if a login to ADDR
# reaches NODE (wait_node), else FAIL with the node that answered.
check_node() {
	if wait_node "$2" "$3" "$PORT" "$4" "${5:-15}"; then
		pass "$1"
	else
		fail "$1" "a login to $3 reached $LAST_NODE, not $4"
	fi
}
# alarms LOG: the number of lines of LOG that look like trouble.
alarms() { tr -d '\r' <"$1" | grep -ciE 'error|warn|fail|fatal|cannot' || true; }
# running_unrestarted NODE: NODE's sshd is the process started first and
# logged its listeners once (no re-exec).
running_unrestarted() {
	kill -0 "${PID[$1]}" 2>/dev/null &&
	    [ "$(count_log "$T/$1.log" "Server listening on")" -eq 3 ]
}

# standby_noise LOG: the lines of LOG other than the listener's start-up
# lines (what a standby node's sshd may log while it waits).
standby_noise() {
	tr -d '\r' <"$1" | grep -vxE "Server listening on [0-9a-f:.]+ port $PORT\.|Non-local listen address [0-9a-f:.]+ port $PORT is not configured yet\." || true
}

# --- Patched sshd on both nodes. --------------------------------------
for node in node-a node-b; do
	node_sshd "$node" ListenAddressNonlocal "$NL_PATCHED"
done
for node in node-a node-b; do
	if ! wait_log "$T/$node.log" "Server listening on" 3; then
		fail "$node-listening" "sshd did not start: $(log_tail "$T/$node.log")"
		finish
	fi
	for a in "$VIP4" "$VIP6"; do
		check "$node-not-configured-$a" "no 'not configured yet' line for $a" \
		    log_has "$T/$node.log" "Non-local listen address $a port $PORT is not configured yet."
	done
done
check no-vip-before-keepalived "$VIP4 answered before keepalived ran" \
    test "$(tcp_connect "$NS_CL" "$VIP4" "$PORT")" != connected

if ! master_up node-a; then
	fail master-a "node-a's keepalived did not take $VIP4 and $VIP6: $(log_tail "$T/keepalived-node-a.log")"
	finish
fi
pass master-a
if standby_up node-b; then
	pass standby-b
else
	fail standby-b "node-b's keepalived did not enter BACKUP: $(log_tail "$T/keepalived-node-b.log")"
fi
for a in "$VIP4" "$VIP6"; do
	check "node-a-arrived-$a" "node-a did not log '$(msg "$a" now)'" \
	    wait_log "$T/node-a.log" "$(msg "$a" now)"
	check_node "login-master-$a" "$NS_CL" "$a" node-a
done
check standby-holds-none "node-b holds a virtual address while standby" holds_none node-b
noise=$(standby_noise "$T/node-b.log")
check standby-log-quiet "node-b's sshd logged while standby: $(tr '\n' '|' <<<"$noise")" \
    test -z "$noise"
check standby-no-alarm "node-b's sshd logged an error or a warning while standby" \
    test "$(alarms "$T/node-b.log")" -eq 0
check_node login-b-own "$NS_CL" "${OWN4[node-b]}" node-b 5

# Failover: keepalived on the master stops (its VIPs go, the standby's
# keepalived sees priority 0 and takes over).
t0=$(now_ms)
check stop-master "keepalived on node-a did not stop" stop_keepalived node-a
if wait_for 15 holds_vips node-b; then
	pass vips-moved
else
	fail vips-moved "$VIP4 and $VIP6 did not move to node-b: $(log_tail "$T/keepalived-node-b.log")"
fi
check vips-left-a "node-a still holds a virtual address" holds_none node-a
for a in "$VIP4" "$VIP6"; do
	check_node "login-after-failover-$a" "$NS_CL" "$a" node-b 25
done
note "logins to both virtual addresses reached node-b $(since_ms "$t0")s after keepalived on node-a was stopped (informational)"
for a in "$VIP4" "$VIP6"; do
	check "node-a-left-$a" "node-a did not log '$(msg "$a" "no longer")'" \
	    wait_log "$T/node-a.log" "$(msg "$a" "no longer")"
	check "node-b-arrived-$a" "node-b did not log '$(msg "$a" now)'" \
	    wait_log "$T/node-b.log" "$(msg "$a" now)"
done
# And back to nobody: the standby's keepalived stops as well.
check stop-standby "keepalived on node-b did not stop" stop_keepalived node-b
check vips-left-b "node-b still holds a virtual address" wait_for 5 holds_none node-b
for a in "$VIP4" "$VIP6"; do
	check "node-b-left-$a" "node-b did not log '$(msg "$a" "no longer")'" \
	    wait_log "$T/node-b.log" "$(msg "$a" "no longer")"
done
sleep 0.5
for node in node-a node-b; do
	for a in "$VIP4" "$VIP6"; do
		for s in now "no longer"; do
			n=$(count_log "$T/$node.log" "$(msg "$a" "$s")")
			check "$node-once-${s// /-}-$a" "'$(msg "$a" "$s")' logged $n times" test "$n" -eq 1
		done
	done
	check "$node-not-restarted" "sshd exited or re-executed ($(count_log "$T/$node.log" "Server listening on") 'Server listening' lines)" \
	    running_unrestarted "$node"
	check "$node-no-alarm" "$(tr -d '\r' <"$T/$node.log" | grep -m1 -iE 'error|warn|fail|fatal|cannot')" \
	    test "$(alarms "$T/$node.log")" -eq 0
done

# --- Upstream sshd on the standby. ------------------------------------
if [ -z "${NL_UPSTREAM:-}" ]; then
	printf 'SKIP %s/upstream%s: NL_UPSTREAM not set\n' "$T_NAME" "$TAG"
	finish
fi
kill "${PID[node-b]}"
check patched-b-stopped "node-b's patched sshd did not exit" wait_for 5 proc_gone "${PID[node-b]}"
node_sshd node-b ListenAddress "$NL_UPSTREAM"
if ! wait_log "$T/node-b.log" "Server listening on ${OWN4[node-b]} port $PORT."; then
	fail upstream-listening "upstream sshd did not start: $(log_tail "$T/node-b.log")"
	finish
fi
for a in "$VIP4" "$VIP6"; do
	check "upstream-bind-fails-$a" "no bind failure for $a: $(log_tail "$T/node-b.log")" \
	    log_has "$T/node-b.log" "Bind to port $PORT on $a failed: Cannot assign requested address."
done
check upstream-master-a "node-a's keepalived did not take the addresses again" master_up node-a
check upstream-standby-b "node-b's keepalived did not enter BACKUP" standby_up node-b
check_node upstream-login-master "$NS_CL" "$VIP4" node-a
check upstream-stop-master "keepalived on node-a did not stop" stop_keepalived node-a
check upstream-vips-moved "the addresses did not move to node-b" wait_for 15 holds_vips node-b
# The addresses are on node-b now, and nothing there listens on them.
for a in "$VIP4" "$VIP6"; do
	got=$(tcp_connect "$NS_CL" "$a" "$PORT")
	check "upstream-refused-$a" "a connection to $a port $PORT: $got, not refused" test "$got" = refused
	check "upstream-no-login-$a" "a login to $a succeeded" login_fails "$NS_CL" "$a" "$PORT"
done
check_node upstream-serves-own "$NS_CL" "${OWN4[node-b]}" node-b 5
check upstream-never-listened "upstream sshd listened on a virtual address" \
    test "$(($(count_log "$T/node-b.log" "Server listening on $VIP4") + $(count_log "$T/node-b.log" "Server listening on $VIP6")))" -eq 0
check node-a-still-running "node-a's sshd exited" kill -0 "${PID[node-a]}"
finish
