#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# The compiled library is complete: otherwise a program in separate-compilation mode that uses the
# missing part fails to link.
#  - Every header that declares functions (MLPIPE_DECL) or explicit instantiations (MLPIPE_EXTERN)
#    for the library is included by include/mlpipe/separate_compilation/functions.ipp, the part that
#    defines them.
#  - Every model family whose header declares it compiled (MLPIPE_EXTERN_MODEL) is in
#    artifact/kinds.hpp's MLPIPE_FOR_EACH_MODEL_KIND, the list of the library's family parts.
#   library_covers_headers.sh CXX INCLUDE_DIR EIGEN_INCLUDE_DIR
set -eu
cxx=$1 include=$2 eigen=$3
reached=$(mktemp)
trap 'rm -f "$reached"' EXIT
"$cxx" -std=c++20 -DMLPIPE_SEPARATE_COMPILATION -I"$include" -isystem "$eigen" -MM -x c++ \
    "$include/mlpipe/separate_compilation/functions.ipp" | tr ' \\' '\n\n' | grep '/mlpipe/' |
    xargs realpath --relative-to="$include" | sort -u > "$reached"
missing=0
for header in $(cd "$include" && grep -rlE 'MLPIPE_DECL|MLPIPE_EXTERN |MLPIPE_EXTERN$' mlpipe --include='*.hpp' | sort); do
    case "$header" in mlpipe/config.hpp) continue ;; esac
    if ! grep -qx "$header" "$reached"; then
        echo "$header declares library functions but separate_compilation/functions.ipp does not include it"
        missing=$((missing + 1))
    fi
done
kinds=$(sed -n '/^#define MLPIPE_FOR_EACH_MODEL_KIND/,/^$/p' "$include/mlpipe/artifact/kinds.hpp")
families=0
for family in $(cd "$include" && grep -rhoE '^MLPIPE_EXTERN_MODEL\([a-z_0-9]+\)' mlpipe --include='*.hpp' |
                sed 's/.*(\(.*\))/\1/' | sort -u); do
    families=$((families + 1))
    if ! printf '%s\n' "$kinds" | grep -qE "^    X\\($family\\)"; then
        echo "$family is declared compiled (MLPIPE_EXTERN_MODEL) but is not in MLPIPE_FOR_EACH_MODEL_KIND"
        missing=$((missing + 1))
    fi
done
echo "$(wc -l < "$reached") headers reached by the library's functions, $families model families, $missing missing"
[ "$missing" -eq 0 ]
