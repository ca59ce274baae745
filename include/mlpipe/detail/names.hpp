// SPDX-License-Identifier: Apache-2.0
/// @file detail/names.hpp The rule for the names users give things: models, aliases, data sets.
/// They become parts of storage keys, so the rule keeps them safe there.
#pragma once

#include <string>
#include <string_view>

#include "../error.hpp"

namespace mlpipe::detail {

/// Throws invalid_input_error (subject `what`) unless `name` is 1 to 128 of [A-Za-z0-9._-], not
/// starting with '.' or '-'. `what` is "model", "alias", "dataset", ...
inline void validate_name(std::string_view name, const char* what) {
    bool ok = !name.empty() && name.size() <= 128 && name.front() != '.' && name.front() != '-';
    for (const char c : name) {
        ok = ok && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-');
    }
    if (!ok) {
        throw invalid_input_error(
            std::string(what) + " name \"" + std::string(name.substr(0, 64)) + "\" is not valid",
            "use 1 to 128 letters, digits, '.', '_' or '-', not starting with '.' "
            "or '-'",
            what);
    }
}

}  // namespace mlpipe::detail
