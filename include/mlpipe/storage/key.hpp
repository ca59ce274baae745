// SPDX-License-Identifier: Apache-2.0
/// @file storage/key.hpp Validation of blob keys and listing prefixes, shared by every blob store.
///
/// A key is a relative, '/'-separated path of 1 to 1024 bytes: no NUL or control character, no
/// backslash, no leading or trailing '/', no empty segment ("a//b"), no "." or ".." segment, and
/// no segment starting with ".mlpipe" (reserved for the backends' own bookkeeping). The same rules
/// hold for every backend, so a key that works with memory_blob_store works with file_blob_store
/// and S3 alike, and no key can escape a file store's directory.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "../error.hpp"

namespace mlpipe {

/// Longest key accepted (S3's own limit).
inline constexpr std::size_t max_blob_key_size = 1024;

namespace detail {
/// Why `text` is not a valid key (or prefix, when `prefix` is set); empty when it is valid.
[[nodiscard]] inline std::string key_problem(std::string_view text, bool prefix) {
    if (text.empty()) return prefix ? std::string{} : std::string("the key is empty");
    if (text.size() > max_blob_key_size) {
        return "the key is " + std::to_string(text.size()) + " bytes long (at most " +
               std::to_string(max_blob_key_size) + ")";
    }
    for (const char c : text) {
        if (c == '\0') return "the key contains a NUL byte";
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F)
            return "the key contains a control character";
        if (c == '\\') return "the key contains a backslash";
    }
    if (text.front() == '/') return "the key is an absolute path (starts with '/')";
    if (!prefix && text.back() == '/') return "the key ends with '/'";
    std::size_t start = 0;
    while (start <= text.size()) {
        std::size_t stop = text.find('/', start);
        if (stop == std::string_view::npos) stop = text.size();
        const std::string_view segment = text.substr(start, stop - start);
        const bool last = stop == text.size();
        if (segment.empty() && !(prefix && last)) return "the key has an empty segment (\"//\")";
        if (segment == "." || segment == "..") return "the key has a \".\" or \"..\" segment";
        if (segment.substr(0, 7) == ".mlpipe") {
            return "the key has a segment starting with \".mlpipe\" (reserved)";
        }
        start = stop + 1;
    }
    return {};
}
}  // namespace detail

/// True when `key` is a valid blob key (see the file comment for the rules).
/// Thread safety: pure. Complexity: linear in the key's length.
[[nodiscard]] inline bool is_valid_key(std::string_view key) {
    return detail::key_problem(key, false).empty();
}

/// Throws invalid_input_error (subject "key") unless `key` is a valid blob key.
/// Thread safety: pure. Complexity: linear in the key's length.
inline void validate_key(std::string_view key) {
    const std::string problem = detail::key_problem(key, false);
    if (!problem.empty()) {
        std::string shown;
        for (const char c : key.substr(0, 80))
            shown += (c == '\0') ? '?' : c;
        throw invalid_input_error(problem + " in \"" + shown + "\"",
                                  "use a relative path of non-empty segments separated by '/', "
                                  "without \"..\", NUL or backslash, e.g. \"models/iris/v1\"",
                                  "key");
    }
}

/// Throws invalid_input_error (subject "prefix") unless `prefix` is empty or a valid key prefix
/// (the same rules as a key, except that it may end with '/').
inline void validate_prefix(std::string_view prefix) {
    const std::string problem = detail::key_problem(prefix, true);
    if (!problem.empty()) {
        throw invalid_input_error(problem + " (in a listing prefix)",
                                  "give an empty prefix or the beginning of a valid key, e.g. "
                                  "\"models/\"",
                                  "prefix");
    }
}

}  // namespace mlpipe
