// SPDX-License-Identifier: Apache-2.0
// Fuzz target of the artifact's human form: parse_artifact_json. Whatever it accepts must encode,
// decode and export again to the same artifact. Any exception other than mlpipe::error escapes and
// is reported as a crash.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include <mlpipe/artifact.hpp>

/// One fuzz input; also called by the corpus replay test.
int mlpipe_fuzz_artifact_json(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    mlpipe::artifact imported;
    try {
        imported = mlpipe::parse_artifact_json(text);
    } catch (const mlpipe::error&) {
        return 0;
    }
    if (!(mlpipe::decode_artifact(mlpipe::encode_artifact(imported)) == imported)) std::abort();
    if (!(mlpipe::parse_artifact_json(mlpipe::artifact_to_json(imported).dump()) == imported))
        std::abort();
    return 0;
}

#ifdef MLPIPE_FUZZ_ENTRY
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    return mlpipe_fuzz_artifact_json(data, size);
}
#endif
