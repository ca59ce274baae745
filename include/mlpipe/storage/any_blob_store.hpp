// SPDX-License-Identifier: Apache-2.0
/// @file storage/any_blob_store.hpp `any_blob_store`: a type-erased blob_store handle, chosen at
/// run time from a URI (`mem://`, `file:///path`; `s3://bucket/prefix` with the aws wing).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "../error.hpp"
#include "blob_store.hpp"
#include "file_blob_store.hpp"
#include "memory_blob_store.hpp"
#include "uri.hpp"

namespace mlpipe {

/// A handle to any blob_store. Copies share the same store; the store lives while a handle does.
/// It satisfies blob_store itself, so code written against the concept takes it as well.
/// Thread safety: that of the store inside (every mlpipe store is fully thread-safe).
/// Complexity: one virtual call over the store's own cost.
class any_blob_store {
  public:
    /// Wraps a store shared with the caller.
    template <blob_store Store>
    explicit any_blob_store(std::shared_ptr<Store> store)
        : impl_(std::make_shared<model<Store>>(std::move(store))) {}

    /// Creates a `Store` from `args` and wraps it.
    template <blob_store Store, class... Args>
    [[nodiscard]] static any_blob_store make(Args&&... args) {
        return any_blob_store(std::make_shared<Store>(std::forward<Args>(args)...));
    }

    std::string put(std::string_view key, std::string_view bytes) { return impl_->put(key, bytes); }
    std::optional<std::string> put_if_absent(std::string_view key, std::string_view bytes) {
        return impl_->put_if_absent(key, bytes);
    }
    [[nodiscard]] std::optional<blob> get(std::string_view key) const { return impl_->get(key); }
    std::optional<std::string> compare_and_swap(std::string_view key, std::string_view etag,
                                                std::string_view bytes) {
        return impl_->compare_and_swap(key, etag, bytes);
    }
    [[nodiscard]] blob_page list(std::string_view prefix, std::string_view token,
                                 std::size_t max_keys) const {
        return impl_->list(prefix, token, max_keys);
    }
    void remove(std::string_view key) { impl_->remove(key); }

    /// The store inside when it is a `Store`, else nullptr.
    template <class Store>
    [[nodiscard]] Store* target() const noexcept {
        auto* m = dynamic_cast<model<Store>*>(impl_.get());
        return m ? m->store.get() : nullptr;
    }

  private:
    struct base {
        virtual ~base() = default;
        virtual std::string put(std::string_view, std::string_view) = 0;
        virtual std::optional<std::string> put_if_absent(std::string_view, std::string_view) = 0;
        virtual std::optional<blob> get(std::string_view) = 0;
        virtual std::optional<std::string> compare_and_swap(std::string_view, std::string_view,
                                                            std::string_view) = 0;
        virtual blob_page list(std::string_view, std::string_view, std::size_t) = 0;
        virtual void remove(std::string_view) = 0;
    };
    template <class Store>
    struct model final : base {
        explicit model(std::shared_ptr<Store> s) : store(std::move(s)) {}
        std::string put(std::string_view k, std::string_view b) override {
            return store->put(k, b);
        }
        std::optional<std::string> put_if_absent(std::string_view k, std::string_view b) override {
            return store->put_if_absent(k, b);
        }
        std::optional<blob> get(std::string_view k) override { return store->get(k); }
        std::optional<std::string> compare_and_swap(std::string_view k, std::string_view e,
                                                    std::string_view b) override {
            return store->compare_and_swap(k, e, b);
        }
        blob_page list(std::string_view p, std::string_view t, std::size_t n) override {
            return store->list(p, t, n);
        }
        void remove(std::string_view k) override { store->remove(k); }
        std::shared_ptr<Store> store;
    };

    std::shared_ptr<base> impl_;
};

static_assert(blob_store<any_blob_store>);

/// Makes `scheme://` URIs open with `make` in open_blob_store (wings call this for their schemes).
/// Thread safety: may be called concurrently with open_blob_store.
inline void register_blob_store_scheme(const std::string& scheme,
                                       std::function<any_blob_store(const storage_uri&)> make) {
    detail::scheme_table<any_blob_store>::instance().add(scheme, std::move(make));
}

/// Opens a blob store from a URI:
/// - `mem://` a new, empty memory_blob_store (each call its own);
/// - `file:///absolute/path` (or `file://relative/path`) a file_blob_store in that directory;
///   `?sync=0` turns fsync off (see file_blob_store_options::sync);
/// - `s3://bucket/prefix` once the aws wing is linked.
/// @throws configuration_error for an unknown scheme or a backend that is not linked.
[[nodiscard]] inline any_blob_store open_blob_store(std::string_view uri_text) {
    const storage_uri uri = parse_storage_uri(uri_text);
    if (uri.scheme == "mem") return any_blob_store::make<memory_blob_store>();
    if (uri.scheme == "file") {
        const std::string path = uri.authority.empty() ? uri.path : uri.authority + uri.path;
        if (path.empty()) {
            throw configuration_error("file blob store URI \"" + uri.text + "\" has no path",
                                      "write file:///absolute/path/to/store", "uri");
        }
        file_blob_store_options options;
        options.sync = uri.get("sync", "1") != "0";
        return any_blob_store::make<file_blob_store>(path, options);
    }
    static const std::map<std::string, std::string> wings = {{"s3", "mlpipe::aws"}};
    return detail::scheme_table<any_blob_store>::instance().open(uri, "blob store", wings);
}

}  // namespace mlpipe
