// SPDX-License-Identifier: Apache-2.0
/// @file mlpipe.hpp The umbrella header of the mlpipe core (never includes a wing: sqlite/, aws/).
#pragma once

// Floor 1
#include "config.hpp"
#include "error.hpp"
#include "fit.hpp"
#include "log.hpp"
#include "version.hpp"

// Floor 2
#include "data.hpp"
#include "storage.hpp"

// Floor 3
#include "evaluation.hpp"
#include "models.hpp"
#include "optim.hpp"
#include "preprocessing.hpp"

// Floor 4
#include "artifact.hpp"
#include "artifact/any_model.hpp"

// Floor 5
#include "jobs.hpp"
#include "registry.hpp"
#include "serving.hpp"
