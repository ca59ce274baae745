// SPDX-License-Identifier: Apache-2.0
/// @file error.hpp The error hierarchy: one base, `mlpipe::error`, and a few typed children.
///
/// Every mlpipe error carries two parts: the problem (what was wrong) and the remedy (what to do
/// about it). `what()` joins them, prefixed by the place where that helps ("iris.csv:12:3: ...").
/// Catch `mlpipe::error` to catch everything the library throws on purpose.
#pragma once

#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include "config.hpp"

namespace mlpipe {

namespace detail {
MLPIPE_DECL std::string join_message(const std::string& prefix, const std::string& problem,
                                     const std::string& remedy);
}  // namespace detail

/// The kind of an mlpipe error: one value per class of the hierarchy below, so that code which
/// maps errors to exit codes, HTTP statuses, Lambda error types or journal fields switches on
/// `e.kind()` instead of trying one dynamic_cast after another (as nlohmann's errors carry an id).
enum class error_kind {
    error,              ///< mlpipe::error itself
    invalid_input,      ///< invalid_input_error
    not_found,          ///< not_found_error (an invalid_input_error)
    payload_too_large,  ///< payload_too_large_error (an invalid_input_error)
    not_fitted,         ///< not_fitted_error
    format,             ///< format_error
    storage,            ///< storage_error
    queue,              ///< queue_error (a storage_error)
    model_unavailable,  ///< model_unavailable_error (a storage_error)
    configuration,      ///< configuration_error
    cancelled,          ///< training_cancelled
};

/// The kind's name, as the journal, the serving responses and the logs show it ("invalid_input",
/// "not_found", ...).
[[nodiscard]] constexpr std::string_view to_string(error_kind kind) noexcept {
    switch (kind) {
        case error_kind::error:
            return "error";
        case error_kind::invalid_input:
            return "invalid_input";
        case error_kind::not_found:
            return "not_found";
        case error_kind::payload_too_large:
            return "payload_too_large";
        case error_kind::not_fitted:
            return "not_fitted";
        case error_kind::format:
            return "format";
        case error_kind::storage:
            return "storage";
        case error_kind::queue:
            return "queue";
        case error_kind::model_unavailable:
            return "model_unavailable";
        case error_kind::configuration:
            return "configuration";
        case error_kind::cancelled:
            return "cancelled";
    }
    return "error";
}

/// Base of every error mlpipe throws on purpose.
/// Thread safety: immutable after construction; copies share nothing mutable.
class error : public std::runtime_error {
  public:
    /// @param problem what was wrong, e.g. "row 12 has 4 fields but the header has 5"
    /// @param remedy what the caller can do about it, e.g. "fix or remove the row"
    error(std::string problem, std::string remedy)
        : error(std::string{}, std::move(problem), std::move(remedy)) {}

    /// Which class of the hierarchy this is.
    [[nodiscard]] virtual error_kind kind() const noexcept { return error_kind::error; }
    /// Where the problem is, when that helps: the file and place of a format error, the backend of
    /// a storage error, the parameter of an invalid input, the setting of a configuration error;
    /// empty otherwise. `what()` begins with it.
    [[nodiscard]] const std::string& context() const noexcept { return context_; }
    /// What was wrong.
    [[nodiscard]] const std::string& problem() const noexcept { return problem_; }
    /// What to do about it.
    [[nodiscard]] const std::string& remedy() const noexcept { return remedy_; }

  protected:
    error(std::string context, std::string problem, std::string remedy)
        : std::runtime_error(detail::join_message(context, problem, remedy)),
          context_(std::move(context)),
          problem_(std::move(problem)),
          remedy_(std::move(remedy)) {}

  private:
    std::string context_;
    std::string problem_;
    std::string remedy_;
};

/// An argument or input value is unacceptable: a wrong feature count, a NaN, a hyperparameter out
/// of range, an empty data set. `subject()` names the parameter or field when there is one.
class invalid_input_error : public error {
  public:
    [[nodiscard]] error_kind kind() const noexcept override { return error_kind::invalid_input; }
    invalid_input_error(std::string problem, std::string remedy, std::string subject = {})
        : error(subject, std::move(problem), std::move(remedy)), subject_(std::move(subject)) {}
    /// The parameter, field or column concerned; empty when the input as a whole is at fault.
    [[nodiscard]] const std::string& subject() const noexcept { return subject_; }

  private:
    std::string subject_;
};

/// A model was used (predict, save) before it was fitted or loaded.
class not_fitted_error : public error {
  public:
    [[nodiscard]] error_kind kind() const noexcept override { return error_kind::not_fitted; }
    using error::error;
};

/// Where in a file or byte buffer a format error was found. Zero means "not known".
struct source_position {
    std::string source;                ///< file name or a caller-chosen label such as "<memory>"
    std::uint64_t line = 0;            ///< 1-based line (text formats)
    std::uint64_t column = 0;          ///< 1-based column or field number (text formats)
    std::uint64_t offset = no_offset;  ///< byte offset (binary formats)

    static constexpr std::uint64_t no_offset = std::numeric_limits<std::uint64_t>::max();

    /// "file:line:column", "file:line", "file@offset" or "file", depending on what is known.
    [[nodiscard]] std::string to_string() const {
        std::string text = source.empty() ? std::string("<input>") : source;
        if (line != 0) {
            text += ':' + std::to_string(line);
            if (column != 0) text += ':' + std::to_string(column);
        } else if (offset != no_offset) {
            text += " at byte " + std::to_string(offset);
        }
        return text;
    }
};

/// Bytes or text do not follow the expected format: a ragged CSV row, a truncated binary file, a
/// corrupt artifact. `where()` tells the file and the place.
class format_error : public error {
  public:
    [[nodiscard]] error_kind kind() const noexcept override { return error_kind::format; }
    format_error(std::string problem, std::string remedy, source_position where)
        : error(where.to_string(), std::move(problem), std::move(remedy)),
          where_(std::move(where)) {}
    /// The file (or buffer label) and the place in it.
    [[nodiscard]] const source_position& where() const noexcept { return where_; }

  private:
    source_position where_;
};

/// A storage backend (file system, SQLite, S3, PostgreSQL, ...) failed or refused an operation.
/// `backend()` names it, `native_code()` is its own code (errno, SQLite result code, HTTP status).
class storage_error : public error {
  public:
    [[nodiscard]] error_kind kind() const noexcept override { return error_kind::storage; }
    storage_error(std::string problem, std::string remedy, std::string backend,
                  long native_code = 0)
        : error(backend, std::move(problem), std::move(remedy)),
          backend_(std::move(backend)),
          native_code_(native_code) {}
    /// "file", "sqlite", "s3", "postgresql", ...
    [[nodiscard]] const std::string& backend() const noexcept { return backend_; }
    /// The backend's own error code; 0 when there is none.
    [[nodiscard]] long native_code() const noexcept { return native_code_; }

  private:
    std::string backend_;
    long native_code_;
};

/// A message queue failed or refused an operation (a stale lease, an unknown receipt).
class queue_error : public storage_error {
  public:
    [[nodiscard]] error_kind kind() const noexcept override { return error_kind::queue; }
    using storage_error::storage_error;
};

/// The configuration is wrong or incomplete: an unknown URI scheme, a missing setting, a component
/// that was not built. `key()` names the setting.
class configuration_error : public error {
  public:
    [[nodiscard]] error_kind kind() const noexcept override { return error_kind::configuration; }
    configuration_error(std::string problem, std::string remedy, std::string key = {})
        : error(key, std::move(problem), std::move(remedy)), key_(std::move(key)) {}
    /// The setting concerned; empty when none in particular.
    [[nodiscard]] const std::string& key() const noexcept { return key_; }

  private:
    std::string key_;
};

/// A request names a model, alias or version the registry does not hold (HTTP 404 when serving).
/// It is an invalid_input_error, so code that catches bad input catches it too.
class not_found_error : public invalid_input_error {
  public:
    using invalid_input_error::invalid_input_error;
    [[nodiscard]] error_kind kind() const noexcept override { return error_kind::not_found; }
};

/// A request is larger than the limits allow: payload bytes or batch rows (HTTP 413 when serving).
class payload_too_large_error : public invalid_input_error {
  public:
    using invalid_input_error::invalid_input_error;
    [[nodiscard]] error_kind kind() const noexcept override {
        return error_kind::payload_too_large;
    }
};

/// A model version exists but could not be loaded: its bytes are missing, corrupt, fail the
/// deployment's verification, or name an unknown kind (HTTP 503 when serving). `backend()` is
/// "serving" unless the store's own error is passed on.
class model_unavailable_error : public storage_error {
  public:
    using storage_error::storage_error;
    [[nodiscard]] error_kind kind() const noexcept override {
        return error_kind::model_unavailable;
    }
};

/// Thrown when a progress callback asked the trainer to stop (a worker that lost its lease or was
/// told to terminate): nothing was published.
class training_cancelled : public error {
  public:
    explicit training_cancelled(std::string problem)
        : error(std::move(problem), "the request stays queued and will be trained again") {}
    [[nodiscard]] error_kind kind() const noexcept override { return error_kind::cancelled; }
};

#if MLPIPE_DEFINE_FUNCTIONS  // header-only mode, or the compiled library (config.hpp)

namespace detail {

MLPIPE_DECL std::string join_message(const std::string& prefix, const std::string& problem,
                                     const std::string& remedy) {
    std::string text = prefix;
    if (!text.empty()) text += ": ";
    text += problem;
    if (!remedy.empty()) {
        if (!problem.empty() && problem.back() != '.' && problem.back() != '?') text += '.';
        text += ' ';
        text += remedy;
    }
    return text;
}

}  // namespace detail

#endif  // MLPIPE_DEFINE_FUNCTIONS

}  // namespace mlpipe
