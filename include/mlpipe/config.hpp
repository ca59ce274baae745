// SPDX-License-Identifier: Apache-2.0
/// @file config.hpp Compiler and platform checks and the library's few macros.
#pragma once

#include <bit>
#include <cstdlib>

#if !defined(__cplusplus) || (__cplusplus < 202002L && !defined(_MSVC_LANG))
#error "mlpipe requires C++20: link the mlpipe::mlpipe target, or compile with -std=c++20"
#endif

static_assert(std::endian::native == std::endian::little || std::endian::native == std::endian::big,
              "mlpipe supports little- and big-endian platforms only (not mixed-endian)");

/// Branch hints for the hot loops of parsers.
#if defined(__GNUC__) || defined(__clang__)
#define MLPIPE_LIKELY(x) __builtin_expect(!!(x), 1)
#define MLPIPE_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define MLPIPE_LIKELY(x) (x)
#define MLPIPE_UNLIKELY(x) (x)
#endif

/// Asks the compiler to inline a function or lambda (after the lambda's parameter list), for the
/// few small helpers of hot loops that it would otherwise call.
#if defined(__GNUC__) || defined(__clang__)
#define MLPIPE_ALWAYS_INLINE __attribute__((always_inline))
#else
#define MLPIPE_ALWAYS_INLINE
#endif

/// Internal invariant check. It guards mlpipe's own logic, never user input (user input gets a
/// typed mlpipe::error). Active unless NDEBUG or MLPIPE_DISABLE_ASSERT is defined.
#if defined(NDEBUG) || defined(MLPIPE_DISABLE_ASSERT)
#define MLPIPE_ASSERT(cond) static_cast<void>(0)
#else
#include <cstdio>
#define MLPIPE_ASSERT(cond)                                                                \
    ((cond) ? static_cast<void>(0)                                                         \
            : (std::fprintf(stderr, "%s:%d: mlpipe internal check failed: %s\n", __FILE__, \
                            __LINE__, #cond),                                              \
               std::abort()))
#endif

/// Separate compilation (docs/separate-compilation.md). By default mlpipe is header-only: every
/// translation unit compiles the functions it uses. Define MLPIPE_SEPARATE_COMPILATION in every
/// translation unit and compile the parts of the library in include/mlpipe/separate_compilation/
/// once (the CMake target mlpipe::compiled does both), and the library's non-template functions
/// and its heavy templates for double and float (models, datasets, artifact round trips) are
/// compiled once, in that library, instead of in each translation unit that uses them. Both modes
/// give the same results.
///
/// A header declares its non-template functions with MLPIPE_DECL and defines them at its end, in a
/// section compiled when MLPIPE_DEFINE_FUNCTIONS is 1: always in header-only mode (MLPIPE_DECL is
/// `inline`), in separate mode only in the library's part that defines the functions
/// (separate_compilation/functions.ipp, which defines MLPIPE_COMPILING_LIBRARY). The explicit
/// instantiations listed at the end of a header begin with MLPIPE_EXTERN: `extern` (the library has
/// them) in a user's translation unit, nothing (the definitions) in that part of the library. A
/// model family's header ends with MLPIPE_EXTERN_MODEL(family) instead: each family is compiled in
/// a part of its own (separate_compilation/model.ipp), so that the parts build in parallel.
#if defined(MLPIPE_SEPARATE_COMPILATION)
#define MLPIPE_DECL
#if defined(MLPIPE_COMPILING_LIBRARY)
#define MLPIPE_EXTERN
#define MLPIPE_DEFINE_FUNCTIONS 1
#else
#define MLPIPE_EXTERN extern
#define MLPIPE_DEFINE_FUNCTIONS 0
#endif
/// The library holds `Family<double>` and `Family<float>` (declarations everywhere; the family's
/// part of the library follows them with the definitions, MLPIPE_INSTANTIATE_MODEL).
#define MLPIPE_EXTERN_MODEL(Family)       \
    extern template class Family<double>; \
    extern template class Family<float>
#else
#define MLPIPE_DECL inline
#define MLPIPE_DEFINE_FUNCTIONS 1
#define MLPIPE_EXTERN_MODEL(Family) static_assert(true)
#endif

/// A wing's start-up registration (`register_backends` in sqlite.hpp and aws.hpp), which every
/// program that includes the wing runs during static initialisation. It makes every backend of the
/// wing, so header-only it compiles the whole wing in each translation unit that includes it. In
/// separate mode it is declared with MLPIPE_WING_DECL and defined (MLPIPE_DEFINE_WING_FUNCTIONS)
/// only in the wing's part of the compiled library (separate_compilation/wing.ipp, which defines
/// MLPIPE_COMPILING_WING); mlpipe_add_compiled_library() adds that part for each wing whose target
/// exists when it is called, and defines MLPIPE_COMPILED_<WING> for the library's users.
#if defined(MLPIPE_SEPARATE_COMPILATION)
#define MLPIPE_WING_DECL
#if defined(MLPIPE_COMPILING_WING)
#define MLPIPE_DEFINE_WING_FUNCTIONS 1
#else
#define MLPIPE_DEFINE_WING_FUNCTIONS 0
#endif
#else
#define MLPIPE_WING_DECL inline
#define MLPIPE_DEFINE_WING_FUNCTIONS 1
#endif
