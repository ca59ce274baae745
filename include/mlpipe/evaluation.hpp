// SPDX-License-Identifier: Apache-2.0
/// @file evaluation.hpp Everything in evaluation/: metrics, the classification report, scorers,
/// stratified k-fold, cross-validation and grid search.
#pragma once

#include "evaluation/classification_report.hpp"
#include "evaluation/cross_validate.hpp"
#include "evaluation/grid_search.hpp"
#include "evaluation/metrics.hpp"
#include "evaluation/scorer.hpp"
#include "evaluation/stratified_k_fold.hpp"
