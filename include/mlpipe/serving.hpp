// SPDX-License-Identifier: Apache-2.0
/// @file serving.hpp Everything in serving/: the predictor (cache, alias re-checks, request
/// validation), the request codec (events and responses as JSON) and the Lambda-shaped handler.
#pragma once

#include "serving/handler.hpp"
#include "serving/predictor.hpp"
#include "serving/request_codec.hpp"
#include "serving/serving_error.hpp"
