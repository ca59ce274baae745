// SPDX-License-Identifier: Apache-2.0
// Fuzz target of the artifact loader: verify_artifact, decode_artifact, decode_artifact_view.
//
// Each input is decoded as it is (mostly stopped by the checksum) and again with its checksum
// recomputed, so mutations reach the manifest parser and the tensor table checks. Whatever decodes
// must decode the same both ways and survive encode -> decode unchanged. Any exception other than
// mlpipe::error escapes and is reported as a crash.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <span>
#include <vector>

#include <mlpipe/artifact.hpp>

namespace {
void decode_all_ways(std::span<const std::byte> bytes) {
    mlpipe::artifact copied;
    try {
        copied = mlpipe::decode_artifact(bytes);
    } catch (const mlpipe::error&) {
        return;
    }
    try {
        if (!(mlpipe::decode_artifact_view(bytes) == copied)) std::abort();
    } catch (const mlpipe::invalid_input_error&) {
        // The view refuses a misaligned buffer; std::vector's data is aligned, so this is a bug.
        std::abort();
    }
    // Whatever decodes encodes again (the encoder accepts what the decoder accepts) and
    // round-trips.
    const auto again = mlpipe::encode_artifact(copied);
    if (!(mlpipe::decode_artifact(again) == copied)) std::abort();
}
}  // namespace

/// One fuzz input; also called by the corpus replay test.
int mlpipe_fuzz_artifact(const std::uint8_t* data, std::size_t size) {
    std::vector<std::byte> bytes(size);
    if (size != 0) std::memcpy(bytes.data(), data, size);
    decode_all_ways(bytes);
    if (size >= 32) {
        const auto flags = mlpipe::detail::load_le<std::uint32_t>(bytes.data() + 12);
        const std::size_t trailer = (flags & 1u) != 0 ? 48 : 8;
        if (size >= 24 + trailer) {
            const std::size_t at = size - trailer;
            mlpipe::detail::store_le(
                bytes.data() + at,
                mlpipe::detail::xxh64(std::span<const std::byte>(bytes).first(at)));
            decode_all_ways(bytes);
        }
    }
    return 0;
}

#ifdef MLPIPE_FUZZ_ENTRY
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    return mlpipe_fuzz_artifact(data, size);
}
#endif
