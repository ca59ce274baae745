// SPDX-License-Identifier: Apache-2.0
// Tests of detail/xxhash64.hpp against the published XXH64 test vectors.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include <catch2/catch.hpp>

#include <mlpipe/detail/xxhash64.hpp>

namespace {
std::uint64_t hash(std::string_view text, std::uint64_t seed = 0) {
    return mlpipe::detail::xxh64(std::as_bytes(std::span<const char>(text.data(), text.size())),
                                 seed);
}

/// The sanity buffer of xxHash's reference test program: byte i is the top byte of a 32-bit
/// generator that starts at 2654435761 and is squared at every step.
std::vector<std::byte> sanity_buffer(std::size_t size) {
    std::vector<std::byte> buffer(size);
    std::uint32_t generator = 2654435761U;
    for (auto& b : buffer) {
        b = static_cast<std::byte>(generator >> 24);
        generator *= generator;
    }
    return buffer;
}
}  // namespace

TEST_CASE("XXH64 gives the published values for short texts", "[artifact][checksum]") {
    CHECK(hash("") == 0xEF46DB3751D8E999ULL);
    CHECK(hash("a") == 0xD24EC4F1A98C6E5BULL);
    CHECK(hash("as") == 0x1C330FB2D66BE179ULL);
    CHECK(hash("asd") == 0x631C37CE72A97393ULL);
    CHECK(hash("asdf") == 0x415872F599CEA71EULL);
    CHECK(hash("abc") == 0x44BC2CF5AD770999ULL);
    CHECK(hash("Call me Ishmael.") == 0x6D04390FC9D61A90ULL);
}

TEST_CASE("XXH64 gives the published values for inputs of 32 bytes and more",
          "[artifact][checksum]") {
    CHECK(hash("Nobody inspects the spammish repetition") == 0xFBCEA83C8A378BF1ULL);
    CHECK(hash("Some years ago--never mind how long precisely-") == 0x8F26F2B986AFDC52ULL);
}

TEST_CASE("XXH64 gives the reference program's sanity values, with and without a seed",
          "[artifact][checksum]") {
    constexpr std::uint64_t prime = 2654435761U;
    const auto buffer = sanity_buffer(101);
    const std::span<const std::byte> all(buffer);
    CHECK(mlpipe::detail::xxh64({}, 0) == 0xEF46DB3751D8E999ULL);
    CHECK(mlpipe::detail::xxh64({}, prime) == 0xAC75FDA2929B17EFULL);
    CHECK(mlpipe::detail::xxh64(all.first(1), 0) == 0x4FCE394CC88952D8ULL);
    CHECK(mlpipe::detail::xxh64(all.first(1), prime) == 0x739840CB819FA723ULL);
    CHECK(mlpipe::detail::xxh64(all.first(14), 0) == 0xCFFA8DB881BC3A3DULL);
    CHECK(mlpipe::detail::xxh64(all.first(14), prime) == 0x5B9611585EFCC9CBULL);
    CHECK(mlpipe::detail::xxh64(all, 0) == 0x0EAB543384F878ADULL);
    CHECK(mlpipe::detail::xxh64(all, prime) == 0xCAA65939306F1E21ULL);
}
