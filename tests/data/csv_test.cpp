// SPDX-License-Identifier: Apache-2.0
// Tests of data/csv.hpp: well-formed input in its variants, and every kind of bad input getting a
// format_error that names the file, line and column.
#include <cmath>
#include <fstream>
#include <sstream>
#include <string>

#include <catch2/catch.hpp>

#include <mlpipe/data/csv.hpp>

#include "test_support.hpp"

using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;
using mlpipe::csv_options;
using mlpipe::parse_csv;

namespace {
/// Runs `fn`, expects a format_error, returns it.
template <class Fn>
mlpipe::format_error expect_format_error(Fn&& fn) {
    try {
        fn();
    } catch (const mlpipe::format_error& e) {
        return e;
    }
    FAIL("expected an mlpipe::format_error");
    throw std::logic_error("unreachable");
}
}  // namespace

TEST_CASE("a numeric CSV with string labels is read with sorted classes", "[data][csv]") {
    const auto data = parse_csv("a,b,label\n1,2,dog\n3.5,-4e2,cat\n5,6,dog\n");
    REQUIRE(data.n_samples() == 3);
    REQUIRE(data.n_features() == 2);
    CHECK(data.feature_names() == std::vector<std::string>{"a", "b"});
    CHECK(data.features()(1, 0) == 3.5);
    CHECK(data.features()(1, 1) == -400.0);
    REQUIRE(data.classes().kind() == mlpipe::label_kind::string);
    CHECK(data.classes().strings() == std::vector<std::string>{"cat", "dog"});
    CHECK(data.targets()[0] == 1);
    CHECK(data.targets()[1] == 0);
    CHECK(data.targets()[2] == 1);
}

TEST_CASE("integer labels are detected and kept as integers", "[data][csv]") {
    const auto data = parse_csv("label,x\n10,1\n-1,2\n+10,3\n");
    REQUIRE(data.classes().kind() == mlpipe::label_kind::integer);
    CHECK(data.classes().integers() == std::vector<std::int64_t>{-1, 10});
    CHECK(data.targets()[0] == 1);
    CHECK(data.targets()[1] == 0);
    CHECK(data.targets()[2] == 1);  // "+10" is the same class as "10"
    CHECK(data.feature_names() == std::vector<std::string>{"x"});
}

TEST_CASE("label_type::string keeps integer-looking labels as text", "[data][csv]") {
    csv_options options;
    options.labels = mlpipe::label_type::string;
    const auto data = parse_csv("x,label\n1,2\n2,10\n", options);
    REQUIRE(data.classes().kind() == mlpipe::label_kind::string);
    CHECK(data.classes().strings() == std::vector<std::string>{"10", "2"});
}

TEST_CASE("label_type::integer rejects a text label and names its line", "[data][csv]") {
    csv_options options;
    options.labels = mlpipe::label_type::integer;
    const auto e =
        expect_format_error([&] { (void)parse_csv("x,label\n1,2\n2,two\n", options, "f.csv"); });
    CHECK(e.where().line == 3);
    CHECK(e.where().column == 2);
    CHECK_THAT(e.what(), Contains("\"two\" is not an integer"));
}

TEST_CASE("quoted fields, escaped quotes, CRLF, spaces, BOM and blank lines are read",
          "[data][csv]") {
    const std::string text =
        "\xEF\xBB\xBF\"first col\",\"b\",label\r\n"
        "\r\n"
        " 1 ,\"2.5\",\"a, \"\"quoted\"\" label\"\r\n"
        "+3,4,\"multi\nline\"\r\n"
        "\n";
    const auto data = parse_csv(text);
    REQUIRE(data.n_samples() == 2);
    CHECK(data.feature_names() == std::vector<std::string>{"first col", "b"});
    CHECK(data.features()(0, 0) == 1.0);
    CHECK(data.features()(0, 1) == 2.5);
    CHECK(data.features()(1, 0) == 3.0);
    CHECK(data.classes().strings() ==
          std::vector<std::string>{"a, \"quoted\" label", "multi\nline"});
}

TEST_CASE("a file without a final newline is read completely", "[data][csv]") {
    const auto data = parse_csv("x,label\n1,a\n2,b");
    CHECK(data.n_samples() == 2);
    CHECK(data.features()(1, 0) == 2.0);
}

TEST_CASE("other delimiters work and the decimal separator is always a point", "[data][csv]") {
    csv_options options;
    options.delimiter = ';';
    const auto data = parse_csv("x;y;label\n1.5;2;a\n", options);
    CHECK(data.n_features() == 2);
    CHECK(data.features()(0, 0) == 1.5);
    CHECK_THROWS_AS(parse_csv("x;label\n1,5;a\n", options), mlpipe::format_error);
    options.delimiter = '\t';
    CHECK(parse_csv("x\tlabel\n7\ta\n", options).features()(0, 0) == 7.0);
}

TEST_CASE("unlabelled data and ignored columns", "[data][csv]") {
    csv_options options;
    options.label_column = "";
    options.ignore_columns = {"id"};
    const auto data = parse_csv("id,x,y\nabc,1,2\ndef,3,4\n", options);
    CHECK_FALSE(data.labelled());
    CHECK(data.feature_names() == std::vector<std::string>{"x", "y"});
    CHECK(data.features()(1, 1) == 4.0);
}

TEST_CASE("missing values are an error by default, naming the cell", "[data][csv]") {
    const auto e =
        expect_format_error([] { (void)parse_csv("a,b,label\n1,2,x\n3,,y\n", {}, "m.csv"); });
    CHECK(e.where().source == "m.csv");
    CHECK(e.where().line == 3);
    CHECK(e.where().column == 2);
    CHECK_THAT(e.what(), StartsWith("m.csv:3:2: column 2 (\"b\"): missing value (empty cell)"));
    CHECK_THAT(e.what(), Contains("missing_policy::nan"));
    const auto na = expect_format_error([] { (void)parse_csv("a,label\nNA,x\n"); });
    CHECK_THAT(na.what(), Contains("missing value \"NA\""));
}

TEST_CASE("missing values become NaN when asked", "[data][csv]") {
    csv_options options;
    options.missing = mlpipe::missing_policy::nan;
    const auto data = parse_csv("a,b,c,label\n,NA,nan,x\n?,\"\",1,y\n", options);
    CHECK(std::isnan(data.features()(0, 0)));
    CHECK(std::isnan(data.features()(0, 1)));
    CHECK(std::isnan(data.features()(0, 2)));
    CHECK(std::isnan(data.features()(1, 0)));
    CHECK(std::isnan(data.features()(1, 1)));
    CHECK(data.features()(1, 2) == 1.0);
}

TEST_CASE("a ragged row is an error naming its line", "[data][csv]") {
    const auto short_row =
        expect_format_error([] { (void)parse_csv("a,b,label\n1,2,x\n3,y\n", {}, "r.csv"); });
    CHECK(short_row.where().line == 3);
    CHECK_THAT(short_row.what(), Contains("row has 2 fields but the header has 3"));
    const auto long_row =
        expect_format_error([] { (void)parse_csv("a,b,label\n1,2,x,9,9\n", {}, "r.csv"); });
    CHECK(long_row.where().line == 2);
    CHECK_THAT(long_row.what(), Contains("row has 5 fields but the header has 3"));
}

TEST_CASE("a non-numeric cell is an error naming line, column and value", "[data][csv]") {
    const auto e =
        expect_format_error([] { (void)parse_csv("a,b,label\n1,2,x\n3,abc,y\n", {}, "n.csv"); });
    CHECK(e.where().line == 3);
    CHECK(e.where().column == 2);
    CHECK_THAT(e.what(), Contains("\"abc\" is not a number"));
    CHECK_THAT(e.what(), Contains("ignore_columns"));
    const auto partial = expect_format_error([] { (void)parse_csv("a,label\n1.5e,x\n"); });
    CHECK_THAT(partial.what(), Contains("\"1.5e\" is not a number"));
    const auto infinite = expect_format_error([] { (void)parse_csv("a,label\ninf,x\n"); });
    CHECK_THAT(infinite.what(), Contains("not finite"));
    const auto huge = expect_format_error([] { (void)parse_csv<float>("a,label\n1e300,x\n"); });
    CHECK_THAT(huge.what(), Contains("out of range for float"));
}

TEST_CASE("a missing label column is an error listing the columns", "[data][csv]") {
    const auto e = expect_format_error([] { (void)parse_csv("a,b,class\n1,2,x\n", {}, "l.csv"); });
    CHECK(e.where().line == 1);
    CHECK_THAT(e.what(), Contains("no label column \"label\""));
    CHECK_THAT(e.what(), Contains("\"a\", \"b\", \"class\""));
    csv_options options;
    options.ignore_columns = {"nope"};
    const auto ignored = expect_format_error([&] { (void)parse_csv("a,label\n1,x\n", options); });
    CHECK_THAT(ignored.what(), Contains("\"nope\""));
}

TEST_CASE("an empty file is an error", "[data][csv]") {
    const auto e = expect_format_error([] { (void)parse_csv("", {}, "empty.csv"); });
    CHECK_THAT(e.what(), StartsWith("empty.csv"));
    CHECK_THAT(e.what(), Contains("empty"));
    const auto blank = expect_format_error([] { (void)parse_csv("\n\n  \n", {}, "blank.csv"); });
    CHECK_THAT(blank.what(), Contains("no header line"));
}

TEST_CASE("a header alone gives an empty dataset", "[data][csv]") {
    const auto data = parse_csv("a,b,label\n");
    CHECK(data.n_samples() == 0);
    CHECK(data.n_features() == 2);
}

TEST_CASE("malformed quoting, duplicate names and empty labels are errors", "[data][csv]") {
    const auto open = expect_format_error([] { (void)parse_csv("a,label\n\"1,x\n2,y\n"); });
    CHECK(open.where().line == 2);
    CHECK_THAT(open.what(), Contains("never closed"));
    const auto after = expect_format_error([] { (void)parse_csv("a,label\n\"1\"2,x\n"); });
    CHECK_THAT(after.what(), Contains("after the closing quote"));
    const auto inner = expect_format_error([] { (void)parse_csv("a,label\n1,x\"y\n"); });
    CHECK_THAT(inner.what(), Contains("quote inside an unquoted field"));
    const auto dup = expect_format_error([] { (void)parse_csv("a,a,label\n1,2,x\n"); });
    CHECK(dup.where().column == 2);
    CHECK_THAT(dup.what(), Contains("appears twice"));
    const auto empty_label = expect_format_error([] { (void)parse_csv("a,label\n1,\n"); });
    CHECK_THAT(empty_label.what(), Contains("empty label"));
}

TEST_CASE("contradictory options are rejected", "[data][csv]") {
    csv_options options;
    options.delimiter = '"';
    CHECK_THROWS_AS(parse_csv("a\n", options), mlpipe::invalid_input_error);
    csv_options both;
    both.ignore_columns = {"label"};
    CHECK_THROWS_AS(parse_csv("a,label\n1,x\n", both), mlpipe::format_error);
}

TEST_CASE("write_csv and read_csv round-trip values exactly, NaN as empty cells", "[data][csv]") {
    mlpipe::feature_matrix<double> x(3, 2);
    x << 0.1, -1e-300, 1.0 / 3.0, std::nan(""), 12345678.9, 2.5e17;
    mlpipe::class_index_vector y(3);
    y << 0, 1, 0;
    const mlpipe::dataset<double> data(x, y, mlpipe::label_map::from_strings({"a b", "c,\"d\""}),
                                       {"one", "two, 2"});
    mlpipe::test::temp_dir dir;
    mlpipe::write_csv(dir / "out.csv", data);
    csv_options options;
    options.missing = mlpipe::missing_policy::nan;
    const auto back = mlpipe::read_csv(dir / "out.csv", options);
    REQUIRE(back.n_samples() == 3);
    CHECK(back.feature_names() == data.feature_names());
    CHECK(back.classes() == data.classes());
    CHECK(back.targets() == data.targets());
    for (Eigen::Index i = 0; i < 3; ++i) {
        for (Eigen::Index j = 0; j < 2; ++j) {
            if (std::isnan(x(i, j))) {
                CHECK(std::isnan(back.features()(i, j)));
            } else {
                CHECK(back.features()(i, j) == x(i, j));
            }
        }
    }
}

TEST_CASE("reading a file that does not exist is a storage error", "[data][csv]") {
    try {
        (void)mlpipe::read_csv("/nonexistent/dir/data.csv");
        FAIL("expected a storage_error");
    } catch (const mlpipe::storage_error& e) {
        CHECK(e.backend() == "file");
        CHECK(e.native_code() != 0);
        CHECK_THAT(e.what(), Contains("/nonexistent/dir/data.csv"));
    }
}

TEST_CASE("writing to an unwritable place is a storage error", "[data][csv]") {
    const mlpipe::dataset<double> data(mlpipe::feature_matrix<double>::Zero(1, 1));
    CHECK_THROWS_AS(mlpipe::write_csv("/nonexistent/dir/out.csv", data), mlpipe::storage_error);
#ifdef __linux__
    // /dev/full accepts the open and fails every write with ENOSPC: a full disk.
    if (std::ofstream("/dev/full")) {
        CHECK_THROWS_AS(mlpipe::write_csv("/dev/full", data), mlpipe::storage_error);
    }
#endif
}

TEST_CASE("float datasets parse with float precision", "[data][csv]") {
    const auto data = parse_csv<float>("x,label\n0.1,a\n");
    CHECK(data.features()(0, 0) == 0.1f);
}
