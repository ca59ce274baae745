// SPDX-License-Identifier: Apache-2.0
/// @file artifact/signature.hpp Optional HMAC-SHA256 signatures of artifacts (shared key), verified
/// before parsing. The only mlpipe header that needs OpenSSL: link OpenSSL::Crypto to use it.
///
/// A signed artifact has flag bit 0 set in its preamble, its checksum recomputed accordingly, and a
/// 40-byte signature block after the checksum: u32 algorithm (1 = HMAC-SHA256), u32 MAC length
/// (32), then the MAC of every byte before the MAC (preamble, manifest, tensors, checksum and the
/// block's first 8 bytes). The MAC covers the bytes themselves, not just the XXH64 checksum: XXH64
/// is not a cryptographic hash, and whoever can write to the store could craft a tampered artifact
/// with the same checksum. Readers without the key (decode_artifact) still load a signed artifact;
/// a deployment that requires signatures calls decode_signed_artifact.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "../detail/endian.hpp"
#include "../detail/xxhash64.hpp"
#include "../error.hpp"
#include "artifact.hpp"
#include "codec.hpp"
#include "format.hpp"

namespace mlpipe {

/// The shortest HMAC key accepted, in bytes (128 bits).
inline constexpr std::size_t min_hmac_key_bytes = 16;

namespace detail {

inline void check_hmac_key(std::span<const std::byte> key) {
    if (key.size() < min_hmac_key_bytes) {
        throw invalid_input_error("the HMAC key is " + std::to_string(key.size()) +
                                      " bytes long, shorter than " +
                                      std::to_string(min_hmac_key_bytes),
                                  "use a random key of 32 bytes", "key");
    }
}

/// HMAC-SHA256 of `data` under `key`.
[[nodiscard]] inline std::array<unsigned char, 32> hmac_sha256(std::span<const std::byte> key,
                                                               std::span<const std::byte> data) {
    std::array<unsigned char, 32> mac{};
    unsigned int length = 0;
    const auto* result =
        HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
             reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac.data(), &length);
    if (result == nullptr || length != mac.size()) {
        throw configuration_error("OpenSSL's HMAC-SHA256 failed",
                                  "check the OpenSSL installation (libcrypto)", "openssl");
    }
    return mac;
}

}  // namespace detail

/// The bytes of a string key (for keys kept as text in a secret store).
[[nodiscard]] inline std::span<const std::byte> key_bytes(std::string_view key) noexcept {
    return std::as_bytes(std::span<const char>(key.data(), key.size()));
}

/// Signs an encoded artifact: returns it with the signed flag, a new checksum and a signature
/// block. An already signed artifact is signed anew (its old signature is dropped).
/// @throws format_error when `bytes` is not a valid artifact (nothing corrupt gets signed);
///   invalid_input_error when the key is shorter than 16 bytes.
/// Thread safety: pure function. Complexity: O(n).
[[nodiscard]] inline std::vector<std::byte> sign_artifact(std::span<const std::byte> bytes,
                                                          std::span<const std::byte> key,
                                                          const std::string& source = "<memory>") {
    detail::check_hmac_key(key);
    const auto info = verify_artifact(bytes, source);
    const auto body = static_cast<std::size_t>(info.checksum_offset);
    std::vector<std::byte> out(body + detail::artifact_checksum_bytes +
                               detail::artifact_signature_block_bytes);
    std::memcpy(out.data(), bytes.data(), body);
    detail::store_le(out.data() + 12, info.flags | detail::artifact_flag_signed);
    detail::store_le(out.data() + body, detail::xxh64(std::span<const std::byte>(out).first(body)));
    auto* block = out.data() + body + detail::artifact_checksum_bytes;
    detail::store_le(block, detail::artifact_signature_hmac_sha256);
    detail::store_le(block + 4, detail::artifact_signature_mac_bytes);
    const auto covered = out.size() - detail::artifact_signature_mac_bytes;
    const auto mac = detail::hmac_sha256(key, std::span<const std::byte>(out).first(covered));
    std::memcpy(out.data() + covered, mac.data(), mac.size());
    return out;
}

/// Checks that `bytes` is an intact artifact signed with `key`. The MAC is compared in constant
/// time. Nothing is parsed before this succeeds.
/// @throws format_error when the artifact is corrupt, unsigned, or its signature does not match
///   (tampered, or signed with another key); invalid_input_error for a key under 16 bytes.
/// Thread safety: pure function. Complexity: O(n).
inline artifact_info verify_artifact_signature(std::span<const std::byte> bytes,
                                               std::span<const std::byte> key,
                                               const std::string& source = "<memory>") {
    detail::check_hmac_key(key);
    const auto info = verify_artifact(bytes, source);
    if (!info.is_signed()) {
        throw format_error(
            "the artifact is not signed, and this deployment requires a signature",
            "sign it with sign_artifact (the key of this deployment) before publishing",
            source_position{source, 0, 0, 12});
    }
    const auto covered = bytes.size() - detail::artifact_signature_mac_bytes;
    const auto mac = detail::hmac_sha256(key, bytes.first(covered));
    if (CRYPTO_memcmp(mac.data(), bytes.data() + covered, mac.size()) != 0) {
        throw format_error(
            "the artifact's signature does not match: it was changed after signing, or "
            "signed with another key",
            "do not load it; publish it again from a trusted trainer",
            source_position{source, 0, 0, covered});
    }
    return info;
}

/// Verifies the signature (verify_artifact_signature), then decodes (copying).
[[nodiscard]] inline artifact decode_signed_artifact(std::span<const std::byte> bytes,
                                                     std::span<const std::byte> key,
                                                     const decode_options& options = {}) {
    (void)verify_artifact_signature(bytes, key, options.source);
    return decode_artifact(bytes, options);
}

/// Verifies the signature, then decodes in place (as decode_artifact_view).
[[nodiscard]] inline artifact decode_signed_artifact_view(std::span<const std::byte> bytes,
                                                          std::span<const std::byte> key,
                                                          const decode_options& options = {}) {
    (void)verify_artifact_signature(bytes, key, options.source);
    return decode_artifact_view(bytes, options);
}

}  // namespace mlpipe
