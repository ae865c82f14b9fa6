# Shared helpers for the scripts in this folder.  Source it; do not run it.
# shellcheck shell=bash
# The variables set here are for the scripts that source this file.
# shellcheck disable=SC2034

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-$TOP/build}
APTDIR=$BUILD/apt
CACHE=$BUILD/cache
LOGS=$BUILD/logs

# Identity used for the commits of a prepared tree: the pristine import and,
# through git am, the patches (whose own author and date are kept).
GIT_ID=(-c user.name=openssh-nonlocal -c user.email=openssh-nonlocal@example.org
    -c commit.gpgsign=false -c core.autocrlf=false -c safe.directory='*')

# Default configure arguments for every build (DESIGN.md: OpenSSL, zlib, PAM).
CONFIGURE_ARGS=(--with-pam --with-privsep-path=/var/empty)

say() { printf '%s\n' "$*"; }
warn() { printf '%s: %s\n' "${0##*/}" "$*" >&2; }
die() { warn "$*"; exit 1; }

# debian_mirror: the mirror this machine's apt uses for Debian itself
# (DEBIAN_MIRROR overrides it).
debian_mirror() {
	if [ -n "${DEBIAN_MIRROR:-}" ]; then
		printf '%s\n' "$DEBIAN_MIRROR"
		return
	fi
	# shellcheck disable=SC2016
	apt-get indextargets --format '$(REPO_URI) $(RELEASE)' 2>/dev/null |
	    awk '$2 !~ /-/ && $1 !~ /security/ { print $1; exit }'
}

# security_mirror: the same for Debian's security archive
# (DEBIAN_SECURITY_MIRROR overrides it).
security_mirror() {
	local m
	if [ -n "${DEBIAN_SECURITY_MIRROR:-}" ]; then
		printf '%s\n' "$DEBIAN_SECURITY_MIRROR"
		return
	fi
	# shellcheck disable=SC2016
	m=$(apt-get indextargets --format '$(REPO_URI)' 2>/dev/null |
	    awk '/security/ { print $1; exit }')
	printf '%s\n' "${m:-http://deb.debian.org/debian-security/}"
}

# load_base NAME: read bases/NAME into the BASE_* variables.
load_base() {
	local name=$1 f=$TOP/bases/$1
	[ -f "$f" ] || die "unknown base '$name' (bases/: $(cd "$TOP/bases" && echo *))"
	UPSTREAM_VERSION='' DEBIAN_VERSION='' SUITE='' SERIES='' SOURCE='' ORIG=''
	ORIG_SHA256='' SERIES_PRIMARY=no GIT_REF=''
	# shellcheck disable=SC1090
	. "$f"
	BASE=$name
	SERIES_DIR=$TOP/patches/$SERIES
	[ -d "$SERIES_DIR" ] || die "base $name: series directory patches/$SERIES is missing"
}

# load_series: PATCHES becomes the patch files of the series, in order.
load_series() {
	local p
	PATCHES=()
	[ -f "$SERIES_DIR/series" ] || return 0
	while IFS= read -r p; do
		case $p in ''|'#'*) continue ;; esac
		[ -f "$SERIES_DIR/$p" ] || die "patches/$SERIES/series names $p, which is missing"
		PATCHES+=("$SERIES_DIR/$p")
	done <"$SERIES_DIR/series"
}

# git_tree DIR ARGS...: git in a tree we made, with our fixed identity.
git_tree() {
	local dir=$1; shift
	git -C "$dir" "${GIT_ID[@]}" "$@"
}

# import_upstream DEST: DEST becomes a git tree holding the pristine upstream
# source of $BASE as its only commit, tagged "upstream".  Nothing is left
# behind on failure.
import_upstream() {
	local dest=$1 tmp
	rm -rf "$dest"
	mkdir -p "$(dirname "$dest")"
	tmp=$(mktemp -d "$dest.tmp.XXXXXX")
	if [ "$SOURCE" = git ]; then
		local repo=${OPENSSH_GIT:?base $BASE needs OPENSSH_GIT=/path/to/openssh-portable}
		local ref=${GIT_REF:-${OPENSSH_REF:-HEAD}}
		git -C "$repo" archive --format=tar "$ref" | tar -x -C "$tmp" ||
		    { rm -rf "$tmp"; die "cannot export $ref from $repo"; }
		UPSTREAM_DESC="openssh-portable $(git -C "$repo" describe --tags --always "$ref")"
	else
		"$TOP/scripts/fetch-base" "$BASE" >/dev/null
		tar --no-same-owner -xzf "$CACHE/$BASE/$ORIG" -C "$tmp" --strip-components=1 ||
		    { rm -rf "$tmp"; die "cannot extract $ORIG"; }
		UPSTREAM_DESC="openssh-$UPSTREAM_VERSION"
	fi
	(
		cd "$tmp" &&
		git init -q -b work . &&
		git "${GIT_ID[@]}" add -A -f . &&
		GIT_AUTHOR_DATE='2000-01-01T00:00:00Z' GIT_COMMITTER_DATE='2000-01-01T00:00:00Z' \
		    git "${GIT_ID[@]}" commit -q -m "$UPSTREAM_DESC (pristine upstream)" &&
		git "${GIT_ID[@]}" tag upstream
	) || { rm -rf "$tmp"; die "cannot import upstream source into git"; }
	mv "$tmp" "$dest"
}

# apply_series DEST: git am every patch of the series onto DEST, stopping
# with the patch and base named if one does not apply exactly.
apply_series() {
	local dest=$1 p
	load_series
	for p in "${PATCHES[@]}"; do
		if ! git_tree "$dest" am -q --keep-cr --committer-date-is-author-date "$p" \
		    >"$dest.am.log" 2>&1; then
			git_tree "$dest" am --abort >/dev/null 2>&1 || true
			sed 's/^/  /' "$dest.am.log" >&2
			rm -f "$dest.am.log"
			die "patch ${p##*/} does not apply to base $BASE (series $SERIES)"
		fi
	done
	rm -f "$dest.am.log"
}

# ------------------------------------------------------------------------
# Every process a test starts ends with that test.
#
# contain REPORT CMD...: run CMD (stdin /dev/null) and, once it has ended,
# kill every process it started that is still running, writing one line
# "PID COMMAND-LINE" per such process to REPORT (left empty if there was
# none).  The exit status is CMD's.  As root, CMD runs under PID 1 of a
# PID namespace of its own (unshare --pid --fork --kill-child --mount-proc):
# whatever is alive in it is a leftover, and the kernel kills the whole
# namespace when that PID 1 exits, also when contain itself is killed.
# The namespace also gets a private /run/netns, so that the network
# namespaces a test names (tests/lib.sh: nlt$$-server, and $$ is now the
# same small number in every test) never meet another test's and vanish
# with it.  Elsewhere (or with CONTAIN_PIDNS=no) CMD gets a session and
# process group of its own and a mark in its environment, and what is
# left in that session or group or carries the mark is killed; a daemon
# that both starts a session and overwrites its environment (sshd's
# setproctitle does) escapes that fallback.
contain() {
	local report=$1
	shift
	: >"$report"
	if contain_pidns; then
		unshare --pid --fork --kill-child --mount-proc bash -c \
		    "$(declare -f proc_line contain_init); contain_init \"\$@\"" \
		    contain "$report" "$@"
	else
		contain_group "$report" "$@"
	fi
}

# contain_pidns: contain can use a PID namespace here (root, unshare).
contain_pidns() {
	if [ -z "${CONTAIN_PIDNS:-}" ]; then
		CONTAIN_PIDNS=no
		if [ "$(id -u)" -eq 0 ] &&
		    unshare --pid --fork --kill-child --mount-proc true 2>/dev/null; then
			CONTAIN_PIDNS=yes
		fi
	fi
	[ "$CONTAIN_PIDNS" = yes ]
}

# contain_init REPORT CMD...: PID 1 of contain's namespace.
contain_init() {
	local report=$1 rc=0 d
	shift
	mkdir -p /run/netns && mount -t tmpfs -o mode=0755 contain /run/netns ||
	    echo "contain: no private /run/netns" >&2
	"$@" </dev/null || rc=$?
	for d in /proc/[0-9]*; do
		[ "${d#/proc/}" != 1 ] || continue
		proc_line "${d#/proc/}" >>"$report" && kill -KILL "${d#/proc/}" 2>/dev/null
	done
	exit "$rc"
}

# contain_group REPORT CMD...: contain's fallback (see contain).
contain_group() {
	local report=$1 mark pid rc=0 d p stat pgrp sid
	shift
	mark=NL_CONTAIN=$$.$SRANDOM
	env "$mark" setsid "$@" </dev/null &
	pid=$!
	wait "$pid" || rc=$?
	# The kernel does not reuse the number of a process group or session
	# that still has members, so pgrp/sid == pid is ours.
	for d in /proc/[0-9]*; do
		p=${d#/proc/}
		[ "$p" != $$ ] && [ "$p" != "$BASHPID" ] || continue
		{ read -r stat <"$d/stat"; } 2>/dev/null || continue
		read -r _ _ pgrp sid _ <<<"${stat##*) }"
		if [ "$pgrp" = "$pid" ] || [ "$sid" = "$pid" ] || proc_marked "$p" "$mark"; then
			proc_line "$p" >>"$report" && kill -KILL "$p" 2>/dev/null
		fi
	done
	return "$rc"
}

# proc_line PID: print "PID COMMAND-LINE" if PID is a live process (not a
# zombie), else fail.  Builtins only, so that a scan of /proc starts no
# process that would be found by it.
proc_line() {
	local stat comm a cmd=
	{ read -r stat <"/proc/$1/stat"; } 2>/dev/null || return 1
	comm=${stat#*(} comm=${comm%)*}
	stat=${stat##*) }
	[ "${stat%% *}" != Z ] || return 1
	{ while IFS= read -r -d '' a || [ -n "$a" ]; do
		cmd+=${cmd:+ }$a
	done <"/proc/$1/cmdline"; } 2>/dev/null
	# setproctitle pads with blanks
	cmd=${cmd%"${cmd##*[![:space:]]}"}
	printf '%s %s\n' "$1" "${cmd:-[$comm]}"
}

# joined FILE: the lines of FILE on one line, separated by "; ".
joined() {
	local l out=
	while IFS= read -r l; do out+=${out:+; }$l; done <"$1"
	printf '%s\n' "$out"
}

# proc_marked PID NAME=VALUE: the environment PID started with holds it.
proc_marked() {
	local e
	{ while IFS= read -r -d '' e; do
		[ "$e" != "$2" ] || return 0
	done <"/proc/$1/environ"; } 2>/dev/null
	return 1
}

# marked_processes NAME=VALUE: "PID COMMAND-LINE" of every live process
# but this shell whose environment holds NAME=VALUE.
marked_processes() {
	local d p
	for d in /proc/[0-9]*; do
		p=${d#/proc/}
		[ "$p" != $$ ] && [ "$p" != "$BASHPID" ] || continue
		if proc_marked "$p" "$1"; then
			proc_line "$p" || true
		fi
	done
}
