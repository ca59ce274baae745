// SPDX-License-Identifier: Apache-2.0
// Model factories of the evaluation tests: logistic_regression from JSON hyperparameters, and a
// trivial classifier (always the majority class) that shows any mlpipe::classifier works.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include <nlohmann/json.hpp>

#include <mlpipe/data/csv.hpp>
#include <mlpipe/error.hpp>
#include <mlpipe/models/classifier.hpp>
#include <mlpipe/models/linear/logistic_regression.hpp>

#include "standardized.hpp"
#include "test_support.hpp"

namespace mlpipe::test {

/// logistic_regression_params from {"C": ..., "max_iter": ..., "tol": ..., "fit_intercept": ...};
/// unset keys keep `defaults`. Unknown keys and wrong types are invalid_input_error naming the key.
inline logistic_regression_params logistic_params(const nlohmann::json& hyperparameters,
                                                  logistic_regression_params defaults = {}) {
    const auto wrong = [](const std::string& key, const std::string& what) {
        return invalid_input_error("hyperparameter \"" + key + "\" must be " + what, "fix the grid",
                                   key);
    };
    for (const auto& [key, value] : hyperparameters.items()) {
        if (key == "C" || key == "tol") {
            if (!value.is_number()) throw wrong(key, "a number");
            (key == "C" ? defaults.C : defaults.tol) = value.get<double>();
        } else if (key == "max_iter") {
            if (!value.is_number_integer()) throw wrong(key, "an integer");
            defaults.max_iter = value.get<std::int64_t>();
        } else if (key == "fit_intercept") {
            if (!value.is_boolean()) throw wrong(key, "true or false");
            defaults.fit_intercept = value.get<bool>();
        } else {
            throw invalid_input_error("unknown hyperparameter \"" + key + "\"",
                                      "use C, max_iter, tol or fit_intercept", key);
        }
    }
    return defaults;
}

/// The factory of the tests: a logistic_regression from JSON hyperparameters (see
/// logistic_params).
template <class Scalar = double>
logistic_regression<Scalar> make_logistic(const nlohmann::json& hyperparameters,
                                          logistic_regression_params defaults = {}) {
    return logistic_regression<Scalar>(logistic_params(hyperparameters, std::move(defaults)));
}

/// Tight tolerances, as the scikit-learn reference used.
inline logistic_regression_params tight_params() {
    logistic_regression_params p;
    p.tol = 1e-10;
    p.max_iter = 10000;
    return p;
}

/// Predicts the most frequent training class with its training frequency as probability.
class majority_classifier {
  public:
    using scalar_type = float;
    static constexpr std::string_view kind = "majority";

    fit_report fit(const dataset<float>& data, const fit_options& = {}) {
        classes_ = data.classes();
        n_features_ = data.n_features();
        const auto counts = data.class_counts();
        proba_.resize(static_cast<Eigen::Index>(counts.size()));
        for (std::size_t c = 0; c < counts.size(); ++c) {
            proba_[static_cast<Eigen::Index>(c)] =
                static_cast<float>(counts[c]) / static_cast<float>(data.n_samples());
            if (counts[c] > counts[static_cast<std::size_t>(best_)])
                best_ = static_cast<std::int32_t>(c);
        }
        fitted_ = true;
        return {};
    }
    [[nodiscard]] class_index_vector predict(const feature_matrix<float>& x) const {
        return class_index_vector::Constant(x.rows(), best_);
    }
    [[nodiscard]] probability_matrix<float> predict_proba(const feature_matrix<float>& x) const {
        return proba_.transpose().replicate(x.rows(), 1);
    }
    [[nodiscard]] Eigen::Index n_features() const { return n_features_; }
    [[nodiscard]] const label_map& classes() const { return classes_; }
    [[nodiscard]] bool fitted() const { return fitted_; }

  private:
    label_map classes_;
    Eigen::VectorXf proba_;
    Eigen::Index n_features_ = 0;
    std::int32_t best_ = 0;
    bool fitted_ = false;
};

static_assert(classifier<majority_classifier>);

/// A shipped data set, optionally standardised (population standard deviation, as the reference).
inline dataset<double> load_set(const std::string& file, bool standardize) {
    auto data = read_csv(data_path(file));
    return standardize ? standardized(data) : data;
}

}  // namespace mlpipe::test
