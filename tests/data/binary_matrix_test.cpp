// SPDX-License-Identifier: Apache-2.0
// Tests of data/binary_matrix.hpp: exact round trips, the byte layout, and lying or truncated
// input.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <mlpipe/data/binary_matrix.hpp>
#include <mlpipe/detail/endian.hpp>

#include "test_support.hpp"

using Catch::Matchers::Contains;

namespace {
mlpipe::dataset<double> sample() {
    mlpipe::feature_matrix<double> x(3, 2);
    x << 0.5, -1.25, 1e-310, 3.0, 1.0 / 3.0, 7.0;
    mlpipe::class_index_vector y(3);
    y << 1, 0, 1;
    return {x, y, mlpipe::label_map::from_integers({-7, 42})};
}

std::vector<std::byte> encode(const mlpipe::dataset<double>& data) {
    std::ostringstream out(std::ios::binary);
    mlpipe::write_binary_matrix(out, data);
    const std::string s = out.str();
    std::vector<std::byte> bytes(s.size());
    std::memcpy(bytes.data(), s.data(), s.size());
    return bytes;
}

std::vector<std::byte> header(std::uint64_t n, std::uint64_t d) {
    std::vector<std::byte> bytes(16);
    mlpipe::detail::store_le(bytes.data(), n);
    mlpipe::detail::store_le(bytes.data() + 8, d);
    return bytes;
}

void write_bytes(const std::filesystem::path& path, const std::vector<std::byte>& bytes) {
    std::ofstream out(path, std::ios::binary);
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
}
}  // namespace

TEST_CASE("the binary layout is u64 n, u64 d, f64 cells, i32 labels, little-endian",
          "[data][binary]") {
    const auto bytes = encode(sample());
    REQUIRE(bytes.size() == 16 + 3 * 2 * 8 + 3 * 4);
    CHECK(mlpipe::detail::load_le<std::uint64_t>(bytes.data()) == 3);
    CHECK(mlpipe::detail::load_le<std::uint64_t>(bytes.data() + 8) == 2);
    CHECK(mlpipe::detail::load_le<double>(bytes.data() + 16 + 8) == -1.25);  // row 0, column 1
    CHECK(mlpipe::detail::load_le<std::int32_t>(bytes.data() + 64) == 42);   // label of row 0
    CHECK(mlpipe::detail::load_le<std::int32_t>(bytes.data() + 68) == -7);
}

TEST_CASE("binary matrices round-trip exactly through memory and files", "[data][binary]") {
    const auto data = sample();
    const auto from_memory = mlpipe::parse_binary_matrix(encode(data));
    CHECK(from_memory.features() == data.features());
    CHECK(from_memory.targets() == data.targets());
    CHECK(from_memory.classes() == data.classes());

    mlpipe::test::temp_dir dir;
    mlpipe::write_binary_matrix(dir / "m.bin", data);
    const auto from_file = mlpipe::read_binary_matrix(dir / "m.bin");
    CHECK(from_file.features() == data.features());
    CHECK(from_file.targets() == data.targets());
    const auto as_float = mlpipe::read_binary_matrix<float>(dir / "m.bin");
    CHECK(as_float.features()(0, 1) == -1.25f);
}

TEST_CASE("an empty binary matrix round-trips", "[data][binary]") {
    const mlpipe::dataset<double> empty(mlpipe::feature_matrix<double>(0, 4),
                                        mlpipe::class_index_vector(0),
                                        mlpipe::label_map::from_integers({}));
    const auto back = mlpipe::parse_binary_matrix(encode(empty));
    CHECK(back.n_samples() == 0);
    CHECK(back.n_features() == 4);
}

TEST_CASE("a truncated binary file is a format error with the byte offset", "[data][binary]") {
    auto bytes = encode(sample());
    bytes.resize(bytes.size() - 3);
    mlpipe::test::temp_dir dir;
    write_bytes(dir / "t.bin", bytes);
    try {
        (void)mlpipe::read_binary_matrix(dir / "t.bin");
        FAIL("expected format_error");
    } catch (const mlpipe::format_error& e) {
        CHECK(e.where().source == (dir / "t.bin").string());
        CHECK(e.where().offset == bytes.size());
        CHECK_THAT(e.what(), Contains("truncated"));
    }
    CHECK_THROWS_AS(mlpipe::parse_binary_matrix(bytes), mlpipe::format_error);
    const std::vector<std::byte> tiny(5);
    CHECK_THROWS_WITH(mlpipe::parse_binary_matrix(tiny), Contains("less than the 16-byte header"));
    write_bytes(dir / "empty.bin", {});
    CHECK_THROWS_AS(mlpipe::read_binary_matrix(dir / "empty.bin"), mlpipe::format_error);
}

TEST_CASE("a header that claims more rows than the file holds allocates nothing",
          "[data][binary]") {
    // 2^40 rows x 2^20 features would be 2^63 bytes: rejected before any allocation.
    auto lying = header(std::uint64_t{1} << 40, std::uint64_t{1} << 20);
    lying.resize(lying.size() + 100);
    CHECK_THROWS_WITH(mlpipe::parse_binary_matrix(lying),
                      Contains("header claims 1099511627776 rows"));
    // Products that overflow 64 bits.
    auto overflow = header(~std::uint64_t{0}, ~std::uint64_t{0});
    CHECK_THROWS_WITH(mlpipe::parse_binary_matrix(overflow), Contains("a size no file can hold"));
    auto rows_only = header(~std::uint64_t{0} / 4, 0);
    CHECK_THROWS_AS(mlpipe::parse_binary_matrix(rows_only), mlpipe::format_error);
    mlpipe::test::temp_dir dir;
    write_bytes(dir / "lie.bin", lying);
    CHECK_THROWS_AS(mlpipe::read_binary_matrix(dir / "lie.bin"), mlpipe::format_error);
}

TEST_CASE("trailing bytes are a format error", "[data][binary]") {
    auto bytes = encode(sample());
    bytes.push_back(std::byte{0});
    CHECK_THROWS_WITH(mlpipe::parse_binary_matrix(bytes), Contains("trailing bytes"));
}

TEST_CASE("data the binary format cannot hold is refused before writing", "[data][binary]") {
    const mlpipe::dataset<double> unlabelled(mlpipe::feature_matrix<double>::Zero(1, 1));
    std::ostringstream out;
    CHECK_THROWS_AS(mlpipe::write_binary_matrix(out, unlabelled), mlpipe::invalid_input_error);
    mlpipe::class_index_vector y(1);
    y << 0;
    const mlpipe::dataset<double> strings(mlpipe::feature_matrix<double>::Zero(1, 1), y,
                                          mlpipe::label_map::from_strings({"cat"}));
    CHECK_THROWS_WITH(mlpipe::write_binary_matrix(out, strings), Contains("labels are strings"));
    const mlpipe::dataset<double> wide(mlpipe::feature_matrix<double>::Zero(1, 1), y,
                                       mlpipe::label_map::from_integers({std::int64_t{1} << 40}));
    CHECK_THROWS_WITH(mlpipe::write_binary_matrix(out, wide), Contains("32 bits"));
    mlpipe::test::temp_dir dir;
    CHECK_THROWS_AS(mlpipe::write_binary_matrix(dir / "s.bin", strings),
                    mlpipe::invalid_input_error);
    CHECK_FALSE(std::filesystem::exists(dir / "s.bin"));
}

TEST_CASE("a missing binary file is a storage error", "[data][binary]") {
    CHECK_THROWS_AS(mlpipe::read_binary_matrix("/nonexistent/m.bin"), mlpipe::storage_error);
}
