# shoebox: plain make. `make` builds ./shoebox; `make check` installs what is
# missing, then builds and runs every test (also under ASan and UBSan).
# CPPFLAGS, CFLAGS and LDFLAGS are honoured; warnings are errors unless
# `make WERROR=`.

PREFIX	?= /usr/local
BINDIR	?= $(PREFIX)/bin
MANDIR	?= $(PREFIX)/share/man
DATADIR	?= $(PREFIX)/share
SYSCONFDIR ?= /etc
UDEVDIR	?= /lib/udev/rules.d
UNITDIR	?= /lib/systemd/system
DESTDIR	?=

CC	?= cc
CFLAGS	?= -O2 -g
CPPFLAGS ?=
LDFLAGS	?=
WERROR	?= -Werror
PKGS	 = libexif libmagic libcurl sqlite3 libcrypto json-c zlib libxxhash
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

# 64-bit off_t and time_t on 32-bit systems too (armhf, armel, i386): a
# video over 2 GB, or a file dated after 2038 (a camera's clock set wrong),
# is otherwise refused with EOVERFLOW. No library we link takes an off_t,
# time_t, struct stat or struct timespec (libcurl's sizes and times are
# curl_off_t or long), so their 32-bit builds are called correctly.
SB_CFLAGS = -std=c11 -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 -D_TIME_BITS=64 \
	    -Wall -Wextra $(WERROR) -Iinclude \
	    -DSHOEBOX_DATADIR='"$(DATADIR)/shoebox"' \
	    -DSHOEBOX_SYSCONFDIR='"$(SYSCONFDIR)"' $(PKG_CFLAGS)
SB_LIBS	  = $(PKG_LIBS) -lm -lpthread
# Each object (and test binary) depends on the headers it includes.
DEPFLAGS  = -MMD -MP

SRCS	:= $(sort $(wildcard src/*.c))
LIBSRCS	:= $(filter-out src/main.c,$(SRCS))
OBJS	:= $(SRCS:src/%.c=build/obj/%.o)
LIBOBJS	:= $(LIBSRCS:src/%.c=build/obj/%.o)
AOBJS	:= $(SRCS:src/%.c=build/asan/%.o)
ALIBOBJS := $(LIBSRCS:src/%.c=build/asan/%.o)
FOBJS	:= $(LIBSRCS:src/%.c=build/fuzz/%.o)

UNITSRCS := $(sort $(wildcard tests/unit/test-*.c))
UNITS	 := $(UNITSRCS:tests/unit/%.c=build/tests/%)
AUNITS	 := $(UNITSRCS:tests/unit/%.c=build/asan-tests/%)
FUZZSRCS := $(sort $(wildcard tests/fuzz/fuzz-*.c))
FUZZERS	 := $(FUZZSRCS:tests/fuzz/%.c=build/fuzzers/%)

MAGICSRC := $(sort $(wildcard magic/*.magic))

ASAN	 = -fsanitize=address,undefined -fno-sanitize-recover=all \
	   -fno-omit-frame-pointer
FUZZCC	?= clang

all: shoebox magic/shoebox.mgc

shoebox: $(OBJS)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(OBJS) $(SB_LIBS)

build/asan/shoebox: $(AOBJS)
	$(CC) $(CFLAGS) $(ASAN) $(LDFLAGS) -o $@ $(AOBJS) $(SB_LIBS)

build/obj/%.o: src/%.c | build/obj
	$(CC) $(SB_CFLAGS) $(CPPFLAGS) $(CFLAGS) $(DEPFLAGS) -c -o $@ $<

build/asan/%.o: src/%.c | build/asan
	$(CC) $(SB_CFLAGS) $(CPPFLAGS) $(CFLAGS) $(ASAN) $(DEPFLAGS) -c -o $@ $<

# The fuzz build is clang's: the user's CFLAGS (for $(CC)) are not used.
build/fuzz/%.o: src/%.c | build/fuzz
	$(FUZZCC) $(SB_CFLAGS) $(CPPFLAGS) -O1 -g -fsanitize=fuzzer-no-link,address,undefined $(DEPFLAGS) -c -o $@ $<

build/tests/%: tests/unit/%.c $(LIBOBJS) | build/tests
	$(CC) $(SB_CFLAGS) $(CPPFLAGS) $(CFLAGS) $(DEPFLAGS) -Itests/unit -Isrc $(LDFLAGS) -o $@ $< $(LIBOBJS) $(SB_LIBS) -lcmocka

build/asan-tests/%: tests/unit/%.c $(ALIBOBJS) | build/asan-tests
	$(CC) $(SB_CFLAGS) $(CPPFLAGS) $(CFLAGS) $(ASAN) $(DEPFLAGS) -Itests/unit -Isrc $(LDFLAGS) -o $@ $< $(ALIBOBJS) $(SB_LIBS) -lcmocka

build/fuzzers/%: tests/fuzz/%.c $(FOBJS) | build/fuzzers
	$(FUZZCC) $(SB_CFLAGS) $(CPPFLAGS) -O1 -g -fsanitize=fuzzer,address,undefined $(DEPFLAGS) -Isrc $(LDFLAGS) -o $@ $< $(FOBJS) $(SB_LIBS)

-include $(OBJS:.o=.d) $(AOBJS:.o=.d) $(FOBJS:.o=.d) $(UNITS:=.d) \
    $(AUNITS:=.d) $(FUZZERS:=.d)
# The fuzzers' objects are only prerequisites of a pattern rule: keep them
# (not as .SECONDARY for all, which stops make rebuilding deleted objects).
.PRECIOUS: build/fuzz/%.o

build/obj build/asan build/fuzz build/tests build/asan-tests build/fuzzers:
	mkdir -p $@

# Our own libmagic definitions, compiled beside their source.
magic/shoebox.mgc: $(MAGICSRC)
	rm -rf build/magic && mkdir -p build/magic
	cat $(MAGICSRC) > build/magic/shoebox
	cd build/magic && file -C -m shoebox
	mv build/magic/shoebox.mgc $@

# What building needs (make, make demo); deps adds what the tests need.
deps-build:
	sh scripts/install-deps.sh --build

deps:
	sh scripts/install-deps.sh

units: $(UNITS)
asan: build/asan/shoebox $(AUNITS)
fuzzers: $(FUZZERS)

# make check builds with one job per CPU unless given -j; tests/run.sh runs
# TEST_JOBS tests at once (default: two per CPU).
NPROC	:= $(shell nproc 2>/dev/null || echo 2)
JOBS	 = $(if $(filter -j%,$(MAKEFLAGS)),,-j$(NPROC))

check: deps
	$(MAKE) $(JOBS) all units asan fuzzers
	sh tests/run.sh

# The 32-bit build a NAS runs (armhf, armel; i386 here), made apart in
# build/check32 and run through the unit and functional tests (not under
# ASan). It needs gcc-multilib and the :i386 -dev packages of the libraries
# and libcmocka (README, Tests), which `make deps` leaves out. The tests
# build their LD_PRELOAD shims with cc: build/check32/bin/cc runs $(CC32),
# so CC32 must not start with a bare cc (that would be the script itself).
CC32	?= gcc -m32
PKG_CONFIG_LIBDIR32 ?= /usr/lib/i386-linux-gnu/pkgconfig:/usr/share/pkgconfig

check32:
	@PKG_CONFIG_LIBDIR=$(PKG_CONFIG_LIBDIR32) pkg-config --exists \
	    $(PKGS) cmocka || { echo "check32: no 32-bit $(PKGS) cmocka" \
	    "(apt-get install gcc-multilib and their :i386 -dev packages)"; \
	    exit 1; }
	rm -rf build/check32
	mkdir -p build/check32/bin build/check32/tests
	cp -R Makefile include src magic man scripts build/check32/
	for f in tests/*; do [ $$f = tests/node ] || \
	    cp -R $$f build/check32/tests/ || exit 1; done
	ln -s ../../../tests/node build/check32/tests/node
	printf '#!/bin/sh\nexec %s "$$@"\n' '$(CC32)' >build/check32/bin/cc
	chmod 755 build/check32/bin/cc
	PKG_CONFIG_LIBDIR=$(PKG_CONFIG_LIBDIR32) $(MAKE) $(JOBS) \
	    -C build/check32 CC='$(CC32)' shoebox magic/shoebox.mgc units
	cd build/check32 && PATH="$$PWD/bin:$$PATH" SHOEBOX_TEST_FAST=1 \
	    CORPUS="$${CORPUS:-$(wildcard $(CURDIR)/../shared/corpus)}" \
	    sh tests/run.sh
.PHONY: check32

# Long fuzzing runs: FUZZ_SECONDS each (default 300).
fuzz: deps
	$(MAKE) fuzzers
	sh tests/fuzz/run.sh $${FUZZ_SECONDS:-300}

demo: deps-build
	$(MAKE) all
	sh scripts/demo.sh

bench: deps
	$(MAKE) all
	sh scripts/bench.sh

# Try to lose, duplicate or overwrite pictures (tests/torture/README.md);
# e.g. TORTURE_FLAGS='--seed 7 --runs 30 --seconds 900'.
torture: all
	python3 tests/torture/torture.py $(TORTURE_FLAGS)
.PHONY: torture

LIBEXECDIR ?= $(PREFIX)/lib/shoebox
SUBST	 = sed -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@LIBEXECDIR@|$(LIBEXECDIR)|g' \
	       -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g'
UNITFILES = shoebox-card@.service shoebox-ingest.service shoebox-ingest.timer \
	    shoebox-sync.service shoebox-sync.timer shoebox-watch@.service
LIBEXECFILES = shoebox-card shoebox-run

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
	    $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(DATADIR)/shoebox \
	    $(DESTDIR)$(UDEVDIR) $(DESTDIR)$(UNITDIR) $(DESTDIR)$(LIBEXECDIR) \
	    $(DESTDIR)$(SYSCONFDIR)
	install -m 755 shoebox $(DESTDIR)$(BINDIR)/shoebox
	install -m 644 man/shoebox.1 $(DESTDIR)$(MANDIR)/man1/shoebox.1
	install -m 644 man/shoebox.conf.5 $(DESTDIR)$(MANDIR)/man5/shoebox.conf.5
	install -m 644 magic/shoebox.mgc $(DESTDIR)$(DATADIR)/shoebox/shoebox.mgc
	install -m 644 scripts/99-shoebox.rules $(DESTDIR)$(UDEVDIR)/99-shoebox.rules
	install -m 644 scripts/shoebox.conf.example \
	    $(DESTDIR)$(SYSCONFDIR)/shoebox.conf.example
	for u in $(UNITFILES); do \
	    $(SUBST) scripts/$$u > $(DESTDIR)$(UNITDIR)/$$u && \
	    chmod 644 $(DESTDIR)$(UNITDIR)/$$u || exit 1; done
	for f in $(LIBEXECFILES); do \
	    $(SUBST) scripts/$$f > $(DESTDIR)$(LIBEXECDIR)/$$f && \
	    chmod 755 $(DESTDIR)$(LIBEXECDIR)/$$f || exit 1; done
	@echo
	@echo "Installed. Example config: $(SYSCONFDIR)/shoebox.conf.example ->"
	@echo "$(SYSCONFDIR)/shoebox.conf (library, remotes); settings of the units in"
	@echo "/etc/default/shoebox (SHOEBOX_USER, SHOEBOX_INGEST ...: man shoebox). The"
	@echo "units make no new library: run its first 'shoebox import' by hand. Then:"
	@echo "  udevadm control --reload                  # cards imported when inserted"
	@echo "  systemctl daemon-reload"
	@echo "  systemctl enable --now shoebox-sync.timer     # hourly upload retries"
	@echo "  systemctl enable --now shoebox-ingest.timer   # nightly NAS drop folder"
	@echo "  systemctl enable --now shoebox-watch@\$$(systemd-escape --path /srv/shoebox/drop).service"
	@echo "                                            # or: import as files arrive"

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/shoebox \
	    $(DESTDIR)$(MANDIR)/man1/shoebox.1 \
	    $(DESTDIR)$(MANDIR)/man5/shoebox.conf.5 \
	    $(DESTDIR)$(DATADIR)/shoebox/shoebox.mgc \
	    $(DESTDIR)$(UDEVDIR)/99-shoebox.rules \
	    $(DESTDIR)$(SYSCONFDIR)/shoebox.conf.example
	for u in $(UNITFILES); do rm -f $(DESTDIR)$(UNITDIR)/$$u; done
	for f in $(LIBEXECFILES); do rm -f $(DESTDIR)$(LIBEXECDIR)/$$f; done
	-rmdir $(DESTDIR)$(DATADIR)/shoebox $(DESTDIR)$(LIBEXECDIR)
	@echo "Removed. If the units were enabled: systemctl disable --now" \
	    "shoebox-sync.timer shoebox-ingest.timer 'shoebox-watch@*'; then" \
	    "systemctl daemon-reload; udevadm control --reload"

clean:
	rm -rf build shoebox magic/shoebox.mgc demo-library

.PHONY: all deps deps-build units asan fuzzers check fuzz demo bench install uninstall clean
