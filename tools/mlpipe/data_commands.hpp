// SPDX-License-Identifier: Apache-2.0
// `mlpipe data load|show|list`: CSV files into the SQLite warehouse (one table per data set, with
// an increasing "id" column as the watermark), and what a data set holds.
#pragma once

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <mlpipe/data/csv.hpp>
#include <mlpipe/jobs/training_request.hpp>
#include <mlpipe/sqlite.hpp>

#include "app.hpp"

namespace mlpipe::cli {

namespace detail {

/// The header line's column names of a CSV file (for the "id" check).
[[nodiscard]] inline std::vector<std::string> csv_header(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::string line;
    std::getline(in, line);
    std::vector<std::string> out;
    std::string cell;
    bool quoted = false;
    for (const char c : line) {
        if (c == '"') {
            quoted = !quoted;
        } else if (c == ',' && !quoted) {
            out.push_back(cell);
            cell.clear();
        } else if (c != '\r') {
            cell += c;
        }
    }
    out.push_back(cell);
    for (auto& name : out) {
        while (!name.empty() && name.front() == ' ')
            name.erase(name.begin());
        while (!name.empty() && name.back() == ' ')
            name.pop_back();
    }
    return out;
}

[[nodiscard]] inline std::string sqlite_path_of(const std::string& warehouse) {
    const auto uri = parse_storage_uri(warehouse);
    if (uri.scheme != "sqlite") {
        throw cli_error(
            "data load writes to an SQLite warehouse, and this one is " + uri.scheme + "://",
            "load with your database's own tools, or set \"warehouse\" to "
            "sqlite://warehouse.db");
    }
    return mlpipe::sqlite::detail::database_path(uri);
}

}  // namespace detail

/// mlpipe data load FILE.csv --dataset NAME [--label COLUMN]
inline int data_load(app& a) {
    const auto& args = a.args();
    if (args.positional.size() != 1) throw usage_error("name one CSV file", a.command());
    const auto name = args.get("dataset");
    if (!name) throw usage_error("--dataset NAME is required", a.command());
    try {
        mlpipe::detail::validate_name(*name, "dataset");
    } catch (const invalid_input_error& e) {
        throw cli_error(e.problem(), "data set names are letters, digits, '.', '_' or '-'");
    }
    const std::filesystem::path file = args.positional[0];
    const auto& cfg = a.config();
    const std::string db_path =
        detail::sqlite_path_of(require_uri(cfg, cfg.warehouse, "warehouse"));
    std::string table = *name;
    const std::string label_column = args.get_or("label", "label");
    const auto known = cfg.datasets.find(*name);
    if (known != cfg.datasets.end()) {
        if (known->second.table.empty()) {
            throw cli_error("data set \"" + *name + "\" is defined by its own SQL, not a table",
                            "load into another data set name, or into its tables directly");
        }
        table = known->second.table;
    }
    const auto started = std::chrono::steady_clock::now();

    // Read and check the whole file first: nothing is written when it is malformed.
    std::error_code ec;
    if (!std::filesystem::is_regular_file(file, ec)) {
        throw cli_error("cannot read " + file.string() + ": no such file",
                        "check the path of the CSV file");
    }
    csv_options options;
    options.label_column = label_column;
    const auto header = detail::csv_header(file);
    if (std::find(header.begin(), header.end(), label_column) == header.end()) {
        throw cli_error(file.string() + " has no column \"" + label_column + "\"",
                        "name the label column with --label COLUMN");
    }
    bool dropped_id = false;
    if (std::find(header.begin(), header.end(), "id") != header.end()) {
        options.ignore_columns.push_back("id");
        dropped_id = true;
    }
    progress_bar bar(a.term(), "reading " + file.filename().string());
    bar.update(0, 0, "", true);
    const dataset<double> data = read_csv<double>(file, options);
    bar.finish();
    const bool integer_labels = data.classes().kind() == label_kind::integer;

    // One transaction: the table gets all the rows or none.
    auto db = mlpipe::sqlite::connection::open(db_path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                                               std::chrono::seconds(30));
    db.exec("PRAGMA journal_mode=WAL");
    mlpipe::sqlite::immediate_transaction<> tx(db);
    std::vector<std::string> wanted = {"id"};
    for (const auto& f : data.feature_names())
        wanted.push_back(f);
    wanted.push_back(label_column);
    std::vector<std::string> existing;
    {
        mlpipe::sqlite::statement info(db.get(), "SELECT name FROM pragma_table_info(?1)");
        info.bind(1, std::string_view(table));
        while (info.step())
            existing.emplace_back(info.column_text(0));
    }
    const std::string quoted = detail::quoted_identifier(table);
    if (existing.empty()) {
        std::string create = "CREATE TABLE " + quoted + " (\"id\" INTEGER PRIMARY KEY";
        for (const auto& f : data.feature_names())
            create += ", " + detail::quoted_identifier(f) + " REAL NOT NULL";
        create += ", " + detail::quoted_identifier(label_column) +
                  (integer_labels ? " INTEGER NOT NULL)" : " TEXT NOT NULL)");
        db.exec(create.c_str());
    } else if (existing != wanted) {
        const auto join = [](const std::vector<std::string>& v) {
            std::string s;
            for (const auto& x : v)
                s += (s.empty() ? "" : ", ") + x;
            return s;
        };
        throw cli_error("table \"" + table + "\" has the columns (" + join(existing) +
                            ") but the file gives (" + join(wanted) + ")",
                        "load a file with the same columns, or use another --dataset name");
    }
    std::string insert = "INSERT INTO " + quoted + " VALUES (NULL";
    for (std::size_t j = 0; j < data.feature_names().size(); ++j)
        insert += ", ?";
    insert += ", ?)";
    mlpipe::sqlite::statement statement(db.get(), insert);
    const auto n = static_cast<std::uint64_t>(data.n_samples());
    progress_bar load(a.term(), "loading " + table);
    for (Eigen::Index i = 0; i < data.n_samples(); ++i) {
        int column = 1;
        for (Eigen::Index j = 0; j < data.n_features(); ++j)
            statement.bind(column++, data.features()(i, j));
        const auto c = static_cast<std::size_t>(data.targets()[i]);
        if (integer_labels) {
            statement.bind(column, data.classes().integers()[c]);
        } else {
            statement.bind(column, std::string_view(data.classes().strings()[c]));
        }
        statement.step();
        statement.reset();
        load.update(static_cast<std::uint64_t>(i + 1), n, "rows");
    }
    std::int64_t total = 0;
    std::int64_t watermark_id = 0;
    {
        mlpipe::sqlite::statement count(db.get(),
                                        "SELECT count(*), coalesce(max(id), 0) FROM " + quoted);
        if (count.step()) {
            total = count.column_int64(0);
            watermark_id = count.column_int64(1);
        }
    }
    tx.commit();
    load.finish();

    // Define the data set in the configuration when it is new.
    std::string note;
    if (known == cfg.datasets.end()) {
        if (cfg.file.empty()) {
            note = "; no configuration file: define the data set yourself";
        } else {
            nlohmann::json doc = cfg.document;
            doc["datasets"][*name] = {
                {"table", table}, {"label", label_column}, {"watermark", "id"}};
            write_file_atomically(cfg.file, doc.dump(2) + "\n");
            note = "; data set \"" + *name + "\" added to " + cfg.file.filename().string();
        }
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    if (a.json()) {
        app::print_json({{"dataset", *name},
                         {"table", table},
                         {"warehouse", db_path},
                         {"loaded_rows", n},
                         {"total_rows", total},
                         {"features", data.n_features()},
                         {"classes", data.n_classes()},
                         {"watermark", watermark_id},
                         {"seconds", seconds}});
        return exit_ok;
    }
    std::printf("%s %llu rows into %s (table %s in %s) in %s%s\n", a.term().green("loaded").c_str(),
                static_cast<unsigned long long>(n), a.term().bold(*name).c_str(), table.c_str(),
                db_path.c_str(), human_seconds(seconds).c_str(), note.c_str());
    std::printf("  %lld features, %zu classes; %lld rows in all, watermark id %lld%s\n",
                static_cast<long long>(data.n_features()), data.n_classes(),
                static_cast<long long>(total), static_cast<long long>(watermark_id),
                dropped_id ? " (the file's own \"id\" column was not loaded)" : "");
    return exit_ok;
}

/// mlpipe data show NAME
inline int data_show(app& a) {
    if (a.args().positional.size() != 1) throw usage_error("name one data set", a.command());
    const std::string name = a.args().positional[0];
    const auto& def = a.config().dataset(name);
    auto source = a.warehouse({name});
    const auto fetched = source.fetch(fetch_request{name, {}});
    const auto& d = fetched.data;
    std::vector<std::size_t> counts(d.n_classes(), 0);
    for (Eigen::Index i = 0; i < d.targets().size(); ++i)
        ++counts[static_cast<std::size_t>(d.targets()[i])];
    const nlohmann::json wm = to_json(fetched.high_watermark);
    if (a.json()) {
        nlohmann::json classes = nlohmann::json::array();
        for (std::size_t c = 0; c < d.n_classes(); ++c)
            classes.push_back({{"label", d.classes().name(c)}, {"rows", counts[c]}});
        nlohmann::json features = nlohmann::json::array();
        for (Eigen::Index j = 0; j < d.n_features(); ++j) {
            const auto col = d.features().col(j);
            features.push_back({{"name", d.feature_names()[static_cast<std::size_t>(j)]},
                                {"min", d.n_samples() ? col.minCoeff() : 0.0},
                                {"mean", d.n_samples() ? col.mean() : 0.0},
                                {"max", d.n_samples() ? col.maxCoeff() : 0.0}});
        }
        app::print_json({{"dataset", name},
                         {"sql", def.definition.source},
                         {"label", def.definition.label_column},
                         {"watermark_column", def.definition.watermark_column},
                         {"rows", d.n_samples()},
                         {"watermark", wm},
                         {"features", features},
                         {"classes", classes}});
        return exit_ok;
    }
    const auto& t = a.term();
    std::printf("%s  %s\n", t.bold("data set").c_str(), t.bold(name).c_str());
    std::printf("  source     %s\n", def.definition.source.c_str());
    std::printf("  rows       %lld\n", static_cast<long long>(d.n_samples()));
    std::printf("  features   %lld\n", static_cast<long long>(d.n_features()));
    std::printf("  label      %s (%zu classes)\n", def.definition.label_column.c_str(),
                d.n_classes());
    std::printf("  watermark  %s = %s\n\n",
                def.definition.watermark_column.empty() ? "(none)"
                                                        : def.definition.watermark_column.c_str(),
                wm.is_null() ? "-" : wm.dump().c_str());
    table classes({"class", "rows", "share"});
    classes.right(1);
    classes.right(2);
    for (std::size_t c = 0; c < d.n_classes(); ++c) {
        char share[16];
        std::snprintf(share, sizeof share, "%.1f%%",
                      d.n_samples() ? 100.0 * static_cast<double>(counts[c]) /
                                          static_cast<double>(d.n_samples())
                                    : 0.0);
        classes.add({d.classes().name(c), std::to_string(counts[c]), share});
    }
    classes.print(t, stdout, "  ");
    std::printf("\n");
    table features({"feature", "min", "mean", "max"});
    for (std::size_t c = 1; c < 4; ++c)
        features.right(c);
    const Eigen::Index shown = std::min<Eigen::Index>(d.n_features(), 20);
    for (Eigen::Index j = 0; j < shown && d.n_samples() > 0; ++j) {
        const auto col = d.features().col(j);
        features.add({d.feature_names()[static_cast<std::size_t>(j)], fixed4(col.minCoeff()),
                      fixed4(col.mean()), fixed4(col.maxCoeff())});
    }
    features.print(t, stdout, "  ");
    if (shown < d.n_features()) {
        std::printf("  ... and %lld more features (--json lists all)\n",
                    static_cast<long long>(d.n_features() - shown));
    }
    return exit_ok;
}

/// mlpipe data list
inline int data_list(app& a) {
    const auto& cfg = a.config();
    if (a.json()) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& [name, d] : cfg.datasets) {
            out.push_back({{"dataset", name},
                           {"table", d.table},
                           {"sql", d.definition.source},
                           {"label", d.definition.label_column},
                           {"watermark_column", d.definition.watermark_column}});
        }
        app::print_json(out);
        return exit_ok;
    }
    if (cfg.datasets.empty()) {
        std::printf("no data sets yet (try: mlpipe data load FILE.csv --dataset NAME)\n");
        return exit_ok;
    }
    table t({"dataset", "source", "label", "watermark"});
    for (const auto& [name, d] : cfg.datasets)
        t.add(
            {name, d.definition.source, d.definition.label_column, d.definition.watermark_column});
    t.print(a.term());
    return exit_ok;
}

/// The `mlpipe data` commands: names, usage, help and options, beside the code that reads them.
inline std::vector<command> data_commands() {
    return {
        {"data load",
         "FILE.csv --dataset NAME",
         "load a CSV file into the warehouse",
         "Appends the rows of a labelled CSV file to the warehouse table of data set NAME\n"
         "(created on first load with an increasing \"id\" column, the watermark), in one\n"
         "transaction, and defines the data set in mlpipe.json when it is new.\n\n"
         "examples:\n  mlpipe data load iris.csv --dataset iris\n"
         "  mlpipe data load more-rows.csv --dataset iris      (appends)\n"
         "  mlpipe data load wine.csv --dataset wine --label class",
         {{"dataset", "NAME", "the data set (and table) to load into"},
          {"label", "COLUMN", "the label column (default: label)"},
          json_option},
         data_load},
        {"data show",
         "NAME",
         "rows, columns, classes and watermark of a data set",
         "Fetches data set NAME from the warehouse as a worker would.\n\n"
         "examples:\n  mlpipe data show iris\n  mlpipe data show iris --json | jq .rows",
         {json_option},
         data_show},
        {"data list",
         "",
         "the data sets of the configuration",
         "examples:\n  mlpipe data list",
         {json_option},
         data_list,
         true},
    };
}

}  // namespace mlpipe::cli
