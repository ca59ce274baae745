// SPDX-License-Identifier: Apache-2.0
/// @file detail/sha256.hpp SHA-256 (FIPS 180-4) for content digests and etags: portable code,
/// and the x86 SHA extensions when the processor has them (checked once, at run time).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
// SSSE3 and SSE4.1 from their own headers, and the three SHA instructions from the compilers'
// builtins (gcc's and clang's have the same names): <immintrin.h>, the only header that declares
// them, would cost every translation unit that includes this one about 0.7 s of parsing.
#include <cpuid.h>
#include <smmintrin.h>
#define MLPIPE_SHA256_X86 1
#endif

namespace mlpipe::detail {

/// The SHA-256 round constants.
alignas(16) inline constexpr std::uint32_t sha256_k[64] = {
    0x428a2f98u, 0x71374491u, 0xb5c0fbcfu, 0xe9b5dba5u, 0x3956c25bu, 0x59f111f1u, 0x923f82a4u,
    0xab1c5ed5u, 0xd807aa98u, 0x12835b01u, 0x243185beu, 0x550c7dc3u, 0x72be5d74u, 0x80deb1feu,
    0x9bdc06a7u, 0xc19bf174u, 0xe49b69c1u, 0xefbe4786u, 0x0fc19dc6u, 0x240ca1ccu, 0x2de92c6fu,
    0x4a7484aau, 0x5cb0a9dcu, 0x76f988dau, 0x983e5152u, 0xa831c66du, 0xb00327c8u, 0xbf597fc7u,
    0xc6e00bf3u, 0xd5a79147u, 0x06ca6351u, 0x14292967u, 0x27b70a85u, 0x2e1b2138u, 0x4d2c6dfcu,
    0x53380d13u, 0x650a7354u, 0x766a0abbu, 0x81c2c92eu, 0x92722c85u, 0xa2bfe8a1u, 0xa81a664bu,
    0xc24b8b70u, 0xc76c51a3u, 0xd192e819u, 0xd6990624u, 0xf40e3585u, 0x106aa070u, 0x19a4c116u,
    0x1e376c08u, 0x2748774cu, 0x34b0bcb5u, 0x391c0cb3u, 0x4ed8aa4au, 0x5b9cca4fu, 0x682e6ff3u,
    0x748f82eeu, 0x78a5636fu, 0x84c87814u, 0x8cc70208u, 0x90befffau, 0xa4506cebu, 0xbef9a3f7u,
    0xc67178f2u};

#ifdef MLPIPE_SHA256_X86
/// True when the processor has the SHA extensions (and the SSSE3 / SSE4.1 they are used with).
[[nodiscard]] inline bool sha256_extensions_available() noexcept {
    static const bool available = [] {
        unsigned a = 0, b = 0, c = 0, d = 0;
        if (__get_cpuid(1, &a, &b, &c, &d) == 0) return false;
        const bool sse = (c & (1u << 9)) != 0 && (c & (1u << 19)) != 0;  // SSSE3, SSE4.1
        if (__get_cpuid_count(7, 0, &a, &b, &c, &d) == 0) return false;
        return sse && (b & (1u << 29)) != 0;  // SHA
    }();
    return available;
}

/// SHA256RNDS2, SHA256MSG1 and SHA256MSG2 (as _mm_sha256rnds2_epu32 and its siblings).
__attribute__((target("sha,sse4.1,ssse3"))) inline __m128i sha256_rounds2(
    __m128i cdgh, __m128i abef, __m128i message) noexcept {
    return reinterpret_cast<__m128i>(__builtin_ia32_sha256rnds2(reinterpret_cast<__v4si>(cdgh),
                                                                reinterpret_cast<__v4si>(abef),
                                                                reinterpret_cast<__v4si>(message)));
}
__attribute__((target("sha,sse4.1,ssse3"))) inline __m128i sha256_message1(__m128i a,
                                                                           __m128i b) noexcept {
    return reinterpret_cast<__m128i>(
        __builtin_ia32_sha256msg1(reinterpret_cast<__v4si>(a), reinterpret_cast<__v4si>(b)));
}
__attribute__((target("sha,sse4.1,ssse3"))) inline __m128i sha256_message2(__m128i a,
                                                                           __m128i b) noexcept {
    return reinterpret_cast<__m128i>(
        __builtin_ia32_sha256msg2(reinterpret_cast<__v4si>(a), reinterpret_cast<__v4si>(b)));
}

/// `blocks` 64-byte blocks into `state` with the SHA extensions (the sequence of Intel's
/// white paper: two rounds per SHA256RNDS2, the schedule by SHA256MSG1/MSG2).
__attribute__((target("sha,sse4.1,ssse3"))) inline void sha256_compress_x86(
    std::uint32_t* state, const std::uint8_t* data, std::size_t blocks) noexcept {
    const __m128i swap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
    // state (a b c d | e f g h) -> the instruction's order (ABEF, CDGH)
    __m128i dcba = _mm_loadu_si128(reinterpret_cast<const __m128i*>(state));
    __m128i hgfe = _mm_loadu_si128(reinterpret_cast<const __m128i*>(state + 4));
    const __m128i cdab = _mm_shuffle_epi32(dcba, 0xB1);
    const __m128i efgh = _mm_shuffle_epi32(hgfe, 0x1B);
    __m128i abef = _mm_alignr_epi8(cdab, efgh, 8);
    __m128i cdgh = _mm_blend_epi16(efgh, cdab, 0xF0);
    for (; blocks != 0; --blocks, data += 64) {
        const __m128i abef_before = abef;
        const __m128i cdgh_before = cdgh;
        __m128i q[4];  // message words, four at a time; q[g % 4] holds group g
        for (int g = 0; g < 16; ++g) {
            __m128i& w = q[g % 4];
            if (g < 4) {
                w = _mm_shuffle_epi8(
                    _mm_loadu_si128(reinterpret_cast<const __m128i*>(data + 16 * g)), swap);
            } else {
                // w[t] = w[t-16] + s0(w[t-15]) + w[t-7] + s1(w[t-2]), for the four t of group g
                const __m128i before = sha256_message1(w, q[(g + 1) % 4]);
                const __m128i seventh = _mm_alignr_epi8(q[(g + 3) % 4], q[(g + 2) % 4], 4);
                w = sha256_message2(_mm_add_epi32(before, seventh), q[(g + 3) % 4]);
            }
            __m128i message = _mm_add_epi32(
                w, _mm_load_si128(reinterpret_cast<const __m128i*>(sha256_k + 4 * g)));
            cdgh = sha256_rounds2(cdgh, abef, message);
            message = _mm_shuffle_epi32(message, 0x0E);
            abef = sha256_rounds2(abef, cdgh, message);
        }
        abef = _mm_add_epi32(abef, abef_before);
        cdgh = _mm_add_epi32(cdgh, cdgh_before);
    }
    const __m128i feba = _mm_shuffle_epi32(abef, 0x1B);
    const __m128i dchg = _mm_shuffle_epi32(cdgh, 0xB1);
    dcba = _mm_blend_epi16(feba, dchg, 0xF0);
    hgfe = _mm_alignr_epi8(dchg, feba, 8);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(state), dcba);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(state + 4), hgfe);
}
#endif

/// Which code computes the rounds: the processor's SHA extensions when present, or always the
/// portable code (for tests and comparisons).
enum class sha256_engine { automatic, portable };

/// Incremental SHA-256: update() any number of times, then finish() once.
/// Thread safety: none; one hasher per thread.
/// Complexity: linear in the bytes hashed (about 200-400 MB/s on one core with the portable code,
/// several times that with the x86 SHA extensions).
class sha256_hasher {
  public:
    using digest_type = std::array<std::uint8_t, 32>;

    explicit sha256_hasher(sha256_engine engine = sha256_engine::automatic) noexcept {
#ifdef MLPIPE_SHA256_X86
        hardware_ = engine == sha256_engine::automatic && sha256_extensions_available();
#else
        (void)engine;
#endif
        reset();
    }

    /// Starts over, as if newly constructed.
    void reset() noexcept {
        state_ = {0x6a09e667u, 0xbb67ae85u, 0x3c6ef372u, 0xa54ff53au,
                  0x510e527fu, 0x9b05688cu, 0x1f83d9abu, 0x5be0cd19u};
        length_ = 0;
        buffered_ = 0;
    }

    /// Adds `size` bytes at `data`.
    void update(const void* data, std::size_t size) noexcept {
        const auto* p = static_cast<const std::uint8_t*>(data);
        length_ += size;
        if (buffered_ != 0) {
            const std::size_t take = size < 64 - buffered_ ? size : 64 - buffered_;
            std::memcpy(buffer_.data() + buffered_, p, take);
            buffered_ += take;
            p += take;
            size -= take;
            if (buffered_ < 64) return;
            compress(buffer_.data(), 1);
            buffered_ = 0;
        }
        if (size >= 64) {
            compress(p, size / 64);
            p += size / 64 * 64;
            size %= 64;
        }
        if (size != 0) {
            std::memcpy(buffer_.data(), p, size);
            buffered_ = size;
        }
    }

    /// Adds the bytes of `text`.
    void update(std::string_view text) noexcept {
        update(text.data(), text.size());
    }

    /// Pads, finishes and returns the digest. Call reset() before hashing again.
    [[nodiscard]] digest_type finish() noexcept {
        const std::uint64_t bits = length_ * 8;
        const std::uint8_t pad = 0x80;
        update(&pad, 1);
        const std::uint8_t zero = 0;
        while (buffered_ != 56)
            update(&zero, 1);
        std::uint8_t tail[8];
        for (int i = 0; i < 8; ++i)
            tail[i] = static_cast<std::uint8_t>(bits >> (56 - 8 * i));
        update(tail, 8);
        digest_type digest{};
        for (std::size_t i = 0; i < 8; ++i) {
            for (std::size_t b = 0; b < 4; ++b) {
                digest[4 * i + b] = static_cast<std::uint8_t>(state_[i] >> (24 - 8 * b));
            }
        }
        return digest;
    }

  private:
    static constexpr std::uint32_t rotr(std::uint32_t x, int n) noexcept {
        return (x >> n) | (x << (32 - n));
    }

    void compress(const std::uint8_t* data, std::size_t blocks) noexcept {
#ifdef MLPIPE_SHA256_X86
        if (hardware_) {
            sha256_compress_x86(state_.data(), data, blocks);
            return;
        }
#endif
        for (; blocks != 0; --blocks, data += 64)
            compress_portable(data);
    }

    void compress_portable(const std::uint8_t* block) noexcept {
        const auto* k = sha256_k;
        std::uint32_t w[64];
        for (std::size_t i = 0; i < 16; ++i) {
            w[i] = (std::uint32_t{block[4 * i]} << 24) | (std::uint32_t{block[4 * i + 1]} << 16) |
                   (std::uint32_t{block[4 * i + 2]} << 8) | std::uint32_t{block[4 * i + 3]};
        }
        for (std::size_t i = 16; i < 64; ++i) {
            const std::uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
            const std::uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
            w[i] = w[i - 16] + s0 + w[i - 7] + s1;
        }
        std::uint32_t a = state_[0], b = state_[1], c = state_[2], d = state_[3];
        std::uint32_t e = state_[4], f = state_[5], g = state_[6], h = state_[7];
        for (std::size_t i = 0; i < 64; ++i) {
            const std::uint32_t s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
            const std::uint32_t ch = (e & f) ^ (~e & g);
            const std::uint32_t t1 = h + s1 + ch + k[i] + w[i];
            const std::uint32_t s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
            const std::uint32_t maj = (a & b) ^ (a & c) ^ (b & c);
            const std::uint32_t t2 = s0 + maj;
            h = g;
            g = f;
            f = e;
            e = d + t1;
            d = c;
            c = b;
            b = a;
            a = t1 + t2;
        }
        state_[0] += a;
        state_[1] += b;
        state_[2] += c;
        state_[3] += d;
        state_[4] += e;
        state_[5] += f;
        state_[6] += g;
        state_[7] += h;
    }

    std::array<std::uint32_t, 8> state_{};
    std::array<std::uint8_t, 64> buffer_{};
    std::uint64_t length_ = 0;
    std::size_t buffered_ = 0;
    bool hardware_ = false;
};

/// Lower-case hexadecimal text of `bytes`.
template <std::size_t N>
[[nodiscard]] inline std::string to_hex(const std::array<std::uint8_t, N>& bytes) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string text(2 * N, '0');
    for (std::size_t i = 0; i < N; ++i) {
        text[2 * i] = digits[bytes[i] >> 4];
        text[2 * i + 1] = digits[bytes[i] & 0x0F];
    }
    return text;
}

/// SHA-256 digest of `bytes`.
[[nodiscard]] inline sha256_hasher::digest_type sha256(std::string_view bytes) noexcept {
    sha256_hasher hasher;
    hasher.update(bytes);
    return hasher.finish();
}

/// SHA-256 of `bytes` as 64 lower-case hexadecimal digits.
[[nodiscard]] inline std::string sha256_hex(std::string_view bytes) {
    return to_hex(sha256(bytes));
}

}  // namespace mlpipe::detail
