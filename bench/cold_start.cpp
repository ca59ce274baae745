// SPDX-License-Identifier: Apache-2.0
// Cold start of a prediction function: one process opens a file_blob_store directory, resolves
// the "production" alias through the registry, fetches and verifies the artifact, loads it,
// predicts one row and exits. bench/cold_start.sh runs it many times and reports the wall time.
//
//   cold_start --create DIR          trains a 100-feature logistic regression, publishes it in DIR
//   cold_start --create-forest DIR   trains a 100-tree random_forest on models_bench's multiclass
//                                    problem (80,000 x 54, 7 classes), publishes it as "forest54"
//                                    and also saves it as DIR/forest54.mlpa
//   cold_start --file PATH FEATURES  maps an artifact file, verifies and loads it (load_any) and
//                                    predicts one row: no registry, no SHA-256
//   cold_start DIR [MODEL FEATURES]  the measured path: load through the registry, predict one row
//                                    (default: lr100 100)
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include <mlpipe/artifact.hpp>
#include <mlpipe/data/split.hpp>
#include <mlpipe/data/synthetic.hpp>
#include <mlpipe/models/linear/logistic_regression.hpp>
#include <mlpipe/models/tree/random_forest.hpp>
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

int create_forest(const char* dir) {
    mlpipe::file_blob_store store(dir);
    const auto data = mlpipe::make_classification({.n_samples = 100000,
                                                   .n_features = 54,
                                                   .n_informative = 20,
                                                   .n_redundant = 10,
                                                   .n_classes = 7,
                                                   .seed = 2});
    const auto [train, test] = mlpipe::train_test_split(data, {.test_fraction = 0.2, .seed = 0});
    mlpipe::random_forest<double> forest;
    mlpipe::fit_options options;
    options.threads = 2;
    (void)forest.fit(train, options);
    const auto bytes = mlpipe::encode_artifact(mlpipe::to_artifact(forest));
    mlpipe::model_registry registry(store);
    const auto published = registry.publish(
        "forest54", std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
    registry.set_alias("forest54", "production", published.version, "cold_start");
    mlpipe::save_artifact_file(std::string(dir) + "/forest54.mlpa", mlpipe::decode_artifact(bytes));
    std::printf("published forest54 version %llu (%zu bytes) in %s\n",
                static_cast<unsigned long long>(published.version), bytes.size(), dir);
    return 0;
}

int predict_file(const char* path, int features) {
    const auto model = mlpipe::load_any(mlpipe::load_artifact_file(path));
    std::vector<double> row(static_cast<std::size_t>(features));
    for (int j = 0; j < features; ++j)
        row[static_cast<std::size_t>(j)] = 0.01 * j;
    std::vector<double> p(model.classes().size());
    model.predict_proba_row(row, p);
    std::printf("%s %.6f\n", model.kind().c_str(), p[0]);
    return 0;
}

int predict(const char* dir, const std::string& model, int features) {
    mlpipe::file_blob_store store(dir, {.sync = false});
    mlpipe::predictor predictor(store);
    std::vector<double> row(static_cast<std::size_t>(features));
    for (int j = 0; j < features; ++j)
        row[static_cast<std::size_t>(j)] = 0.01 * j;
    const auto p = predictor.predict(
        model, "production",
        Eigen::Map<const mlpipe::feature_matrix<double>>(row.data(), 1, features));
    std::printf("%s %llu %.6f\n", p.labels().name(static_cast<std::size_t>(p.classes(0))).c_str(),
                static_cast<unsigned long long>(p.version()), p.probabilities(0, 0));
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        if (argc == 3 && std::strcmp(argv[1], "--create") == 0) return create(argv[2]);
        if (argc == 3 && std::strcmp(argv[1], "--create-forest") == 0)
            return create_forest(argv[2]);
        if (argc == 2) return predict(argv[1], "lr100", n_features);
        if (argc == 4 && std::strcmp(argv[1], "--file") == 0)
            return predict_file(argv[2], std::stoi(argv[3]));
        if (argc == 4) return predict(argv[1], argv[2], std::stoi(argv[3]));
        std::fputs(
            "usage: cold_start --create DIR | --create-forest DIR | cold_start DIR [MODEL "
            "FEATURES]\n",
            stderr);
        return 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "cold_start: %s\n", e.what());
        return 1;
    }
}
