// SPDX-License-Identifier: Apache-2.0
/// @file storage/uri.hpp Storage URIs (`mem://`, `file:///path`, `sqlite:///path.db?queue=q`, ...)
/// and the table of backends that can open them, filled by the core and by linked wings.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "../error.hpp"

namespace mlpipe {

/// A parsed storage URI: `scheme://authority/path?key=value&key=value`.
struct storage_uri {
    std::string text;                          ///< the URI as given
    std::string scheme;                        ///< lower-case: "mem", "file", "sqlite", "s3", ...
    std::string authority;                     ///< host or bucket ("" for file:/// and sqlite:///)
    std::string path;                          ///< "/var/lib/models" for file:///var/lib/models
    std::map<std::string, std::string> query;  ///< decoded key=value pairs

    /// The value of query parameter `key`, or `fallback`.
    [[nodiscard]] std::string get(const std::string& key, std::string fallback = {}) const {
        const auto it = query.find(key);
        return it == query.end() ? std::move(fallback) : it->second;
    }
};

namespace detail {
inline std::string percent_decode(std::string_view text, const std::string& uri) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '%') {
            out += text[i];
            continue;
        }
        const auto hex = [](char c) {
            if (c >= '0' && c <= '9') return c - '0';
            if (c >= 'a' && c <= 'f') return c - 'a' + 10;
            if (c >= 'A' && c <= 'F') return c - 'A' + 10;
            return -1;
        };
        const int hi = i + 2 < text.size() ? hex(text[i + 1]) : -1;
        const int lo = i + 2 < text.size() ? hex(text[i + 2]) : -1;
        if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
            throw configuration_error("bad percent escape in storage URI \"" + uri + "\"",
                                      "write %XX with two hexadecimal digits (not %00)", "uri");
        }
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
    }
    return out;
}
}  // namespace detail

/// Parses `text` as `scheme://authority/path?query`.
/// @throws configuration_error when it has no scheme.
[[nodiscard]] inline storage_uri parse_storage_uri(std::string_view text) {
    storage_uri uri;
    uri.text = std::string(text);
    const auto colon = text.find("://");
    if (colon == std::string_view::npos || colon == 0) {
        throw configuration_error("\"" + uri.text + "\" is not a storage URI (no \"scheme://\")",
                                  "write e.g. mem://, file:///var/lib/mlpipe/models or "
                                  "sqlite:///var/lib/mlpipe/queue.db",
                                  "uri");
    }
    for (const char c : text.substr(0, colon)) {
        const char lower = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
        if (!((lower >= 'a' && lower <= 'z') || (lower >= '0' && lower <= '9') || lower == '+' ||
              lower == '-' || lower == '.')) {
            throw configuration_error("\"" + uri.text + "\" has an invalid scheme",
                                      "write a scheme of letters, digits, '+', '-' or '.'", "uri");
        }
        uri.scheme += lower;
    }
    std::string_view rest = text.substr(colon + 3);
    std::string_view query;
    if (const auto q = rest.find('?'); q != std::string_view::npos) {
        query = rest.substr(q + 1);
        rest = rest.substr(0, q);
    }
    const auto slash = rest.find('/');
    uri.authority = detail::percent_decode(rest.substr(0, slash), uri.text);
    if (slash != std::string_view::npos)
        uri.path = detail::percent_decode(rest.substr(slash), uri.text);
    while (!query.empty()) {
        const auto amp = query.find('&');
        const std::string_view pair = query.substr(0, amp);
        const auto eq = pair.find('=');
        uri.query[detail::percent_decode(pair.substr(0, eq), uri.text)] =
            eq == std::string_view::npos ? std::string{}
                                         : detail::percent_decode(pair.substr(eq + 1), uri.text);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    }
    return uri;
}

namespace detail {

/// The schemes one kind of handle (blob store, queue, data source) can be opened from.
/// Thread safety: registration and lookup may run concurrently.
template <class Handle, class... Args>
class scheme_table {
  public:
    using factory = std::function<Handle(const storage_uri&, Args...)>;

    static scheme_table& instance() {
        static scheme_table table;
        return table;
    }

    void add(const std::string& scheme, factory make) {
        std::lock_guard lock(mutex_);
        factories_[scheme] = std::move(make);
    }

    /// Opens `uri`, or throws configuration_error naming the wing to link for a known scheme
    /// whose backend is not linked, and the known schemes for an unknown one.
    Handle open(const storage_uri& uri, const char* what,
                const std::map<std::string, std::string>& wing_of_scheme, Args... args) const {
        factory make;
        std::string known;
        {
            std::lock_guard lock(mutex_);
            const auto it = factories_.find(uri.scheme);
            if (it != factories_.end()) make = it->second;
            for (const auto& [scheme, f] : factories_)
                known += (known.empty() ? "" : ", ") + scheme;
        }
        if (make) return make(uri, std::forward<Args>(args)...);
        const auto wing = wing_of_scheme.find(uri.scheme);
        if (wing != wing_of_scheme.end()) {
            throw configuration_error(
                std::string(what) + " backend for \"" + uri.scheme +
                    "://\" is not linked into this program",
                "link the " + wing->second + " target and include its header (" +
                    (wing->second == "mlpipe::sqlite" ? std::string("<mlpipe/sqlite.hpp>")
                                                      : std::string("<mlpipe/aws.hpp>")) +
                    "), which registers the scheme",
                "uri");
        }
        throw configuration_error(
            "unknown " + std::string(what) + " URI scheme \"" + uri.scheme + "\" in \"" + uri.text +
                "\"",
            "use one of: " + known + (wing_of_scheme.empty() ? "" : " (or, with a wing: ") +
                [&] {
                    std::string s;
                    for (const auto& [scheme, w] : wing_of_scheme) {
                        s += (s.empty() ? "" : ", ") + scheme;
                    }
                    return s;
                }() +
                (wing_of_scheme.empty() ? "" : ")"),
            "uri");
    }

  private:
    mutable std::mutex mutex_;
    std::map<std::string, factory> factories_;
};

}  // namespace detail

}  // namespace mlpipe
