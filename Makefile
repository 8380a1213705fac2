# mod_authchallenge — build, test, demo.  See README.md.
#
#   make            build mod_authchallenge.so and htchallenge
#   make check      C unit tests, core/glue boundary check, fuzz corpus replay
#   make test       deps + check + the Apache-Test suite
#   make browser-deps  playwright-core into t/browser/node_modules (npm)
#   make demo       deps + build + a local httpd with demo users
#   make install    module into `apxs -q LIBEXECDIR`, htchallenge into $(BINDIR)
#   make fuzz       run each libFuzzer harness for FUZZ_SECONDS (clang)
#   make bench      side-by-side throughput table (t/bench/run.sh)
#   make bench-profile  instructions per request (callgrind) of its rows

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
EXT_LIBS    := -lcrypto -ljansson -lldap -llber
WARN        := -Wall -Wextra -Wno-unused-parameter
CORE_CFLAGS  = -std=gnu99 -g -O2 -fPIC $(WARN) -Isrc $(APR_CFLAGS)

CORE_SRCS   := $(sort $(wildcard src/ac_*.c))
CORE_OBJS   := $(CORE_SRCS:src/%.c=$(BUILDDIR)/core/%.o)
GLUE_SRCS   := mod_authchallenge.c $(sort $(wildcard src/mod_ac_*.c))
UNIT_SRCS   := $(sort $(wildcard t/unit/test_*.c))
UNIT_BINS   := $(UNIT_SRCS:t/unit/%.c=$(BUILDDIR)/unit/%)
FUZZ_SRCS   := $(sort $(wildcard t/fuzz/fuzz_*.c))
REPLAY_BINS := $(FUZZ_SRCS:t/fuzz/%.c=$(BUILDDIR)/replay/%)
FUZZ_BINS   := $(FUZZ_SRCS:t/fuzz/%.c=$(BUILDDIR)/fuzz/%)

MODULE      := .libs/mod_authchallenge.so
HTCHALLENGE := $(BUILDDIR)/htchallenge

# Debian 12 packages every target below needs (build, tests, demo).
DEB_PKGS := apache2 apache2-dev apache2-utils libapache2-mod-perl2 \
            libwww-perl libcmocka-dev libssl-dev libjansson-dev \
            libldap-dev slapd ldap-utils memcached redis-server \
            curl clang wrk gnuplot-nox python3 openssl \
            chromium nodejs
BENCH_PKGS := apache2 apache2-dev apache2-utils libssl-dev libjansson-dev \
              libldap-dev slapd ldap-utils curl wrk gnuplot-nox python3 \
              openssl perl gcc libc6-dev make

.PHONY: all module htchallenge check unit boundary replay cli-test test \
        farm-test browser-deps \
        apache-test demo demo-stop install clean deps fuzz bench bench-profile

all: module htchallenge

# ---------------------------------------------------------------- build
module: $(MODULE)

$(MODULE): $(GLUE_SRCS) $(CORE_SRCS) $(wildcard src/*.h)
	$(APXS) -c -o mod_authchallenge.la -Wc,-std=gnu99 -Wc,-Isrc \
	    -Wc,-Wall -Wc,-Wextra -Wc,-Wno-unused-parameter \
	    $(GLUE_SRCS) $(CORE_SRCS) $(EXT_LIBS)

htchallenge: $(HTCHALLENGE)

$(HTCHALLENGE): src/htchallenge.c $(wildcard src/htc_*.c src/htc_*.h) \
                $(CORE_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(CORE_CFLAGS) -o $@ src/htchallenge.c $(wildcard src/htc_*.c) \
	    $(CORE_OBJS) $(APR_LIBS) $(EXT_LIBS)

# The core is compiled without httpd's include path: a stray
# #include "httpd.h" in src/ac_*.c fails right here.
$(BUILDDIR)/core/%.o: src/%.c $(wildcard src/ac_*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CORE_CFLAGS) -c -o $@ $<

# ---------------------------------------------------------------- check
check: boundary unit replay

cli-test: $(HTCHALLENGE)
	HTCHALLENGE=$(HTCHALLENGE) prove t/cli/htchallenge.t

boundary:
	@bad=$$(grep -lE '#include *[<"](httpd|http_[a-z_]+|ap_[a-z_]+|util_[a-z_]+|mod_[a-z_]+)\.h' src/ac_*.c src/ac_*.h src/htchallenge.c \
	    src/htc_*.c src/htc_*.h 2>/dev/null); \
	if [ -n "$$bad" ]; then echo "core includes httpd headers: $$bad"; exit 1; fi; \
	echo "boundary: src/ac_*.c and htchallenge are httpd-free"

unit: $(UNIT_BINS)
	@set -e; for t in $(UNIT_BINS); do echo "== $$t"; $$t; done

$(BUILDDIR)/unit/%: t/unit/%.c $(CORE_OBJS) $(wildcard t/unit/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(CORE_CFLAGS) -It/unit -o $@ $< $(CORE_OBJS) \
	    $(APR_LIBS) $(EXT_LIBS) -lcmocka

# Corpus replay: each harness linked with a plain main() that feeds it
# every file of t/fuzz/corpus/<name>/, under ASan/UBSan when gcc has them;
# a UBSan report fails the replay as an ASan one does.
SAN := $(shell echo 'int main(void){return 0;}' | \
         $(CC) -x c -fsanitize=address,undefined -o /dev/null - \
         >/dev/null 2>&1 && echo -fsanitize=address,undefined)
REPLAY_CFLAGS = $(subst -O2,-O1,$(CORE_CFLAGS)) $(SAN) -fno-omit-frame-pointer

replay: $(REPLAY_BINS)
	@set -e; for b in $(REPLAY_BINS); do n=$$(basename $$b); \
	    ASAN_OPTIONS=detect_leaks=0 \
	    UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	    $$b t/fuzz/corpus/$${n#fuzz_}; done

REPLAY_OBJS := $(CORE_SRCS:src/%.c=$(BUILDDIR)/replay-core/%.o)
.SECONDARY: $(REPLAY_OBJS)

$(BUILDDIR)/replay-core/%.o: src/%.c $(wildcard src/ac_*.h)
	@mkdir -p $(dir $@)
	$(CC) $(REPLAY_CFLAGS) -c -o $@ $<

$(BUILDDIR)/replay/%: t/fuzz/%.c t/fuzz/replay.c $(REPLAY_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(REPLAY_CFLAGS) -It/unit -o $@ $< t/fuzz/replay.c $(REPLAY_OBJS) \
	    $(APR_LIBS) $(EXT_LIBS)

fuzz: $(FUZZ_BINS)
	@set -e; for b in $(FUZZ_BINS); do n=$$(basename $$b); \
	    mkdir -p t/fuzz/corpus/$${n#fuzz_}; \
	    $$b -max_total_time=$(FUZZ_SECONDS) t/fuzz/corpus/$${n#fuzz_}; done

$(BUILDDIR)/fuzz/%: t/fuzz/%.c $(CORE_SRCS)
	@mkdir -p $(dir $@)
	clang -std=gnu99 -g -O1 -Isrc -It/unit $(APR_CFLAGS) \
	    -fsanitize=fuzzer,address,undefined -o $@ $< $(CORE_SRCS) \
	    $(APR_LIBS) $(EXT_LIBS)

# ---------------------------------------------------------------- test
test: deps all check apache-test farm-test

apache-test: all browser-deps
	t/run-apache-test.sh

# Two httpd servers sharing memcached, then redis, and one secret file.
farm-test: all
	FARM_BENCH=0 BUILDDIR=$(BUILDDIR) t/farm/run.sh

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

# ---------------------------------------------------------------- install
install: all
	$(APXS) -i -n authchallenge mod_authchallenge.la
	install -m 0755 $(HTCHALLENGE) $(BINDIR)/htchallenge

clean:
	rm -rf $(BUILDDIR) .libs *.la *.lo *.slo *.o src/*.lo src/*.slo \
	    src/*.o src/.libs
	rm -rf t/logs t/conf/httpd.conf t/conf/extra.conf t/conf/apache_test_config.pm \
	    t/conf/modperl_inc.pl t/conf/modperl_startup.pl t/TEST t/htdocs/index.html \
	    t/var
