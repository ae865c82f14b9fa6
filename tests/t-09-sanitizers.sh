#!/usr/bin/env bash
# Sanitizers: an ASan+UBSan build of the patched tree runs the bad-input
# corpus (t-08), boot-before-address (t-01), SIGHUP (t-03), the address
# watch (t-10), hostile netlink datagrams (t-12), the deferred bind and its
# squatter (t-11, t-14, on the ASan build without the non-local option)
# and the series' regress test with no sanitizer report; valgrind runs "sshd -t" and
# "sshd -T" of the corpus' valid configurations (full leak check) and
# "sshd -t" of a sample of its bad cases (invalid accesses only) on the
# normal patched build with no error.
#
# The ASan build (lib.sh ASAN_CONFIGURE) has no seccomp sandbox
# (--with-sandbox=no: the sandbox kills ASan's own system calls) and runs
# with detect_leaks=0: sshd exits
# through fatal() and exit() holding memory on purpose, which LeakSanitizer
# would report and turn into exit code 23.  Leaks are valgrind's job here,
# on the successful -t / -T paths; tests/valgrind.supp suppresses upstream's
# definite leaks (compat_init_setproctitle, and the listen addresses of the
# second parse that "Match all" causes under -T), and the pristine build is
# checked to show nothing else on the same kind of configuration.
set -eu
T_NAME='sanitizers'
. "$(dirname "$0")/lib.sh"
setup
TOP=${NL_TOP:-$(cd "$TESTS/.." && pwd)}
BASE=${NL_BASE:-9.2p1}
variant=asan
[ "${FROM_TREE:-0}" != 1 ] || variant=tree-asan

# ASan + UBSan build (tests/run makes it; else here, reused when unchanged).
if [ -n "${NL_ASAN:-}" ]; then
	ASAN_OBJ=$NL_ASAN
	pass asan-build
elif ASAN_OBJ=$("$TOP/scripts/build" "$BASE" "$variant" "${ASAN_CONFIGURE[@]}" 2>"$T/build.err"); then
	pass asan-build
else
	fail asan-build "$(tail -n 1 "$T/build.err")"
	finish
fi
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=0
export UBSAN_OPTIONS=print_stacktrace=1

# The scenarios on the ASan build; each reports sanitizer output in its
# sshd / ssh stderr as a FAIL of its own.
for t in t-01-boot-before-address t-03-sighup t-08-bad-config t-10-watch \
    t-12-hostile-netlink; do
	NL_PATCHED=$ASAN_OBJ NL_TAG=asan "$TESTS/$t.sh" || FAILED=1
done
# The deferred bind on the ASan build without the option (tests/run makes
# it); the periodic check is left to the normal run.
if [ -n "${NL_ASAN_NOOPTION:-}" ]; then
	NL_PATCHED=$ASAN_OBJ NL_NOOPTION=$NL_ASAN_NOOPTION NL_NOWATCH=none \
	    NL_TAG=asan "$TESTS/t-11-deferred.sh" || FAILED=1
	NL_PATCHED=$ASAN_OBJ NL_NOOPTION=$NL_ASAN_NOOPTION \
	    NL_TAG=asan "$TESTS/t-14-squatter.sh" || FAILED=1
else
	fail asan-nooption-build "no ASan build without the non-local option (see build/logs/tests/build-asan-nooption.err)"
fi

# The series' regress test on the ASan build.
TEST_SSH_PORT=4291 "$TOP/scripts/regress" "$ASAN_OBJ" nonlocal 2>"$T/regress.stderr" || FAILED=1
unset ASAN_OPTIONS UBSAN_OPTIONS

command -v valgrind >/dev/null || { note "no valgrind: skipping the valgrind checks"; skip_all "valgrind is not installed"; }
VALGRIND="valgrind -q --error-exitcode=99 --suppressions=$TESTS/valgrind.supp"

# Baseline: the pristine build on a plain configuration, same options.
if [ -n "${NL_UPSTREAM:-}" ]; then
	printf 'HostKey %s\nListenAddress 198.51.100.7:2222\nMatch all\nListenAddress [2001:db8::7]:22\n' \
	    "$T/host_ed25519" >"$T/plain_config"
	rc=0
	for mode in -t -T; do
		$VALGRIND --leak-check=full --errors-for-leak-kinds=definite \
		    "$NL_UPSTREAM/sshd" "$mode" -f "$T/plain_config" >/dev/null 2>>"$T/upstream-vg.log" || rc=$?
	done
	check valgrind-upstream-baseline "the pristine sshd has other valgrind errors: $(grep -m1 -E 'lost|Invalid' "$T/upstream-vg.log")" \
	    test "$rc" -eq 0
fi

# The corpus' valid lines (-t and -T, full leak check), then every eighth
# bad case (-t, invalid accesses only: fatal() leaves memory behind).
grep -E '^[^#|]+ \| ok' "$TESTS/bad-config.txt" >"$T/valid.txt"
grep -E '^[^#|]+ \| bad' "$TESTS/bad-config.txt" | awk 'NR % 8 == 1' >"$T/sample.txt"
NL_CORPUS=$T/valid.txt NL_TAG=valgrind \
    NL_WRAP="$VALGRIND --leak-check=full --errors-for-leak-kinds=definite" \
    "$TESTS/t-08-bad-config.sh" || FAILED=1
NL_CORPUS=$T/sample.txt NL_TAG=valgrind \
    NL_WRAP="$VALGRIND --leak-check=no" \
    "$TESTS/t-08-bad-config.sh" || FAILED=1
finish
