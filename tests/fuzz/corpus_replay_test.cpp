// SPDX-License-Identifier: Apache-2.0
// Replays the fuzz corpora of tests/fuzz/corpus/ through the fuzz targets as ordinary tests, so
// every build (not only clang's fuzzing build) proves the inputs that once mattered still pass.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

int mlpipe_fuzz_artifact(const std::uint8_t* data, std::size_t size);
int mlpipe_fuzz_artifact_json(const std::uint8_t* data, std::size_t size);
int mlpipe_fuzz_request_codec(const std::uint8_t* data, std::size_t size);

namespace {
/// Runs every file of corpus/<name> through `target`; returns how many there were.
std::size_t replay(const std::string& name, int (*target)(const std::uint8_t*, std::size_t)) {
    std::size_t count = 0;
    const auto dir = std::filesystem::path(MLPIPE_FUZZ_CORPUS_DIR) / name;
    for (const auto& file : std::filesystem::directory_iterator(dir)) {
        if (!file.is_regular_file()) continue;
        std::ifstream in(file.path(), std::ios::binary);
        const std::vector<char> bytes((std::istreambuf_iterator<char>(in)),
                                      std::istreambuf_iterator<char>());
        INFO(file.path().string());
        CHECK(target(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()) == 0);
        ++count;
    }
    return count;
}
}  // namespace

TEST_CASE("the artifact loader's fuzz corpus replays without a crash", "[fuzz][artifact]") {
    CHECK(replay("artifact", mlpipe_fuzz_artifact) >= 8);
    // The empty input too.
    CHECK(mlpipe_fuzz_artifact(nullptr, 0) == 0);
}

TEST_CASE("the artifact JSON import's fuzz corpus replays without a crash", "[fuzz][artifact]") {
    CHECK(replay("artifact_json", mlpipe_fuzz_artifact_json) >= 6);
}

TEST_CASE("the serving request codec's fuzz corpus replays without a crash", "[fuzz][serving]") {
    CHECK(replay("request_codec", mlpipe_fuzz_request_codec) >= 10);
    CHECK(mlpipe_fuzz_request_codec(nullptr, 0) == 0);
}
