#!/usr/bin/env bash
# t-85-warnings: the series adds no compiler warning.  Each file it touches
# is compiled with gcc and with clang at -O2 -Wall -Wextra in the configured
# upstream tree and in every patched branch (Linux, FreeBSD, old FreeBSD,
# OpenBSD, none: see t-80-platforms.sh), and the warnings, with line
# numbers removed, are compared as multisets: a warning the upstream file
# does not give as often is new.  One PASS/FAIL line per (compiler, file).
# The objects go to a scratch dir; the build dirs are left untouched.
#
# NL_UPSTREAM, NL_PATCHED: build dirs of upstream / patched 9.2p1 (else
# built here; the other branches come from t-80-platforms.sh --build).
set -eu

TOP=$(cd "$(dirname "$0")/.." && pwd)
BASE=${NL_BASE:-9.2p1}
FILES="misc.c openbsd-compat/port-net.c servconf.c sshd.c nonlocal.c"
COMPILERS="gcc clang"
BRANCHES="linux freebsd freebsd-old openbsd nooption"
WARN_FLAGS="-O2 -Wall -Wextra"
export LC_ALL=C

failed=0
pass() { printf 'PASS warnings/%s\n' "$1"; }
fail() { printf 'FAIL warnings/%s: %s\n' "$1" "$2"; failed=1; }
skip() { printf 'SKIP warnings/%s: %s\n' "$1" "$2"; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/t-85.XXXXXX")
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() { rm -rf "$WORK"; }
trap cleanup EXIT

# tree NAME: the configured build dir of upstream or of a patched branch.
tree() {
	case $1 in
	upstream)
		if [ -n "${NL_UPSTREAM:-}" ]; then
			printf '%s\n' "$NL_UPSTREAM"
		else
			"$TOP/scripts/build" "$BASE" upstream
		fi ;;
	*) "$TOP/tests/t-80-platforms.sh" --build "$1" ;;
	esac
}

# warnings CC OBJ FILE: compile FILE of the configured tree OBJ with CC the
# way its Makefile would (same -I/-D), print its warnings without line and
# column, sorted.  Returns 1 if it does not compile.
warnings() {
	local cc=$1 obj=$2 file=$3 dir name cmd out=$WORK/o.o
	dir=$(dirname "$file")
	name=$(basename "$file" .c)
	cmd=$(make -s -C "$obj/$dir" -n -W "$name.c" "$name.o" CC="$cc" \
	    CFLAGS="$WARN_FLAGS" CFLAGS_NOPIE="$WARN_FLAGS" 2>/dev/null | grep -E " -c $name\\.c( |\$)" | tail -n 1)
	[ -n "$cmd" ] || { echo "no compile command for $file in $obj" >&2; return 1; }
	cmd=${cmd% -o "$name.o"}
	(cd "$obj/$dir" && eval "$cmd -o '$out'") >"$WORK/cc.out" 2>&1 || {
		grep -m1 'error' "$WORK/cc.out" >&2
		return 1
	}
	sed -n -E 's/^([^ :]+):[0-9]+:[0-9]+: warning: /\1: warning: /p' "$WORK/cc.out" | sort
}

# new_warnings BASEFILE FILE: lines of FILE beyond their count in BASEFILE.
new_warnings() {
	awk 'NR == FNR { n[$0]++; next } n[$0]-- <= 0' "$1" "$2"
}

main() {
	local b cc f key why obj
	local -A objs=()
	for b in upstream $BRANCHES; do
		if obj=$(tree "$b" 2>"$WORK/build.err"); then
			objs[$b]=$obj
		else
			fail "build-$b" "$(tail -n 1 "$WORK/build.err")"
		fi
	done
	[ -n "${objs[upstream]:-}" ] || exit 1
	for cc in $COMPILERS; do
		if ! command -v "$cc" >/dev/null; then
			skip "$cc" "$cc is not installed (scripts/install-deps test)"
			continue
		fi
		for f in $FILES; do
			key=$cc/$(basename "$f")
			if [ ! -f "${objs[upstream]}/$f" ]; then
				# A file of the series' own: no warning at all.
				: >"$WORK/base"
			elif ! warnings "$cc" "${objs[upstream]}" "$f" >"$WORK/base" 2>"$WORK/err"; then
				fail "$key" "upstream does not compile: $(head -n 1 "$WORK/err")"
				continue
			fi
			why=
			for b in $BRANCHES; do
				[ -n "${objs[$b]:-}" ] || continue
				if ! warnings "$cc" "${objs[$b]}" "$f" >"$WORK/new" 2>"$WORK/err"; then
					why="$why; $b does not compile: $(head -n 1 "$WORK/err")"
					continue
				fi
				new_warnings "$WORK/base" "$WORK/new" >"$WORK/diff"
				if [ -s "$WORK/diff" ]; then
					why="$why; new in $b: $(paste -sd '|' "$WORK/diff")"
				fi
			done
			if [ -z "$why" ]; then
				pass "$key"
			else
				fail "$key" "${why#; }"
			fi
		done
	done
	exit $failed
}

main "$@"
