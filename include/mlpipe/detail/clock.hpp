// SPDX-License-Identifier: Apache-2.0
/// @file detail/clock.hpp Wall-clock time as the registry, the journal and the workers record it.
#pragma once

#include <chrono>
#include <cstdint>
#include <ctime>
#include <string>

namespace mlpipe::detail {

/// Milliseconds since the Unix epoch (UTC).
[[nodiscard]] inline std::int64_t unix_time_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

/// The current UTC time as ISO 8601 with milliseconds: "2026-01-02T03:04:05.678Z".
[[nodiscard]] inline std::string utc_now_iso8601() {
    const auto ms = unix_time_ms();
    const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    ::gmtime_r(&seconds, &tm);
    char text[40];
    const auto n = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &tm);
    std::string out(text, n);
    const auto frac = std::to_string(1000 + ms % 1000).substr(1);
    return out + "." + frac + "Z";
}

}  // namespace mlpipe::detail
