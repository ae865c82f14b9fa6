# Helpers shared by packaging/debian/build and packaging/debian/test:
# which base a Debian suite builds, and throwaway chroots of that suite.
# Source it after scripts/lib.sh; do not run it.
# shellcheck shell=bash
# shellcheck disable=SC2034

# The suites make deb builds; the first is the default.
DEB_SUITES=(trixie bookworm)

# suite_base SUITE: the base (bases/NAME) Debian's SUITE ships, taken as
# a whole source package (SOURCE=full).
suite_base() {
	local f
	for f in "$TOP"/bases/*; do
		grep -qx "SUITE=$1" "$f" && grep -qx 'SOURCE=full' "$f" &&
		    { printf '%s\n' "${f##*/}"; return 0; }
	done
	die "no base in bases/ is Debian's $1 (suites: ${DEB_SUITES[*]})"
}

# check_suite SUITE: one make deb builds.
check_suite() {
	local s
	for s in "${DEB_SUITES[@]}"; do
		[ "$s" != "$1" ] || return 0
	done
	die "unknown SUITE '$1' (make deb builds: ${DEB_SUITES[*]})"
}

# write_sources ROOT SUITE: the suite, its updates and its security
# updates, as Debian's own installer writes them, so that a chroot builds
# and tests against the libraries a host of that release has today.
write_sources() {
	local mirror sec
	mirror=$(debian_mirror) sec=$(security_mirror)
	rm -f "$1/etc/apt/sources.list"
	cat >"$1/etc/apt/sources.list.d/debian.sources" <<-EOF
	Types: deb deb-src
	URIs: ${mirror%/}
	Suites: $2 $2-updates
	Components: main
	Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

	Types: deb deb-src
	URIs: ${sec%/}
	Suites: $2-security
	Components: main
	Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
	EOF
}

# make_chroot_tar TAR SUITE VARIANT INCLUDE LOG: a debootstrap chroot of
# SUITE (VARIANT minbase or buildd, with the packages INCLUDE), packed
# into TAR, made once.  debootstrap checks the suite's Release file with
# Debian's archive keyring.
make_chroot_tar() {
	local tar=$1 suite=$2 variant=$3 include=$4 log=$5 mirror tmp
	[ -s "$tar" ] && return 0
	command -v debootstrap >/dev/null || return 1
	mirror=$(debian_mirror)
	[ -n "$mirror" ] || return 1
	mkdir -p "${tar%/*}" "${log%/*}"
	tmp=$(mktemp -d "$BUILD/pkg/debootstrap.XXXXXX")
	# The chroot's / must not keep mktemp's 0700: it would shut out
	# every user but root (sshd's privilege separation, man-db, _apt).
	chmod 755 "$tmp"
	if ! debootstrap --variant="$variant" ${include:+--include="$include"} \
	    --keyring=/usr/share/keyrings/debian-archive-keyring.gpg \
	    "$suite" "$tmp" "$mirror" >"$log" 2>&1; then
		rm -rf "$tmp"
		return 1
	fi
	write_sources "$tmp" "$suite"
	# The packages debootstrap downloaded are installed: not worth keeping.
	rm -f "$tmp"/var/cache/apt/archives/*.deb
	tar -C "$tmp" -czf "$tar.tmp" . && mv "$tar.tmp" "$tar"
	rm -rf "$tmp"
}

# in_root ROOT CMD...: CMD in the chroot ROOT, with its own /proc and the
# host's /dev in a private mount namespace (nothing stays mounted when it
# ends).
in_root() {
	# shellcheck disable=SC2016
	unshare --mount --propagation private -- sh -c \
	    'mount -t proc proc "$1/proc" && mount --rbind /dev "$1/dev" && exec chroot "$@"' \
	    sh "$@"
}

# mounts_under DIR: something is still mounted below DIR.
mounts_under() {
	findmnt -rno TARGET | grep -q "^$1/"
}
