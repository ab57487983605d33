# The two commands the README gives newcomers, and the sanitizer runs CI adds.
# Everything builds with Meson; this file only chains the steps.
BUILD      ?= build
ASAN_BUILD ?= build-asan
TSAN_BUILD ?= build-tsan
PORT       ?= 40007

.PHONY: all deps build run test test-asan test-tsan bench install clean

all: build

deps:
	@./scripts/install-deps.sh

$(BUILD)/build.ninja:
	meson setup $(BUILD) -Dwerror=true

build: deps $(BUILD)/build.ninja
	meson compile -C $(BUILD)

# Only what it runs: a newcomer's first `make run` does not wait for the tests and benchmarks.
run: deps $(BUILD)/build.ninja
	meson compile -C $(BUILD) wskhost wskctl echosrv
	$(BUILD)/src/host/wskhost --param echosrv:Port=$(PORT) $(BUILD)/samples/echosrv/echosrv.so

# The test targets build through run-tests.sh, so a build failure still ends with a count line.
test: deps $(BUILD)/build.ninja
	@./scripts/run-tests.sh $(BUILD)

$(ASAN_BUILD)/build.ninja:
	CC=clang CXX=clang++ meson setup $(ASAN_BUILD) -Dwerror=true \
	    -Db_sanitize=address,undefined -Db_lundef=false -Dbench=false

test-asan: deps $(ASAN_BUILD)/build.ninja
	@./scripts/run-tests.sh $(ASAN_BUILD)

$(TSAN_BUILD)/build.ninja:
	CC=clang CXX=clang++ meson setup $(TSAN_BUILD) -Dwerror=true \
	    -Db_sanitize=thread -Db_lundef=false -Dbench=false

# clang 14's TSan runtime aborts ("unexpected memory mapping") on kernels that randomise mmap
# with more than 28 bits; there the run goes without address randomisation, when the
# sandbox allows that (setarch -R is refused under some seccomp profiles).
TSAN_RND_MAX ?= 28
TSAN_WRAP = $(shell [ "$$(cat /proc/sys/vm/mmap_rnd_bits 2>/dev/null || echo 0)" -gt $(TSAN_RND_MAX) ] && \
                    setarch "$$(uname -m)" -R true 2>/dev/null && echo setarch "$$(uname -m)" -R)

test-tsan: deps $(TSAN_BUILD)/build.ninja
	@$(TSAN_WRAP) ./scripts/run-tests.sh $(TSAN_BUILD) --suite wsk --suite unit

bench: build
	meson test -C $(BUILD) --benchmark --verbose

install: build
	meson install -C $(BUILD)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(TSAN_BUILD)
