#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Packages the bootstrap executable as a Lambda deployment zip for the provided.al2023 runtime:
#
#   examples/lambda_predict/package.sh BUILD_DIR [OUT.zip]
#
# The zip holds `bootstrap` at its root and, in lib/, the shared libraries it needs that Lambda's
# base image may lack (libcurl, libpq and their dependencies; glibc and the dynamic loader stay out:
# the runtime provides them). bootstrap finds lib/ through its RUNPATH ($ORIGIN/lib), set at link
# time. libstdc++ and libgcc are linked statically. Prints the zip's size.
set -euo pipefail
build="${1:?usage: package.sh BUILD_DIR [OUT.zip]}"
out="$(realpath -m "${2:-$build/examples/lambda_predict/lambda_predict.zip}")"
exe="$build/examples/lambda_predict/bootstrap"
[ -x "$exe" ] || { echo "package.sh: $exe not built (cmake --build $build --target lambda_predict_bootstrap)" >&2; exit 1; }
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/lib"
cp "$exe" "$stage/bootstrap"
strip "$stage/bootstrap" 2>/dev/null || true
# Every resolved dependency except glibc's own libraries and the loader.
ldd "$exe" | awk '/=> \//{print $3}' | while read -r lib; do
  case "$(basename "$lib")" in
    libc.so*|libm.so*|libpthread.so*|libdl.so*|librt.so*|ld-linux*|libresolv.so*) ;;
    *) cp -L "$lib" "$stage/lib/" ;;
  esac
done
strip --strip-unneeded "$stage"/lib/* 2>/dev/null || true
rm -f "$out"
(cd "$stage" && cmake -E tar cf "$out" --format=zip bootstrap lib)
echo "$out: $(stat -c %s "$out") bytes ($(ls "$stage/lib" | wc -l) shared libraries in lib/)"
