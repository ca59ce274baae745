// SPDX-License-Identifier: Apache-2.0
// The translation unit of the mlp's compile-cost target (issue 9: <= 15 s and <= 1.5 GB with g++
// -O2): the mlp and its artifact support. `PROBE=compile_cost_mlp.cpp bench/compile_cost.sh` times
// it; it is also built with the benchmarks so that it keeps compiling, and running it fits, saves
// and reloads a small network.
#include <filesystem>
#include <iostream>

#include <mlpipe/artifact.hpp>
#include <mlpipe/data/split.hpp>
#include <mlpipe/data/synthetic.hpp>
#include <mlpipe/models/neural_network/mlp.hpp>

int main() {
    const auto data =
        mlpipe::make_classification({.n_samples = 400, .n_features = 8, .n_classes = 3, .seed = 1});
    const auto [train, test] = mlpipe::train_test_split(data, {.test_fraction = 0.25, .seed = 0});
    using model_type = mlpipe::mlp<double>;
    model_type model({.hidden_layer_sizes = {16, 8}, .max_iter = 20});
    (void)model.fit(train);
    const auto predicted = model.predict(test.features());
    const auto path = std::filesystem::temp_directory_path() / "mlpipe-compile-cost-mlp.mlpa";
    mlpipe::save_artifact_file(path, mlpipe::to_artifact(model));
    const auto loaded = mlpipe::load<model_type>(mlpipe::load_artifact_file(path));
    std::filesystem::remove(path);
    std::cout << "held-out accuracy "
              << static_cast<double>((predicted.array() == test.targets().array()).count()) /
                     static_cast<double>(test.n_samples())
              << "\n";
    return loaded.predict(test.features()) == predicted ? 0 : 1;
}
