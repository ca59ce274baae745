// SPDX-License-Identifier: Apache-2.0
/// @file storage/blob_store.hpp The `blob_store` concept: keyed immutable-or-swappable byte blobs,
/// designed against S3's semantics (create-only puts, conditional puts on an etag, paged listings).
#pragma once

#include <concepts>
#include <cstddef>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "key.hpp"

namespace mlpipe {

/// One stored blob: its bytes and its etag.
struct blob {
    std::string bytes;  ///< the content (any bytes; std::string is only the container)
    std::string etag;   ///< opaque version tag: changes whenever the content changes
};

/// One page of a listing.
struct blob_page {
    std::vector<std::string> keys;  ///< keys in ascending byte order
    /// Pass it back to `list` for the next page; empty when this page is the last one.
    std::string next_token;
};

/// Largest page a listing returns (S3's own limit); larger requests are clamped to it.
inline constexpr std::size_t max_list_page = 1000;

/// A store of byte blobs under validated keys (storage/key.hpp).
///
/// Required expressions, for `s` a `Store&`, `key` and `prefix` `std::string_view`s,
/// `bytes` a `std::string_view`, `etag` and `token` `std::string_view`s, `n` a `std::size_t`:
///
/// - `s.put(key, bytes)` -> `std::string`: creates or replaces the blob atomically; returns its new
///   etag
/// - `s.put_if_absent(key, bytes)` -> `std::optional<std::string>`: creates the blob only if no
///   blob has that key (S3 `If-None-Match: *`); the new etag, or nullopt when the key was taken.
///   Exactly one of several concurrent callers (threads or processes) wins.
/// - `s.get(key)` -> `std::optional<blob>`: bytes and etag, or nullopt when absent; never partial
///   bytes
/// - `s.compare_and_swap(key, etag, bytes)` -> `std::optional<std::string>`: replaces the blob only
///   if its current etag is `etag` (S3 `If-Match`); the new etag, or nullopt when the blob changed
///   or is absent
/// - `s.list(prefix, token, n)` -> `blob_page`: up to `n` (1..max_list_page) keys starting with
///   `prefix`, after the page `token` (empty: from the start), in ascending order
/// - `s.remove(key)` -> `void`: deletes the blob; removing an absent key is not an error (as S3)
///
/// Every member throws invalid_input_error for an invalid key or prefix and storage_error (with
/// the backend's native code) when the backend fails; a failed put leaves the previous blob intact.
/// Etags are opaque: compare them only for equality; two blobs with equal bytes may share an etag.
/// A page token is opaque and valid for the same prefix only.
template <class Store>
concept blob_store = requires(Store& s, std::string_view key, std::string_view bytes,
                              std::string_view etag, std::size_t n) {
    { s.put(key, bytes) } -> std::same_as<std::string>;
    { s.put_if_absent(key, bytes) } -> std::same_as<std::optional<std::string>>;
    { s.get(key) } -> std::same_as<std::optional<blob>>;
    { s.compare_and_swap(key, etag, bytes) } -> std::same_as<std::optional<std::string>>;
    { s.list(key, etag, n) } -> std::same_as<blob_page>;
    { s.remove(key) } -> std::same_as<void>;
};

/// Every key under `prefix`, following the pages (convenience over blob_store::list).
/// Complexity: one list call per max_list_page keys.
template <blob_store Store>
[[nodiscard]] std::vector<std::string> list_all(Store& store, std::string_view prefix) {
    std::vector<std::string> keys;
    std::string token;
    do {
        blob_page page = store.list(prefix, token, max_list_page);
        keys.insert(keys.end(), std::make_move_iterator(page.keys.begin()),
                    std::make_move_iterator(page.keys.end()));
        token = std::move(page.next_token);
    } while (!token.empty());
    return keys;
}

}  // namespace mlpipe
