#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The whole test suite, exactly as CI runs it (.ci/run calls this script):
#   1. clang-format check of every C++ file
#   2. g++ build, warnings as errors: every test, each public header alone, consumer projects,
#      benchmark smoke runs (build/ci-gcc)
#   3. clang build with AddressSanitizer + UndefinedBehaviorSanitizer: every test (build/ci-asan)
#   4. clang build with ThreadSanitizer: the tests of the concurrent parts only (build/ci-tsan)
# The AWS wing's tests start their loopback servers (radosgw, fauxqs, PostgreSQL) in stages 2 and 3.
# Installs missing Debian packages first. The output ends with CTest's summary.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh test
if command -v ccache >/dev/null 2>&1; then
  # Paths relative to the checkout and no working directory in the hash: a second clone of the
  # project (CI's) reuses what the first one compiled.
  export CMAKE_CXX_COMPILER_LAUNCHER=ccache CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
fi
jobs="$(nproc 2>/dev/null || echo 2)"
# The AWS wing's tests fail, rather than skip, when a loopback server (radosgw, fauxqs,
# PostgreSQL) did not start: this script installs them all.
export MLPIPE_REQUIRE_AWS_SERVERS=1
start=$SECONDS
step() { printf '\n==== %s (%ds elapsed)\n' "$*" "$((SECONDS - start))"; }

step "1/4 clang-format check"
mapfile -t sources < <(find include tests examples bench tools -name '*.hpp' -o -name '*.cpp' -o -name '*.ipp' | sort)
clang-format --dry-run --Werror "${sources[@]}"
echo "${#sources[@]} files formatted correctly"

step "2/4 g++, warnings as errors: build and test"
cmake --preset ci-gcc >/dev/null
cmake --build --preset ci-gcc -j "$jobs"
ctest --preset ci-gcc

step "3/4 clang, ASan + UBSan: build and test"
cmake --preset ci-asan >/dev/null
cmake --build --preset ci-asan -j "$jobs"
ctest --preset ci-asan

step "4/4 clang, ThreadSanitizer: build and test the concurrent parts"
# Only the executables whose tests exercise threads: the predictor's cache and alias swaps
# (serving_tests), the registry and the blob stores under concurrent writers, the training
# workers, pools and their lease heartbeats (jobs_tests), the models' multi-threaded fits and
# predictions (random forest trees, mlp chunks, logistic regression blocks: models_tests).
tsan_targets=(serving_tests registry_tests storage_tests jobs_tests models_tests)
cmake --preset ci-tsan >/dev/null
cmake --build --preset ci-tsan -j "$jobs" --target "${tsan_targets[@]}"
# Test names are "<executable>:<test case>"; the executables not built here are filtered out.
ctest --preset ci-tsan -R "^($(IFS='|'; echo "${tsan_targets[*]}")):"
