// SPDX-License-Identifier: Apache-2.0
/// @file data.hpp Everything in data/: datasets, label maps, CSV and binary I/O, splits, synthetic
/// data.
#pragma once

#include "data/binary_matrix.hpp"
#include "data/csv.hpp"
#include "data/dataset.hpp"
#include "data/label_map.hpp"
#include "data/split.hpp"
#include "data/synthetic.hpp"
