// SPDX-License-Identifier: Apache-2.0
// Tests of the artifact value type, the v1 byte layout, and encode/decode round trips (copying, in
// place, from mapped files).
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <mlpipe/artifact.hpp>
#include <mlpipe/mlpipe.hpp>

#include "artifact_test_support.hpp"
#include "test_support.hpp"

using Catch::Matchers::Contains;
using mlpipe::test::golden_all_dtypes;
using mlpipe::test::golden_logistic_regression;

TEST_CASE("tensors keep their name, dtype, shape and row-major values", "[artifact][tensor]") {
    Eigen::MatrixXd m(2, 3);  // column-major in Eigen; stored row-major
    m << 1, 2, 3, 4, 5, 6;
    const auto t = mlpipe::artifact_tensor::copy_of("w", m);
    CHECK(t.name() == "w");
    CHECK(t.dtype() == mlpipe::tensor_dtype::f64);
    CHECK(t.shape() == std::vector<std::uint64_t>{2, 3});
    CHECK(t.element_count() == 6);
    CHECK(t.byte_size() == 48);
    const auto flat = t.values<double>();
    CHECK(std::vector<double>(flat.begin(), flat.end()) == std::vector<double>{1, 2, 3, 4, 5, 6});
    CHECK(t.matrix<double>() == m);
    CHECK(t.vector<double>()(4) == 5.0);
    CHECK(reinterpret_cast<std::uintptr_t>(t.bytes().data()) % 64 == 0);

    const auto v = mlpipe::artifact_tensor::copy_of("v", Eigen::Vector3f(1, 2, 3));
    CHECK(v.shape() == std::vector<std::uint64_t>{3});
    CHECK(v.matrix<float>().rows() == 3);
    CHECK(v.matrix<float>().cols() == 1);
}

TEST_CASE("a tensor read as the wrong type or rank is a format error", "[artifact][tensor]") {
    const auto a = golden_all_dtypes();
    CHECK_THROWS_AS(a.tensor("f64.scalar").values<float>(), mlpipe::format_error);
    CHECK_THROWS_WITH(a.tensor("i32.extremes").values<std::int64_t>(),
                      Contains("holds i32 values, not i64"));
    CHECK_THROWS_AS(a.tensor("f64.cube").matrix<double>(), mlpipe::format_error);
    CHECK(a.tensor("f64.scalar").matrix<double>()(0, 0) == 3.141592653589793);
    CHECK_THROWS_WITH(a.tensor("missing"), Contains("no tensor named \"missing\""));
    CHECK(a.find_tensor("missing") == nullptr);
}

TEST_CASE("adding tensors checks names, shapes and duplicates", "[artifact][tensor]") {
    mlpipe::artifact a;
    const std::vector<double> three{1, 2, 3};
    a.add_tensor<double>("x", three, {3});
    CHECK_THROWS_AS(a.add_tensor<double>("x", three, {3}), mlpipe::invalid_input_error);
    CHECK_THROWS_AS(a.add_tensor<double>("y", three, {2}), mlpipe::invalid_input_error);
    CHECK_THROWS_AS(a.add_tensor<double>("bad name", three, {3}), mlpipe::invalid_input_error);
    CHECK_THROWS_AS(a.add_tensor<double>("", three, {3}), mlpipe::invalid_input_error);
    CHECK_THROWS_AS(a.add_tensor<double>("z", three, {std::uint64_t{1} << 63, 4, 3}),
                    mlpipe::invalid_input_error);
    CHECK(a.tensors().size() == 1);
}

TEST_CASE("an artifact round-trips bit for bit through bytes, copying and in place",
          "[artifact][codec]") {
    for (const auto& original : {golden_logistic_regression(), golden_all_dtypes()}) {
        const auto bytes = mlpipe::encode_artifact(original);
        const auto copied = mlpipe::decode_artifact(bytes);
        CHECK(copied == original);
        CHECK(copied.holds_its_bytes());
        const auto viewed = mlpipe::decode_artifact_view(bytes);
        CHECK(viewed == original);
        CHECK_FALSE(viewed.holds_its_bytes());
        // The view reads the buffer itself.
        const auto& first = viewed.tensors().front();
        CHECK(first.bytes().data() >= bytes.data());
        CHECK(first.bytes().data() < bytes.data() + bytes.size());
        CHECK(mlpipe::encode_artifact(copied) == bytes);  // deterministic
    }
}

TEST_CASE("the byte layout is preamble, manifest, 64-aligned tensors, checksum",
          "[artifact][codec]") {
    const auto a = golden_logistic_regression();
    const auto bytes = mlpipe::encode_artifact(a);
    CHECK(std::memcmp(bytes.data(), "\x89MLPIPE\n", 8) == 0);
    CHECK(mlpipe::detail::load_le<std::uint32_t>(bytes.data() + 8) == 1);
    CHECK(mlpipe::detail::load_le<std::uint32_t>(bytes.data() + 12) == 0);
    const auto info = mlpipe::verify_artifact(bytes);
    CHECK(info.manifest_offset == 24);
    CHECK(info.data_offset % 64 == 0);
    CHECK(info.data_offset >= 24 + info.manifest_length);
    CHECK(info.data_offset < 24 + info.manifest_length + 64);
    CHECK(info.checksum_offset == bytes.size() - 8);
    CHECK_FALSE(info.is_signed());
    CHECK(info.checksum ==
          mlpipe::detail::xxh64(std::span<const std::byte>(bytes).first(bytes.size() - 8)));

    const auto manifest = nlohmann::json::parse(
        std::string_view(reinterpret_cast<const char*>(bytes.data()) + 24, info.manifest_length));
    CHECK(manifest["kind"] == "golden.logistic_regression");
    CHECK(manifest["scalar_type"] == "f64");
    CHECK(manifest["label_map"]["classes"][2] == "virginica");
    const auto& coef = manifest["tensors"][0];
    CHECK(coef["name"] == "coef");
    CHECK(coef["dtype"] == "f64");
    CHECK(coef["shape"] == nlohmann::json::array({3, 4}));
    CHECK(coef["offset"] == 0);
    CHECK(coef["length"] == 96);
    CHECK(manifest["tensors"][1]["offset"] == 128);  // next multiple of 64 after 96
    // Row 1, column 2 of coef, little-endian at data offset + (1 * 4 + 2) * 8.
    CHECK(mlpipe::detail::load_le<double>(bytes.data() + info.data_offset + 48) == 0.25 - 2 / 3.0);
}

TEST_CASE("the manifest keeps every field, and unknown fields are ignored", "[artifact][codec]") {
    const auto a = golden_logistic_regression();
    const auto back = mlpipe::decode_artifact(mlpipe::encode_artifact(a));
    const auto& m = back.manifest();
    CHECK(m.kind == "golden.logistic_regression");
    CHECK(m.library_version == "0.1.0");
    CHECK(m.hyperparameters["max_iter"] == 100);
    CHECK(m.features.count == 4);
    CHECK(m.features.names[3] == "petal_width");
    CHECK(m.labels.name(1) == "versicolor");
    CHECK(m.preprocessing[0]["kind"] == "standard_scaler");
    CHECK(m.metrics["accuracy"] == 0.96);
    CHECK(m.lineage.request_id == "req-0001");
    CHECK(m.lineage.row_count == 150);
    CHECK(m.lineage.time_taken_seconds == 0.25);
    CHECK(m.lineage.created_at == "2024-05-01T12:00:00Z");

    const auto text = mlpipe::test::manifest_with(
        R"([{"name":"w","dtype":"u8","shape":[2],"offset":0,"length":2,"future":{"x":1}}],)"
        R"("a_future_field":[1,2,3],"lineage":{"row_count":7,"also_new":true})");
    const auto decoded = mlpipe::decode_artifact(mlpipe::test::assemble(text, 2));
    CHECK(decoded.manifest().lineage.row_count == 7);
    CHECK(decoded.tensor("w").shape() == std::vector<std::uint64_t>{2});
    CHECK(decoded.manifest().labels.kind() == mlpipe::label_kind::none);
}

TEST_CASE("an artifact without tensors round-trips", "[artifact][codec]") {
    mlpipe::artifact a;
    a.manifest().kind = "empty";
    const auto bytes = mlpipe::encode_artifact(a);
    CHECK(mlpipe::decode_artifact(bytes) == a);
    CHECK(mlpipe::read_artifact_manifest(bytes).kind == "empty");
}

TEST_CASE("encoding refuses invalid manifests with an invalid input error", "[artifact][codec]") {
    mlpipe::artifact a;
    CHECK_THROWS_AS(mlpipe::encode_artifact(a), mlpipe::invalid_input_error);  // no kind
    a.manifest().kind = "k";
    a.manifest().scalar_type = mlpipe::tensor_dtype::i32;
    CHECK_THROWS_AS(mlpipe::encode_artifact(a), mlpipe::invalid_input_error);
    a.manifest().scalar_type = mlpipe::tensor_dtype::f32;
    a.manifest().features = {2, {"a"}};
    CHECK_THROWS_AS(mlpipe::encode_artifact(a), mlpipe::invalid_input_error);
    a.manifest().features = {2, {"a", "a"}};
    CHECK_THROWS_AS(mlpipe::encode_artifact(a), mlpipe::invalid_input_error);
    a.manifest().features = {2, {"a", "\xff"}};
    CHECK_THROWS_AS(mlpipe::encode_artifact(a), mlpipe::invalid_input_error);  // not UTF-8
    a.manifest().features = {2, {}};
    a.manifest().metrics = nlohmann::json::array();
    CHECK_THROWS_AS(mlpipe::encode_artifact(a), mlpipe::invalid_input_error);
    a.manifest().metrics = nlohmann::json::object();
    CHECK_NOTHROW(mlpipe::encode_artifact(a));
}

TEST_CASE("a view of a misaligned buffer is refused but the copying decoder takes it",
          "[artifact][codec]") {
    const auto bytes = mlpipe::encode_artifact(golden_logistic_regression());
    std::vector<std::byte> shifted(bytes.size() + 1);
    std::memcpy(shifted.data() + 1, bytes.data(), bytes.size());
    const std::span<const std::byte> odd(shifted.data() + 1, bytes.size());
    CHECK_THROWS_AS(mlpipe::decode_artifact_view(odd), mlpipe::invalid_input_error);
    CHECK(mlpipe::decode_artifact(odd) == golden_logistic_regression());
}

TEST_CASE("a view holding a shared buffer stays valid on its own", "[artifact][codec]") {
    mlpipe::artifact decoded;
    {
        auto buffer = std::make_shared<const std::vector<std::byte>>(
            mlpipe::encode_artifact(golden_logistic_regression()));
        decoded = mlpipe::decode_artifact_view(buffer, *buffer);
    }
    CHECK(decoded.holds_its_bytes());
    CHECK(decoded == golden_logistic_regression());
}

TEST_CASE("artifact files are saved atomically and loaded from a mapping", "[artifact][file]") {
    mlpipe::test::temp_dir dir;
    const auto path = dir / "model.mlpa";
    mlpipe::save_artifact_file(path, golden_all_dtypes());
    CHECK(std::distance(std::filesystem::directory_iterator(dir.path()),
                        std::filesystem::directory_iterator{}) == 1);  // no temporary left
    mlpipe::artifact loaded = mlpipe::load_artifact_file(path);
    CHECK(loaded == golden_all_dtypes());
    CHECK(loaded.holds_its_bytes());

    mlpipe::mapped_file mapped(path);
    CHECK(mapped.size() == std::filesystem::file_size(path));
    CHECK(reinterpret_cast<std::uintptr_t>(mapped.bytes().data()) % 64 == 0);
    const mlpipe::mapped_file moved = std::move(mapped);
    CHECK(moved.size() == std::filesystem::file_size(path));
    CHECK(mlpipe::decode_artifact_view(moved.bytes()) == golden_all_dtypes());

    mlpipe::test::write_file_bytes(dir / "corrupt.mlpa",
                                   mlpipe::test::bytes_of("\x89MLPIPE\nshort"));
    CHECK_THROWS_WITH(mlpipe::load_artifact_file(dir / "corrupt.mlpa"), Contains("corrupt.mlpa"));
}

TEST_CASE("mapping a missing file, a directory or an empty file", "[artifact][file]") {
    mlpipe::test::temp_dir dir;
    CHECK_THROWS_AS(mlpipe::mapped_file(dir / "missing"), mlpipe::storage_error);
    CHECK_THROWS_AS(mlpipe::mapped_file(dir.path()), mlpipe::storage_error);
    mlpipe::test::write_file_bytes(dir / "empty", {});
    const mlpipe::mapped_file empty(dir / "empty");
    CHECK(empty.bytes().empty());
    CHECK_THROWS_AS(mlpipe::load_artifact_file(dir / "empty"), mlpipe::format_error);
    CHECK_THROWS_AS(mlpipe::load_artifact_file(dir / "missing"), mlpipe::storage_error);
}

TEST_CASE("the size of an artifact is its tensor bytes plus the manifest and padding",
          "[artifact][codec]") {
    mlpipe::artifact a;
    a.manifest().kind = "size_check";
    const Eigen::MatrixXd big = Eigen::MatrixXd::Constant(500, 1000, 0.5);  // 4 MB
    a.add_tensor("big", big);
    a.add_tensor("small", Eigen::VectorXd::Constant(3, 1.0));
    const auto bytes = mlpipe::encode_artifact(a);
    const double raw = static_cast<double>(a.tensor_bytes());
    CHECK(static_cast<double>(bytes.size()) <= raw * 1.01 + 4096);
}
