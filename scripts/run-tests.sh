#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The whole test suite, exactly as CI runs it (.ci/run calls this script):
#   1. clang-format check of every C++ file
#   2. g++ build, warnings as errors: every test, each public header alone, consumer projects,
#      benchmark smoke runs (build/ci-gcc)
#   3. clang build with AddressSanitizer + UndefinedBehaviorSanitizer: every test and the fuzz
#      corpus replay (build/ci-asan)
#   4. clang build with ThreadSanitizer: the tests of the concurrent parts (build/ci-tsan)
# The AWS wing's tests start their loopback servers (radosgw, fauxqs, PostgreSQL) in stages 2 and 3.
# Installs missing Debian packages first. Ends with a table of each stage's wall time.
#
#   scripts/run-tests.sh           everything (what CI runs)
#   scripts/run-tests.sh --quick   the g++ build and its tests only, for iterating
set -euo pipefail
cd "$(dirname "$0")/.."

quick=0
case "${1:-}" in
  "") ;;
  --quick) quick=1 ;;
  *) echo "usage: scripts/run-tests.sh [--quick]" >&2; exit 2 ;;
esac

# Each stage's name and wall time, printed as a table when the script ends (also when it fails).
stage_names=()
stage_seconds=()
stage_start=$SECONDS
script_start=$SECONDS
current=""
print_table() {
  local status=$?
  if [ -n "$current" ]; then
    stage_names+=("$current (FAILED)")
    stage_seconds+=($((SECONDS - stage_start)))
  fi
  printf '\n==== stage times\n'
  local i
  for i in "${!stage_names[@]}"; do
    printf '  %-44s %5d s  %s\n' "${stage_names[$i]}" "${stage_seconds[$i]}" \
      "$(printf '%dm%02ds' $((stage_seconds[i] / 60)) $((stage_seconds[i] % 60)))"
  done
  local total=$((SECONDS - script_start))
  printf '  %-44s %5d s  %dm%02ds\n' "total" "$total" $((total / 60)) $((total % 60))
  exit "$status"
}
trap print_table EXIT
stage() {
  if [ -n "$current" ]; then
    stage_names+=("$current")
    stage_seconds+=($((SECONDS - stage_start)))
  fi
  current="$*"
  stage_start=$SECONDS
  [ -z "$current" ] || printf '\n==== %s (%ds elapsed)\n' "$current" "$((SECONDS - script_start))"
}

stage "install missing packages"
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

if [ "$quick" = 0 ]; then
  stage "clang-format check"
  mapfile -t sources < <(find include tests examples bench tools -name '*.hpp' -o -name '*.cpp' -o -name '*.ipp' | sort)
  clang-format --dry-run --Werror "${sources[@]}"
  echo "${#sources[@]} files formatted correctly"
fi

stage "g++, warnings as errors: build"
cmake --preset ci-gcc >/dev/null
cmake --build --preset ci-gcc -j "$jobs"
stage "g++: test"
ctest --preset ci-gcc

if [ "$quick" = 0 ]; then
  stage "clang ASan+UBSan: build"
  cmake --preset ci-asan >/dev/null
  cmake --build --preset ci-asan -j "$jobs"
  stage "clang ASan+UBSan: test"
  ctest --preset ci-asan

  # Only the areas whose tests exercise threads, built into one executable
  # (concurrent_parts_tests): the predictor's cache and alias swaps (serving_tests), the registry
  # and the blob stores under concurrent writers, the training workers, pools and their lease
  # heartbeats (jobs_tests), the models' multi-threaded fits and predictions (random forest trees,
  # mlp chunks, logistic regression blocks: models_tests).
  tsan_areas=(serving_tests registry_tests storage_tests jobs_tests models_tests)
  stage "clang TSan: build the concurrent parts"
  cmake --preset ci-tsan >/dev/null
  cmake --build --preset ci-tsan -j "$jobs" --target concurrent_parts_tests
  stage "clang TSan: test the concurrent parts"
  # Test names are "<area>: <test case>"; the tests of executables not built here are filtered out.
  ctest --preset ci-tsan -R "^($(IFS='|'; echo "${tsan_areas[*]}")):"
fi
stage ""
