# Helpers for the tests/t-*.sh scenarios.  Source it after setting T_NAME.
# shellcheck shell=bash
# shellcheck disable=SC2034  # variables for the scripts that source this
#
# Environment (tests/run sets it):
#   NL_PATCHED   build tree of the patched sshd (required)
#   NL_UPSTREAM  build tree of the pristine sshd (optional)
#   NL_ASAN      build tree of the ASan+UBSan patched sshd (t-09 builds it
#                if unset)
#   NL_NOOPTION  build without a non-local bind option (t-11's deferred bind)
#   NL_NOWATCH   the same without address notifications (t-11's periodic
#                check; "none" leaves that part out)
#   NL_ASAN_NOOPTION  ASan+UBSan build without the option (t-09 runs t-11)
#   NL_TAG       suffix for result names, e.g. "asan" -> "name/check [asan]"
#
# Result lines: "PASS T_NAME/check", "FAIL T_NAME/check: why",
# "SKIP T_NAME: why".  The script ends with "finish" (exit 1 if any FAIL).

TESTS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TAG=${NL_TAG:+ [$NL_TAG]}
FAILED=0
PIDS=()
NETNS=()
NS_S=nlt$$-server
NS_C=nlt$$-client
# Addresses (TEST-NET-2 and the IPv6 documentation prefix only).
CLIENT4=198.51.100.2
CLIENT6=2001:db8::2
SERVER4=198.51.100.10
SERVER6=2001:db8::10

# Configure arguments of the ASan+UBSan build (t-09; built by tests/run).
# No seccomp sandbox: it kills ASan's own system calls.
ASAN_CONFIGURE=(CFLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer -g -O1"
    LDFLAGS="-fsanitize=address,undefined" --with-sandbox=no)

pass() { printf 'PASS %s/%s%s\n' "$T_NAME" "$1" "$TAG"; }
fail() { printf 'FAIL %s/%s%s: %s\n' "$T_NAME" "$1" "$TAG" "$2"; FAILED=1; }
note() { printf '  %s: %s\n' "$T_NAME" "$*"; }
skip_all() { printf 'SKIP %s%s: %s\n' "$T_NAME" "$TAG" "$1"; exit 0; }
finish() { exit "$FAILED"; }
# check NAME WHY CMD...: PASS NAME if CMD succeeds, else FAIL NAME: WHY.
check() {
	local name=$1 why=$2
	shift 2
	if "$@"; then pass "$name"; else fail "$name" "$why"; fi
}

# cleanup: stop every process we started, delete our namespaces and the
# temporary directory.  Installed as the EXIT trap by setup.
cleanup() {
	local rc=$? p n i
	for p in "${PIDS[@]}"; do
		kill "$p" 2>/dev/null || true
	done
	for p in "${PIDS[@]}"; do
		for i in 1 2 3 4 5 6 7 8 9 10; do
			kill -0 "$p" 2>/dev/null || break
			sleep 0.2
		done
		kill -9 "$p" 2>/dev/null || true
	done
	for n in "${NETNS[@]}"; do
		# Anything still running in a namespace of ours was started by us.
		ip netns pids "$n" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
		ip netns del "$n" 2>/dev/null || true
	done
	sanitizer_check
	if [ -n "${NL_KEEP:-}" ]; then echo "kept $T" >&2; else rm -rf "$T"; fi
	[ "$FAILED" -eq 0 ] || rc=1
	exit "$rc"
}

# sanitizer_check: FAIL if a sanitizer wrote a report to any stderr file.
sanitizer_check() {
	local f
	for f in "$T"/*.stderr; do
		[ -f "$f" ] || continue
		if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$f"; then
			fail sanitizer "${f##*/}: $(grep -m1 -E 'Sanitizer|runtime error:' "$f")"
		fi
	done
}

# setup: check we can make namespaces, make the temp dir, install the trap.
setup() {
	[ -n "${NL_PATCHED:-}" ] || skip_all "NL_PATCHED not set (run tests/run)"
	[ "$(id -u)" -eq 0 ] || skip_all "needs root for network namespaces"
	unshare -n true 2>/dev/null || skip_all "cannot create a network namespace (unshare -n failed)"
	command -v ip >/dev/null || skip_all "iproute2 (ip) is not installed"
	getent passwd sshd >/dev/null || skip_all "no privsep user sshd (scripts/install-deps)"
	SSHD=$NL_PATCHED/sshd
	SSH=$NL_PATCHED/ssh
	T=$(mktemp -d /tmp/nltest.XXXXXX)
	chmod 755 "$T"
	trap cleanup EXIT
	trap 'exit 1' INT TERM HUP
	make_keys
}

# ns_add NAME: a namespace with lo up, deleted by cleanup.
ns_add() {
	ip netns add "$1"
	NETNS+=("$1")
	ip -n "$1" link set lo up
}

# ns_pair: namespaces $NS_S and $NS_C joined by a veth (vs <-> vc).  The
# client side has CLIENT4/24 and CLIENT6/64; the server side no address.
ns_pair() {
	ns_add "$NS_S"
	ns_add "$NS_C"
	ip -n "$NS_S" link add vs type veth peer name vc netns "$NS_C"
	ip -n "$NS_S" link set vs up
	ip -n "$NS_C" link set vc up
	ip -n "$NS_C" addr add "$CLIENT4/24" dev vc
	ip -n "$NS_C" addr add "$CLIENT6/64" dev vc nodad
}

# addr_add ADDR/PLEN / addr_del ADDR/PLEN: on the server's veth (v6 nodad).
addr_add() {
	case $1 in
	*:*) ip -n "$NS_S" addr add "$1" dev vs nodad ;;
	*) ip -n "$NS_S" addr add "$1" dev vs ;;
	esac
}
addr_del() { ip -n "$NS_S" addr del "$1" dev vs; }

# make_keys: host key, client key and authorized_keys in $T.
make_keys() {
	"$NL_PATCHED/ssh-keygen" -q -t ed25519 -N '' -C host -f "$T/host_ed25519"
	"$NL_PATCHED/ssh-keygen" -q -t ed25519 -N '' -C client -f "$T/id_ed25519"
	cp "$T/id_ed25519.pub" "$T/authorized_keys"
}

# sshd_config FILE: the common part of a server configuration; the caller
# appends its Port / ListenAddress lines.
sshd_config() {
	cat >"$1" <<EOF
HostKey $T/host_ed25519
AuthorizedKeysFile $T/authorized_keys
PidFile $T/sshd.pid
UsePAM no
StrictModes no
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
LogLevel INFO
EOF
}

# start_sshd CONFIG [NAME]: run sshd -D in the server namespace; its log is
# $T/NAME.log (default sshd), its stderr $T/NAME.stderr.  Sets SSHD_PID.
start_sshd() {
	local name=${2:-sshd}
	ip netns exec "$NS_S" "$SSHD" -D -f "$1" -E "$T/$name.log" \
	    2>>"$T/$name.stderr" </dev/null &
	SSHD_PID=$!
	PIDS+=("$SSHD_PID")
}

# wait_log FILE TEXT [COUNT] [SECONDS]: wait until FILE holds at least COUNT
# lines containing TEXT (fixed string).  Fails after SECONDS (default 10).
wait_log() {
	local file=$1 text=$2 count=${3:-1} limit=${4:-10} i
	for ((i = 0; i < limit * 10; i++)); do
		[ "$(count_log "$file" "$text")" -ge "$count" ] && return 0
		# A dead sshd writes no more lines.
		[ -z "${SSHD_PID:-}" ] || sshd_alive || [ $i -lt 5 ] || return 1
		sleep 0.1
	done
	return 1
}
# log_has FILE LINE: FILE has exactly LINE as a line (sshd's -E log ends
# its lines with CR LF).
log_has() { tr -d '\r' <"$1" | grep -qxF -- "$2"; }
# count_log FILE TEXT: number of lines of FILE containing TEXT.
count_log() {
	local n
	n=$(grep -cF -- "$2" "$1" 2>/dev/null) || true
	echo "${n:-0}"
}

# ssh_run NS ADDR PORT CMD...: key-based login as root, run CMD, print its
# output.  The exit status is ssh's.
ssh_run() {
	local ns=$1 addr=$2 port=$3
	shift 3
	timeout 20 ip netns exec "$ns" "$SSH" -F /dev/null -i "$T/id_ed25519" \
	    -o IdentitiesOnly=yes -o IdentityAgent=none \
	    -o UserKnownHostsFile=/dev/null -o GlobalKnownHostsFile=/dev/null \
	    -o StrictHostKeyChecking=no -o BatchMode=yes -o LogLevel=ERROR \
	    -o ConnectTimeout=3 -p "$port" "root@$addr" "$@" </dev/null
}

# login_ok NS ADDR PORT: a login runs a command whose output proves the
# remote shell evaluated it.
login_ok() {
	local out
	# shellcheck disable=SC2016  # expanded by the remote shell
	out=$(ssh_run "$1" "$2" "$3" 'echo "login-ok $((6 * 7))"' 2>>"$T/ssh.stderr") || return 1
	[ "$out" = "login-ok 42" ]
}

login_fails() { ! login_ok "$@"; }

# wait_login NS ADDR PORT [TRIES]: retry login_ok, bounded.
wait_login() {
	local i
	for ((i = 0; i < ${4:-20}; i++)); do
		login_ok "$1" "$2" "$3" && return 0
		sleep 0.2
	done
	return 1
}

# tcp_connect NS ADDR PORT: print how a plain TCP connect ends
# ("connected", "refused", "timeout" or the error text).
tcp_connect() {
	local out
	# shellcheck disable=SC2016  # $0 and $1 of the inner bash
	if out=$(ip netns exec "$1" timeout 3 bash -c \
	    'exec 3<>"/dev/tcp/$0/$1"' "$2" "$3" 2>&1); then
		echo connected
	elif [ -z "$out" ]; then
		echo timeout
	else
		case $out in
		*"Connection refused"*) echo refused ;;
		*) printf '%s\n' "${out##*: }" ;;
		esac
	fi
}

# sshd_alive: the sshd started last is still running.
sshd_alive() { kill -0 "$SSHD_PID" 2>/dev/null; }

# now_ms: milliseconds since the epoch; since_ms T0: "S.mmm" seconds since T0.
now_ms() { date +%s%3N; }
since_ms() {
	local d=$(($(now_ms) - $1))
	printf '%d.%03d' $((d / 1000)) $((d % 1000))
}

# ------------------------------------------------------------------------
# Several nodes on one segment, and the daemons that give them their
# addresses (t-20 keepalived, t-21 DHCP, t-22 radvd).

NS_LAN=nlt$$-lan
LAN_PORTS=0
DAEMON_PIDFILES=()
DAEMON_NAMES=()

# netlink_groups PID: the groups of each netlink route socket PID holds.
netlink_groups() {
	local pid=$1 inodes
	inodes=$(find "/proc/$pid/fd" -lname 'socket:*' -printf '%l\n' 2>/dev/null |
	    sed 's/socket:\[\(.*\)\]/\1/')
	[ -n "$inodes" ] || return 0
	# sk Eth Pid Groups Rmem Wmem Dump Locks Drops Inode
	awk -v list="$inodes" 'BEGIN { n = split(list, a, "\n"); for (i = 1; i <= n; i++) want[a[i]] = 1 }
	    NR > 1 && $2 == 0 && ($10 in want) { print $4 }' "/proc/$pid/net/netlink"
}

# boot_node_sshd NS NAME ADDR PORT: sshd on NS whose only listener is
# ADDR:PORT, not configured yet (tests/t-21, t-22): it must start and say
# so, or the test ends.  Its log is $T/NAME.log.
boot_node_sshd() {
	local ns=$1 name=$2 addr=$3 port=$4 log=$T/$2.log
	sshd_config "$T/sshd_config"
	printf '%s\n' "Port $port" "ListenAddressNonlocal $addr" >>"$T/sshd_config"
	start_node_sshd "$ns" "$name" "$T/sshd_config"
	if ! wait_log "$log" "Server listening on $addr port $port."; then
		fail listening "sshd did not start: $(tr -d '\r' <"$log" | tail -n 3 | tr '\n' '|')"
		finish
	fi
	check not-configured "no 'not configured yet' line for $addr" \
	    log_has "$log" "Non-local listen address $addr port $port is not configured yet."
}

# wait_for SECONDS CMD...: retry CMD every 0.1 s until it succeeds; fails
# after SECONDS.
wait_for() {
	local limit=$1 i
	shift
	for ((i = 0; i < limit * 10; i++)); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}

# lan_add: namespace $NS_LAN holding the bridge br0, the segment that
# lan_port plugs the nodes into.  IPv6 is off in it: it only switches
# frames (VRRP multicast, ARP, neighbour discovery, DHCP broadcasts).
lan_add() {
	ns_add "$NS_LAN"
	ip netns exec "$NS_LAN" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
	    net.ipv6.conf.default.disable_ipv6=1
	ip -n "$NS_LAN" link add br0 type bridge
	ip -n "$NS_LAN" link set br0 up
}

# lan_port NS [MAC]: interface eth0 in NS, a veth whose peer is a port of
# br0 in $NS_LAN; MAC (if given) is set before the link comes up, so that
# its IPv6 addresses derive from it.
lan_port() {
	local ns=$1 mac=${2:-} peer
	peer=p$((LAN_PORTS += 1))
	ip -n "$NS_LAN" link add "$peer" type veth peer name eth0 netns "$ns"
	ip -n "$NS_LAN" link set "$peer" master br0 up
	[ -z "$mac" ] || ip -n "$ns" link set eth0 address "$mac"
	ip -n "$ns" link set eth0 up
}

# ns_has_addr NS ADDR: ADDR is configured on an interface in NS.
ns_has_addr() { [ -n "$(ip -n "$1" addr show to "$2" 2>/dev/null)" ]; }
# ns_tentative NS ADDR: ADDR is in NS and still in duplicate address
# detection.
ns_tentative() { ip -n "$1" addr show to "$2" 2>/dev/null | grep -qw tentative; }

# start_node_sshd NS NODE CONFIG [SSHD]: sshd -D (default $SSHD) in
# namespace NS and in a UTS namespace of its own whose host name is NODE,
# so that `uname -n` in a session tells which node answered; its log is
# $T/NODE.log, its stderr $T/NODE.stderr.  Sets SSHD_PID.
start_node_sshd() {
	local ns=$1 node=$2 cfg=$3 bin=${4:-$SSHD}
	# shellcheck disable=SC2016  # $0 and $@ of the inner sh
	ip netns exec "$ns" unshare --uts sh -c 'hostname "$0" && exec "$@"' "$node" \
	    "$bin" -D -f "$cfg" -E "$T/$node.log" 2>>"$T/$node.stderr" </dev/null &
	SSHD_PID=$!
	PIDS+=("$SSHD_PID")
}

# node_login NS ADDR PORT: log in to ADDR port PORT and print the host name
# of the node that answered; fails if the login fails or the session's
# server address ($SSH_CONNECTION) is not ADDR port PORT.
node_login() {
	local out node sa sp
	# shellcheck disable=SC2016  # expanded by the remote shell
	out=$(ssh_run "$1" "$2" "$3" 'echo "$(uname -n) $SSH_CONNECTION"' \
	    2>>"$T/ssh.stderr") || return 1
	read -r node _ _ sa sp _ <<<"$out"
	[ "$sa" = "$2" ] && [ "$sp" = "$3" ] || return 1
	printf '%s\n' "$node"
}

# wait_node NS ADDR PORT NODE [TRIES]: retry node_login (default 15 tries)
# until NODE answers; LAST_NODE is the last answer ("none" if no login).
wait_node() {
	local i
	for ((i = 0; i < ${5:-15}; i++)); do
		LAST_NODE=$(node_login "$1" "$2" "$3") || LAST_NODE=none
		[ "$LAST_NODE" != "$4" ] || return 0
		sleep 0.2
	done
	return 1
}

# daemon_track PIDFILE NAME: a daemon (command name NAME) that writes its
# pid to PIDFILE; every tracked daemon is stopped on exit (the EXIT trap
# becomes daemons_exit).
daemon_track() {
	DAEMON_PIDFILES+=("$1")
	DAEMON_NAMES+=("$2")
	trap daemons_exit EXIT
}

# daemons_exit: stop the tracked daemons, then cleanup, with the script's
# exit status (errexit off: a daemon already gone must not skip cleanup).
daemons_exit() {
	local rc=$?
	set +e
	daemons_stop
	(exit "$rc")
	cleanup
}

# daemon_wait PIDFILE [SECONDS]: wait (default 10 s) until PIDFILE names a
# running process.
daemon_wait() {
	# shellcheck disable=SC2016  # $0 of the inner bash
	wait_for "${2:-10}" bash -c '[ -s "$0" ] && kill -0 "$(cat "$0")" 2>/dev/null' "$1"
}

# proc_gone PID: PID has exited (or is a zombie).
proc_gone() {
	[ ! -d "/proc/$1" ] || grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null
}

# daemon_stop PIDFILE NAME: SIGTERM to the process PIDFILE names, if its
# command is NAME; wait up to 5 s for it to exit, then SIGKILL.  Fails if
# PIDFILE names no such process.
daemon_stop() {
	local pid
	pid=$(cat "$1" 2>/dev/null) || return 1
	[[ $pid =~ ^[0-9]+$ ]] || return 1
	[ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$2" ] || return 1
	kill "$pid" 2>/dev/null || true
	wait_for 5 proc_gone "$pid" || kill -9 "$pid" 2>/dev/null || true
}

# daemons_stop: daemon_stop every tracked daemon that is still running.
daemons_stop() {
	local i
	for i in "${!DAEMON_PIDFILES[@]}"; do
		daemon_stop "${DAEMON_PIDFILES[$i]}" "${DAEMON_NAMES[$i]}" || true
	done
}

# need_cmd CMD PACKAGE: SKIP the test unless CMD is installed.
need_cmd() {
	command -v "$1" >/dev/null ||
	    skip_all "$1 is not installed (Debian package $2: scripts/install-deps test)"
}

# The daemons live in sbin, which a non-login root shell may lack.
case :$PATH: in *:/usr/sbin:*) ;; *) PATH=$PATH:/usr/sbin:/sbin ;; esac
