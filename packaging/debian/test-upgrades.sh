# The upgrade paths of packaging/debian/test, in a chroot of their own per
# suite.  Sourced by packaging/debian/test (its pass/fail/in_chroot/ROOT).
# shellcheck shell=bash
#
# 1. stock: Debian's openssh-server from Debian's mirror; then ours from the
#    apt repository (packaging/debian/repo, file: URI, with the pin): the
#    administrator's files are kept, a restart is asked for, and the
#    installed sshd serves a non-local address once it appears (a login).
# 2. ours -> our rebuild of Debian's next revision: the repository is
#    replaced by one holding our packages as rebuilt for Debian's next
#    revision, apt upgrades, nothing is disabled, the listener serves.
# 3. ours -> Debian's next revision: with the pin apt keeps ours and
#    apt policy says why; without it Debian's package replaces ours,
#    the non-local lines are commented out (apt's output names them), the
#    incoming sshd -t passes and that sshd starts and serves.
# 4. ours again (the lines come back), removal (they are disabled again),
#    purge.
#
# Debian's next revisions do not exist yet: they are stand-ins made from
# the real packages with dpkg-deb, only the version changed (Debian's by
# one security update, our rebuild on top of it as make deb would number
# it), so the maintainer scripts that run are the real ones of each side.

UP_ADDR=198.51.100.7
UP_PORT=2222

# next_revision VERSION: the version of Debian's next update of VERSION
# (1:10.0p1-7+deb13u4 -> 1:10.0p1-7+deb13u5; -N -> -N+1 otherwise).
next_revision() {
	local v=$1 n
	n=$(printf '%s\n' "$v" | sed -n 's/.*[^0-9]\([0-9][0-9]*\)$/\1/p')
	[ -n "$n" ] || { printf '%s.1\n' "$v"; return; }
	printf '%s%s\n' "${v%"$n"}" $((n + 1))
}

# restamp DEB VERSION DIR: DEB with its version (and the same-version
# dependencies between openssh's packages) changed to VERSION, into DIR.
restamp() {
	local deb=$1 new=$2 out=$3 old tmp
	old=$(dpkg-deb -f "$deb" Version)
	tmp=$(mktemp -d "$BUILD/pkg/restamp.XXXXXX")
	dpkg-deb -R "$deb" "$tmp/p"
	awk -v old="$old" -v new="$new" '{
		while ((i = index($0, old)) > 0)
			$0 = substr($0, 1, i - 1) new substr($0, i + length(old))
		print }' "$tmp/p/DEBIAN/control" >"$tmp/control"
	cat "$tmp/control" >"$tmp/p/DEBIAN/control"
	# NL_NO_FAILSAFE=yes: our rebuild without the fail-safe's calls, to
	# show that the checks of path 3 catch its absence.
	if [ "${NL_NO_FAILSAFE:-no}" = yes ] && [ -f "$tmp/p/DEBIAN/postrm" ]; then
		sed -i 's/^\(\t*\)nonlocal_failsafe .*;;$/\1: ;;/' "$tmp/p/DEBIAN/postrm"
	fi
	mkdir -p "$out"
	dpkg-deb --root-owner-group -Zxz -b "$tmp/p" "$out/" >/dev/null
	rm -rf "$tmp"
}

# flat_repo DIR ORIGIN: an unsigned index of the .debs in DIR (for the
# stand-in of Debian's next revision; the chroot trusts it explicitly).
flat_repo() {
	(cd "$1" && apt-ftparchive packages . >Packages 2>/dev/null &&
	    apt-ftparchive -o APT::FTPArchive::Release::Origin="$2" release . >Release)
}

# up_apt WHAT CMD...: an apt command in the chroot, its output kept in
# $T_UP/WHAT.log.
up_apt() {
	local what=$1
	shift
	in_chroot env DEBIAN_FRONTEND=noninteractive "$@" >"$T_UP/$what.log" 2>&1
}

up_version() {
	# shellcheck disable=SC2016
	in_chroot dpkg-query -W -f='${Version}' openssh-server 2>/dev/null || true
}

# up_serve NAME [ADDR]: sshd from the chroot's configuration, in a network
# namespace of its own; with ADDR (absent at first) it must say so, then
# serve it once added; without, serve 127.0.0.1.  A real login as root
# with a key; the output must come back.
up_serve() {
	local name=$1 addr=${2:-} log=/tmp/sshd-${1##*/}.log i out pid
	rm -f "$ROOT$log"
	mkdir -p "$ROOT/run/sshd"
	# shellcheck disable=SC2016
	unshare --net --mount --propagation private -- sh -c \
	    'ip link set lo up && mount -t proc proc "$1/proc" && exec chroot "$@"' \
	    sh "$ROOT" /usr/sbin/sshd -D -E "$log" -o PidFile=none &
	pid=$!
	SSHD_PID=$pid
	for i in $(seq 50); do
		tr -d '\r' 2>/dev/null <"$ROOT$log" | grep -q '^Server listening on ' && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.2
	done
	: "$i"
	if [ -n "$addr" ]; then
		if ! tr -d '\r' 2>/dev/null <"$ROOT$log" |
		    grep -qxF "Non-local listen address $addr port $UP_PORT is not configured yet."; then
			fail "$name" "no 'not configured yet' line: $(tr -d '\r' 2>/dev/null <"$ROOT$log" | tr '\n' '|')"
			up_stop
			return 0
		fi
		nsenter --net="/proc/$pid/ns/net" ip addr add "$addr/32" dev lo
	else
		addr=127.0.0.1
	fi
	# shellcheck disable=SC2016
	out=$(timeout 20 nsenter --net="/proc/$pid/ns/net" unshare --mount --propagation private -- sh -c \
	    'mount -t proc proc "$1/proc" && mount --rbind /dev "$1/dev" && exec chroot "$@"' \
	    sh "$ROOT" ssh -i /root/.ssh/id_ed25519 -o BatchMode=yes -o StrictHostKeyChecking=no \
	    -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -p "$UP_PORT" "root@$addr" \
	    echo logged-in-via-"$name" 2>&1) || true
	if [ "$out" = "logged-in-via-$name" ]; then
		pass "$name"
	else
		fail "$name" "no login on $addr port $UP_PORT: $out; sshd log: $(tr -d '\r' 2>/dev/null <"$ROOT$log" | tail -n 5 | tr '\n' '|')"
	fi
	up_stop
}

up_stop() {
	[ -z "$SSHD_PID" ] || kill "$SSHD_PID" 2>/dev/null || true
	wait "$SSHD_PID" 2>/dev/null || true
	SSHD_PID=
}

# up_has_line NAME FILE FIXED-LINE WHY: FILE (in the chroot) has the line.
up_has_line() {
	if grep -qxF -- "$3" "$ROOT$2" 2>/dev/null; then
		pass "$1"
	else
		fail "$1" "$4: $2 is: $(tr '\n' '|' <"$ROOT$2" 2>/dev/null)"
	fi
}

test_upgrades() {
	local ours debian next ours_next debian_next f pol out
	T_UP=$LOGS/pkg-debian-upgrades-$SUITE
	rm -rf "$T_UP"
	mkdir -p "$T_UP"
	if [ ! -s "$BUILD/pkg/apt/dists/$SUITE/InRelease" ]; then
		fail upgrade/repository "no apt repository for $SUITE in build/pkg/apt (make deb writes it)"
		return 0
	fi
	ROOT=$(mktemp -d "$BUILD/pkg/chroot-upgrade-$SUITE.XXXXXX")
	tar -C "$ROOT" -xzf "$CHROOT_TAR"
	chmod 755 "$ROOT"
	cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
	printf '#!/bin/sh\nexit 101\n' >"$ROOT/usr/sbin/policy-rc.d"
	chmod 755 "$ROOT/usr/sbin/policy-rc.d"
	ours=$VERSION
	debian=${ours%+nonlocal*}
	next=$(next_revision "$debian")
	ours_next=$next${ours#"$debian"}
	debian_next=$(next_revision "$next")

	# 1. Debian's stock package, then ours from the repository.
	if ! up_apt stock-install sh -c "apt-get -q update && apt-get -q install -y --no-install-recommends \
	    openssh-server=$debian openssh-client=$debian openssh-sftp-server=$debian"; then
		fail upgrade/stock-install "Debian's openssh-server $debian does not install (see ${T_UP#"$TOP"/}/stock-install.log)"
		cleanup
		return 0
	fi
	mkdir -p "$ROOT/root/.ssh" "$ROOT/etc/apt/keyrings" "$ROOT/srv"
	in_chroot ssh-keygen -q -t ed25519 -N '' -f /root/.ssh/id_ed25519
	cp "$ROOT/root/.ssh/id_ed25519.pub" "$ROOT/root/.ssh/authorized_keys"
	printf '# the administrator'"'"'s own\nPort %s\nLoginGraceTime 42\n' "$UP_PORT" \
	    >"$ROOT/etc/ssh/sshd_config.d/10-admin.conf"
	sha256sum "$ROOT/etc/ssh/sshd_config" "$ROOT/etc/ssh/sshd_config.d/10-admin.conf" |
	    sed "s|$ROOT||" >"$T_UP/config.sha256"
	# The host consumes the repository as a file path; a web server
	# serving the directory is the same with an http: URI.
	mkdir -p "$ROOT/srv/openssh-nonlocal/dists" "$ROOT/srv/openssh-nonlocal/pool"
	cp -a "$BUILD/pkg/apt/dists/$SUITE" "$ROOT/srv/openssh-nonlocal/dists/"
	cp -a "$BUILD/pkg/apt/pool/$SUITE" "$ROOT/srv/openssh-nonlocal/pool/"
	cp "$BUILD/pkg/apt/openssh-nonlocal.gpg" "$ROOT/etc/apt/keyrings/"
	sed -e "s|^URIs: .*|URIs: file:/srv/openssh-nonlocal|" -e "s|^Suites: .*|Suites: $SUITE|" \
	    "$BUILD/pkg/apt/openssh-nonlocal.sources" >"$ROOT/etc/apt/sources.list.d/openssh-nonlocal.sources"
	cp "$BUILD/pkg/apt/openssh-nonlocal.pref" "$ROOT/etc/apt/preferences.d/openssh-nonlocal.pref"
	if up_apt to-ours sh -c 'apt-get -q update && apt-get -q upgrade -y' &&
	    [ "$(up_version)" = "$ours" ]; then
		pass upgrade/stock-to-ours
	else
		fail upgrade/stock-to-ours "apt-get upgrade left openssh-server $(up_version), not $ours (see ${T_UP#"$TOP"/}/to-ours.log)"
		cleanup
		return 0
	fi
	if (cd "$ROOT" && sed 's|  /|  ./|' "$T_UP/config.sha256" | sha256sum -c --quiet -) >/dev/null 2>&1; then
		pass upgrade/stock-to-ours-config-kept
	else
		fail upgrade/stock-to-ours-config-kept "sshd_config or the administrator's drop-in changed"
	fi
	if grep -q 'policy-rc.d denied execution of \(re\)*start' "$T_UP/to-ours.log"; then
		pass upgrade/stock-to-ours-restart
	else
		fail upgrade/stock-to-ours-restart "the upgrade did not ask to restart ssh"
	fi
	printf 'ListenAddressNonlocal %s\n' "$UP_ADDR" >"$ROOT/etc/ssh/sshd_config.d/50-nonlocal.conf"
	up_serve upgrade/ours-serves-nonlocal "$UP_ADDR"

	# 2. Our rebuild for Debian's next revision replaces the repository.
	mkdir -p "$T_UP/ours-next"
	for f in "$DEBS"/*.deb; do
		case ${f##*/} in *-dbgsym_*) continue ;; esac
		restamp "$f" "$ours_next" "$T_UP/ours-next"
	done
	rm -rf "$ROOT/srv/openssh-nonlocal"
	if ! OUT="$ROOT/srv/openssh-nonlocal" DEBS_FROM="$T_UP/ours-next" \
	    "$HERE/repo" "$SUITE" >"$T_UP/repo-next.log" 2>&1; then
		fail upgrade/ours-to-rebuild "cannot write the rebuilt repository: $(tail -n 1 "$T_UP/repo-next.log")"
		cleanup
		return 0
	fi
	if up_apt to-rebuild sh -c 'apt-get -q update && apt-get -q upgrade -y' &&
	    [ "$(up_version)" = "$ours_next" ]; then
		pass upgrade/ours-to-rebuild
	else
		fail upgrade/ours-to-rebuild "openssh-server is $(up_version), not $ours_next (see ${T_UP#"$TOP"/}/to-rebuild.log)"
	fi
	if grep -q '^openssh-nonlocal: ' "$T_UP/to-rebuild.log"; then
		fail upgrade/ours-to-rebuild-nothing-disabled "$(grep '^openssh-nonlocal: ' "$T_UP/to-rebuild.log" | head -n 2 | tr '\n' '|')"
	else
		up_has_line upgrade/ours-to-rebuild-nothing-disabled /etc/ssh/sshd_config.d/50-nonlocal.conf \
		    "ListenAddressNonlocal $UP_ADDR" "the non-local line changed"
	fi
	up_serve upgrade/rebuild-serves-nonlocal "$UP_ADDR"

	# 3. Debian's next revision: kept out by the pin, then let in.
	mkdir -p "$ROOT/srv/debian-next"
	up_apt stock-download sh -c "cd /srv/debian-next && apt-get -q download \
	    openssh-server=$debian openssh-client=$debian openssh-sftp-server=$debian" ||
	    { fail upgrade/debian-next "cannot download Debian's $debian packages (see ${T_UP#"$TOP"/}/stock-download.log)"; cleanup; return 0; }
	mkdir -p "$T_UP/debian-next"
	for f in "$ROOT"/srv/debian-next/*.deb; do
		restamp "$f" "$debian_next" "$T_UP/debian-next"
		rm -f "$f"
	done
	cp "$T_UP"/debian-next/*.deb "$ROOT/srv/debian-next/"
	flat_repo "$ROOT/srv/debian-next" Debian
	printf 'deb [trusted=yes] file:/srv/debian-next ./\n' >"$ROOT/etc/apt/sources.list.d/debian-next.list"
	up_apt pinned sh -c 'apt-get -q update && apt-get -q upgrade -y' || true
	pol=$(in_chroot apt-cache policy openssh-server 2>&1) || true
	printf '%s\n' "$pol" >"$T_UP/policy.txt"
	if [ "$(up_version)" = "$ours_next" ] &&
	    printf '%s\n' "$pol" | grep -q "^  Candidate: $ours_next\$" &&
	    printf '%s\n' "$pol" | grep -q "^ *$debian_next 500" &&
	    printf '%s\n' "$pol" | grep -qF " *** $ours_next 995"; then
		pass upgrade/pin-keeps-ours
	else
		fail upgrade/pin-keeps-ours "installed $(up_version); apt policy: $(printf '%s' "$pol" | tr '\n' '|')"
	fi
	rm -f "$ROOT/etc/apt/preferences.d/openssh-nonlocal.pref"
	up_apt unpinned sh -c 'apt-get -q update && apt-get -q upgrade -y' || true
	if [ "$(up_version)" = "$debian_next" ]; then
		pass upgrade/unpinned-debian-replaces-ours
	else
		fail upgrade/unpinned-debian-replaces-ours "openssh-server is $(up_version), not $debian_next (see ${T_UP#"$TOP"/}/unpinned.log)"
	fi
	up_has_line upgrade/unpinned-lines-disabled /etc/ssh/sshd_config.d/50-nonlocal.conf \
	    "#openssh-nonlocal disabled (upgrade to openssh-server $debian_next): ListenAddressNonlocal $UP_ADDR" \
	    "the non-local line is not marked disabled"
	if grep -qF "openssh-nonlocal: upgrade to openssh-server $debian_next: sshd does not support non-local listen addresses any more; disabled these lines so that it can start:" "$T_UP/unpinned.log" &&
	    grep -qF "  /etc/ssh/sshd_config.d/50-nonlocal.conf:1: ListenAddressNonlocal $UP_ADDR" "$T_UP/unpinned.log"; then
		pass upgrade/unpinned-admin-told
	else
		fail upgrade/unpinned-admin-told "apt's output does not name the disabled line (see ${T_UP#"$TOP"/}/unpinned.log)"
	fi
	if out=$(in_chroot /usr/sbin/sshd -t 2>&1); then
		pass upgrade/unpinned-sshd-t
	else
		fail upgrade/unpinned-sshd-t "Debian's sshd rejects the configuration: $out"
	fi
	up_serve upgrade/unpinned-sshd-serves

	# 4. Ours again, then removal and purge.
	cp "$BUILD/pkg/apt/openssh-nonlocal.pref" "$ROOT/etc/apt/preferences.d/openssh-nonlocal.pref"
	if up_apt reinstall sh -c "apt-get -q update && apt-get -q install -y --allow-downgrades \
	    openssh-server=$ours_next openssh-client=$ours_next openssh-sftp-server=$ours_next" &&
	    [ "$(up_version)" = "$ours_next" ]; then
		pass upgrade/ours-again
	else
		fail upgrade/ours-again "openssh-server is $(up_version) (see ${T_UP#"$TOP"/}/reinstall.log)"
	fi
	up_has_line upgrade/ours-again-lines-restored /etc/ssh/sshd_config.d/50-nonlocal.conf \
	    "ListenAddressNonlocal $UP_ADDR" "the disabled line was not restored"
	up_serve upgrade/ours-again-serves-nonlocal "$UP_ADDR"
	if up_apt remove apt-get -q remove -y openssh-server &&
	    ! in_chroot dpkg-query -W -f='${Status}' openssh-server 2>/dev/null | grep -q ' installed'; then
		pass upgrade/remove
	else
		fail upgrade/remove "apt-get remove failed (see ${T_UP#"$TOP"/}/remove.log)"
	fi
	up_has_line upgrade/remove-lines-disabled /etc/ssh/sshd_config.d/50-nonlocal.conf \
	    "#openssh-nonlocal disabled (removal of openssh-server): ListenAddressNonlocal $UP_ADDR" \
	    "removal left the non-local line active"
	if up_apt purge apt-get -q purge -y openssh-server && [ ! -e "$ROOT/etc/ssh/sshd_config" ] &&
	    [ ! -e "$ROOT/usr/sbin/sshd" ]; then
		pass upgrade/purge
	else
		fail upgrade/purge "purge failed or left sshd_config/sshd (see ${T_UP#"$TOP"/}/purge.log)"
	fi
	cleanup
}
