// SPDX-License-Identifier: Apache-2.0
// Small real models for the serving tests, trained once per process, and registry fixtures on the
// memory and file blob stores.
#pragma once

#include <cstddef>
#include <string>
#include <tuple>
#include <vector>

#include <mlpipe/artifact.hpp>
#include <mlpipe/data/csv.hpp>
#include <mlpipe/data/synthetic.hpp>
#include <mlpipe/models.hpp>
#include <mlpipe/preprocessing.hpp>
#include <mlpipe/registry.hpp>
#include <mlpipe/storage.hpp>

#include "test_support.hpp"

namespace mlpipe::test {

/// The encoded artifact of `model` as a string (as the registry stores it).
template <class Model>
std::string artifact_bytes(const Model& model) {
    const auto bytes = encode_artifact(to_artifact(model));
    return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

/// Iris (4 named features, string labels) and models on it whose predictions differ.
struct iris_models {
    dataset<double> data = read_csv<double>(data_path("iris.csv"));
    std::string logistic;  ///< scaler + logistic regression
    std::string bayes;     ///< Gaussian naive Bayes
    std::string imputing;  ///< imputer + scaler + logistic regression (accepts NaN)

    iris_models() {
        using steps = std::vector<any_transformer<double>>;
        pipeline<logistic_regression<double>> lr(steps{standard_scaler<double>{}});
        (void)lr.fit(data);
        logistic = artifact_bytes(lr);
        pipeline<gaussian_naive_bayes<double>> nb(steps{});
        (void)nb.fit(data);
        bayes = artifact_bytes(nb);
        pipeline<logistic_regression<double>> imp(
            steps{simple_imputer<double>{}, standard_scaler<double>{}});
        (void)imp.fit(data);
        imputing = artifact_bytes(imp);
    }

    /// The probabilities `bytes` gives offline for `x`.
    static probability_matrix<double> offline(const std::string& bytes,
                                              const feature_matrix<double>& x) {
        const auto model =
            load_any(std::as_bytes(std::span<const char>(bytes.data(), bytes.size())));
        return model.predict_proba(x);
    }
};

/// Trained once per process.
inline const iris_models& iris() {
    static const iris_models models;
    return models;
}

struct memory_fixture {
    memory_blob_store store;
};
struct file_fixture {
    temp_dir dir;
    file_blob_store store{dir / "models", {.sync = false}};
};
using store_fixtures = std::tuple<memory_fixture, file_fixture>;

}  // namespace mlpipe::test
