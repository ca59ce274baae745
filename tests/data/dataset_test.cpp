// SPDX-License-Identifier: Apache-2.0
// Tests of data/dataset.hpp and data/label_map.hpp: invariants, subsets, casts, JSON form.
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <mlpipe/data/dataset.hpp>

using mlpipe::class_index_vector;
using mlpipe::dataset;
using mlpipe::feature_matrix;
using mlpipe::label_map;

namespace {
dataset<double> small() {
    feature_matrix<double> x(4, 2);
    x << 1, 2, 3, 4, 5, 6, 7, 8;
    class_index_vector y(4);
    y << 0, 1, 1, 0;
    return {x, y, label_map::from_strings({"no", "yes"}), {"f", "g"}};
}
}  // namespace

TEST_CASE("a labelled dataset reports its shape, classes and counts", "[data][dataset]") {
    const auto data = small();
    CHECK(data.labelled());
    CHECK(data.n_samples() == 4);
    CHECK(data.n_features() == 2);
    CHECK(data.n_classes() == 2);
    CHECK(data.class_counts() == std::vector<std::size_t>{2, 2});
}

TEST_CASE("feature names default to x0, x1, ...", "[data][dataset]") {
    const dataset<float> data(feature_matrix<float>::Zero(2, 3));
    CHECK_FALSE(data.labelled());
    CHECK(data.feature_names() == std::vector<std::string>{"x0", "x1", "x2"});
}

TEST_CASE("inconsistent parts are rejected with the field named", "[data][dataset]") {
    feature_matrix<double> x = feature_matrix<double>::Zero(2, 2);
    class_index_vector y(3);
    y << 0, 0, 0;
    try {
        dataset<double> bad(x, y, label_map::from_integers({0}));
        FAIL("expected invalid_input_error");
    } catch (const mlpipe::invalid_input_error& e) {
        CHECK(e.subject() == "targets");
    }
    class_index_vector out_of_range(2);
    out_of_range << 0, 2;
    CHECK_THROWS_AS(dataset<double>(x, out_of_range, label_map::from_integers({0, 1})),
                    mlpipe::invalid_input_error);
    class_index_vector ok(2);
    ok << 0, 1;
    CHECK_THROWS_AS(dataset<double>(x, ok, label_map::from_integers({0, 1}), {"only_one"}),
                    mlpipe::invalid_input_error);
    CHECK_THROWS_AS(dataset<double>(x, ok, label_map::from_integers({0, 1}), {"same", "same"}),
                    mlpipe::invalid_input_error);
    CHECK_THROWS_AS(dataset<double>(x, ok, label_map{}), mlpipe::invalid_input_error);
}

TEST_CASE("subset picks rows in order and checks indices", "[data][dataset]") {
    const auto data = small();
    const std::vector<Eigen::Index> rows{3, 0, 3};
    const auto part = data.subset(rows);
    REQUIRE(part.n_samples() == 3);
    CHECK(part.features()(0, 0) == 7.0);
    CHECK(part.features()(1, 1) == 2.0);
    CHECK(part.targets()[0] == 0);
    CHECK(part.classes() == data.classes());
    CHECK(part.feature_names() == data.feature_names());
    const std::vector<Eigen::Index> bad{4};
    CHECK_THROWS_AS(data.subset(bad), mlpipe::invalid_input_error);
}

TEST_CASE("cast changes the scalar type and keeps everything else", "[data][dataset]") {
    const auto f = small().cast<float>();
    CHECK(f.features()(2, 1) == 6.0f);
    CHECK(f.targets() == small().targets());
}

TEST_CASE("label maps sort classes and find them", "[data][label_map]") {
    const auto ints = label_map::from_integers({5, -2, 5, 9});
    CHECK(ints.kind() == mlpipe::label_kind::integer);
    CHECK(ints.integers() == std::vector<std::int64_t>{-2, 5, 9});
    CHECK(ints.find(std::int64_t{9}) == 2);
    CHECK_FALSE(ints.find(std::int64_t{4}).has_value());
    CHECK_FALSE(ints.find(std::string_view("5")).has_value());
    CHECK(ints.index_of(5) == 1);
    CHECK_THROWS_AS(ints.index_of(7), mlpipe::invalid_input_error);
    CHECK(std::get<std::int64_t>(ints.label(0)) == -2);
    CHECK(ints.name(2) == "9");

    const auto strings = label_map::from_strings({"b", "a", "c", "a"});
    CHECK(strings.strings() == std::vector<std::string>{"a", "b", "c"});
    CHECK(strings.index_of(std::string("c")) == 2);
    CHECK(std::get<std::string>(strings.label(1)) == "b");
    CHECK(strings.describe() == "a, b, c");
}

TEST_CASE("label maps round-trip through JSON and reject malformed JSON", "[data][label_map]") {
    for (const auto& map :
         {label_map::from_integers({3, 1}), label_map::from_strings({"x", "y"}), label_map{}}) {
        CHECK(label_map::from_json(map.to_json()) == map);
    }
    using nlohmann::json;
    CHECK_THROWS_AS(label_map::from_json(json::parse(R"({"kind":"integer","classes":[2,1]})")),
                    mlpipe::invalid_input_error);
    CHECK_THROWS_AS(label_map::from_json(json::parse(R"({"kind":"string","classes":[1]})")),
                    mlpipe::invalid_input_error);
    CHECK_THROWS_AS(label_map::from_json(json::parse(R"({"kind":"float","classes":[]})")),
                    mlpipe::invalid_input_error);
    CHECK_THROWS_AS(label_map::from_json(json::parse(R"([1,2])")), mlpipe::invalid_input_error);
}
