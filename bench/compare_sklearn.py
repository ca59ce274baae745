#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Runs mlpipe's models_bench and the same work in scikit-learn on identical data; prints both.

    bench/compare_sklearn.py BUILD_DIR                 speed (e.g. build/dev; needs python3-sklearn)
    bench/compare_sklearn.py BUILD_DIR --accuracy      accuracy on the shipped real data sets
    bench/compare_sklearn.py BUILD_DIR --trees         the tree models only (fit, predict, size)

Timing: fits and single-row calls take each side's best of three (models_bench
--benchmark_repetitions=3, the fastest repetition; scikit-learn's fits run three times, the fastest
kept; the forests' and the mlp's fits twice; a single-row call is scikit-learn's fastest of 200).
Batch predictions (the predict_proba/ rows) take each side's fastest of ten single calls
(models_bench --benchmark_min_time=0 --benchmark_repetitions=10; scikit-learn's call ten times):
the same statistic on both sides. (A repetition of models_bench is a mean over many calls, which a
noisy machine slows more than it slows the fastest single call.) The linear models run first:
scikit-learn's lbfgs fit is fastest early in a process (0.35 s here, 0.5 s later in the same
process), and the comparison takes its best.

Data: make_classification (mlpipe's), standardized, 50 features, 3 classes; written by
`models_bench --mlpipe_write_data=DIR` in the binary matrix format and read here with numpy.
Both sides run single-threaded (OMP/OpenBLAS threads = 1) on the same machine, one after the other,
except the forests: 100 trees on 2 threads each (RandomForestClassifier(n_jobs=2)). The tree models
also run on make_hastie_10_2 (100,000 x 10, binary); artifact size is compared with the model's
pickle.
"""
import json
import os
import pathlib
import pickle
import subprocess
import sys
import tempfile
import time
import warnings

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.naive_bayes import GaussianNB  # noqa: E402
from sklearn.neighbors import KNeighborsClassifier  # noqa: E402
from sklearn.neural_network import MLPClassifier  # noqa: E402
from sklearn.svm import LinearSVC  # noqa: E402
from sklearn.tree import DecisionTreeClassifier  # noqa: E402
from sklearn.ensemble import RandomForestClassifier  # noqa: E402


def read_binary_matrix(path):
    raw = pathlib.Path(path).read_bytes()
    n, d = (int(v) for v in np.frombuffer(raw[:16], dtype="<u8"))
    x = np.frombuffer(raw[16:16 + 8 * n * d], dtype="<f8").reshape(n, d)
    y = np.frombuffer(raw[16 + 8 * n * d:], dtype="<i4")
    return x, y


def seconds(b):
    """A Google Benchmark result's time in seconds."""
    scale = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}[b["time_unit"]]
    return (b["real_time"] if "real_time" in b else b["cpu_time"]) * scale


BATCH_CALLS = 10  # batch predictions: each side's fastest of this many single calls


def best_call(fn):
    """The fastest of BATCH_CALLS calls of fn, for batch predictions (see the module's Timing)."""
    return best_of(fn, repeat=BATCH_CALLS)


def best_of(fn, repeat=3):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def best_fit(make, x, y, repeat=3):
    """The fastest of `repeat` fits of a fresh model, and the last fitted model."""
    fitted = []
    seconds_taken = best_of(lambda: fitted.append(make().fit(x, y)), repeat)
    return seconds_taken, fitted[-1]


def accuracy(build):
    """Held-out accuracy of each model, mlpipe (examples/model_accuracy) and scikit-learn, on the same
    standardised, stratified 80/20 split (seed 0) of each shipped data set."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    warnings.filterwarnings("ignore", category=ConvergenceWarning)  # the mlp's 200 epochs

    sets = pathlib.Path(__file__).resolve().parent.parent / "tests" / "data" / "sets"
    with tempfile.TemporaryDirectory() as tmp:
        split_file = pathlib.Path(tmp) / "splits.json"
        ours = subprocess.run([str(build / "examples" / "model_accuracy"), str(sets), "--splits", str(split_file)],
                              check=True, capture_output=True, text=True).stdout.splitlines()
        splits = json.loads(split_file.read_text())
    ours_rows = {line.split()[0]: [float(v) for v in line.split()[1:]] for line in ours[1:]}
    models = [("logistic_regression", lambda: LogisticRegression(max_iter=1000)),
              ("linear_svm", lambda: LinearSVC(max_iter=10000)),
              ("gaussian_naive_bayes", GaussianNB),
              ("k_nearest_neighbors", KNeighborsClassifier),
              ("decision_tree", lambda: DecisionTreeClassifier(random_state=0)),
              ("random_forest", lambda: RandomForestClassifier(n_estimators=100, random_state=0)),
              ("mlp", lambda: MLPClassifier(random_state=0))]
    print(f"{'data set':16s} {'model':22s} {'mlpipe':>8s} {'sklearn':>8s}")
    for name, split in splits.items():
        rows = np.genfromtxt(sets / f"{name}.csv", delimiter=",", dtype=str)[1:]
        x = rows[:, :-1].astype(float)
        labels = rows[:, -1]
        classes = sorted(set(labels), key=lambda v: (int(v) if v.lstrip("-").isdigit() else v))
        y = np.array([classes.index(v) for v in labels])
        train, test = np.array(split["train"]), np.array(split["test"])
        for (model, make), mine in zip(models, ours_rows[name]):
            pipe = make_pipeline(StandardScaler(), make()).fit(x[train], y[train])
            theirs = pipe.score(x[test], y[test])
            print(f"{name:16s} {model:22s} {mine:8.4f} {theirs:8.4f}")


def compare_trees(data, ours_for):
    """decision_tree and random_forest (100 trees, 2 threads) against scikit-learn's."""
    makers = [("decision_tree", "decision_tree", lambda jobs: DecisionTreeClassifier(random_state=0)),
              ("random_forest_2_threads", "random_forest",
               lambda jobs: RandomForestClassifier(n_estimators=100, n_jobs=jobs, random_state=0))]
    for name in ("multiclass", "hastie"):
        (xtr, ytr), (xte, yte) = data[name]
        for fit_name, row_name, make in makers:
            theirs, model = best_fit(lambda: make(2), xtr, ytr, repeat=3 if row_name == "decision_tree" else 2)
            b = ours_for(f"fit/{fit_name}/{name}")
            mine = seconds(b)
            print(f"{'fit/' + fit_name + '/' + name:44s} {mine:9.3f}s {theirs:9.3f}s {theirs / mine:6.1f}x "
                  f"{b['accuracy']:11.4f} {model.score(xte, yte):11.4f}")
            size = len(pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL))
            print(f"{'artifact_bytes/' + row_name + '/' + name:44s} {b['artifact_bytes'] / 1e6:8.2f}MB "
                  f"{size / 1e6:8.2f}MB {size / b['artifact_bytes']:6.2f}x   (mlpipe artifact vs pickle)")
            theirs = best_call(lambda: model.predict_proba(xte))
            mine = seconds(ours_for(f"predict_proba/{fit_name}/{name}"))
            print(f"{'predict_proba/' + fit_name + '/' + name:44s} {mine * 1e3:8.2f}ms {theirs * 1e3:8.2f}ms "
                  f"{theirs / mine:6.1f}x   ({len(xte)} rows)")
            # One row per call: scikit-learn's fastest setting (n_jobs=1 spares the thread start).
            model.set_params(n_jobs=1) if row_name == "random_forest" else None
            row = xte[:1]
            theirs = best_of(lambda: model.predict_proba(row), repeat=200)
            mine = seconds(ours_for(f"predict_proba_row/{row_name}/{name}"))
            print(f"{'predict_proba_row/' + row_name + '/' + name:44s} {mine * 1e6:8.3f}us {theirs * 1e6:8.2f}us "
                  f"{theirs / mine:6.0f}x")


def main():
    build = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "build/dev")
    if "--accuracy" in sys.argv:
        accuracy(build)
        return
    bench = build / "bench" / "models_bench"
    trees_only = "--trees" in sys.argv
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([str(bench), f"--mlpipe_write_data={tmp}"], check=True)
        data = {name: (read_binary_matrix(pathlib.Path(tmp) / f"{name}_train.bin"),
                       read_binary_matrix(pathlib.Path(tmp) / f"{name}_test.bin"))
                for name in ("binary", "multiclass", "neighbors", "hastie")}
    models = "(decision_tree|random_forest)" if trees_only else ""
    # Everything but the batch predictions, best of three repetitions; then the batch predictions,
    # fastest of BATCH_CALLS single calls.
    runs = [["--benchmark_repetitions=3",
             f"--benchmark_filter=^[^p].*{models}|^predict_proba_row/.*{models}"],
            ["--benchmark_min_time=0", f"--benchmark_repetitions={BATCH_CALLS}",
             f"--benchmark_filter=^predict_proba/.*{models}"]]
    ours = {}  # the fastest repetition of each benchmark
    for flags in runs:
        result = subprocess.run([str(bench), "--benchmark_format=json", *flags], check=True,
                                capture_output=True, text=True)
        for b in json.loads(result.stdout)["benchmarks"]:
            if b.get("run_type") == "aggregate":
                continue
            name = b["name"].split("/real_time")[0]
            if name not in ours or seconds(b) < seconds(ours[name]):
                ours[name] = b

    def ours_for(prefix):
        matches = [b for name, b in ours.items() if name.startswith(prefix + "/")]
        return matches[0]

    print(f"{'benchmark':44s} {'mlpipe':>10s} {'sklearn':>10s} {'ratio':>7s} {'acc mlpipe':>11s} {'acc sklearn':>11s}")
    if trees_only:
        compare_trees(data, ours_for)
        return
    fits = [("logistic_regression", lambda: LogisticRegression(max_iter=1000)),
            ("logistic_regression_2_threads", lambda: LogisticRegression(max_iter=1000)),
            ("linear_svm", lambda: LinearSVC(dual=False)),
            ("gaussian_naive_bayes", GaussianNB)]
    for name in ("binary", "multiclass"):
        (xtr, ytr), (xte, yte) = data[name]
        for model, make in fits:
            theirs, fitted = best_fit(make, xtr, ytr)
            b = ours_for(f"fit/{model}/{name}")
            mine = seconds(b)
            print(f"{'fit/' + model + '/' + name:44s} {mine:9.3f}s {theirs:9.3f}s {theirs / mine:6.1f}x "
                  f"{b['accuracy']:11.4f} {fitted.score(xte, yte):11.4f}")
        lr = LogisticRegression(max_iter=1000).fit(xtr, ytr)
        theirs = best_call(lambda: lr.predict_proba(xte))
        b = ours_for(f"predict_proba/logistic_regression/{name}")
        mine = seconds(b)
        gbs = b["bytes_per_second"] / 1e9
        print(f"{'predict_proba/logistic_regression/' + name:44s} {mine * 1e3:8.2f}ms {theirs * 1e3:8.2f}ms "
              f"{theirs / mine:6.1f}x   ({gbs:.2f} GB/s of features)")
        row = xte[:1]
        theirs = best_of(lambda: lr.predict_proba(row), repeat=200)
        b = ours_for(f"predict_proba_row/logistic_regression/{name}")
        mine = seconds(b)
        print(f"{'predict_proba_row/logistic_regression/' + name:44s} {mine * 1e6:8.3f}us {theirs * 1e6:8.2f}us "
              f"{theirs / mine:6.0f}x")
    compare_trees(data, ours_for)
    # The mlp: (64, 32), Adam, batch 256, 10 epochs on the multiclass problem (ConvergenceWarning
    # expected on both sides: 10 epochs is a budget, not convergence).
    (xtr, ytr), (xte, yte) = data["multiclass"]
    mlp_params = dict(hidden_layer_sizes=(64, 32), solver="adam", batch_size=256, max_iter=10,
                      random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs, net = best_fit(lambda: MLPClassifier(**mlp_params), xtr, ytr, repeat=2)
    for threads in ("", "_2_threads"):
        b = ours_for(f"fit/mlp{threads}/multiclass")
        mine = seconds(b)
        print(f"{'fit/mlp' + threads + '/multiclass':44s} {mine:9.3f}s {theirs:9.3f}s {theirs / mine:6.1f}x "
              f"{b['accuracy']:11.4f} {net.score(xte, yte):11.4f}")
    theirs = best_call(lambda: net.predict_proba(xte))
    b = ours_for("predict_proba/mlp/multiclass")
    mine = seconds(b)
    print(f"{'predict_proba/mlp/multiclass':44s} {mine * 1e3:8.2f}ms {theirs * 1e3:8.2f}ms "
          f"{theirs / mine:6.1f}x")
    row = xte[:1]
    theirs = best_of(lambda: net.predict_proba(row), repeat=200)
    b = ours_for("predict_proba_row/mlp/multiclass")
    mine = seconds(b)
    print(f"{'predict_proba_row/mlp/multiclass':44s} {mine * 1e6:8.3f}us {theirs * 1e6:8.2f}us "
          f"{theirs / mine:6.0f}x")
    import pickle
    size = len(pickle.dumps(net))
    b = ours_for("fit/mlp/multiclass")
    print(f"{'artifact size mlp (ours: .mlpa; sklearn: pickle)':44s} {b['artifact_bytes'] / 1e3:8.1f}kB "
          f"{size / 1e3:8.1f}kB")

    (xtr, ytr), (xte, yte) = data["neighbors"]
    knn = KNeighborsClassifier(algorithm="brute").fit(xtr, ytr)
    theirs = best_call(lambda: knn.predict_proba(xte))
    mine = seconds(ours_for("predict_proba/k_nearest_neighbors/neighbors"))
    print(f"{'predict_proba/k_nearest_neighbors/neighbors':44s} {mine * 1e3:8.2f}ms {theirs * 1e3:8.2f}ms "
          f"{theirs / mine:6.1f}x")


if __name__ == "__main__":
    main()
