// SPDX-License-Identifier: Apache-2.0
/// @file optim.hpp Everything in optim/: the optimizers models are fitted with.
#pragma once

#include "optim/lbfgs.hpp"
