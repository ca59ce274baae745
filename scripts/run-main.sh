#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The main job: installs what is missing, builds mlpipe's examples (Release) and runs the
# end-to-end pipeline on the embedded defaults with a real data set (tests/data/sets/digits.csv):
# an SQLite warehouse whose rows arrive in two batches, a retraining trigger, the durable SQLite
# training queue, a pool of training workers (four estimator kinds, k-fold validation, a gate, a
# champion comparison), a file model store with versions and the "production" alias, and a
# predictor serving held-out rows that picks up the new production version without a restart.
# The work directory (warehouse.db, queue.db, models/) is left in build/release/pipeline-demo.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh main
if command -v ccache >/dev/null 2>&1; then export CMAKE_CXX_COMPILER_LAUNCHER=ccache; fi

echo "== building (build/release)"
cmake --preset release >/dev/null
cmake --build --preset release --target end_to_end_pipeline

echo
build/release/examples/end_to_end_pipeline tests/data/sets/digits.csv build/release/pipeline-demo
