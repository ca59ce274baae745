// SPDX-License-Identifier: Apache-2.0
/// @file models/neighbors/k_nearest_neighbors.hpp k-nearest-neighbour classification by brute force
/// over Euclidean distances computed with Eigen matrix products, as scikit-learn's
/// KNeighborsClassifier(algorithm="brute").
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include "../../data/dataset.hpp"
#include "../../error.hpp"
#include "../classifier.hpp"
#include "../hyperparameters.hpp"

namespace mlpipe {

/// How neighbours vote.
enum class neighbor_weighting {
    uniform,   ///< one vote each
    distance,  ///< vote 1 / distance (a neighbour at distance 0 takes all the weight)
};

/// JSON names of neighbor_weighting values.
inline constexpr enum_names<neighbor_weighting, 2> neighbor_weighting_names{
    {{neighbor_weighting::uniform, "uniform"}, {neighbor_weighting::distance, "distance"}}};

/// Hyperparameters of k_nearest_neighbors.
struct k_nearest_neighbors_params {
    Eigen::Index k = 5;  ///< neighbours consulted
    neighbor_weighting weights = neighbor_weighting::uniform;
    Eigen::Index batch_rows = 1024;  ///< query rows per distance product (bounds memory)

    /// The kind these hyperparameters belong to (errors name a field "<kind>.<name>").
    static constexpr std::string_view kind = "k_nearest_neighbors";
    /// The hyperparameters by their JSON names: to_json and from_json derive from this list.
    static constexpr auto fields() {
        using p = k_nearest_neighbors_params;
        return std::tuple{hyperparameter("k", &p::k),
                          hyperparameter("weights", &p::weights, neighbor_weighting_names),
                          hyperparameter("batch_rows", &p::batch_rows)};
    }
    /// The JSON form: every field by its name, enums by the names of their values.
    [[nodiscard]] nlohmann::json to_json() const { return params_to_json(*this); }
    /// Reads the JSON form; absent keys keep their defaults.
    /// @throws invalid_input_error naming an unknown key or a value of the wrong type
    [[nodiscard]] static k_nearest_neighbors_params from_json(const nlohmann::json& j) {
        return params_from_json<k_nearest_neighbors_params>(j);
    }
};

/// Stores the training rows; predicts from the k closest (ties in distance broken by the lower row
/// index, so results are deterministic). Squared distances are |q|^2 + |x|^2 - 2 q.x, computed for
/// a batch of queries with one matrix product.
/// Thread safety: const members (prediction) may be called concurrently.
template <class Scalar = double>
class k_nearest_neighbors {
  public:
    using scalar_type = Scalar;
    static constexpr std::string_view kind = "k_nearest_neighbors";
    /// predict is the most probable class of predict_proba (see mlpipe::predict_with_proba).
    static constexpr bool predicts_most_probable = true;

    explicit k_nearest_neighbors(k_nearest_neighbors_params params = {}) : params_(params) {
        if (params_.k < 1) {
            throw invalid_input_error("k_nearest_neighbors: k is " + std::to_string(params_.k) +
                                          "; it must be at least 1",
                                      "use e.g. k = 5", "k");
        }
        if (params_.batch_rows < 1) {
            throw invalid_input_error("k_nearest_neighbors: batch_rows must be at least 1",
                                      "use e.g. 1024", "batch_rows");
        }
    }

    /// Stores the training data. @throws invalid_input_error when k exceeds the number of rows.
    fit_report fit(const dataset<Scalar>& data, const fit_options& options = {});

    /// Class probabilities: the (weighted) share of each class among the k neighbours.
    [[nodiscard]] probability_matrix<Scalar> predict_proba(matrix_cref<Scalar> q) const;

    [[nodiscard]] class_index_vector predict(matrix_cref<Scalar> q) const;

    /// Probabilities of one row. Uses per-thread scratch space: after the first call on a thread it
    /// allocates nothing. Equal to predict_proba up to the rounding of distances.
    void predict_proba_row(std::span<const Scalar> row, std::span<Scalar> out) const {
        const Eigen::Map<const Eigen::Matrix<Scalar, 1, Eigen::Dynamic>> v(
            row.data(), static_cast<Eigen::Index>(row.size()));
        detail::check_prediction_input(v, n_features(), fitted_, kind);
        if (out.size() != classes_.size()) {
            throw invalid_input_error("k_nearest_neighbors: output span holds " +
                                          std::to_string(out.size()) + " values for " +
                                          std::to_string(classes_.size()) + " classes",
                                      "size it n_classes");
        }
        thread_local Eigen::Matrix<Scalar, 1, Eigen::Dynamic> dist;
        thread_local std::vector<Eigen::Index> order;
        dist.resize(x_.rows());
        order.resize(static_cast<std::size_t>(x_.rows()));
        dist.noalias() = v * x_.transpose();
        const Scalar qn = v.squaredNorm();
        for (Eigen::Index j = 0; j < x_.rows(); ++j)
            dist[j] = squared_distance(qn, norms_[j], dist[j]);
        vote(std::span<const Scalar>(dist.data(), static_cast<std::size_t>(x_.rows())), order,
             out.data());
    }

    [[nodiscard]] bool fitted() const noexcept { return fitted_; }
    [[nodiscard]] Eigen::Index n_features() const noexcept { return x_.cols(); }
    [[nodiscard]] const label_map& classes() const noexcept { return classes_; }
    [[nodiscard]] const std::vector<std::string>& feature_names() const noexcept {
        return feature_names_;
    }
    [[nodiscard]] const k_nearest_neighbors_params& params() const noexcept { return params_; }
    /// The stored training rows and their class indices.
    [[nodiscard]] const feature_matrix<Scalar>& training_features() const noexcept { return x_; }
    [[nodiscard]] const class_index_vector& training_targets() const noexcept { return y_; }

    /// A fitted model from saved parts (the training rows and their class indices).
    /// @throws format_error when the shapes disagree or an index is out of range
    [[nodiscard]] static k_nearest_neighbors restore(k_nearest_neighbors_params params,
                                                     feature_matrix<Scalar> x, class_index_vector y,
                                                     label_map classes,
                                                     std::vector<std::string> feature_names) {
        k_nearest_neighbors m(params);
        detail::check_restore(classes.size() >= 2 && x.rows() == y.size() && x.rows() >= params.k &&
                                  static_cast<Eigen::Index>(feature_names.size()) == x.cols(),
                              kind, "training rows, targets, k and feature names");
        detail::check_restore(
            (y.array() >= 0).all() && (y.array() < static_cast<std::int32_t>(classes.size())).all(),
            kind, "a target is outside the classes");
        m.x_ = std::move(x);
        m.norms_ = m.x_.rowwise().squaredNorm();
        m.y_ = std::move(y);
        m.classes_ = std::move(classes);
        m.feature_names_ = std::move(feature_names);
        m.fitted_ = true;
        return m;
    }

  private:
    /// |q|^2 + |x|^2 - 2 q.x, with results within rounding error of zero set to exactly zero, so an
    /// exact copy of a training row is found at distance 0 whichever product computed q.x.
    static Scalar squared_distance(Scalar q_norm, Scalar x_norm, Scalar dot) noexcept {
        const Scalar d2 = q_norm + x_norm - 2 * dot;
        const Scalar noise = 8 * std::numeric_limits<Scalar>::epsilon() * (q_norm + x_norm);
        return d2 <= noise ? Scalar(0) : d2;
    }

    /// Votes of the k nearest among squared distances `dist` into out (n_classes values).
    void vote(std::span<const Scalar> dist, std::vector<Eigen::Index>& order, Scalar* out) const {
        const auto k = static_cast<std::size_t>(params_.k);
        std::iota(order.begin(), order.end(), Eigen::Index{0});
        const auto closer = [&](Eigen::Index a, Eigen::Index b) {
            const Scalar da = dist[static_cast<std::size_t>(a)];
            const Scalar db = dist[static_cast<std::size_t>(b)];
            return da < db || (da == db && a < b);
        };
        std::nth_element(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(k - 1),
                         order.end(), closer);
        std::sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(k), closer);
        const auto n_classes = classes_.size();
        std::fill(out, out + n_classes, Scalar(0));
        bool exact = false;
        if (params_.weights == neighbor_weighting::distance) {
            for (std::size_t r = 0; r < k; ++r)
                exact = exact || dist[static_cast<std::size_t>(order[r])] == Scalar(0);
        }
        Scalar total = 0;
        for (std::size_t r = 0; r < k; ++r) {
            const Scalar d2 = dist[static_cast<std::size_t>(order[r])];
            Scalar w = 1;
            if (params_.weights == neighbor_weighting::distance)
                w = exact ? (d2 == Scalar(0) ? 1 : 0) : 1 / std::sqrt(d2);
            out[y_[order[r]]] += w;
            total += w;
        }
        for (std::size_t c = 0; c < n_classes; ++c)
            out[c] /= total;
    }

    k_nearest_neighbors_params params_;
    feature_matrix<Scalar> x_;
    Eigen::Matrix<Scalar, Eigen::Dynamic, 1> norms_;
    class_index_vector y_;
    label_map classes_;
    std::vector<std::string> feature_names_;
    bool fitted_ = false;
};

template <class Scalar>
auto k_nearest_neighbors<Scalar>::fit(const dataset<Scalar>& data, const fit_options& options)
    -> fit_report {
    detail::check_training_data(data, kind);
    const detail::fit_monitor monitor(options);
    if (params_.k > data.n_samples()) {
        throw invalid_input_error("k_nearest_neighbors: k = " + std::to_string(params_.k) +
                                      " exceeds the " + std::to_string(data.n_samples()) +
                                      " training rows",
                                  "use a smaller k or more data", "k");
    }
    x_ = data.features();
    norms_ = x_.rowwise().squaredNorm();
    y_ = data.targets();
    classes_ = data.classes();
    feature_names_ = data.feature_names();
    fitted_ = true;
    return fit_report{.status = fit_status::converged,
                      .iterations = 1,
                      .elapsed_seconds = monitor.elapsed_seconds()};
}

template <class Scalar>
auto k_nearest_neighbors<Scalar>::predict_proba(matrix_cref<Scalar> q) const
    -> probability_matrix<Scalar> {
    detail::check_prediction_input(q, n_features(), fitted_, kind);
    probability_matrix<Scalar> p(q.rows(), static_cast<Eigen::Index>(classes_.size()));
    std::vector<Eigen::Index> order(static_cast<std::size_t>(x_.rows()));
    for (Eigen::Index start = 0; start < q.rows(); start += params_.batch_rows) {
        const Eigen::Index m = std::min(params_.batch_rows, q.rows() - start);
        const auto block = q.middleRows(start, m);
        Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> dist =
            block * x_.transpose();
        for (Eigen::Index r = 0; r < m; ++r) {
            const Scalar qn = block.row(r).squaredNorm();
            Scalar* row = dist.row(r).data();
            for (Eigen::Index j = 0; j < x_.rows(); ++j)
                row[j] = squared_distance(qn, norms_[j], row[j]);
            vote(std::span<const Scalar>(row, static_cast<std::size_t>(x_.rows())), order,
                 p.row(start + r).data());
        }
    }
    return p;
}

template <class Scalar>
auto k_nearest_neighbors<Scalar>::predict(matrix_cref<Scalar> q) const -> class_index_vector {
    return detail::most_probable(predict_proba(q));
}

MLPIPE_EXTERN_MODEL(k_nearest_neighbors);

}  // namespace mlpipe
