# rapport — one Makefile, no generator.
#   make            build ./rapport (and build/librapport.a)
#   make check      install missing packages, build, check the layers, run every test (TAP under prove)
#   make layers     check that includes and calls follow DESIGN.md §1
#   make check-asan the same tests, built with -fsanitize=address,undefined
#   make demo       install missing packages, build, run the local story
#   make fuzz       build the libFuzzer harnesses and run each for FUZZ_SECONDS
#   make bench      print BENCH lines (tests/bench/)
#   make install    PREFIX=/usr/local (or ~/.local), DESTDIR=; make uninstall the same

PREFIX  ?= /usr/local
CC      ?= cc
BUILD   ?= build
CFLAGS  ?= -O2 -g
WARN     = -std=c11 -Wall -Wextra -Wpedantic -Werror -Wshadow -Wstrict-prototypes
CPPFLAGS += -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE
# libzmq is not linked: the commands that talk to peers load it (node/sync/zmqlib.h)
LIBS     = -llmdb -lsodium -lmsgpackc -ljansson -lpthread -ldl
SAN      = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

# Debian packages: what the build needs, and what the tests and fuzzing need.
DEB_BUILD = liblmdb-dev libsodium-dev libzmq3-dev libmsgpack-dev libjansson-dev pkg-config
DEB_TEST  = jq perl lmdb-utils clang-14 libclang-rt-14-dev scdoc groff-base systemd procps iproute2 python3 python3-zmq \
            python3-vobject
DEB_ALL   = $(DEB_BUILD) $(DEB_TEST)

PROTO_SRC = $(wildcard proto/*.c)
NODE_SRC  = $(wildcard node/*.c node/*/*.c)
CLI_SRC   = $(wildcard cli/*.c)
UNIT_SRC  = $(wildcard tests/unit/test_*.c)
TOOL_SRC  = $(wildcard tests/tools/*.c)
FUZZ_SRC  = $(wildcard fuzz/fuzz_*.c)

LIB_OBJ   = $(patsubst %.c,$(BUILD)/%.o,$(PROTO_SRC) $(NODE_SRC))
CLI_OBJ   = $(patsubst %.c,$(BUILD)/%.o,$(CLI_SRC))
UNIT_BIN  = $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))
TOOL_BIN  = $(patsubst tests/tools/%.c,$(BUILD)/tests/tools/%,$(TOOL_SRC))
FUZZ_BIN  = $(patsubst fuzz/%.c,$(BUILD)/fuzz/%,$(FUZZ_SRC))

ifeq ($(BUILD),build)
RAPPORT = rapport
else
RAPPORT = $(BUILD)/rapport
endif

.PHONY: all check check-asan layers unit scenarios demo deps fuzz fuzz-build bench install uninstall clean man

all: $(RAPPORT) $(UNIT_BIN) $(TOOL_BIN)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(WARN) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/librapport.a: $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(RAPPORT): $(CLI_OBJ) $(BUILD)/librapport.a
	$(CC) $(CFLAGS) -o $@ $(CLI_OBJ) $(BUILD)/librapport.a $(LIBS)

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/librapport.a $(wildcard tests/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(WARN) $(CPPFLAGS) $(CFLAGS) -Itests -o $@ $< $(BUILD)/librapport.a $(LIBS)

# Test-only programs the scenarios drive (a client that tampers with a batch).
$(BUILD)/tests/tools/%: tests/tools/%.c $(BUILD)/librapport.a
	@mkdir -p $(dir $@)
	$(CC) $(WARN) $(CPPFLAGS) $(CFLAGS) -Itests -o $@ $< $(BUILD)/librapport.a $(LIBS)

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d)

# ---- dependencies ----------------------------------------------------------
# Installs only what is missing; a machine that has everything runs no apt-get.
deps:
	@missing=""; for p in $(DEB_ALL); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

# ---- tests -----------------------------------------------------------------
PROVE ?= prove
# Builds run on every core; the tests keep their own pace (scenarios: prove -j2).
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

check: deps
	$(MAKE) -j$(JOBS) all
	$(MAKE) layers unit scenarios

# DESIGN.md §1: includes and calls go down the layers, never up or round
# (tests/tools/layers says what it checks).
layers:
	tests/tools/layers

unit: $(UNIT_BIN)
	$(PROVE) -f $(UNIT_BIN)

scenarios: $(RAPPORT) $(TOOL_BIN)
	cd tests/t && RAPPORT_BIN=$(abspath $(RAPPORT)) RP_TOOLS=$(abspath $(BUILD)/tests/tools) \
	  RP_TAMPER_BIN=$(abspath $(BUILD)/tests/tools/rp_tamper) \
	  $(PROVE) -j2 -f ./t*.sh

check-asan: deps
	$(MAKE) -j$(JOBS) BUILD=build-asan CC=clang CFLAGS="-O1 -g $(SAN)" LDFLAGS="$(SAN)" all
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  $(MAKE) BUILD=build-asan CC=clang CFLAGS="-O1 -g $(SAN)" LDFLAGS="$(SAN)" unit scenarios

demo: deps
	$(MAKE) -j$(JOBS) $(RAPPORT)
	RAPPORT_BIN=$(abspath $(RAPPORT)) sh tests/demo.sh

# ---- fuzzing ---------------------------------------------------------------
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 10
FUZZ_SAN      = -g -O1 -fno-sanitize-recover=undefined
FUZZ_FLAGS    = -std=c11 $(CPPFLAGS) $(FUZZ_SAN) -fsanitize=fuzzer,address,undefined
# The library once, instrumented (fuzzer-no-link), for every harness to link.
FUZZ_OBJ      = $(patsubst %.c,$(BUILD)/fuzzobj/%.o,$(PROTO_SRC) $(NODE_SRC))

fuzz-build: $(FUZZ_BIN)

$(BUILD)/fuzzobj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -std=c11 $(CPPFLAGS) $(FUZZ_SAN) -fsanitize=fuzzer-no-link,address,undefined -MMD -MP -c $< -o $@

$(BUILD)/librapport-fuzz.a: $(FUZZ_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/fuzz/%: fuzz/%.c $(BUILD)/librapport-fuzz.a $(wildcard tests/*.h)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $< $(BUILD)/librapport-fuzz.a $(LIBS)

-include $(FUZZ_OBJ:.o=.d)

fuzz: deps
	$(MAKE) -j$(JOBS) fuzz-build
	@for f in $(FUZZ_BIN); do \
	  n=$$(basename $$f); mkdir -p $(BUILD)/corpus/$$n; \
	  echo "fuzz: $$n for $(FUZZ_SECONDS) s"; \
	  $$f -max_total_time=$(FUZZ_SECONDS) -print_final_stats=0 $(BUILD)/corpus/$$n fuzz/corpus/$$n 2>$(BUILD)/fuzz/$$n.log \
	    || { tail -40 $(BUILD)/fuzz/$$n.log; exit 1; }; \
	done

# ---- benchmarks ------------------------------------------------------------
bench: $(RAPPORT) $(BUILD)/tests/bench_sign $(BUILD)/tests/tools/rp_flood
	RAPPORT_BIN=$(abspath $(RAPPORT)) BENCH_SIGN=$(abspath $(BUILD)/tests/bench_sign) \
	  RP_FLOOD=$(abspath $(BUILD)/tests/tools/rp_flood) sh tests/bench/run.sh

$(BUILD)/tests/bench_sign: tests/bench/bench_sign.c $(BUILD)/librapport.a
	@mkdir -p $(dir $@)
	$(CC) $(WARN) $(CPPFLAGS) $(CFLAGS) -o $@ $< $(BUILD)/librapport.a $(LIBS)

# ---- docs and install ------------------------------------------------------
# make install [PREFIX=/usr/local] [DESTDIR=]: the binary, the man page, the
# bash completion and the systemd user unit, each where its reader looks: man
# next to a bin/ on the PATH, bash-completion in ~/.local/share and
# /usr/local/share, systemd --user in $(PREFIX)/lib/systemd/user for a system
# prefix but, in a home, only in $XDG_DATA_HOME/systemd/user: for a PREFIX in
# $HOME the unit goes to $(PREFIX)/share/systemd/user, right for ~/.local
# (another needs UNITDIR=). Its ExecStart names the installed binary.
# make uninstall (same PREFIX and DESTDIR) removes those four files; the
# directories stay, they may hold others'. INSTALL_RAPPORT: the binary to
# install, built here or elsewhere (tests/t/t0120-install.sh gives its own).
BINDIR         = $(PREFIX)/bin
MANDIR         = $(PREFIX)/share/man
COMPLETIONSDIR = $(PREFIX)/share/bash-completion/completions
HOME_DIR       = $(patsubst %/,%,$(HOME))
ifneq ($(and $(HOME_DIR),$(filter $(HOME_DIR)/%,$(PREFIX))),)
UNITDIR        = $(PREFIX)/share/systemd/user
else
UNITDIR        = $(PREFIX)/lib/systemd/user
endif
INSTALL_RAPPORT = $(RAPPORT)

man: $(BUILD)/rapport.1
$(BUILD)/rapport.1: cli/rapport.1.scd
	@mkdir -p $(BUILD)
	scdoc < $< > $@.tmp && mv $@.tmp $@

install: $(INSTALL_RAPPORT) man
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(COMPLETIONSDIR) $(DESTDIR)$(UNITDIR)
	install -m 0755 $(INSTALL_RAPPORT) $(DESTDIR)$(BINDIR)/rapport
	install -m 0644 $(BUILD)/rapport.1 $(DESTDIR)$(MANDIR)/man1/rapport.1
	install -m 0644 cli/rapport.bash $(DESTDIR)$(COMPLETIONSDIR)/rapport
	sed 's|^\(#\{0,1\}ExecStart=\)/usr/local/bin/rapport|\1$(BINDIR)/rapport|' node/rapport.service \
	  > $(BUILD)/rapport.service
	install -m 0644 $(BUILD)/rapport.service $(DESTDIR)$(UNITDIR)/rapport.service

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/rapport $(DESTDIR)$(MANDIR)/man1/rapport.1 \
	  $(DESTDIR)$(COMPLETIONSDIR)/rapport $(DESTDIR)$(UNITDIR)/rapport.service

clean:
	rm -rf build build-asan rapport
