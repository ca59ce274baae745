#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Every header that declares functions for the compiled library (MLPIPE_DECL) or explicit
# instantiations (MLPIPE_EXTERN) must be included by include/mlpipe/separate_compilation.ipp:
# otherwise a program in separate-compilation mode that uses it fails to link.
#   library_covers_headers.sh CXX INCLUDE_DIR EIGEN_INCLUDE_DIR
set -eu
cxx=$1 include=$2 eigen=$3
reached=$(mktemp)
trap 'rm -f "$reached"' EXIT
"$cxx" -std=c++20 -DMLPIPE_SEPARATE_COMPILATION -I"$include" -isystem "$eigen" -MM -x c++ \
    "$include/mlpipe/separate_compilation.ipp" | tr ' \\' '\n\n' | grep '/mlpipe/' |
    xargs realpath --relative-to="$include" | sort -u > "$reached"
missing=0
for header in $(cd "$include" && grep -rlE 'MLPIPE_DECL|MLPIPE_EXTERN' mlpipe --include='*.hpp' | sort); do
    case "$header" in mlpipe/config.hpp) continue ;; esac
    if ! grep -qx "$header" "$reached"; then
        echo "$header declares library functions but separate_compilation.ipp does not include it"
        missing=$((missing + 1))
    fi
done
echo "$(wc -l < "$reached") headers reached by the compiled library, $missing missing"
[ "$missing" -eq 0 ]
