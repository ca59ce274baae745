// SPDX-License-Identifier: Apache-2.0
// quickstart: the core of mlpipe on one labelled CSV. Read it, split it (stratified, seeded),
// cross-validate a pipeline (scaler + logistic regression), fit it, evaluate it on the held-out
// rows, save it as a verified artifact, load it back without naming its type, and check that the
// loaded model predicts exactly what the trained one did.
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
               "  default \"label\"), trains and evaluates a model, and writes model.mlpa into\n"
               "  OUTPUT_DIR (default: a temporary directory).\n";
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

        // 1. Data.
        const auto data = mlpipe::read_csv(input, options);
        std::cout << "mlpipe " << mlpipe::version() << "\n"
                  << input.filename().string() << ": " << data.n_samples() << " rows, "
                  << data.n_features() << " features, " << data.n_classes() << " classes ("
                  << data.classes().describe() << ")\n";
        const auto [train, test] =
            mlpipe::train_test_split(data, {.test_fraction = 0.25, .seed = 42});
        std::cout << "split (stratified, seed 42): " << train.n_samples() << " train, "
                  << test.n_samples() << " test\n";

        // 2. A pipeline, cross-validated on the training part.
        using model_type = mlpipe::pipeline<mlpipe::logistic_regression<double>>;
        const auto make_model = [] {
            return model_type({mlpipe::standard_scaler<double>{}},
                              mlpipe::logistic_regression<double>({.C = 1.0}));
        };
        const auto folds = mlpipe::stratified_k_fold(train, {.n_splits = 5, .seed = 42});
        const auto cv = mlpipe::cross_validate(
            make_model, train, folds,
            mlpipe::make_scorers({"accuracy", "f1_macro", "neg_log_loss"}), {.threads = 2});
        std::cout << std::fixed << std::setprecision(4) << "5-fold cross-validation: accuracy "
                  << cv.mean("accuracy") << ", macro F1 " << cv.mean("f1_macro") << ", log loss "
                  << -cv.mean("neg_log_loss") << "\n";

        // 3. Fit on all training rows, with progress, and evaluate on the held-out rows.
        auto model = make_model();
        mlpipe::fit_options fit;
        fit.on_progress = [](const mlpipe::progress& p) {
            if (p.step % 10 == 0)
                std::cout << "  " << p.stage << " iteration " << p.step << ": loss " << p.loss
                          << "\n";
            return true;
        };
        const auto report = model.fit(train, fit);
        std::cout << "fit: " << mlpipe::to_string(report.status) << " after " << report.iterations
                  << " iterations\n";
        const auto predicted = model.predict(test.features());
        std::cout << "held-out accuracy " << mlpipe::accuracy_score(test.targets(), predicted)
                  << "\n"
                  << mlpipe::classification_report(test.targets(), predicted, data.classes());

        // 4. Save it, load it back without naming its type, and compare.
        std::filesystem::create_directories(output);
        const auto path = output / "model.mlpa";
        mlpipe::artifact_manifest manifest;
        manifest.metrics = {{"accuracy", mlpipe::accuracy_score(test.targets(), predicted)}};
        manifest.lineage.dataset_name = input.filename().string();
        manifest.lineage.row_count = static_cast<std::uint64_t>(train.n_samples());
        mlpipe::save_artifact_file(path, mlpipe::to_artifact(model, manifest));
        const mlpipe::any_model loaded = mlpipe::load_any(mlpipe::load_artifact_file(path));
        const bool identical =
            loaded.predict_proba(test.features()) == model.predict_proba(test.features());
        std::cout << "saved " << path.string() << " (" << std::filesystem::file_size(path)
                  << " bytes, kind " << loaded.kind() << ")\n"
                  << "loaded model predictions: " << (identical ? "identical" : "DIFFERENT")
                  << '\n';
        return identical ? 0 : 1;
    } catch (const mlpipe::error& e) {
        std::cerr << "quickstart: " << e.what() << '\n';
        return 1;
    }
}
