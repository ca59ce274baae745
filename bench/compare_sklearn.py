#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Runs mlpipe's models_bench and the same work in scikit-learn on identical data; prints both.

    bench/compare_sklearn.py BUILD_DIR        (e.g. build/dev; needs Debian's python3-sklearn)

Data: make_classification (mlpipe's), standardized, 50 features, 3 classes; written by
`models_bench --mlpipe_write_data=DIR` in the binary matrix format and read here with numpy.
Both sides run single-threaded (OMP/OpenBLAS threads = 1) on the same machine, one after the other.
"""
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.naive_bayes import GaussianNB  # noqa: E402
from sklearn.neighbors import KNeighborsClassifier  # noqa: E402
from sklearn.svm import LinearSVC  # noqa: E402


def read_binary_matrix(path):
    raw = pathlib.Path(path).read_bytes()
    n, d = (int(v) for v in np.frombuffer(raw[:16], dtype="<u8"))
    x = np.frombuffer(raw[16:16 + 8 * n * d], dtype="<f8").reshape(n, d)
    y = np.frombuffer(raw[16 + 8 * n * d:], dtype="<i4")
    return x, y


def best_of(fn, repeat=3):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main():
    build = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "build/dev")
    bench = build / "bench" / "models_bench"
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([str(bench), f"--mlpipe_write_data={tmp}"], check=True)
        fit_x, fit_y = read_binary_matrix(pathlib.Path(tmp) / "classification_20000.bin")
        knn_x, knn_y = read_binary_matrix(pathlib.Path(tmp) / "classification_5000.bin")
    result = subprocess.run([str(bench), "--benchmark_format=json"], check=True, capture_output=True, text=True)
    ours = {b["name"]: b for b in json.loads(result.stdout)["benchmarks"]}

    def ours_seconds(name):
        b = ours[name]
        scale = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}[b["time_unit"]]
        return b["cpu_time"] * scale

    rows = [
        ("fit/logistic_regression/20000", lambda: LogisticRegression(max_iter=1000).fit(fit_x, fit_y)),
        ("fit/linear_svm/20000", lambda: LinearSVC(dual=False).fit(fit_x, fit_y)),
        ("fit/gaussian_naive_bayes/20000", lambda: GaussianNB().fit(fit_x, fit_y)),
    ]
    lr = LogisticRegression(max_iter=1000).fit(fit_x, fit_y)
    knn = KNeighborsClassifier(algorithm="brute").fit(knn_x, knn_y)
    rows += [
        ("predict_proba/logistic_regression/20000", lambda: lr.predict_proba(fit_x)),
        ("predict_proba/k_nearest_neighbors/5000", lambda: knn.predict_proba(knn_x)),
        ("predict_proba_row/logistic_regression/20000", lambda: lr.predict_proba(fit_x[:1])),
    ]
    print(f"{'benchmark':48s} {'mlpipe':>12s} {'sklearn':>12s} {'ratio':>8s}")
    for name, fn in rows:
        theirs = best_of(fn)
        mine = ours_seconds(name)
        print(f"{name:48s} {mine * 1e3:10.3f}ms {theirs * 1e3:10.3f}ms {theirs / mine:7.1f}x")


if __name__ == "__main__":
    main()
