#!/usr/bin/env bash
# Bad input: every case of tests/bad-config.txt makes "sshd -t" fail
# cleanly (exit 255 from fatal(), never a signal or a sanitizer report) with
# a message naming the file and line; the valid lines pass.  One PASS line
# for the corpus and one for the valid lines, a FAIL line per failing case.
#
# NL_CORPUS (default tests/bad-config.txt) and NL_WRAP (a command prefix
# such as valgrind) let t-09 reuse this.
set -eu
T_NAME='bad-config'
. "$(dirname "$0")/lib.sh"
setup
CORPUS=${NL_CORPUS:-$TESTS/bad-config.txt}
read -r -a WRAP <<<"${NL_WRAP:-}"
LONG=$(printf 'a%.0s' $(seq 5000))
# Names are resolved inside a namespace without a network.
ns_add "$NS_S"

# expand TEXT: the corpus placeholders (of the current case).
expand() {
	local s=$1
	s=${s//\{LONG\}/$LONG}
	s=${s//\{FILE\}/$file}
	s=${s//\{INC\}/$inc}
	s=${s//\{LINE\}/3}
	s=${s//\{NEXT\}/4}
	printf '%s' "$s"
}

# run_case NUM NAME KIND TEXT EXPECT EXIT: prints nothing if the case
# behaves, else why not.
run_case() {
	local num=$1 name=$2 kind=$3 text expect='' want=${6:-255} rc=0 out args=()
	file=$T/case$num/sshd_config
	inc=$T/case$num/included.conf
	mkdir -p "$T/case$num"
	text=$(expand "$4")
	printf 'HostKey %s\nPidFile none\n' "$T/host_ed25519" >"$file"
	case $kind in
	*-opt) args=(-o "$(printf '%b' "$text")") ;;
	*-inc) printf '%b\n' "$text" >"$inc"; echo "Include $inc" >>"$file" ;;
	*) printf '%b\n' "$text" >>"$file" ;;
	esac
	case $kind in
	bad) expect="{FILE} line {LINE}:" ;;
	bad-opt) expect="command-line line 0:" ;;
	bad-inc) expect="{INC} line 1:" ;;
	esac
	expect=$(expand "${5:-$expect}")
	out=$(ip netns exec "$NS_S" timeout 60 "${WRAP[@]}" "$SSHD" -t -f "$file" "${args[@]}" \
	    2>&1 </dev/null) || rc=$?
	printf '%s\n' "$out" >"$T/case$num/sshd.stderr"
	if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:|== ?(Invalid|Conditional|Mismatched|Syscall param)' <<<"$out"; then
		echo "sanitizer or valgrind report: $(grep -m1 -E 'Sanitizer|runtime error|Invalid|Conditional|Mismatched|Syscall' <<<"$out")"
		return
	fi
	case $kind in
	ok*)
		if [ "$rc" -ne 0 ]; then
			echo "valid line rejected (exit $rc): ${out:0:200}"
		else
			dump_has_nonlocal "$file" "${args[@]}"
		fi
		return ;;
	esac
	if [ "$rc" -ne "$want" ]; then
		echo "exit $rc, want $want: ${out:0:200}"
	elif [[ $out != *"$expect"* ]]; then
		echo "no '${expect:0:120}' in: ${out:0:200}"
	fi
}

# dump_has_nonlocal FILE [ARGS]: "sshd -T" of a valid case succeeds and
# shows a non-local listener in the canonical form; else says why.
dump_has_nonlocal() {
	local rc=0 out err
	out=$(ip netns exec "$NS_S" timeout 60 "${WRAP[@]}" "$SSHD" -T -f "$@" \
	    2>"$T/dump.err" </dev/null) || rc=$?
	err=$(cat "$T/dump.err")
	if [ "$rc" -ne 0 ]; then
		echo "sshd -T failed (exit $rc): ${err:0:200}"
	elif ! grep -qE '^listenaddress [^ ]+:[0-9]+( rdomain [^ ]+)? nonlocal$' <<<"$out"; then
		echo "sshd -T shows no non-local listenaddress: $(grep -m3 '^listenaddress' <<<"$out" | tr '\n' ' ')"
	fi
}

# Cases: NAME | KIND | TEXT [| EXPECT [| EXIT]]; the separator is " | ".
num=0 bad=0 bad_fail=0 ok=0 ok_fail=0
while IFS= read -r line; do
	case $line in ''|'#'*) continue ;; esac
	num=$((num + 1))
	rest=$line
	fields=()
	while [[ $rest == *" | "* ]]; do
		fields+=("${rest%%" | "*}")
		rest=${rest#*" | "}
	done
	fields+=("$rest")
	name=${fields[0]} kind=${fields[1]:-}
	[ ${#fields[@]} -ge 3 ] || { fail "corpus-line-$num" "malformed corpus line: $line"; continue; }
	why=$(run_case "$num" "$name" "$kind" "${fields[2]}" "${fields[3]:-}" "${fields[4]:-}")
	case $kind in
	ok*) ok=$((ok + 1)) ;;
	*) bad=$((bad + 1)) ;;
	esac
	[ -z "$why" ] && continue
	fail "$name" "$why"
	case $kind in
	ok*) ok_fail=$((ok_fail + 1)) ;;
	*) bad_fail=$((bad_fail + 1)) ;;
	esac
done <"$CORPUS"

if [ "$bad_fail" -eq 0 ] && [ "$bad" -gt 0 ]; then
	pass "corpus-$bad-bad-cases-rejected"
fi
if [ "$ok_fail" -eq 0 ] && [ "$ok" -gt 0 ]; then
	pass "corpus-$ok-valid-cases-accepted"
fi
finish
