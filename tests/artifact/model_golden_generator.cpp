// SPDX-License-Identifier: Apache-2.0
// Writes the golden model artifacts of tests/data/artifacts/v1/models/: one per kind, trained on
// wine.csv, each with the probabilities it gives for the first 20 rows (<name>.expected.json).
// Every later mlpipe must load them and give exactly those probabilities (model_golden_test.cpp).
//
//   artifact_model_golden_generator <tests/data/sets/wine.csv> <output directory> [--force]
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include <mlpipe/artifact.hpp>
#include <mlpipe/data/csv.hpp>
#include <mlpipe/models.hpp>
#include <mlpipe/preprocessing.hpp>

using namespace mlpipe;

namespace {
bool force = false;

template <class Model>
void write(const std::filesystem::path& dir, const std::string& name, const Model& model,
           const feature_matrix<typename Model::scalar_type>& x) {
    const auto artifact_path = dir / (name + ".mlpa");
    const auto expected_path = dir / (name + ".expected.json");
    if ((std::filesystem::exists(artifact_path) || std::filesystem::exists(expected_path)) &&
        !force) {
        std::fprintf(stderr, "%s exists; golden files never change\n", artifact_path.c_str());
        return;
    }
    save_artifact_file(artifact_path, to_artifact(model));
    const auto proba = model.predict_proba(x.topRows(20));
    nlohmann::json rows = nlohmann::json::array();
    for (Eigen::Index i = 0; i < proba.rows(); ++i) {
        nlohmann::json row = nlohmann::json::array();
        for (Eigen::Index k = 0; k < proba.cols(); ++k)
            row.push_back(static_cast<double>(proba(i, k)));
        rows.push_back(row);
    }
    std::ofstream(expected_path)
        << nlohmann::json{{"data", "wine.csv"}, {"first_rows", 20}, {"proba", rows}}.dump(1)
        << '\n';
    std::printf("wrote %s\n", artifact_path.c_str());
}
}  // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: %s wine.csv <output directory> [--force]\n", argv[0]);
        return 2;
    }
    force = argc > 3 && std::strcmp(argv[3], "--force") == 0;
    const std::filesystem::path dir = argv[2];
    std::filesystem::create_directories(dir);
    const auto data = read_csv<double>(argv[1]);
    const auto data_f = read_csv<float>(argv[1]);
    {
        pipeline<logistic_regression<double>> m({standard_scaler<double>{}});
        (void)m.fit(data);
        write(dir, "logistic_regression_f64", m, data.features());
    }
    {
        pipeline<linear_svm<float>> m({min_max_scaler<float>{}},
                                      linear_svm<float>({.probability = true}));
        (void)m.fit(data_f);
        write(dir, "linear_svm_f32", m, data_f.features());
    }
    {
        gaussian_naive_bayes<double> m;
        (void)m.fit(data);
        write(dir, "gaussian_naive_bayes_f64", m, data.features());
    }
    {
        pipeline<k_nearest_neighbors<double>> m(
            {simple_imputer<double>{}, standard_scaler<double>{}},
            k_nearest_neighbors<double>({.k = 5, .weights = neighbor_weighting::distance}));
        (void)m.fit(data);
        write(dir, "k_nearest_neighbors_f64", m, data.features());
    }
    {
        decision_tree<double> m({.max_depth = 6, .seed = 3});
        (void)m.fit(data);
        write(dir, "decision_tree_f64", m, data.features());
    }
    {
        random_forest<float> m({.n_estimators = 12, .seed = 4});
        (void)m.fit(data_f);
        write(dir, "random_forest_f32", m, data_f.features());
    }
    // The two above hold the earlier tree layout (three parallel node tensors); these two the
    // node records (16 bytes for f64, 12 for f32).
    {
        decision_tree<float> m({.max_depth = 6, .seed = 3});
        (void)m.fit(data_f);
        write(dir, "decision_tree_f32", m, data_f.features());
    }
    {
        random_forest<double> m({.n_estimators = 12, .seed = 4});
        (void)m.fit(data);
        write(dir, "random_forest_f64", m, data.features());
    }
    {
        mlp_params params;
        params.hidden_layer_sizes = {12, 6};
        params.activation = mlp_activation::tanh;
        params.learning_rate_init = 0.01;
        params.max_iter = 200;
        params.seed = 5;
        pipeline<mlp<double>> m({standard_scaler<double>{}}, mlp<double>(params));
        (void)m.fit(data);
        write(dir, "mlp_f64", m, data.features());
    }
    return 0;
}
