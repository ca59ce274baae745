// SPDX-License-Identifier: Apache-2.0
// The message_queue and data_source conformance suites, run by the SQLite wing's backends directly
// and through the run-time handles opened from sqlite:// URIs.
#include <memory>
#include <string>
#include <tuple>

#include <mlpipe/sqlite.hpp>
#include <mlpipe/storage.hpp>

#include "sqlite_support.hpp"
#include "test_support.hpp"

namespace {

mlpipe::sqlite::sqlite_queue_options options(mlpipe::sqlite::sqlite_durability durability) {
    mlpipe::sqlite::sqlite_queue_options o;
    o.max_receives = 3;
    o.durability = durability;
    return o;
}

struct sqlite_queue_fixture {
    mlpipe::test::temp_dir dir;
    mlpipe::sqlite::sqlite_message_queue q{dir / "queue.db",
                                           options(mlpipe::sqlite::sqlite_durability::normal)};
    mlpipe::sqlite::sqlite_message_queue& queue() { return q; }
};
struct sqlite_full_durability_queue_fixture {
    mlpipe::test::temp_dir dir;
    mlpipe::sqlite::sqlite_message_queue q{dir / "queue.db",
                                           options(mlpipe::sqlite::sqlite_durability::full)};
    mlpipe::sqlite::sqlite_message_queue& queue() { return q; }
};
struct any_sqlite_queue_fixture {
    mlpipe::test::temp_dir dir;
    mlpipe::any_message_queue q = mlpipe::open_message_queue(
        "sqlite://" + (dir / "queue.db").string() + "?queue=jobs&max_receives=3");
    mlpipe::any_message_queue& queue() { return q; }
};

std::vector<mlpipe::dataset_definition> definitions() {
    return {{"all", "SELECT id, f1, f2, label FROM rows ORDER BY id;", "label", {}, "id"},
            {"only_f2", "SELECT * FROM rows ORDER BY id", "label", {"f2"}, "id"},
            {"unlabelled", "SELECT f1, f2 FROM rows ORDER BY id", "", {}, ""}};
}

struct sqlite_source_fixture {
    mlpipe::test::temp_dir dir;
    std::filesystem::path path = dir / "warehouse.db";
    std::unique_ptr<mlpipe::sqlite::sqlite_data_source> s;
    sqlite_source_fixture() {
        mlpipe::test::make_conformance_database(path);
        s = std::make_unique<mlpipe::sqlite::sqlite_data_source>(path, definitions());
    }
    void append_row() {
        mlpipe::test::sqlite_exec(path, "INSERT INTO rows VALUES (7, 7, 70, 'c')");
    }
    mlpipe::sqlite::sqlite_data_source& source() { return *s; }
};
struct any_sqlite_source_fixture {
    mlpipe::test::temp_dir dir;
    std::filesystem::path path = dir / "warehouse.db";
    std::unique_ptr<mlpipe::any_data_source> s;
    any_sqlite_source_fixture() {
        mlpipe::test::make_conformance_database(path);
        s = std::make_unique<mlpipe::any_data_source>(
            mlpipe::open_data_source("sqlite://" + path.string(), definitions()));
    }
    void append_row() {
        mlpipe::test::sqlite_exec(path, "INSERT INTO rows VALUES (7, 7, 70, 'c')");
    }
    mlpipe::any_data_source& source() { return *s; }
};

}  // namespace

using mlpipe_message_queue_fixtures =
    std::tuple<sqlite_queue_fixture, sqlite_full_durability_queue_fixture,
               any_sqlite_queue_fixture>;
using mlpipe_data_source_fixtures = std::tuple<sqlite_source_fixture, any_sqlite_source_fixture>;

#include "data_source_conformance.hpp"
#include "message_queue_conformance.hpp"
