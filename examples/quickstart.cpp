// SPDX-License-Identifier: Apache-2.0
// quickstart: load a labelled CSV, describe it, split it (stratified, seeded) and save both parts
// in the binary matrix format, checking that they read back unchanged.
//
//   quickstart DATA.csv [OUTPUT_DIR] [LABEL_COLUMN]
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <string>

#include <mlpipe/mlpipe.hpp>

int main(int argc, char** argv) {
    if (argc < 2 || argc > 4) {
        std::cerr
            << "usage: quickstart DATA.csv [OUTPUT_DIR] [LABEL_COLUMN]\n"
               "  Reads DATA.csv (a header line, one row per sample, labels in LABEL_COLUMN,\n"
               "  default \"label\"), splits it 75/25 stratified, and writes train.bin and\n"
               "  test.bin into OUTPUT_DIR (default: a temporary directory).\n";
        return 2;
    }
    // The library is silent by default; show its records on stderr.
    mlpipe::set_log_hook(
        [](const mlpipe::log_record& r) {
            std::cerr << '[' << mlpipe::to_string(r.level) << "] " << r.component << ": "
                      << r.message << '\n';
        },
        mlpipe::log_level::info);
    try {
        const std::filesystem::path input = argv[1];
        const std::filesystem::path output =
            argc > 2 ? std::filesystem::path(argv[2])
                     : std::filesystem::temp_directory_path() / "mlpipe-quickstart";
        mlpipe::csv_options options;
        if (argc > 3) options.label_column = argv[3];

        const auto data = mlpipe::read_csv(input, options);
        std::cout << "mlpipe " << mlpipe::version() << "\n"
                  << input.filename().string() << ": " << data.n_samples() << " rows, "
                  << data.n_features() << " features, " << data.n_classes() << " classes\n";
        const auto counts = data.class_counts();
        for (std::size_t c = 0; c < data.n_classes(); ++c) {
            std::cout << "  class " << std::setw(12) << std::left << data.classes().name(c)
                      << std::right << std::setw(6) << counts[c] << " rows\n";
        }
        std::cout << "  feature means:";
        const Eigen::RowVectorXd means = data.features().colwise().mean();
        for (Eigen::Index j = 0; j < std::min<Eigen::Index>(data.n_features(), 6); ++j) {
            std::cout << ' ' << data.feature_names()[static_cast<std::size_t>(j)] << '='
                      << std::setprecision(4) << means[j];
        }
        std::cout << (data.n_features() > 6 ? " ...\n" : "\n");

        const auto [train, test] =
            mlpipe::train_test_split(data, {.test_fraction = 0.25, .seed = 42});
        std::cout << "split (stratified, seed 42): " << train.n_samples() << " train, "
                  << test.n_samples() << " test\n";

        std::filesystem::create_directories(output);
        bool identical = true;
        for (const auto& [name, part] :
             {std::pair{"train.bin", &train}, std::pair{"test.bin", &test}}) {
            if (part->classes().kind() == mlpipe::label_kind::string) {
                // The binary format stores integer labels: store class indices instead.
                std::vector<std::int64_t> indices(part->n_classes());
                for (std::size_t k = 0; k < indices.size(); ++k)
                    indices[k] = static_cast<std::int64_t>(k);
                const mlpipe::dataset<double> indexed(part->features(), part->targets(),
                                                      mlpipe::label_map::from_integers(indices),
                                                      part->feature_names());
                mlpipe::write_binary_matrix(output / name, indexed);
            } else {
                mlpipe::write_binary_matrix(output / name, *part);
            }
            const auto back = mlpipe::read_binary_matrix(output / name);
            identical = identical && back.features() == part->features() &&
                        back.targets() == part->targets();
            std::cout << "wrote " << (output / name).string() << " ("
                      << std::filesystem::file_size(output / name) << " bytes)\n";
        }
        std::cout << "round trip: " << (identical ? "identical" : "DIFFERENT") << '\n';
        return identical ? 0 : 1;
    } catch (const mlpipe::error& e) {
        std::cerr << "quickstart: " << e.what() << '\n';
        return 1;
    }
}
