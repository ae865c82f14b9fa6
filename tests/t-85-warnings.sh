#!/usr/bin/env bash
# t-85-warnings: the series adds no compiler warning.  Each file it touches
# is compiled with gcc and with clang at -O2 -Wall -Wextra in the configured
# upstream tree and in every patched branch (Linux, FreeBSD, old FreeBSD,
# OpenBSD, none: see t-80-platforms.sh), and the warnings, with line
# numbers removed, are compared as multisets: a warning the upstream file
# does not give as often is new.  One PASS/FAIL line per (compiler, file).
# The objects go to a scratch dir; the build dirs are left untouched.
#
# Then upstream CI's c89 and -Werror configurations (openssh-portable's
# .github/configs: "c89", "gcc-12-Werror", "clang-12-Werror"; here with
# Debian's gcc and clang): the whole patched tree and the whole pristine
# tree are built with each (scripts/build, make -k), and the patched build
# may neither fail where the pristine one builds nor give a warning or
# error it does not give.  Messages are compared by file, message and the
# source line they quote, line and column numbers removed; a header's are
# counted once (every new file including it repeats them).  The patched
# configure reuses the pristine one's results (CONFIG_SITE), so each
# configuration costs one full configure, a short one and two makes.  One
# PASS/FAIL line per configuration.
#
# NL_UPSTREAM, NL_PATCHED: build dirs of upstream / patched 9.2p1 (else
# built here; the other branches come from t-80-platforms.sh --build).
# "--build" only makes the builds of the CI configurations (tests/run runs
# it before the tests, so that this test's time limit covers no build),
# "--ci" only compares them.
set -eu

TOP=$(cd "$(dirname "$0")/.." && pwd)
BASE=${NL_BASE:-9.2p1}
FILES="misc.c openbsd-compat/port-net.c servconf.c sshd.c nonlocal.c"
COMPILERS="gcc clang"
BRANCHES="linux freebsd freebsd-old openbsd nooption"
# -Wextra, less what upstream's configure turns off (-Wno-unused-parameter:
# its stubs, like set_rdomain()'s, leave parameters unused).
WARN_FLAGS="-O2 -Wall -Wextra -Wno-unused-parameter"
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

# ---------------------------------------------- upstream CI's configurations

CI_CONFIGS="c89 werror-gcc werror-clang"

# ci_args NAME: configure arguments of CI configuration NAME, one a line,
# as in .github/configs (--with-pam, which scripts/build always passes, is
# in upstream's -Werror configurations too; c89 has no PAM).
ci_args() {
	case $1 in
	c89)
		# Upstream: without LLONG_MAX, configure would add -std=gnu99.
		printf '%s\n' CC=gcc "CFLAGS=-Wall -std=c89 -pedantic -Werror=vla" \
		    "CPPFLAGS=-DLLONG_MAX=$(gcc -E -dM - </dev/null |
			awk '$2 == "__LONG_LONG_MAX__" { print $3 }')" \
		    --without-zlib --without-openssl --without-pam ;;
	werror-gcc)
		printf '%s\n' CC=gcc "CFLAGS=-O2 -Wno-format-truncation -Wimplicit-fallthrough=4 -Wno-unused-parameter -Wno-unused-result" \
		    --with-Werror ;;
	werror-clang)
		printf '%s\n' CC=clang "CFLAGS=-Wall -Wextra -O2 -Wno-error=implicit-fallthrough -Wno-error=unused-parameter" \
		    --with-Werror ;;
	esac
}

# ci_compiler NAME: the compiler of CI configuration NAME.
ci_compiler() {
	case $1 in *clang) echo clang ;; *) echo gcc ;; esac
}

# ci_build NAME KIND: build the pristine (KIND upstream) or patched (KIND
# patched) tree in CI configuration NAME and print its dir.  Exit status 0
# if it built, 3 if make failed (the dir is printed all the same), else 1.
ci_build() {
	local name=$1 kind=$2 args up prefix=
	mapfile -t args < <(ci_args "$name")
	if [ "$kind" = upstream ]; then
		BUILD_KEEP_GOING=1 "$TOP/scripts/build" "$BASE" "upstream-ci-$name" \
		    "${args[@]}" --cache-file=config.cache
		return
	fi
	[ "${FROM_TREE:-0}" != 1 ] || prefix=tree-
	up=$(ci_build "$name" upstream) || [ $? -eq 3 ] || return 1
	BUILD_KEEP_GOING=1 "$TOP/scripts/build" "$BASE" "${prefix}ci-$name" \
	    "${args[@]}" "CONFIG_SITE=$up/config.cache"
}

# diagnostics OBJ: the warnings and errors of make in build dir OBJ, one a
# line, "FILE: KIND: MESSAGE | SOURCE LINE", without line and column
# numbers, sorted; a header's only once each.  gcc quotes the source line
# as "  NN | code" (not again for a second message at the same place),
# clang as it is, above a caret line.
diagnostics() {
	sed -n '/^== make/,$p' "$1/.build-log" | awk '
	function norm(s) {
		gsub(/[ \t]+/, " ", s); sub(/^ /, "", s); sub(/ $/, "", s)
		return s
	}
	function flush(src) {
		if (d == "")
			return
		if (src != "")
			text[loc] = src
		else
			src = text[loc]
		print d " | " src
		d = ""; state = 0
	}
	state == 2 {
		if ($0 ~ /^[ \t~]*\^[ \t~]*$/) {
			flush(norm(cand)); next
		}
		flush("")
	}
	/^[^ :]+:[0-9]+:([0-9]+:)? (warning|error): / {
		flush("")
		loc = $0; sub(/: (warning|error): .*/, "", loc)
		file = loc; sub(/:.*/, "", file); sub(/^(\.\/)+/, "", file)
		rest = $0; sub(/^[^ :]+:[0-9]+:([0-9]+:)? /, "", rest)
		d = file ": " rest; state = 1; next
	}
	state == 1 {
		if ($0 ~ /^ *[0-9]+ \| /) {
			sub(/^ *[0-9]+ \| /, ""); flush(norm($0)); next
		}
		cand = $0; state = 2; next
	}
	END { flush("") }' | awk -F': ' '$1 !~ /\.h$/ || !seen[$0]++' | sort
}

# first_error OBJ: the first error of OBJ's make.
first_error() {
	sed -n '/^== make/,$p' "$1/.build-log" |
	    grep -m1 -E ': (fatal )?error: |undefined reference|\*\*\* ' | cut -c1-200
}

# ci_compare NAME: one PASS/FAIL line for CI configuration NAME.
ci_compare() {
	local name=$1 key=ci-$1 up pa uprc=0 parc=0 why=
	if ! command -v "$(ci_compiler "$name")" >/dev/null; then
		skip "$key" "$(ci_compiler "$name") is not installed (scripts/install-deps test)"
		return
	fi
	up=$(ci_build "$name" upstream 2>"$WORK/build.err") || uprc=$?
	if [ "$uprc" -ne 0 ] && [ "$uprc" -ne 3 ]; then
		fail "$key" "the upstream build stops before make: $(tail -n 1 "$WORK/build.err")"
		return
	fi
	pa=$(ci_build "$name" patched 2>"$WORK/build.err") || parc=$?
	if [ "$parc" -ne 0 ] && [ "$parc" -ne 3 ]; then
		fail "$key" "the patched build stops before make, upstream's does not: $(tail -n 1 "$WORK/build.err")"
		return
	fi
	diagnostics "$up" >"$WORK/ci-base"
	diagnostics "$pa" >"$WORK/ci-new"
	new_warnings "$WORK/ci-base" "$WORK/ci-new" >"$WORK/diff"
	if [ "$parc" -ne 0 ] && [ "$uprc" -eq 0 ]; then
		why="patched build fails where upstream builds ($(first_error "$pa"); log: ${pa#"$TOP"/}/.build-log)"
	fi
	if [ -s "$WORK/diff" ]; then
		why="$why; new in the patched build: $(paste -sd '|' "$WORK/diff" | cut -c1-1500)"
	fi
	if [ -z "$why" ]; then
		pass "$key"
	else
		fail "$key" "${why#; }"
	fi
}

main() {
	local b cc f key why obj name p pids=()
	case ${1:-} in
	--build)
		# The three side by side: configure keeps one core busy.
		for name in $CI_CONFIGS; do
			command -v "$(ci_compiler "$name")" >/dev/null || continue
			{ ci_build "$name" patched >/dev/null || [ $? -eq 3 ]; } &
			pids+=("$!")
		done
		for p in "${pids[@]}"; do
			wait "$p" || failed=1
		done
		exit $failed ;;
	--ci)
		for name in $CI_CONFIGS; do
			ci_compare "$name"
		done
		exit $failed ;;
	esac
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
	for name in $CI_CONFIGS; do
		ci_compare "$name"
	done
	exit $failed
}

main "$@"
