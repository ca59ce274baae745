// SPDX-License-Identifier: Apache-2.0
/// @file sqlite/sqlite_data_source.hpp `sqlite_data_source`: a read-only data_source over an SQLite
/// file whose data sets are SQL queries defined by name in the configuration.
///
/// Safety: the connection is opened with SQLITE_OPEN_READONLY and `PRAGMA query_only`; every
/// definition must be a single statement that sqlite3_stmt_readonly() accepts; request parameters
/// are bound to the query's named parameters (`:name`, `@name`, `$name`), never spliced into SQL,
/// so a value such as `x'; DROP TABLE t; --` is matched literally.
/// Speed: rows are stepped straight into one growing buffer of doubles (no allocation per row for
/// numeric features and integer labels), then moved into the dataset's matrix.
#pragma once

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <limits>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "../data/csv.hpp"
#include "../data/dataset.hpp"
#include "../error.hpp"
#include "../storage/data_source.hpp"
#include "connection.hpp"

namespace mlpipe::sqlite {

/// Options of sqlite_data_source.
struct sqlite_data_source_options {
    /// How long to wait when a writer holds the database (rollback-journal databases only; WAL
    /// readers never wait).
    std::chrono::milliseconds busy_timeout{std::chrono::seconds(30)};
    /// What a NULL in a feature column becomes: an error naming the row (default) or NaN.
    missing_policy missing = missing_policy::error;
};

/// A read-only data_source over an SQLite database (see the file comment).
/// Thread safety: every member may be called concurrently (one connection behind a mutex, so
/// fetches run one at a time).
/// Complexity: fetch is one pass over the query's rows; watermark and count_since are one
/// aggregate query each.
class sqlite_data_source {
  public:
    /// Opens `path` read-only and checks every definition (single read-only statement; label,
    /// feature and watermark columns present in its result).
    /// @throws storage_error when the file cannot be opened; configuration_error for a bad
    ///         definition (naming the data set)
    sqlite_data_source(const std::filesystem::path& path,
                       std::vector<dataset_definition> definitions,
                       sqlite_data_source_options options = {})
        : options_(options) {
        if (!std::filesystem::exists(path)) {
            throw storage_error("SQLite database " + path.string() + " does not exist",
                                "check the path (a data source never creates a database)", "sqlite",
                                SQLITE_CANTOPEN);
        }
        db_ = connection::open(path.string(), SQLITE_OPEN_READONLY, options_.busy_timeout);
        db_.exec("PRAGMA query_only = 1");
        for (auto& d : definitions)
            add(std::move(d));
    }

    /// See data_source.
    [[nodiscard]] fetch_result fetch(const fetch_request& request) {
        std::lock_guard lock(mutex_);
        auto& set = find(request.dataset);
        bind(set, set.query, request);
        return read_rows(set);
    }

    /// See data_source.
    [[nodiscard]] mlpipe::watermark watermark(const fetch_request& request) {
        std::lock_guard lock(mutex_);
        auto& set = find(request.dataset);
        require_watermark(set);
        bind(set, set.max_watermark, request);
        mlpipe::watermark w;
        if (set.max_watermark.step()) w = read_value(set.max_watermark, 0);
        set.max_watermark.reset();
        return w;
    }

    /// See data_source.
    [[nodiscard]] std::uint64_t count_since(const fetch_request& request,
                                            const mlpipe::watermark& since) {
        std::lock_guard lock(mutex_);
        auto& set = find(request.dataset);
        require_watermark(set);
        bind(set, set.count_since, request);
        set.count_since.bind(sqlite3_bind_parameter_index(set.count_since.get(), ":mlpipe_since"),
                             since);
        std::uint64_t n = 0;
        if (set.count_since.step()) n = static_cast<std::uint64_t>(set.count_since.column_int64(0));
        set.count_since.reset();
        return n;
    }

  private:
    struct prepared_set {
        dataset_definition definition;
        statement query, max_watermark, count_since;
        std::vector<std::string> parameters;  // names without the prefix character
        std::vector<int> feature_columns;
        std::vector<std::string> feature_names;
        int label_column = -1;
        int watermark_column = -1;
    };

    [[noreturn]] static void bad_definition(const std::string& name, const std::string& problem,
                                            const std::string& remedy) {
        throw configuration_error("data set \"" + name + "\": " + problem, remedy,
                                  "datasets." + name);
    }

    static std::string quoted_identifier(std::string_view name) {
        std::string out = "\"";
        for (const char c : name) {
            if (c == '"') out += '"';
            out += c;
        }
        return out + "\"";
    }

    void add(dataset_definition d) {
        if (d.name.empty()) bad_definition("", "no name", "give every data set a name");
        if (sets_.count(d.name) != 0)
            bad_definition(d.name, "defined twice", "give each data set a distinct name");
        // Strip trailing blanks and semicolons so the query can be wrapped in the aggregates below.
        std::string sql = d.source;
        while (!sql.empty() &&
               (std::isspace(static_cast<unsigned char>(sql.back())) || sql.back() == ';'))
            sql.pop_back();
        if (sql.empty())
            bad_definition(d.name, "no SQL query", "set dataset_definition::source to a SELECT");
        prepared_set set;
        std::string_view tail;
        try {
            set.query = statement(db_.get(), sql, &tail);
        } catch (const storage_error& e) {
            bad_definition(d.name, e.problem(), "fix the SQL of the data set");
        }
        if (tail.find_first_not_of(" \t\r\n;") != std::string_view::npos) {
            bad_definition(d.name, "the SQL holds more than one statement",
                           "define each data set with a single SELECT");
        }
        if (!set.query || sqlite3_stmt_readonly(set.query.get()) == 0) {
            bad_definition(d.name, "the SQL is not a read-only query",
                           "define data sets with SELECT only");
        }
        const int n_params = sqlite3_bind_parameter_count(set.query.get());
        for (int i = 1; i <= n_params; ++i) {
            const char* name = sqlite3_bind_parameter_name(set.query.get(), i);
            if (name == nullptr || name[0] == '?') {
                bad_definition(d.name, "the SQL has an unnamed parameter (\"?\")",
                               "name every parameter, e.g. \":since\"");
            }
            if (std::string_view(name + 1).substr(0, 6) == "mlpipe") {
                bad_definition(
                    d.name,
                    std::string("parameter \"") + name + "\" uses the reserved prefix \"mlpipe\"",
                    "rename the parameter");
            }
            set.parameters.emplace_back(name + 1);
        }
        // Resolve the columns by name.
        const int n_columns = sqlite3_column_count(set.query.get());
        std::vector<std::string> columns;
        for (int c = 0; c < n_columns; ++c)
            columns.emplace_back(sqlite3_column_name(set.query.get(), c));
        const auto column_of = [&](const std::string& name, const char* role) {
            const auto it = std::find(columns.begin(), columns.end(), name);
            if (it == columns.end()) {
                bad_definition(
                    d.name,
                    std::string(role) + " column \"" + name + "\" is not in the query's result",
                    "select it, or fix the column's name in the definition");
            }
            return static_cast<int>(it - columns.begin());
        };
        if (!d.label_column.empty()) set.label_column = column_of(d.label_column, "label");
        if (!d.watermark_column.empty())
            set.watermark_column = column_of(d.watermark_column, "watermark");
        if (d.feature_columns.empty()) {
            for (int c = 0; c < n_columns; ++c) {
                if (c != set.label_column && c != set.watermark_column) {
                    set.feature_columns.push_back(c);
                    set.feature_names.push_back(columns[static_cast<std::size_t>(c)]);
                }
            }
        } else {
            for (const auto& name : d.feature_columns) {
                set.feature_columns.push_back(column_of(name, "feature"));
                set.feature_names.push_back(name);
            }
        }
        if (set.watermark_column >= 0) {
            const std::string w = quoted_identifier(d.watermark_column);
            set.max_watermark = statement(db_.get(), "SELECT max(" + w + ") FROM (" + sql + ")");
            set.count_since = statement(db_.get(), "SELECT count(*) FROM (" + sql +
                                                       ") WHERE :mlpipe_since IS NULL OR " + w +
                                                       " > :mlpipe_since");
        }
        set.definition = std::move(d);
        const std::string key = set.definition.name;
        sets_.emplace(key, std::move(set));
    }

    prepared_set& find(const std::string& name) {
        const auto it = sets_.find(name);
        if (it == sets_.end()) {
            std::string known;
            for (const auto& [n, s] : sets_)
                known += (known.empty() ? "" : ", ") + n;
            mlpipe::detail::throw_unknown_dataset(name, known);
        }
        return it->second;
    }

    static void require_watermark(const prepared_set& set) {
        if (set.watermark_column < 0) {
            throw invalid_input_error(
                "data set \"" + set.definition.name + "\" has no watermark column",
                "set dataset_definition::watermark_column", "watermark");
        }
    }

    /// Binds the request's parameters by name; every parameter must be given, and nothing else.
    static void bind(const prepared_set& set, statement& s, const fetch_request& request) {
        s.reset();
        for (const auto& [name, value] : request.parameters) {
            if (std::find(set.parameters.begin(), set.parameters.end(), name) ==
                set.parameters.end()) {
                throw invalid_input_error(
                    "data set \"" + set.definition.name + "\" has no parameter \"" + name + "\"",
                    "pass only the parameters its query names", "parameters");
            }
        }
        for (const auto& name : set.parameters) {
            const auto it = request.parameters.find(name);
            if (it == request.parameters.end()) {
                throw invalid_input_error(
                    "data set \"" + set.definition.name + "\" needs parameter \"" + name + "\"",
                    "pass a value for it in the request", "parameters");
            }
            for (const char prefix : {':', '@', '$'}) {
                const int index = sqlite3_bind_parameter_index(s.get(), (prefix + name).c_str());
                if (index > 0) s.bind(index, it->second);
            }
        }
    }

    static mlpipe::watermark read_value(const statement& s, int column) {
        switch (s.column_type(column)) {
            case SQLITE_INTEGER:
                return s.column_int64(column);
            case SQLITE_FLOAT:
                return s.column_double(column);
            case SQLITE_NULL:
                return std::monostate{};
            default:
                return std::string(s.column_text(column));
        }
    }

    struct string_hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const noexcept {
            return std::hash<std::string_view>{}(s);
        }
    };

    fetch_result read_rows(prepared_set& set) {
        statement& s = set.query;
        const std::size_t d = set.feature_columns.size();
        const bool labelled = set.label_column >= 0;
        std::vector<double> values;
        values.reserve(d * 4096);
        std::vector<std::int64_t> int_labels;      // while every label is an integer
        std::vector<std::int32_t> text_label_ids;  // once a text label was seen
        std::unordered_map<std::string, std::int32_t, string_hash, std::equal_to<>> text_ids;
        std::vector<std::string> texts;
        bool text_mode = false;
        // Watermark maxima by SQLite type (any text sorts above any number, as in SQLite).
        bool have_int = false, have_real = false, have_text = false;
        std::int64_t max_int = 0;
        double max_real = 0;
        std::string max_text;
        std::uint64_t row = 0;
        const auto fail = [&](int column, const std::string& problem, const std::string& remedy) {
            throw format_error(problem, remedy,
                               source_position{"data set " + set.definition.name, row + 1,
                                               static_cast<std::uint64_t>(column + 1)});
        };
        const auto text_id = [&](std::string_view text) {
            auto it = text_ids.find(text);
            if (it == text_ids.end()) {
                texts.emplace_back(text);
                it = text_ids.emplace(texts.back(), static_cast<std::int32_t>(texts.size() - 1))
                         .first;
            }
            return it->second;
        };
        try {
            while (s.step()) {
                for (std::size_t j = 0; j < d; ++j) {
                    const int c = set.feature_columns[j];
                    const int type = s.column_type(c);
                    if (MLPIPE_LIKELY(type == SQLITE_FLOAT || type == SQLITE_INTEGER)) {
                        values.push_back(s.column_double(c));
                    } else if (type == SQLITE_NULL) {
                        if (options_.missing != missing_policy::nan) {
                            fail(c, "NULL in feature column \"" + set.feature_names[j] + "\"",
                                 "filter or fill NULLs in the query (COALESCE), or set missing = "
                                 "nan and impute");
                        }
                        values.push_back(std::numeric_limits<double>::quiet_NaN());
                    } else {
                        fail(c,
                             "value \"" + std::string(s.column_text(c).substr(0, 40)) +
                                 "\" in feature column \"" + set.feature_names[j] +
                                 "\" is not a number",
                             "CAST the column in the query, or leave it out of the features");
                    }
                }
                if (labelled) {
                    const int c = set.label_column;
                    const int type = s.column_type(c);
                    if (type == SQLITE_NULL)
                        fail(c, "NULL label", "filter unlabelled rows in the query");
                    if (!text_mode && type == SQLITE_INTEGER) {
                        int_labels.push_back(s.column_int64(c));
                    } else {
                        if (!text_mode) {
                            text_mode = true;
                            text_label_ids.reserve(int_labels.size() + 1024);
                            for (const auto v : int_labels)
                                text_label_ids.push_back(text_id(std::to_string(v)));
                            int_labels = {};
                        }
                        text_label_ids.push_back(text_id(s.column_text(c)));
                    }
                }
                if (set.watermark_column >= 0) {
                    const int c = set.watermark_column;
                    switch (s.column_type(c)) {
                        case SQLITE_INTEGER: {
                            const auto v = s.column_int64(c);
                            if (!have_int || v > max_int) max_int = v;
                            have_int = true;
                            break;
                        }
                        case SQLITE_FLOAT: {
                            const auto v = s.column_double(c);
                            if (!have_real || v > max_real) max_real = v;
                            have_real = true;
                            break;
                        }
                        case SQLITE_NULL:
                            break;
                        default: {
                            const auto v = s.column_text(c);
                            if (!have_text || v > max_text) max_text.assign(v);
                            have_text = true;
                        }
                    }
                }
                ++row;
            }
        } catch (...) {
            s.reset();
            throw;
        }
        s.reset();
        const auto n = static_cast<Eigen::Index>(row);
        feature_matrix<double> x(n, static_cast<Eigen::Index>(d));
        if (!values.empty()) std::copy(values.begin(), values.end(), x.data());
        values = {};
        fetch_result result;
        if (have_text) {
            result.high_watermark = max_text;
        } else if (have_real && (!have_int || max_real > static_cast<double>(max_int))) {
            result.high_watermark = max_real;
        } else if (have_int) {
            result.high_watermark = max_int;
        }
        if (!labelled) {
            result.data = dataset<double>(std::move(x), set.feature_names);
            return result;
        }
        class_index_vector targets(n);
        label_map classes;
        if (!text_mode) {
            classes = label_map::from_integers(int_labels);
            const auto& sorted = classes.integers();
            for (Eigen::Index i = 0; i < n; ++i) {
                const auto v = int_labels[static_cast<std::size_t>(i)];
                targets[i] = static_cast<std::int32_t>(
                    std::lower_bound(sorted.begin(), sorted.end(), v) - sorted.begin());
            }
        } else {
            classes = label_map::from_strings(texts);
            std::vector<std::int32_t> class_of(texts.size());
            for (std::size_t k = 0; k < texts.size(); ++k)
                class_of[k] = *classes.find(std::string_view(texts[k]));
            for (Eigen::Index i = 0; i < n; ++i)
                targets[i] =
                    class_of[static_cast<std::size_t>(text_label_ids[static_cast<std::size_t>(i)])];
        }
        result.data = dataset<double>(std::move(x), std::move(targets), std::move(classes),
                                      set.feature_names);
        return result;
    }

    sqlite_data_source_options options_;
    connection db_;
    std::mutex mutex_;
    std::map<std::string, prepared_set, std::less<>> sets_;
};

static_assert(data_source<sqlite_data_source>);

}  // namespace mlpipe::sqlite
