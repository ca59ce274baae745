// SPDX-License-Identifier: Apache-2.0
/// @file detail/block_products.hpp The two matrix-vector products a linear model's fit spends its
/// time in, over a block of rows: z = X_b w and g = r^T X_b. Portable code everywhere, and
/// AVX2 with FMA when the processor has them (checked once, at run time: the library itself is
/// built for the baseline x86-64 and runs on any such machine).
///
/// Each output value is summed in an order that depends only on d and the path taken (never on the
/// memory alignment, the block's place in the matrix or the thread), so a fit is the same whatever
/// the thread count. The two paths round differently (FMA rounds once per multiply-add): a model
/// fitted on a machine with AVX2 can differ from one fitted without it in the last bits, as with
/// any BLAS. Setting the environment variable MLPIPE_SIMD=portable before the first fit selects
/// the portable path on every machine.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdlib>
#include <cstring>

#include "dot.hpp"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <cpuid.h>
#include <immintrin.h>
#define MLPIPE_BLOCK_PRODUCTS_AVX2 1
#endif

namespace mlpipe::detail {

/// The instruction sets the products use.
enum class simd_path { portable, avx2_fma };

/// True when the processor and the operating system support AVX2 and FMA.
[[nodiscard]] inline bool avx2_fma_available() noexcept {
#ifdef MLPIPE_BLOCK_PRODUCTS_AVX2
    static const bool available = [] {
        unsigned a = 0, b = 0, c = 0, d = 0;
        if (__get_cpuid(1, &a, &b, &c, &d) == 0) return false;
        const bool fma = (c & (1u << 12)) != 0;
        const bool osxsave = (c & (1u << 27)) != 0;
        const bool avx = (c & (1u << 28)) != 0;
        if (!(fma && osxsave && avx)) return false;
        unsigned lo = 0, hi = 0;
        __asm__("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
        if ((lo & 6u) != 6u) return false;  // the OS saves the XMM and YMM registers
        if (__get_cpuid_count(7, 0, &a, &b, &c, &d) == 0) return false;
        return (b & (1u << 5)) != 0;  // AVX2
    }();
    return available;
#else
    return false;
#endif
}

/// The path fits take: AVX2 + FMA when available, unless MLPIPE_SIMD=portable (read once).
[[nodiscard]] inline simd_path block_products_path() noexcept {
    static const simd_path path = [] {
        const char* forced = std::getenv("MLPIPE_SIMD");
        if (forced != nullptr && std::strcmp(forced, "portable") == 0) return simd_path::portable;
        return avx2_fma_available() ? simd_path::avx2_fma : simd_path::portable;
    }();
    return path;
}

#ifdef MLPIPE_BLOCK_PRODUCTS_AVX2
/// Horizontal sum of four lanes, as (l0 + l2) + (l1 + l3).
__attribute__((target("avx2,fma"))) inline double sum_lanes(__m256d v) noexcept {
    const __m128d half = _mm_add_pd(_mm256_castpd256_pd128(v), _mm256_extractf128_pd(v, 1));
    return _mm_cvtsd_f64(_mm_add_sd(half, _mm_unpackhi_pd(half, half)));
}

/// A row's dot product from its two accumulators and the columns [d4, d) after them.
__attribute__((target("avx2,fma"))) inline double finish_dot(__m256d a, __m256d b,
                                                             const double* row, const double* w,
                                                             std::size_t d4,
                                                             std::size_t d) noexcept {
    double s = sum_lanes(_mm256_add_pd(a, b));
    for (std::size_t j = d4; j < d; ++j)
        s = std::fma(row[j], w[j], s);
    return s;
}

/// z[i] = x_i . w for `rows` rows x_i = x + i * stride of d values: two four-lane FMA
/// accumulators per row over 8 columns at a time, then the tail in order. Four rows at once
/// keep eight independent chains in flight.
__attribute__((target("avx2,fma"))) inline void rows_dot_avx2(const double* x, std::size_t stride,
                                                              std::size_t rows, std::size_t d,
                                                              const double* w, double* z) noexcept {
    const std::size_t d8 = d - d % 8;
    const std::size_t d4 = d - d % 4;
    std::size_t i = 0;
    for (; i + 4 <= rows; i += 4) {
        const double* r0 = x + i * stride;
        const double* r1 = r0 + stride;
        const double* r2 = r1 + stride;
        const double* r3 = r2 + stride;
        __m256d a0 = _mm256_setzero_pd(), b0 = a0, a1 = a0, b1 = a0, a2 = a0, b2 = a0, a3 = a0,
                b3 = a0;
        std::size_t j = 0;
        for (; j < d8; j += 8) {
            const __m256d wa = _mm256_loadu_pd(w + j);
            const __m256d wb = _mm256_loadu_pd(w + j + 4);
            a0 = _mm256_fmadd_pd(_mm256_loadu_pd(r0 + j), wa, a0);
            b0 = _mm256_fmadd_pd(_mm256_loadu_pd(r0 + j + 4), wb, b0);
            a1 = _mm256_fmadd_pd(_mm256_loadu_pd(r1 + j), wa, a1);
            b1 = _mm256_fmadd_pd(_mm256_loadu_pd(r1 + j + 4), wb, b1);
            a2 = _mm256_fmadd_pd(_mm256_loadu_pd(r2 + j), wa, a2);
            b2 = _mm256_fmadd_pd(_mm256_loadu_pd(r2 + j + 4), wb, b2);
            a3 = _mm256_fmadd_pd(_mm256_loadu_pd(r3 + j), wa, a3);
            b3 = _mm256_fmadd_pd(_mm256_loadu_pd(r3 + j + 4), wb, b3);
        }
        if (j < d4) {
            const __m256d wa = _mm256_loadu_pd(w + j);
            a0 = _mm256_fmadd_pd(_mm256_loadu_pd(r0 + j), wa, a0);
            a1 = _mm256_fmadd_pd(_mm256_loadu_pd(r1 + j), wa, a1);
            a2 = _mm256_fmadd_pd(_mm256_loadu_pd(r2 + j), wa, a2);
            a3 = _mm256_fmadd_pd(_mm256_loadu_pd(r3 + j), wa, a3);
        }
        z[i] = finish_dot(a0, b0, r0, w, d4, d);
        z[i + 1] = finish_dot(a1, b1, r1, w, d4, d);
        z[i + 2] = finish_dot(a2, b2, r2, w, d4, d);
        z[i + 3] = finish_dot(a3, b3, r3, w, d4, d);
    }
    for (; i < rows; ++i) {  // the same operations, one row at a time
        const double* r0 = x + i * stride;
        __m256d a0 = _mm256_setzero_pd(), b0 = a0;
        std::size_t j = 0;
        for (; j < d8; j += 8) {
            a0 = _mm256_fmadd_pd(_mm256_loadu_pd(r0 + j), _mm256_loadu_pd(w + j), a0);
            b0 = _mm256_fmadd_pd(_mm256_loadu_pd(r0 + j + 4), _mm256_loadu_pd(w + j + 4), b0);
        }
        if (j < d4) a0 = _mm256_fmadd_pd(_mm256_loadu_pd(r0 + j), _mm256_loadu_pd(w + j), a0);
        z[i] = finish_dot(a0, b0, r0, w, d4, d);
    }
}

/// g[j] = sum_i r[i] * x_i[j], the rows added one after another (one FMA per row and value), four
/// rows per pass over g.
__attribute__((target("avx2,fma"))) inline void weighted_row_sum_avx2(
    const double* x, std::size_t stride, std::size_t rows, std::size_t d, const double* r,
    double* g) noexcept {
    const std::size_t d4 = d - d % 4;
    std::fill(g, g + d, 0.0);
    std::size_t i = 0;
    for (; i + 4 <= rows; i += 4) {
        const double* r0 = x + i * stride;
        const double* r1 = r0 + stride;
        const double* r2 = r1 + stride;
        const double* r3 = r2 + stride;
        const __m256d c0 = _mm256_set1_pd(r[i]);
        const __m256d c1 = _mm256_set1_pd(r[i + 1]);
        const __m256d c2 = _mm256_set1_pd(r[i + 2]);
        const __m256d c3 = _mm256_set1_pd(r[i + 3]);
        for (std::size_t j = 0; j < d4; j += 4) {
            __m256d s = _mm256_loadu_pd(g + j);
            s = _mm256_fmadd_pd(c0, _mm256_loadu_pd(r0 + j), s);
            s = _mm256_fmadd_pd(c1, _mm256_loadu_pd(r1 + j), s);
            s = _mm256_fmadd_pd(c2, _mm256_loadu_pd(r2 + j), s);
            s = _mm256_fmadd_pd(c3, _mm256_loadu_pd(r3 + j), s);
            _mm256_storeu_pd(g + j, s);
        }
        for (std::size_t j = d4; j < d; ++j) {
            double s = g[j];
            s = std::fma(r[i], r0[j], s);
            s = std::fma(r[i + 1], r1[j], s);
            s = std::fma(r[i + 2], r2[j], s);
            s = std::fma(r[i + 3], r3[j], s);
            g[j] = s;
        }
    }
    for (; i < rows; ++i) {
        const double* r0 = x + i * stride;
        const __m256d c0 = _mm256_set1_pd(r[i]);
        for (std::size_t j = 0; j < d4; j += 4)
            _mm256_storeu_pd(g + j,
                             _mm256_fmadd_pd(c0, _mm256_loadu_pd(r0 + j), _mm256_loadu_pd(g + j)));
        for (std::size_t j = d4; j < d; ++j)
            g[j] = std::fma(r[i], r0[j], g[j]);
    }
}
#endif

/// z[i] = x_i . w for `rows` rows x_i = x + i * stride of d values.
inline void rows_dot(simd_path path, const double* x, std::size_t stride, std::size_t rows,
                     std::size_t d, const double* w, double* z) noexcept {
    static_cast<void>(path);  // one path only where AVX2 does not exist
#ifdef MLPIPE_BLOCK_PRODUCTS_AVX2
    if (path == simd_path::avx2_fma) {
        rows_dot_avx2(x, stride, rows, d, w, z);
        return;
    }
#endif
    for (std::size_t i = 0; i < rows; ++i)
        z[i] = dot_fixed_order(x + i * stride, w, d);
}

/// g[j] = sum_i r[i] * x_i[j] over `rows` rows x_i = x + i * stride of d values, the rows added
/// one after another.
inline void weighted_row_sum(simd_path path, const double* x, std::size_t stride, std::size_t rows,
                             std::size_t d, const double* r, double* g) noexcept {
    static_cast<void>(path);
#ifdef MLPIPE_BLOCK_PRODUCTS_AVX2
    if (path == simd_path::avx2_fma) {
        weighted_row_sum_avx2(x, stride, rows, d, r, g);
        return;
    }
#endif
    std::fill(g, g + d, 0.0);
    for (std::size_t i = 0; i < rows; ++i) {
        const double* row = x + i * stride;
        const double c = r[i];
        for (std::size_t j = 0; j < d; ++j)
            g[j] += c * row[j];
    }
}

}  // namespace mlpipe::detail
