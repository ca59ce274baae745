// SPDX-License-Identifier: Apache-2.0
/// @file detail/xxhash64.hpp XXH64, a fast non-cryptographic 64-bit checksum (portable, scalar).
///
/// An independent implementation of the published XXH64 algorithm (Yann Collet's xxHash,
/// specification in its doc/xxhash_spec.md); tests pin it to the published test vectors. It guards
/// artifacts against accidental corruption at memory speed; it is not a defence against forgery
/// (that is the job of the HMAC in artifact/signature.hpp).
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

#include "endian.hpp"

namespace mlpipe::detail {

inline constexpr std::uint64_t xxh64_prime_1 = 0x9E3779B185EBCA87ULL;
inline constexpr std::uint64_t xxh64_prime_2 = 0xC2B2AE3D27D4EB4FULL;
inline constexpr std::uint64_t xxh64_prime_3 = 0x165667B19E3779F9ULL;
inline constexpr std::uint64_t xxh64_prime_4 = 0x85EBCA77C2B2AE63ULL;
inline constexpr std::uint64_t xxh64_prime_5 = 0x27D4EB2F165667C5ULL;

[[nodiscard]] constexpr std::uint64_t xxh64_rotl(std::uint64_t x, int r) noexcept {
    return (x << r) | (x >> (64 - r));
}

[[nodiscard]] constexpr std::uint64_t xxh64_round(std::uint64_t acc, std::uint64_t input) noexcept {
    acc += input * xxh64_prime_2;
    acc = xxh64_rotl(acc, 31);
    return acc * xxh64_prime_1;
}

[[nodiscard]] constexpr std::uint64_t xxh64_merge_round(std::uint64_t acc,
                                                        std::uint64_t value) noexcept {
    acc ^= xxh64_round(0, value);
    return acc * xxh64_prime_1 + xxh64_prime_4;
}

[[nodiscard]] inline std::uint32_t xxh64_read32(const std::byte* p) noexcept {
    std::uint32_t v;
    std::memcpy(&v, p, sizeof v);
    if constexpr (std::endian::native == std::endian::big) v = byte_swap(v);
    return v;
}

/// XXH64 of `data` with `seed`.
/// Thread safety: pure function. Complexity: O(n), about 8 bytes per cycle on one core.
[[nodiscard]] inline std::uint64_t xxh64(std::span<const std::byte> data,
                                         std::uint64_t seed = 0) noexcept {
    const std::byte* p = data.data();
    const std::size_t n = data.size();
    const std::byte* const end = p + n;
    std::uint64_t h = 0;
    if (n >= 32) {
        std::uint64_t v1 = seed + xxh64_prime_1 + xxh64_prime_2;
        std::uint64_t v2 = seed + xxh64_prime_2;
        std::uint64_t v3 = seed;
        std::uint64_t v4 = seed - xxh64_prime_1;
        const std::byte* const limit = end - 32;
        do {
            v1 = xxh64_round(v1, load_le<std::uint64_t>(p));
            v2 = xxh64_round(v2, load_le<std::uint64_t>(p + 8));
            v3 = xxh64_round(v3, load_le<std::uint64_t>(p + 16));
            v4 = xxh64_round(v4, load_le<std::uint64_t>(p + 24));
            p += 32;
        } while (p <= limit);
        h = xxh64_rotl(v1, 1) + xxh64_rotl(v2, 7) + xxh64_rotl(v3, 12) + xxh64_rotl(v4, 18);
        h = xxh64_merge_round(h, v1);
        h = xxh64_merge_round(h, v2);
        h = xxh64_merge_round(h, v3);
        h = xxh64_merge_round(h, v4);
    } else {
        h = seed + xxh64_prime_5;
    }
    h += static_cast<std::uint64_t>(n);
    while (end - p >= 8) {
        h ^= xxh64_round(0, load_le<std::uint64_t>(p));
        h = xxh64_rotl(h, 27) * xxh64_prime_1 + xxh64_prime_4;
        p += 8;
    }
    if (end - p >= 4) {
        h ^= static_cast<std::uint64_t>(xxh64_read32(p)) * xxh64_prime_1;
        h = xxh64_rotl(h, 23) * xxh64_prime_2 + xxh64_prime_3;
        p += 4;
    }
    while (p < end) {
        h ^= static_cast<std::uint64_t>(std::to_integer<std::uint8_t>(*p)) * xxh64_prime_5;
        h = xxh64_rotl(h, 11) * xxh64_prime_1;
        ++p;
    }
    h ^= h >> 33;
    h *= xxh64_prime_2;
    h ^= h >> 29;
    h *= xxh64_prime_3;
    h ^= h >> 32;
    return h;
}

}  // namespace mlpipe::detail
