// SPDX-License-Identifier: Apache-2.0
/// @file artifact/format.hpp The byte layout of artifact format v1 (docs/artifact-format.md) and
/// `verify_artifact`, which checks the preamble, the lengths and the checksum without parsing.
///
///     offset 0   8 bytes  magic 89 4D 4C 50 49 50 45 0A ("\x89MLPIPE\n")
///            8   u32      format version (1)
///           12   u32      flags (bit 0: a signature block follows the checksum; others zero)
///           16   u64      manifest length M
///           24   M bytes  manifest, UTF-8 JSON
///                         zero padding to the next multiple of 64: the data section starts there
///           D    ...      tensor bytes, little-endian, each at a multiple of 64 from D
///           C    u64      XXH64 (seed 0) of bytes [0, C)
///         C + 8  40 bytes signature block, only when flag bit 0 is set
///
/// Every integer is little-endian.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "../detail/checked_math.hpp"
#include "../detail/endian.hpp"
#include "../detail/xxhash64.hpp"
#include "../error.hpp"
#include "tensor.hpp"

namespace mlpipe {

/// The artifact format version this library writes.
inline constexpr std::uint32_t artifact_format_version = 1;
/// The oldest artifact format version this library reads.
inline constexpr std::uint32_t artifact_oldest_readable_version = 1;

namespace detail {
inline constexpr std::array<unsigned char, 8> artifact_magic = {0x89, 'M', 'L', 'P',
                                                                'I',  'P', 'E', 0x0A};
inline constexpr std::uint64_t artifact_preamble_bytes = 24;
inline constexpr std::uint64_t artifact_alignment = 64;
inline constexpr std::uint64_t artifact_checksum_bytes = 8;
/// Flag bit 0: a signature block follows the checksum.
inline constexpr std::uint32_t artifact_flag_signed = 1;
/// The signature block: u32 algorithm, u32 MAC length, MAC.
inline constexpr std::uint64_t artifact_signature_block_bytes = 40;
inline constexpr std::uint32_t artifact_signature_hmac_sha256 = 1;
inline constexpr std::uint32_t artifact_signature_mac_bytes = 32;

/// `value` rounded up to a multiple of 64, or nullopt on overflow.
[[nodiscard]] constexpr std::optional<std::uint64_t> align_up_64(std::uint64_t value) noexcept {
    const auto sum = checked_add(value, artifact_alignment - 1);
    if (!sum) return std::nullopt;
    return *sum & ~(artifact_alignment - 1);
}
}  // namespace detail

/// What the preamble and trailer of a verified artifact say.
struct artifact_info {
    std::uint32_t format_version = 0;   ///< 1
    std::uint32_t flags = 0;            ///< bit 0: signed
    std::uint64_t manifest_offset = 0;  ///< always 24
    std::uint64_t manifest_length = 0;  ///< bytes of manifest JSON
    std::uint64_t data_offset = 0;      ///< start of the data section (a multiple of 64)
    std::uint64_t data_length = 0;      ///< bytes from data_offset to the checksum
    std::uint64_t checksum_offset = 0;  ///< where the u64 checksum is
    std::uint64_t checksum = 0;         ///< XXH64 of every byte before checksum_offset
    std::uint64_t total_length = 0;     ///< the whole artifact, signature block included

    /// True when a signature block follows the checksum (verify it with artifact/signature.hpp).
    [[nodiscard]] bool is_signed() const noexcept {
        return (flags & detail::artifact_flag_signed) != 0;
    }
};

/// Checks an artifact without parsing its manifest: magic, format version, flags, the manifest
/// length against the limit and the bytes present, the signature block's header, and the XXH64
/// checksum over every byte before it.
/// @param source names the input in errors (a file name, a key, "<memory>")
/// @throws format_error saying what is wrong and where.
/// Thread safety: pure function. Complexity: O(n), at memory speed.
[[nodiscard]] MLPIPE_DECL artifact_info verify_artifact(std::span<const std::byte> bytes,
                                                        const std::string& source = "<memory>",
                                                        const artifact_limits& limits = {});

#if MLPIPE_DEFINE_FUNCTIONS  // header-only mode, or the compiled library (config.hpp)

MLPIPE_DECL artifact_info verify_artifact(std::span<const std::byte> bytes,
                                          const std::string& source,
                                          const artifact_limits& limits) {
    const auto lim = limits.clamped();
    const auto fail = [&](const std::string& problem, const std::string& remedy,
                          std::uint64_t offset) {
        return format_error(problem, remedy, source_position{source, 0, 0, offset});
    };
    const std::uint64_t size = bytes.size();
    const auto* magic = reinterpret_cast<const unsigned char*>(bytes.data());
    for (std::size_t i = 0; i < detail::artifact_magic.size() && i < size; ++i) {
        if (magic[i] != detail::artifact_magic[i]) {
            throw fail(
                "not an mlpipe artifact (the first bytes are not the artifact magic "
                "\\x89MLPIPE\\n)",
                "give the bytes of a file written by mlpipe's encode_artifact; check that it "
                "was not transferred in text mode",
                i);
        }
    }
    const std::uint64_t minimum = detail::artifact_preamble_bytes + detail::artifact_checksum_bytes;
    if (size < minimum) {
        throw fail("the input holds " + std::to_string(size) + " bytes, fewer than the " +
                       std::to_string(minimum) + " of the smallest artifact",
                   "the artifact is truncated: fetch or write it again", size);
    }
    artifact_info info;
    info.total_length = size;
    info.format_version = detail::load_le<std::uint32_t>(bytes.data() + 8);
    info.flags = detail::load_le<std::uint32_t>(bytes.data() + 12);
    info.manifest_offset = detail::artifact_preamble_bytes;
    info.manifest_length = detail::load_le<std::uint64_t>(bytes.data() + 16);
    if (info.format_version < artifact_oldest_readable_version ||
        info.format_version > artifact_format_version) {
        throw fail("artifact format version " + std::to_string(info.format_version) +
                       " is not one this library reads (" +
                       std::to_string(artifact_oldest_readable_version) + " to " +
                       std::to_string(artifact_format_version) + ")",
                   info.format_version > artifact_format_version
                       ? "load it with the newer mlpipe that wrote it, or upgrade this one"
                       : "the artifact is corrupt",
                   8);
    }
    if ((info.flags & ~detail::artifact_flag_signed) != 0) {
        throw fail("unknown flags " + std::to_string(info.flags) + " in the preamble",
                   "the artifact is corrupt or was written by a newer mlpipe", 12);
    }
    const std::uint64_t trailer = detail::artifact_checksum_bytes +
                                  (info.is_signed() ? detail::artifact_signature_block_bytes : 0);
    if (size < detail::artifact_preamble_bytes + trailer) {
        throw fail("the input holds " + std::to_string(size) +
                       " bytes, too few for a signed artifact's preamble and trailer",
                   "the artifact is truncated: fetch or write it again", size);
    }
    info.checksum_offset = size - trailer;
    if (info.manifest_length > lim.max_manifest_bytes) {
        throw fail("the manifest length " + std::to_string(info.manifest_length) +
                       " is above the limit of " + std::to_string(lim.max_manifest_bytes) +
                       " bytes",
                   "the artifact is corrupt (or its manifest is too large: keep bulk data in "
                   "tensors)",
                   16);
    }
    const auto manifest_end =
        detail::checked_add(detail::artifact_preamble_bytes, info.manifest_length);
    const auto data_offset = manifest_end ? detail::align_up_64(*manifest_end) : std::nullopt;
    if (!data_offset || *data_offset > info.checksum_offset) {
        throw fail("the manifest length " + std::to_string(info.manifest_length) +
                       " runs past the end of the " + std::to_string(size) + "-byte input",
                   "the artifact is truncated or corrupt: fetch or write it again", 16);
    }
    info.data_offset = *data_offset;
    info.data_length = info.checksum_offset - info.data_offset;
    if (info.is_signed()) {
        const auto* block = bytes.data() + info.checksum_offset + detail::artifact_checksum_bytes;
        const auto algorithm = detail::load_le<std::uint32_t>(block);
        const auto mac_length = detail::load_le<std::uint32_t>(block + 4);
        if (algorithm != detail::artifact_signature_hmac_sha256 ||
            mac_length != detail::artifact_signature_mac_bytes) {
            throw fail("the signature block names algorithm " + std::to_string(algorithm) +
                           " with a " + std::to_string(mac_length) +
                           "-byte MAC; format v1 knows only 1 (HMAC-SHA256, 32 bytes)",
                       "the artifact is corrupt or was signed by a newer mlpipe",
                       info.checksum_offset + detail::artifact_checksum_bytes);
        }
    }
    info.checksum = detail::load_le<std::uint64_t>(bytes.data() + info.checksum_offset);
    const auto actual = detail::xxh64(bytes.first(static_cast<std::size_t>(info.checksum_offset)));
    if (actual != info.checksum) {
        throw fail("checksum mismatch: the artifact is corrupt (stored XXH64 " +
                       std::to_string(info.checksum) + ", computed " + std::to_string(actual) + ")",
                   "fetch or write it again; if the copy at the source is corrupt too, retrain or "
                   "restore it from a backup",
                   info.checksum_offset);
    }
    return info;
}

#endif  // MLPIPE_DEFINE_FUNCTIONS

}  // namespace mlpipe
