// SPDX-License-Identifier: Apache-2.0
// The translation unit of issue 9's compile-cost target: a random forest with its artifact support
// and the evaluation toolbox (PROBE=compile_cost_forest.cpp bench/compile_cost.sh; target <= 15 s
// and <= 1.5 GB with g++ -O2). Built with the benchmarks so that it keeps compiling; running it
// fits, evaluates, saves and reloads a small forest.
#include <filesystem>
#include <iostream>

#include <mlpipe/artifact.hpp>
#include <mlpipe/data/split.hpp>
#include <mlpipe/data/synthetic.hpp>
#include <mlpipe/evaluation.hpp>
#include <mlpipe/models/tree/random_forest.hpp>

int main() {
    const auto data = mlpipe::make_classification({.n_samples = 400, .n_features = 8, .seed = 1});
    const auto [train, test] = mlpipe::train_test_split(data, {.test_fraction = 0.25, .seed = 0});
    using model_type = mlpipe::random_forest<double>;
    const auto folds = mlpipe::stratified_k_fold(train, {.n_splits = 3, .seed = 0});
    const auto cv = mlpipe::cross_validate([] { return model_type({.n_estimators = 10}); }, train,
                                           folds, mlpipe::make_scorers({"accuracy", "f1_macro"}));
    model_type model({.n_estimators = 10});
    (void)model.fit(train);
    const auto predicted = model.predict(test.features());
    std::cout << "cross-validated accuracy " << cv.mean("accuracy") << ", held-out accuracy "
              << mlpipe::accuracy_score(test.targets(), predicted) << "\n"
              << mlpipe::classification_report(test.targets(), predicted, data.classes());
    const auto path = std::filesystem::temp_directory_path() / "mlpipe-compile-cost-forest.mlpa";
    mlpipe::save_artifact_file(path, mlpipe::to_artifact(model));
    const auto loaded = mlpipe::load<model_type>(mlpipe::load_artifact_file(path));
    std::filesystem::remove(path);
    return loaded.predict(test.features()) == predicted ? 0 : 1;
}
