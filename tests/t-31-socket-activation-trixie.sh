#!/usr/bin/env bash
# t-30 on Debian 13's tree: Debian's patches of openssh 1:10.0p1-7+deb13u4,
# the series and trixie's copy of systemd-socket-activation-nonlocal.patch
# (packaging/debian/patches/trixie/).  The check names carry [trixie].
NL_DEBIAN_SUITE=trixie NL_TAG=${NL_TAG:-trixie} exec "$(dirname "$0")/t-30-socket-activation.sh"
