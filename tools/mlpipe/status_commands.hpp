// SPDX-License-Identifier: Apache-2.0
// `mlpipe init|status|demo`: a fresh local configuration, the one-screen overview, and the
// end-to-end pipeline of examples/pipeline_demo.hpp.
#pragma once

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "app.hpp"
#include "job_commands.hpp"
#include "pipeline_demo.hpp"

namespace mlpipe::cli {

/// mlpipe init [DIR] [--force]
inline int init_command(app& a) {
    const auto& args = a.args();
    if (args.positional.size() > 1) throw usage_error("name at most one directory", a.command());
    const std::filesystem::path dir = args.positional.empty() ? "." : args.positional[0];
    const auto file = dir / "mlpipe.json";
    std::error_code ec;
    if (std::filesystem::exists(file, ec) && !args.flag("force")) {
        throw cli_error(file.string() + " exists already",
                        "keep it, or overwrite it with: mlpipe init --force");
    }
    std::filesystem::create_directories(dir / "models", ec);
    if (ec) {
        throw cli_error("cannot create " + (dir / "models").string() + ": " + ec.message(),
                        "check the directory's permissions");
    }
    const auto doc = default_settings_document();
    write_file_atomically(file, doc.dump(2) + "\n");
    if (a.json()) {
        app::print_json({{"config", std::filesystem::absolute(file).string()}, {"settings", doc}});
        return exit_ok;
    }
    const auto& t = a.term();
    std::printf("%s %s\n", t.green("wrote").c_str(), file.string().c_str());
    std::printf("  warehouse  %s\n  queue      %s\n  models     %s\n",
                doc["warehouse"].get<std::string>().c_str(),
                doc["queue"].get<std::string>().c_str(), doc["models"].get<std::string>().c_str());
    std::printf("  (paths are relative to the file's directory)\n\nnext:\n");
    const std::string cd = dir == "." ? "" : "cd " + dir.string() + " && ";
    std::printf("  %smlpipe data load iris.csv --dataset iris\n", cd.c_str());
    std::printf("  mlpipe train --model iris --dataset iris --promote production --wait\n");
    std::printf("  mlpipe worker --idle-exit 10     (in another terminal)\n");
    return exit_ok;
}

/// mlpipe status
inline int status_command(app& a) {
    const auto& t = a.term();
    const auto& cfg = a.config();
    const auto stats = a.queue().stats();
    auto workers = a.journal().workers();
    std::sort(workers.begin(), workers.end(), [](const nlohmann::json& x, const nlohmann::json& y) {
        return x.value("at", "") > y.value("at", "");
    });
    auto& registry = a.registry();
    const auto models = registry.models();
    auto requests = collect_requests(a);
    if (a.json()) {
        nlohmann::json m = nlohmann::json::array();
        for (const auto& name : models) {
            nlohmann::json aliases = nlohmann::json::object();
            for (const auto& [al, v] : aliases_of(a, name))
                aliases[al] = v;
            m.push_back({{"model", name},
                         {"latest", registry.latest_version(name).value_or(0)},
                         {"aliases", aliases}});
        }
        nlohmann::json r = nlohmann::json::array();
        for (std::size_t i = 0; i < requests.size() && i < 10; ++i)
            r.push_back(to_json(requests[i]));
        nlohmann::json w = nlohmann::json::array();
        for (auto wj : workers) {
            wj["alive"] = detail::worker_alive(wj);
            w.push_back(wj);
        }
        app::print_json(
            {{"config", cfg.file.string()},
             {"warehouse", cfg.warehouse},
             {"queue_uri", cfg.queue},
             {"models_uri", cfg.models},
             {"queue",
              {{"visible", stats.visible}, {"in_flight", stats.in_flight}, {"dead", stats.dead}}},
             {"workers", w},
             {"models", m},
             {"requests", r}});
        return exit_ok;
    }
    std::printf("%s  %s\n", t.bold("mlpipe").c_str(),
                cfg.file.empty() ? "(no configuration file)" : cfg.file.string().c_str());
    std::printf("  warehouse  %s (%zu data sets)\n", cfg.warehouse.c_str(), cfg.datasets.size());
    std::printf("  queue      %s\n  models     %s\n\n", cfg.queue.c_str(), cfg.models.c_str());
    std::printf("%s  %llu visible, %llu in flight, %s dead\n\n", t.bold("queue").c_str(),
                static_cast<unsigned long long>(stats.visible),
                static_cast<unsigned long long>(stats.in_flight),
                stats.dead ? t.red(std::to_string(stats.dead)).c_str() : "0");
    std::printf("%s\n", t.bold("workers").c_str());
    if (workers.empty()) {
        std::printf("  none seen yet (start one: mlpipe worker)\n");
    } else {
        table w({"worker", "state", "request", "seen"});
        std::size_t shown = 0;
        for (const auto& wj : workers) {
            if (++shown > 8) break;
            const bool alive = detail::worker_alive(wj);
            const std::string state = wj.value("state", "");
            w.add({wj.value("worker", ""),
                   alive ? t.status(state) : t.dim(state == "stopped" ? "stopped" : "gone?"),
                   wj.value("request_id", "").empty() ? "-" : wj.value("request_id", ""),
                   human_age(wj.value("at", ""))});
        }
        w.print(t, stdout, "  ");
    }
    std::printf("\n%s\n", t.bold("models").c_str());
    if (models.empty()) {
        std::printf("  none yet (try: mlpipe train --help)\n");
    } else {
        table m({"model", "latest", "aliases", "score"});
        for (const auto& name : models) {
            const auto latest = registry.latest_version(name).value_or(0);
            std::string aliases;
            for (const auto& [al, v] : aliases_of(a, name))
                aliases += (aliases.empty() ? "" : ", ") + al + "=v" + std::to_string(v);
            const auto info = registry.version_info(name, latest);
            const auto& md = info ? info->metadata : nlohmann::json::object();
            m.add({name, "v" + std::to_string(latest), aliases.empty() ? "-" : aliases,
                   md.value("metric", "") + " " + fixed4(md.value("score", std::nan("")))});
        }
        m.print(t, stdout, "  ");
    }
    std::printf("\n%s\n", t.bold("last trainings").c_str());
    if (requests.empty()) {
        std::printf("  none yet\n");
    } else {
        table r({"request", "status", "queued", "detail"});
        for (std::size_t i = 0; i < requests.size() && i < 5; ++i) {
            const auto& v = requests[i];
            r.add({v.request_id, t.status(v.status), human_age(v.queued_at),
                   detail::shorten(v.detail, 60)});
        }
        r.print(t, stdout, "  ");
    }
    return exit_ok;
}

/// mlpipe demo [DATA.csv] [--dir DIR]
inline int demo_command(app& a) {
    const auto& args = a.args();
    if (args.positional.size() > 1) throw usage_error("name at most one CSV file", a.command());
    std::filesystem::path data;
    if (!args.positional.empty()) {
        data = args.positional[0];
    } else {
#ifdef MLPIPE_CLI_DEMO_DATA
        data = MLPIPE_CLI_DEMO_DATA;
#endif
    }
    std::error_code ec;
    if (data.empty() || !std::filesystem::is_regular_file(data, ec)) {
        throw cli_error("no data for the demo" +
                            (data.empty() ? std::string() : " (" + data.string() + " is missing)"),
                        "pass a labelled CSV file: mlpipe demo tests/data/sets/digits.csv");
    }
    std::filesystem::path dir;
    if (const auto d = args.get("dir")) {
        dir = *d;
        if (std::filesystem::exists(dir / "queue.db", ec) && !args.flag("force")) {
            throw cli_error(dir.string() + " holds an earlier demo",
                            "pass --force to start it afresh, or another --dir");
        }
        std::filesystem::remove_all(dir, ec);
    } else {
        dir =
            std::filesystem::temp_directory_path() / ("mlpipe-demo-" + std::to_string(::getpid()));
    }
    std::filesystem::create_directories(dir);
    pipeline_example::pipeline_demo demo(data, dir);
    const int rc = demo.run();
    std::printf(
        "\nexplore it: mlpipe --warehouse sqlite://%s --queue 'sqlite://%s?queue=training' "
        "--models file://%s models\n",
        (dir / "warehouse.db").string().c_str(), (dir / "queue.db").string().c_str(),
        (dir / "models").string().c_str());
    return rc;
}

/// `mlpipe init`: names, usage, help and options, beside the code that reads them.
inline std::vector<command> init_commands() {
    return {
        {"init",
         "[DIR]",
         "write a working local configuration (DIR/mlpipe.json)",
         "Writes mlpipe.json with the embedded defaults: an SQLite warehouse (warehouse.db), an\n"
         "SQLite training queue (queue.db, queue \"training\", dead letters after 3 receives) and\n"
         "a model store directory (models/), all relative to the file's directory.\n\n"
         "examples:\n  mlpipe init\n  mlpipe init ~/ml && cd ~/ml",
         {{"force", "", "overwrite an existing mlpipe.json"}, json_option},
         init_command},
    };
}

/// `mlpipe status` and `demo`: names, usage, help and options, beside the code that reads them.
inline std::vector<command> status_commands() {
    return {
        {"status",
         "",
         "queue depths, workers, models and aliases, last trainings",
         "examples:\n  mlpipe status\n  mlpipe status --json",
         {json_option},
         status_command,
         true},
        {"demo",
         "[DATA.csv] [--dir DIR]",
         "run the end-to-end pipeline on the embedded defaults",
         "Loads DATA.csv (default: the digits data set of the source tree) into a warehouse in\n"
         "batches, runs the retraining trigger, a pool of workers, the registry and a "
         "predictor.\n\n"
         "examples:\n  mlpipe demo\n  mlpipe demo tests/data/sets/wine.csv --dir /tmp/demo",
         {{"dir", "DIR", "work directory (default: a fresh one under /tmp)"},
          {"force", "", "with --dir: start afresh over an earlier demo"}},
         demo_command},
    };
}

}  // namespace mlpipe::cli
