// SPDX-License-Identifier: Apache-2.0
// The consumer projects' program: reads a CSV through the umbrella header and prints its shape.
#include <iostream>

#include <mlpipe/mlpipe.hpp>

int main(int argc, char** argv) {
    if (argc != 2) {
        std::cerr << "usage: consumer FILE.csv\n";
        return 2;
    }
    try {
        const auto data = mlpipe::read_csv(argv[1]);
        std::cout << std::filesystem::path(argv[1]).filename().string() << ": " << data.n_samples()
                  << " rows, " << data.n_features() << " features, " << data.n_classes()
                  << " classes (mlpipe " << mlpipe::version() << ")\n";
    } catch (const mlpipe::error& e) {
        std::cerr << e.what() << '\n';
        return 1;
    }
    return 0;
}
