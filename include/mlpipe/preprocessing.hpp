// SPDX-License-Identifier: Apache-2.0
/// @file preprocessing.hpp Everything in preprocessing/: scalers, imputer, one-hot encoder,
/// any_transformer, pipeline.
#pragma once

#include "preprocessing/any_transformer.hpp"
#include "preprocessing/min_max_scaler.hpp"
#include "preprocessing/one_hot_encoder.hpp"
#include "preprocessing/pipeline.hpp"
#include "preprocessing/simple_imputer.hpp"
#include "preprocessing/standard_scaler.hpp"
#include "preprocessing/transformer.hpp"
