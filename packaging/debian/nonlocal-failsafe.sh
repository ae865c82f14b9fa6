# shellcheck shell=sh
# openssh-nonlocal: keep sshd able to start when this package goes.
# packaging/debian/build puts this fragment into openssh-server's postrm
# and postinst, before debhelper's token (which must not appear here:
# debhelper replaces it wherever it is).  POSIX sh, as maintainer scripts
# are.
#
# Debian's own sshd does not know ListenAddressNonlocal, "ListenAddress
# ... nonlocal" or ListenAddressNonlocalWarnTime, and refuses to start on
# a configuration that uses them (ssh.service runs sshd -t first).  When
# this package is replaced by one whose sshd rejects the configuration
# (postrm "upgrade": the new package's files are unpacked, its postinst,
# which restarts ssh, has not run yet), or removed, those lines are
# commented out, each behind a mark naming why, and the administrator is
# told on the terminal and in the system log.  If that does not make the
# incoming sshd accept the configuration, the files are left as they were:
# the fault is not ours.  Installing this package again (postinst
# "configure") restores the lines it disabled, if its sshd accepts them.
# Only /etc/ssh/sshd_config and /etc/ssh/sshd_config.d/*.conf (Debian's
# Include) are looked at.

NONLOCAL_MARK='#openssh-nonlocal disabled'

nonlocal_say() {
	echo "openssh-nonlocal: $*" >&2
	if command -v logger >/dev/null 2>&1; then
		logger -t openssh-nonlocal -p auth.warning -- "$*" || true
	fi
}

nonlocal_files() {
	for f in /etc/ssh/sshd_config /etc/ssh/sshd_config.d/*.conf; do
		[ -f "$f" ] && echo "$f"
	done
}

# nonlocal_sshd_ok: the sshd now installed accepts the configuration.
nonlocal_sshd_ok() {
	[ -x /usr/sbin/sshd ] || return 1
	# sshd -t wants its privilege separation directory, which exists
	# while the service runs (RuntimeDirectory=, tmpfiles).
	[ -d /run/sshd ] || mkdir -m 0755 /run/sshd 2>/dev/null || true
	/usr/sbin/sshd -t >/dev/null 2>&1
}

# nonlocal_rewrite FILE MODE WHY: MODE disable comments out the non-local
# lines of FILE behind the mark; MODE restore takes the mark off again.
# Prints the lines it changed, as FILE:LINE: TEXT.
nonlocal_rewrite() {
	awk -v mode="$2" -v why="$3" -v mark="$NONLOCAL_MARK" -v file="$1" \
	    -v out="$1.nonlocal-new" '
	function nonlocal(line,    l, kw, n, t, i) {
		l = line
		sub(/^[ \t]+/, "", l)
		kw = l
		sub(/[ \t=].*$/, "", kw)
		kw = tolower(kw)
		if (kw == "listenaddressnonlocal" || kw == "listenaddressnonlocalwarntime")
			return 1
		if (kw != "listenaddress")
			return 0
		sub(/^[^ \t=]+[ \t]*=?[ \t]*/, "", l)
		n = split(l, t, /[ \t]+/)
		# The word after "rdomain" names the routing domain.
		for (i = 2; i <= n; i++)
			if (tolower(t[i]) == "rdomain")
				i++
			else if (tolower(t[i]) == "nonlocal")
				return 1
		return 0
	}
	{
		line = $0
		if (mode == "disable" && nonlocal(line)) {
			line = mark " (" why "): " line
			print file ":" NR ": " $0
		} else if (mode == "restore" && index(line, mark " (") == 1) {
			sub(/^#openssh-nonlocal disabled \([^)]*\): /, "", line)
			print file ":" NR ": " line
		}
		print line > out
	}' "$1"
}

# nonlocal_change MODE WHY: apply nonlocal_rewrite to every file; the
# originals are kept as FILE.nonlocal-old until nonlocal_commit or
# nonlocal_revert.  NONLOCAL_CHANGED lists the files changed, and
# NONLOCAL_LINES the lines.
nonlocal_change() {
	NONLOCAL_CHANGED='' NONLOCAL_LINES=''
	for f in $(nonlocal_files); do
		lines=$(nonlocal_rewrite "$f" "$1" "$2") || { rm -f "$f.nonlocal-new"; continue; }
		if [ -z "$lines" ]; then
			rm -f "$f.nonlocal-new"
			continue
		fi
		cp -p "$f" "$f.nonlocal-old"
		# Keep the file's owner and mode.
		cat "$f.nonlocal-new" >"$f"
		rm -f "$f.nonlocal-new"
		NONLOCAL_CHANGED="$NONLOCAL_CHANGED $f"
		NONLOCAL_LINES="$NONLOCAL_LINES
  $lines"
	done
}

nonlocal_commit() {
	for f in $NONLOCAL_CHANGED; do
		rm -f "$f.nonlocal-old"
	done
}

nonlocal_revert() {
	for f in $NONLOCAL_CHANGED; do
		mv -f "$f.nonlocal-old" "$f"
	done
}

# nonlocal_failsafe WHY [check]: disable the non-local lines; with check,
# only if the sshd now installed rejects the configuration and accepts it
# without them.
nonlocal_failsafe() {
	if [ "${2:-}" = check ] && nonlocal_sshd_ok; then
		return 0
	fi
	nonlocal_change disable "$1"
	[ -n "$NONLOCAL_CHANGED" ] || return 0
	if [ "${2:-}" = check ] && ! nonlocal_sshd_ok; then
		nonlocal_revert
		nonlocal_say "the incoming sshd rejects the configuration even without its non-local listen addresses; nothing changed (check: sshd -t)"
		return 0
	fi
	nonlocal_commit
	nonlocal_say "$1: sshd does not support non-local listen addresses any more; disabled these lines so that it can start:$NONLOCAL_LINES"
	nonlocal_say "sshd listens on its other ListenAddress lines, or on every address if none is left.  Install openssh-server from the openssh-nonlocal repository to restore them (see /usr/share/doc/openssh-server/README.Debian)."
}

# nonlocal_restore: take back what nonlocal_failsafe disabled, if this
# package's sshd accepts it.
nonlocal_restore() {
	nonlocal_change restore ''
	[ -n "$NONLOCAL_CHANGED" ] || return 0
	if ! nonlocal_sshd_ok; then
		nonlocal_revert
		nonlocal_say "not restoring the non-local listen addresses disabled earlier: sshd -t rejects them; they stay commented out (lines starting with '$NONLOCAL_MARK')"
		return 0
	fi
	nonlocal_commit
	nonlocal_say "restored the non-local listen addresses disabled earlier:$NONLOCAL_LINES"
}
