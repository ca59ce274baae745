// SPDX-License-Identifier: Apache-2.0
// Tests of artifact/signature.hpp: HMAC-SHA256 signatures, verified before parsing.
#include <cstddef>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <mlpipe/artifact.hpp>
#include <mlpipe/artifact/signature.hpp>

#include "artifact_test_support.hpp"

using Catch::Matchers::Contains;
using mlpipe::key_bytes;
using mlpipe::test::golden_logistic_regression;

namespace {
const std::string signing_key = "0123456789abcdef0123456789abcdef";
const std::string other_key = "fedcba9876543210fedcba9876543210";
}  // namespace

TEST_CASE("HMAC-SHA256 matches RFC 4231 test case 2", "[artifact][signature]") {
    const auto mac =
        mlpipe::detail::hmac_sha256(key_bytes("Jefe"), key_bytes("what do ya want for nothing?"));
    const unsigned char expected[32] = {0x5b, 0xdc, 0xc1, 0x46, 0xbf, 0x60, 0x75, 0x4e,
                                        0x6a, 0x04, 0x24, 0x26, 0x08, 0x95, 0x75, 0xc7,
                                        0x5a, 0x00, 0x3f, 0x08, 0x9d, 0x27, 0x39, 0x83,
                                        0x9d, 0xec, 0x58, 0xb9, 0x64, 0xec, 0x38, 0x43};
    CHECK(std::equal(mac.begin(), mac.end(), expected));
}

TEST_CASE("a signed artifact verifies and decodes, with and without the key",
          "[artifact][signature]") {
    const auto plain = mlpipe::encode_artifact(golden_logistic_regression());
    const auto signed_bytes = mlpipe::sign_artifact(plain, key_bytes(signing_key));
    CHECK(signed_bytes.size() == plain.size() + 40);
    const auto info = mlpipe::verify_artifact_signature(signed_bytes, key_bytes(signing_key));
    CHECK(info.is_signed());
    CHECK(mlpipe::decode_signed_artifact(signed_bytes, key_bytes(signing_key)) ==
          golden_logistic_regression());
    CHECK(mlpipe::decode_signed_artifact_view(signed_bytes, key_bytes(signing_key)) ==
          golden_logistic_regression());
    CHECK(mlpipe::decode_artifact(signed_bytes) == golden_logistic_regression());
    // Signing again replaces the signature.
    const auto resigned = mlpipe::sign_artifact(signed_bytes, key_bytes(other_key));
    CHECK(resigned.size() == signed_bytes.size());
    CHECK_NOTHROW(mlpipe::verify_artifact_signature(resigned, key_bytes(other_key)));
}

TEST_CASE("unsigned, tampered or foreign-key artifacts are refused", "[artifact][signature]") {
    const auto plain = mlpipe::encode_artifact(golden_logistic_regression());
    CHECK_THROWS_WITH(mlpipe::decode_signed_artifact(plain, key_bytes(signing_key)),
                      Contains("not signed"));
    const auto signed_bytes = mlpipe::sign_artifact(plain, key_bytes(signing_key));
    CHECK_THROWS_WITH(mlpipe::verify_artifact_signature(signed_bytes, key_bytes(other_key)),
                      Contains("signature does not match"));

    // A tamperer who fixes the checksum is still caught, wherever the change is.
    const auto info = mlpipe::verify_artifact(signed_bytes);
    for (const std::size_t at :
         {std::size_t{30}, static_cast<std::size_t>(info.data_offset), signed_bytes.size() - 1}) {
        auto tampered = signed_bytes;
        tampered[at] ^= std::byte{1};
        if (at < info.checksum_offset) mlpipe::test::rechecksum(tampered, 48);
        INFO("byte " << at);
        CHECK_THROWS_AS(mlpipe::verify_artifact_signature(tampered, key_bytes(signing_key)),
                        mlpipe::format_error);
    }
    // Stripping the signature and clearing the flag makes an unsigned artifact: refused as such.
    std::vector<std::byte> stripped(signed_bytes.begin(), signed_bytes.end() - 40);
    mlpipe::detail::store_le(stripped.data() + 12, std::uint32_t{0});
    mlpipe::test::rechecksum(stripped);
    CHECK_NOTHROW(mlpipe::decode_artifact(stripped));
    CHECK_THROWS_WITH(mlpipe::decode_signed_artifact(stripped, key_bytes(signing_key)),
                      Contains("not signed"));
}

TEST_CASE("signing needs a key of 16 bytes and a valid artifact", "[artifact][signature]") {
    const auto plain = mlpipe::encode_artifact(golden_logistic_regression());
    CHECK_THROWS_AS(mlpipe::sign_artifact(plain, key_bytes("short")), mlpipe::invalid_input_error);
    CHECK_THROWS_AS(mlpipe::verify_artifact_signature(plain, key_bytes("")),
                    mlpipe::invalid_input_error);
    auto corrupt = plain;
    corrupt[40] ^= std::byte{1};
    CHECK_THROWS_AS(mlpipe::sign_artifact(corrupt, key_bytes(signing_key)), mlpipe::format_error);
}
