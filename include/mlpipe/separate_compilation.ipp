// SPDX-License-Identifier: Apache-2.0
/// @file separate_compilation.ipp mlpipe's compiled library in one translation unit, for
/// separate-compilation mode without CMake (docs/separate-compilation.md).
///
/// Compile this file once, in a translation unit of its own, with MLPIPE_SEPARATE_COMPILATION
/// defined, and define MLPIPE_SEPARATE_COMPILATION in every other translation unit of the program.
/// It holds every part of separate_compilation/: the core's non-template functions and each model
/// family. The CMake target mlpipe::compiled (and mlpipe_add_compiled_library) compiles the same
/// parts as several translation units, which build in parallel. The wings (sqlite/, aws/) stay
/// header-only.
#include "separate_compilation/functions.ipp"
#include "separate_compilation/model.ipp"

namespace mlpipe {
MLPIPE_FOR_EACH_MODEL_KIND(MLPIPE_INSTANTIATE_MODEL)
}  // namespace mlpipe
