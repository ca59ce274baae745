// SPDX-License-Identifier: Apache-2.0
/// @file storage/memory_blob_store.hpp `memory_blob_store`: a blob_store in process memory, for
/// tests and single-process experiments.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>

#include "../error.hpp"
#include "blob_store.hpp"
#include "key.hpp"

namespace mlpipe {

/// A blob_store kept in a std::map. Etags are generation numbers: every write gets a new one.
/// Copies share nothing; the store lives as long as the object.
/// Thread safety: every member may be called concurrently (a shared mutex: reads in parallel,
/// writes one at a time).
/// Complexity: O(log n) per get and put; list O(log n + page size).
class memory_blob_store {
  public:
    memory_blob_store() = default;
    memory_blob_store(const memory_blob_store&) = delete;
    memory_blob_store& operator=(const memory_blob_store&) = delete;

    /// See blob_store.
    std::string put(std::string_view key, std::string_view bytes) {
        validate_key(key);
        std::unique_lock lock(mutex_);
        auto& slot = blobs_[std::string(key)];
        slot.bytes.assign(bytes);
        slot.etag = next_etag();
        return slot.etag;
    }

    /// See blob_store.
    std::optional<std::string> put_if_absent(std::string_view key, std::string_view bytes) {
        validate_key(key);
        std::unique_lock lock(mutex_);
        const auto [it, inserted] = blobs_.try_emplace(std::string(key));
        if (!inserted) return std::nullopt;
        it->second.bytes.assign(bytes);
        it->second.etag = next_etag();
        return it->second.etag;
    }

    /// See blob_store.
    [[nodiscard]] std::optional<blob> get(std::string_view key) const {
        validate_key(key);
        std::shared_lock lock(mutex_);
        const auto it = blobs_.find(key);
        if (it == blobs_.end()) return std::nullopt;
        return blob{it->second.bytes, it->second.etag};
    }

    /// See blob_store.
    std::optional<std::string> compare_and_swap(std::string_view key, std::string_view etag,
                                                std::string_view bytes) {
        validate_key(key);
        std::unique_lock lock(mutex_);
        const auto it = blobs_.find(key);
        if (it == blobs_.end() || it->second.etag != etag) return std::nullopt;
        it->second.bytes.assign(bytes);
        it->second.etag = next_etag();
        return it->second.etag;
    }

    /// See blob_store.
    [[nodiscard]] blob_page list(std::string_view prefix, std::string_view token,
                                 std::size_t max_keys) const {
        validate_prefix(prefix);
        if (max_keys == 0) {
            throw invalid_input_error("a listing page of 0 keys", "ask for 1 to 1000 keys",
                                      "max_keys");
        }
        if (max_keys > max_list_page) max_keys = max_list_page;
        std::shared_lock lock(mutex_);
        blob_page page;
        auto it = token.empty() ? blobs_.lower_bound(prefix) : blobs_.upper_bound(token);
        for (; it != blobs_.end() && std::string_view(it->first).substr(0, prefix.size()) == prefix;
             ++it) {
            if (page.keys.size() == max_keys) {
                page.next_token = page.keys.back();
                break;
            }
            page.keys.push_back(it->first);
        }
        return page;
    }

    /// See blob_store.
    void remove(std::string_view key) {
        validate_key(key);
        std::unique_lock lock(mutex_);
        const auto it = blobs_.find(key);
        if (it != blobs_.end()) blobs_.erase(it);
    }

    /// Number of blobs stored.
    [[nodiscard]] std::size_t size() const {
        std::shared_lock lock(mutex_);
        return blobs_.size();
    }

  private:
    struct entry {
        std::string bytes;
        std::string etag;
    };

    std::string next_etag() { return "g" + std::to_string(++generation_); }

    mutable std::shared_mutex mutex_;
    std::map<std::string, entry, std::less<>> blobs_;
    std::uint64_t generation_ = 0;
};

static_assert(blob_store<memory_blob_store>);

}  // namespace mlpipe
