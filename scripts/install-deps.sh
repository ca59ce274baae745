#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs the Debian packages mlpipe needs that are missing, and nothing else.
#
#   scripts/install-deps.sh [main|test]
#
#   main  what building and running the examples and the mlpipe tool needs (compiler, CMake, Eigen,
#         nlohmann-json, SQLite, cpp-httplib)
#   test  main + what the whole test suite needs (Catch2, Google Benchmark, clang with sanitizers,
#         clang-format, OpenSSL, ccache, and the AWS wing's loopback servers: Ceph radosgw with a
#         monitor and an OSD, PostgreSQL 15, npm when there is none; fauxqs comes from npm, see
#         tests/aws/servers/servers.sh)
#
# Idempotent and silent when nothing is missing. Installing needs root: run as root, or as a user
# with sudo from a terminal (sudo asks for your password). Only Debian's package archive is used.
set -euo pipefail

profile="${1:-main}"
main_packages=(g++ cmake ninja-build pkg-config libeigen3-dev nlohmann-json3-dev libsqlite3-dev
               libcurl4-openssl-dev libpq-dev
               libcpp-httplib-dev)
test_packages=(catch2 libbenchmark-dev clang clang-format libclang-rt-14-dev libssl-dev ccache
               radosgw ceph-mon ceph-osd postgresql)

case "$profile" in
  main) wanted=("${main_packages[@]}") ;;
  test) wanted=("${main_packages[@]}" "${test_packages[@]}") ;;
  *) echo "install-deps.sh: unknown profile '$profile' (use 'main' or 'test')" >&2; exit 2 ;;
esac

missing=()
for package in "${wanted[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
# The tests install fauxqs (and the node 22 it runs on) with npm; any npm will do (the one of a
# nodejs package from another archive too), Debian's when there is none.
if [ "$profile" = test ] && ! command -v npm >/dev/null 2>&1; then
  missing+=(npm)
fi
[ "${#missing[@]}" -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
  echo "mlpipe: missing packages: ${missing[*]}" >&2
  echo "mlpipe: this script installs them with apt-get (Debian 12); install the equivalents with your system's package manager." >&2
  exit 1
fi

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && { sudo -n true 2>/dev/null || [ -t 0 ]; }; then
    echo "mlpipe: installing missing packages with sudo: ${missing[*]}" >&2
    sudo_cmd=(sudo)
  else
    echo "mlpipe: these Debian packages are missing: ${missing[*]}" >&2
    echo "mlpipe: installing them needs root. Run as root:" >&2
    echo "    apt-get update && apt-get install -y --no-install-recommends ${missing[*]}" >&2
    echo "mlpipe: or run this script again from a terminal as a user with sudo." >&2
    exit 1
  fi
else
  echo "mlpipe: installing missing packages: ${missing[*]}" >&2
fi

export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq >&2
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
