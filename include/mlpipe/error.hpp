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
#include <utility>

#include "config.hpp"

namespace mlpipe {

namespace detail {
MLPIPE_DECL std::string join_message(const std::string& prefix, const std::string& problem,
                                     const std::string& remedy);
}  // namespace detail

/// Base of every error mlpipe throws on purpose.
/// Thread safety: immutable after construction; copies share nothing mutable.
class error : public std::runtime_error {
  public:
    /// @param problem what was wrong, e.g. "row 12 has 4 fields but the header has 5"
    /// @param remedy what the caller can do about it, e.g. "fix or remove the row"
    error(std::string problem, std::string remedy)
        : error(std::string{}, std::move(problem), std::move(remedy)) {}

    /// What was wrong.
    [[nodiscard]] const std::string& problem() const noexcept { return problem_; }
    /// What to do about it.
    [[nodiscard]] const std::string& remedy() const noexcept { return remedy_; }

  protected:
    error(const std::string& prefix, std::string problem, std::string remedy)
        : std::runtime_error(detail::join_message(prefix, problem, remedy)),
          problem_(std::move(problem)),
          remedy_(std::move(remedy)) {}

  private:
    std::string problem_;
    std::string remedy_;
};

/// An argument or input value is unacceptable: a wrong feature count, a NaN, a hyperparameter out
/// of range, an empty data set. `subject()` names the parameter or field when there is one.
class invalid_input_error : public error {
  public:
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
    using storage_error::storage_error;
};

/// The configuration is wrong or incomplete: an unknown URI scheme, a missing setting, a component
/// that was not built. `key()` names the setting.
class configuration_error : public error {
  public:
    configuration_error(std::string problem, std::string remedy, std::string key = {})
        : error(key, std::move(problem), std::move(remedy)), key_(std::move(key)) {}
    /// The setting concerned; empty when none in particular.
    [[nodiscard]] const std::string& key() const noexcept { return key_; }

  private:
    std::string key_;
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
