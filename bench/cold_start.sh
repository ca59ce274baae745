#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Cold-start wall time of a prediction function: publishes a 100-feature logistic regression in a
# file_blob_store directory once, then runs `cold_start DIR` (open the store, resolve the alias
# through the registry, fetch + SHA-256 + decode + load, predict one row, exit) RUNS times and
# prints the median and p90 whole-process wall time, beside the same figures for /bin/true (the
# cost of starting any process here). Target: median <= 2 ms.
#
#   bench/cold_start.sh [COLD_START_BINARY] [RUNS]     (default build/dev/bench/cold_start, 200)
#
# With MODEL=forest the published model is a 100-tree random_forest on 80,000 x 54 rows instead
# (issue 9's target: load and predict one row in a new process in <= 50 ms).
set -euo pipefail
cd "$(dirname "$0")/.."
binary="${1:-build/dev/bench/cold_start}"
runs="${2:-200}"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
if [ "${MODEL:-}" = forest ]; then
    "$binary" --create-forest "$dir/models"
    set -- forest54 54
else
    "$binary" --create "$dir/models" >/dev/null
    set -- lr100 100
fi
"$binary" "$dir/models" "$1" "$2" >/dev/null  # warm the page cache once
python3 - "$binary" "$dir/models" "$runs" "$1" "$2" <<'PY'
import os, sys, time
binary, models, runs, model, features = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
devnull = os.open(os.devnull, os.O_WRONLY)
def measure(argv):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        pid = os.posix_spawn(argv[0], argv, os.environ, file_actions=[(os.POSIX_SPAWN_DUP2, devnull, 1)])
        _, status = os.waitpid(pid, 0)
        times.append((time.perf_counter() - start) * 1000)
        if status != 0:
            sys.exit(f"{argv} failed with status {status}")
    times.sort()
    return times[len(times) // 2], times[int(len(times) * 0.9)]
base = measure(["/bin/true"])
cold = measure([os.path.abspath(binary), models, model, features])
if model == "forest54":
    direct = measure([os.path.abspath(binary), "--file", models + "/forest54.mlpa", features])
print(f"/bin/true:  median {base[0]:.2f} ms, p90 {base[1]:.2f} ms ({runs} runs)")
print(f"cold_start: median {cold[0]:.2f} ms, p90 {cold[1]:.2f} ms ({runs} runs; target median <= {50 if model == 'forest54' else 2} ms)")
if model == "forest54":
    print(f"cold_start --file (no registry, no SHA-256): median {direct[0]:.2f} ms, p90 {direct[1]:.2f} ms")
PY
