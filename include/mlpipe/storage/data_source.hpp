// SPDX-License-Identifier: Apache-2.0
/// @file storage/data_source.hpp The `data_source` concept: named data sets fetched as `dataset`s,
/// with a watermark for retraining triggers.
///
/// A data source serves data sets its configuration defines by name (a `dataset_definition`:
/// where the rows come from, the label column, the feature columns, the watermark column). A
/// request (`fetch_request`) only names a data set and passes parameter values; backends bind the
/// values, never splice them into a query, and only ever read.
#pragma once

#include <concepts>
#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

#include "../data/dataset.hpp"
#include "../error.hpp"

namespace mlpipe {

/// A parameter value or a watermark: nothing, an integer, a real or a text.
using data_value = std::variant<std::monostate, std::int64_t, double, std::string>;

/// The highest value of a data set's watermark column (an increasing id or a timestamp) seen so
/// far; std::monostate means "before any row".
using watermark = data_value;

/// A data set named in a data source's configuration.
struct dataset_definition {
    std::string name;  ///< what requests call it
    /// Where the rows come from: the SQL query for SQL backends (a single SELECT; named parameters
    /// `:name`), the file path for csv_data_source, ignored by memory_data_source.
    std::string source;
    std::string label_column = "label";  ///< empty for unlabelled data
    /// The feature columns in order; empty means every column except the label and watermark ones.
    std::vector<std::string> feature_columns = {};
    /// A column whose value increases with new rows (an id, a timestamp); empty for none.
    std::string watermark_column = {};
};

/// What a caller asks a data source for: a data set by name and the values of its parameters.
struct fetch_request {
    std::string dataset;
    std::map<std::string, data_value> parameters = {};
};

/// What fetch returns: the rows and the watermark of the newest row among them.
struct fetch_result {
    dataset<double> data;
    watermark high_watermark;  ///< monostate without a watermark column or without rows
};

/// A read-only source of named data sets.
///
/// Required expressions, for `s` a `Source&`, `r` a `const fetch_request&`, `w` a
/// `const watermark&`:
///
/// - `s.fetch(r)` -> `fetch_result`: the rows of data set `r.dataset` with `r.parameters` bound, as
///   a dataset<double> (labelled when the definition has a label column), and the highest watermark
///   among them
/// - `s.watermark(r)` -> `watermark`: the highest watermark value of the data set now (monostate
///   when it has no rows)
/// - `s.count_since(r, w)` -> `std::uint64_t`: how many rows have a watermark above `w` (all rows
///   for monostate)
///
/// Throws invalid_input_error for an unknown data set, a missing or unexpected parameter, or a
/// data set without a watermark column (watermark, count_since); format_error for a value that is
/// not a number in a feature column; storage_error when the backend fails.
template <class Source>
concept data_source = requires(Source& s, const fetch_request& r, const watermark& w) {
    { s.fetch(r) } -> std::same_as<fetch_result>;
    { s.watermark(r) } -> std::same_as<watermark>;
    { s.count_since(r, w) } -> std::same_as<std::uint64_t>;
};

namespace detail {

/// Orders two watermarks of the same kind: -1, 0, +1. Integers and reals compare numerically;
/// monostate is below everything.
[[nodiscard]] inline int compare_watermarks(const watermark& a, const watermark& b) {
    if (std::holds_alternative<std::monostate>(a) || std::holds_alternative<std::monostate>(b)) {
        return static_cast<int>(!std::holds_alternative<std::monostate>(a)) -
               static_cast<int>(!std::holds_alternative<std::monostate>(b));
    }
    const auto as_double = [](const watermark& w, double& out) {
        if (const auto* i = std::get_if<std::int64_t>(&w)) {
            out = static_cast<double>(*i);
            return true;
        }
        if (const auto* d = std::get_if<double>(&w)) {
            out = *d;
            return true;
        }
        return false;
    };
    if (std::holds_alternative<std::int64_t>(a) && std::holds_alternative<std::int64_t>(b)) {
        const auto x = std::get<std::int64_t>(a), y = std::get<std::int64_t>(b);
        return (x > y) - (x < y);
    }
    double x = 0, y = 0;
    if (as_double(a, x) && as_double(b, y)) return (x > y) - (x < y);
    if (std::holds_alternative<std::string>(a) && std::holds_alternative<std::string>(b)) {
        const int c = std::get<std::string>(a).compare(std::get<std::string>(b));
        return (c > 0) - (c < 0);
    }
    throw invalid_input_error(
        "cannot compare a text watermark with a number",
        "pass a watermark of the same kind as the data set's watermark column", "watermark");
}

/// Throws invalid_input_error when `request` carries parameters: for sources without any.
inline void require_no_parameters(const fetch_request& request) {
    if (!request.parameters.empty()) {
        throw invalid_input_error("data set \"" + request.dataset + "\" takes no parameters but " +
                                      std::to_string(request.parameters.size()) +
                                      " were given (\"" + request.parameters.begin()->first +
                                      "\", ...)",
                                  "remove the parameters, or define the data set in a source that "
                                  "takes them (SQL)",
                                  "parameters");
    }
}

[[noreturn]] inline void throw_unknown_dataset(const std::string& name, const std::string& known) {
    throw invalid_input_error(
        "no data set named \"" + name + "\" in this data source (it has: " + known + ")",
        "name a data set the worker's configuration defines", "dataset");
}

}  // namespace detail

}  // namespace mlpipe
