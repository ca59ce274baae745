// SPDX-License-Identifier: Apache-2.0
// The malformed corpus: truncations, flipped bits, hand-made manifests with overflowing shapes,
// overlapping or out-of-file offsets, duplicate names, wrong magic or version, oversized manifests.
// Every case must be a typed mlpipe::format_error: never a crash, an abort or another exception.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <mlpipe/artifact.hpp>

#include "artifact_test_support.hpp"

using Catch::Matchers::Contains;
using mlpipe::test::assemble;
using mlpipe::test::manifest_with;

namespace {

/// Decodes `bytes` both ways and returns the format_error message (empty when it decoded).
std::string decode_error(std::span<const std::byte> bytes) {
    std::string copy_message;
    std::string view_message;
    try {
        (void)mlpipe::decode_artifact(bytes);
    } catch (const mlpipe::format_error& e) {
        copy_message = e.what();
    }
    try {
        (void)mlpipe::decode_artifact_view(bytes);
    } catch (const mlpipe::format_error& e) {
        view_message = e.what();
    }
    CHECK(copy_message == view_message);
    return copy_message;
}

std::vector<std::byte> small_artifact() {
    mlpipe::artifact a;
    a.manifest().kind = "small";
    a.manifest().labels = mlpipe::label_map::from_integers({0, 1});
    a.add_tensor("w", Eigen::Vector3d(1.5, -2.5, 0.0));
    a.add_tensor<std::int32_t>("n", std::vector<std::int32_t>{7, 8}, {2});
    return mlpipe::encode_artifact(a);
}

std::string entry(const std::string& name, const std::string& dtype, const std::string& shape,
                  const std::string& offset, const std::string& length) {
    return R"({"name":")" + name + R"(","dtype":")" + dtype + R"(","shape":)" + shape +
           R"(,"offset":)" + offset + R"(,"length":)" + length + "}";
}

struct crafted {
    const char* what;
    std::string manifest;
    std::size_t data_bytes;
    const char* message;  ///< a part of the expected message
};

}  // namespace

TEST_CASE("malformed corpus: truncation at every byte of a small artifact",
          "[artifact][malformed]") {
    const auto bytes = small_artifact();
    REQUIRE(decode_error(bytes).empty());
    std::size_t cases = 0;
    for (std::size_t n = 0; n < bytes.size(); ++n) {
        const std::span<const std::byte> prefix(bytes.data(), n);
        INFO("truncated to " << n << " bytes");
        CHECK_FALSE(decode_error(prefix).empty());
        ++cases;
    }
    CHECK(cases == bytes.size());
    // Trailing bytes move the checksum: refused too.
    auto longer = bytes;
    longer.push_back(std::byte{0});
    CHECK_THAT(decode_error(longer), Contains("checksum mismatch"));
}

TEST_CASE("malformed corpus: every single flipped bit is detected", "[artifact][malformed]") {
    const auto bytes = small_artifact();
    for (std::size_t bit = 0; bit < bytes.size() * 8; ++bit) {
        auto flipped = bytes;
        flipped[bit / 8] ^= std::byte{static_cast<unsigned char>(1u << (bit % 8))};
        INFO("bit " << bit);
        CHECK_FALSE(decode_error(flipped).empty());
    }
}

TEST_CASE("malformed corpus: flipped manifest bits behind a valid checksum decode or fail typed",
          "[artifact][malformed]") {
    const auto bytes = small_artifact();
    const auto info = mlpipe::verify_artifact(bytes);
    std::size_t refused = 0;
    for (std::size_t bit = 8 * 8; bit < 8 * (24 + info.manifest_length); ++bit) {
        auto flipped = bytes;
        flipped[bit / 8] ^= std::byte{static_cast<unsigned char>(1u << (bit % 8))};
        mlpipe::test::rechecksum(flipped);
        if (!decode_error(flipped).empty()) ++refused;  // anything but format_error fails the test
    }
    CHECK(refused > 0);
}

TEST_CASE("malformed corpus: wrong magic, version or flags", "[artifact][malformed]") {
    const auto bytes = small_artifact();
    for (std::size_t i = 0; i < 8; ++i) {
        auto bad = bytes;
        bad[i] ^= std::byte{0x20};
        CHECK_THAT(decode_error(bad), Contains("not an mlpipe artifact"));
    }
    CHECK_THAT(decode_error(mlpipe::test::bytes_of("PK\x03\x04 a zip file, not an artifact")),
               Contains("not an mlpipe artifact"));
    CHECK_THAT(decode_error(assemble(manifest_with("[]"), 0, 2)),
               Contains("format version 2 is not one"));
    CHECK_THAT(decode_error(assemble(manifest_with("[]"), 0, 0)),
               Contains("format version 0 is not one"));
    CHECK_THAT(decode_error(assemble(manifest_with("[]"), 0, 0xFFFFFFFF)),
               Contains("is not one this library reads"));
    CHECK_THAT(decode_error(assemble(manifest_with("[]"), 0, 1, 2)), Contains("unknown flags"));
    // The signed flag without a signature block: the last 40 bytes are then taken as the block.
    CHECK_FALSE(decode_error(assemble(manifest_with("[]"), 0, 1, 1)).empty());
}

TEST_CASE("malformed corpus: lying manifest lengths", "[artifact][malformed]") {
    auto bytes = small_artifact();
    for (const std::uint64_t length :
         {std::uint64_t{16777217}, std::uint64_t{0xFFFFFFFFFFFFFFFF},
          std::uint64_t{0xFFFFFFFFFFFFFFE8}, std::uint64_t{bytes.size()}}) {
        auto bad = bytes;
        mlpipe::detail::store_le(bad.data() + 16, length);
        mlpipe::test::rechecksum(bad);
        INFO("manifest length " << length);
        CHECK_FALSE(decode_error(bad).empty());
    }
    auto zero = bytes;
    mlpipe::detail::store_le(zero.data() + 16, std::uint64_t{0});
    mlpipe::test::rechecksum(zero);
    CHECK_THAT(decode_error(zero), Contains("not valid JSON"));
}

TEST_CASE("malformed corpus: hand-made manifests and tensor tables", "[artifact][malformed]") {
    const std::string ok8 = entry("a", "f64", "[1]", "0", "8");
    const std::vector<crafted> cases = {
        {"not JSON", "this is not json", 0, "not valid JSON"},
        {"invalid UTF-8", "{\"kind\":\"\xff\"}", 0, "not valid JSON"},
        {"truncated JSON", R"({"kind":"test")", 0, "not valid JSON"},
        {"an array", "[]", 0, "not a JSON object"},
        {"no kind", R"({"scalar_type":"f64","library_version":"0","tensors":[]})", 0,
         "\"kind\" is missing"},
        {"kind not a string",
         R"({"kind":1,"scalar_type":"f64","library_version":"0","tensors":[]})", 0, "not a string"},
        {"kind with a space",
         R"({"kind":"my model","scalar_type":"f64","library_version":"0","tensors":[]})", 0,
         "character"},
        {"bad scalar type",
         R"({"kind":"k","scalar_type":"i32","library_version":"0","tensors":[]})", 0,
         "scalar type"},
        {"no library version", R"({"kind":"k","scalar_type":"f32","tensors":[]})", 0,
         "library_version"},
        {"no tensor table", R"({"kind":"k","scalar_type":"f32","library_version":"0"})", 0,
         "\"tensors\" is missing"},
        {"tensor table not an array", manifest_with("{}"), 0, "not an array"},
        {"entry not an object", manifest_with("[1]"), 0, "not an object"},
        {"hyperparameters not an object",
         R"({"kind":"k","scalar_type":"f64","library_version":"0","tensors":[],"hyperparameters":[]})",
         0, "hyperparameters"},
        {"bad label map",
         R"({"kind":"k","scalar_type":"f64","library_version":"0","tensors":[],"label_map":{"kind":"integer","classes":[2,1]}})",
         0, "sorted"},
        {"feature names miscounted",
         R"({"kind":"k","scalar_type":"f64","library_version":"0","tensors":[],"features":{"count":3,"names":["a"]}})",
         0, "1 names for 3 features"},
        {"duplicate feature names",
         R"({"kind":"k","scalar_type":"f64","library_version":"0","tensors":[],"features":{"count":2,"names":["a","a"]}})",
         0, "appears twice"},
        {"negative row count",
         R"({"kind":"k","scalar_type":"f64","library_version":"0","tensors":[],"lineage":{"row_count":-1}})",
         0, "row_count"},
        {"missing name", manifest_with(R"([{"dtype":"u8","shape":[0],"offset":0,"length":0}])"), 0,
         "\"tensors[0].name\" is missing"},
        {"empty name", manifest_with("[" + entry("", "u8", "[0]", "0", "0") + "]"), 0, "is empty"},
        {"duplicate names",
         manifest_with("[" + ok8 + "," + entry("a", "f64", "[1]", "64", "8") + "]"), 72,
         "two tensors are named \"a\""},
        {"unknown dtype", manifest_with("[" + entry("a", "f16", "[1]", "0", "2") + "]"), 2,
         "unknown dtype"},
        {"shape not an array", manifest_with("[" + entry("a", "f64", "1", "0", "8") + "]"), 8,
         "not an array"},
        {"negative extent", manifest_with("[" + entry("a", "f64", "[-1]", "0", "8") + "]"), 8,
         "extent"},
        {"fractional extent", manifest_with("[" + entry("a", "f64", "[1.5]", "0", "8") + "]"), 8,
         "extent"},
        {"extent past 2^64",
         manifest_with("[" + entry("a", "f64", "[18446744073709551616]", "0", "8") + "]"), 8,
         "extent"},
        {"shape product overflows",
         manifest_with("[" + entry("a", "f64", "[4294967296,4294967296,2]", "0", "0") + "]"), 0,
         "overflows 64 bits"},
        {"zero times a huge extent",
         manifest_with("[" + entry("a", "f64", "[0,4294967297]", "0", "0") + "]"), 0,
         "extent 4294967297 is more than the limit"},
        {"too many elements",
         manifest_with("[" + entry("a", "u8", "[65536,65537]", "0", "4295032832") + "]"), 0,
         "more than the limit"},
        {"length disagrees with a huge shape",
         manifest_with("[" + entry("a", "f64", "[4294967296]", "0", "0") + "]"), 0,
         "is not (product of the shape)"},
        {"length too short", manifest_with("[" + entry("a", "f64", "[2]", "0", "8") + "]"), 16,
         "is not (product of the shape)"},
        {"length too long", manifest_with("[" + entry("a", "f64", "[1]", "0", "16") + "]"), 16,
         "is not (product of the shape)"},
        {"negative offset", manifest_with("[" + entry("a", "f64", "[1]", "-64", "8") + "]"), 8,
         "offset"},
        {"misaligned offset", manifest_with("[" + entry("a", "f64", "[1]", "8", "8") + "]"), 16,
         "not a multiple of 64"},
        {"offset past the end", manifest_with("[" + entry("a", "f64", "[1]", "64", "8") + "]"), 8,
         "outside the 8-byte data section"},
        {"end past the end", manifest_with("[" + entry("a", "f64", "[2]", "0", "16") + "]"), 8,
         "outside the 8-byte data section"},
        {"offset + length overflows",
         manifest_with("[" + entry("a", "f64", "[1]", "18446744073709551552", "8") + "]"), 8,
         "outside"},
        {"empty tensor past the end",
         manifest_with("[" + entry("a", "u8", "[0]", "128", "0") + "]"), 8, "outside"},
        {"same bytes twice",
         manifest_with("[" + ok8 + "," + entry("b", "f64", "[1]", "0", "8") + "]"), 8, "overlap"},
        {"partial overlap",
         manifest_with("[" + entry("a", "f64", "[10]", "0", "80") + "," +
                       entry("b", "f64", "[1]", "64", "8") + "]"),
         80, "overlap"},
        {"overlap in reverse order",
         manifest_with("[" + entry("b", "f64", "[1]", "64", "8") + "," +
                       entry("a", "f64", "[10]", "0", "80") + "]"),
         80, "overlap"},
        {"deep nesting", std::string(100, '['), 0, "deeper than the limit"},
    };
    for (const auto& c : cases) {
        INFO(c.what);
        const auto message = decode_error(assemble(c.manifest, c.data_bytes));
        CHECK_FALSE(message.empty());
        CHECK_THAT(message, Contains(c.message));
    }
    // Control: the valid neighbours of these cases decode.
    CHECK(decode_error(
              assemble(manifest_with("[" + ok8 + "," + entry("b", "f64", "[1]", "64", "8") + "]"),
                       72))
              .empty());
    CHECK(decode_error(assemble(manifest_with("[" + entry("a", "u8", "[0]", "0", "0") + "," +
                                              entry("b", "u8", "[0]", "0", "0") + "]")))
              .empty());
    CHECK(cases.size() >= 40);
}

TEST_CASE("malformed corpus: the signature block of a signed-flag artifact is checked",
          "[artifact][malformed]") {
    const auto text = manifest_with("[]");
    auto bytes = assemble(text, 0, 1, 1);  // flag set; the block is the 40 bytes before the end
    bytes.resize(bytes.size() + 40);
    mlpipe::detail::store_le(bytes.data() + bytes.size() - 40, std::uint32_t{7});
    mlpipe::detail::store_le(bytes.data() + bytes.size() - 36, std::uint32_t{32});
    mlpipe::test::rechecksum(bytes, 48);
    CHECK_THAT(decode_error(bytes), Contains("names algorithm 7"));
    mlpipe::detail::store_le(bytes.data() + bytes.size() - 40, std::uint32_t{1});
    mlpipe::test::rechecksum(bytes, 48);
    CHECK(decode_error(bytes).empty());  // a reader without the key skips a well-formed block
}
