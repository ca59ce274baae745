// SPDX-License-Identifier: Apache-2.0
/// @file storage/memory_data_source.hpp `memory_data_source`: a data_source over datasets held in
/// memory, for tests and examples.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <utility>
#include <vector>

#include "../data/dataset.hpp"
#include "../error.hpp"
#include "data_source.hpp"

namespace mlpipe {

/// A data_source whose data sets are datasets added by name, each with an optional integer
/// watermark per row. Data sets take no parameters.
/// Thread safety: every member may be called concurrently (add included).
/// Complexity: fetch copies the data set; watermark and count_since are linear in its rows.
class memory_data_source {
  public:
    memory_data_source() = default;

    /// Adds or replaces data set `name`.
    /// @param watermarks empty, or one value per row (an increasing id, a timestamp)
    /// @throws invalid_input_error when `watermarks` has the wrong length
    void add(std::string name, dataset<double> data, std::vector<std::int64_t> watermarks = {}) {
        if (!watermarks.empty() &&
            static_cast<Eigen::Index>(watermarks.size()) != data.n_samples()) {
            throw invalid_input_error("data set \"" + name + "\" has " +
                                          std::to_string(data.n_samples()) + " rows but " +
                                          std::to_string(watermarks.size()) + " watermarks",
                                      "give one watermark per row, or none", "watermarks");
        }
        std::unique_lock lock(mutex_);
        sets_[std::move(name)] = entry{std::move(data), std::move(watermarks)};
    }

    /// See data_source.
    [[nodiscard]] fetch_result fetch(const fetch_request& request) const {
        std::shared_lock lock(mutex_);
        const auto& e = find(request);
        return fetch_result{e.data, highest(e)};
    }

    /// See data_source.
    [[nodiscard]] mlpipe::watermark watermark(const fetch_request& request) const {
        std::shared_lock lock(mutex_);
        const auto& e = find(request);
        require_watermarks(request, e);
        return highest(e);
    }

    /// See data_source.
    [[nodiscard]] std::uint64_t count_since(const fetch_request& request,
                                            const mlpipe::watermark& since) const {
        std::shared_lock lock(mutex_);
        const auto& e = find(request);
        require_watermarks(request, e);
        std::uint64_t count = 0;
        for (const auto w : e.watermarks) {
            if (detail::compare_watermarks(mlpipe::watermark{w}, since) > 0) ++count;
        }
        return count;
    }

  private:
    struct entry {
        dataset<double> data;
        std::vector<std::int64_t> watermarks;
    };

    const entry& find(const fetch_request& request) const {
        const auto it = sets_.find(request.dataset);
        if (it == sets_.end()) {
            std::string known;
            for (const auto& [name, e] : sets_)
                known += (known.empty() ? "" : ", ") + name;
            detail::throw_unknown_dataset(request.dataset, known);
        }
        detail::require_no_parameters(request);
        return it->second;
    }

    static void require_watermarks(const fetch_request& request, const entry& e) {
        if (e.watermarks.empty() && e.data.n_samples() > 0) {
            throw invalid_input_error("data set \"" + request.dataset + "\" has no watermark",
                                      "add it with one watermark per row", "watermark");
        }
    }

    static mlpipe::watermark highest(const entry& e) {
        if (e.watermarks.empty()) return std::monostate{};
        std::int64_t top = e.watermarks.front();
        for (const auto w : e.watermarks)
            top = w > top ? w : top;
        return top;
    }

    mutable std::shared_mutex mutex_;
    std::map<std::string, entry, std::less<>> sets_;
};

static_assert(data_source<memory_data_source>);

}  // namespace mlpipe
