// SPDX-License-Identifier: Apache-2.0
// Cold start of a prediction function: one process opens a file_blob_store directory, resolves
// the "production" alias through the registry, fetches and verifies the artifact, loads it,
// predicts one row and exits. bench/cold_start.sh runs it many times and reports the wall time.
//
//   cold_start --create DIR   trains a 100-feature logistic regression and publishes it in DIR
//   cold_start DIR            the measured path: load through the registry, predict one row
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include <mlpipe/artifact.hpp>
#include <mlpipe/data/synthetic.hpp>
#include <mlpipe/models/linear/logistic_regression.hpp>
#include <mlpipe/registry.hpp>
#include <mlpipe/serving/predictor.hpp>
#include <mlpipe/storage/file_blob_store.hpp>

#include "served_model.hpp"

namespace {

constexpr int n_features = mlpipe::bench::served_features;

int create(const char* dir) {
    mlpipe::file_blob_store store(dir);
    (void)mlpipe::bench::publish_served_model(store, 2000, "cold_start");
    const auto info = mlpipe::model_registry(store).version_info("lr100", 1);
    std::printf("published lr100 version 1 (%llu bytes) in %s\n",
                static_cast<unsigned long long>(info ? info->size : 0), dir);
    return 0;
}

int predict(const char* dir) {
    mlpipe::file_blob_store store(dir, {.sync = false});
    mlpipe::predictor predictor(store);
    std::vector<double> row(n_features);
    for (int j = 0; j < n_features; ++j)
        row[static_cast<std::size_t>(j)] = 0.01 * j;
    const auto p = predictor.predict(
        "lr100", "production",
        Eigen::Map<const mlpipe::feature_matrix<double>>(row.data(), 1, n_features));
    std::printf("%s %llu %.6f\n", p.labels().name(static_cast<std::size_t>(p.classes(0))).c_str(),
                static_cast<unsigned long long>(p.version()), p.probabilities(0, 0));
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        if (argc == 3 && std::strcmp(argv[1], "--create") == 0) return create(argv[2]);
        if (argc == 2) return predict(argv[1]);
        std::fputs("usage: cold_start --create DIR | cold_start DIR\n", stderr);
        return 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "cold_start: %s\n", e.what());
        return 1;
    }
}
