# mod_authchallenge — build, test, demo.  See README.md.
#
#   make            build mod_authchallenge.so and htchallenge
#   make check      C unit tests, layer and include-cycle checks, corpus replay
#   make test       deps + check + the Apache-Test suite
#   make browser-deps  playwright-core into t/browser/node_modules (npm)
#   make oidc-deps  oidc-provider, oauth4webapi, jose into t/oidc/node_modules
#   make oidc-selftest  the OAuth 2.0 test harness (t/oidc/harness.t)
#   make demo       deps + build + a local httpd with demo users
#   make install    module into `apxs -q LIBEXECDIR`, htchallenge into $(BINDIR)
#   make deb        libapache2-mod-authchallenge_<version>_<arch>.deb here
#                   (dpkg-buildpackage on a copy in build/deb; docs/packaging.md)
#   make deb-test   build, install, a2enmod in an instance of its own, one
#                   request, remove and purge the package (part of make test)
#   make soak       SOAK_SECONDS (300) of load while dependencies fail
#                   (t/soak/results.md; 30 s of it in make test)
#   make test-asan  everything built with ASan/UBSan, the whole suite run
#                   against it (docs/reliability.md)
#   make fuzz       run each libFuzzer harness for FUZZ_SECONDS (clang)
#   make bench      side-by-side throughput table (t/bench/run.sh)
#   make bench-profile  instructions per request (callgrind) of its rows

# The release number, in this one place: the package version is made
# from it (see DEB_VERSION below).
VERSION     := 0.1.0

APXS        ?= $(shell command -v apxs 2>/dev/null || command -v apxs2 2>/dev/null || echo apxs)
BUILDDIR    ?= build
BINDIR      ?= /usr/local/bin
CC          ?= cc
FUZZ_SECONDS ?= 60

# Asked of apr-1-config once, when first used: on a new machine that is
# after `deps` has installed it (at parse time it is not there yet).
APR_CFLAGS   = $(eval APR_CFLAGS := $(shell apr-1-config --cflags --cppflags \
                 --includes 2>/dev/null) $(shell apu-1-config --includes \
                 2>/dev/null))$(APR_CFLAGS)
APR_LIBS     = $(eval APR_LIBS := $(shell apu-1-config --link-ld --libs \
                 2>/dev/null) $(shell apr-1-config --link-ld --libs \
                 2>/dev/null))$(APR_LIBS)
# httpd's flags and headers, as apxs gives them (the glue only).
APXS_CFLAGS  = $(eval APXS_CFLAGS := $(shell $(APXS) -q CFLAGS \
                 EXTRA_CPPFLAGS 2>/dev/null | tr -d ';') \
                 -I$(shell $(APXS) -q INCLUDEDIR 2>/dev/null))$(APXS_CFLAGS)
LIBTOOL      = $(eval LIBTOOL := $(shell $(APXS) -q LIBTOOL \
                 2>/dev/null))$(LIBTOOL)
EXT_LIBS    := -lcrypto -ljansson -lldap -llber -lcurl
# The glue only: memcached and redis clients of the shared state.
GLUE_LIBS   := -lmemcached -lmemcachedutil -lhiredis
WARN        := -Wall -Wextra -Wno-unused-parameter
# SANITIZE=address,undefined builds everything (core, glue, htchallenge,
# tests) with those sanitizers, in its own BUILDDIR (make test-asan).
SAN_FLAGS    = $(if $(SANITIZE),-fsanitize=$(SANITIZE) -fno-omit-frame-pointer)
# CPPFLAGS, CFLAGS and LDFLAGS from the environment come last: a Debian
# build (dh) passes its hardening flags that way.
CORE_CFLAGS  = -std=gnu99 -g -O2 -fPIC $(WARN) -Isrc/core $(APR_CFLAGS) \
               $(SAN_FLAGS) $(CPPFLAGS) $(CFLAGS)
GLUE_CFLAGS  = -std=gnu99 $(WARN) -Isrc/core -Isrc/httpd $(APR_CFLAGS) \
               $(APXS_CFLAGS) $(SAN_FLAGS) $(CPPFLAGS) $(CFLAGS)

CORE_SRCS   := $(sort $(wildcard src/core/ac_*.c))
CORE_HDRS   := $(wildcard src/core/ac_*.h)
CORE_OBJS   := $(CORE_SRCS:src/core/%.c=$(BUILDDIR)/core/%.o)
CORE_LIB    := $(BUILDDIR)/libauthchallenge.a
GLUE_SRCS   := mod_authchallenge.c $(sort $(wildcard src/httpd/mod_ac_*.c))
GLUE_HDRS   := $(wildcard src/httpd/mod_ac_*.h)
GLUE_OBJS   := $(patsubst %.c,$(BUILDDIR)/httpd/%.lo,$(notdir $(GLUE_SRCS)))
CLI_SRCS    := $(sort $(wildcard src/cli/*.c))
UNIT_SRCS   := $(sort $(wildcard t/unit/test_*.c))
UNIT_BINS   := $(UNIT_SRCS:t/unit/%.c=$(BUILDDIR)/unit/%)
FUZZ_SRCS   := $(sort $(wildcard t/fuzz/fuzz_*.c))
REPLAY_BINS := $(FUZZ_SRCS:t/fuzz/%.c=$(BUILDDIR)/replay/%)
FUZZ_BINS   := $(FUZZ_SRCS:t/fuzz/%.c=$(BUILDDIR)/fuzz/%)

MODULE      := $(BUILDDIR)/mod_authchallenge.so
HTCHALLENGE := $(BUILDDIR)/htchallenge

# What make deb needs: dpkg-buildpackage checks the Build-Depends of
# conf/debian/control, and build-essential, which it always requires.
DEB_BUILD_PKGS := build-essential debhelper apache2-dev libssl-dev \
                  libjansson-dev libldap-dev libcurl4-openssl-dev \
                  libmemcached-dev libhiredis-dev
# Debian 12 packages every target below needs (build, tests, demo,
# package; groff-base checks the man page).
DEB_PKGS := apache2 apache2-dev apache2-utils libapache2-mod-perl2 \
            libwww-perl libcmocka-dev libssl-dev libjansson-dev \
            libldap-dev slapd ldap-utils memcached redis-server \
            curl clang wrk gnuplot-nox python3 openssl \
            libmemcached-dev libhiredis-dev \
            chromium nodejs $(DEB_BUILD_PKGS) groff-base
BENCH_PKGS := apache2 apache2-dev apache2-utils libssl-dev libjansson-dev \
              libmemcached-dev libhiredis-dev memcached redis-server \
              libldap-dev libcurl4-openssl-dev slapd ldap-utils curl wrk \
              gnuplot-nox python3 \
              openssl perl gcc libc6-dev make nodejs

.PHONY: all module htchallenge check unit boundary includes replay \
        cli-test test farm-test browser-deps deb deb-deps deb-test \
        oidc-deps oidc-selftest apache-test test-asan soak soak-test \
        demo demo-stop \
        install clean \
        deps fuzz bench bench-profile

all: module htchallenge

# ---------------------------------------------------------------- build
# The core is built once, into one static library, with one set of
# flags; the module, htchallenge, the unit tests and the corpus replay
# all link that library.  Everything the build writes is under
# $(BUILDDIR).
#
# The core is compiled without httpd's include path: a stray
# #include "httpd.h" in src/core fails right here.
$(BUILDDIR)/core/%.o: src/core/%.c $(CORE_HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CORE_CFLAGS) -c -o $@ $<

$(CORE_LIB): $(CORE_OBJS)
	rm -f $@
	ar rcs $@ $(CORE_OBJS)

# The glue, with httpd's flags (apxs -q), as libtool objects for apxs.
$(BUILDDIR)/httpd/%.lo: src/httpd/%.c $(GLUE_HDRS) $(CORE_HDRS)
	@mkdir -p $(dir $@)
	$(LIBTOOL) --silent --mode=compile $(CC) $(GLUE_CFLAGS) -c -o $@ $<

$(BUILDDIR)/httpd/mod_authchallenge.lo: mod_authchallenge.c $(GLUE_HDRS) \
                                        $(CORE_HDRS)
	@mkdir -p $(dir $@)
	$(LIBTOOL) --silent --mode=compile $(CC) $(GLUE_CFLAGS) -c -o $@ $<

# apxs links the glue and the core library into the DSO.
module: $(MODULE)

$(MODULE): $(GLUE_OBJS) $(CORE_LIB)
	$(APXS) -c -o $(BUILDDIR)/mod_authchallenge.la $(GLUE_OBJS) \
	    $(CORE_LIB) $(EXT_LIBS) $(GLUE_LIBS) $(SAN_FLAGS) $(LDFLAGS) \
	    >/dev/null
	cp -p $(BUILDDIR)/.libs/mod_authchallenge.so $@

htchallenge: $(HTCHALLENGE)

$(HTCHALLENGE): $(CLI_SRCS) $(wildcard src/cli/*.h) $(CORE_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CORE_CFLAGS) -Isrc/cli $(LDFLAGS) -o $@ $(CLI_SRCS) \
	    $(CORE_LIB) $(APR_LIBS) $(EXT_LIBS)

# ---------------------------------------------------------------- check
check: boundary includes unit replay

cli-test: $(HTCHALLENGE)
	HTCHALLENGE=$(HTCHALLENGE) prove t/cli/htchallenge.t

# The layers: src/core and src/cli include no httpd header (the build
# above proves it for src/core; this says so by name, for src/cli too).
boundary:
	@bad=$$(grep -lE '#include *[<"](httpd|http_[a-z_]+|ap_[a-z_]+|util_[a-z_]+|mod_[a-z_]+)\.h' \
	    src/core/* src/cli/* 2>/dev/null); \
	if [ -n "$$bad" ]; then echo "httpd headers outside src/httpd: $$bad"; \
	    exit 1; fi; \
	echo "boundary: src/core and src/cli are httpd-free"

# No include cycle among the glue's headers and sources.
includes:
	@t/lint/include-cycles.sh src/httpd mod_authchallenge.c

# LSAN_OPTIONS: see t/asan/lsan.supp (used only by a sanitizer build)
unit: $(UNIT_BINS)
	@set -e; for t in $(UNIT_BINS); do echo "== $$t"; \
	    LSAN_OPTIONS=suppressions=t/asan/lsan.supp \
	    ASAN_OPTIONS=fast_unwind_on_malloc=0 $$t; done

$(BUILDDIR)/unit/%: t/unit/%.c $(CORE_LIB) $(wildcard t/unit/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CORE_CFLAGS) -It/unit -o $@ $< $(CORE_LIB) \
	    $(APR_LIBS) $(EXT_LIBS) -lcmocka

# Corpus replay: each harness linked with a plain main() that feeds it
# every file of t/fuzz/corpus/<name>/, against the same core library
# (the harness itself under ASan/UBSan when gcc has them); a UBSan report
# fails the replay as an ASan one does.
SAN := $(shell echo 'int main(void){return 0;}' | \
         $(CC) -x c -fsanitize=address,undefined -o /dev/null - \
         >/dev/null 2>&1 && echo -fsanitize=address,undefined)
REPLAY_CFLAGS = $(CORE_CFLAGS) $(SAN) -fno-omit-frame-pointer

replay: $(REPLAY_BINS)
	@set -e; for b in $(REPLAY_BINS); do n=$$(basename $$b); \
	    ASAN_OPTIONS=detect_leaks=0 \
	    UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	    $$b t/fuzz/corpus/$${n#fuzz_}; done

$(BUILDDIR)/replay/%: t/fuzz/%.c t/fuzz/replay.c t/fuzz/fuzz.h $(CORE_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(REPLAY_CFLAGS) -It/unit -o $@ $< t/fuzz/replay.c $(CORE_LIB) \
	    $(APR_LIBS) $(EXT_LIBS)

# libFuzzer needs the core compiled with its coverage instrumentation:
# the same sources, built by clang into build/fuzz.
fuzz: $(FUZZ_BINS)
	@set -e; for b in $(FUZZ_BINS); do n=$$(basename $$b); \
	    mkdir -p t/fuzz/corpus/$${n#fuzz_}; \
	    $$b -max_total_time=$(FUZZ_SECONDS) t/fuzz/corpus/$${n#fuzz_}; done

$(BUILDDIR)/fuzz/%: t/fuzz/%.c t/fuzz/fuzz.h $(CORE_SRCS) $(CORE_HDRS)
	@mkdir -p $(dir $@)
	clang -std=gnu99 -g -O1 -Isrc/core -It/unit $(APR_CFLAGS) \
	    -fsanitize=fuzzer,address,undefined -o $@ $< $(CORE_SRCS) \
	    $(APR_LIBS) $(EXT_LIBS)

# ---------------------------------------------------------------- asan
# The core, the glue and htchallenge built with AddressSanitizer and
# UndefinedBehaviorSanitizer into their own BUILDDIR, then the unit
# tests, the corpus replay, the CLI test and the whole Apache-Test suite
# run against that build; any report fails it (t/asan/run.sh,
# docs/reliability.md).  It takes about twice make apache-test's time,
# so it is not part of make test.
ASAN_BUILDDIR ?= build-asan

test-asan: deps browser-deps oidc-deps
	$(MAKE) --no-print-directory BUILDDIR=$(ASAN_BUILDDIR) \
	    SANITIZE=address,undefined all unit replay cli-test
	t/asan/run.sh $(ASAN_BUILDDIR)

# ---------------------------------------------------------------- test
# deb-test last: it installs the package and runs an httpd of its own,
# never at the same time as the suite (which loads the module built here).
test: deps all check apache-test farm-test soak-test deb-test

apache-test: all browser-deps oidc-deps
	t/run-apache-test.sh

# Load and faults (docs/reliability.md): make soak runs SOAK_SECONDS
# (300) and writes t/soak/results.md; make test runs 30 s of it, its
# results in build/soak.md.
SOAK_SECONDS ?= 300

soak: all
	SOAK_SECONDS=$(SOAK_SECONDS) BUILDDIR=$(BUILDDIR) t/soak/run.sh

soak-test: all
	SOAK_SECONDS=30 SOAK_GROWTH_MAX=25 SOAK_OUT=$(BUILDDIR)/soak.md \
	    BUILDDIR=$(BUILDDIR) t/soak/run.sh

# Two httpd servers sharing memcached, then redis, and one secret file
# (oidc-deps: node makes the DPoP keys, tokens and proofs).
farm-test: all oidc-deps
	FARM_BENCH=0 BUILDDIR=$(BUILDDIR) t/farm/run.sh

# The .deb as a user gets it: contents, Depends, install, a2enmod in a
# Debian apache2 instance of its own, one request, remove, purge.  In
# make test it comes after the two suites, also with -j: it installs
# the package and starts an httpd of its own (t/deb/run.sh).
deb-test: deb
	t/deb/run.sh $(DEB_FILE)
ifneq ($(filter test,$(MAKECMDGOALS)),)
deb-test: | apache-test farm-test soak-test
endif

# ---------------------------------------------------------------- deps
# apt-get update once, then install only what is missing ($(2): more
# apt-get options).
define install_missing
	@missing=""; for p in $(1); do \
	    dpkg-query -W -f='$${Status}' $$p 2>/dev/null | \
	        grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	    echo "installing:$$missing"; \
	    export DEBIAN_FRONTEND=noninteractive; \
	    apt-get update -q && apt-get install -y -q $(2) $$missing; \
	else echo "deps: all Debian packages present"; fi
endef

deps:
	$(call install_missing,$(DEB_PKGS))

deb-deps:
	$(call install_missing,$(DEB_BUILD_PKGS))

# make bench needs neither the test tools nor a browser, nor what the
# packages only recommend (through debhelper: g++, ImageMagick,
# Ghostscript, GnuPG; 256 packages and 159 MB on a new Debian 12, 169
# and 105 MB without): a new machine runs it sooner without them.  The
# compiler is named instead.
bench-deps:
	$(call install_missing,$(BENCH_PKGS),--no-install-recommends)

# The browser tests (t/browser/chromium.t) drive Debian's chromium
# through playwright-core, pinned in t/browser/package-lock.json and
# installed there (gitignored), never with a browser download.  npm
# comes with some nodejs builds (NodeSource); Debian's nodejs needs
# Debian's npm, installed only when there is no npm at all (it would
# conflict with a nodejs that ships its own).  CI_NO_BROWSER=1 skips
# it, as it skips the tests.
BROWSER_STAMP := t/browser/node_modules/.package-lock.json

browser-deps:
	@if [ "$${CI_NO_BROWSER:-}" = 1 ]; then \
	    echo "browser-deps: CI_NO_BROWSER=1, skipped"; \
	else $(MAKE) -s --no-print-directory $(BROWSER_STAMP) && \
	    echo "browser-deps: playwright-core in t/browser/node_modules"; fi

$(BROWSER_STAMP): t/browser/package.json t/browser/package-lock.json
	@command -v npm >/dev/null || { echo "installing: npm"; \
	    export DEBIAN_FRONTEND=noninteractive; \
	    apt-get update -q && apt-get install -y -q npm; }
	cd t/browser && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 \
	    npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# The OAuth 2.0 tests (docs/bearer.md: RFC 8414, 7662, 9728, 9449) run
# a real authorization server, oidc-provider, and real clients, oauth4webapi and jose (see
# t/oidc/README.md), pinned in t/oidc/package-lock.json and installed
# there (gitignored), with npm as for browser-deps.
OIDC_STAMP := t/oidc/node_modules/.package-lock.json

oidc-deps:
	@$(MAKE) -s --no-print-directory $(OIDC_STAMP) && \
	    echo "oidc-deps: oidc-provider, oauth4webapi, jose in t/oidc/node_modules"

$(OIDC_STAMP): t/oidc/package.json t/oidc/package-lock.json
	@command -v npm >/dev/null || { echo "installing: npm"; \
	    export DEBIAN_FRONTEND=noninteractive; \
	    apt-get update -q && apt-get install -y -q npm; }
	cd t/oidc && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# The harness alone, without httpd: the server, the clients, ACOidc.pm.
oidc-selftest: oidc-deps
	prove t/oidc/harness.t

# ---------------------------------------------------------------- demo
demo: deps all
	t/demo/demo.sh start

demo-stop:
	t/demo/demo.sh stop

bench: bench-deps all
	t/bench/run.sh

# Instructions per request under callgrind, from make bench's fixtures.
bench-profile: all
	t/bench/profile.sh

# ---------------------------------------------------------------- deb
# dpkg-buildpackage needs debian/ at the top of the tree it builds: the
# sources and conf/debian/ are copied to $(DEB_STAGE) and built there
# from scratch (dh, dh_apache2, dpkg-shlibdeps; docs/packaging.md).
# debian/changelog is written from DEB_VERSION, debian/copyright gets
# LICENSE's text.  The variables of a make run (MAKEFLAGS, BUILDDIR)
# are not passed on: the staged tree builds with its own defaults.
DEB_PKG     := libapache2-mod-authchallenge
# VERSION, and in a git checkout ~git<commits>.<hash>: a snapshot sorts
# before the release and after the snapshots of earlier commits, so
# apt installs a newer build over an older one.
ifeq ($(origin DEB_VERSION),undefined)
DEB_VERSION := $(VERSION)$(shell git rev-parse --git-dir >/dev/null 2>&1 \
                 && echo "~git$$(git rev-list --count HEAD).$$(git \
                 rev-parse --short=7 HEAD)")
endif
DEB_ARCH     = $(eval DEB_ARCH := $(shell dpkg --print-architecture))$(DEB_ARCH)
DEB_FILE     = $(DEB_PKG)_$(DEB_VERSION)_$(DEB_ARCH).deb
DEB_STAGE   := $(BUILDDIR)/deb/$(DEB_PKG)-$(DEB_VERSION)

deb: deb-deps
	@set -e; start=$$(date +%s); s=$(DEB_STAGE); \
	rm -rf $(BUILDDIR)/deb; mkdir -p $$s/src $$s/conf $$s/docs; \
	cp -p Makefile mod_authchallenge.c README.md LICENSE $$s/; \
	cp -pR src/core src/httpd src/cli $$s/src/; cp -p docs/* $$s/docs/; \
	cp -pR conf/authchallenge.load conf/authchallenge.conf conf/examples \
	    $$s/conf/; \
	cp -pR conf/debian $$s/debian; \
	maint=$$(sed -n 's/^Maintainer: //p' conf/debian/control); \
	when=$$(git log -1 --format=%aD 2>/dev/null || date -R); \
	from=$$(git describe --always --dirty 2>/dev/null || echo "a tree"); \
	printf '%s (%s) unstable; urgency=medium\n\n  * %s\n\n -- %s  %s\n' \
	    $(DEB_PKG) $(DEB_VERSION) "make deb, from $$from." "$$maint" \
	    "$$when" > $$s/debian/changelog; \
	{ echo; echo "License: Apache-2.0"; \
	  sed -e 's/^[[:space:]]*$$/./' -e 's/^/ /' LICENSE; \
	  echo " ."; echo " On Debian systems, the full text of the Apache" \
	    "License 2.0 is also in"; \
	  echo " /usr/share/common-licenses/Apache-2.0."; \
	} >> $$s/debian/copyright; \
	echo "deb: dpkg-buildpackage in $$s (log: $(BUILDDIR)/deb/build.log)"; \
	if ! (cd $$s && env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS -u BUILDDIR \
	        dpkg-buildpackage -b -us -uc -Jauto) \
	        > $(BUILDDIR)/deb/build.log 2>&1; then \
	    tail -n 30 $(BUILDDIR)/deb/build.log; exit 1; fi; \
	cp $(BUILDDIR)/deb/$(DEB_FILE) .; \
	echo "deb: $(DEB_FILE), $$(( $$(date +%s) - start )) s"

# ---------------------------------------------------------------- install
install: all
	$(APXS) -i -n authchallenge $(BUILDDIR)/mod_authchallenge.la
	install -m 0755 $(HTCHALLENGE) $(BINDIR)/htchallenge

clean:
	rm -rf $(BUILDDIR) $(ASAN_BUILDDIR) $(DEB_PKG)_*.deb
	rm -rf t/logs t/conf/httpd.conf t/conf/extra.conf t/conf/apache_test_config.pm \
	    t/conf/modperl_inc.pl t/conf/modperl_startup.pl t/TEST t/htdocs/index.html \
	    t/var
