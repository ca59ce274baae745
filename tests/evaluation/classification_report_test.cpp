// SPDX-License-Identifier: Apache-2.0
// Tests of evaluation/classification_report.hpp: the text is scikit-learn 1.2.1's, character for
// character (tests/data/reference/sklearn_metrics.json).
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <mlpipe/evaluation/classification_report.hpp>

#include "reference.hpp"

TEST_CASE("the classification report is scikit-learn's, character for character",
          "[evaluation][report][sklearn]") {
    for (const auto& c : mlpipe::test::sklearn_metrics()["metrics"]) {
        const auto y_true = mlpipe::test::indices_of(c["y_true"]);
        const auto y_pred = mlpipe::test::indices_of(c["y_pred"]);
        const auto weights = c["sample_weight"].get<std::vector<double>>();
        // String classes sort as the label map sorts them; the reference names are in index order
        // and already sorted.
        const auto names = c["class_names"].get<std::vector<std::string>>();
        const auto classes = mlpipe::label_map::from_strings(names);
        REQUIRE(classes.strings() == names);
        for (const bool weighted : {false, true}) {
            for (const int digits : {2, 4}) {
                INFO(c["name"].get<std::string>()
                     << (weighted ? ", weighted" : "") << ", digits " << digits);
                mlpipe::report_options options{.digits = digits};
                if (weighted) options.sample_weight = weights;
                const std::string expected = c[weighted ? "weighted" : "unweighted"]
                                              ["report_digits" + std::to_string(digits)];
                CHECK(mlpipe::classification_report(y_true, y_pred, classes, options) == expected);
            }
        }
    }
}

TEST_CASE("the classification report names integer classes and rejects bad digits",
          "[evaluation][report]") {
    const auto classes = mlpipe::label_map::from_integers({-1, 7});
    const mlpipe::class_index_vector y = (mlpipe::class_index_vector(3) << 0, 1, 1).finished();
    const std::string report = mlpipe::classification_report(y, y, classes);
    CHECK_THAT(report, Catch::Contains("          -1       1.00      1.00      1.00         1\n"));
    CHECK_THAT(report, Catch::Contains("    accuracy                           1.00         3\n"));
    CHECK(mlpipe::test::error_subject([&] {
              (void)mlpipe::classification_report(y, y, classes, {.digits = 16});
          }) == "digits");
    const mlpipe::class_index_vector three = (mlpipe::class_index_vector(3) << 0, 2, 1).finished();
    CHECK(mlpipe::test::error_subject(
              [&] { (void)mlpipe::classification_report(y, three, classes); }) == "y_pred");
}
