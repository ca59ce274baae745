// SPDX-License-Identifier: Apache-2.0
// Helpers of the jobs tests: real data in a memory data source, requests to train it.
#pragma once

#include <string>

#include <mlpipe/data/csv.hpp>
#include <mlpipe/jobs/training_request.hpp>
#include <mlpipe/storage/memory_data_source.hpp>

#include "test_support.hpp"

namespace mlpipe::test {

/// A data set from tests/data/sets ("iris.csv", ...), labelled by its "label" column.
inline dataset<double> real_data(const std::string& file) {
    csv_options options;
    options.label_column = "label";
    return read_csv<double>(data_path(file), options);
}

/// A request to train `estimator` on data set "iris" for model "iris".
inline training_request iris_request(const std::string& id,
                                     const std::string& estimator = "logistic_regression") {
    training_request r;
    r.request_id = id;
    r.model = "iris";
    r.estimator = estimator;
    r.preprocessing = {step_spec{"standard_scaler", nlohmann::json::object()}};
    r.dataset.name = "iris";
    r.seed = 7;
    return r;
}

}  // namespace mlpipe::test
