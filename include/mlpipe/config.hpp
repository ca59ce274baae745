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
