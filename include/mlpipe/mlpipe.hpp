// SPDX-License-Identifier: Apache-2.0
/// @file mlpipe.hpp The umbrella header of the mlpipe core (never includes a wing: sqlite/, aws/).
#pragma once

#include "config.hpp"
#include "error.hpp"
#include "log.hpp"
#include "version.hpp"

#include "data.hpp"
#include "storage.hpp"

#include "registry.hpp"
