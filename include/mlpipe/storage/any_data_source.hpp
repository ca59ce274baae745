// SPDX-License-Identifier: Apache-2.0
/// @file storage/any_data_source.hpp `any_data_source`: a type-erased data_source handle, chosen at
/// run time from a URI (`file:///dir` for CSV files; `sqlite:///path.db` with the sqlite wing;
/// `postgresql://` with the aws wing) and the data set definitions of the configuration.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "../error.hpp"
#include "csv_data_source.hpp"
#include "data_source.hpp"
#include "memory_data_source.hpp"
#include "uri.hpp"

namespace mlpipe {

/// A handle to any data_source. Copies share the same source. It satisfies data_source itself.
/// Thread safety: that of the source inside (every mlpipe source is fully thread-safe).
class any_data_source {
  public:
    /// Wraps a source shared with the caller.
    template <data_source Source>
    explicit any_data_source(std::shared_ptr<Source> source)
        : impl_(std::make_shared<model<Source>>(std::move(source))) {}

    /// Creates a `Source` from `args` and wraps it.
    template <data_source Source, class... Args>
    [[nodiscard]] static any_data_source make(Args&&... args) {
        return any_data_source(std::make_shared<Source>(std::forward<Args>(args)...));
    }

    [[nodiscard]] fetch_result fetch(const fetch_request& request) const {
        return impl_->fetch(request);
    }
    [[nodiscard]] mlpipe::watermark watermark(const fetch_request& request) const {
        return impl_->watermark(request);
    }
    [[nodiscard]] std::uint64_t count_since(const fetch_request& request,
                                            const mlpipe::watermark& w) const {
        return impl_->count_since(request, w);
    }

    /// The source inside when it is a `Source`, else nullptr.
    template <class Source>
    [[nodiscard]] Source* target() const noexcept {
        auto* m = dynamic_cast<model<Source>*>(impl_.get());
        return m ? m->source.get() : nullptr;
    }

  private:
    struct base {
        virtual ~base() = default;
        virtual fetch_result fetch(const fetch_request&) = 0;
        virtual mlpipe::watermark watermark(const fetch_request&) = 0;
        virtual std::uint64_t count_since(const fetch_request&, const mlpipe::watermark&) = 0;
    };
    template <class Source>
    struct model final : base {
        explicit model(std::shared_ptr<Source> s) : source(std::move(s)) {}
        fetch_result fetch(const fetch_request& r) override { return source->fetch(r); }
        mlpipe::watermark watermark(const fetch_request& r) override {
            return source->watermark(r);
        }
        std::uint64_t count_since(const fetch_request& r, const mlpipe::watermark& w) override {
            return source->count_since(r, w);
        }
        std::shared_ptr<Source> source;
    };

    std::shared_ptr<base> impl_;
};

static_assert(data_source<any_data_source>);

/// Makes `scheme://` URIs open with `make` in open_data_source (wings call this).
inline void register_data_source_scheme(
    const std::string& scheme,
    std::function<any_data_source(const storage_uri&, std::vector<dataset_definition>)> make) {
    detail::scheme_table<any_data_source, std::vector<dataset_definition>>::instance().add(
        scheme, std::move(make));
}

/// Opens a data source from a URI and the data set definitions of the configuration:
/// - `mem://` an empty memory_data_source (definitions must be empty: add data sets in code);
/// - `file:///dir` a csv_data_source; relative `source` paths are resolved against `dir`;
/// - `sqlite:///path.db` with the sqlite wing linked; `postgresql://...` with the aws wing.
/// @throws configuration_error for an unknown scheme or a backend that is not linked.
[[nodiscard]] inline any_data_source open_data_source(std::string_view uri_text,
                                                      std::vector<dataset_definition> definitions) {
    const storage_uri uri = parse_storage_uri(uri_text);
    if (uri.scheme == "mem") {
        if (!definitions.empty()) {
            throw configuration_error(
                "a mem:// data source cannot load data set definitions",
                "use file:///dir (CSV) or sqlite:///path.db, or add datasets to a "
                "memory_data_source in code",
                "uri");
        }
        return any_data_source::make<memory_data_source>();
    }
    if (uri.scheme == "file") {
        const std::filesystem::path dir =
            uri.authority.empty() ? uri.path : uri.authority + uri.path;
        for (auto& d : definitions) {
            if (std::filesystem::path(d.source).is_relative() && !dir.empty())
                d.source = (dir / d.source).string();
        }
        return any_data_source::make<csv_data_source>(std::move(definitions));
    }
    static const std::map<std::string, std::string> wings = {
        {"sqlite", "mlpipe::sqlite"}, {"postgresql", "mlpipe::aws"}, {"postgres", "mlpipe::aws"}};
    return detail::scheme_table<any_data_source, std::vector<dataset_definition>>::instance().open(
        uri, "data source", wings, std::move(definitions));
}

}  // namespace mlpipe
