#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Writes sklearn_metrics.json: scikit-learn's metrics, StratifiedKFold folds, cross_validate and
GridSearchCV results on fixed inputs, the reference mlpipe's evaluation/ must match.

Run from this folder with Debian's python3-sklearn (1.2.1): /usr/bin/python3 make_sklearn_metrics_reference.py
The JSON is committed and holds the inputs too (class indices, probabilities, weights), so the tests
read everything from it and never run Python. Classes are always given as labels=range(n_classes).
"""
import json
import pathlib
import warnings

import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import (
    accuracy_score,
    balanced_accuracy_score,
    classification_report,
    confusion_matrix,
    f1_score,
    log_loss,
    precision_recall_fscore_support,
    precision_score,
    recall_score,
    roc_auc_score,
)
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_validate

warnings.simplefilter("ignore")  # zero-division and small-class warnings are expected here
here = pathlib.Path(__file__).resolve().parent
sets = here.parent / "sets"
rng = np.random.RandomState(20240601)


def load(name):
    rows = np.genfromtxt(sets / name, delimiter=",", dtype=str)
    x = rows[1:, :-1].astype(float)
    labels = rows[1:, -1]
    classes = sorted(set(labels), key=lambda v: (int(v) if v.lstrip("-").isdigit() else v))
    y = np.array([classes.index(v) for v in labels])
    return x, y, classes


def standardize(x):
    return (x - x.mean(axis=0)) / x.std(axis=0)


def exact_optimum(x, y, n_classes, C, coef, intercept):
    """Newton's method (exact Hessian) from scikit-learn's solution of the multinomial problem
    C * sum_i log_loss_i + ||W||^2 / 2 with an unpenalised intercept (as in
    make_sklearn_reference.py): scikit-learn's lbfgs stops on a relative decrease of the loss and
    leaves ~1e-5 of slack in held-out log loss; this is the optimum itself."""
    n, d = x.shape
    k = n_classes
    xt = np.hstack([x, np.ones((n, 1))])
    width = d + 1
    theta = np.hstack([coef, intercept[:, None]])
    penalty = np.ones(width)
    penalty[-1] = 0.0
    for _ in range(100):
        z = xt @ theta.T
        z = z - z.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        r = p - np.eye(k)[y]
        grad = (C * (r.T @ xt) + penalty[None, :] * theta).ravel()
        hess = np.zeros((k * width, k * width))
        for a in range(k):
            for b in range(k):
                wab = p[:, a] * ((a == b) - p[:, b])
                hess[a * width:(a + 1) * width, b * width:(b + 1) * width] = C * (xt.T * wab) @ xt
        hess += np.diag(np.tile(penalty, k))
        step = np.linalg.lstsq(hess, grad, rcond=None)[0]
        theta = theta - step.reshape(k, width)
        if np.abs(step).max() < 1e-15 * max(1.0, np.abs(theta).max()):
            break
    return theta[:, :-1], theta[:, -1]


def probabilities(n, k, exact_extremes=False):
    """Rows of small integers normalised: many exact ties between rows, rows sum to 1."""
    counts = rng.randint(0, 5, size=(n, k)).astype(float)
    counts[counts.sum(axis=1) == 0, 0] = 1.0
    if exact_extremes:  # some rows all on one class: log_loss must clip the zeros
        for i in range(0, n, 7):
            counts[i] = 0.0
            counts[i, rng.randint(k)] = 1.0
    return counts / counts.sum(axis=1, keepdims=True)


def metric_case(name, n, k, with_proba=True, absent_true_class=None, names=None):
    y_true = rng.randint(0, k, size=n)
    if absent_true_class is not None:
        y_true[y_true == absent_true_class] = (absent_true_class + 1) % k
    proba = probabilities(n, k, exact_extremes=True)
    # Predictions: mostly the argmax of proba (first on ties), some noise.
    y_pred = proba.argmax(axis=1)
    noise = rng.rand(n) < 0.2
    y_pred[noise] = rng.randint(0, k, size=noise.sum())
    weights = rng.randint(1, 4, size=n).astype(float) / 2.0
    labels = list(range(k))
    names = names or ["class_%d" % c for c in range(k)]
    out = {"name": name, "n_classes": k, "class_names": names,
           "y_true": y_true.tolist(), "y_pred": y_pred.tolist(),
           "proba": proba.tolist(), "sample_weight": weights.tolist()}
    for weighted in (False, True):
        w = weights if weighted else None
        r = {}
        r["accuracy"] = accuracy_score(y_true, y_pred, sample_weight=w)
        r["balanced_accuracy"] = balanced_accuracy_score(y_true, y_pred, sample_weight=w)
        r["confusion_matrix"] = confusion_matrix(y_true, y_pred, labels=labels, sample_weight=w).tolist()
        r["confusion_matrix_true"] = confusion_matrix(y_true, y_pred, labels=labels, sample_weight=w,
                                                      normalize="true").tolist()
        r["confusion_matrix_pred"] = confusion_matrix(y_true, y_pred, labels=labels, sample_weight=w,
                                                      normalize="pred").tolist()
        r["confusion_matrix_all"] = confusion_matrix(y_true, y_pred, labels=labels, sample_weight=w,
                                                     normalize="all").tolist()
        for zero_division in (0, 1):
            p, rc, f, s = precision_recall_fscore_support(y_true, y_pred, labels=labels, average=None,
                                                          sample_weight=w, zero_division=zero_division)
            r["per_class_zd%d" % zero_division] = {"precision": p.tolist(), "recall": rc.tolist(),
                                                   "f1": f.tolist(), "support": s.tolist()}
            averages = ["micro", "macro", "weighted"] + (["binary"] if k == 2 else [])
            for average in averages:
                for metric, fn in (("precision", precision_score), ("recall", recall_score),
                                   ("f1", f1_score)):
                    r["%s_%s_zd%d" % (metric, average, zero_division)] = fn(
                        y_true, y_pred, labels=labels, average=average, sample_weight=w,
                        zero_division=zero_division)
        if k == 2:
            r["precision_binary_pos0"] = precision_score(y_true, y_pred, pos_label=0, sample_weight=w)
            r["f1_binary_pos0"] = f1_score(y_true, y_pred, pos_label=0, sample_weight=w)
        if with_proba:
            r["log_loss"] = log_loss(y_true, proba, labels=labels, sample_weight=w)
            if k == 2:
                r["roc_auc"] = roc_auc_score(y_true, proba[:, 1], sample_weight=w)
                # Decision scores with ties, class 0 as positive.
                scores = np.round(proba[:, 0] * 3 - 1, 1)
                out["scores"] = scores.tolist()
                r["roc_auc_scores_pos0"] = roc_auc_score(y_true == 0, scores, sample_weight=w)
            elif absent_true_class is None:
                r["roc_auc_ovr_macro"] = roc_auc_score(y_true, proba, multi_class="ovr", average="macro",
                                                       labels=labels, sample_weight=w)
                r["roc_auc_ovr_weighted"] = roc_auc_score(y_true, proba, multi_class="ovr",
                                                          average="weighted", labels=labels, sample_weight=w)
        for digits in (2, 4):
            r["report_digits%d" % digits] = classification_report(
                y_true, y_pred, labels=labels, target_names=names, digits=digits, sample_weight=w,
                zero_division=0)
        out["weighted" if weighted else "unweighted"] = r
    return out


metrics = [
    metric_case("binary", 40, 2, names=["benign", "malignant"]),
    metric_case("three_classes", 60, 3, names=["setosa", "versicolor", "virginica"]),
    metric_case("five_classes_one_absent_from_y_true", 50, 5, absent_true_class=3,
                names=["a", "a_rather_long_class_name", "bb", "d", "e"]),
]


def folds_case(name, y, n_splits):
    out = {"name": name, "y": y.tolist(), "n_splits": n_splits, "n_classes": int(y.max()) + 1}
    for shuffle in (False, True):
        cv = StratifiedKFold(n_splits=n_splits, shuffle=shuffle, random_state=0 if shuffle else None)
        folds = []
        for train, test in cv.split(np.zeros(len(y)), y):
            fold = {"size": int(len(test)),
                    "class_counts": np.bincount(y[test], minlength=out["n_classes"]).tolist()}
            if not shuffle:
                fold["test"] = test.tolist()
            folds.append(fold)
        out["shuffled" if shuffle else "unshuffled"] = folds
    return out


_, iris_y, _ = load("iris.csv")
_, cancer_y, _ = load("breast_cancer.csv")
unbalanced = rng.permutation(np.repeat([0, 1, 2, 3], [7, 13, 3, 23]))
folds = [
    folds_case("iris_5", iris_y, 5),
    folds_case("breast_cancer_10", cancer_y, 10),
    folds_case("unbalanced_5", unbalanced, 5),
    folds_case("unbalanced_3", unbalanced, 3),
]

# cross_validate: logistic regression (tight tolerance) on the standardised iris data (well
# conditioned, so scikit-learn's lbfgs lands on the exact optimum), unshuffled stratified 5-fold.
iris_x, iris_y, _ = load("iris.csv")
iris_x = standardize(iris_x)
cv_model = LogisticRegression(solver="lbfgs", C=1.0, tol=1e-12, max_iter=100000)
cv = cross_validate(cv_model, iris_x, iris_y, cv=StratifiedKFold(5),
                    scoring=["accuracy", "neg_log_loss", "f1_macro", "roc_auc_ovr"])
exact_neg_log_loss = []
for train, test in StratifiedKFold(5).split(iris_x, iris_y):
    fold_model = LogisticRegression(solver="lbfgs", C=1.0, tol=1e-12, max_iter=100000).fit(
        iris_x[train], iris_y[train])
    coef, intercept = exact_optimum(iris_x[train], iris_y[train], 3, 1.0, fold_model.coef_,
                                    fold_model.intercept_)
    z = iris_x[test] @ coef.T + intercept
    z -= z.max(axis=1, keepdims=True)
    proba = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    exact_neg_log_loss.append(-log_loss(iris_y[test], proba, labels=[0, 1, 2]))
cross_validation = {"file": "iris.csv", "standardize": True, "n_splits": 5, "C": 1.0,
                    "scores": {s: cv["test_" + s].tolist()
                               for s in ["accuracy", "neg_log_loss", "f1_macro", "roc_auc_ovr"]},
                    "exact_neg_log_loss": exact_neg_log_loss}

# GridSearchCV over C on the standardised breast cancer data, unshuffled stratified 5-fold.
cancer_x, cancer_y, _ = load("breast_cancer.csv")
cancer_x = standardize(cancer_x)
grid = {"C": [0.001, 0.01, 0.1, 1.0, 10.0]}
search = GridSearchCV(LogisticRegression(solver="lbfgs", tol=1e-12, max_iter=100000), grid,
                      scoring="accuracy", cv=StratifiedKFold(5)).fit(cancer_x, cancer_y)
grid_search = {"file": "breast_cancer.csv", "standardize": True, "n_splits": 5, "grid": grid,
               "params": [dict(p) for p in search.cv_results_["params"]],
               "mean_test_score": search.cv_results_["mean_test_score"].tolist(),
               "std_test_score": search.cv_results_["std_test_score"].tolist(),
               "rank_test_score": search.cv_results_["rank_test_score"].tolist(),
               "best_index": int(search.best_index_), "best_params": search.best_params_}

out = {"sklearn_version": sklearn.__version__, "metrics": metrics, "stratified_k_fold": folds,
       "cross_validate": cross_validation, "grid_search": grid_search}
(here / "sklearn_metrics.json").write_text(json.dumps(out, indent=1) + "\n")
print("wrote", len(metrics), "metric cases,", len(folds), "fold cases with scikit-learn", sklearn.__version__)
