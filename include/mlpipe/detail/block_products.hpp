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

// The AVX2 code is written with the compilers' vector extensions and FMA builtin rather than
// <immintrin.h>, which would cost every translation unit that includes a linear model about 0.5 s
// and 100 MB of compiler memory.
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <cpuid.h>
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
#define MLPIPE_AVX2_FMA __attribute__((target("avx2,fma")))

/// Four doubles in one AVX register.
using v4d = double __attribute__((vector_size(32)));

MLPIPE_AVX2_FMA inline v4d load4(const double* p) noexcept {
    v4d v;
    std::memcpy(&v, p, sizeof v);  // one unaligned load
    return v;
}

MLPIPE_AVX2_FMA inline void store4(double* p, v4d v) noexcept {
    std::memcpy(p, &v, sizeof v);
}

MLPIPE_AVX2_FMA inline v4d broadcast4(double c) noexcept {
    return v4d{c, c, c, c};
}

/// a * b + c, rounded once.
MLPIPE_AVX2_FMA inline v4d fma4(v4d a, v4d b, v4d c) noexcept {
    return __builtin_ia32_vfmaddpd256(a, b, c);
}

/// A row's dot product from its two accumulators, as (l0 + l2) + (l1 + l3) of their sum, then the
/// columns [d4, d) after them.
MLPIPE_AVX2_FMA inline double finish_dot(v4d a, v4d b, const double* row, const double* w,
                                         std::size_t d4, std::size_t d) noexcept {
    const v4d v = a + b;
    double s = (v[0] + v[2]) + (v[1] + v[3]);
    for (std::size_t j = d4; j < d; ++j)
        s = std::fma(row[j], w[j], s);
    return s;
}

/// z[i] = x_i . w for `rows` rows x_i = x + i * stride of d values: two four-lane FMA
/// accumulators per row over 8 columns at a time, then the tail in order. Four rows at once
/// keep eight independent chains in flight.
MLPIPE_AVX2_FMA inline void rows_dot_avx2(const double* x, std::size_t stride, std::size_t rows,
                                          std::size_t d, const double* w, double* z) noexcept {
    const std::size_t d8 = d - d % 8;
    const std::size_t d4 = d - d % 4;
    std::size_t i = 0;
    for (; i + 4 <= rows; i += 4) {
        const double* r0 = x + i * stride;
        const double* r1 = r0 + stride;
        const double* r2 = r1 + stride;
        const double* r3 = r2 + stride;
        v4d a0{}, b0{}, a1{}, b1{}, a2{}, b2{}, a3{}, b3{};
        std::size_t j = 0;
        for (; j < d8; j += 8) {
            const v4d wa = load4(w + j);
            const v4d wb = load4(w + j + 4);
            a0 = fma4(load4(r0 + j), wa, a0);
            b0 = fma4(load4(r0 + j + 4), wb, b0);
            a1 = fma4(load4(r1 + j), wa, a1);
            b1 = fma4(load4(r1 + j + 4), wb, b1);
            a2 = fma4(load4(r2 + j), wa, a2);
            b2 = fma4(load4(r2 + j + 4), wb, b2);
            a3 = fma4(load4(r3 + j), wa, a3);
            b3 = fma4(load4(r3 + j + 4), wb, b3);
        }
        if (j < d4) {
            const v4d wa = load4(w + j);
            a0 = fma4(load4(r0 + j), wa, a0);
            a1 = fma4(load4(r1 + j), wa, a1);
            a2 = fma4(load4(r2 + j), wa, a2);
            a3 = fma4(load4(r3 + j), wa, a3);
        }
        z[i] = finish_dot(a0, b0, r0, w, d4, d);
        z[i + 1] = finish_dot(a1, b1, r1, w, d4, d);
        z[i + 2] = finish_dot(a2, b2, r2, w, d4, d);
        z[i + 3] = finish_dot(a3, b3, r3, w, d4, d);
    }
    for (; i < rows; ++i) {  // the same operations, one row at a time
        const double* r0 = x + i * stride;
        v4d a0{}, b0{};
        std::size_t j = 0;
        for (; j < d8; j += 8) {
            a0 = fma4(load4(r0 + j), load4(w + j), a0);
            b0 = fma4(load4(r0 + j + 4), load4(w + j + 4), b0);
        }
        if (j < d4) a0 = fma4(load4(r0 + j), load4(w + j), a0);
        z[i] = finish_dot(a0, b0, r0, w, d4, d);
    }
}

/// g[j] = sum_i r[i] * x_i[j], the rows added one after another (one FMA per row and value), four
/// rows per pass over g.
MLPIPE_AVX2_FMA inline void weighted_row_sum_avx2(const double* x, std::size_t stride,
                                                  std::size_t rows, std::size_t d, const double* r,
                                                  double* g) noexcept {
    const std::size_t d4 = d - d % 4;
    std::fill(g, g + d, 0.0);
    std::size_t i = 0;
    for (; i + 4 <= rows; i += 4) {
        const double* r0 = x + i * stride;
        const double* r1 = r0 + stride;
        const double* r2 = r1 + stride;
        const double* r3 = r2 + stride;
        const v4d c0 = broadcast4(r[i]);
        const v4d c1 = broadcast4(r[i + 1]);
        const v4d c2 = broadcast4(r[i + 2]);
        const v4d c3 = broadcast4(r[i + 3]);
        for (std::size_t j = 0; j < d4; j += 4) {
            v4d s = load4(g + j);
            s = fma4(c0, load4(r0 + j), s);
            s = fma4(c1, load4(r1 + j), s);
            s = fma4(c2, load4(r2 + j), s);
            s = fma4(c3, load4(r3 + j), s);
            store4(g + j, s);
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
        const v4d c0 = broadcast4(r[i]);
        for (std::size_t j = 0; j < d4; j += 4)
            store4(g + j, fma4(c0, load4(r0 + j), load4(g + j)));
        for (std::size_t j = d4; j < d; ++j)
            g[j] = std::fma(r[i], r0[j], g[j]);
    }
}
#undef MLPIPE_AVX2_FMA
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
