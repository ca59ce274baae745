// SPDX-License-Identifier: Apache-2.0
/// @file models.hpp Every classifier family in models/, and the classifier concept.
#pragma once

#include "models/classifier.hpp"
#include "models/hyperparameters.hpp"
#include "models/linear/linear_svm.hpp"
#include "models/linear/logistic_regression.hpp"
#include "models/naive_bayes/gaussian_naive_bayes.hpp"
#include "models/neighbors/k_nearest_neighbors.hpp"
#include "models/neural_network/mlp.hpp"
#include "models/tree/decision_tree.hpp"
#include "models/tree/random_forest.hpp"
