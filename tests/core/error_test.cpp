// SPDX-License-Identifier: Apache-2.0
// Tests of error.hpp: the hierarchy, and messages that carry problem, remedy and place.
#include <string>

#include <catch2/catch.hpp>

#include <mlpipe/error.hpp>

using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;

TEST_CASE("every typed error is an mlpipe::error and a std::runtime_error", "[core][error]") {
    CHECK_THROWS_AS(throw mlpipe::invalid_input_error("p", "r", "C"), mlpipe::error);
    CHECK_THROWS_AS(throw mlpipe::not_fitted_error("p", "r"), mlpipe::error);
    CHECK_THROWS_AS(throw mlpipe::format_error("p", "r", {"f.csv", 2, 3}), mlpipe::error);
    CHECK_THROWS_AS(throw mlpipe::storage_error("p", "r", "file", 28), mlpipe::error);
    CHECK_THROWS_AS(throw mlpipe::queue_error("p", "r", "sqlite", 5), mlpipe::storage_error);
    CHECK_THROWS_AS(throw mlpipe::configuration_error("p", "r", "store"), mlpipe::error);
    CHECK_THROWS_AS(throw mlpipe::error("p", "r"), std::runtime_error);
}

TEST_CASE("an error message joins the problem and the remedy", "[core][error]") {
    const mlpipe::error e("the row has 4 fields", "fix the row");
    CHECK(std::string(e.what()) == "the row has 4 fields. fix the row");
    CHECK(e.problem() == "the row has 4 fields");
    CHECK(e.remedy() == "fix the row");
    const mlpipe::error ended("done.", "next");
    CHECK(std::string(ended.what()) == "done. next");
}

TEST_CASE("a format error names the file and the place", "[core][error]") {
    const mlpipe::format_error text("bad cell", "fix it", {"data/iris.csv", 12, 3});
    CHECK_THAT(text.what(), StartsWith("data/iris.csv:12:3: bad cell."));
    CHECK(text.where().line == 12);
    CHECK(text.where().column == 3);

    mlpipe::source_position binary{"m.bin", 0, 0, 16};
    const mlpipe::format_error bytes("truncated", "write it again", binary);
    CHECK_THAT(bytes.what(), StartsWith("m.bin at byte 16: truncated."));

    const mlpipe::format_error nowhere("empty", "fill it", {});
    CHECK_THAT(nowhere.what(), StartsWith("<input>: empty."));
}

TEST_CASE("a storage error keeps the backend and its native code", "[core][error]") {
    const mlpipe::storage_error e("disk full", "free space", "file", 28);
    CHECK(e.backend() == "file");
    CHECK(e.native_code() == 28);
    CHECK_THAT(e.what(), StartsWith("file: disk full."));
}

TEST_CASE("invalid input and configuration errors name their subject", "[core][error]") {
    const mlpipe::invalid_input_error e("must be positive", "use 100", "n_estimators");
    CHECK(e.subject() == "n_estimators");
    CHECK_THAT(e.what(), StartsWith("n_estimators: must be positive."));
    const mlpipe::configuration_error c("unknown scheme", "use file://", "model_store");
    CHECK(c.key() == "model_store");
    CHECK_THAT(c.what(), Contains("use file://"));
}
