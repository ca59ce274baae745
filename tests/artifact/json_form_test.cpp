// SPDX-License-Identifier: Apache-2.0
// Tests of artifact/json_form.hpp: the human form round-trips exactly and refuses bad input with
// typed errors.
#include <cstdint>
#include <limits>
#include <string>

#include <catch2/catch.hpp>

#include <mlpipe/artifact.hpp>

#include "artifact_test_support.hpp"

using Catch::Matchers::Contains;
using mlpipe::test::golden_all_dtypes;
using mlpipe::test::golden_logistic_regression;

TEST_CASE("the human form round-trips bit for bit, NaN payloads included", "[artifact][json]") {
    for (const auto& original : {golden_logistic_regression(), golden_all_dtypes()}) {
        const auto text = mlpipe::artifact_to_json(original).dump(2);
        const auto back = mlpipe::parse_artifact_json(text);
        CHECK(back == original);
        CHECK(mlpipe::encode_artifact(back) == mlpipe::encode_artifact(original));
    }
}

TEST_CASE("the human form is plain JSON with tensors as row-major arrays", "[artifact][json]") {
    const auto j = mlpipe::artifact_to_json(golden_all_dtypes());
    CHECK(j["format"] == "mlpipe-artifact");
    CHECK(j["format_version"] == 1);
    CHECK(j["manifest"]["kind"] == "golden.all_dtypes");
    const auto& specials = j["tensors"][0];
    CHECK(specials["name"] == "f32.specials");
    CHECK(specials["shape"] == nlohmann::json::array({2, 4}));
    CHECK(specials["data"][2] == "Infinity");
    CHECK(specials["data"][3] == "-Infinity");
    CHECK(specials["data"][4] == "NaN");
    CHECK(specials["data"][5] == "NaN:0x7fc00123");
    CHECK(j["tensors"][3]["data"][0] == std::numeric_limits<std::int32_t>::min());
    CHECK(j["tensors"][5]["data"][4] == 255);
}

TEST_CASE("an edited human form is read back", "[artifact][json]") {
    auto j = mlpipe::artifact_to_json(golden_logistic_regression());
    j["tensors"][1]["data"][0] = 2.5;
    j["manifest"]["metrics"]["accuracy"] = 0.5;
    j["an_unknown_field"] = "ignored";
    const auto edited = mlpipe::artifact_from_json(j);
    CHECK(edited.tensor("intercept").values<double>()[0] == 2.5);
    CHECK(edited.manifest().metrics["accuracy"] == 0.5);
}

TEST_CASE("a malformed human form is a format error", "[artifact][json]") {
    const auto base = mlpipe::artifact_to_json(golden_all_dtypes());
    const auto refuse = [](const nlohmann::json& j, const std::string& part) {
        CHECK_THROWS_AS(mlpipe::artifact_from_json(j), mlpipe::format_error);
        CHECK_THROWS_WITH(mlpipe::artifact_from_json(j), Contains(part));
    };
    auto j = base;
    j["format"] = "something else";
    refuse(j, "mlpipe-artifact");
    j = base;
    j["format_version"] = 2;
    refuse(j, "format version 2");
    j = base;
    j["tensors"][0]["data"][0] = "zero";
    refuse(j, "not a valid f32 value");
    j = base;
    j["tensors"][0]["data"][0] = 1e300;  // out of float range
    refuse(j, "not a valid f32 value");
    j = base;
    j["tensors"][0]["data"][0] = "NaN:0x3f800000";  // the bits of 1.0f, not a NaN
    refuse(j, "not a valid f32 value");
    j = base;
    j["tensors"][3]["data"][0] = -2147483649LL;  // below i32
    refuse(j, "not a valid i32 value");
    j = base;
    j["tensors"][5]["data"][0] = 256;
    refuse(j, "not a valid u8 value");
    j = base;
    j["tensors"][4]["data"][0] = 1.5;
    refuse(j, "not a valid i64 value");
    j = base;
    j["tensors"][0]["shape"] = {2, 5};
    refuse(j, "not an array of 10 elements");
    j = base;
    j["tensors"][1]["name"] = "f32.specials";
    refuse(j, "two tensors are named");
    j = base;
    j["tensors"][0]["shape"] = {1, 1, 1, 1, 1, 1, 1, 1, 8};
    refuse(j, "at most 8 extents");
    j = base;
    j["manifest"]["scalar_type"] = "u8";
    refuse(j, "scalar type");
    CHECK_THROWS_AS(mlpipe::parse_artifact_json("{\"format\":"), mlpipe::format_error);
    CHECK_THROWS_AS(mlpipe::parse_artifact_json(std::string(100000, '[')), mlpipe::format_error);
    CHECK_THROWS_AS(mlpipe::parse_artifact_json("[1,2,3]"), mlpipe::format_error);
}
