# Shared helpers for the benchmarks in this folder.  Source it; do not run it.
# shellcheck shell=bash
#
# Expects PATCHED and UPSTREAM (build directories) and WORK (a private
# scratch directory the caller removes).  Every namespace and sshd started
# through these helpers is recorded and removed by bench_cleanup, which the
# caller runs from its EXIT trap.

BENCH_NETNS=()
BENCH_PIDS=()

# bench_cleanup: stop every process group and namespace we made.
bench_cleanup() {
	local p n
	for p in "${BENCH_PIDS[@]}"; do
		kill -TERM -- "-$p" 2>/dev/null || kill -TERM "$p" 2>/dev/null || true
	done
	for n in "${BENCH_NETNS[@]}"; do
		ip netns pids "$n" 2>/dev/null | xargs -r kill -KILL 2>/dev/null || true
		ip netns del "$n" 2>/dev/null || true
	done
	BENCH_PIDS=() BENCH_NETNS=()
}

# make_netns NAME: a private namespace with lo and an address-less veth
# pair eth0/eth1 (eth0 gets the addresses).  Nothing routes to
# 198.51.100.0/24 there until an address is added, so a connect to an
# absent address fails at once: no ARP time is measured, only sshd's.
make_netns() {
	ip netns add "$1"
	BENCH_NETNS+=("$1")
	ip -n "$1" link set lo up
	ip -n "$1" link add eth0 type veth peer name eth1
	ip -n "$1" link set eth0 up
	ip -n "$1" link set eth1 up
}

# add_addr NS ADDR / del_addr NS ADDR: a host address on eth0.
add_addr() { ip -n "$1" addr add "$2/32" dev eth0; }
del_addr() { ip -n "$1" addr del "$2/32" dev eth0; }

# make_keys: host and client ed25519 keys under $WORK.
make_keys() {
	"$UPSTREAM/ssh-keygen" -q -t ed25519 -N '' -f "$WORK/host_ed25519"
	"$UPSTREAM/ssh-keygen" -q -t ed25519 -N '' -f "$WORK/id_ed25519"
	cp "$WORK/id_ed25519.pub" "$WORK/authorized_keys"
}

# write_config FILE LINE...: an sshd_config for key login as root, the
# given Listen lines, PidFile FILE.pid.
write_config() {
	local f=$1
	shift
	{
		printf '%s\n' "$@"
		cat <<-EOF
		HostKey $WORK/host_ed25519
		PidFile $f.pid
		AuthorizedKeysFile $WORK/authorized_keys
		PermitRootLogin prohibit-password
		StrictModes no
		UsePAM no
		PasswordAuthentication no
		KbdInteractiveAuthentication no
		MaxStartups 100
		SetEnv HOME=$WORK
		EOF
	} >"$f"
}

# login_cmd ADDR PORT: a shell command that exits 0 only after a key-based
# login ran "echo ok" on ADDR PORT.
login_cmd() {
	# shellcheck disable=SC2016 # expands when the command runs
	printf '[ "$(%q -F /dev/null -i %q -o UserKnownHostsFile=/dev/null' \
	    "$UPSTREAM/ssh" "$WORK/id_ed25519"
	printf ' -o StrictHostKeyChecking=no -o BatchMode=yes -o LogLevel=ERROR'
	printf ' -o ConnectTimeout=2 -p %s root@%s echo ok 2>/dev/null)" = ok ]' "$2" "$1"
}

# start_sshd NS BUILD CONFIG: sshd -D in NS, waits (bounded) until it wrote
# its pid file, which upstream does once every listener is set up.
start_sshd() {
	local ns=$1 build=$2 cfg=$3 i
	rm -f "$cfg.pid"
	ip netns exec "$ns" "$build/sshd" -D -f "$cfg" -E "$cfg.log" </dev/null &
	BENCH_PIDS+=("$!")
	for ((i = 0; i < 500; i++)); do
		[ -s "$cfg.pid" ] && return 0
		sleep 0.01
	done
	echo "sshd with $cfg did not start: $(tail -n 3 "$cfg.log")" >&2
	return 1
}

# stop_sshd CONFIG: stop the sshd that wrote CONFIG.pid and wait (bounded)
# until it has exited.
stop_sshd() {
	local pid i
	pid=$(cat "$1.pid" 2>/dev/null) || return 0
	kill -TERM "$pid" 2>/dev/null || true
	for ((i = 0; i < 300; i++)); do
		gone "$pid" && break
		sleep 0.01
	done
	rm -f "$1.pid"
}

# gone PID: the process has exited (an exited orphan may wait a while for
# its new parent to reap it).
gone() {
	local st
	read -r st 2>/dev/null <"/proc/$1/stat" || return 0
	st=${st##*) }
	[ "${st%% *}" = Z ]
}

# reap: forget background jobs that have ended.
reap() {
	local p alive=()
	for p in "${BENCH_PIDS[@]}"; do
		if kill -0 "$p" 2>/dev/null; then alive+=("$p"); else wait "$p" 2>/dev/null || true; fi
	done
	BENCH_PIDS=("${alive[@]}")
}

# stats FILE: "N MEDIAN MIN P90 MAX" of the numbers in FILE (one a line,
# microseconds), in milliseconds; p90 by nearest rank.  "never" lines are
# counted apart: "N never" when every line is "never".
stats() {
	sort -g "$1" | awk '
	$1 == "never" { never++; next }
	{ v[n++] = $1 }
	END {
		if (n == 0) { printf "%d never\n", never; exit }
		p90 = int(0.9 * n + 0.999999); if (p90 < 1) p90 = 1
		med = (n % 2) ? v[int(n / 2)] : (v[n / 2 - 1] + v[n / 2]) / 2
		printf "%d %.2f %.2f %.2f %.2f\n", n, med / 1000, v[0] / 1000,
		    v[p90 - 1] / 1000, v[n - 1] / 1000
	}'
}

# median FILE: the median of the numbers in FILE.
median() {
	sort -g "$1" | awk '{ v[n++] = $1 } END {
		if (n == 0) exit 1
		printf "%.6f\n", (n % 2) ? v[int(n / 2)] : (v[n / 2 - 1] + v[n / 2]) / 2 }'
}

# ratio_ci [SEED]: paired ratio with a 95% bootstrap interval.  Each line
# on stdin is one round: "A_COST A_COUNT B_COST B_COUNT".  The ratio is
# (sum A_COST / sum A_COUNT) / (sum B_COST / sum B_COUNT); the interval is
# the 2.5 and 97.5 percentiles of that ratio over 2000 resamples of whole
# rounds, so what a round's drift does to both sides stays paired.  The
# seed is fixed: the same figures give the same interval.  Prints "RATIO LO
# HI ROUNDS NEEDED": NEEDED is how many rounds would bring the interval
# within +-1% of the ratio, from its width scaling as 1/sqrt(rounds).
ratio_ci() {
	awk -v seed="${1:-1}" '
	{ a[n] = $1; ac[n] = $2; b[n] = $3; bc[n] = $4; n++ }
	function ratio(sa, sac, sb, sbc) { return (sa / sac) / (sb / sbc) }
	END {
		if (n == 0) exit 1
		for (i = 0; i < n; i++) { sa += a[i]; sac += ac[i]; sb += b[i]; sbc += bc[i] }
		r = ratio(sa, sac, sb, sbc)
		srand(seed)
		B = 2000
		for (k = 0; k < B; k++) {
			sa = sac = sb = sbc = 0
			for (i = 0; i < n; i++) {
				j = int(rand() * n)
				sa += a[j]; sac += ac[j]; sb += b[j]; sbc += bc[j]
			}
			t[k] = ratio(sa, sac, sb, sbc)
		}
		asort(t)
		lo = t[int(0.025 * B) + 1]; hi = t[int(0.975 * B)]
		hw = (hi - r > r - lo) ? hi - r : r - lo
		need = n * (hw / r / 0.01) ^ 2
		need = (need == int(need)) ? need : int(need) + 1
		printf "%.4f %.4f %.4f %d %d\n", r, lo, hi, n, need
	}'
}

# median_diff_ci FILE_A FILE_B [SEED]: median of A minus median of B with a
# 95% bootstrap interval (each file resampled on its own, 2000 times; fixed
# seed), microseconds in, milliseconds out: "DIFF LO HI".  "never" lines
# are left out.  An interval that holds 0 means the two differ by no more
# than their own spread explains: within noise.
median_diff_ci() {
	awk -v seed="${3:-1}" '
	function med(v, m,   s, i) {
		for (i = 0; i < m; i++) s[i + 1] = v[i]
		asort(s)
		return (m % 2) ? s[(m + 1) / 2] : (s[m / 2] + s[m / 2 + 1]) / 2
	}
	$1 == "never" { next }
	FILENAME == ARGV[1] { a[na++] = $1; next }
	{ b[nb++] = $1 }
	END {
		if (na == 0 || nb == 0) exit 1
		d = med(a, na) - med(b, nb)
		srand(seed)
		B = 2000
		for (k = 0; k < B; k++) {
			for (i = 0; i < na; i++) ra[i] = a[int(rand() * na)]
			for (i = 0; i < nb; i++) rb[i] = b[int(rand() * nb)]
			t[k] = med(ra, na) - med(rb, nb)
		}
		asort(t)
		printf "%.2f %.2f %.2f\n", d / 1000, t[int(0.025 * B) + 1] / 1000, t[int(0.975 * B)] / 1000
	}' "$1" "$2"
}
