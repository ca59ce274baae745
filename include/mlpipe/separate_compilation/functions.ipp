// SPDX-License-Identifier: Apache-2.0
/// @file separate_compilation/functions.ipp The part of mlpipe's compiled library that defines the
/// core's non-template functions and the instantiations that are not a model family's
/// (dataset, splits, synthetic data), for separate-compilation mode
/// (docs/separate-compilation.md). Compile it once, in a translation unit of its own.
#if !defined(MLPIPE_SEPARATE_COMPILATION)
#error \
    "separate_compilation/functions.ipp is part of mlpipe's compiled library: define MLPIPE_SEPARATE_COMPILATION"
#endif
#define MLPIPE_COMPILING_LIBRARY

#include "../mlpipe.hpp"
