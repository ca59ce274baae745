// SPDX-License-Identifier: Apache-2.0
/// @file sqlite/connection.hpp Thin RAII wrappers over the SQLite C API (connection, statement,
/// transaction) and the translation of SQLite result codes into mlpipe errors.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include <sqlite3.h>

#include "../error.hpp"
#include "../storage/data_source.hpp"

namespace mlpipe::sqlite {

namespace detail {

[[nodiscard]] inline std::string sqlite_remedy(int rc) {
    switch (rc & 0xFF) {
        case SQLITE_BUSY:
        case SQLITE_LOCKED:
            return "another connection held the database for longer than the busy timeout: retry, "
                   "or "
                   "raise the busy timeout";
        case SQLITE_FULL:
            return "free disk space and retry";
        case SQLITE_READONLY:
            return "the connection is read-only (data sources never write); for a queue, check "
                   "that the "
                   "file and its directory are writable";
        case SQLITE_CANTOPEN:
            return "check the database path and its directory's permissions";
        case SQLITE_CORRUPT:
        case SQLITE_NOTADB:
            return "the file is not a healthy SQLite database: restore it from a backup";
        case SQLITE_IOERR:
            return "check the disk and the file system";
        default:
            return "check the database and the SQL";
    }
}

}  // namespace detail

/// Throws `Error` (storage_error or queue_error) for result code `rc` of `db`.
template <class Error = storage_error>
[[noreturn]] inline void throw_sqlite_error(sqlite3* db, int rc, const std::string& what) {
    const int code = db != nullptr ? sqlite3_extended_errcode(db) : rc;
    const std::string message = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    throw Error(what + ": " + message + " (SQLite code " + std::to_string(code) + ")",
                detail::sqlite_remedy(rc), "sqlite", code);
}

/// An open SQLite connection, closed on destruction.
/// Thread safety: none; mlpipe's SQLite types guard their connection with a mutex.
class connection {
  public:
    connection() = default;
    /// Opens `path` with `flags` (SQLITE_OPEN_*) and sets the busy timeout.
    template <class Error = storage_error>
    static connection open(const std::string& path, int flags,
                           std::chrono::milliseconds busy_timeout) {
        connection c;
        const int rc = sqlite3_open_v2(path.c_str(), &c.db_, flags | SQLITE_OPEN_NOMUTEX, nullptr);
        if (rc != SQLITE_OK)
            throw_sqlite_error<Error>(c.db_, rc, "cannot open SQLite database " + path);
        sqlite3_extended_result_codes(c.db_, 1);
        sqlite3_busy_timeout(c.db_, static_cast<int>(busy_timeout.count()));
        return c;
    }
    connection(connection&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}
    connection& operator=(connection&& other) noexcept {
        if (this != &other) {
            close();
            db_ = std::exchange(other.db_, nullptr);
        }
        return *this;
    }
    connection(const connection&) = delete;
    connection& operator=(const connection&) = delete;
    ~connection() { close(); }

    [[nodiscard]] sqlite3* get() const noexcept { return db_; }

    /// Runs SQL without results (several statements allowed).
    template <class Error = storage_error>
    void exec(const char* sql) {
        char* message = nullptr;
        const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &message);
        sqlite3_free(message);
        if (rc != SQLITE_OK)
            throw_sqlite_error<Error>(db_, rc, std::string("cannot run \"") + sql + "\"");
    }

  private:
    void close() noexcept {
        if (db_ != nullptr) sqlite3_close_v2(db_);
        db_ = nullptr;
    }
    sqlite3* db_ = nullptr;
};

/// A prepared statement, finalized on destruction.
class statement {
  public:
    statement() = default;
    /// Prepares `sql`; `tail` receives what follows the first statement.
    template <class Error = storage_error>
    statement(sqlite3* db, std::string_view sql, std::string_view* tail = nullptr) : db_(db) {
        const char* rest = nullptr;
        const int rc =
            sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt_, &rest);
        if (rc != SQLITE_OK) {
            throw_sqlite_error<Error>(db, rc,
                                      "cannot prepare \"" + std::string(sql.substr(0, 200)) + "\"");
        }
        if (tail != nullptr) {
            *tail = rest != nullptr ? sql.substr(static_cast<std::size_t>(rest - sql.data()))
                                    : std::string_view{};
        }
    }
    statement(statement&& other) noexcept
        : db_(other.db_), stmt_(std::exchange(other.stmt_, nullptr)) {}
    statement& operator=(statement&& other) noexcept {
        if (this != &other) {
            finalize();
            db_ = other.db_;
            stmt_ = std::exchange(other.stmt_, nullptr);
        }
        return *this;
    }
    statement(const statement&) = delete;
    statement& operator=(const statement&) = delete;
    ~statement() { finalize(); }

    [[nodiscard]] sqlite3_stmt* get() const noexcept { return stmt_; }
    [[nodiscard]] explicit operator bool() const noexcept { return stmt_ != nullptr; }

    /// Resets the statement and clears its bindings.
    statement& reset() noexcept {
        sqlite3_reset(stmt_);
        sqlite3_clear_bindings(stmt_);
        return *this;
    }

    statement& bind(int index, std::int64_t value) {
        check(sqlite3_bind_int64(stmt_, index, value));
        return *this;
    }
    statement& bind(int index, double value) {
        check(sqlite3_bind_double(stmt_, index, value));
        return *this;
    }
    statement& bind(int index, std::string_view text) {
        check(sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT,
                                  SQLITE_UTF8));
        return *this;
    }
    statement& bind_blob(int index, std::string_view bytes) {
        check(sqlite3_bind_blob64(stmt_, index, bytes.data(), bytes.size(), SQLITE_TRANSIENT));
        return *this;
    }
    statement& bind_null(int index) {
        check(sqlite3_bind_null(stmt_, index));
        return *this;
    }
    /// Binds a data_value (NULL, integer, real or text).
    statement& bind(int index, const data_value& value) {
        if (const auto* i = std::get_if<std::int64_t>(&value)) return bind(index, *i);
        if (const auto* d = std::get_if<double>(&value)) return bind(index, *d);
        if (const auto* s = std::get_if<std::string>(&value))
            return bind(index, std::string_view(*s));
        return bind_null(index);
    }

    /// Steps once: true when a row is ready, false when done. Throws `Error` otherwise.
    template <class Error = storage_error>
    bool step() {
        const int rc = sqlite3_step(stmt_);
        if (rc == SQLITE_ROW) return true;
        if (rc == SQLITE_DONE) return false;
        throw_sqlite_error<Error>(
            db_, rc, "cannot run \"" + std::string(sqlite3_sql(stmt_)).substr(0, 200) + "\"");
    }

    [[nodiscard]] std::int64_t column_int64(int i) const noexcept {
        return sqlite3_column_int64(stmt_, i);
    }
    [[nodiscard]] double column_double(int i) const noexcept {
        return sqlite3_column_double(stmt_, i);
    }
    [[nodiscard]] int column_type(int i) const noexcept { return sqlite3_column_type(stmt_, i); }
    [[nodiscard]] std::string_view column_text(int i) const noexcept {
        const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, i));
        return p ? std::string_view(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, i)))
                 : std::string_view{};
    }
    [[nodiscard]] std::string_view column_blob(int i) const noexcept {
        const auto* p = static_cast<const char*>(sqlite3_column_blob(stmt_, i));
        return p ? std::string_view(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, i)))
                 : std::string_view{};
    }

  private:
    void check(int rc) const {
        if (rc != SQLITE_OK) throw_sqlite_error(db_, rc, "cannot bind a parameter");
    }
    void finalize() noexcept {
        if (stmt_ != nullptr) sqlite3_finalize(stmt_);
        stmt_ = nullptr;
    }
    sqlite3* db_ = nullptr;
    sqlite3_stmt* stmt_ = nullptr;
};

/// A write transaction started with BEGIN IMMEDIATE (takes the write lock at once, waiting up to
/// the busy timeout, so two writers never deadlock on a lock upgrade); rolled back unless
/// committed.
template <class Error = storage_error>
class immediate_transaction {
  public:
    explicit immediate_transaction(connection& c) : c_(&c) { c_->exec<Error>("BEGIN IMMEDIATE"); }
    immediate_transaction(const immediate_transaction&) = delete;
    immediate_transaction& operator=(const immediate_transaction&) = delete;
    ~immediate_transaction() {
        if (c_ != nullptr) sqlite3_exec(c_->get(), "ROLLBACK", nullptr, nullptr, nullptr);
    }
    void commit() {
        c_->exec<Error>("COMMIT");
        c_ = nullptr;
    }

  private:
    connection* c_;
};

}  // namespace mlpipe::sqlite
