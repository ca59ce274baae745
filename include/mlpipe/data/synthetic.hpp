// SPDX-License-Identifier: Apache-2.0
/// @file data/synthetic.hpp Seeded synthetic classification data, after scikit-learn's
/// make_classification and make_hastie_10_2: benchmarks and tests need no downloaded data.
#pragma once

#include <cstdint>
#include <numeric>
#include <set>
#include <span>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "../detail/random.hpp"
#include "../error.hpp"
#include "dataset.hpp"

namespace mlpipe {

/// Parameters of make_classification; their meaning follows scikit-learn's function.
struct classification_options {
    Eigen::Index n_samples = 100;          ///< rows
    Eigen::Index n_features = 20;          ///< columns: informative + redundant + noise
    Eigen::Index n_informative = 2;        ///< features that carry the class signal
    Eigen::Index n_redundant = 2;          ///< random linear combinations of the informative ones
    std::size_t n_classes = 2;             ///< classes, labelled 0..n_classes-1
    std::size_t n_clusters_per_class = 2;  ///< Gaussian clusters per class
    double class_sep = 1.0;                ///< half the side of the hypercube the clusters sit on
    double flip_y = 0.01;                  ///< fraction of labels replaced by a random class
    std::vector<double> weights = {};      ///< class proportions (empty: balanced)
    bool shuffle = true;                   ///< shuffle rows and columns
    std::uint64_t seed = 0;                ///< same seed, same data, on every platform
};

/// Generates a classification problem: clusters of normally distributed points at the vertices of
/// a hypercube in the informative subspace, each cluster given a random covariance; redundant
/// features are linear combinations of the informative ones; the rest is standard normal noise.
/// @throws invalid_input_error naming the parameter that is out of range
template <class Scalar = double>
[[nodiscard]] dataset<Scalar> make_classification(const classification_options& o = {}) {
    const auto fail = [](const std::string& what, const std::string& field) {
        return invalid_input_error(what, "see classification_options for the valid ranges", field);
    };
    if (o.n_samples < 1) throw fail("n_samples must be at least 1", "n_samples");
    if (o.n_informative < 1) throw fail("n_informative must be at least 1", "n_informative");
    if (o.n_redundant < 0) throw fail("n_redundant must not be negative", "n_redundant");
    if (o.n_informative + o.n_redundant > o.n_features) {
        throw fail("n_informative + n_redundant (" +
                       std::to_string(o.n_informative + o.n_redundant) + ") exceeds n_features (" +
                       std::to_string(o.n_features) + ")",
                   "n_features");
    }
    if (o.n_classes < 2) throw fail("n_classes must be at least 2", "n_classes");
    if (o.n_clusters_per_class < 1)
        throw fail("n_clusters_per_class must be at least 1", "n_clusters_per_class");
    const std::size_t n_clusters = o.n_classes * o.n_clusters_per_class;
    if (o.n_informative < 63 && n_clusters > (std::uint64_t{1} << o.n_informative)) {
        throw fail("n_classes * n_clusters_per_class (" + std::to_string(n_clusters) +
                       ") exceeds 2^n_informative, the number of hypercube vertices",
                   "n_informative");
    }
    if (!(o.flip_y >= 0.0 && o.flip_y <= 1.0)) throw fail("flip_y must lie in [0, 1]", "flip_y");
    if (!(o.class_sep >= 0.0)) throw fail("class_sep must not be negative", "class_sep");
    std::vector<double> weights = o.weights;
    if (weights.empty()) weights.assign(o.n_classes, 1.0 / static_cast<double>(o.n_classes));
    if (weights.size() != o.n_classes) throw fail("weights needs one entry per class", "weights");
    for (double w : weights) {
        if (!(w >= 0.0)) throw fail("weights must not be negative", "weights");
    }
    const double weight_sum = std::accumulate(weights.begin(), weights.end(), 0.0);
    if (!(weight_sum > 0.0)) throw fail("weights must not all be zero", "weights");

    detail::random_engine engine(o.seed);
    detail::normal_generator normal;
    const Eigen::Index n = o.n_samples;
    const Eigen::Index d = o.n_features;
    const Eigen::Index k = o.n_informative;

    // Rows per cluster: floor of each share, the rest round-robin.
    std::vector<Eigen::Index> per_cluster(n_clusters);
    Eigen::Index assigned = 0;
    for (std::size_t c = 0; c < n_clusters; ++c) {
        per_cluster[c] =
            static_cast<Eigen::Index>(static_cast<double>(n) * weights[c % o.n_classes] /
                                      weight_sum / static_cast<double>(o.n_clusters_per_class));
        assigned += per_cluster[c];
    }
    for (std::size_t c = 0; assigned < n; c = (c + 1) % n_clusters, ++assigned)
        ++per_cluster[c];

    // Distinct hypercube vertices as cluster centroids.
    std::set<std::vector<bool>> used;
    Eigen::MatrixXd centroids(static_cast<Eigen::Index>(n_clusters), k);
    for (std::size_t c = 0; c < n_clusters; ++c) {
        std::vector<bool> vertex(static_cast<std::size_t>(k));
        do {
            for (Eigen::Index j = 0; j < k; ++j)
                vertex[static_cast<std::size_t>(j)] = (engine() >> 63) != 0;
        } while (!used.insert(vertex).second);
        for (Eigen::Index j = 0; j < k; ++j) {
            centroids(static_cast<Eigen::Index>(c), j) =
                vertex[static_cast<std::size_t>(j)] ? o.class_sep : -o.class_sep;
        }
    }

    Eigen::MatrixXd x(n, d);
    class_index_vector y(n);
    Eigen::Index row = 0;
    for (std::size_t c = 0; c < n_clusters; ++c) {
        Eigen::MatrixXd a(k, k);
        for (Eigen::Index i = 0; i < k; ++i) {
            for (Eigen::Index j = 0; j < k; ++j)
                a(i, j) = detail::uniform_real(engine, -1.0, 1.0);
        }
        const Eigen::Index m = per_cluster[c];
        Eigen::MatrixXd z(m, k);
        for (Eigen::Index i = 0; i < m; ++i) {
            for (Eigen::Index j = 0; j < k; ++j)
                z(i, j) = normal(engine);
        }
        // x = z * a + centroid, summed in the order of a matrix product (plain loops: Eigen's
        // product kernels would cost every translation unit that makes data seconds of compiling).
        for (Eigen::Index i = 0; i < m; ++i) {
            for (Eigen::Index j = 0; j < k; ++j) {
                double sum = 0.0;
                for (Eigen::Index l = 0; l < k; ++l)
                    sum += z(i, l) * a(l, j);
                x(row + i, j) = sum + centroids(static_cast<Eigen::Index>(c), j);
            }
        }
        y.segment(row, m).setConstant(static_cast<std::int32_t>(c % o.n_classes));
        row += m;
    }
    if (o.n_redundant > 0) {
        Eigen::MatrixXd b(k, o.n_redundant);
        for (Eigen::Index i = 0; i < k; ++i) {
            for (Eigen::Index j = 0; j < o.n_redundant; ++j)
                b(i, j) = detail::uniform_real(engine, -1.0, 1.0);
        }
        for (Eigen::Index i = 0; i < n; ++i) {
            for (Eigen::Index j = 0; j < o.n_redundant; ++j) {
                double sum = 0.0;
                for (Eigen::Index l = 0; l < k; ++l)
                    sum += x(i, l) * b(l, j);
                x(i, k + j) = sum;
            }
        }
    }
    for (Eigen::Index j = k + o.n_redundant; j < d; ++j) {
        for (Eigen::Index i = 0; i < n; ++i)
            x(i, j) = normal(engine);
    }
    if (o.flip_y > 0.0) {
        for (Eigen::Index i = 0; i < n; ++i) {
            if (detail::uniform_unit(engine) < o.flip_y) {
                y[i] = static_cast<std::int32_t>(detail::uniform_index(engine, o.n_classes));
            }
        }
    }

    std::vector<Eigen::Index> rows(static_cast<std::size_t>(n));
    std::vector<Eigen::Index> cols(static_cast<std::size_t>(d));
    std::iota(rows.begin(), rows.end(), Eigen::Index{0});
    std::iota(cols.begin(), cols.end(), Eigen::Index{0});
    if (o.shuffle) {
        detail::shuffle(std::span(rows), engine);
        detail::shuffle(std::span(cols), engine);
    }
    feature_matrix<Scalar> features(n, d);
    class_index_vector targets(n);
    for (Eigen::Index i = 0; i < n; ++i) {
        const Eigen::Index from = rows[static_cast<std::size_t>(i)];
        for (Eigen::Index j = 0; j < d; ++j)
            features(i, j) = static_cast<Scalar>(x(from, cols[static_cast<std::size_t>(j)]));
        targets[i] = y[from];
    }
    std::vector<std::int64_t> labels(o.n_classes);
    std::iota(labels.begin(), labels.end(), std::int64_t{0});
    return dataset<Scalar>(std::move(features), std::move(targets),
                           label_map::from_integers(labels));
}

/// Parameters of make_hastie_10_2.
struct hastie_options {
    Eigen::Index n_samples = 12000;  ///< rows
    std::uint64_t seed = 0;          ///< same seed, same data, on every platform
};

/// Hastie et al.'s binary problem (The Elements of Statistical Learning, example 10.2), as
/// scikit-learn's make_hastie_10_2: ten standard normal features; the label is 1 when the sum of
/// their squares exceeds 9.34 (the chi-squared(10) median) and -1 otherwise. Label -1 is class
/// index 0, label 1 class index 1. Non-linear: no linear model beats guessing by much.
/// @throws invalid_input_error when n_samples < 1
template <class Scalar = double>
[[nodiscard]] dataset<Scalar> make_hastie_10_2(const hastie_options& o = {}) {
    if (o.n_samples < 1) {
        throw invalid_input_error("n_samples must be at least 1", "ask for one row or more",
                                  "n_samples");
    }
    detail::random_engine engine(o.seed);
    detail::normal_generator normal;
    constexpr Eigen::Index d = 10;
    feature_matrix<Scalar> x(o.n_samples, d);
    class_index_vector y(o.n_samples);
    for (Eigen::Index i = 0; i < o.n_samples; ++i) {
        double squares = 0.0;
        for (Eigen::Index j = 0; j < d; ++j) {
            const double v = normal(engine);
            x(i, j) = static_cast<Scalar>(v);
            squares += v * v;
        }
        y[i] = squares > 9.34 ? 1 : 0;
    }
    return dataset<Scalar>(std::move(x), std::move(y), label_map::from_integers({-1, 1}));
}

#if defined(MLPIPE_SEPARATE_COMPILATION)
MLPIPE_EXTERN template dataset<double> make_classification<double>(const classification_options&);
MLPIPE_EXTERN template dataset<float> make_classification<float>(const classification_options&);
MLPIPE_EXTERN template dataset<double> make_hastie_10_2<double>(const hastie_options&);
MLPIPE_EXTERN template dataset<float> make_hastie_10_2<float>(const hastie_options&);
#endif

}  // namespace mlpipe
