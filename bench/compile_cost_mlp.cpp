// SPDX-License-Identifier: Apache-2.0
// The translation unit of the mlp's compile-cost target (issue 9: <= 15 s and <= 1.5 GB with g++
// -O2): the mlp and its artifact support. `PROBE=compile_cost_mlp.cpp bench/compile_cost.sh` times
// it; it is also built with the benchmarks so that it keeps compiling, and running it fits, saves
// and reloads a small network. The data is made by hand (make_classification alone costs about 5 s
// of compile time, which is not the mlp's).
#include <cmath>
#include <filesystem>
#include <iostream>

#include <mlpipe/artifact.hpp>
#include <mlpipe/data/split.hpp>
#include <mlpipe/models/neural_network/mlp.hpp>

int main() {
    const Eigen::Index n = 400;
    mlpipe::feature_matrix<double> x(n, 8);
    mlpipe::class_index_vector y(n);
    for (Eigen::Index i = 0; i < n; ++i) {
        for (Eigen::Index j = 0; j < 8; ++j)
            x(i, j) = std::sin(0.37 * static_cast<double>(i) + 1.3 * static_cast<double>(j * j));
        y[i] = (x(i, 0) + x(i, 1) > 0.0 ? 1 : 0) + (x(i, 2) - x(i, 3) > 0.5 ? 1 : 0);
    }
    const mlpipe::dataset<double> data(x, y, mlpipe::label_map::from_integers({0, 1, 2}));
    const auto [train, test] = mlpipe::train_test_split(data, {.test_fraction = 0.25, .seed = 0});
    using model_type = mlpipe::mlp<double>;
    model_type model({.hidden_layer_sizes = {16, 8}, .max_iter = 50});
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
