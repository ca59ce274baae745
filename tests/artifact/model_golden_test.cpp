// SPDX-License-Identifier: Apache-2.0
// The golden model artifacts of tests/data/artifacts/v1/models/ load in this version and predict
// exactly the probabilities recorded when they were written.
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <mlpipe/artifact.hpp>
#include <mlpipe/artifact/any_model.hpp>
#include <mlpipe/data/csv.hpp>

#include "test_support.hpp"

TEST_CASE("golden model artifacts load and predict exactly as when written",
          "[artifact][models][golden]") {
    const std::filesystem::path dir =
        std::filesystem::path(MLPIPE_GOLDEN_ARTIFACT_DIR) / "v1" / "models";
    const auto data = mlpipe::read_csv<double>(mlpipe::test::data_path("wine.csv"));
    int checked = 0;
    const std::vector<std::string> names = {
        "logistic_regression_f64", "linear_svm_f32",    "gaussian_naive_bayes_f64",
        "k_nearest_neighbors_f64", "decision_tree_f64", "random_forest_f32",
        "decision_tree_f32",       "random_forest_f64", "mlp_f64"};
    for (const auto& name : names) {
        INFO(name);
        const auto file = mlpipe::load_artifact_file(dir / (name + ".mlpa"));
        const auto model = mlpipe::load_any(file);
        // Both tree layouts stay readable: the parallel node tensors and the node records.
        if (name == "decision_tree_f64" || name == "random_forest_f32")
            CHECK(file.find_tensor("node_feature") != nullptr);
        if (name == "decision_tree_f32" || name == "random_forest_f64")
            CHECK(file.find_tensor("nodes") != nullptr);
        std::ifstream in(dir / (name + ".expected.json"));
        REQUIRE(in);
        const auto expected = nlohmann::json::parse(in);
        const auto proba = model.predict_proba(
            data.features().topRows(expected["first_rows"].get<Eigen::Index>()));
        const auto rows = expected["proba"].get<std::vector<std::vector<double>>>();
        REQUIRE(static_cast<Eigen::Index>(rows.size()) == proba.rows());
        for (Eigen::Index i = 0; i < proba.rows(); ++i) {
            for (Eigen::Index k = 0; k < proba.cols(); ++k) {
                REQUIRE(proba(i, k) ==
                        rows[static_cast<std::size_t>(i)][static_cast<std::size_t>(k)]);
            }
        }
        ++checked;
    }
    CHECK(checked == static_cast<int>(names.size()));
}
