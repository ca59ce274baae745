// SPDX-License-Identifier: Apache-2.0
// Helpers of the evaluation tests: the scikit-learn reference (tests/data/reference/
// sklearn_metrics.json, made by make_sklearn_metrics_reference.py) and conversions from JSON.
#pragma once

#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <mlpipe/data/dataset.hpp>
#include <mlpipe/error.hpp>

#include "test_support.hpp"

namespace mlpipe::test {

/// The parsed reference JSON (read once).
inline const nlohmann::json& sklearn_metrics() {
    static const nlohmann::json reference = [] {
        std::ifstream in(reference_path("sklearn_metrics.json"));
        REQUIRE(in);
        return nlohmann::json::parse(in);
    }();
    return reference;
}

inline class_index_vector indices_of(const nlohmann::json& values) {
    const auto v = values.get<std::vector<std::int32_t>>();
    class_index_vector out(static_cast<Eigen::Index>(v.size()));
    for (std::size_t i = 0; i < v.size(); ++i)
        out[static_cast<Eigen::Index>(i)] = v[i];
    return out;
}

inline Eigen::MatrixXd matrix_of(const nlohmann::json& rows) {
    const auto values = rows.get<std::vector<std::vector<double>>>();
    Eigen::MatrixXd m(static_cast<Eigen::Index>(values.size()),
                      static_cast<Eigen::Index>(values.at(0).size()));
    for (std::size_t r = 0; r < values.size(); ++r)
        for (std::size_t c = 0; c < values[r].size(); ++c)
            m(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(c)) = values[r][c];
    return m;
}

/// The subject of the invalid_input_error `action` throws; "<no error>" when it throws none.
inline std::string error_subject(const std::function<void()>& action) {
    try {
        action();
    } catch (const invalid_input_error& e) {
        return e.subject();
    }
    return "<no error>";
}

}  // namespace mlpipe::test
