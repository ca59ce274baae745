// SPDX-License-Identifier: Apache-2.0
/// @file version.hpp The library version: the one place it is written (CMake reads it from here).
#pragma once

#include <string_view>

#define MLPIPE_VERSION_MAJOR 0
#define MLPIPE_VERSION_MINOR 1
#define MLPIPE_VERSION_PATCH 0

/// The version as one comparable number: major * 10000 + minor * 100 + patch.
#define MLPIPE_VERSION \
    (MLPIPE_VERSION_MAJOR * 10000 + MLPIPE_VERSION_MINOR * 100 + MLPIPE_VERSION_PATCH)

namespace mlpipe {

/// Major version: changes break source or artifact compatibility.
inline constexpr int version_major = MLPIPE_VERSION_MAJOR;
/// Minor version: new features, nothing broken.
inline constexpr int version_minor = MLPIPE_VERSION_MINOR;
/// Patch version: fixes only.
inline constexpr int version_patch = MLPIPE_VERSION_PATCH;

namespace detail {
#define MLPIPE_DETAIL_STR2(x) #x
#define MLPIPE_DETAIL_STR(x) MLPIPE_DETAIL_STR2(x)
inline constexpr std::string_view version_text =
    MLPIPE_DETAIL_STR(MLPIPE_VERSION_MAJOR) "." MLPIPE_DETAIL_STR(
        MLPIPE_VERSION_MINOR) "." MLPIPE_DETAIL_STR(MLPIPE_VERSION_PATCH);
#undef MLPIPE_DETAIL_STR
#undef MLPIPE_DETAIL_STR2
}  // namespace detail

/// The version as text, "MAJOR.MINOR.PATCH".
/// Thread safety: a constant.
[[nodiscard]] constexpr std::string_view version() noexcept {
    return detail::version_text;
}

}  // namespace mlpipe
