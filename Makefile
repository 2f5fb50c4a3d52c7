# orgwatch — build, run, test and benchmark. `make run` and `make test` are the two
# commands a new user needs (see README.md).
CC ?= cc
PKGS := libmicrohttpd jansson libpq uuid libcurl libcrypto
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lmicrohttpd -ljansson -lpq -luuid -lcurl -lcrypto)
WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes
CFLAGS ?= -O2 -g
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) -Iinclude $(PKG_CFLAGS)
LDLIBS = $(PKG_LIBS) -lpthread -lm

# SAN=1 builds with AddressSanitizer + UndefinedBehaviorSanitizer into build/san/.
ifeq ($(SAN),1)
BUILD := build/san
ALL_CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
else
BUILD := build
endif

# Pure modules: no libmicrohttpd, no database connection (docrow reads a PGresult, which a
# test can build; answers runs without its follower, db_conn is linked for it but never
# connects); unit-tested one by one.
PURE := bgthread buf numfmt pdate cursor csv config router jspec tree tidy filter stmts stmt_args resources rtypes rtypes_sql docrow svg chart chart_axis chart_bars chart_flows chart_org org_collapse answers db_conn log workers change netcheck whsig change_ring
SRCS := $(wildcard server/*.c)
# The statements' SQL texts (sql/statements/*.sql), embedded by scripts/sql_embed.sh into one
# generated C file that the statement table (stmts, a pure module) reads.
STMT_SQL := $(sort $(wildcard sql/statements/*.sql))
STMT_TEXTS := build/gen/stmt_texts.c
OBJS := $(patsubst server/%.c,$(BUILD)/obj/%.o,$(SRCS)) $(BUILD)/obj/stmt_texts.o
PURE_OBJS := $(patsubst %,$(BUILD)/obj/%.o,$(filter $(PURE),$(patsubst server/%.c,%,$(SRCS)))) \
	$(BUILD)/obj/stmt_texts.o
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/unit/%,$(UNIT_SRCS))

.PHONY: all run test unit bench memcheck security faults replicas soak clean format format-check deps FORCE
all: $(BUILD)/orgwatch

$(BUILD)/orgwatch: $(OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/obj/%.o: server/%.c $(wildcard include/*.h) | $(BUILD)/obj
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/unit/test_%: tests/unit/test_%.c $(PURE_OBJS) $(wildcard tests/unit/*.h) | $(BUILD)/unit
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(PURE_OBJS) -lcmocka $(LDLIBS)

# Written again whenever a .sql file of sql/statements/ changes, or one is added or removed
# (build/gen/stmt_files holds their list and changes only with it).
$(STMT_TEXTS): $(STMT_SQL) build/gen/stmt_files scripts/sql_embed.sh | build/gen
	sh scripts/sql_embed.sh $@ $(STMT_SQL)

build/gen/stmt_files: FORCE | build/gen
	@echo '$(STMT_SQL)' | cmp -s - $@ || echo '$(STMT_SQL)' >$@

$(BUILD)/obj/stmt_texts.o: $(STMT_TEXTS) include/stmt_texts.h | $(BUILD)/obj
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/obj $(BUILD)/unit build/gen:
	mkdir -p $@

FORCE:

# Runs every C unit test (each prints cmocka's summary), then checks that the C modules'
# include graph has no cycle (scripts/include_cycles.sh).
unit: $(UNIT_BINS)
	@set -e; for t in $(UNIT_BINS); do echo "== $$t"; ./$$t; done
	@bash scripts/include_cycles.sh

# The recipe of a target that runs a script on the built server: the packages of deps.sh's
# set $(1), the build, then the script $(2).
define deps_build_run
@bash scripts/deps.sh $(1)
@$(MAKE) --no-print-directory all
@bash $(2)
endef

run:
	$(call deps_build_run,runtime,scripts/run.sh)

test:
	@bash scripts/deps.sh test
	@bash scripts/test.sh

bench:
	$(call deps_build_run,bench,bench/run.sh)

# The API suites against the server under valgrind memcheck (slow; not part of make test).
memcheck:
	$(call deps_build_run,test,scripts/memcheck.sh)

# sqlmap --level 3 --risk 2 against every endpoint with query parameters or a body (the
# targets are read from openapi.yaml with node, hence the test tools first).
security:
	@bash scripts/deps.sh test
	$(call deps_build_run,security,scripts/security.sh)

# Fault tests: PostgreSQL stopped under load, SIGKILL during an import, disconnects,
# slow clients, idle-connection floods (also a layer of make test).
faults:
	$(call deps_build_run,test,scripts/faults.sh)

# Read replicas: a throwaway primary and a streaming replica (also a layer of make test).
replicas:
	$(call deps_build_run,test,scripts/replicas.sh)

# 10 minutes of mixed reads and writes at 64 connections (SOAK_SECONDS to change it).
soak:
	$(call deps_build_run,soak,scripts/soak.sh)

format:
	clang-format -i server/*.c include/*.h tests/unit/*.c tests/unit/*.h

format-check:
	clang-format --dry-run --Werror server/*.c include/*.h tests/unit/*.c tests/unit/*.h

clean:
	rm -rf build
# The fuzz targets (absent from the Docker image's build context, which has no tests/).
-include tests/fuzz/Makefile.fuzz
