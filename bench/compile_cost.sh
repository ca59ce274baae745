#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Compile cost of a translation unit that uses one model, the artifact and the evaluation toolbox
# (bench/compile_cost.cpp; issue 3's target: <= 10 s and <= 1 GB of compiler memory with g++ -O2),
# in both of mlpipe's modes: header-only, and separate compilation (-DMLPIPE_SEPARATE_COMPILATION,
# the program links mlpipe::compiled; docs/separate-compilation.md).
#
#   bench/compile_cost.sh [COMPILER...]      default: g++ clang++; prints user seconds and peak MB
#   PROBE=compile_cost_forest.cpp bench/compile_cost.sh   another probe in bench/: the random
#   PROBE=compile_cost_mlp.cpp bench/compile_cost.sh      forest's or the mlp's with its artifact
#                                                         support (issue 9's target: <= 15 s and
#                                                         <= 1.5 GB)
#   PROBE=library bench/compile_cost.sh      the compiled library itself (compiled once per build)
#   MODE=header-only|separate                one mode only (default: both)
#
# Each compiler compiles the probe -O2 (-c, no linking) REPEAT times (default 3) and reports the
# fastest user time and the largest peak resident memory. User time is what the compiler itself
# spent, so busy neighbours on the machine disturb it less than wall time.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
repeat=${REPEAT:-3}
probe=${PROBE:-compile_cost.cpp}
modes=${MODE:-header-only separate}
source="$here/$probe"
if [ "$probe" = library ]; then
    source="$root/include/mlpipe/separate_compilation.ipp"
    modes=separate
fi
[ $# -gt 0 ] || set -- g++ clang++
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
for cxx in "$@"; do
    command -v "$cxx" >/dev/null 2>&1 || { echo "$cxx: not found, skipped"; continue; }
    for mode in $modes; do
        case "$mode" in
            header-only) defines="" ;;
            separate) defines="-DMLPIPE_SEPARATE_COMPILATION" ;;
            *) echo "compile_cost.sh: unknown MODE '$mode' (header-only or separate)" >&2; exit 2 ;;
        esac
        best=""; peak=0
        i=0
        while [ "$i" -lt "$repeat" ]; do
            # shellcheck disable=SC2086 # $defines is empty or one word
            /usr/bin/time -f '%U %M' -o "$out/time" "$cxx" -std=c++20 -O2 -DNDEBUG $defines \
                -I"$root/include" -isystem /usr/include/eigen3 \
                -x c++ -c "$source" -o "$out/probe.o"
            read -r user kb < "$out/time"
            if [ -z "$best" ] || awk "BEGIN { exit !($user < $best) }"; then best=$user; fi
            [ "$kb" -gt "$peak" ] && peak=$kb
            i=$((i + 1))
        done
        printf '%-10s %-12s %6.2f s user  %5d MB peak   (%s, best of %d)\n' \
            "$cxx" "$mode" "$best" $((peak / 1024)) "$probe" "$repeat"
    done
done
