// SPDX-License-Identifier: Apache-2.0
// Tests of the hard limits of format v1: each one at the limit (accepted) and one past it (a
// typed error), in the decoder and, where a writer could produce it, in the encoder.
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
const mlpipe::artifact_limits hard{};

/// A tensor table of `count` empty u8 tensors.
std::string empty_tensors(std::uint64_t count) {
    std::string table = "[";
    for (std::uint64_t i = 0; i < count; ++i) {
        if (i) table += ',';
        table += R"({"name":"t)" + std::to_string(i) +
                 R"(","dtype":"u8","shape":[0],"offset":0,"length":0})";
    }
    return table + "]";
}

std::string nested(std::uint64_t depth) {  // depth levels in total, the manifest object included
    std::string inner;
    for (std::uint64_t i = 1; i < depth; ++i)
        inner += '[';
    for (std::uint64_t i = 1; i < depth; ++i)
        inner += ']';
    return R"({"kind":"test","scalar_type":"f64","library_version":"0.1.0","tensors":[],"x":)" +
           (depth > 1 ? inner : std::string("0")) + "}";
}
}  // namespace

TEST_CASE("the documented hard limits", "[artifact][limits]") {
    CHECK(hard.max_manifest_bytes == 16 * 1024 * 1024);
    CHECK(hard.max_tensors == 16384);
    CHECK(hard.max_rank == 8);
    CHECK(hard.max_elements == std::uint64_t{1} << 32);
    CHECK(hard.max_json_depth == 64);
    CHECK(hard.max_name_bytes == 128);
    mlpipe::artifact_limits raised;
    raised.max_tensors = 1'000'000;
    CHECK(raised.clamped().max_tensors == 16384);  // limits can be lowered, never raised
}

TEST_CASE("manifest size: 16 MiB is read, one byte more is refused before parsing",
          "[artifact][limits]") {
    std::string text = manifest_with("[]");
    text.resize(static_cast<std::size_t>(hard.max_manifest_bytes),
                ' ');  // JSON allows trailing blanks
    CHECK(mlpipe::decode_artifact(assemble(text)).manifest().kind == "test");
    text += ' ';
    CHECK_THROWS_WITH(mlpipe::decode_artifact(assemble(text)),
                      Contains("above the limit of 16777216"));
    // The encoder refuses to write a manifest past the limit.
    mlpipe::artifact a;
    a.manifest().kind = "big";
    a.manifest().hyperparameters["blob"] =
        std::string(static_cast<std::size_t>(hard.max_manifest_bytes), 'x');
    CHECK_THROWS_AS(mlpipe::encode_artifact(a), mlpipe::invalid_input_error);
}

TEST_CASE("tensor count: 16384 tensors are read, 16385 are refused", "[artifact][limits]") {
    CHECK(mlpipe::decode_artifact(assemble(manifest_with(empty_tensors(16384)))).tensors().size() ==
          16384);
    CHECK_THROWS_WITH(mlpipe::decode_artifact(assemble(manifest_with(empty_tensors(16385)))),
                      Contains("16385 entries, more than the limit of 16384"));
    mlpipe::artifact a;
    a.manifest().kind = "many";
    for (int i = 0; i < 16384; ++i)
        a.add_tensor<std::uint8_t>("t" + std::to_string(i), {}, {0});
    CHECK_THROWS_AS(a.add_tensor<std::uint8_t>("one_more", {}, {0}), mlpipe::invalid_input_error);
    CHECK(mlpipe::decode_artifact(mlpipe::encode_artifact(a)).tensors().size() == 16384);
}

TEST_CASE("rank: 8 dimensions are read, 9 are refused", "[artifact][limits]") {
    const auto rank8 = manifest_with(
        R"([{"name":"r","dtype":"u8","shape":[1,1,1,1,1,1,1,2],"offset":0,"length":2}])");
    CHECK(mlpipe::decode_artifact(assemble(rank8, 2)).tensor("r").rank() == 8);
    const auto rank9 = manifest_with(
        R"([{"name":"r","dtype":"u8","shape":[1,1,1,1,1,1,1,1,2],"offset":0,"length":2}])");
    CHECK_THROWS_WITH(mlpipe::decode_artifact(assemble(rank9, 2)),
                      Contains("rank 9, more than the limit of 8"));
    const std::vector<std::uint8_t> two{1, 2};
    mlpipe::artifact a;
    CHECK_NOTHROW(a.add_tensor<std::uint8_t>("r8", two, {1, 1, 1, 1, 1, 1, 1, 2}));
    CHECK_THROWS_AS(a.add_tensor<std::uint8_t>("r9", two, {1, 1, 1, 1, 1, 1, 1, 1, 2}),
                    mlpipe::invalid_input_error);
}

TEST_CASE("element count: 2^32 elements pass the limit, 2^32 + 1 do not", "[artifact][limits]") {
    // At the limit the count is accepted and the tensor then fails for the bytes it lacks; one
    // past, the limit itself refuses it before any size is computed.
    const auto at = manifest_with(
        R"([{"name":"e","dtype":"u8","shape":[4294967296],"offset":0,"length":4294967296}])");
    CHECK_THROWS_WITH(mlpipe::decode_artifact(assemble(at)),
                      Contains("outside the 0-byte data section"));
    const auto past = manifest_with(
        R"([{"name":"e","dtype":"u8","shape":[4294967297],"offset":0,"length":4294967297}])");
    CHECK_THROWS_WITH(mlpipe::decode_artifact(assemble(past)),
                      Contains("more than the limit of 4294967296"));
    // A lowered limit, tested the same way with real bytes.
    mlpipe::decode_options options;
    options.limits.max_elements = 6;
    const auto six =
        manifest_with(R"([{"name":"e","dtype":"f64","shape":[2,3],"offset":0,"length":48}])");
    CHECK(mlpipe::decode_artifact(assemble(six, 48), options).tensor("e").element_count() == 6);
    const auto seven =
        manifest_with(R"([{"name":"e","dtype":"f64","shape":[7],"offset":0,"length":56}])");
    CHECK_THROWS_WITH(mlpipe::decode_artifact(assemble(seven, 56), options),
                      Contains("more than the limit of 6"));
}

TEST_CASE("JSON nesting: 64 levels are read, 65 are refused while parsing", "[artifact][limits]") {
    CHECK(mlpipe::decode_artifact(assemble(nested(64))).manifest().kind == "test");
    CHECK_THROWS_WITH(mlpipe::decode_artifact(assemble(nested(65))),
                      Contains("deeper than the limit of 64"));
    // A million brackets fail fast, without building a deep value.
    std::string deep(1'000'000, '[');
    CHECK_THROWS_AS(mlpipe::decode_artifact(assemble(deep)), mlpipe::format_error);
    // The encoder refuses what the decoder would.
    mlpipe::artifact a;
    a.manifest().kind = "deep";
    nlohmann::json value = 0;
    for (int i = 0; i < 62; ++i)
        value = nlohmann::json::array({value});
    a.manifest().hyperparameters["x"] = value;  // 63 levels with the object, 64 with the manifest
    CHECK(mlpipe::decode_artifact(mlpipe::encode_artifact(a)) == a);
    a.manifest().hyperparameters["x"] = nlohmann::json::array({value});
    CHECK_THROWS_AS(mlpipe::encode_artifact(a), mlpipe::invalid_input_error);
}

TEST_CASE("names: 128 bytes are read, 129 are refused", "[artifact][limits]") {
    const std::string n128(128, 'n');
    const auto ok = manifest_with(R"([{"name":")" + n128 +
                                  R"(","dtype":"u8","shape":[0],"offset":0,"length":0}])");
    CHECK(mlpipe::decode_artifact(assemble(ok)).tensors().front().name() == n128);
    const auto bad = manifest_with(R"([{"name":")" + n128 +
                                   R"(n","dtype":"u8","shape":[0],"offset":0,"length":0}])");
    CHECK_THROWS_WITH(mlpipe::decode_artifact(assemble(bad)),
                      Contains("more than the limit of 128"));
    mlpipe::artifact a;
    CHECK_NOTHROW(a.add_tensor<std::uint8_t>(n128, {}, {0}));
    CHECK_THROWS_AS(a.add_tensor<std::uint8_t>(n128 + "n", {}, {0}), mlpipe::invalid_input_error);
}

TEST_CASE("brackets inside strings do not count as nesting", "[artifact][limits]") {
    const std::string brackets(200, '[');
    const auto text =
        R"({"kind":"test","scalar_type":"f64","library_version":"0.1.0","tensors":[],)"
        R"("x":"\"[)" +
        brackets + R"(\\","y":{"z":"{{{{"}})";
    CHECK(mlpipe::decode_artifact(assemble(text)).manifest().kind == "test");
}

TEST_CASE("a manifest of a million small objects is parsed, not rescanned per object",
          "[artifact][limits]") {
    // nlohmann's callback parser would rescan the array at the end of every object: quadratic.
    std::string many;
    many.reserve(3'000'000);
    for (int i = 0; i < 1'000'000; ++i)
        many += i ? ",{}" : "{}";
    const auto text =
        R"({"kind":"test","scalar_type":"f64","library_version":"0.1.0","tensors":[],"x":[)" +
        many + "]}";
    CHECK(mlpipe::decode_artifact(assemble(text)).manifest().kind == "test");
}
