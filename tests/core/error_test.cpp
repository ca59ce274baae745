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

TEST_CASE("every error says its kind, by its most derived class", "[core][error]") {
    const auto kind_of = [](const mlpipe::error& e) { return e.kind(); };
    using mlpipe::error_kind;
    CHECK(kind_of(mlpipe::error("p", "r")) == error_kind::error);
    CHECK(kind_of(mlpipe::invalid_input_error("p", "r", "C")) == error_kind::invalid_input);
    CHECK(kind_of(mlpipe::not_found_error("p", "r", "model")) == error_kind::not_found);
    CHECK(kind_of(mlpipe::payload_too_large_error("p", "r")) == error_kind::payload_too_large);
    CHECK(kind_of(mlpipe::not_fitted_error("p", "r")) == error_kind::not_fitted);
    CHECK(kind_of(mlpipe::format_error("p", "r", {"f.csv", 2, 3})) == error_kind::format);
    CHECK(kind_of(mlpipe::storage_error("p", "r", "file", 28)) == error_kind::storage);
    CHECK(kind_of(mlpipe::queue_error("p", "r", "sqlite", 5)) == error_kind::queue);
    CHECK(kind_of(mlpipe::model_unavailable_error("p", "r", "serving")) ==
          error_kind::model_unavailable);
    CHECK(kind_of(mlpipe::configuration_error("p", "r", "store")) == error_kind::configuration);
    CHECK(kind_of(mlpipe::training_cancelled("p")) == error_kind::cancelled);
    CHECK(mlpipe::to_string(error_kind::queue) == "queue");
    CHECK(mlpipe::to_string(error_kind::not_found) == "not_found");
    // The subclasses are still caught as their parents.
    CHECK_THROWS_AS(throw mlpipe::not_found_error("p", "r"), mlpipe::invalid_input_error);
    CHECK_THROWS_AS(throw mlpipe::model_unavailable_error("p", "r", "s3"), mlpipe::storage_error);
}

TEST_CASE("context() is the place that what() begins with", "[core][error]") {
    CHECK(mlpipe::format_error("p", "r", {"f.csv", 2, 3}).context() == "f.csv:2:3");
    CHECK(mlpipe::storage_error("p", "r", "s3").context() == "s3");
    CHECK(mlpipe::invalid_input_error("p", "r", "C").context() == "C");
    CHECK(mlpipe::configuration_error("p", "r", "store").context() == "store");
    CHECK(mlpipe::error("p", "r").context().empty());
    CHECK_THAT(std::string(mlpipe::storage_error("disk full", "free space", "file").what()),
               StartsWith("file: disk full"));
}
