// SPDX-License-Identifier: Apache-2.0
/// @file registry.hpp Everything in registry/: the model registry on any blob_store.
#pragma once

#include "registry/model_registry.hpp"
