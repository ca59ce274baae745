// SPDX-License-Identifier: Apache-2.0
/// @file detail/random.hpp A seeded, portable random engine and the few distributions mlpipe uses.
///
/// The standard distributions are implementation-defined (libstdc++ and libc++ give different
/// numbers for the same seed), so mlpipe brings its own: the same seed gives the same model on
/// every platform and standard library.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <utility>

namespace mlpipe::detail {

/// SplitMix64 step: used to expand one 64-bit seed into the engine's state.
[[nodiscard]] constexpr std::uint64_t splitmix64(std::uint64_t& state) noexcept {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/// xoshiro256** 1.0 (Blackman and Vigna): fast, small, good statistical quality.
/// Satisfies std::uniform_random_bit_generator.
/// Thread safety: none; give each thread its own engine (see `split`).
class random_engine {
  public:
    using result_type = std::uint64_t;

    explicit constexpr random_engine(std::uint64_t seed = 0) noexcept {
        std::uint64_t sm = seed;
        for (auto& word : state_)
            word = splitmix64(sm);
    }

    static constexpr result_type min() noexcept { return 0; }
    static constexpr result_type max() noexcept { return std::numeric_limits<result_type>::max(); }

    constexpr result_type operator()() noexcept {
        const std::uint64_t result = rotl(state_[1] * 5, 7) * 9;
        const std::uint64_t t = state_[1] << 17;
        state_[2] ^= state_[0];
        state_[3] ^= state_[1];
        state_[1] ^= state_[2];
        state_[0] ^= state_[3];
        state_[2] ^= t;
        state_[3] = rotl(state_[3], 45);
        return result;
    }

    /// An independent engine for sub-task `stream` (a tree, a fold, a thread): depends only on
    /// this engine's seed state and `stream`, never on scheduling.
    [[nodiscard]] constexpr random_engine split(std::uint64_t stream) const noexcept {
        std::uint64_t mix = state_[0] ^ rotl(state_[1], 13) ^ rotl(state_[2], 29) ^ state_[3];
        mix ^= 0xD1B54A32D192ED03ULL * (stream + 1);
        return random_engine(splitmix64(mix));
    }

  private:
    static constexpr std::uint64_t rotl(std::uint64_t x, int k) noexcept {
        return (x << k) | (x >> (64 - k));
    }
    std::uint64_t state_[4]{};
};

/// A uniform integer in [0, n) without modulo bias. Precondition: n > 0.
[[nodiscard]] constexpr std::uint64_t uniform_index(random_engine& engine,
                                                    std::uint64_t n) noexcept {
    const std::uint64_t threshold = (0 - n) % n;  // 2^64 mod n
    for (;;) {
        const std::uint64_t r = engine();
        if (r >= threshold) return r % n;
    }
}

/// A uniform double in [0, 1) with 53 random bits.
[[nodiscard]] constexpr double uniform_unit(random_engine& engine) noexcept {
    return static_cast<double>(engine() >> 11) * 0x1.0p-53;
}

/// A uniform double in [low, high).
[[nodiscard]] constexpr double uniform_real(random_engine& engine, double low,
                                            double high) noexcept {
    return low + (high - low) * uniform_unit(engine);
}

/// Standard normal deviates by the Marsaglia polar method; keeps the spare value.
class normal_generator {
  public:
    [[nodiscard]] double operator()(random_engine& engine) noexcept {
        if (has_spare_) {
            has_spare_ = false;
            return spare_;
        }
        double u = 0.0;
        double v = 0.0;
        double s = 0.0;
        do {
            u = 2.0 * uniform_unit(engine) - 1.0;
            v = 2.0 * uniform_unit(engine) - 1.0;
            s = u * u + v * v;
        } while (s >= 1.0 || s == 0.0);
        const double factor = std::sqrt(-2.0 * std::log(s) / s);
        spare_ = v * factor;
        has_spare_ = true;
        return u * factor;
    }

  private:
    double spare_ = 0.0;
    bool has_spare_ = false;
};

/// Fisher-Yates shuffle with mlpipe's own index distribution (portable, unlike std::shuffle).
template <class T>
constexpr void shuffle(std::span<T> items, random_engine& engine) noexcept {
    for (std::size_t i = items.size(); i > 1; --i) {
        const auto j = static_cast<std::size_t>(uniform_index(engine, i));
        using std::swap;
        swap(items[i - 1], items[j]);
    }
}

}  // namespace mlpipe::detail
