// SPDX-License-Identifier: Apache-2.0
// The data_source conformance suite: every backend (memory, CSV, SQLite, PostgreSQL later) must
// pass it.
//
// Before including this header, define the type list `mlpipe_data_source_fixtures`, a std::tuple of
// fixture types. A fixture is default-constructible; `source()` returns a reference to a source
// satisfying mlpipe::data_source that serves the data sets below over the same six rows
//   id | f1  | f2   | label
//    1 | 1.0 | 10.0 | a
//    2 | 2.0 | 20.0 | b
//    3 | 3.0 | 30.0 | a
//    4 | 4.0 | 40.0 | b
//    5 | 5.0 | 50.0 | a
//    6 | 6.5 | 60.5 | b
// - "all":        label "label", watermark "id", features: every other column (f1, f2)
// - "only_f2":    label "label", watermark "id", features {"f2"}
// - "unlabelled": no label, no watermark, features {"f1", "f2"}
// and `append_row()` adds the row (7, 7.0, 70.0, "c") to the underlying data.
#pragma once

#include <cstdint>
#include <string>
#include <variant>

#include <catch2/catch.hpp>

// A statement run first in every test, e.g. to skip when a backend's server is not running.
#ifndef MLPIPE_CONFORMANCE_PRECONDITION
#define MLPIPE_CONFORMANCE_PRECONDITION static_cast<void>(0)
#endif

#include <mlpipe/error.hpp>
#include <mlpipe/storage/data_source.hpp>

TEMPLATE_LIST_TEST_CASE("fetch returns a data set's rows, labels, names and watermark",
                        "[storage][data_source][conformance]", mlpipe_data_source_fixtures) {
    MLPIPE_CONFORMANCE_PRECONDITION;
    TestType fixture;
    auto& source = fixture.source();
    STATIC_REQUIRE(mlpipe::data_source<std::remove_reference_t<decltype(source)>>);
    const auto result = source.fetch(mlpipe::fetch_request{"all"});
    const auto& data = result.data;
    REQUIRE(data.n_samples() == 6);
    REQUIRE(data.n_features() == 2);
    CHECK(data.feature_names() == std::vector<std::string>{"f1", "f2"});
    CHECK(data.features()(0, 0) == 1.0);
    CHECK(data.features()(5, 0) == 6.5);
    CHECK(data.features()(5, 1) == 60.5);
    REQUIRE(data.labelled());
    REQUIRE(data.n_classes() == 2);
    CHECK(data.classes().name(static_cast<std::size_t>(data.targets()[0])) == "a");
    CHECK(data.classes().name(static_cast<std::size_t>(data.targets()[1])) == "b");
    CHECK(data.class_counts() == std::vector<std::size_t>{3, 3});
    REQUIRE(std::holds_alternative<std::int64_t>(result.high_watermark));
    CHECK(std::get<std::int64_t>(result.high_watermark) == 6);
}

TEMPLATE_LIST_TEST_CASE("feature columns are taken in the definition's order",
                        "[storage][data_source][conformance]", mlpipe_data_source_fixtures) {
    MLPIPE_CONFORMANCE_PRECONDITION;
    TestType fixture;
    auto& source = fixture.source();
    const auto only = source.fetch(mlpipe::fetch_request{"only_f2"}).data;
    REQUIRE(only.n_features() == 1);
    CHECK(only.feature_names() == std::vector<std::string>{"f2"});
    CHECK(only.features()(2, 0) == 30.0);
    const auto unlabelled = source.fetch(mlpipe::fetch_request{"unlabelled"});
    CHECK_FALSE(unlabelled.data.labelled());
    CHECK(unlabelled.data.n_features() == 2);
    CHECK(std::holds_alternative<std::monostate>(unlabelled.high_watermark));
}

TEMPLATE_LIST_TEST_CASE("watermark and count_since follow new rows",
                        "[storage][data_source][conformance]", mlpipe_data_source_fixtures) {
    MLPIPE_CONFORMANCE_PRECONDITION;
    TestType fixture;
    auto& source = fixture.source();
    const mlpipe::fetch_request all{"all"};
    CHECK(std::get<std::int64_t>(source.watermark(all)) == 6);
    CHECK(source.count_since(all, mlpipe::watermark{}) == 6);
    CHECK(source.count_since(all, mlpipe::watermark{std::int64_t{4}}) == 2);
    CHECK(source.count_since(all, mlpipe::watermark{std::int64_t{6}}) == 0);
    fixture.append_row();
    CHECK(std::get<std::int64_t>(source.watermark(all)) == 7);
    CHECK(source.count_since(all, mlpipe::watermark{std::int64_t{6}}) == 1);
    CHECK(source.fetch(all).data.n_classes() == 3);
    CHECK_THROWS_AS(source.watermark(mlpipe::fetch_request{"unlabelled"}),
                    mlpipe::invalid_input_error);
}

TEMPLATE_LIST_TEST_CASE("unknown data sets and unexpected parameters are refused",
                        "[storage][data_source][conformance]", mlpipe_data_source_fixtures) {
    MLPIPE_CONFORMANCE_PRECONDITION;
    TestType fixture;
    auto& source = fixture.source();
    CHECK_THROWS_AS(source.fetch(mlpipe::fetch_request{"nope"}), mlpipe::invalid_input_error);
    mlpipe::fetch_request extra{"all"};
    extra.parameters["since"] = std::int64_t{3};
    CHECK_THROWS_AS(source.fetch(extra), mlpipe::invalid_input_error);
}
