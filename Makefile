# dialtone.teams_phone - build, test, demo, bench and packaging.
#
#   make deps      install what is missing (Debian packages)
#   make           build libdialtone.a and every module into plugins/modules/
#   make test      all test layers; ends with "N passed, N failed"
#   make demo      the multi-site rollout against the built-in tenant simulator
#   make bench     request counts and timings, printed
#   make lint      yamllint and ansible-lint (production profile)
#   make soak      the demo rollout under faults, three seeds: converged, tries, duplicates, orphans
#   make SANITIZE=address,undefined test     under ASan/UBSan
#   make valgrind  unit tests under valgrind
#   make fuzz      argument and response fuzzing of the sanitizer build
#                  (FUZZ_SECONDS, default 600; build in build/sanitize)
#   make collection    ansible-galaxy collection build

CC      ?= cc
PYTHON  := /usr/bin/python3
BUILD   := build
# Where the module executables go; the fuzz build puts its own elsewhere.
MODDIR  := plugins/modules
# The sanitizer build of `make fuzz` and of the test layer "fuzz".
FUZZ_BUILD   := build/sanitize
FUZZ_SECONDS ?= 600
PKGS    := libcurl libcjson openssl

WARN = -std=c11 -Wall -Wextra -pedantic -Wstrict-prototypes -Wmissing-prototypes \
       -Wold-style-definition -Wshadow -Wpointer-arith -Wwrite-strings -Wvla \
       -Wformat=2 -fno-common -Wno-missing-field-initializers
CFLAGS  ?= -O2 -g
CFLAGS  += $(WARN) -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Icore
ifdef DEVELOPER
CFLAGS  += -Werror
endif
ifdef CI
CFLAGS  += -Werror
endif
ifdef SANITIZE
CFLAGS  += -fsanitize=$(SANITIZE) -fno-sanitize-recover=$(SANITIZE) -fno-omit-frame-pointer
LDFLAGS += -fsanitize=$(SANITIZE)
endif
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lcurl -lcjson -lssl -lcrypto)
CFLAGS  += $(PKG_CFLAGS)
LIBS     = $(PKG_LIBS) -lm

# V=1 shows the full commands.
ifeq ($(V),1)
Q :=
else
Q := @
endif

CORE_SRC  := $(filter-out core/module_main.c,$(wildcard core/*.c))
CORE_OBJ  := $(CORE_SRC:core/%.c=$(BUILD)/core/%.o)
MAIN_OBJ  := $(BUILD)/core/module_main.o
LIB       := $(BUILD)/libdialtone.a
MOD_SRC   := $(wildcard modules/*.c)
MODULES   := $(MOD_SRC:modules/%.c=$(MODDIR)/%)
UNIT_SRC  := $(wildcard tests/unit/test_*.c)
UNIT_BIN  := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
SIM_SRC   := $(wildcard tests/sim/test_*.c)
SIM_BIN   := $(SIM_SRC:tests/sim/%.c=$(BUILD)/tests/%)
HELPER_SRC := $(wildcard tests/helpers/*.c)
HELPER_OBJ := $(HELPER_SRC:tests/helpers/%.c=$(BUILD)/tests/helpers/%.o)

# Objects depend on the flags they were built with: a SANITIZE build and a
# plain one never mix.
# `make fuzz` and `make fuzz-build` only start a sub-make with their own
# BUILD: they must not restamp (and so rebuild) the normal tree.
FLAGS_STAMP := $(BUILD)/.flags
ifeq ($(filter fuzz fuzz-build,$(MAKECMDGOALS)),)
$(shell mkdir -p $(BUILD) && echo '$(CC) $(CFLAGS) $(LDFLAGS)' > $(BUILD)/.flags.new && \
  (cmp -s $(BUILD)/.flags.new $(FLAGS_STAMP) || mv $(BUILD)/.flags.new $(FLAGS_STAMP)); rm -f $(BUILD)/.flags.new)
endif

# Keep every object file: deleting the intermediate ones would relink every
# module on the next make.
.SECONDARY:

.PHONY: all deps test unit demo bench soak lint valgrind collection install clean check-banned \
	fuzz fuzz-build
all: $(LIB) $(MODULES)

deps:
	@scripts/deps.sh

$(BUILD)/core/%.o: core/%.c $(wildcard core/*.h) $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	@echo '  CC     $<'
	$(Q)$(CC) $(CFLAGS) -c -o $@ $<

$(LIB): $(CORE_OBJ)
	@rm -f $@
	@echo '  AR     $@'
	$(Q)ar rcs $@ $^

$(BUILD)/modules/%.o: modules/%.c $(wildcard core/*.h) $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	@echo '  CC     $<'
	$(Q)$(CC) $(CFLAGS) -c -o $@ $<

$(MODDIR)/%: $(BUILD)/modules/%.o $(MAIN_OBJ) $(LIB)
	@mkdir -p $(dir $@)
	@echo '  LINK   $@'
	$(Q)$(CC) $(LDFLAGS) -o $@.tmp $< $(MAIN_OBJ) $(LIB) $(LIBS) && mv -f $@.tmp $@

$(BUILD)/tests/helpers/%.o: tests/helpers/%.c $(wildcard tests/helpers/*.h) $(wildcard core/*.h) $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	@echo '  CC     $<'
	$(Q)$(CC) $(CFLAGS) -Itests/helpers -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(LIB) $(HELPER_OBJ) $(wildcard core/*.h) $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	@echo '  TEST   $@'
	$(Q)$(CC) $(CFLAGS) -Itests/helpers $(LDFLAGS) -o $@ $< $(HELPER_OBJ) $(LIB) $(LIBS) -lcriterion

$(BUILD)/tests/%: tests/sim/%.c $(LIB) $(HELPER_OBJ) $(wildcard core/*.h) $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	@echo '  TEST   $@'
	$(Q)$(CC) $(CFLAGS) -Itests/helpers $(LDFLAGS) -o $@ $< $(HELPER_OBJ) $(LIB) $(LIBS) -lcriterion

unit: $(UNIT_BIN) $(SIM_BIN)

check-banned:
	@scripts/check-banned.sh

test: deps
	@$(MAKE) --no-print-directory DEVELOPER=1 all unit
	@tests/run.sh

valgrind: deps
	@$(MAKE) --no-print-directory DEVELOPER=1 all unit
	@VALGRIND=1 tests/run.sh unit

# The modules built with ASan/UBSan in their own tree: the normal build
# (and its flags stamp) is left alone.
fuzz-build:
	@$(MAKE) --no-print-directory DEVELOPER=1 SANITIZE=address,undefined \
		BUILD=$(FUZZ_BUILD) MODDIR=$(FUZZ_BUILD)/bin all

fuzz: deps fuzz-build
	@$(PYTHON) tests/fuzz/fuzz.py --seconds $(FUZZ_SECONDS) --modules $(FUZZ_BUILD)/bin

demo: deps
	@$(MAKE) --no-print-directory all
	@scripts/demo.sh

lint: deps
	@scripts/lint.sh

bench: deps
	@$(MAKE) --no-print-directory all
	@scripts/bench.sh

soak: deps
	@$(MAKE) --no-print-directory all
	@scripts/soak.sh

collection: all
	ansible-galaxy collection build --force .

install: collection
	ansible-galaxy collection install --force dialtone-teams_phone-*.tar.gz

clean:
	rm -rf $(BUILD) tests/output dialtone-teams_phone-*.tar.gz
	find plugins/modules -type f ! -name '*.py' -delete
