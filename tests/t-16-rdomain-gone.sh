#!/usr/bin/env bash
# A non-local listener's routing domain goes away (on Linux an rdomain is
# a network device, here one end of a veth pair): the watch's probe cannot
# enter it any more.  sshd says so once (set_rdomain()'s own error, then
# "no longer watched") instead of at every address change.  (Upstream's
# own behaviour is unchanged: every connection re-parses the
# configuration, whose rdomain no longer exists, so logins fail until the
# device is back.)
set -eu
T_NAME='rdomain-gone'
. "$(dirname "$0")/lib.sh"
setup
PORT=2216
DEV=nld0
ADDR=198.51.100.30

ns_pair
addr_add "$SERVER4/24"
ip -n "$NS_S" link add "$DEV" type veth peer name "${DEV}p"
ip -n "$NS_S" link set "$DEV" up
sshd_config "$T/sshd_config"
printf '%s\n' "Port $PORT" "ListenAddress $SERVER4" \
    "ListenAddressNonlocal $ADDR rdomain $DEV" >>"$T/sshd_config"
start_sshd "$T/sshd_config"
wait_log "$T/sshd.log" "Server listening on $ADDR port $PORT rdomain $DEV." ||
    { fail starts "sshd did not start: $(tail -n 2 "$T/sshd.log")"; finish; }
# The absent address's line names its routing domain, as "Server
# listening" does.
check absent-line-names-rdomain "$(grep -m1 'is not configured yet' "$T/sshd.log" || echo 'no such line')" \
    log_has "$T/sshd.log" "Non-local listen address $ADDR port $PORT rdomain $DEV is not configured yet."

ip -n "$NS_S" link del "$DEV"
# Address changes that make the watch check its addresses again.
for i in 1 2 3 4 5; do
	addr_add "198.51.100.$((60 + i))/32"
	sleep 0.3
done
check gone-said-once "'no longer watched' logged $(count_log "$T/sshd.log" "rdomain $DEV is no longer watched") times" \
    wait_log "$T/sshd.log" "non-local listen address $ADDR rdomain $DEV is no longer watched"
sleep 1
check gone-said-once-only "'no longer watched' logged $(count_log "$T/sshd.log" "is no longer watched") times" \
    test "$(count_log "$T/sshd.log" "is no longer watched")" -eq 1
check rdomain-error-once "the routing domain error was logged $(count_log "$T/sshd.log" "$DEV") times" \
    test "$(count_log "$T/sshd.log" "SO_BINDTODEVICE")" -le 1
check alive "sshd died" sshd_alive
finish
