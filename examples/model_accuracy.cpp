// SPDX-License-Identifier: Apache-2.0
// model_accuracy: every classifier on the shipped real data sets, standardised, on a stratified
// 80/20 split with seed 0; prints held-out accuracy per model and data set. With --splits FILE it
// also writes the split's row indices as JSON, so bench/compare_sklearn.py --accuracy can score
// scikit-learn on exactly the same rows.
//
//   model_accuracy DATA_DIR [--splits FILE]
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <string>
#include <vector>

#include <mlpipe/mlpipe.hpp>

namespace {

template <class Model>
double held_out_accuracy(Model model, const mlpipe::dataset<double>& train,
                         const mlpipe::dataset<double>& test) {
    mlpipe::pipeline<Model> pipe({mlpipe::standard_scaler<double>{}}, std::move(model));
    (void)pipe.fit(train);
    return mlpipe::accuracy_score(test.targets(), pipe.predict(test.features()));
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2 && argc != 4) {
        std::cerr << "usage: model_accuracy DATA_DIR [--splits FILE]\n";
        return 2;
    }
    try {
        const std::filesystem::path dir = argv[1];
        nlohmann::json splits = nlohmann::json::object();
        std::cout << std::left << std::setw(20) << "data set" << std::right << std::setw(22)
                  << "logistic_regression" << std::setw(12) << "linear_svm" << std::setw(22)
                  << "gaussian_naive_bayes" << std::setw(21) << "k_nearest_neighbors"
                  << std::setw(15) << "decision_tree" << std::setw(15) << "random_forest"
                  << std::setw(8) << "mlp" << '\n';
        for (const std::string name : {"iris", "wine", "breast_cancer", "digits"}) {
            const auto data = mlpipe::read_csv(dir / (name + ".csv"));
            const auto parts =
                mlpipe::split_rows(data.n_samples(), data.targets(), data.n_classes(),
                                   {.test_fraction = 0.2, .seed = 0});
            const auto train = data.subset(parts.train);
            const auto test = data.subset(parts.test);
            splits[name] = {{"train", parts.train}, {"test", parts.test}};
            std::cout << std::left << std::setw(20) << name << std::right << std::fixed
                      << std::setprecision(4) << std::setw(22)
                      << held_out_accuracy(mlpipe::logistic_regression<double>{}, train, test)
                      << std::setw(12)
                      << held_out_accuracy(mlpipe::linear_svm<double>{}, train, test)
                      << std::setw(22)
                      << held_out_accuracy(mlpipe::gaussian_naive_bayes<double>{}, train, test)
                      << std::setw(21)
                      << held_out_accuracy(mlpipe::k_nearest_neighbors<double>{}, train, test)
                      << std::setw(15)
                      << held_out_accuracy(mlpipe::decision_tree<double>{}, train, test)
                      << std::setw(15)
                      << held_out_accuracy(mlpipe::random_forest<double>{}, train, test)
                      << std::setw(8) << held_out_accuracy(mlpipe::mlp<double>{}, train, test)
                      << '\n';
        }
        if (argc == 4) std::ofstream(argv[3]) << splits.dump() << '\n';
        return 0;
    } catch (const mlpipe::error& e) {
        std::cerr << "model_accuracy: " << e.what() << '\n';
        return 1;
    }
}
