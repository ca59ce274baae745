// SPDX-License-Identifier: Apache-2.0
/// @file separate_compilation.ipp The compiled part of mlpipe, for separate-compilation mode
/// (docs/separate-compilation.md).
///
/// Compile this file once, in a translation unit of its own, with MLPIPE_SEPARATE_COMPILATION
/// defined, and define MLPIPE_SEPARATE_COMPILATION in every other translation unit of the program:
/// the CMake target mlpipe::compiled does both. It defines the core's non-template functions and
/// the explicit instantiations for double and float that the headers declare `extern`. The wings
/// (sqlite/, aws/) stay header-only.
#if !defined(MLPIPE_SEPARATE_COMPILATION)
#error "separate_compilation.ipp is mlpipe's compiled library: define MLPIPE_SEPARATE_COMPILATION"
#endif
#define MLPIPE_COMPILING_LIBRARY

#include "mlpipe.hpp"

namespace mlpipe {
// The artifact round trip of every model (model_io.hpp lists them).
MLPIPE_FOR_EACH_SAVED_MODEL(MLPIPE_INSTANTIATE_ROUND_TRIP)
}  // namespace mlpipe
