// SPDX-License-Identifier: Apache-2.0
/// @file separate_compilation/model.ipp A part of mlpipe's compiled library that holds model
/// families (of artifact/kinds.hpp's MLPIPE_FOR_EACH_MODEL_KIND), for separate-compilation mode
/// (docs/separate-compilation.md): the class templates for double and float, their artifact round
/// trips, their loading by load_any and their training by the trainer. Include it, then write
/// MLPIPE_INSTANTIATE_MODEL(family) in namespace mlpipe for each family of the part (CMake spreads
/// the families over three parts that build in parallel), or define MLPIPE_COMPILED_MODEL to one
/// family's name before including it.
#if !defined(MLPIPE_SEPARATE_COMPILATION)
#error \
    "separate_compilation/model.ipp is part of mlpipe's compiled library: define MLPIPE_SEPARATE_COMPILATION"
#endif

#include "../artifact/any_model.hpp"
#include "../artifact/model_io.hpp"
#include "../jobs/trainer.hpp"
#include "../models.hpp"

/// The definitions of a family's part, after the declarations that the headers made.
#define MLPIPE_INSTANTIATE_MODEL(Family) \
    template class Family<double>;       \
    template class Family<float>;        \
    MLPIPE_ROUND_TRIPS_OF(, Family)      \
    MLPIPE_TRY_LOAD_OF(, Family)         \
    MLPIPE_FIT_CANDIDATE_OF(, Family)

#if defined(MLPIPE_COMPILED_MODEL)
namespace mlpipe {
MLPIPE_INSTANTIATE_MODEL(MLPIPE_COMPILED_MODEL)
}  // namespace mlpipe
#endif
