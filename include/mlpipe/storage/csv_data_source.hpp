// SPDX-License-Identifier: Apache-2.0
/// @file storage/csv_data_source.hpp `csv_data_source`: a data_source over CSV files, for quick
/// starts (each data set is one file, read with mlpipe::read_csv).
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "../data/csv.hpp"
#include "../data/dataset.hpp"
#include "../error.hpp"
#include "data_source.hpp"

namespace mlpipe {

/// A data_source whose data sets are CSV files: `dataset_definition::source` is the path. The
/// label column (if any) becomes the labels; the feature columns (or every other column) the
/// features; the watermark column (if any, numeric) is read apart and never a feature unless
/// listed. Data sets take no parameters. Files are re-read on every call, so rows appended to a
/// file show up in the next fetch and count_since.
/// Thread safety: every member may be called concurrently (the object is immutable).
/// Complexity: each call reads and parses the whole file (see read_csv).
class csv_data_source {
  public:
    /// @param definitions the data sets, by name (sources are file paths)
    /// @param options CSV options (delimiter, missing values); label and ignored columns are
    ///                derived from each definition
    /// @throws configuration_error for a duplicate or empty name
    explicit csv_data_source(std::vector<dataset_definition> definitions, csv_options options = {})
        : definitions_(std::move(definitions)), options_(std::move(options)) {
        for (std::size_t i = 0; i < definitions_.size(); ++i) {
            if (definitions_[i].name.empty() || definitions_[i].source.empty()) {
                throw configuration_error("a CSV data set definition without a name or a file path",
                                          "give each data set a name and a file", "datasets");
            }
            for (std::size_t j = 0; j < i; ++j) {
                if (definitions_[j].name == definitions_[i].name) {
                    throw configuration_error(
                        "data set \"" + definitions_[i].name + "\" is defined twice",
                        "give each data set a distinct name", "datasets");
                }
            }
        }
    }

    /// See data_source.
    [[nodiscard]] fetch_result fetch(const fetch_request& request) const {
        auto loaded = load(find(request));
        return fetch_result{std::move(loaded.data), highest(loaded.watermarks)};
    }

    /// See data_source.
    [[nodiscard]] mlpipe::watermark watermark(const fetch_request& request) const {
        const auto& definition = find(request);
        require_watermark(definition);
        return highest(load(definition).watermarks);
    }

    /// See data_source.
    [[nodiscard]] std::uint64_t count_since(const fetch_request& request,
                                            const mlpipe::watermark& since) const {
        const auto& definition = find(request);
        require_watermark(definition);
        std::uint64_t count = 0;
        for (const double w : load(definition).watermarks) {
            if (detail::compare_watermarks(as_watermark(w), since) > 0) ++count;
        }
        return count;
    }

  private:
    struct loaded_set {
        dataset<double> data;
        std::vector<double> watermarks;
    };

    const dataset_definition& find(const fetch_request& request) const {
        for (const auto& d : definitions_) {
            if (d.name == request.dataset) {
                detail::require_no_parameters(request);
                return d;
            }
        }
        std::string known;
        for (const auto& d : definitions_)
            known += (known.empty() ? "" : ", ") + d.name;
        detail::throw_unknown_dataset(request.dataset, known);
    }

    static void require_watermark(const dataset_definition& d) {
        if (d.watermark_column.empty()) {
            throw invalid_input_error("data set \"" + d.name + "\" has no watermark column",
                                      "set dataset_definition::watermark_column", "watermark");
        }
    }

    static mlpipe::watermark as_watermark(double w) {
        if (std::nearbyint(w) == w && std::fabs(w) < 9.0e15) return static_cast<std::int64_t>(w);
        return w;
    }

    static mlpipe::watermark highest(const std::vector<double>& values) {
        if (values.empty()) return std::monostate{};
        return as_watermark(*std::max_element(values.begin(), values.end()));
    }

    loaded_set load(const dataset_definition& d) const {
        const std::string bytes = detail::read_file_bytes(d.source);
        // The header alone (no rows) gives the column names.
        csv_options header_options = options_;
        header_options.label_column.clear();
        header_options.ignore_columns.clear();
        const auto header_end = bytes.find('\n');
        const auto header = parse_csv<double>(
            std::string_view(bytes).substr(
                0, header_end == std::string::npos ? bytes.size() : header_end + 1),
            header_options, d.source);
        std::vector<std::string> features = d.feature_columns;
        if (features.empty()) {
            for (const auto& name : header.feature_names()) {
                if (name != d.label_column && name != d.watermark_column) features.push_back(name);
            }
        }
        csv_options options = options_;
        options.label_column = d.label_column;
        options.ignore_columns.clear();
        for (const auto& name : header.feature_names()) {
            const bool wanted = name == d.label_column || name == d.watermark_column ||
                                std::find(features.begin(), features.end(), name) != features.end();
            if (!wanted) options.ignore_columns.push_back(name);
        }
        for (const auto& name : features) {
            if (std::find(header.feature_names().begin(), header.feature_names().end(), name) ==
                header.feature_names().end()) {
                throw invalid_input_error("feature column \"" + name + "\" is not in " + d.source,
                                          "fix dataset_definition::feature_columns",
                                          "feature_columns");
            }
        }
        auto all = parse_csv<double>(bytes, options, d.source);
        // Pick the feature columns in the definition's order; read the watermark column apart.
        const auto& names = all.feature_names();
        const auto column_of = [&](const std::string& name) {
            return static_cast<Eigen::Index>(std::find(names.begin(), names.end(), name) -
                                             names.begin());
        };
        const Eigen::Index n = all.n_samples();
        feature_matrix<double> x(n, static_cast<Eigen::Index>(features.size()));
        for (std::size_t j = 0; j < features.size(); ++j) {
            x.col(static_cast<Eigen::Index>(j)) = all.features().col(column_of(features[j]));
        }
        loaded_set out;
        if (!d.watermark_column.empty()) {
            const auto w = column_of(d.watermark_column);
            if (w == static_cast<Eigen::Index>(names.size())) {
                throw invalid_input_error(
                    "watermark column \"" + d.watermark_column + "\" is not in " + d.source,
                    "fix dataset_definition::watermark_column", "watermark_column");
            }
            out.watermarks.resize(static_cast<std::size_t>(n));
            for (Eigen::Index i = 0; i < n; ++i)
                out.watermarks[static_cast<std::size_t>(i)] = all.features()(i, w);
        }
        out.data = all.labelled()
                       ? dataset<double>(std::move(x), all.targets(), all.classes(), features)
                       : dataset<double>(std::move(x), features);
        return out;
    }

    std::vector<dataset_definition> definitions_;
    csv_options options_;
};

static_assert(data_source<csv_data_source>);

}  // namespace mlpipe
