// SPDX-License-Identifier: Apache-2.0
// A test helper: the data set with every feature centred and scaled to unit population variance,
// as the scikit-learn references in tests/data/reference/ were made.
#pragma once

#include <Eigen/Core>

#include <mlpipe/data/dataset.hpp>

namespace mlpipe::test {

/// (x - mean) / sd per feature, sd with ddof 0 (1 for a constant feature).
inline dataset<double> standardized(const dataset<double>& data) {
    feature_matrix<double> x = data.features();
    const Eigen::RowVectorXd mean = x.colwise().mean();
    x.rowwise() -= mean;
    Eigen::RowVectorXd sd =
        (x.array().square().colwise().sum() / static_cast<double>(x.rows())).sqrt();
    sd = (sd.array() > 0.0).select(sd, 1.0);  // constant features stay 0, as StandardScaler's
    x.array().rowwise() /= sd.array();
    return {x, data.targets(), data.classes(), data.feature_names()};
}

}  // namespace mlpipe::test
