#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Writes the scikit-learn references mlpipe's models are tested against:
- sklearn_logistic_regression.json: LogisticRegression(solver="lbfgs") at tight tolerance, plus the
  exact optimum of the same objective (Newton's method);
- sklearn_linear_svm.json: LinearSVC (liblinear) at tight tolerance on standardized data;
- sklearn_other_models.json: GaussianNB and KNeighborsClassifier(algorithm="brute"), trained on
  the even rows and queried on the odd rows of the shipped data sets.

Run from this folder with Debian's python3-sklearn (1.2.1): /usr/bin/python3 make_sklearn_reference.py
The JSON is committed; tests read it and never run Python.
"""
import json
import pathlib

import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression

sets = pathlib.Path(__file__).resolve().parent.parent / "sets"


def load(name):
    rows = np.genfromtxt(sets / name, delimiter=",", dtype=str)
    x = rows[1:, :-1].astype(float)
    labels = rows[1:, -1]
    classes = sorted(set(labels), key=lambda v: (int(v) if v.lstrip("-").isdigit() else v))
    y = np.array([classes.index(v) for v in labels])
    return x, y


def exact_optimum(x, y, n_classes, C, fit_intercept, sample_weight, coef, intercept):
    """Newton's method (exact Hessian, least-squares steps) from scikit-learn's solution on the same
    objective, C * sum_i w_i log_loss_i + ||W||^2 / 2, to machine precision. L-BFGS stops on a
    relative decrease of the loss (64 eps): on badly scaled data that leaves ~1e-4 of slack in the
    coefficients, so the tests compare against this exact optimum as well."""
    n, d = x.shape
    k = 1 if n_classes == 2 else n_classes
    xt = np.hstack([x, np.ones((n, 1))]) if fit_intercept else x
    width = xt.shape[1]
    theta = np.hstack([coef, intercept[:, None]]) if fit_intercept else coef.copy()
    penalty = np.ones(width)
    if fit_intercept:
        penalty[-1] = 0.0
    for _ in range(100):
        z = xt @ theta.T
        if k == 1:
            p = 1.0 / (1.0 + np.exp(-z[:, 0]))
            r = sample_weight * (p - (y == 1))
            grad = C * (r @ xt) + penalty * theta[0]
            hess = C * (xt.T * (sample_weight * p * (1 - p))) @ xt + np.diag(penalty)
            step = np.linalg.lstsq(hess, grad, rcond=None)[0]
            theta = theta - step[None, :]
        else:
            z = z - z.max(axis=1, keepdims=True)
            p = np.exp(z)
            p /= p.sum(axis=1, keepdims=True)
            onehot = np.eye(k)[y]
            r = sample_weight[:, None] * (p - onehot)
            grad = (C * (r.T @ xt) + penalty[None, :] * theta).ravel()
            hess = np.zeros((k * width, k * width))
            for a in range(k):
                for b in range(k):
                    wab = sample_weight * p[:, a] * ((a == b) - p[:, b])
                    hess[a * width:(a + 1) * width, b * width:(b + 1) * width] = C * (xt.T * wab) @ xt
            hess += np.diag(np.tile(penalty, k))
            step = np.linalg.lstsq(hess, grad, rcond=None)[0]
            theta = theta - step.reshape(k, width)
        if np.abs(step).max() < 1e-15 * max(1.0, np.abs(theta).max()):
            break
    if fit_intercept:
        return theta[:, :-1], theta[:, -1]
    return theta, np.zeros(k)


def standardize(x):
    return (x - x.mean(axis=0)) / x.std(axis=0)


cases = []
for name, file, scale, params in [
    ("iris_multinomial", "iris.csv", False, dict(C=1.0)),
    ("breast_cancer_binary_scaled", "breast_cancer.csv", True, dict(C=0.5)),
    ("wine_balanced_scaled", "wine.csv", True, dict(C=0.1, class_weight="balanced")),
    ("iris_no_intercept", "iris.csv", False, dict(C=10.0, fit_intercept=False)),
]:
    x, y = load(file)
    if scale:
        x = standardize(x)
    model = LogisticRegression(solver="lbfgs", tol=1e-12, max_iter=100000, **params).fit(x, y)
    n_classes = len(set(y))
    weights = np.ones(len(y))
    if params.get("class_weight") == "balanced":
        counts = np.bincount(y)
        weights = len(y) / (n_classes * counts[y])
    coef, intercept = exact_optimum(x, y, n_classes, params["C"], params.get("fit_intercept", True), weights,
                                    model.coef_, model.intercept_)
    cases.append({
        "name": name,
        "file": file,
        "standardize": scale,
        "params": {k: v for k, v in params.items()},
        "coef": model.coef_.tolist(),
        "intercept": model.intercept_.tolist(),
        "exact_coef": coef.tolist(),
        "exact_intercept": intercept.tolist(),
        "proba_first_rows": model.predict_proba(x[:5]).tolist(),
        "train_accuracy": float(model.score(x, y)),
    })

out = {"sklearn_version": sklearn.__version__, "cases": cases}
(pathlib.Path(__file__).resolve().parent / "sklearn_logistic_regression.json").write_text(json.dumps(out, indent=1) + "\n")
print("wrote", len(cases), "cases with scikit-learn", sklearn.__version__)

# Gaussian naive Bayes and k-nearest neighbours: trained on the even rows, queried on the odd rows.
from sklearn.naive_bayes import GaussianNB
from sklearn.neighbors import KNeighborsClassifier

other = []
for file, scale in [("iris.csv", False), ("wine.csv", True), ("breast_cancer.csv", True)]:
    x, y = load(file)
    if scale:
        x = standardize(x)
    train, query = x[0::2], x[1::2]
    nb = GaussianNB().fit(train, y[0::2])
    other.append({"model": "gaussian_naive_bayes", "file": file, "standardize": scale, "params": {},
                  "means": nb.theta_.tolist(), "variances": nb.var_.tolist(),
                  "proba": nb.predict_proba(query).tolist(), "predict": nb.predict(query).tolist()})
    for k, weights in [(5, "uniform"), (7, "distance")]:
        knn = KNeighborsClassifier(n_neighbors=k, weights=weights, algorithm="brute").fit(train, y[0::2])
        other.append({"model": "k_nearest_neighbors", "file": file, "standardize": scale,
                      "params": {"k": k, "weights": weights},
                      "proba": knn.predict_proba(query).tolist(), "predict": knn.predict(query).tolist()})
(pathlib.Path(__file__).resolve().parent / "sklearn_other_models.json").write_text(
    json.dumps({"sklearn_version": sklearn.__version__, "cases": other}, indent=1) + "\n")
print("wrote", len(other), "naive Bayes / k-NN cases")

# Linear SVM (liblinear dual coordinate descent) at tight tolerance on standardized data.
from sklearn.svm import LinearSVC

svms = []
for file, loss, C in [("breast_cancer.csv", "squared_hinge", 0.1), ("breast_cancer.csv", "hinge", 0.05),
                      ("wine.csv", "squared_hinge", 0.5), ("iris.csv", "hinge", 1.0)]:
    x, y = load(file)
    x = standardize(x)
    svm = LinearSVC(C=C, loss=loss, tol=1e-10, max_iter=1000000, random_state=0).fit(x, y)
    svms.append({"file": file, "params": {"C": C, "loss": loss}, "coef": svm.coef_.tolist(),
                 "intercept": svm.intercept_.tolist(), "predict": svm.predict(x).tolist()})
(pathlib.Path(__file__).resolve().parent / "sklearn_linear_svm.json").write_text(
    json.dumps({"sklearn_version": sklearn.__version__, "cases": svms}, indent=1) + "\n")
print("wrote", len(svms), "linear SVM cases")
