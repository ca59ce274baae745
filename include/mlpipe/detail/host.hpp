// SPDX-License-Identifier: Apache-2.0
/// @file detail/host.hpp Who is running: the host's name, and "host:pid" for a process (the name
/// a worker or a publisher records in claims, leases and audit entries).
#pragma once

#include <string>

#include <unistd.h>

namespace mlpipe::detail {

/// The host's name; empty when the system does not tell.
[[nodiscard]] inline std::string host_name() {
    char name[256] = {};
    if (::gethostname(name, sizeof name - 1) != 0) return {};
    return name;
}

/// "host:pid", naming this process.
[[nodiscard]] inline std::string process_name() {
    return host_name() + ":" + std::to_string(::getpid());
}

}  // namespace mlpipe::detail
