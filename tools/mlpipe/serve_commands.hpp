// SPDX-License-Identifier: Apache-2.0
// `mlpipe predict|serve`: predictions through the same handler the Lambda runtime uses
// (serving/handler.hpp): `predict` builds a direct invocation from a CSV or JSON file, `serve`
// turns HTTP requests on loopback (cpp-httplib) into API Gateway proxy events.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include <mlpipe/jobs/training_worker.hpp>
#include <mlpipe/serving/handler.hpp>
#include <mlpipe/serving/predictor.hpp>

#ifdef MLPIPE_CLI_WITH_HTTP
#include <httplib.h>
#endif

#include "app.hpp"

namespace mlpipe::cli {

namespace detail {

/// Splits one CSV line (RFC 4180 quotes; no newlines inside quotes).
[[nodiscard]] inline std::vector<std::string> csv_cells(const std::string& line) {
    std::vector<std::string> out;
    std::string cell;
    bool quoted = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (quoted) {
            if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
                cell += '"';
                ++i;
            } else if (c == '"') {
                quoted = false;
            } else {
                cell += c;
            }
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            out.push_back(cell);
            cell.clear();
        } else if (c != '\r') {
            cell += c;
        }
    }
    out.push_back(cell);
    for (auto& s : out) {
        while (!s.empty() && s.front() == ' ')
            s.erase(s.begin());
        while (!s.empty() && s.back() == ' ')
            s.pop_back();
    }
    return out;
}

/// A CSV cell as a JSON number (null for an empty or NA cell).
[[nodiscard]] inline nlohmann::json csv_number(const std::string& cell, std::size_t line,
                                               const std::string& column) {
    if (cell.empty() || cell == "NA" || cell == "NaN" || cell == "nan" || cell == "null" ||
        cell == "?")
        return nullptr;
    try {
        std::size_t used = 0;
        const double x = std::stod(cell, &used);
        if (used == cell.size()) return x;
    } catch (const std::exception&) {
    }
    throw cli_error("line " + std::to_string(line) + ", column " + column + ": \"" + cell +
                        "\" is not a number",
                    "give numbers only in the feature columns");
}

/// The instances of a CSV text: named by the header when it names every feature of the model
/// (other columns, such as label or id, are left out), else positional.
[[nodiscard]] inline nlohmann::json csv_instances(const std::string& text,
                                                  const std::vector<std::string>& features) {
    std::istringstream in(text);
    std::string line;
    if (!std::getline(in, line)) throw cli_error("the input is empty", "give a header and rows");
    const auto header = csv_cells(line);
    std::vector<std::size_t> pick;
    bool named = !features.empty();
    for (const auto& f : features) {
        const auto it = std::find(header.begin(), header.end(), f);
        if (it == header.end()) {
            named = false;
            break;
        }
        pick.push_back(static_cast<std::size_t>(it - header.begin()));
    }
    if (!named) {
        pick.clear();
        for (std::size_t j = 0; j < header.size(); ++j)
            if (header[j] != "label" && header[j] != "id") pick.push_back(j);
    }
    nlohmann::json instances = nlohmann::json::array();
    std::size_t number = 1;
    while (std::getline(in, line)) {
        ++number;
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        const auto cells = csv_cells(line);
        if (cells.size() != header.size()) {
            throw cli_error("line " + std::to_string(number) + " has " +
                                std::to_string(cells.size()) + " fields but the header has " +
                                std::to_string(header.size()),
                            "fix or remove the line");
        }
        nlohmann::json row = named ? nlohmann::json::object() : nlohmann::json::array();
        for (std::size_t k = 0; k < pick.size(); ++k) {
            const auto v = csv_number(cells[pick[k]], number, header[pick[k]]);
            if (named) {
                row[features[k]] = v;
            } else {
                row.push_back(v);
            }
        }
        instances.push_back(std::move(row));
    }
    return instances;
}

/// The reference to serve when none is named: production when it is set, else latest.
[[nodiscard]] inline std::string default_reference(app& a, const std::string& model) {
    require_model(a, model);
    return a.registry().alias(model, "production") ? "production" : "latest";
}

}  // namespace detail

/// mlpipe predict NAME[@REF] --input rows.csv|rows.json|-
inline int predict_command(app& a) {
    const auto& args = a.args();
    if (args.positional.size() != 1) throw usage_error("name one model", a.command());
    auto [model, ref] = split_model_ref(args.positional[0]);
    if (args.positional[0].find('@') == std::string::npos)
        ref = detail::default_reference(a, model);
    const auto version = resolve_reference(a, model, ref);
    const std::string input = args.get_or("input", "-");
    std::string text;
    if (input == "-") {
        std::ostringstream s;
        s << std::cin.rdbuf();
        text = s.str();
    } else {
        text = detail::read_text_file(input, "the input");
    }
    predictor_options po;
    po.alias_ttl = std::chrono::milliseconds(0);
    predictor<any_blob_store> p(a.store(), po);
    handler<any_blob_store> h(p);
    const auto served = p.get(model, std::to_string(version));
    nlohmann::json event = {{"model", model}};
    const bool is_number =
        std::all_of(ref.begin(), ref.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (is_number || ref == "latest" || (ref.size() > 1 && ref[0] == 'v')) {
        event["version"] = version;
    } else {
        event["alias"] = ref;
    }
    const auto first = text.find_first_not_of(" \t\r\n");
    if (first != std::string::npos && (text[first] == '{' || text[first] == '[')) {
        auto doc = nlohmann::json::parse(text, nullptr, false);
        if (doc.is_discarded())
            throw cli_error(input + " is not valid JSON", "give {\"instances\": [...]} or a CSV");
        event["instances"] = doc.is_object() && doc.contains("instances") ? doc["instances"] : doc;
    } else {
        event["instances"] = detail::csv_instances(text, served->model.feature_names());
    }
    const auto answer = nlohmann::json::parse(h.handle(event.dump()));
    if (answer.contains("error")) {
        const auto& e = answer["error"];
        throw cli_error(e.value("message", std::string("the prediction failed")),
                        "mlpipe models show " + model + "@" + std::to_string(version) +
                            " shows what the model takes");
    }
    if (a.json()) {
        app::print_json(answer);
        return exit_ok;
    }
    const auto& t = a.term();
    std::vector<std::string> header = {"row", "prediction", "p"};
    const auto& classes = answer["classes"];
    for (const auto& c : classes)
        header.push_back("p(" + (c.is_string() ? c.get<std::string>() : c.dump()) + ")");
    table out(header);
    for (std::size_t c = 2; c < header.size(); ++c)
        out.right(c);
    out.right(0);
    const auto& predictions = answer["predictions"];
    const auto& probabilities = answer["probabilities"];
    for (std::size_t i = 0; i < predictions.size(); ++i) {
        std::vector<std::string> row = {
            std::to_string(i + 1),
            predictions[i].is_string() ? predictions[i].get<std::string>() : predictions[i].dump()};
        double top = 0;
        std::vector<std::string> ps;
        for (const auto& p_value : probabilities[i]) {
            top = std::max(top, p_value.get<double>());
            ps.push_back(fixed4(p_value.get<double>()));
        }
        row.push_back(fixed4(top));
        row.insert(row.end(), ps.begin(), ps.end());
        out.add(row);
    }
    out.print(t);
    std::fprintf(stderr, "%zu predictions by %s v%llu (sha256 %s)\n", predictions.size(),
                 model.c_str(), static_cast<unsigned long long>(answer.value("version", 0ULL)),
                 answer.value("digest", std::string()).substr(0, 12).c_str());
    return exit_ok;
}

/// mlpipe serve [--port P] [--host H]
inline int serve_command(app& a) {
#ifndef MLPIPE_CLI_WITH_HTTP
    (void)a;
    throw cli_error("this mlpipe was built without cpp-httplib: it cannot serve HTTP",
                    "install libcpp-httplib-dev (scripts/install-deps.sh) and rebuild");
#else
    const auto& args = a.args();
    const auto port = args.count("port", 8080, a.command());
    if (port > 65535) throw usage_error("--port takes 0 to 65535", a.command());
    const std::string host = args.get_or("host", "127.0.0.1");
    predictor_options po;
    po.alias_ttl = std::chrono::milliseconds(
        static_cast<std::int64_t>(1000.0 * args.number("alias-ttl", 5.0, a.command())));
    auto& store = a.store();
    predictor<any_blob_store> p(store, po);
    handler_options ho;
    ho.reference = args.get_or("reference", "production");
    handler<any_blob_store> h(p, ho);
    std::mutex registry_mutex;  // the model list reads through a registry of its own

    httplib::Server server;
    server.set_payload_max_length(po.limits.max_payload_bytes + 1);
    const auto send_json = [](httplib::Response& res, int status, const nlohmann::json& body) {
        res.status = status;
        res.set_content(body.dump(), "application/json");
    };
    const auto proxy = [&](const httplib::Request& req, httplib::Response& res) {
        const nlohmann::json event = {{"httpMethod", req.method},
                                      {"path", req.path},
                                      {"body", req.body},
                                      {"isBase64Encoded", false}};
        const auto answer = nlohmann::json::parse(h.handle(event.dump()), nullptr, false);
        if (!answer.is_object()) {
            send_json(res, 500, {{"error", {{"type", "internal"}, {"status", 500}}}});
            return;
        }
        res.status = answer.value("statusCode", 500);
        res.set_content(answer.value("body", std::string("{}")), "application/json");
    };
    server.Post(R"(/v1/models/.+)", proxy);
    server.Get(R"(/v1/models/.+)", proxy);
    server.Get("/v1/models", [&](const httplib::Request&, httplib::Response& res) {
        std::lock_guard lock(registry_mutex);
        nlohmann::json models = nlohmann::json::array();
        for (const auto& m : a.registry().models()) {
            nlohmann::json aliases = nlohmann::json::object();
            for (const auto& [al, v] : aliases_of(a, m))
                aliases[al] = v;
            models.push_back({{"model", m},
                              {"latest", a.registry().latest_version(m).value_or(0)},
                              {"aliases", aliases}});
        }
        send_json(res, 200, {{"models", models}});
    });
    server.Get("/healthz", [&](const httplib::Request&, httplib::Response& res) {
        send_json(res, 200, {{"status", "ok"}});
    });
    server.set_error_handler([&](const httplib::Request& req, httplib::Response& res) {
        if (!res.body.empty()) return;
        const int status = res.status == 413 ? 413 : (res.status >= 400 ? res.status : 404);
        send_json(res, status,
                  {{"error",
                    {{"type", status == 413 ? "payload_too_large" : "not_found"},
                     {"message", status == 413 ? "the request body is too large"
                                               : "no route " + req.method + " " + req.path},
                     {"status", status}}}});
    });
    server.set_exception_handler([&](const httplib::Request&, httplib::Response& res,
                                     std::exception_ptr) {
        send_json(res, 500,
                  {{"error", {{"type", "internal"}, {"message", "internal"}, {"status", 500}}}});
    });
    const bool quiet = args.flag("quiet");
    server.set_logger([&](const httplib::Request& req, const httplib::Response& res) {
        if (quiet) return;
        std::printf("%s %s %d %zu B\n", req.method.c_str(), req.path.c_str(), res.status,
                    res.body.size());
        std::fflush(stdout);
    });
    int bound = 0;
    if (port == 0) {
        bound = server.bind_to_any_port(host);
    } else {
        bound = server.bind_to_port(host, static_cast<int>(port)) ? static_cast<int>(port) : -1;
    }
    if (bound <= 0) {
        throw cli_error("cannot listen on " + host + ":" + std::to_string(port),
                        "pick another --port (is another server using it?)");
    }
    std::printf(
        "serving %s on http://%s:%d  (POST /v1/models/NAME:predict, GET /v1/models, GET "
        "/healthz; Ctrl-C stops)\n",
        a.config().models.c_str(), host.c_str(), bound);
    std::fflush(stdout);
    stop_on_signals();
    std::atomic<bool> done{false};
    std::thread watcher([&] {
        while (!done.load()) {
            if (stop_signal_received() != 0) {
                server.stop();
                break;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
    });
    const bool ok = server.listen_after_bind();
    done = true;
    watcher.join();
    std::printf("stopped%s\n", stop_signal_received() ? " (signal)" : "");
    return ok || stop_signal_received() != 0 ? exit_ok : exit_error;
#endif
}

/// `mlpipe predict` and `serve`: names, usage, help and options, beside the code that reads them.
inline std::vector<command> serve_commands() {
    return {
        {"predict",
         "NAME[@VERSION|@ALIAS] [--input rows.csv|rows.json|-]",
         "predictions and probabilities for rows",
         "Answers through the same handler as the Lambda runtime (serving/handler.hpp). A CSV\n"
         "whose header names the model's features gives named instances (other columns such as\n"
         "label or id are left out), else its columns are the features in order. JSON is\n"
         "{\"instances\": [...]} or the array itself. Without @REF: production when it is set,\n"
         "else the latest version.\n\n"
         "examples:\n  mlpipe predict iris --input new-flowers.csv\n"
         "  echo '[[5.1, 3.5, 1.4, 0.2]]' | mlpipe predict iris@3 --json",
         {{"input", "FILE", "rows.csv, rows.json, or - for standard input (the default)"},
          json_option},
         predict_command},
        {"serve",
         "[--port P] [--host H]",
         "a local HTTP endpoint for predictions",
         "Serves the model store over HTTP with the Lambda handler: each request becomes an API\n"
         "Gateway proxy event. Routes: POST /v1/models/NAME:predict (also\n"
         "/v1/models/NAME/aliases/ALIAS:predict and /versions/N:predict), GET /v1/models/NAME,\n"
         "GET /v1/models, GET /healthz. Listens on 127.0.0.1 unless --host says otherwise.\n\n"
         "examples:\n  mlpipe serve --port 8080\n"
         "  curl -s localhost:8080/v1/models/iris:predict -d '{\"instances\": [[5.1, 3.5, 1.4, "
         "0.2]]}'",
         {{"port", "P", "port (default 8080; 0 picks a free one)"},
          {"host", "HOST", "address to listen on (default 127.0.0.1)"},
          {"reference", "REF", "what requests naming no alias or version get (production)"},
          {"alias-ttl", "SECONDS", "re-check aliases after this long (default 5)"},
          {"quiet", "", "no access log"}},
         serve_command,
         true},
    };
}

}  // namespace mlpipe::cli
