# chameleon: one non-recursive Makefile.
#   make                 build build/chameleon (CFG=release)
#   make check           unit tests (plain and ASan+UBSan), golden tests,
#                        integration tests against real servers, fuzz smoke
#   make bench           benchmarks against baselines measured in the same run
#   make fuzz            libFuzzer targets (clang), FUZZ_TIME seconds each
#   make demo            the README's demo
#   make check-tsan      init_replica's threads under ThreadSanitizer
#                        (t_init.sh with build/tsan/chameleon; not in check)
#   make static          build/static/chameleon, fully static, libpq built
#                        from the PostgreSQL source package (test/static/)
#   make static-check    that binary in an empty chroot against real servers
#                        (not in check)
#   make image           the FROM scratch container image (podman or docker)
#   make soak SOAK_MIN=30  sysbench on MariaDB while replicating through
#                        fault-injecting proxies, with kill -9 (not in check)
# CFG=debug|release|asan|tsan|fuzz|static selects the flavour; objects go to build/$(CFG)/.

CFG      ?= release
CC       ?= cc
ifeq ($(origin CC),default)
CC       := cc
endif
ifeq ($(CFG),fuzz)
CC       := clang
endif
B        := build/$(CFG)
PKGS     := libfyaml openssl zlib libzstd libpq
STD      := -std=c11 -D_GNU_SOURCE
WARN     := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
            -Wold-style-definition -Wpointer-arith -Wvla -Wwrite-strings \
            -Wformat=2 -Wundef -Wimplicit-fallthrough -fno-common
WERROR   ?= 0
ifeq ($(WERROR),1)
WARN     += -Werror
endif
CFLAGS_debug   := -O0 -g
CFLAGS_release := -O2 -g -D_FORTIFY_SOURCE=2 -fstack-protector-strong
CFLAGS_asan    := -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all \
                  -fno-omit-frame-pointer -DARENA_DEBUG
CFLAGS_fuzz    := -O1 -g -fsanitize=fuzzer-no-link,address,undefined \
                  -fno-sanitize-recover=all -fno-omit-frame-pointer -DARENA_DEBUG
CFLAGS_tsan    := -O1 -g -fsanitize=thread -fno-omit-frame-pointer
LDFLAGS_asan   := -fsanitize=address,undefined
LDFLAGS_tsan   := -fsanitize=thread
LDFLAGS_fuzz   := -fsanitize=address,undefined
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
# CFG=static: test/static/build.sh builds libpq (PGSRC: the PostgreSQL
# source, PGBLD: its build tree) and then this; the rest are the Debian
# static libraries, in the order the linker needs
ifeq ($(CFG),static)
PGSRC ?= build/static-src/postgresql
PGBLD ?= build/static-src/pg-build
CFLAGS_static  := -O2 -g -D_FORTIFY_SOURCE=2 -fstack-protector-strong -DCHAMELEON_STATIC
LDFLAGS_static := -static
PKG_CFLAGS := -I$(PGSRC)/src/interfaces/libpq -I$(PGBLD)/src/include -I$(PGSRC)/src/include \
              $(shell pkg-config --cflags libfyaml openssl zlib libzstd 2>/dev/null)
PKG_LIBS   := $(PGBLD)/src/interfaces/libpq/libpq.a $(PGBLD)/src/common/libpgcommon_shlib.a \
              $(PGBLD)/src/port/libpgport_shlib.a -lssl -lcrypto -lzstd -lz -lfyaml -ldl
endif
ALL_CFLAGS := $(STD) $(WARN) $(CFLAGS_$(CFG)) -I. -I$(B) $(PKG_CFLAGS) -MMD -MP $(CFLAGS)
ALL_LDFLAGS := $(LDFLAGS_$(CFG)) $(LDFLAGS)
LIBS     := $(PKG_LIBS) -lm -lpthread

ifneq ($(V),1)
Q_CC = @printf '  CC      %s\n' $@;
Q_LD = @printf '  LD      %s\n' $@;
Q_AR = @printf '  AR      %s\n' $@;
endif

MODULES  := base binlog mysqlproto replay snapshot
define module_vars
SRC_$(1) := $$(wildcard $(1)/*.c)
OBJ_$(1) := $$(SRC_$(1):%.c=$(B)/%.o)
LIB_$(1) := $(B)/lib$(1).a
endef
$(foreach m,$(MODULES),$(eval $(call module_vars,$(m))))
# link order: users before what they use
MODLIBS  := $(LIB_snapshot) $(LIB_replay) $(LIB_mysqlproto) $(LIB_binlog) $(LIB_base)

SRC_cmd  := $(wildcard cmd/*.c)
OBJ_cmd  := $(SRC_cmd:%.c=$(B)/%.o)
OBJ_cmd_lib := $(filter-out $(B)/cmd/main.o,$(OBJ_cmd))
SRC_unit := $(wildcard test/unit/t_*.c)
OBJ_unit := $(SRC_unit:%.c=$(B)/%.o) $(B)/test/unit/runner.o \
            $(patsubst %.c,$(B)/%.o,$(wildcard test/lib/*.c))
FUZZERS  := $(patsubst test/fuzz/%.c,%,$(wildcard test/fuzz/fuzz_*.c))

.PHONY: static static-check image
.PHONY: all check check-unit check-asan check-golden check-integ check-tsan fuzz fuzz-smoke \
        bench soak demo clean fixtures-update deps check-deps format format-check

all: $(B)/chameleon $(B)/unit-tests $(FUZZERS:%=$(B)/fuzz/%)
ifeq ($(CFG),release)
all: build/chameleon
build/chameleon: $(B)/chameleon
	@cp $< $@
endif

$(B)/.flags: FORCE
	@mkdir -p $(B)
	@echo '$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS)' | cmp -s - $@ || \
		echo '$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS)' > $@
FORCE:

$(B)/%.o: %.c $(B)/.flags
	@mkdir -p $(dir $@)
	$(Q_CC)$(CC) $(ALL_CFLAGS) -c -o $@ $<

define module_lib
$$(LIB_$(1)): $$(OBJ_$(1))
	@mkdir -p $$(dir $$@)
	@rm -f $$@
	$$(Q_AR)ar rcs $$@ $$^
endef
$(foreach m,$(MODULES),$(eval $(call module_lib,$(m))))

$(B)/chameleon: $(OBJ_cmd) $(MODLIBS)
	$(Q_LD)$(CC) $(ALL_LDFLAGS) -o $@ $(OBJ_cmd) $(MODLIBS) $(LIBS)

# the list of test files is a prerequisite too: a deleted file regenerates it
$(B)/.unit-files: FORCE
	@mkdir -p $(B)
	@echo '$(SRC_unit)' | cmp -s - $@ || echo '$(SRC_unit)' > $@
$(B)/test-list.h: $(SRC_unit) test/unit/gen-list.sh $(B)/.unit-files
	@mkdir -p $(B)
	@sh test/unit/gen-list.sh $(SRC_unit) > $@.tmp && mv $@.tmp $@
$(B)/test/unit/runner.o: $(B)/test-list.h

# cmd objects other than main.o are linked into the unit tests too
$(B)/unit-tests: $(OBJ_unit) $(OBJ_cmd_lib) $(MODLIBS)
	$(Q_LD)$(CC) $(ALL_LDFLAGS) -o $@ $(OBJ_unit) $(OBJ_cmd_lib) $(MODLIBS) $(LIBS)

# Fuzz targets: with standalone.c in every build (so they keep compiling),
# with libFuzzer when CFG=fuzz.
# (the cmd objects but main.o are linked too, for fuzz_config)
ifeq ($(CFG),fuzz)
$(B)/fuzz/%: $(B)/test/fuzz/%.o $(OBJ_cmd_lib) $(MODLIBS)
	@mkdir -p $(dir $@)
	$(Q_LD)$(CC) -fsanitize=fuzzer,address,undefined -o $@ $< $(OBJ_cmd_lib) $(MODLIBS) $(LIBS)
else
$(B)/fuzz/%: $(B)/test/fuzz/%.o $(B)/test/fuzz/standalone.o $(OBJ_cmd_lib) $(MODLIBS)
	@mkdir -p $(dir $@)
	$(Q_LD)$(CC) $(ALL_LDFLAGS) -o $@ $< $(B)/test/fuzz/standalone.o $(OBJ_cmd_lib) $(MODLIBS) $(LIBS)
endif

# ---- tests ---------------------------------------------------------------
RESULTS := build/results

check:
	@sh test/check.sh

check-unit: $(B)/unit-tests
	@mkdir -p $(RESULTS)
	@$(B)/unit-tests $(T) | tee $(RESULTS)/unit-$(CFG).tap

check-golden: all
	@mkdir -p $(RESULTS)
	@sh test/golden.sh $(B)/chameleon | tee $(RESULTS)/golden.tap

check-integ: all
	@mkdir -p $(RESULTS)
	@sh test/integ/run.sh $(abspath $(B)/chameleon) | tee $(RESULTS)/integ.tap

# the copy workers are threads: a data race makes the test fail
check-tsan:
	@$(MAKE) --no-print-directory CFG=tsan build/tsan/chameleon
	@mkdir -p $(RESULTS)
	@sh test/check-tsan.sh $(abspath build/tsan/chameleon) > $(RESULTS)/tsan.tap; \
		rc=$$?; cat $(RESULTS)/tsan.tap; exit $$rc

fixtures-update: all
	@sh test/golden.sh --update $(B)/chameleon

FUZZ_TIME ?= 60
fuzz:
	@$(MAKE) --no-print-directory CFG=fuzz $(FUZZERS:%=build/fuzz/fuzz/%)
	@sh test/fuzz/run.sh build/fuzz/fuzz $(FUZZ_TIME) $(FUZZERS)

# a fixed amount of deterministic work (fixed seed), the same on every machine
fuzz-smoke:
	@$(MAKE) --no-print-directory fuzz FUZZ_TIME=runs:$(or $(FUZZ_SMOKE_RUNS),30000)

bench:
	@sh test/packages.sh bench
	@$(MAKE) --no-print-directory all
	@sh bench/run.sh $(abspath $(B)/chameleon)

SOAK_MIN ?= 30
soak:
	@sh test/packages.sh bench
	@$(MAKE) --no-print-directory all
	@SOAK_MIN=$(SOAK_MIN) sh test/soak.sh $(abspath $(B)/chameleon)

demo:
	@sh test/packages.sh all
	@$(MAKE) --no-print-directory all
	@sh test/demo.sh $(abspath $(B)/chameleon)

# the deployable forms (docs/deploy.md); none of them is part of make check
static:
	@sh test/static/build.sh

static-check:
	@sh test/static/check.sh

image:
	@sh test/static/image.sh

# install (as root) or name the Debian packages the build and the tests need
deps:
	@sh test/packages.sh all

check-deps:
	@sh test/check-deps.sh

# clang-format 14 with .clang-format.  Not part of make check: the tree
# predates .clang-format (what it would still change is listed there), so
# check the files you touch: make format-check FORMAT_FILES="a.c b.h".
FORMAT_FILES ?= $(wildcard */*.c */*.h test/*/*.c test/*/*.h)
format:
	clang-format -i $(FORMAT_FILES)

format-check:
	@mkdir -p $(B); clang-format --dry-run --Werror $(FORMAT_FILES) 2>$(B)/format-check.log; \
	rc=$$?; n=$$(grep -c 'code should be clang-formatted' $(B)/format-check.log); \
	echo "format-check: $$n places in $(words $(FORMAT_FILES)) files differ from .clang-format"; \
	[ $$rc = 0 ] || { head -40 $(B)/format-check.log; exit 1; }

clean:
	rm -rf build

-include $(shell find build/$(CFG) -name '*.d' 2>/dev/null)
