// SPDX-License-Identifier: Apache-2.0
/// @file aws/postgres_data_source.hpp `postgres_data_source`: a read-only data_source over
/// PostgreSQL (Amazon RDS, Aurora PostgreSQL or any server) through libpq, whose data sets are SQL
/// queries defined by name in the configuration.
///
/// Connection: a libpq connection string or URI (`postgresql://USER@HOST:PORT/DB?sslmode=...`),
/// passed to libpq unchanged, so every libpq option works: TLS for RDS
/// (`sslmode=verify-full&sslrootcert=/path/to/rds-global-bundle.pem`), `connect_timeout`,
/// `application_name`, `options=-c statement_timeout=60000`. Passwords come from where libpq
/// looks (`PGPASSWORD`, `~/.pgpass`, the string itself); no message of this class ever contains
/// the connection string.
///
/// Safety: every operation runs in a `REPEATABLE READ, READ ONLY` transaction, so a definition
/// that writes fails with PostgreSQL's own error; each definition must be a single SELECT, WITH,
/// VALUES or TABLE statement (checked when the source is built, by preparing it). Request
/// parameters are named in the SQL as `:name` and sent to the server as bound parameters
/// (`$1`...), never spliced into SQL, so a value such as `x'; DROP TABLE t; --` is matched
/// literally. `::` casts, string literals, quoted identifiers, dollar quotes and comments are left
/// alone; positional `$1` parameters in a definition are refused (name them).
///
/// Memory: fetch first counts the rows in the same snapshot, allocates the feature matrix once,
/// then streams the rows in libpq's single-row mode straight into it, so neither libpq nor mlpipe
/// ever holds the whole result twice.
#pragma once

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

#include <libpq-fe.h>

#include "../data/csv.hpp"
#include "../data/dataset.hpp"
#include "../error.hpp"
#include "../storage/data_source.hpp"

namespace mlpipe::aws {

/// PostgreSQL refused or failed an operation. `native_code()` is 0; `sqlstate()` is the server's
/// five-character SQLSTATE ("42P01" undefined table, "25006" read-only transaction, "08006"
/// connection failure...), empty when libpq failed before the server answered.
class postgres_error : public storage_error {
  public:
    postgres_error(std::string problem, std::string remedy, std::string sqlstate)
        : storage_error(std::move(problem), std::move(remedy), "postgresql"),
          sqlstate_(std::move(sqlstate)) {}
    [[nodiscard]] const std::string& sqlstate() const noexcept { return sqlstate_; }

  private:
    std::string sqlstate_;
};

/// Options of postgres_data_source.
struct postgres_data_source_options {
    /// What a NULL in a feature column becomes: an error naming the row (default) or NaN.
    missing_policy missing = missing_policy::error;
};

namespace detail {

/// Owns a PGresult.
struct pg_result_deleter {
    void operator()(PGresult* r) const noexcept { PQclear(r); }
};
using pg_result = std::unique_ptr<PGresult, pg_result_deleter>;

/// A definition's SQL with `:name` parameters rewritten as `$1`, `$2`... (see the file comment).
struct pg_query {
    std::string sql;                      ///< the rewritten SQL, without a trailing `;`
    std::vector<std::string> parameters;  ///< names in `$n` order
};

[[noreturn]] inline void bad_pg_definition(const std::string& name, const std::string& problem,
                                           const std::string& remedy) {
    throw configuration_error("data set \"" + name + "\": " + problem, remedy, "datasets." + name);
}

inline bool pg_identifier_start(char c) {
    return std::isalpha(static_cast<unsigned char>(c)) != 0 || c == '_' ||
           static_cast<unsigned char>(c) >= 0x80;
}
inline bool pg_identifier_char(char c) {
    return pg_identifier_start(c) || std::isdigit(static_cast<unsigned char>(c)) != 0;
}

/// Rewrites `:name` parameters as `$n`, skipping literals, quoted identifiers, dollar quotes,
/// comments and `::` casts. @throws configuration_error naming the data set `dataset`.
inline pg_query rewrite_named_parameters(std::string_view sql, const std::string& dataset) {
    pg_query out;
    std::size_t i = 0;
    const std::size_t n = sql.size();
    const auto copy_until = [&](std::size_t end) {
        out.sql.append(sql.substr(i, end - i));
        i = end;
    };
    while (i < n) {
        const char c = sql[i];
        if (c == '\'' || c == '"') {
            // 'text' (with '' inside; E'...' also with backslash escapes) or "identifier".
            const bool backslashes = c == '\'' && i > 0 &&
                                     (sql[i - 1] == 'E' || sql[i - 1] == 'e') &&
                                     (i < 2 || !pg_identifier_char(sql[i - 2]));
            std::size_t j = i + 1;
            while (j < n) {
                if (backslashes && sql[j] == '\\') {
                    j += 2;
                } else if (sql[j] == c) {
                    if (j + 1 < n && sql[j + 1] == c) {
                        j += 2;
                    } else {
                        break;
                    }
                } else {
                    ++j;
                }
            }
            if (j >= n) bad_pg_definition(dataset, "unterminated quote in the SQL", "close it");
            copy_until(j + 1);
        } else if (c == '-' && i + 1 < n && sql[i + 1] == '-') {
            const auto end = sql.find('\n', i);
            copy_until(end == std::string_view::npos ? n : end);
        } else if (c == '/' && i + 1 < n && sql[i + 1] == '*') {
            std::size_t j = i + 2;
            int depth = 1;
            while (j < n && depth > 0) {
                if (sql[j] == '/' && j + 1 < n && sql[j + 1] == '*') {
                    ++depth;
                    j += 2;
                } else if (sql[j] == '*' && j + 1 < n && sql[j + 1] == '/') {
                    --depth;
                    j += 2;
                } else {
                    ++j;
                }
            }
            if (depth > 0)
                bad_pg_definition(dataset, "unterminated comment in the SQL", "close it");
            copy_until(j);
        } else if (c == '$' && i + 1 < n && std::isdigit(static_cast<unsigned char>(sql[i + 1]))) {
            if (i > 0 && pg_identifier_char(sql[i - 1])) {  // part of an identifier such as a$1
                copy_until(i + 1);
                continue;
            }
            bad_pg_definition(dataset, "the SQL has a positional parameter (\"$1\")",
                              "name every parameter, e.g. \":since\"");
        } else if (c == '$' && (i == 0 || !pg_identifier_char(sql[i - 1]))) {
            // A dollar quote $tag$...$tag$ (tag possibly empty).
            std::size_t j = i + 1;
            while (j < n && pg_identifier_char(sql[j]))
                ++j;
            if (j < n && sql[j] == '$') {
                const auto tag = sql.substr(i, j - i + 1);
                const auto end = sql.find(tag, j + 1);
                if (end == std::string_view::npos) {
                    bad_pg_definition(dataset, "unterminated dollar quote in the SQL", "close it");
                }
                copy_until(end + tag.size());
            } else {
                copy_until(i + 1);
            }
        } else if (c == ':' && i + 1 < n && sql[i + 1] == ':') {
            copy_until(i + 2);
        } else if (c == ':' && i + 1 < n && pg_identifier_start(sql[i + 1])) {
            std::size_t j = i + 1;
            while (j < n && pg_identifier_char(sql[j]))
                ++j;
            const std::string name(sql.substr(i + 1, j - i - 1));
            if (name.starts_with("mlpipe")) {
                bad_pg_definition(dataset,
                                  "parameter \":" + name + "\" uses the reserved prefix \"mlpipe\"",
                                  "rename the parameter");
            }
            auto it = std::find(out.parameters.begin(), out.parameters.end(), name);
            if (it == out.parameters.end()) {
                out.parameters.push_back(name);
                it = out.parameters.end() - 1;
            }
            out.sql += "$" + std::to_string(it - out.parameters.begin() + 1);
            i = j;
        } else {
            ++i;
            out.sql += c;
        }
    }
    while (!out.sql.empty() &&
           (std::isspace(static_cast<unsigned char>(out.sql.back())) || out.sql.back() == ';'))
        out.sql.pop_back();
    return out;
}

/// PostgreSQL type oids (pg_type.dat; stable across versions).
enum pg_oid : Oid {
    pg_bool = 16,
    pg_int8 = 20,
    pg_int2 = 21,
    pg_int4 = 23,
    pg_oid_type = 26,
    pg_float4 = 700,
    pg_float8 = 701,
    pg_numeric = 1700,
};
inline bool pg_integer_type(Oid t) {
    return t == pg_int8 || t == pg_int2 || t == pg_int4 || t == pg_oid_type;
}
inline bool pg_numeric_type(Oid t) {
    return pg_integer_type(t) || t == pg_float4 || t == pg_float8 || t == pg_numeric ||
           t == pg_bool;
}

/// A PostgreSQL text value as a double (numbers, NaN, Infinity, booleans t/f).
inline bool pg_parse_double(const char* text, int length, Oid type, double& out) {
    if (type == pg_bool) {
        out = text[0] == 't' ? 1.0 : 0.0;
        return length == 1 && (text[0] == 't' || text[0] == 'f');
    }
    const auto r = std::from_chars(text, text + length, out);
    return r.ec == std::errc{} && r.ptr == text + length;
}

inline std::string quoted_pg_identifier(std::string_view name) {
    std::string out = "\"";
    for (const char c : name) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

/// A watermark as the text of a bound parameter; nullopt for monostate.
inline std::optional<std::string> pg_parameter_text(const data_value& v) {
    if (const auto* i = std::get_if<std::int64_t>(&v)) return std::to_string(*i);
    if (const auto* d = std::get_if<double>(&v)) {
        char buffer[32];
        const auto r = std::to_chars(buffer, buffer + sizeof buffer, *d);
        return std::string(buffer, r.ptr);
    }
    if (const auto* s = std::get_if<std::string>(&v)) return *s;
    return std::nullopt;
}

}  // namespace detail

/// A read-only data_source over PostgreSQL (see the file comment).
/// Thread safety: every member may be called concurrently (one connection behind a mutex, so
/// operations run one at a time; open one source per thread for parallel fetches).
/// Complexity: fetch runs the definition's query twice in one snapshot (count, then rows);
/// watermark and count_since are one aggregate query each.
class postgres_data_source {
  public:
    /// Connects (libpq connection string or URI, see the file comment) and checks every
    /// definition: a single read-only statement that the server prepares, whose result has the
    /// label, feature and watermark columns, features of numeric or boolean types.
    /// @throws postgres_error when the server cannot be reached or refuses the connection;
    ///         configuration_error for a bad definition (naming the data set)
    postgres_data_source(std::string connection, std::vector<dataset_definition> definitions,
                         postgres_data_source_options options = {})
        : connection_(std::move(connection)), options_(options) {
        connect();
        for (auto& d : definitions)
            add(std::move(d));
    }

    postgres_data_source(const postgres_data_source&) = delete;
    postgres_data_source& operator=(const postgres_data_source&) = delete;
    ~postgres_data_source() = default;

    /// See data_source.
    [[nodiscard]] fetch_result fetch(const fetch_request& request) {
        std::lock_guard lock(mutex_);
        const auto& set = find(request.dataset);
        auto params = bind(set, request);
        return in_transaction([&] { return read_rows(set, params); });
    }

    /// See data_source.
    [[nodiscard]] mlpipe::watermark watermark(const fetch_request& request) {
        std::lock_guard lock(mutex_);
        const auto& set = find(request.dataset);
        require_watermark(set);
        const auto params = bind(set, request);
        return in_transaction([&] {
            const auto r = query(
                "SELECT max(" + set.watermark_sql + ") FROM (" + set.query.sql + ") AS mlpipe_rows",
                params, set.definition.name);
            return read_watermark(r.get(), 0, 0);
        });
    }

    /// See data_source.
    [[nodiscard]] std::uint64_t count_since(const fetch_request& request,
                                            const mlpipe::watermark& since) {
        std::lock_guard lock(mutex_);
        const auto& set = find(request.dataset);
        require_watermark(set);
        auto params = bind(set, request);
        std::string sql = "SELECT count(*) FROM (" + set.query.sql + ") AS mlpipe_rows";
        if (auto text = detail::pg_parameter_text(since)) {
            params.push_back(std::move(*text));
            sql += " WHERE " + set.watermark_sql + " > $" + std::to_string(params.size());
        }
        return in_transaction([&] {
            const auto r = query(sql, params, set.definition.name);
            return std::stoull(PQgetvalue(r.get(), 0, 0));
        });
    }

  private:
    struct connection_deleter {
        void operator()(PGconn* c) const noexcept { PQfinish(c); }
    };
    using parameters = std::vector<std::optional<std::string>>;

    struct prepared_set {
        dataset_definition definition;
        detail::pg_query query;
        std::vector<int> feature_columns;
        std::vector<std::string> feature_names;
        std::vector<Oid> feature_types;
        int label_column = -1;
        Oid label_type = 0;
        std::string watermark_sql;  // quoted column name; empty without a watermark
    };

    [[nodiscard]] std::string where() const {
        return std::string("PostgreSQL at ") + PQhost(conn_.get()) + ":" + PQport(conn_.get()) +
               ", database " + PQdb(conn_.get());
    }

    void connect() {
        conn_.reset(PQconnectdb(connection_.c_str()));
        if (!conn_) {
            throw postgres_error("libpq could not allocate a connection", "check memory", "");
        }
        if (PQstatus(conn_.get()) != CONNECTION_OK) {
            std::string message = PQerrorMessage(conn_.get());
            while (!message.empty() && std::isspace(static_cast<unsigned char>(message.back())))
                message.pop_back();
            throw postgres_error("cannot connect to PostgreSQL: " + message,
                                 "check host, port, database, user, password (PGPASSWORD or "
                                 "~/.pgpass) and TLS settings (sslmode, sslrootcert)",
                                 "08006");
        }
        PQsetClientEncoding(conn_.get(), "UTF8");
    }

    /// Begins the read-only transaction, reconnecting once when the connection was lost since
    /// the last operation (a restarted server, a closed idle connection): nothing has been read
    /// yet, so the retry is safe.
    void begin() {
        static constexpr const char* sql =
            "BEGIN TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY";
        if (PQstatus(conn_.get()) != CONNECTION_OK) PQreset(conn_.get());
        detail::pg_result r(PQexec(conn_.get(), sql));
        if (PQresultStatus(r.get()) != PGRES_COMMAND_OK && PQstatus(conn_.get()) != CONNECTION_OK) {
            PQreset(conn_.get());
            r.reset(PQexec(conn_.get(), sql));
        }
        if (PQresultStatus(r.get()) != PGRES_COMMAND_OK) {
            fail(r.get(), "starting a read-only transaction",
                 "check the server and the connection");
        }
    }

    [[noreturn]] void fail(const PGresult* r, const std::string& doing,
                           const std::string& remedy) const {
        std::string state, message;
        if (r != nullptr) {
            if (const char* s = PQresultErrorField(r, PG_DIAG_SQLSTATE)) state = s;
            message = PQresultErrorMessage(r);
        }
        if (message.empty()) message = PQerrorMessage(conn_.get());
        while (!message.empty() && std::isspace(static_cast<unsigned char>(message.back())))
            message.pop_back();
        throw postgres_error(doing + " failed on " + where() + ": " + message +
                                 (state.empty() ? "" : " (SQLSTATE " + state + ")"),
                             remedy, state);
    }

    void exec_command(const char* sql) {
        detail::pg_result r(PQexec(conn_.get(), sql));
        if (PQresultStatus(r.get()) != PGRES_COMMAND_OK) {
            fail(r.get(), std::string("\"") + sql + "\"", "check the server and the connection");
        }
    }

    template <class F>
    std::invoke_result_t<F&> in_transaction(F&& body) {
        begin();
        try {
            auto result = body();
            exec_command("COMMIT");
            return result;
        } catch (...) {
            // Drain a query left running (single-row mode), then roll back; a lost connection is
            // reset at the next operation.
            while (PGresult* left = PQgetResult(conn_.get()))
                PQclear(left);
            detail::pg_result r(PQexec(conn_.get(), "ROLLBACK"));
            throw;
        }
    }

    static std::vector<const char*> pointers(const parameters& params) {
        std::vector<const char*> out;
        out.reserve(params.size());
        for (const auto& p : params)
            out.push_back(p ? p->c_str() : nullptr);
        return out;
    }

    /// Runs `sql` with text parameters and returns its (tuples) result.
    detail::pg_result query(const std::string& sql, const parameters& params,
                            const std::string& dataset) {
        const auto values = pointers(params);
        detail::pg_result r(PQexecParams(conn_.get(), sql.c_str(), static_cast<int>(values.size()),
                                         nullptr, values.data(), nullptr, nullptr, 0));
        if (PQresultStatus(r.get()) != PGRES_TUPLES_OK) {
            fail(r.get(), "the query of data set \"" + dataset + "\"",
                 "fix the data set's SQL or its parameters");
        }
        return r;
    }

    void add(dataset_definition d) {
        if (d.name.empty()) detail::bad_pg_definition("", "no name", "give every data set a name");
        if (sets_.count(d.name) != 0) {
            detail::bad_pg_definition(d.name, "defined twice",
                                      "give each data set a distinct name");
        }
        prepared_set set;
        set.query = detail::rewrite_named_parameters(d.source, d.name);
        // The first keyword, past blanks, comments and parentheses.
        std::string_view body = set.query.sql;
        for (;;) {
            const auto start = body.find_first_not_of(" \t\r\n(");
            body = start == std::string_view::npos ? std::string_view{} : body.substr(start);
            if (body.starts_with("--")) {
                const auto eol = body.find('\n');
                body = eol == std::string_view::npos ? std::string_view{} : body.substr(eol);
            } else if (body.starts_with("/*")) {
                const auto end = body.find("*/");
                body = end == std::string_view::npos ? std::string_view{} : body.substr(end + 2);
            } else {
                break;
            }
        }
        std::string keyword;
        for (const char c : body.substr(0, std::min<std::size_t>(body.size(), 8))) {
            if (!std::isalpha(static_cast<unsigned char>(c))) break;
            keyword += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
        if (keyword.empty()) {
            detail::bad_pg_definition(d.name, "no SQL query",
                                      "set dataset_definition::source to a SELECT");
        }
        if (keyword != "select" && keyword != "with" && keyword != "values" && keyword != "table") {
            detail::bad_pg_definition(d.name,
                                      "the SQL is not a query (it starts with \"" + keyword + "\")",
                                      "define data sets with SELECT, WITH, VALUES or TABLE only");
        }
        // Preparing checks the syntax, the single statement and the tables; describing it gives
        // the result's columns and their types.
        detail::pg_result prepared(PQprepare(conn_.get(), "", set.query.sql.c_str(),
                                             static_cast<int>(set.query.parameters.size()),
                                             nullptr));
        if (PQresultStatus(prepared.get()) != PGRES_COMMAND_OK) {
            std::string message = PQresultErrorMessage(prepared.get());
            while (!message.empty() && std::isspace(static_cast<unsigned char>(message.back())))
                message.pop_back();
            detail::bad_pg_definition(d.name, "the server refused the SQL: " + message,
                                      "fix the SQL of the data set");
        }
        detail::pg_result described(PQdescribePrepared(conn_.get(), ""));
        if (PQresultStatus(described.get()) != PGRES_COMMAND_OK) {
            fail(described.get(), "describing the query of data set \"" + d.name + "\"",
                 "check the server and the connection");
        }
        const int n_columns = PQnfields(described.get());
        std::vector<std::string> columns;
        for (int c = 0; c < n_columns; ++c)
            columns.emplace_back(PQfname(described.get(), c));
        const auto column_of = [&](const std::string& name, const char* role) {
            const auto it = std::find(columns.begin(), columns.end(), name);
            if (it == columns.end()) {
                detail::bad_pg_definition(
                    d.name,
                    std::string(role) + " column \"" + name + "\" is not in the query's result",
                    "select it, or fix the column's name in the definition (PostgreSQL folds "
                    "unquoted names to lower case)");
            }
            return static_cast<int>(it - columns.begin());
        };
        int watermark_column = -1;
        if (!d.label_column.empty()) {
            set.label_column = column_of(d.label_column, "label");
            set.label_type = PQftype(described.get(), set.label_column);
        }
        if (!d.watermark_column.empty()) {
            watermark_column = column_of(d.watermark_column, "watermark");
            set.watermark_sql = detail::quoted_pg_identifier(d.watermark_column);
        }
        const auto add_feature = [&](int c) {
            const Oid type = PQftype(described.get(), c);
            const auto& name = columns[static_cast<std::size_t>(c)];
            if (!detail::pg_numeric_type(type)) {
                detail::bad_pg_definition(
                    d.name,
                    "feature column \"" + name + "\" is not of a numeric or boolean type (oid " +
                        std::to_string(type) + ")",
                    "CAST it in the query (e.g. " + name +
                        "::double precision), or leave it out of the features");
            }
            set.feature_columns.push_back(c);
            set.feature_names.push_back(name);
            set.feature_types.push_back(type);
        };
        if (d.feature_columns.empty()) {
            for (int c = 0; c < n_columns; ++c) {
                if (c != set.label_column && c != watermark_column) add_feature(c);
            }
        } else {
            for (const auto& name : d.feature_columns)
                add_feature(column_of(name, "feature"));
        }
        set.definition = std::move(d);
        const std::string key = set.definition.name;
        sets_.emplace(key, std::move(set));
    }

    const prepared_set& find(const std::string& name) const {
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
        if (set.watermark_sql.empty()) {
            throw invalid_input_error(
                "data set \"" + set.definition.name + "\" has no watermark column",
                "set dataset_definition::watermark_column", "watermark");
        }
    }

    /// The request's parameter values in `$n` order; every parameter must be given, and nothing
    /// else.
    static parameters bind(const prepared_set& set, const fetch_request& request) {
        const auto& names = set.query.parameters;
        for (const auto& [name, value] : request.parameters) {
            if (std::find(names.begin(), names.end(), name) == names.end()) {
                throw invalid_input_error(
                    "data set \"" + set.definition.name + "\" has no parameter \"" + name + "\"",
                    "pass only the parameters its query names", "parameters");
            }
        }
        parameters out;
        for (const auto& name : names) {
            const auto it = request.parameters.find(name);
            if (it == request.parameters.end()) {
                throw invalid_input_error(
                    "data set \"" + set.definition.name + "\" needs parameter \"" + name + "\"",
                    "pass a value for it in the request", "parameters");
            }
            out.push_back(detail::pg_parameter_text(it->second));
        }
        return out;
    }

    static mlpipe::watermark read_watermark(const PGresult* r, int row, int column) {
        if (PQgetisnull(r, row, column)) return std::monostate{};
        const char* text = PQgetvalue(r, row, column);
        const int length = PQgetlength(r, row, column);
        const Oid type = PQftype(r, column);
        if (detail::pg_integer_type(type)) {
            std::int64_t v = 0;
            std::from_chars(text, text + length, v);
            return v;
        }
        if (type == detail::pg_float4 || type == detail::pg_float8 || type == detail::pg_numeric) {
            double v = 0;
            std::from_chars(text, text + length, v);
            return v;
        }
        return std::string(text, static_cast<std::size_t>(length));
    }

    fetch_result read_rows(const prepared_set& set, const parameters& params) {
        const std::string& name = set.definition.name;
        // Count and newest watermark first, in the same snapshot as the rows.
        std::string head = "SELECT count(*)";
        if (!set.watermark_sql.empty()) head += ", max(" + set.watermark_sql + ")";
        const auto summary =
            query(head + " FROM (" + set.query.sql + ") AS mlpipe_rows", params, name);
        const auto n_rows = static_cast<Eigen::Index>(std::stoll(PQgetvalue(summary.get(), 0, 0)));
        fetch_result result;
        if (!set.watermark_sql.empty()) result.high_watermark = read_watermark(summary.get(), 0, 1);

        const auto d = static_cast<Eigen::Index>(set.feature_columns.size());
        feature_matrix<double> x(n_rows, d);
        const bool labelled = set.label_column >= 0;
        std::vector<std::int32_t> label_ids;  // first-seen order
        std::vector<std::string> label_texts;
        std::unordered_map<std::string, std::int32_t> label_index;
        if (labelled) label_ids.reserve(static_cast<std::size_t>(n_rows));

        const auto values = pointers(params);
        if (PQsendQueryParams(conn_.get(), set.query.sql.c_str(), static_cast<int>(values.size()),
                              nullptr, values.data(), nullptr, nullptr, 0) == 0) {
            fail(nullptr, "sending the query of data set \"" + name + "\"",
                 "check the server and the connection");
        }
        if (PQsetSingleRowMode(conn_.get()) == 0) {
            fail(nullptr, "single-row mode for data set \"" + name + "\"",
                 "check the server and the connection");
        }
        Eigen::Index row = 0;
        const auto bad_value = [&](int column, const std::string& problem,
                                   const std::string& remedy) {
            throw format_error(
                problem, remedy,
                source_position{"data set " + name, static_cast<std::uint64_t>(row) + 1,
                                static_cast<std::uint64_t>(column + 1)});
        };
        for (;;) {
            detail::pg_result r(PQgetResult(conn_.get()));
            if (!r) break;
            const auto status = PQresultStatus(r.get());
            if (status == PGRES_TUPLES_OK) continue;  // the end of the rows
            if (status != PGRES_SINGLE_TUPLE) {
                fail(r.get(), "the query of data set \"" + name + "\"",
                     "fix the data set's SQL or its parameters");
            }
            if (row >= n_rows) {
                bad_value(0, "more rows than counted in the same snapshot",
                          "report this as a bug, with the data set's SQL");
            }
            for (Eigen::Index j = 0; j < d; ++j) {
                const auto jj = static_cast<std::size_t>(j);
                const int c = set.feature_columns[jj];
                double v = 0;
                if (PQgetisnull(r.get(), 0, c)) {
                    if (options_.missing != missing_policy::nan) {
                        bad_value(c, "NULL in feature column \"" + set.feature_names[jj] + "\"",
                                  "filter or fill NULLs in the query (COALESCE), or set missing = "
                                  "nan and impute");
                    }
                    v = std::numeric_limits<double>::quiet_NaN();
                } else if (!detail::pg_parse_double(PQgetvalue(r.get(), 0, c),
                                                    PQgetlength(r.get(), 0, c),
                                                    set.feature_types[jj], v)) {
                    bad_value(c,
                              "value \"" + std::string(PQgetvalue(r.get(), 0, c)).substr(0, 40) +
                                  "\" in feature column \"" + set.feature_names[jj] +
                                  "\" is not a number",
                              "CAST the column in the query, or leave it out of the features");
                }
                x(row, j) = v;
            }
            if (labelled) {
                const int c = set.label_column;
                if (PQgetisnull(r.get(), 0, c)) {
                    bad_value(c, "NULL label", "filter unlabelled rows in the query");
                }
                std::string text(PQgetvalue(r.get(), 0, c),
                                 static_cast<std::size_t>(PQgetlength(r.get(), 0, c)));
                auto it = label_index.find(text);
                if (it == label_index.end()) {
                    label_texts.push_back(text);
                    it = label_index
                             .emplace(std::move(text),
                                      static_cast<std::int32_t>(label_texts.size() - 1))
                             .first;
                }
                label_ids.push_back(it->second);
            }
            ++row;
        }
        if (row != n_rows) {
            throw format_error("data set \"" + name + "\" returned " + std::to_string(row) +
                                   " rows where its count in the same snapshot was " +
                                   std::to_string(n_rows),
                               "check that the query is deterministic (no random(), no LIMIT "
                               "without ORDER BY)",
                               source_position{"data set " + name, 0, 0});
        }
        if (!labelled) {
            result.data = dataset<double>(std::move(x), set.feature_names);
            return result;
        }
        std::vector<std::int32_t> class_of(label_texts.size());
        label_map classes;
        if (detail::pg_integer_type(set.label_type)) {
            std::vector<std::int64_t> integers(label_texts.size());
            for (std::size_t k = 0; k < label_texts.size(); ++k)
                integers[k] = std::stoll(label_texts[k]);
            classes = label_map::from_integers(integers);
            for (std::size_t k = 0; k < integers.size(); ++k)
                class_of[k] = *classes.find(integers[k]);
        } else {
            classes = label_map::from_strings(label_texts);
            for (std::size_t k = 0; k < label_texts.size(); ++k)
                class_of[k] = *classes.find(std::string_view(label_texts[k]));
        }
        class_index_vector targets(n_rows);
        for (Eigen::Index i = 0; i < n_rows; ++i)
            targets[i] = class_of[static_cast<std::size_t>(label_ids[static_cast<std::size_t>(i)])];
        result.data = dataset<double>(std::move(x), std::move(targets), std::move(classes),
                                      set.feature_names);
        return result;
    }

    std::string connection_;
    postgres_data_source_options options_;
    std::unique_ptr<PGconn, connection_deleter> conn_;
    std::mutex mutex_;
    std::map<std::string, prepared_set, std::less<>> sets_;
};

static_assert(data_source<postgres_data_source>);

}  // namespace mlpipe::aws
