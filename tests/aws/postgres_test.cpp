// SPDX-License-Identifier: Apache-2.0
// postgres_data_source against a throwaway PostgreSQL 15 cluster on loopback: the data_source
// conformance suite (directly and through postgresql:// URIs), named parameters, read-only
// execution, injection strings, types, NULLs, streaming a larger result, lost connections.
#include <algorithm>
#include <cmath>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <variant>

#include <mlpipe/aws.hpp>

#include "aws_test_support.hpp"

namespace {

using mlpipe::aws::postgres_data_source;

std::string postgres_uri() {
    return mlpipe::test::aws_server_setting("MLPIPE_TEST_POSTGRES_URI").value_or("");
}

/// Runs SQL on a connection of its own (the tests' writer); fails the test on an error.
std::string pg_exec(const std::string& sql) {
    std::unique_ptr<PGconn, decltype(&PQfinish)> conn(PQconnectdb(postgres_uri().c_str()),
                                                      &PQfinish);
    INFO(PQerrorMessage(conn.get()));
    REQUIRE(PQstatus(conn.get()) == CONNECTION_OK);
    std::unique_ptr<PGresult, decltype(&PQclear)> r(PQexec(conn.get(), sql.c_str()), &PQclear);
    INFO(sql << ": " << PQresultErrorMessage(r.get()));
    const auto status = PQresultStatus(r.get());
    REQUIRE((status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK));
    return status == PGRES_TUPLES_OK && PQntuples(r.get()) > 0 ? PQgetvalue(r.get(), 0, 0) : "";
}

/// A table name no other test uses.
std::string unique_table(const std::string& stem) {
    auto name = mlpipe::test::unique_name(stem);
    std::replace(name.begin(), name.end(), '-', '_');
    return name;
}

/// The conformance rows in a table of their own.
std::string make_conformance_table() {
    const auto table = unique_table("rows");
    pg_exec("CREATE TABLE " + table +
            " (id bigint PRIMARY KEY, f1 double precision, f2 numeric, label text);"
            "INSERT INTO " +
            table +
            " VALUES (1, 1.0, 10.0, 'a'), (2, 2.0, 20.0, 'b'), (3, 3.0, 30.0, 'a'),"
            " (4, 4.0, 40.0, 'b'), (5, 5.0, 50.0, 'a'), (6, 6.5, 60.5, 'b')");
    return table;
}

std::vector<mlpipe::dataset_definition> definitions(const std::string& table) {
    return {{"all", "SELECT id, f1, f2, label FROM " + table + " ORDER BY id;", "label", {}, "id"},
            {"only_f2", "SELECT * FROM " + table + " ORDER BY id", "label", {"f2"}, "id"},
            {"unlabelled", "SELECT f1, f2 FROM " + table + " ORDER BY id", "", {}, ""}};
}

struct postgres_source_fixture {
    std::string table;
    std::unique_ptr<postgres_data_source> s;
    postgres_source_fixture() {
        if (postgres_uri().empty()) return;
        table = make_conformance_table();
        s = std::make_unique<postgres_data_source>(postgres_uri(), definitions(table));
    }
    void append_row() { pg_exec("INSERT INTO " + table + " VALUES (7, 7, 70, 'c')"); }
    postgres_data_source& source() { return *s; }
};

struct any_postgres_source_fixture {
    std::string table;
    std::optional<mlpipe::any_data_source> s;
    any_postgres_source_fixture() {
        if (postgres_uri().empty()) return;
        table = make_conformance_table();
        s.emplace(mlpipe::open_data_source(postgres_uri() + "?application_name=mlpipe-test",
                                           definitions(table)));
    }
    void append_row() { pg_exec("INSERT INTO " + table + " VALUES (7, 7, 70, 'c')"); }
    mlpipe::any_data_source& source() { return *s; }
};

}  // namespace

using mlpipe_data_source_fixtures =
    std::tuple<postgres_source_fixture, any_postgres_source_fixture>;
#define MLPIPE_CONFORMANCE_PRECONDITION MLPIPE_REQUIRE_SERVER("POSTGRES")
#include "data_source_conformance.hpp"
#undef MLPIPE_CONFORMANCE_PRECONDITION  // expanded by the include above; the next file of a unity
                                        // build sets its own

TEST_CASE("named parameters are bound, casts and literals are left alone", "[aws][postgres]") {
    MLPIPE_REQUIRE_SERVER("POSTGRES");
    const auto table = make_conformance_table();
    postgres_data_source source(
        postgres_uri(), {{"since",
                          "SELECT id::bigint AS id, f1, label FROM " + table +
                              " WHERE id > :since AND label <> ':since' /* :since */ AND f1 < :max "
                              "-- :nothing\n AND id::text <> $$:since$$ ORDER BY id",
                          "label",
                          {},
                          "id"}});
    mlpipe::fetch_request request{"since", {{"since", std::int64_t{3}}, {"max", 6.0}}};
    const auto result = source.fetch(request);
    REQUIRE(result.data.n_samples() == 2);
    CHECK(result.data.features()(0, 0) == 4.0);
    CHECK(result.data.features()(1, 0) == 5.0);
    CHECK(std::get<std::int64_t>(result.high_watermark) == 5);
    CHECK(std::get<std::int64_t>(source.watermark(request)) == 5);
    CHECK(source.count_since(request, mlpipe::watermark{std::int64_t{4}}) == 1);

    mlpipe::fetch_request missing{"since", {{"since", std::int64_t{3}}}};
    CHECK_THROWS_AS(source.fetch(missing), mlpipe::invalid_input_error);
}

TEST_CASE("an injection string in a parameter is matched literally", "[aws][postgres]") {
    MLPIPE_REQUIRE_SERVER("POSTGRES");
    const auto table = make_conformance_table();
    const std::string evil = "a'; DROP TABLE " + table + "; --";
    pg_exec("INSERT INTO " + table + " VALUES (9, 9, 90, $x$" + evil + "$x$)");
    postgres_data_source source(
        postgres_uri(),
        {{"by_label", "SELECT f1, label FROM " + table + " WHERE label = :label", "label"}});
    for (const std::string& value : std::vector<std::string>{
             "a' OR '1'='1", "x'); DELETE FROM " + table + "; --", "\\'; SELECT 1; --", ""}) {
        CHECK(source.fetch({"by_label", {{"label", value}}}).data.n_samples() == 0);
    }
    const auto literal = source.fetch({"by_label", {{"label", evil}}}).data;
    REQUIRE(literal.n_samples() == 1);
    CHECK(literal.classes().name(0) == evil);
    CHECK(pg_exec("SELECT count(*) FROM " + table) == "7");
}

TEST_CASE("a definition that writes is refused, and the data stays", "[aws][postgres]") {
    MLPIPE_REQUIRE_SERVER("POSTGRES");
    const auto table = make_conformance_table();
    CHECK_THROWS_AS(postgres_data_source(postgres_uri(), {{"d", "DELETE FROM " + table, ""}}),
                    mlpipe::configuration_error);
    CHECK_THROWS_AS(postgres_data_source(postgres_uri(), {{"two", "SELECT 1 AS a; SELECT 2", ""}}),
                    mlpipe::configuration_error);
    CHECK_THROWS_AS(
        postgres_data_source(postgres_uri(),
                             {{"positional", "SELECT f1 FROM " + table + " WHERE id > $1", ""}}),
        mlpipe::configuration_error);
    CHECK_THROWS_AS(
        postgres_data_source(postgres_uri(), {{"missing", "SELECT f1 FROM no_such_table", ""}}),
        mlpipe::configuration_error);
    // A data-modifying WITH prepares, but is refused when it runs (wrapped in the count, and in
    // any case inside the read-only transaction).
    postgres_data_source sneaky(
        postgres_uri(),
        {{"sneaky", "WITH gone AS (DELETE FROM " + table + " RETURNING f1) SELECT f1 FROM gone",
          ""}});
    CHECK_THROWS_AS(sneaky.fetch({"sneaky"}), mlpipe::aws::postgres_error);
    // A query that writes through a function: the read-only transaction refuses it.
    const auto sequence = unique_table("seq");
    pg_exec("CREATE SEQUENCE " + sequence);
    postgres_data_source writer(
        postgres_uri(), {{"nextval", "SELECT nextval('" + sequence + "')::float8 AS n", ""}});
    try {
        static_cast<void>(writer.fetch({"nextval"}));
        FAIL("a query that writes ran");
    } catch (const mlpipe::aws::postgres_error& e) {
        CHECK(e.sqlstate() == "25006");  // read_only_sql_transaction
        CHECK(e.backend() == "postgresql");
        CHECK(std::string(e.what()).find("read-only") != std::string::npos);
    }
    CHECK(pg_exec("SELECT last_value FROM " + sequence) == "1");
    CHECK(pg_exec("SELECT is_called::text FROM " + sequence) == "false");
    CHECK(pg_exec("SELECT count(*) FROM " + table) == "6");
    // The source still works after the failed transaction.
    postgres_data_source ok(postgres_uri(), {{"all", "SELECT f1 FROM " + table, ""}});
    CHECK(ok.fetch({"all"}).data.n_samples() == 6);
}

TEST_CASE("column types: integer labels, booleans, NULLs and text features", "[aws][postgres]") {
    MLPIPE_REQUIRE_SERVER("POSTGRES");
    const auto table = unique_table("types");
    pg_exec("CREATE TABLE " + table +
            " (id int, small smallint, flag boolean, real4 real, x double precision, cls int,"
            " name text);"
            "INSERT INTO " +
            table +
            " VALUES (1, 3, true, 0.5, 'Infinity', 7, 'p'), (2, -2, false, 1.25, 2.5, -1, 'q'),"
            " (3, 0, true, NULL, 3.5, 7, 'r')");
    const std::string sql = "SELECT id, small, flag, real4, cls FROM " + table + " ORDER BY id";
    postgres_data_source strict(postgres_uri(), {{"t", sql, "cls", {}, "id"}});
    try {
        static_cast<void>(strict.fetch({"t"}));
        FAIL("a NULL feature was accepted");
    } catch (const mlpipe::format_error& e) {
        CHECK(std::string(e.what()).find("real4") != std::string::npos);
        CHECK(e.where().line == 3);
    }
    mlpipe::aws::postgres_data_source_options lenient;
    lenient.missing = mlpipe::missing_policy::nan;
    postgres_data_source source(postgres_uri(), {{"t", sql, "cls", {}, "id"}}, lenient);
    const auto data = source.fetch({"t"}).data;
    REQUIRE(data.n_features() == 3);
    CHECK(data.feature_names() == std::vector<std::string>{"small", "flag", "real4"});
    CHECK(data.features()(0, 0) == 3.0);
    CHECK(data.features()(1, 0) == -2.0);
    CHECK(data.features()(0, 1) == 1.0);
    CHECK(data.features()(1, 1) == 0.0);
    CHECK(data.features()(1, 2) == 1.25);
    CHECK(std::isnan(data.features()(2, 2)));
    REQUIRE(data.classes().kind() == mlpipe::label_kind::integer);
    CHECK(data.classes().integers() == std::vector<std::int64_t>{-1, 7});
    CHECK(data.targets()[1] == 0);
    CHECK(data.targets()[2] == 1);

    CHECK_THROWS_AS(
        postgres_data_source(postgres_uri(), {{"text", "SELECT name, cls FROM " + table, "cls"}}),
        mlpipe::configuration_error);
    postgres_data_source casted(postgres_uri(),
                                {{"inf", "SELECT x, name FROM " + table + " ORDER BY id", "name"}});
    const auto inf = casted.fetch({"inf"}).data;
    CHECK(std::isinf(inf.features()(0, 0)));
    CHECK(inf.classes().kind() == mlpipe::label_kind::string);
}

TEST_CASE("a larger result streams into one matrix", "[aws][postgres]") {
    MLPIPE_REQUIRE_SERVER("POSTGRES");
    const auto table = unique_table("big");
    pg_exec("CREATE TABLE " + table +
            " AS SELECT i AS id, i * 0.5 AS a, (i % 7)::double precision AS b, i % 3 AS label"
            " FROM generate_series(1, 50000) AS i");
    postgres_data_source source(
        postgres_uri(),
        {{"big", "SELECT * FROM " + table + " ORDER BY id", "label", {"a", "b"}, "id"}});
    const auto result = source.fetch({"big"});
    REQUIRE(result.data.n_samples() == 50000);
    CHECK(result.data.n_classes() == 3);
    CHECK(result.data.features()(49999, 0) == 25000.0);
    CHECK(result.data.features()(12344, 1) == 12345 % 7);
    CHECK(result.data.targets()[12344] == 12345 % 3);
    CHECK(std::get<std::int64_t>(result.high_watermark) == 50000);
}

TEST_CASE("a lost connection is re-established at the next operation", "[aws][postgres]") {
    MLPIPE_REQUIRE_SERVER("POSTGRES");
    const auto table = make_conformance_table();
    const auto name = unique_table("reconnect");
    postgres_data_source source(postgres_uri() + "?application_name=" + name,
                                {{"all", "SELECT f1 FROM " + table, ""}});
    CHECK(source.fetch({"all"}).data.n_samples() == 6);
    CHECK(pg_exec("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE "
                  "application_name = '" +
                  name + "'") == "1");
    CHECK(source.fetch({"all"}).data.n_samples() == 6);
}

TEST_CASE("connection failures are typed and keep the password out", "[aws][postgres]") {
    MLPIPE_REQUIRE_SERVER("POSTGRES");
    // A closed port on loopback: refused at once.
    try {
        postgres_data_source source(
            "postgresql://someone:s3cret-pw@127.0.0.1:1/mlpipe?connect_timeout=2", {});
        FAIL("connected to a closed port");
    } catch (const mlpipe::aws::postgres_error& e) {
        const std::string what = e.what();
        CHECK(what.find("cannot connect") != std::string::npos);
        CHECK(what.find("s3cret-pw") == std::string::npos);
    }
    CHECK_THROWS_AS(mlpipe::open_data_source("postgresql://127.0.0.1:1/x?connect_timeout=2", {}),
                    mlpipe::storage_error);
    // TLS options reach libpq: the test cluster has no TLS, so requiring it fails, saying so.
    try {
        postgres_data_source source(postgres_uri() + "?sslmode=require", {});
        FAIL("sslmode=require connected to a server without TLS");
    } catch (const mlpipe::aws::postgres_error& e) {
        CHECK_THAT(e.what(), Catch::Contains("SSL"));
    }
}
