// SPDX-License-Identifier: Apache-2.0
/// @file detail/endian.hpp Little-endian loads and stores of integers and IEEE floats.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <type_traits>

namespace mlpipe::detail {

template <class T>
[[nodiscard]] constexpr T byte_swap(T value) noexcept {
    static_assert(std::is_integral_v<T> && std::is_unsigned_v<T>);
    T result = 0;
    for (std::size_t i = 0; i < sizeof(T); ++i) {
        result = static_cast<T>((result << 8) | (value & 0xFFu));
        value = static_cast<T>(value >> 8);
    }
    return result;
}

template <std::size_t N>
struct unsigned_of_size;
template <>
struct unsigned_of_size<4> {
    using type = std::uint32_t;
};
template <>
struct unsigned_of_size<8> {
    using type = std::uint64_t;
};

/// Reads a little-endian T (integer or IEEE float of 4 or 8 bytes) from unaligned memory.
template <class T>
[[nodiscard]] inline T load_le(const void* source) noexcept {
    static_assert(std::is_trivially_copyable_v<T> && (sizeof(T) == 4 || sizeof(T) == 8));
    using bits_t = typename unsigned_of_size<sizeof(T)>::type;
    bits_t bits;
    std::memcpy(&bits, source, sizeof bits);
    if constexpr (std::endian::native == std::endian::big) bits = byte_swap(bits);
    return std::bit_cast<T>(bits);
}

/// Writes `value` little-endian to unaligned memory.
template <class T>
inline void store_le(void* target, T value) noexcept {
    static_assert(std::is_trivially_copyable_v<T> && (sizeof(T) == 4 || sizeof(T) == 8));
    using bits_t = typename unsigned_of_size<sizeof(T)>::type;
    auto bits = std::bit_cast<bits_t>(value);
    if constexpr (std::endian::native == std::endian::big) bits = byte_swap(bits);
    std::memcpy(target, &bits, sizeof bits);
}

}  // namespace mlpipe::detail
