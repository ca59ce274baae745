#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The main job: installs what is missing, builds mlpipe's examples (Release) and runs the quickstart
# on the four shipped real data sets: split, cross-validate, train, evaluate, save the model as an
# artifact, load it back and check its predictions. (The end-to-end pipeline with the warehouse,
# queue, workers and model store replaces the quickstart here once the pipeline lands.)
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh main
if command -v ccache >/dev/null 2>&1; then export CMAKE_CXX_COMPILER_LAUNCHER=ccache; fi

echo "== building (build/release)"
cmake --preset release >/dev/null
cmake --build --preset release --target quickstart

out="build/release/quickstart-output"
for set in iris wine breast_cancer digits; do
  echo
  echo "== quickstart on tests/data/sets/$set.csv"
  build/release/examples/quickstart "tests/data/sets/$set.csv" "$out/$set"
done
