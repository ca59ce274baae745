// SPDX-License-Identifier: Apache-2.0
/// @file detail/checked_math.hpp Overflow-checked unsigned arithmetic for lengths read from files.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>

namespace mlpipe::detail {

/// a * b, or nullopt when it does not fit in 64 bits.
[[nodiscard]] constexpr std::optional<std::uint64_t> checked_mul(std::uint64_t a,
                                                                 std::uint64_t b) noexcept {
    if (a != 0 && b > std::numeric_limits<std::uint64_t>::max() / a) return std::nullopt;
    return a * b;
}

/// a + b, or nullopt when it does not fit in 64 bits.
[[nodiscard]] constexpr std::optional<std::uint64_t> checked_add(std::uint64_t a,
                                                                 std::uint64_t b) noexcept {
    if (b > std::numeric_limits<std::uint64_t>::max() - a) return std::nullopt;
    return a + b;
}

}  // namespace mlpipe::detail
