// SPDX-License-Identifier: Apache-2.0
/// @file serving/serving_error.hpp The errors of the serving floor that need their own type
/// (unknown model or alias, request too large, model that cannot be loaded) and the HTTP-like
/// status and type name every mlpipe error maps to in a response.
#pragma once

#include <exception>
#include <new>
#include <string>
#include <string_view>
#include <utility>

#include "../error.hpp"

namespace mlpipe {

/// A request names a model, alias or version the registry does not hold (HTTP 404). It is an
/// invalid_input_error, so code that catches bad input catches it too.
class not_found_error : public invalid_input_error {
  public:
    using invalid_input_error::invalid_input_error;
};

/// A request is larger than the limits allow: payload bytes or batch rows (HTTP 413).
class payload_too_large_error : public invalid_input_error {
  public:
    using invalid_input_error::invalid_input_error;
};

/// A model version exists but could not be loaded: its bytes are missing, corrupt, fail the
/// deployment's verification, or name an unknown kind (HTTP 503). `backend()` is "serving" unless
/// the store's own error is passed on.
class model_unavailable_error : public storage_error {
  public:
    using storage_error::storage_error;
};

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
    if (dynamic_cast<const not_found_error*>(&e)) return {"not_found", 404};
    if (dynamic_cast<const payload_too_large_error*>(&e)) return {"payload_too_large", 413};
    if (dynamic_cast<const invalid_input_error*>(&e)) return {"invalid_input", 400};
    if (dynamic_cast<const model_unavailable_error*>(&e)) return {"model_unavailable", 503};
    if (dynamic_cast<const storage_error*>(&e)) return {"model_unavailable", 503};
    if (dynamic_cast<const format_error*>(&e)) return {"model_unavailable", 503};
    if (dynamic_cast<const std::bad_alloc*>(&e)) return {"internal", 500};
    return {"internal", 500};
}

}  // namespace mlpipe
