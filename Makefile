# openssh-nonlocal: the two commands that matter are "make demo" and
# "make check"; the rest is the patch-queue loop and the packages.

BASE ?= 9.2p1
SHELL = /bin/bash

.PHONY: all demo check deps fetch prepare export build regress-full \
	deb deb-update rpm upstream-mbox upstream-ci bench analyze mutate fuzz clean distclean

all: check

# The main job: the feature end to end in private network namespaces.
demo: deps
	./demo/run

# The test suite: every base it can get, regress and tests/.
check: deps
	./scripts/check

deps:
	./scripts/install-deps build test

fetch:
	./scripts/fetch-base $(BASE)

# Patch-queue loop: prepare a git tree, edit and commit there, export.
prepare:
	./scripts/prepare $(BASE)

export:
	./scripts/export $(BASE)

build:
	./scripts/build $(BASE) patched

# Whole upstream regress suite, unpatched vs patched (slow).
regress-full: deps
	./scripts/regress-full $(BASE)

# Debian packages and their apt repository: trixie (default) or
# SUITE=bookworm.  deb-update rebuilds when Debian publishes a new revision.
SUITE ?= trixie
deb:
	SUITE=$(SUITE) ./packaging/debian/build

deb-update:
	./packaging/debian/update

rpm:
	./packaging/rpm/build

upstream-mbox:
	./packaging/upstream/build

# Upstream's own CI configurations (.github/configs), master unpatched and
# patched, into UPSTREAM-CI.md (hours; CONFIGS="pam krb5" for some).
upstream-ci:
	@test -n "$(OPENSSH_GIT)" || { echo "make upstream-ci: needs OPENSSH_GIT=/path/to/openssh-portable (a git dir or checkout)" >&2; exit 1; }
	./scripts/install-deps build upstream-ci
	OPENSSH_GIT="$(OPENSSH_GIT)" ./scripts/upstream-ci $(CONFIGS)

bench:
	./bench/run

# Mutation check of the tests (about 45 minutes; not part of check).
mutate: deps
	./scripts/mutate

# The notification readers and the ListenAddress parser under libFuzzer,
# for longer than check does.
fuzz: deps
	./scripts/fuzz --seconds 120

# Static analysis (scan-build, cppcheck) of the files the series touches.
analyze:
	./scripts/install-deps build analyze
	./scripts/analyze

clean:
	rm -rf build/obj build/logs

distclean:
	rm -rf build
