// SPDX-License-Identifier: Apache-2.0
/// @file detail/dot.hpp A dot product whose summation order depends only on the length, never on
/// memory alignment: batch and single-row prediction then give bit-identical results.
#pragma once

#include <cstddef>

namespace mlpipe::detail {

/// sum_i a[i] * b[i] with four interleaved partial sums, combined as (s0 + s1) + (s2 + s3), then
/// the tail in order. (Eigen's vectorised dot peels a head that depends on alignment, so the same
/// numbers in two places can round differently.)
template <class Scalar>
[[nodiscard]] inline Scalar dot_fixed_order(const Scalar* a, const Scalar* b,
                                            std::size_t n) noexcept {
    Scalar s0 = 0;
    Scalar s1 = 0;
    Scalar s2 = 0;
    Scalar s3 = 0;
    std::size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        s0 += a[i] * b[i];
        s1 += a[i + 1] * b[i + 1];
        s2 += a[i + 2] * b[i + 2];
        s3 += a[i + 3] * b[i + 3];
    }
    Scalar sum = (s0 + s1) + (s2 + s3);
    for (; i < n; ++i)
        sum += a[i] * b[i];
    return sum;
}

}  // namespace mlpipe::detail
