# feedsync: `make run` opens the console on the demo data, `make test` runs every test.
# Both install missing Debian packages first (see `make deps`).

PREFIX    ?= /usr/local
BUILD     ?= build
CC        ?= cc
PKGS      := libcurl libcjson sqlite3 libpq ncursesw libxml-2.0 zlib inih libsodium
CFLAGS    ?= -O2 -g
# Messages are cut to their buffers on purpose, so truncation is not a warning here.
WARN      := -std=c11 -Wall -Wextra -Werror -Wno-format-truncation -D_GNU_SOURCE
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
VERSION   := 0.1.0
ALL_CFLAGS = $(WARN) -DFEEDSYNC_VERSION=\"$(VERSION)\" -DFEEDSYNC_PREFIX=\"$(PREFIX)\" $(CFLAGS) $(EXTRA_CFLAGS) -Iinclude $(PKG_CFLAGS) -MMD -MP
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

DEBIAN_PKGS := build-essential pkg-config libncurses-dev libcurl4-openssl-dev libsqlite3-dev \
               libcjson-dev libcsv-dev libinih-dev libxml2-dev zlib1g-dev libsodium-dev libcriterion-dev \
               sqlite3 tmux valgrind python3 procps postgresql libpq-dev

.PHONY: all run test asan bench install clean deps check-deps unit
.DEFAULT_GOAL := all

all: check-deps $(BIN)

# Fails early with the install command instead of a wall of missing-header errors.
check-deps:
	@missing=$$(for p in $(DEBIAN_PKGS); do dpkg -s $$p >/dev/null 2>&1 || printf '%s ' $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "feedsync: missing Debian packages: $$missing"; \
	  echo "run 'make deps' (as root) or: sudo apt-get install -y $$missing"; exit 1; fi

deps:
	@missing=$$(for p in $(DEBIAN_PKGS); do dpkg -s $$p >/dev/null 2>&1 || printf '%s ' $$p; done); \
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

unit: check-deps $(UNIT_BIN)

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

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/feedsync/themes \
	  $(DESTDIR)$(PREFIX)/share/feedsync/presets
	install -m 0755 $(BIN) $(DESTDIR)$(PREFIX)/bin/feedsync
	install -m 0644 feedsync.ini $(DESTDIR)$(PREFIX)/share/feedsync/feedsync.ini
	install -m 0644 themes/*.ini $(DESTDIR)$(PREFIX)/share/feedsync/themes/
	install -m 0644 data/presets/*.json $(DESTDIR)$(PREFIX)/share/feedsync/presets/

clean:
	rm -rf build build-asan

-include $(OBJS:.o=.d) $(MAIN_OBJ:.o=.d) $(UNIT_OBJS:.o=.d) $(BENCH_BINS:=.d)
