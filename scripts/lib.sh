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
