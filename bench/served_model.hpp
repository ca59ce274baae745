// SPDX-License-Identifier: Apache-2.0
// The model the serving benchmarks serve: a 100-feature, 3-class logistic regression published as
// "lr100" with alias "production" in a registry on any blob store.
#pragma once

#include <string_view>

#include <mlpipe/artifact.hpp>
#include <mlpipe/data/synthetic.hpp>
#include <mlpipe/models/linear/logistic_regression.hpp>
#include <mlpipe/registry.hpp>

namespace mlpipe::bench {

inline constexpr int served_features = 100;

/// Fits the model on `samples` seeded synthetic rows, publishes it in `store` and points
/// "production" at it; returns the training data (its rows make requests).
template <blob_store Store>
dataset<double> publish_served_model(Store& store, Eigen::Index samples, std::string_view actor) {
    auto data = make_classification<double>({.n_samples = samples,
                                             .n_features = served_features,
                                             .n_informative = 10,
                                             .n_redundant = 10,
                                             .n_classes = 3,
                                             .seed = 7});
    logistic_regression<double> lr;
    (void)lr.fit(data);
    const auto bytes = encode_artifact(to_artifact(lr));
    model_registry registry(store);
    const auto published = registry.publish(
        "lr100", std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
    registry.set_alias("lr100", "production", published.version, actor);
    return data;
}

}  // namespace mlpipe::bench
