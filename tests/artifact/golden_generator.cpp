// SPDX-License-Identifier: Apache-2.0
// Writes the golden artifacts of tests/data/artifacts/v<format version>/ (see the README there).
//
//   artifact_golden_generator <output directory> [--force]
//
// Golden files are written once per format version and then never changed: without --force the
// generator refuses to overwrite an existing file.
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include <mlpipe/artifact.hpp>
#include <mlpipe/artifact/signature.hpp>

#include "artifact_test_support.hpp"

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: %s <output directory> [--force]\n", argv[0]);
        return 2;
    }
    const std::filesystem::path dir = argv[1];
    const bool force = argc > 2 && std::strcmp(argv[2], "--force") == 0;
    std::filesystem::create_directories(dir);
    const auto write = [&](const std::string& name, std::span<const std::byte> bytes) {
        const auto path = dir / name;
        if (std::filesystem::exists(path) && !force) {
            std::fprintf(stderr,
                         "%s exists; golden files never change (use --force only for a new "
                         "format version's directory)\n",
                         path.c_str());
            return false;
        }
        mlpipe::test::write_file_bytes(path, bytes);
        std::printf("wrote %s (%zu bytes)\n", path.c_str(), bytes.size());
        return true;
    };
    const auto logistic = mlpipe::encode_artifact(mlpipe::test::golden_logistic_regression());
    const auto all = mlpipe::encode_artifact(mlpipe::test::golden_all_dtypes());
    const auto signed_logistic =
        mlpipe::sign_artifact(logistic, mlpipe::key_bytes(mlpipe::test::golden_key));
    const auto human = mlpipe::artifact_to_json(mlpipe::test::golden_all_dtypes()).dump(2) + "\n";
    bool ok = write("logistic_regression.mlpa", logistic);
    ok = write("all_dtypes.mlpa", all) && ok;
    ok = write("logistic_regression.signed.mlpa", signed_logistic) && ok;
    ok = write("all_dtypes.json", mlpipe::test::bytes_of(human)) && ok;
    return ok ? 0 : 1;
}
