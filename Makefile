# feedsync: `make` builds (it needs only the build dependencies), `make run` opens the console on the demo
# data, `make test` runs every test, `make install` installs (PREFIX, DESTDIR, STRIP=1 or install-strip).
# run and test install missing Debian packages first (see `make deps`).

PREFIX    ?= /usr/local
BINDIR    ?= $(PREFIX)/bin
DATADIR   ?= $(PREFIX)/share
MANDIR    ?= $(DATADIR)/man
DOCDIR    ?= $(DATADIR)/doc/feedsync
# The configuration the service reads (/etc/feedsync/feedsync.ini), whatever the prefix.
SYSCONFDIR ?= /etc
UNITDIR   ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
BASHCOMPDIR ?= $(DATADIR)/bash-completion/completions
ZSHCOMPDIR ?= $(DATADIR)/zsh/site-functions
FISHCOMPDIR ?= $(DATADIR)/fish/vendor_completions.d
STRIP     ?=
STRIPPROG ?= strip
BUILD     ?= build
CC        ?= cc
PKGS      := libcurl libcjson sqlite3 libpq ncursesw libxml-2.0 zlib inih libsodium
CFLAGS    ?= -O2 -g
# Messages are cut to their buffers on purpose, so truncation is not a warning here.
WARN      := -std=c11 -Wall -Wextra -Werror -Wno-format-truncation -D_GNU_SOURCE
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
VERSION   := 0.1.0
ALL_CFLAGS = $(WARN) -DFEEDSYNC_VERSION=\"$(VERSION)\" -DFEEDSYNC_PREFIX=\"$(PREFIX)\" \
             -DFEEDSYNC_SYSCONFDIR=\"$(SYSCONFDIR)\" $(CPPFLAGS) $(CFLAGS) $(EXTRA_CFLAGS) -Iinclude $(PKG_CFLAGS) -MMD -MP
LIBS       = $(PKG_LIBS) -lcsv -lpthread -lm
LDFLAGS   ?=

SRCS      := $(shell find src -name '*.c' ! -name main.c | sort)
OBJS      := $(SRCS:%.c=$(BUILD)/%.o)
MAIN_OBJ  := $(BUILD)/src/main.o
LIB       := $(BUILD)/libfeedsync.a
BIN       := $(BUILD)/feedsync
UNIT_SRCS := $(wildcard tests/unit/*.c)
UNIT_OBJS := $(UNIT_SRCS:%.c=$(BUILD)/%.o)
UNIT_BIN  := $(BUILD)/unit-tests
BENCH_SRCS := $(wildcard bench/*.c)
BENCH_BINS := $(BENCH_SRCS:bench/%.c=$(BUILD)/bench/%)

BUILD_DEBS := build-essential pkg-config libncurses-dev libcurl4-openssl-dev libsqlite3-dev \
              libcjson-dev libcsv-dev libinih-dev libxml2-dev zlib1g-dev libpq-dev libsodium-dev
TEST_DEBS  := libcriterion-dev sqlite3 tmux valgrind python3 procps postgresql systemd man-db zsh fish
# $(call missing_debs,PACKAGES): a shell expression listing those not installed.
missing_debs = $$(for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || printf '%s ' $$p; done)

.PHONY: all run test asan bench install install-strip uninstall clean deps check-deps check-test-deps unit
.DEFAULT_GOAL := all

all: check-deps $(BIN)

# Fails early with the install command instead of a wall of missing-header errors. Without dpkg (another
# distribution) pkg-config says what is missing.
check-deps:
	@if command -v dpkg >/dev/null 2>&1; then missing=$(call missing_debs,$(BUILD_DEBS)); \
	else missing=$$(for p in $(PKGS); do pkg-config --exists $$p 2>/dev/null || printf '%s ' $$p; done); fi; \
	if [ -n "$$missing" ]; then \
	  echo "feedsync: missing build dependencies: $$missing"; \
	  echo "run 'make deps' (as root, on Debian) or install them with your package manager"; exit 1; fi

check-test-deps:
	@if command -v dpkg >/dev/null 2>&1; then missing=$(call missing_debs,$(TEST_DEBS)); \
	if [ -n "$$missing" ]; then \
	  echo "feedsync: missing test dependencies: $$missing"; \
	  echo "run 'make deps' (as root) or: sudo apt-get install -y $$missing"; exit 1; fi; fi

deps:
	@missing=$(call missing_debs,$(BUILD_DEBS) $(TEST_DEBS)); \
	if [ -z "$$missing" ]; then echo "deps: all Debian packages present"; \
	elif [ "$$(id -u)" = 0 ]; then \
	  echo "deps: installing $$missing"; \
	  DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	else echo "deps: run as root: apt-get install -y $$missing"; exit 1; fi

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c $< -o $@

$(LIB): $(OBJS)
	@rm -f $@
	ar rcs $@ $^

$(BIN): $(MAIN_OBJ) $(LIB)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS)

$(UNIT_BIN): $(UNIT_OBJS) $(LIB)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS) -lcriterion

$(BUILD)/bench/%: bench/%.c $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LIBS)

unit: check-deps check-test-deps $(UNIT_BIN)

run: deps $(BIN)
	./tests/helpers/demo.sh $(BIN)

test: deps
	$(MAKE) all unit
	BUILD=$(BUILD) ./tests/run.sh

asan: deps
	$(MAKE) BUILD=build-asan CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer" \
	  LDFLAGS="-fsanitize=address,undefined" all unit
	BUILD=build-asan FEEDSYNC_NO_VALGRIND=1 ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ./tests/run.sh

bench: deps
	$(MAKE) all $(BENCH_BINS)
	BUILD=$(BUILD) ./bench/run.sh

# The unit names the installed binary; the rest is copied as it is in dist/.
install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/feedsync/themes $(DESTDIR)$(DATADIR)/feedsync/presets \
	  $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(DOCDIR) $(DESTDIR)$(UNITDIR) \
	  $(DESTDIR)$(SYSUSERSDIR) $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR) $(DESTDIR)$(FISHCOMPDIR) \
	  $(DESTDIR)$(SYSCONFDIR)/feedsync
	install -m 0755 $(if $(filter-out 0 no,$(STRIP)),-s --strip-program=$(STRIPPROG)) $(BIN) \
	  $(DESTDIR)$(BINDIR)/feedsync
	install -m 0644 feedsync.ini $(DESTDIR)$(DATADIR)/feedsync/feedsync.ini
	@# an administrator's edits survive a reinstall
	[ -e $(DESTDIR)$(SYSCONFDIR)/feedsync/feedsync.ini ] || \
	  install -m 0644 feedsync.ini $(DESTDIR)$(SYSCONFDIR)/feedsync/feedsync.ini
	install -m 0644 themes/*.ini $(DESTDIR)$(DATADIR)/feedsync/themes/
	install -m 0644 data/presets/*.json $(DESTDIR)$(DATADIR)/feedsync/presets/
	install -m 0644 dist/feedsync.1 $(DESTDIR)$(MANDIR)/man1/feedsync.1
	install -m 0644 dist/feedsync.ini.5 $(DESTDIR)$(MANDIR)/man5/feedsync.ini.5
	install -m 0644 LICENSE README.md $(DESTDIR)$(DOCDIR)/
	sed 's|@BINDIR@|$(BINDIR)|g' dist/feedsync-worker.service.in >$(DESTDIR)$(UNITDIR)/feedsync-worker.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/feedsync-worker.service
	install -m 0644 dist/sysusers.conf $(DESTDIR)$(SYSUSERSDIR)/feedsync.conf
	install -m 0644 dist/completion/feedsync.bash $(DESTDIR)$(BASHCOMPDIR)/feedsync
	install -m 0644 dist/completion/_feedsync $(DESTDIR)$(ZSHCOMPDIR)/_feedsync
	install -m 0644 dist/completion/feedsync.fish $(DESTDIR)$(FISHCOMPDIR)/feedsync.fish

install-strip:
	$(MAKE) install STRIP=1

# Leaves /etc/feedsync (the administrator's) and /var/lib/feedsync (the data) alone.
uninstall:
	rm -f $(DESTDIR)$(BINDIR)/feedsync $(DESTDIR)$(DATADIR)/feedsync/feedsync.ini \
	  $(DESTDIR)$(MANDIR)/man1/feedsync.1 $(DESTDIR)$(MANDIR)/man5/feedsync.ini.5 \
	  $(DESTDIR)$(DOCDIR)/LICENSE $(DESTDIR)$(DOCDIR)/README.md \
	  $(DESTDIR)$(UNITDIR)/feedsync-worker.service $(DESTDIR)$(SYSUSERSDIR)/feedsync.conf \
	  $(DESTDIR)$(BASHCOMPDIR)/feedsync $(DESTDIR)$(ZSHCOMPDIR)/_feedsync $(DESTDIR)$(FISHCOMPDIR)/feedsync.fish
	rm -f $(addprefix $(DESTDIR)$(DATADIR)/feedsync/themes/,$(notdir $(wildcard themes/*.ini))) \
	  $(addprefix $(DESTDIR)$(DATADIR)/feedsync/presets/,$(notdir $(wildcard data/presets/*.json)))
	-rmdir $(DESTDIR)$(DATADIR)/feedsync/themes $(DESTDIR)$(DATADIR)/feedsync/presets \
	  $(DESTDIR)$(DATADIR)/feedsync $(DESTDIR)$(DOCDIR) 2>/dev/null

clean:
	rm -rf build build-asan

-include $(OBJS:.o=.d) $(MAIN_OBJ:.o=.d) $(UNIT_OBJS:.o=.d) $(BENCH_BINS:=.d)
