// SPDX-License-Identifier: Apache-2.0
/// @file preprocessing/fwd.hpp Declarations of the preprocessing steps and the pipeline, and
/// `any_transformer`, for headers that only name them (artifact/model_io.hpp).
#pragma once

#include <variant>

#include "../models/classifier.hpp"

namespace mlpipe {

template <class Scalar>
class standard_scaler;
template <class Scalar>
class min_max_scaler;
template <class Scalar>
class simple_imputer;
template <class Scalar>
class one_hot_encoder;

/// Any of mlpipe's preprocessing steps.
template <class Scalar>
using any_transformer = std::variant<standard_scaler<Scalar>, min_max_scaler<Scalar>,
                                     simple_imputer<Scalar>, one_hot_encoder<Scalar>>;

template <classifier Model>
class pipeline;

}  // namespace mlpipe
