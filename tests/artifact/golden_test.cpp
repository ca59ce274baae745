// SPDX-License-Identifier: Apache-2.0
// The golden artifacts of tests/data/artifacts: files written by format v1 that every later
// version must still load with exactly the same contents (tests/data/artifacts/README.md).
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include <catch2/catch.hpp>

#include <mlpipe/artifact.hpp>
#include <mlpipe/artifact/signature.hpp>

#include "artifact_test_support.hpp"

namespace {
std::filesystem::path golden(const std::string& name) {
    return std::filesystem::path(MLPIPE_GOLDEN_ARTIFACT_DIR) / "v1" / name;
}
}  // namespace

TEST_CASE("golden v1 artifacts load with exactly their contents", "[artifact][golden]") {
    CHECK(mlpipe::load_artifact_file(golden("logistic_regression.mlpa")) ==
          mlpipe::test::golden_logistic_regression());
    CHECK(mlpipe::load_artifact_file(golden("all_dtypes.mlpa")) ==
          mlpipe::test::golden_all_dtypes());
    const auto bytes = mlpipe::test::read_file_bytes(golden("logistic_regression.mlpa"));
    const auto a = mlpipe::decode_artifact(bytes);
    CHECK(a.tensor("coef").matrix<double>()(2, 3) == 0.5 - 1.0);
    CHECK(a.manifest().labels.name(0) == "setosa");
    CHECK(mlpipe::verify_artifact(bytes).format_version == 1);
}

TEST_CASE("the golden signed artifact verifies with the golden key", "[artifact][golden]") {
    const auto bytes = mlpipe::test::read_file_bytes(golden("logistic_regression.signed.mlpa"));
    CHECK(mlpipe::decode_signed_artifact(bytes, mlpipe::key_bytes(mlpipe::test::golden_key)) ==
          mlpipe::test::golden_logistic_regression());
    CHECK_THROWS_AS(
        mlpipe::verify_artifact_signature(bytes, mlpipe::key_bytes("another key of 16+ bytes")),
        mlpipe::format_error);
}

TEST_CASE("the golden human form reads back to the golden artifact", "[artifact][golden]") {
    std::ifstream in(golden("all_dtypes.json"));
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    CHECK(mlpipe::parse_artifact_json(text) == mlpipe::test::golden_all_dtypes());
}

TEST_CASE("this version still writes the golden bytes of format v1", "[artifact][golden]") {
    // If this fails on purpose (the writer changed), keep the old golden files, which must still
    // load, and add new ones: see tests/data/artifacts/README.md.
    CHECK(mlpipe::encode_artifact(mlpipe::test::golden_logistic_regression()) ==
          mlpipe::test::read_file_bytes(golden("logistic_regression.mlpa")));
    CHECK(mlpipe::encode_artifact(mlpipe::test::golden_all_dtypes()) ==
          mlpipe::test::read_file_bytes(golden("all_dtypes.mlpa")));
}
