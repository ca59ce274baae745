// SPDX-License-Identifier: Apache-2.0
/// @file models/fwd.hpp Declarations (not definitions) of every classifier template, for headers
/// that only name them: artifact/model_io.hpp writes each kind's tensors down for all of them,
/// while a translation unit still parses only the models it includes itself.
#pragma once

namespace mlpipe {

template <class Scalar>
class logistic_regression;
template <class Scalar>
class linear_svm;
template <class Scalar>
class gaussian_naive_bayes;
template <class Scalar>
class k_nearest_neighbors;
template <class Scalar>
class decision_tree;
template <class Scalar>
class random_forest;
template <class Scalar>
class mlp;

namespace detail {
template <class Scalar>
class flat_forest;
}  // namespace detail

}  // namespace mlpipe
