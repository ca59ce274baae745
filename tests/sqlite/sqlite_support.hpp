// SPDX-License-Identifier: Apache-2.0
// Helpers of the SQLite tests: a writable connection to build test databases.
#pragma once

#include <filesystem>
#include <string>

#include <mlpipe/sqlite/connection.hpp>

namespace mlpipe::test {

/// Runs `sql` (any number of statements) on the database at `path`, creating it when needed.
inline void sqlite_exec(const std::filesystem::path& path, const std::string& sql) {
    auto db = mlpipe::sqlite::connection::open(
        path.string(), SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, std::chrono::seconds(10));
    db.exec(sql.c_str());
}

/// The six rows of the data_source conformance suite, in table `rows`.
inline void make_conformance_database(const std::filesystem::path& path) {
    sqlite_exec(path,
                "CREATE TABLE rows (id INTEGER PRIMARY KEY, f1 REAL, f2 REAL, label TEXT);"
                "INSERT INTO rows VALUES (1, 1, 10, 'a'), (2, 2, 20, 'b'), (3, 3, 30, 'a'),"
                " (4, 4, 40, 'b'), (5, 5, 50, 'a'), (6, 6.5, 60.5, 'b');");
}

}  // namespace mlpipe::test
