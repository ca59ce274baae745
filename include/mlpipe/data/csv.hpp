// SPDX-License-Identifier: Apache-2.0
/// @file data/csv.hpp Reading and writing data sets as CSV (RFC 4180 with a header line).
///
/// The reader is built for speed (hundreds of MB/s of numeric CSV on one core: see
/// bench/csv_bench.cpp) and for clear errors: every format_error names the file, the line, the
/// column number and the column's name.
#pragma once

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <limits>
#include <ostream>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "../config.hpp"
#include "../error.hpp"
#include "dataset.hpp"

namespace mlpipe {

/// What to do with a missing feature value (an empty cell or one of `csv_options::missing_values`).
enum class missing_policy {
    error,  ///< throw format_error naming the cell (the default: nothing is silently invented)
    nan     ///< store NaN, for an imputer to fill in later
};

/// How to read the label column.
enum class label_type {
    automatic,  ///< integers if every label is an integer, strings otherwise
    integer,    ///< every label must be an integer (64-bit)
    string      ///< labels are text, even "1" and "2"
};

/// Options of read_csv and parse_csv.
struct csv_options {
    /// The column holding the class labels; empty for unlabelled data (every other column is a
    /// feature).
    std::string label_column = "label";
    /// Columns to skip (ids, timestamps, free text). Each must exist in the header.
    std::vector<std::string> ignore_columns = {};
    /// Field separator.
    char delimiter = ',';
    /// What to do with missing feature values.
    missing_policy missing = missing_policy::error;
    /// Cell texts (after trimming spaces) that mean "missing"; an empty cell always does.
    std::vector<std::string> missing_values = {"NA", "N/A", "NaN", "nan", "null", "NULL", "?"};
    /// How to read labels.
    label_type labels = label_type::automatic;
};

namespace detail {

inline bool is_csv_space(char c) noexcept {
    return c == ' ' || c == '\t';
}

/// The CSV parser: one pass over the text, numbers parsed in place with std::from_chars.
template <class Scalar>
class csv_parser {
  public:
    csv_parser(std::string_view text, const csv_options& options, std::string source)
        : p_(text.data()),
          end_(text.data() + text.size()),
          options_(options),
          source_(std::move(source)) {
        if (options_.delimiter == '"' || options_.delimiter == '\n' || options_.delimiter == '\r') {
            throw invalid_input_error("CSV delimiter cannot be a quote or a line break",
                                      "use ',', ';', '\\t' or '|'", "delimiter");
        }
        for (const auto& token : options_.missing_values)
            missing_.insert(token);
    }

    dataset<Scalar> parse() {
        static constexpr std::string_view bom = "\xEF\xBB\xBF";
        if (static_cast<std::size_t>(end_ - p_) >= bom.size() &&
            std::string_view(p_, bom.size()) == bom) {
            p_ += bom.size();
        }
        skip_blank_lines();
        if (p_ == end_) {
            fail_at(0, "the file is empty: no header line",
                    "write a header line naming the columns, then one line per row");
        }
        read_header();
        read_rows();
        return finish();
    }

  private:
    enum class role : unsigned char { feature, label, ignore };

    /// Throws format_error at `column` (1-based; 0 for the row as a whole) of the current line.
    /// Inside a data row, a row whose field count differs from the header's is reported as such
    /// first: that is the real fault behind any cell that then looks wrong.
    [[noreturn]] void fail_at(std::size_t column, std::string problem, std::string remedy) const {
        if (row_start_ != nullptr) {
            const std::size_t fields = count_fields(row_start_);
            if (fields != header_.size()) {
                throw format_error(
                    "row has " + std::to_string(fields) + " fields but the header has " +
                        std::to_string(header_.size()),
                    "give every row as many fields as the header (leave missing values "
                    "empty; quote fields that contain the delimiter)",
                    source_position{source_, line_, 0});
            }
        }
        if (column != 0 && column <= header_.size()) {
            problem = "column " + std::to_string(column) + " (\"" + header_[column - 1] +
                      "\"): " + problem;
        }
        throw format_error(std::move(problem), std::move(remedy),
                           source_position{source_, line_, column});
    }

    /// Number of fields of the row starting at `p` (quote-aware); the header's count when a quote
    /// never closes (that fault is reported on its own).
    std::size_t count_fields(const char* p) const noexcept {
        std::size_t fields = 1;
        bool quoted = false;
        for (; p != end_; ++p) {
            if (*p == '"') {
                quoted = !quoted;
            } else if (!quoted && *p == options_.delimiter) {
                ++fields;
            } else if (!quoted && (*p == '\n' || *p == '\r')) {
                break;
            }
        }
        return quoted ? header_.size() : fields;
    }

    bool at_line_end() const noexcept { return p_ == end_ || *p_ == '\n' || *p_ == '\r'; }

    void consume_line_end() noexcept {
        if (p_ != end_ && *p_ == '\r') ++p_;
        if (p_ != end_ && *p_ == '\n') ++p_;
        ++line_;
    }

    void skip_blank_lines() noexcept {
        for (;;) {
            const char* q = p_;
            while (q != end_ && is_csv_space(*q))
                ++q;
            if (q != end_ && (*q == '\n' || *q == '\r')) {
                p_ = q;
                consume_line_end();
                continue;
            }
            if (q == end_) p_ = q;
            return;
        }
    }

    /// Reads one field (quoted or not) starting at p_, leaves p_ on the delimiter or line end.
    /// Returns the unescaped text, trimmed of surrounding spaces when unquoted.
    std::string_view read_field(std::size_t column) {
        while (p_ != end_ && is_csv_space(*p_))
            ++p_;
        if (p_ != end_ && *p_ == '"') return read_quoted(column);
        const char* start = p_;
        while (p_ != end_ && *p_ != options_.delimiter && *p_ != '\n' && *p_ != '\r') {
            if (MLPIPE_UNLIKELY(*p_ == '"')) {
                fail_at(column, "a quote inside an unquoted field",
                        "quote the whole field and double the inner quotes (\"a \"\"b\"\" c\")");
            }
            ++p_;
        }
        const char* stop = p_;
        while (stop != start && is_csv_space(stop[-1]))
            --stop;
        return {start, static_cast<std::size_t>(stop - start)};
    }

    std::string_view read_quoted(std::size_t column) {
        const std::uint64_t start_line = line_;
        ++p_;  // opening quote
        scratch_.clear();
        for (;;) {
            const char* quote =
                static_cast<const char*>(std::memchr(p_, '"', static_cast<std::size_t>(end_ - p_)));
            if (quote == nullptr) {
                line_ = start_line;
                fail_at(column, "a quoted field is never closed", "close the field with a quote");
            }
            line_ += static_cast<std::uint64_t>(std::count(p_, quote, '\n'));
            scratch_.append(p_, quote);
            p_ = quote + 1;
            if (p_ != end_ && *p_ == '"') {
                scratch_.push_back('"');
                ++p_;
                continue;
            }
            break;
        }
        while (p_ != end_ && is_csv_space(*p_))
            ++p_;
        if (!at_line_end() && *p_ != options_.delimiter) {
            fail_at(column, "text after the closing quote of a field",
                    "put the delimiter right after the closing quote, or double quotes inside the "
                    "field");
        }
        return scratch_;
    }

    /// After a field: moves past the delimiter, or checks that the row ends where the header does.
    void end_field(std::size_t column) {
        if (column != header_.size()) {
            if (MLPIPE_UNLIKELY(p_ == end_ || *p_ != options_.delimiter)) {
                fail_at(0, "row ends before the header's last column",
                        "give every row as many fields as the header");
            }
            ++p_;
        } else if (MLPIPE_UNLIKELY(!at_line_end())) {
            fail_at(0, "row goes on after the header's last column",
                    "give every row as many fields as the header");
        }
    }

    void read_header() {
        const std::uint64_t header_line = line_;
        for (;;) {
            const std::size_t column = header_.size() + 1;
            header_.emplace_back(read_field(column));
            if (p_ != end_ && *p_ == options_.delimiter) {
                ++p_;
                continue;
            }
            break;
        }
        consume_line_end();

        std::unordered_map<std::string_view, std::size_t> position;
        for (std::size_t c = 0; c < header_.size(); ++c) {
            if (!position.emplace(header_[c], c).second) {
                line_ = header_line;
                fail_at(c + 1, "this column name appears twice in the header",
                        "give every column a distinct name");
            }
        }
        roles_.assign(header_.size(), role::feature);
        const auto names = [&] {
            std::string text;
            for (const auto& h : header_)
                text += (text.empty() ? "\"" : ", \"") + h + '"';
            return text;
        };
        for (const auto& name : options_.ignore_columns) {
            const auto it = position.find(name);
            if (it == position.end()) {
                throw format_error("ignore_columns names \"" + name +
                                       "\", which is not in the header (" + names() + ")",
                                   "name columns exactly as the header spells them",
                                   source_position{source_, header_line, 0});
            }
            roles_[it->second] = role::ignore;
        }
        if (!options_.label_column.empty()) {
            const auto it = position.find(options_.label_column);
            if (it == position.end()) {
                throw format_error(
                    "no label column \"" + options_.label_column + "\" in the header (" + names() +
                        ")",
                    "set csv_options::label_column to the label column's name, or to "
                    "\"\" for unlabelled data",
                    source_position{source_, header_line, 0});
            }
            if (roles_[it->second] == role::ignore) {
                throw format_error(
                    "the label column \"" + options_.label_column + "\" is also in ignore_columns",
                    "remove it from one of the two", source_position{source_, header_line, 0});
            }
            roles_[it->second] = role::label;
            labelled_ = true;
        }
        for (std::size_t c = 0; c < header_.size(); ++c) {
            if (roles_[c] == role::feature) feature_names_.push_back(header_[c]);
        }
    }

    void store_missing(Scalar* cell, std::size_t column, std::string_view text) {
        if (options_.missing == missing_policy::nan) {
            *cell = std::numeric_limits<Scalar>::quiet_NaN();
            return;
        }
        fail_at(column,
                text.empty() ? std::string("missing value (empty cell)")
                             : "missing value \"" + std::string(text) + "\"",
                "fill it in, or read with csv_options::missing = missing_policy::nan and impute");
    }

    /// Slow path for a feature cell: quoted, missing, '+'-signed, spaced, or not a number.
    void read_feature_slow(Scalar* cell, std::size_t column) {
        const std::string_view text = read_field(column);
        if (text.empty() || missing_.count(text) != 0) {
            store_missing(cell, column, text);
            return;
        }
        std::string_view number = text;
        if (number.size() > 1 && number.front() == '+' && number[1] != '-' && number[1] != '+') {
            number.remove_prefix(1);
        }
        Scalar value{};
        const auto result = std::from_chars(number.data(), number.data() + number.size(), value);
        if (result.ec == std::errc::result_out_of_range) {
            fail_at(column,
                    "value \"" + std::string(text) + "\" is out of range for " + scalar_name(),
                    "rescale the column, or read the data as double");
        }
        if (result.ec != std::errc{} || result.ptr != number.data() + number.size()) {
            fail_at(column, "value \"" + std::string(text) + "\" is not a number",
                    "encode categorical columns as numbers, or list the column in "
                    "csv_options::ignore_columns");
        }
        if (!std::isfinite(value)) {
            fail_at(column, "value \"" + std::string(text) + "\" is not finite",
                    "replace infinities with finite values; write missing values as empty cells");
        }
        *cell = value;
    }

    static std::string scalar_name() { return std::is_same_v<Scalar, float> ? "float" : "double"; }

    void read_rows() {
        const std::size_t d = feature_names_.size();
        // Upper bound on the number of rows: lines left (quoted line breaks only overestimate).
        const auto lines_left = static_cast<std::size_t>(std::count(p_, end_, '\n')) +
                                (p_ != end_ && end_[-1] != '\n' ? 1 : 0);
        features_.resize(static_cast<Eigen::Index>(lines_left), static_cast<Eigen::Index>(d));
        if (labelled_) label_ids_.reserve(lines_left);
        Scalar* out = features_.data();
        const std::size_t columns = header_.size();
        const char delimiter = options_.delimiter;

        for (;;) {
            skip_blank_lines();
            if (p_ == end_) break;
            if (MLPIPE_UNLIKELY(rows_ == lines_left)) {
                fail_at(0, "internal row count exceeded", "report this as a bug in mlpipe");
            }
            row_start_ = p_;
            for (std::size_t c = 0; c < columns; ++c) {
                const std::size_t column = c + 1;
                switch (roles_[c]) {
                    case role::feature: {
                        // Fast path: a plain number followed by the delimiter or the line end.
                        Scalar value{};
                        const auto result = std::from_chars(p_, end_, value);
                        if (MLPIPE_LIKELY(result.ec == std::errc{}) &&
                            (result.ptr == end_ || *result.ptr == delimiter ||
                             *result.ptr == '\n' || *result.ptr == '\r') &&
                            MLPIPE_LIKELY(std::isfinite(value))) {
                            *out = value;
                            p_ = result.ptr;
                        } else {
                            read_feature_slow(out, column);
                        }
                        ++out;
                        break;
                    }
                    case role::label:
                        read_label(column);
                        break;
                    case role::ignore:
                        (void)read_field(column);
                        break;
                }
                end_field(column);
            }
            consume_line_end();
            ++rows_;
        }
        row_start_ = nullptr;
    }

    void read_label(std::size_t column) {
        const std::string_view text = read_field(column);
        if (MLPIPE_UNLIKELY(text.empty())) {
            fail_at(column, "empty label", "give every row a label, or drop unlabelled rows");
        }
        auto it = label_index_.find(text);
        if (it == label_index_.end()) {
            label_texts_.emplace_back(text);
            label_first_line_.push_back(line_);
            it = label_index_
                     .emplace(label_texts_.back(),
                              static_cast<std::int32_t>(label_texts_.size() - 1))
                     .first;
        }
        label_ids_.push_back(it->second);
    }

    static bool parse_integer(std::string_view text, std::int64_t& value) {
        if (text.size() > 1 && text.front() == '+') text.remove_prefix(1);
        const auto result = std::from_chars(text.data(), text.data() + text.size(), value);
        return result.ec == std::errc{} && result.ptr == text.data() + text.size();
    }

    dataset<Scalar> finish() {
        if (static_cast<Eigen::Index>(rows_) != features_.rows()) {
            features_.conservativeResize(static_cast<Eigen::Index>(rows_), features_.cols());
        }
        if (!labelled_) return dataset<Scalar>(std::move(features_), std::move(feature_names_));

        // Map first-seen label ids to sorted class indices.
        std::vector<std::int32_t> class_of(label_texts_.size());
        label_map classes;
        bool integers = options_.labels != label_type::string;
        std::vector<std::int64_t> values(label_texts_.size());
        for (std::size_t k = 0; k < label_texts_.size() && integers; ++k) {
            if (!parse_integer(label_texts_[k], values[k])) {
                if (options_.labels == label_type::integer) {
                    line_ = label_first_line_[k];
                    const auto label_col = static_cast<std::size_t>(
                        std::find(roles_.begin(), roles_.end(), role::label) - roles_.begin() + 1);
                    fail_at(label_col, "label \"" + label_texts_[k] + "\" is not an integer",
                            "use integer labels, or read with csv_options::labels = "
                            "label_type::string");
                }
                integers = false;
            }
        }
        if (integers) {
            classes = label_map::from_integers(values);
            for (std::size_t k = 0; k < values.size(); ++k)
                class_of[k] = *classes.find(values[k]);
        } else {
            classes = label_map::from_strings({label_texts_.begin(), label_texts_.end()});
            for (std::size_t k = 0; k < label_texts_.size(); ++k) {
                class_of[k] = *classes.find(std::string_view(label_texts_[k]));
            }
        }
        class_index_vector targets(static_cast<Eigen::Index>(rows_));
        for (std::size_t i = 0; i < rows_; ++i) {
            targets[static_cast<Eigen::Index>(i)] =
                class_of[static_cast<std::size_t>(label_ids_[i])];
        }
        return dataset<Scalar>(std::move(features_), std::move(targets), std::move(classes),
                               std::move(feature_names_));
    }

    const char* p_;
    const char* end_;
    const csv_options& options_;
    std::string source_;
    std::uint64_t line_ = 1;
    const char* row_start_ = nullptr;  // start of the data row being read, for error reports
    std::unordered_set<std::string_view> missing_;
    std::vector<std::string> header_;
    std::vector<role> roles_;
    std::vector<std::string> feature_names_;
    bool labelled_ = false;
    std::string scratch_;
    feature_matrix<Scalar> features_;
    std::size_t rows_ = 0;
    std::deque<std::string> label_texts_;  // stable addresses for the string_view keys below
    std::vector<std::uint64_t> label_first_line_;
    std::unordered_map<std::string_view, std::int32_t> label_index_;
    std::vector<std::int32_t> label_ids_;
};

}  // namespace detail

/// Parses CSV text already in memory.
/// @param text the whole CSV document: a header line, then one line per row
/// @param source a name for error messages (a file name, "<stdin>", ...)
/// @throws format_error naming source, line and column for any malformed content
/// @throws invalid_input_error for contradictory options
/// Complexity: one pass over the text; memory: the dataset plus one label id per row.
template <class Scalar = double>
[[nodiscard]] dataset<Scalar> parse_csv(std::string_view text, const csv_options& options = {},
                                        std::string source = "<memory>") {
    return detail::csv_parser<Scalar>(text, options, std::move(source)).parse();
}

namespace detail {
/// Reads a whole file into memory. Throws storage_error (backend "file", errno) on failure.
inline std::string read_file_bytes(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        const int code = errno;
        throw storage_error("cannot open " + path.string() +
                                " for reading: " + std::generic_category().message(code),
                            "check that the file exists and is readable", "file", code);
    }
    in.seekg(0, std::ios::end);
    const std::streamoff size = in.tellg();
    in.seekg(0, std::ios::beg);
    std::string bytes;
    if (size > 0) {
        bytes.resize(static_cast<std::size_t>(size));
        in.read(bytes.data(), size);
        if (in.gcount() != size) {
            throw storage_error(
                "could not read all of " + path.string() + " (" + std::to_string(in.gcount()) +
                    " of " + std::to_string(size) + " bytes)",
                "check that the file is not being truncated while it is read", "file", errno);
        }
    }
    return bytes;
}
}  // namespace detail

/// Reads a CSV file. The whole file is read into memory first (peak memory: file + dataset).
/// @throws storage_error when the file cannot be read; format_error (file, line, column) when its
/// content is malformed.
template <class Scalar = double>
[[nodiscard]] dataset<Scalar> read_csv(const std::filesystem::path& path,
                                       const csv_options& options = {}) {
    const std::string bytes = detail::read_file_bytes(path);
    return parse_csv<Scalar>(bytes, options, path.string());
}

namespace detail {
inline void write_csv_field(std::ostream& out, std::string_view text, char delimiter) {
    const bool needs_quotes =
        text.find_first_of(std::string{delimiter, '"', '\n', '\r'}) != std::string_view::npos ||
        (!text.empty() && (is_csv_space(text.front()) || is_csv_space(text.back())));
    if (!needs_quotes) {
        out << text;
        return;
    }
    out << '"';
    for (char c : text) {
        if (c == '"') out << '"';
        out << c;
    }
    out << '"';
}
}  // namespace detail

/// Writes `data` as CSV: a header (feature names, then `label_column` when labelled), then one line
/// per row. Numbers are written in the shortest form that reads back to the same value; NaN is
/// written as an empty cell (read it back with missing_policy::nan).
template <class Scalar>
void write_csv(std::ostream& out, const dataset<Scalar>& data,
               std::string_view label_column = "label", char delimiter = ',') {
    const auto& names = data.feature_names();
    for (std::size_t j = 0; j < names.size(); ++j) {
        if (j) out << delimiter;
        detail::write_csv_field(out, names[j], delimiter);
    }
    if (data.labelled()) {
        if (!names.empty()) out << delimiter;
        detail::write_csv_field(out, label_column, delimiter);
    }
    out << '\n';
    std::vector<std::string> label_names;
    for (std::size_t k = 0; k < data.n_classes(); ++k)
        label_names.push_back(data.classes().name(k));
    char buffer[64];
    std::string line;
    for (Eigen::Index i = 0; i < data.n_samples(); ++i) {
        line.clear();
        for (Eigen::Index j = 0; j < data.n_features(); ++j) {
            if (j) line += delimiter;
            const Scalar v = data.features()(i, j);
            if (std::isnan(v)) continue;
            const auto result = std::to_chars(buffer, buffer + sizeof buffer, v);
            line.append(buffer, result.ptr);
        }
        out << line;
        if (data.labelled()) {
            if (data.n_features() > 0) out << delimiter;
            detail::write_csv_field(out, label_names[static_cast<std::size_t>(data.targets()[i])],
                                    delimiter);
        }
        out << '\n';
    }
    if (!out) {
        throw storage_error("writing CSV failed", "check free disk space and permissions", "file",
                            0);
    }
}

/// Writes `data` as CSV to `path` (replacing the file). See write_csv(std::ostream&, ...).
/// @throws storage_error when the file cannot be written.
template <class Scalar>
void write_csv(const std::filesystem::path& path, const dataset<Scalar>& data,
               std::string_view label_column = "label", char delimiter = ',') {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) {
        const int code = errno;
        throw storage_error("cannot open " + path.string() +
                                " for writing: " + std::generic_category().message(code),
                            "check that the directory exists and is writable", "file", code);
    }
    write_csv(out, data, label_column, delimiter);
    out.flush();
    if (!out) {
        throw storage_error("writing " + path.string() + " failed", "check free disk space", "file",
                            errno);
    }
}

}  // namespace mlpipe
