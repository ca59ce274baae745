// SPDX-License-Identifier: Apache-2.0
// Tests of version.hpp: the macros, constants and text agree.
#include <string>

#include <catch2/catch.hpp>

#include <mlpipe/version.hpp>

TEST_CASE("the version text is built from the version macros", "[core][version]") {
    const std::string expected = std::to_string(MLPIPE_VERSION_MAJOR) + "." +
                                 std::to_string(MLPIPE_VERSION_MINOR) + "." +
                                 std::to_string(MLPIPE_VERSION_PATCH);
    CHECK(mlpipe::version() == expected);
    CHECK(MLPIPE_VERSION ==
          mlpipe::version_major * 10000 + mlpipe::version_minor * 100 + mlpipe::version_patch);
}
