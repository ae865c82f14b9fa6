#!/usr/bin/env bash
# Churn: 16 non-local listeners (MAX_LISTEN_SOCKS; one address stays
# present, 15 come and go) while 10,000 address additions and removals
# (of watched and of unrelated addresses) go by and logins run in a loop.
# Every login to the address that stays present succeeds, the listener
# holds as many fds and about as much memory afterwards as before, and its
# bind probes are bounded per wakeup (at most one batch per wakeup, never
# one per message).
set -eu
T_NAME='churn'
. "$(dirname "$0")/lib.sh"
setup
PORT=2215
EVENTS=10000
NWATCH=15

ns_pair
addr_add "$SERVER4/24"
sshd_config "$T/sshd_config"
{
	echo "Port $PORT"
	echo "ListenAddressNonlocal $SERVER4"
	for i in $(seq 1 $NWATCH); do
		echo "ListenAddressNonlocal 198.51.100.$((100 + i))"
	done
} >>"$T/sshd_config"
start_sshd "$T/sshd_config"
wait_log "$T/sshd.log" "Server listening on" $((NWATCH + 1)) ||
    { fail starts "sshd did not start: $(tail -n 2 "$T/sshd.log")"; finish; }
login_ok "$NS_C" "$SERVER4" "$PORT" || { fail warm-up-login "no login to $SERVER4"; finish; }
sleep 1

fds() { find "/proc/$SSHD_PID/fd" -mindepth 1 -maxdepth 1 | wc -l; }
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$SSHD_PID/status"; }
fds0=$(fds)
rss0=$(rss_kb)

# EVENTS address changes in CHUNKS ip -batch files, a tenth of a second
# apart so that logins run meanwhile: three watched additions and removals
# for every unrelated pair.
CHUNKS=50
for ((i = 0; i < EVENTS / 2; i++)); do
	if ((i % 4 == 3)); then
		a=198.51.100.$((200 + i % 40))
	else
		a=198.51.100.$((101 + i % NWATCH))
	fi
	printf 'addr add %s/32 dev vs\naddr del %s/32 dev vs\n' "$a" "$a" \
	    >>"$T/batch.$((i % CHUNKS))"
done
# churn: run the chunks; exit 1 if one failed.
churn() {
	local c
	for ((c = 0; c < CHUNKS; c++)); do
		ip -n "$NS_S" -batch "$T/batch.$c" || return 1
		sleep 0.1
	done
}

strace -qq -p "$SSHD_PID" -e trace=ppoll,bind -o "$T/strace.out" 2>/dev/null &
STRACE=$!
PIDS+=("$STRACE")
sleep 1
t0=$(now_ms)
churn &
BATCH=$!
PIDS+=("$BATCH")
logins=0 failed_logins=0
for ((i = 0; i < 200; i++)); do
	if login_ok "$NS_C" "$SERVER4" "$PORT"; then
		logins=$((logins + 1))
	else
		failed_logins=$((failed_logins + 1))
	fi
	kill -0 "$BATCH" 2>/dev/null || break
done
batch_rc=0
wait "$BATCH" || batch_rc=$?
note "$EVENTS address events in $(since_ms "$t0") s, $logins logins during them"
check churn-ran "an ip -batch failed (exit $batch_rc)" test "$batch_rc" -eq 0
check logins-during-churn "$failed_logins of $((logins + failed_logins)) logins failed" \
    test "$failed_logins" -eq 0 -a "$logins" -ge 5
sleep 2
kill "$STRACE" 2>/dev/null || true
wait "$STRACE" 2>/dev/null || true
wakeups=$(grep -c '^ppoll(.*) = [0-9]' "$T/strace.out" || true)
probes=$(grep -c '^bind(' "$T/strace.out" || true)
note "listener: $wakeups wakeups, $probes bind probes for $EVENTS events"
check probes-bounded-per-wakeup "$probes probes for $wakeups wakeups (more than $((NWATCH + 1)) a wakeup)" \
    test "$probes" -le $(((NWATCH + 1) * wakeups))
check probes-not-per-message "$probes probes for $EVENTS events: one batch per message" \
    test "$probes" -lt $(((NWATCH + 1) * EVENTS / 4))
check alive "sshd died" sshd_alive
check login-after-churn "no login to $SERVER4 after the churn" login_ok "$NS_C" "$SERVER4" "$PORT"
sleep 1
fds1=$(fds)
rss1=$(rss_kb)
note "listener fds $fds0 -> $fds1, RSS $rss0 -> $rss1 kB"
check fds-unchanged "the listener holds $fds1 fds, $fds0 before" test "$fds1" -eq "$fds0"
check rss-unchanged "the listener's RSS grew from $rss0 to $rss1 kB" test "$rss1" -le $((rss0 + 64))
check no-fatal "fatal in the log" test "$(count_log "$T/sshd.log" fatal)" -eq 0
finish
