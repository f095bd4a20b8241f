#!/bin/sh
# The whole test suite, as CI runs it: builds asyncdemo twice, optimised and with
# AddressSanitizer + UndefinedBehaviorSanitizer, and runs every unit and integration test
# (ctest) against each build. Every build here treats warnings as errors (ASYNCDEMO_WERROR),
# and the programs are also built as Release (gcc) and with clang, so that no build type
# a user may pick warns. Needs the packages of packaging/install-deps.sh.
set -eu
cd "$(dirname "$0")/.."
jobs=$(nproc)

suite() {
    dir=$1
    shift
    echo "== $dir: configure and build"
    cmake -S . -B "$dir" -DBUILD_TESTING=ON "$@" >"$dir.cmake.log" 2>&1 || { cat "$dir.cmake.log"; exit 1; }
    cmake --build "$dir" -j "$jobs"
    echo "== $dir: unit tests"
    ctest --test-dir "$dir" -L unit -j "$jobs" --output-on-failure
    echo "== $dir: integration tests"
    # Two at a time where a test allows it: the timing-sensitive ones are RUN_SERIAL (they run alone).
    ctest --test-dir "$dir" -L integration -j "$jobs" --output-on-failure
}

suite build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DASYNCDEMO_WERROR=ON

# Release (-O3) inlines more, and gcc's format-truncation checks see more: the programs only.
echo "== build-release: configure and build (Release, gcc)"
cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF -DASYNCDEMO_WERROR=ON \
    >build-release.cmake.log 2>&1 || { cat build-release.cmake.log; exit 1; }
cmake --build build-release -j "$jobs"

# The Debian package: built with lintian, installed with apt into a namespaced systemd (once).
echo "== build: Debian package"
ctest --test-dir build -L package --output-on-failure

# The daemon's integration run under valgrind's memcheck: no error, no definite or indirect leak.
echo "== build: valgrind"
ctest --test-dir build -L valgrind --output-on-failure

# A minute of steady mixed load: no unexpected error, flat RSS and descriptors, stable latency (small
# leaks are valgrind's and LSan's to find here; the 30-minute soak is bench/soak/run.sh).
echo "== build: soak"
ctest --test-dir build -L soak --output-on-failure

# Leaks are errors; UBSan stops at the first report so it cannot scroll by unnoticed.
ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:strict_string_checks=1 \
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    suite build-asan -DCMAKE_BUILD_TYPE=Debug -DASYNCDEMO_SANITIZE=ON -DASYNCDEMO_WERROR=ON

# libFuzzer (clang): every parser fuzzed for a bounded time over its checked-in seed corpus. The
# same clang tree builds the two programs too: the suite's clang build.
echo "== build-fuzz: configure and build (RelWithDebInfo, clang)"
CC=clang cmake -S . -B build-fuzz -DBUILD_TESTING=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo -DASYNCDEMO_FUZZ=ON \
    -DASYNCDEMO_WERROR=ON >build-fuzz.cmake.log 2>&1 || { cat build-fuzz.cmake.log; exit 1; }
cmake --build build-fuzz --target fuzz_targets asyncdemod asyncdemoctl -j "$jobs"
echo "== build-fuzz: fuzz tests"
ctest --test-dir build-fuzz -L fuzz -j "$jobs" --output-on-failure

echo "== all suites passed"
