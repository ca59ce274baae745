// SPDX-License-Identifier: Apache-2.0
/// @file serving/serving_error.hpp The HTTP-like status and type name every error maps to in a
/// response (the serving floor's own errors, not_found_error, payload_too_large_error and
/// model_unavailable_error, are in error.hpp with the others).
#pragma once

#include <exception>
#include <string>
#include <string_view>
#include <utility>

#include "../error.hpp"

namespace mlpipe {

/// How an error shows in a response: a type name and an HTTP-like status.
struct error_status {
    std::string_view type;  ///< "invalid_input", "not_found", "payload_too_large", ...
    int status = 500;       ///< 400, 404, 413, 500 or 503
};

/// The type name and status of the exception `e`: not_found_error 404, payload_too_large_error
/// 413, other invalid_input_error 400, model_unavailable_error, storage_error and format_error
/// (a stored artifact that does not decode) 503, everything else 500.
/// Thread safety: pure function.
[[nodiscard]] inline error_status status_of(const std::exception& e) noexcept {
    const auto* mlpipe_error = dynamic_cast<const error*>(&e);
    if (mlpipe_error == nullptr) return {"internal", 500};
    switch (mlpipe_error->kind()) {
        case error_kind::not_found:
            return {"not_found", 404};
        case error_kind::payload_too_large:
            return {"payload_too_large", 413};
        case error_kind::invalid_input:
            return {"invalid_input", 400};
        case error_kind::model_unavailable:
        case error_kind::storage:
        case error_kind::queue:
        case error_kind::format:
            return {"model_unavailable", 503};
        case error_kind::error:
        case error_kind::not_fitted:
        case error_kind::configuration:
        case error_kind::cancelled:
            return {"internal", 500};
    }
    return {"internal", 500};
}

}  // namespace mlpipe
