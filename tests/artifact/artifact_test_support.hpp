// SPDX-License-Identifier: Apache-2.0
// Helpers of the artifact tests: the golden artifacts' contents (shared with golden_generator.cpp)
// and builders of hand-made, possibly malformed, artifact bytes.
#pragma once

#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <mlpipe/artifact.hpp>

namespace mlpipe::test {

/// The HMAC key the golden signed artifact was signed with (a test key, not a secret).
inline constexpr std::string_view golden_key = "mlpipe golden test key (not a secret)";

/// Golden artifact 1: a logistic-regression-like model, f64, string labels, a scaler step.
inline artifact golden_logistic_regression() {
    artifact_manifest m;
    m.kind = "golden.logistic_regression";
    m.scalar_type = tensor_dtype::f64;
    m.library_version = "0.1.0";
    m.hyperparameters = {{"C", 1.0}, {"max_iter", 100}, {"penalty", "l2"}, {"seed", 42}};
    m.features = {4, {"sepal_length", "sepal_width", "petal_length", "petal_width"}};
    m.labels = label_map::from_strings({"setosa", "versicolor", "virginica"});
    m.preprocessing = nlohmann::json::array(
        {{{"kind", "standard_scaler"}, {"mean", "scaler.mean"}, {"scale", "scaler.scale"}}});
    m.metrics = {{"accuracy", 0.96}, {"log_loss", 0.1234}};
    m.lineage = {"req-0001",
                 "iris",
                 "xxh64:0123456789abcdef",
                 150,
                 "2024-05-01T00:00:00Z",
                 0.25,
                 "2024-05-01T12:00:00Z"};
    artifact a(m);
    Eigen::Matrix<double, 3, 4> coef;
    for (int i = 0; i < 3; ++i) {
        for (int j = 0; j < 4; ++j)
            coef(i, j) = 0.25 * i - j / 3.0;
    }
    Eigen::Vector3d intercept(0.5, -1.0 / 7.0, 1e-300);
    Eigen::Vector4d mean(5.843333333333334, 3.0573333333333337, 3.7580000000000005,
                         1.1993333333333336);
    Eigen::Vector4d scale(0.8253012917851409, 0.4344109677354946, 1.759404065775303,
                          0.7596926279021594);
    a.add_tensor("coef", coef);
    a.add_tensor("intercept", intercept);
    a.add_tensor("scaler.mean", mean);
    a.add_tensor("scaler.scale", scale);
    return a;
}

/// Golden artifact 2: every dtype, ranks 0 to 3, an empty tensor, special float values.
inline artifact golden_all_dtypes() {
    artifact_manifest m;
    m.kind = "golden.all_dtypes";
    m.scalar_type = tensor_dtype::f32;
    m.library_version = "0.1.0";
    m.features = {2, {}};
    m.labels = label_map::from_integers({-1, 1});
    artifact a(m);
    const float quiet_nan_with_payload = std::bit_cast<float>(std::uint32_t{0x7FC00123});
    const std::vector<float> f32{0.1f,
                                 -0.0f,
                                 std::numeric_limits<float>::infinity(),
                                 -std::numeric_limits<float>::infinity(),
                                 std::numeric_limits<float>::quiet_NaN(),
                                 quiet_nan_with_payload,
                                 std::numeric_limits<float>::denorm_min(),
                                 std::numeric_limits<float>::max()};
    a.add_tensor<float>("f32.specials", f32, {2, 4});
    const std::vector<double> pi{3.141592653589793};
    a.add_tensor<double>("f64.scalar", pi, {});
    std::vector<double> cube(6);
    for (std::size_t i = 0; i < cube.size(); ++i)
        cube[i] = std::ldexp(1.0, static_cast<int>(i)) / 3.0;
    a.add_tensor<double>("f64.cube", cube, {2, 1, 3});
    const std::vector<std::int32_t> i32{std::numeric_limits<std::int32_t>::min(), -1, 0,
                                        std::numeric_limits<std::int32_t>::max()};
    a.add_tensor<std::int32_t>("i32.extremes", i32, {4});
    const std::vector<std::int64_t> i64{std::numeric_limits<std::int64_t>::min(),
                                        std::numeric_limits<std::int64_t>::max(), -1,
                                        0x0123456789ABCDEF};
    a.add_tensor<std::int64_t>("i64.extremes", i64, {2, 2});
    const std::vector<std::uint8_t> u8{0, 1, 127, 128, 255};
    a.add_tensor<std::uint8_t>("u8.bytes", u8, {5});
    a.add_tensor<std::uint8_t>("u8.empty", std::span<const std::uint8_t>{}, {3, 0});
    return a;
}

inline std::vector<std::byte> bytes_of(std::string_view text) {
    const auto* p = reinterpret_cast<const std::byte*>(text.data());
    return {p, p + text.size()};
}

inline std::vector<std::byte> read_file_bytes(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    const std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return bytes_of(s);
}

inline void write_file_bytes(const std::filesystem::path& path, std::span<const std::byte> bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
}

/// Recomputes the checksum of an (unsigned) artifact after a test changed its bytes.
inline void rechecksum(std::vector<std::byte>& bytes, std::size_t trailer = 8) {
    const auto at = bytes.size() - trailer;
    detail::store_le(bytes.data() + at, detail::xxh64(std::span<const std::byte>(bytes).first(at)));
}

/// Hand-made artifact bytes: preamble (magic, version, flags, manifest length), `manifest` text,
/// zero padding to 64, `data_bytes` zero bytes of data, a valid checksum.
inline std::vector<std::byte> assemble(std::string_view manifest, std::size_t data_bytes = 0,
                                       std::uint32_t version = 1, std::uint32_t flags = 0) {
    const std::size_t data_offset = (24 + manifest.size() + 63) / 64 * 64;
    std::vector<std::byte> out(data_offset + data_bytes + 8);
    std::memcpy(out.data(), "\x89MLPIPE\n", 8);
    detail::store_le(out.data() + 8, version);
    detail::store_le(out.data() + 12, flags);
    detail::store_le(out.data() + 16, static_cast<std::uint64_t>(manifest.size()));
    std::memcpy(out.data() + 24, manifest.data(), manifest.size());
    rechecksum(out);
    return out;
}

/// A manifest with the required fields and `tensors` (JSON array text) as its tensor table.
inline std::string manifest_with(std::string_view tensors) {
    return R"({"kind":"test","scalar_type":"f64","library_version":"0.1.0","tensors":)" +
           std::string(tensors) + "}";
}

}  // namespace mlpipe::test
