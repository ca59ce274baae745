// SPDX-License-Identifier: Apache-2.0
// `mlpipe train|requests|worker|retrain`: training requests onto the queue (and following them to
// the end), what happened to them (the journal and the dead letters), the training workers, and
// the retraining policies.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include <mlpipe/jobs/retraining.hpp>
#include <mlpipe/jobs/training_request.hpp>
#include <mlpipe/jobs/training_worker.hpp>
#include <mlpipe/sqlite.hpp>

#include "app.hpp"

namespace mlpipe::cli {

namespace detail {

[[nodiscard]] inline std::string utc_stamp() {
    const std::string iso = mlpipe::detail::utc_now_iso8601();  // 2026-01-02T03:04:05.678Z
    std::string out;
    for (const char c : iso.substr(0, 19))
        if (c != '-' && c != ':') out += c;
    return out;
}

[[nodiscard]] inline std::string random_hex(std::size_t n) {
    std::random_device device;
    std::string out;
    const char* digits = "0123456789abcdef";
    for (std::size_t i = 0; i < n; ++i)
        out += digits[device() % 16];
    return out;
}

[[nodiscard]] inline std::string shorten(std::string s, std::size_t n) {
    for (char& c : s)
        if (c == '\n' || c == '\r' || c == '\t') c = ' ';
    if (display_width(s) <= n) return s;
    return s.substr(0, n > 3 ? n - 3 : n) + "...";
}

/// The request id inside a queued body ("message:<id>" when it has none).
[[nodiscard]] inline std::string request_id_of(const queue_message& m) {
    const auto j = nlohmann::json::parse(m.body, nullptr, false);
    if (j.is_object() && j.contains("request_id") && j["request_id"].is_string())
        return j["request_id"].get<std::string>();
    return "message:" + m.id;
}

/// Whether a worker heartbeat is recent and not "stopped".
[[nodiscard]] inline bool worker_alive(const nlohmann::json& w, double within_seconds = 30) {
    const double age = seconds_since_iso(w.value("at", ""));
    return w.value("state", "") != "stopped" && std::isfinite(age) && age < within_seconds;
}

}  // namespace detail

/// One request as the journal, the queue's dead letters and the workers' heartbeats tell it.
struct request_view {
    std::string request_id;
    std::string model;
    std::string estimator;
    std::string queued_at;
    std::string status;  ///< queued, training, retrying, published, rejected, dead
    std::uint32_t attempts = 0;
    std::string detail;  ///< last error, gate or outcome, in words
    std::string worker;
    std::optional<std::uint64_t> version;
    std::string dead_message_id;
    nlohmann::json last_attempt;
};

/// Every request the journal knows plus every dead letter, newest first.
[[nodiscard]] inline std::vector<request_view> collect_requests(app& a) {
    auto& store = a.store();
    std::map<std::string, request_view> by_id;
    std::map<std::string, nlohmann::json> last_attempt_doc;
    const std::string prefix = "jobs/requests/";
    for (const auto& key : list_all(store, prefix)) {
        const auto found = store.get(key);
        if (!found) continue;
        const auto j = nlohmann::json::parse(found->bytes, nullptr, false);
        if (!j.is_object()) continue;
        const std::string id = j.value("request_id", "");
        if (id.empty()) continue;
        auto& v = by_id[id];
        v.request_id = id;
        if (key.size() > 11 && key.compare(key.size() - 11, 11, "queued.json") == 0) {
            v.queued_at = j.value("queued_at", "");
            const auto& r = j.contains("request") ? j["request"] : nlohmann::json::object();
            v.model = r.value("model", "");
            if (r.contains("estimator") && r["estimator"].is_object())
                v.estimator = r["estimator"].value("kind", "");
        } else {
            const auto n = j.value("attempt", 0u);
            if (n >= v.attempts) {
                v.attempts = n;
                last_attempt_doc[id] = j;
            }
        }
    }
    std::map<std::string, std::string> training;  // request id -> worker
    for (const auto& w : a.journal().workers()) {
        if (w.value("state", "") == "training" && detail::worker_alive(w, 120))
            training[w.value("request_id", "")] = w.value("worker", "");
    }
    std::map<std::string, queue_message> dead;
    for (const auto& m : a.queue().dead_letters(1000))
        dead.emplace(detail::request_id_of(m), m);
    for (const auto& [id, m] : dead) {
        auto& v = by_id[id];
        v.request_id = id;
        v.dead_message_id = m.id;
        if (v.model.empty()) {
            const auto j = nlohmann::json::parse(m.body, nullptr, false);
            if (j.is_object()) {
                v.model = j.value("model", "");
                if (j.contains("estimator") && j["estimator"].is_object())
                    v.estimator = j["estimator"].value("kind", "");
            }
        }
        if (v.queued_at.empty()) {
            const auto t = std::chrono::system_clock::to_time_t(m.sent_at);
            std::tm tm{};
            ::gmtime_r(&t, &tm);
            char text[32];
            std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S.000Z", &tm);
            v.queued_at = text;
        }
        v.attempts = std::max(v.attempts, m.receive_count);
    }
    std::vector<request_view> out;
    for (auto& [id, v] : by_id) {
        const auto it = last_attempt_doc.find(id);
        const std::string last = it == last_attempt_doc.end() ? "" : it->second.value("status", "");
        if (it != last_attempt_doc.end()) {
            v.last_attempt = it->second;
            v.worker = it->second.value("worker", "");
            if (v.model.empty() && it->second.contains("outcome") &&
                it->second["outcome"].is_object()) {
                v.model = it->second["outcome"].value("model", "");
                v.estimator = it->second["outcome"].value("estimator", "");
            }
        }
        if (last == "published" || last == "rejected") {
            v.status = last;
            const auto& o = it->second["outcome"];
            if (o.is_object()) {
                if (o.contains("version")) v.version = o["version"].get<std::uint64_t>();
                v.detail = (v.version ? "v" + std::to_string(*v.version) + ": " : "") +
                           o.value("gate", "");
                if (!o.value("promotion", "").empty()) v.detail += "; " + o.value("promotion", "");
            }
        } else if (!v.dead_message_id.empty()) {
            v.status = "dead";
            v.detail = it == last_attempt_doc.end() ? "" : it->second.value("error", "");
        } else if (training.count(id) != 0) {
            v.status = "training";
            v.worker = training[id];
            v.detail = "on " + v.worker;
        } else if (!last.empty()) {
            v.status = "retrying";
            v.detail = "attempt " + std::to_string(v.attempts) + " " + last + ": " +
                       it->second.value("error", "");
        } else {
            v.status = "queued";
        }
        out.push_back(std::move(v));
    }
    std::sort(out.begin(), out.end(), [](const request_view& x, const request_view& y) {
        return x.queued_at > y.queued_at;
    });
    return out;
}

[[nodiscard]] inline nlohmann::json to_json(const request_view& v) {
    nlohmann::json j = {{"request_id", v.request_id}, {"model", v.model},
                        {"estimator", v.estimator},   {"status", v.status},
                        {"attempts", v.attempts},     {"queued_at", v.queued_at},
                        {"detail", v.detail},         {"worker", v.worker}};
    if (v.version) j["version"] = *v.version;
    if (!v.dead_message_id.empty()) j["dead_message_id"] = v.dead_message_id;
    if (!v.last_attempt.is_null()) j["last_attempt"] = v.last_attempt;
    return j;
}

/// mlpipe requests [--all] [--limit N]
inline int requests_list(app& a) {
    const auto stats = a.queue().stats();
    auto all = collect_requests(a);
    const bool everything = a.args().flag("all");
    const auto limit = a.args().count("limit", 20, a.command());
    std::vector<request_view> shown;
    for (const auto& v : all) {
        if (!everything && shown.size() >= limit) break;
        shown.push_back(v);
    }
    if (a.json()) {
        nlohmann::json list = nlohmann::json::array();
        for (const auto& v : shown)
            list.push_back(to_json(v));
        app::print_json(
            {{"queue",
              {{"visible", stats.visible}, {"in_flight", stats.in_flight}, {"dead", stats.dead}}},
             {"requests", list}});
        return exit_ok;
    }
    const auto& t = a.term();
    std::printf("queue: %llu visible, %llu in flight, %s dead\n\n",
                static_cast<unsigned long long>(stats.visible),
                static_cast<unsigned long long>(stats.in_flight),
                stats.dead ? t.red(std::to_string(stats.dead)).c_str() : "0");
    if (shown.empty()) {
        std::printf("no requests yet (try: mlpipe train --help)\n");
        return exit_ok;
    }
    table out({"request", "model", "estimator", "status", "tries", "queued", "detail"});
    out.right(4);
    for (const auto& v : shown) {
        out.add({v.request_id, v.model, v.estimator, t.status(v.status), std::to_string(v.attempts),
                 human_age(v.queued_at), detail::shorten(v.detail, 70)});
    }
    out.print(t);
    if (shown.size() < all.size()) {
        std::printf("\n%zu more (--all shows every request)\n", all.size() - shown.size());
    }
    if (stats.dead != 0) {
        std::printf(
            "\ndead letters: mlpipe requests retry ID (send again) or mlpipe requests drop "
            "ID\n");
    }
    return exit_ok;
}

/// The dead letter of request (or message) `id`.
[[nodiscard]] inline queue_message find_dead_letter(app& a, const std::string& id) {
    for (const auto& m : a.queue().dead_letters(1000)) {
        if (detail::request_id_of(m) == id || "message:" + m.id == id || m.id == id) return m;
    }
    throw cli_error("no dead letter for request \"" + id + "\"",
                    "mlpipe requests lists the dead ones (status dead)");
}

/// mlpipe requests retry ID | mlpipe requests drop ID
inline int requests_retry_or_drop(app& a, bool retry) {
    if (a.args().positional.size() != 1) throw usage_error("name one request id", a.command());
    const std::string id = a.args().positional[0];
    const auto m = find_dead_letter(a, id);
    std::string new_id;
    if (retry) {
        // The concept has no "redrive": the body is sent again as a new message (a new dedup id,
        // since the request id was the first send's), then the dead letter is deleted.
        new_id = a.queue().send(m.body, detail::request_id_of(m) + "#retry-" + m.id);
    }
    const std::optional<bool> deleted = a.queue().remove_dead_letter(m.id);
    if (!retry && !deleted) {
        throw cli_error("this queue cannot delete dead letters (sqlite:// queues can)",
                        "leave it, or purge it with the queue service's own tools");
    }
    const bool removed = deleted.value_or(false);
    if (a.json()) {
        nlohmann::json j = {{"request_id", detail::request_id_of(m)},
                            {"dead_message_id", m.id},
                            {"removed", removed}};
        if (retry) j["new_message_id"] = new_id;
        app::print_json(j);
        return exit_ok;
    }
    if (retry) {
        std::printf("%s %s (new message %s)%s\n", a.term().green("re-queued").c_str(),
                    detail::request_id_of(m).c_str(), new_id.c_str(),
                    removed ? "; its dead letter was removed"
                            : "; the dead letter stays listed (this queue cannot delete it)");
    } else {
        std::printf("%s dead letter %s of %s\n", a.term().green("dropped").c_str(), m.id.c_str(),
                    detail::request_id_of(m).c_str());
    }
    return exit_ok;
}

/// The request `mlpipe train` builds from its flags (or reads from --request).
[[nodiscard]] inline training_request request_from_args(app& a) {
    const auto& args = a.args();
    if (const auto file = args.get("request")) {
        for (const char* f :
             {"model", "estimator", "hyperparameters", "dataset", "metric", "min-score", "promote",
              "preprocess", "method", "folds", "test-fraction", "champion", "margin", "seed"}) {
            if (args.get(f)) {
                throw usage_error(std::string("--") + f + " cannot be combined with --request",
                                  a.command());
            }
        }
        std::string text;
        if (*file == "-") {
            std::ostringstream s;
            s << std::cin.rdbuf();
            text = s.str();
        } else {
            text = detail::read_text_file(*file, "the request file");
        }
        nlohmann::json doc;
        try {
            doc = nlohmann::json::parse(text);
        } catch (const nlohmann::json::parse_error& e) {
            std::string why = e.what();
            if (const auto colon = why.find("parse error"); colon != std::string::npos)
                why = why.substr(colon);
            throw cli_error(*file + " is not valid JSON: " + why,
                            "fix the request file; see docs/training-request.md");
        }
        if (doc.is_object() && !doc.contains("request_id")) {
            doc["request_id"] =
                args.get_or("request-id", doc.value("model", std::string("model")) + "-" +
                                              detail::utc_stamp() + "-" + detail::random_hex(4));
            text = doc.dump();
        } else if (doc.is_object() && args.get("request-id")) {
            doc["request_id"] = *args.get("request-id");
            text = doc.dump();
        }
        try {
            return parse_training_request(text);
        } catch (const invalid_input_error& e) {
            throw cli_error(
                *file + ": " + (e.subject().empty() ? "" : e.subject() + ": ") + e.problem(),
                "fix the request file; see docs/training-request.md");
        }
    }
    const auto model = args.get("model");
    const auto dataset = args.get("dataset");
    if (!model) throw usage_error("--model NAME is required (or --request FILE)", a.command());
    if (!dataset) throw usage_error("--dataset NAME is required (or --request FILE)", a.command());
    nlohmann::json doc;
    doc["request_id"] =
        args.get_or("request-id", *model + "-" + detail::utc_stamp() + "-" + detail::random_hex(4));
    doc["model"] = *model;
    nlohmann::json hyper = nlohmann::json::object();
    if (const auto h = args.get("hyperparameters")) {
        hyper = nlohmann::json::parse(*h, nullptr, false);
        if (!hyper.is_object()) {
            throw usage_error("--hyperparameters takes a JSON object, e.g. '{\"C\": 0.5}'",
                              a.command());
        }
    }
    doc["estimator"] = {{"kind", args.get_or("estimator", "logistic_regression")},
                        {"hyperparameters", hyper}};
    nlohmann::json steps = nlohmann::json::array();
    for (const auto& p : args.all("preprocess")) {
        std::string rest = p;
        while (!rest.empty()) {
            const auto comma = rest.find(',');
            steps.push_back({{"kind", rest.substr(0, comma)}});
            rest = comma == std::string::npos ? "" : rest.substr(comma + 1);
        }
    }
    doc["preprocessing"] = steps;
    doc["dataset"] = {{"name", *dataset}};
    nlohmann::json validation = nlohmann::json::object();
    if (const auto m = args.get("method")) validation["method"] = *m;
    if (args.get("folds")) validation["folds"] = args.count("folds", 5, a.command());
    if (args.get("test-fraction"))
        validation["test_fraction"] = args.number("test-fraction", 0.2, a.command());
    if (const auto m = args.get("metric")) validation["metric"] = *m;
    if (args.get("min-score")) validation["min_score"] = args.number("min-score", 0, a.command());
    if (const auto c = args.get("champion")) {
        validation["champion"] = {{"alias", *c},
                                  {"margin", args.number("margin", 0.0, a.command())}};
    }
    doc["validation"] = validation;
    if (const auto p = args.get("promote")) doc["promote"] = *p;
    if (args.get("seed")) doc["seed"] = args.count("seed", 0, a.command());
    try {
        return parse_training_request(doc.dump());
    } catch (const invalid_input_error& e) {
        const std::map<std::string, std::string> flag_of = {
            {"estimator.kind", "--estimator"}, {"model", "--model"},
            {"validation.metric", "--metric"}, {"validation.method", "--method"},
            {"promote", "--promote"},          {"dataset.name", "--dataset"}};
        std::string where = e.subject();
        if (const auto it = flag_of.find(where); it != flag_of.end()) where = it->second;
        if (where.rfind("estimator.hyperparameters", 0) == 0) where = "--hyperparameters " + where;
        if (where.rfind("preprocessing", 0) == 0) where = "--preprocess " + where;
        throw cli_error((where.empty() ? "" : where + ": ") + e.problem(), e.remedy());
    }
}

/// Follows request `id` until it is published, rejected or dead-lettered (or the timeout).
inline int wait_for_request(app& a, const training_request& r, double timeout_seconds) {
    const auto started = std::chrono::steady_clock::now();
    const auto elapsed = [&] {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    };
    const auto& t = a.term();
    progress_bar bar(t, "waiting");
    std::string last_state;
    bool warned_no_worker = false;
    auto next_slow_check = std::chrono::steady_clock::now();
    bool dead = false;
    std::string worker;
    for (;;) {
        auto& registry = a.registry();
        if (const auto v = registry.published_version(r.model, r.request_id)) {
            bar.finish();
            const auto info = registry.version_info(r.model, *v);
            const auto& m = info ? info->metadata : nlohmann::json::object();
            if (a.json()) {
                app::print_json({{"request_id", r.request_id},
                                 {"status", "published"},
                                 {"model", r.model},
                                 {"version", *v},
                                 {"metadata", m}});
                return exit_ok;
            }
            std::printf("%s %s v%llu (%s %s; %s) in %s\n", t.green("published").c_str(),
                        r.model.c_str(), static_cast<unsigned long long>(*v),
                        m.value("metric", "").c_str(),
                        fixed4(m.value("score", std::nan(""))).c_str(), m.value("gate", "").c_str(),
                        human_seconds(elapsed()).c_str());
            const auto attempts = a.journal().attempts(r.request_id);
            if (!attempts.empty() && attempts.back().outcome.is_object()) {
                const auto promotion = attempts.back().outcome.value("promotion", "");
                if (!promotion.empty()) std::printf("  %s\n", promotion.c_str());
            }
            return exit_ok;
        }
        const auto attempts = a.journal().attempts(r.request_id);
        if (!attempts.empty() && attempts.back().status == "rejected") {
            bar.finish();
            if (a.json()) {
                app::print_json({{"request_id", r.request_id},
                                 {"status", "rejected"},
                                 {"outcome", attempts.back().outcome}});
            } else {
                std::printf("%s by the gate: %s\n", t.yellow("rejected").c_str(),
                            attempts.back().outcome.value("gate", "").c_str());
            }
            return exit_error;
        }
        std::string state = "queued";
        if (std::chrono::steady_clock::now() >= next_slow_check) {
            next_slow_check = std::chrono::steady_clock::now() + std::chrono::seconds(1);
            for (const auto& m : a.queue().dead_letters(1000))
                if (detail::request_id_of(m) == r.request_id) dead = true;
            bool any_alive = false;
            worker.clear();
            for (const auto& w : a.journal().workers()) {
                if (!detail::worker_alive(w)) continue;
                any_alive = true;
                if (w.value("request_id", "") == r.request_id) worker = w.value("worker", "");
            }
            if (!any_alive && !warned_no_worker && elapsed() > 3.0 && !dead) {
                warned_no_worker = true;
                bar.finish();
                std::fprintf(stderr,
                             "mlpipe: no worker seems to be running; the request waits in the "
                             "queue (try: mlpipe worker, in another terminal)\n");
            }
        }
        if (dead) {
            bar.finish();
            const std::string error = attempts.empty() ? "" : attempts.back().error;
            if (a.json()) {
                app::print_json({{"request_id", r.request_id},
                                 {"status", "dead"},
                                 {"attempts", attempts.size()},
                                 {"error", error}});
            } else {
                std::printf("%s after %zu attempts: %s\n", t.red("dead-lettered").c_str(),
                            attempts.size(), error.c_str());
                std::printf("  (try: fix the cause, then mlpipe requests retry %s)\n",
                            r.request_id.c_str());
            }
            return exit_error;
        }
        if (!worker.empty()) state = "training on " + worker;
        if (!attempts.empty() && attempts.back().status != "published") {
            state += " (attempt " + std::to_string(attempts.size()) + " " + attempts.back().status +
                     ": " + detail::shorten(attempts.back().error, 60) + ")";
        }
        if (state != last_state && !t.progress && !a.json() &&
            !(last_state.empty() && state == "queued")) {
            std::fprintf(stderr, "mlpipe: %s: %s\n", r.request_id.c_str(), state.c_str());
        }
        last_state = state;
        bar.update(0, 0, human_seconds(elapsed()) + "  " + state, true);
        if (timeout_seconds > 0 && elapsed() > timeout_seconds) {
            bar.finish();
            throw cli_error("request " + r.request_id + " is still " + state + " after " +
                                human_seconds(elapsed()),
                            "mlpipe requests shows it; start a worker with: mlpipe worker");
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
}

/// mlpipe train ...
/// `mlpipe estimators`: the estimator and preprocessing step kinds a request may name, with their
/// default hyperparameters (all from the library's one list of kinds, artifact/kinds.hpp).
inline int estimators_command(app& a) {
    nlohmann::json estimators = nlohmann::json::array();
    visit_kinds(registered_models{}, [&]<template <class> class Model>(kind_tag<Model>) {
        using model_type = Model<double>;
        estimators.push_back(
            {{"kind", std::string(model_type::kind)},
             {"hyperparameters", mlpipe::detail::params_of<model_type>{}.to_json()}});
        return false;
    });
    nlohmann::json steps = nlohmann::json::array();
    visit_kinds(registered_steps{}, [&]<template <class> class Step>(kind_tag<Step>) {
        using step_type = Step<double>;
        steps.push_back({{"kind", std::string(step_type::kind)},
                         {"params", mlpipe::detail::params_of<step_type>{}.to_json()}});
        return false;
    });
    if (a.json()) {
        app::print_json({{"estimators", estimators}, {"preprocessing", steps}});
        return exit_ok;
    }
    table models({"estimator", "default hyperparameters"});
    for (const auto& e : estimators)
        models.add({e["kind"], e["hyperparameters"].dump()});
    models.print(a.term());
    std::printf("\n");
    table transformers({"preprocessing step", "default parameters"});
    for (const auto& e : steps)
        transformers.add({e["kind"], e["params"].dump()});
    transformers.print(a.term());
    return exit_ok;
}

/// `mlpipe schema`: the JSON Schema of a training request (mlpipe::training_request_schema()).
inline int schema_command(app&) {
    app::print_json(training_request_schema());
    return exit_ok;
}

inline int train_command(app& a) {
    if (!a.args().positional.empty())
        throw usage_error("train takes no positional arguments", a.command());
    const training_request r = request_from_args(a);
    (void)a.config().dataset(r.dataset.name);  // a clear error for a data set no one defines
    const auto body = mlpipe::to_json(r);
    const double timeout = a.args().number("timeout", 0.0, a.command());
    const auto& t = a.term();
    bool sent = false;
    if (const auto v = a.registry().published_version(r.model, r.request_id)) {
        if (!a.json()) {
            std::printf("request %s published %s v%llu before: nothing queued\n",
                        r.request_id.c_str(), r.model.c_str(), static_cast<unsigned long long>(*v));
        }
    } else if (a.journal().was_queued(r.request_id)) {
        if (!a.json())
            std::printf("request %s was queued before: nothing queued\n", r.request_id.c_str());
    } else {
        (void)a.queue().send(body.dump(), r.request_id);
        (void)a.journal().record_queued(r.request_id, body);
        sent = true;
        if (!a.json()) {
            std::printf("%s %s (%s %s on %s)\n", t.green("queued").c_str(),
                        t.bold(r.request_id).c_str(), r.model.c_str(), r.estimator.c_str(),
                        r.dataset.name.c_str());
        }
    }
    std::fflush(stdout);
    if (a.args().flag("wait")) return wait_for_request(a, r, timeout);
    if (a.json()) {
        app::print_json({{"request_id", r.request_id}, {"queued", sent}, {"request", body}});
    } else if (sent) {
        std::printf("  follow it: mlpipe requests   (or train again with --wait)\n");
    }
    return exit_ok;
}

/// mlpipe worker [-n N] [--idle-exit S] ...
inline int worker_command(app& a) {
    const auto& args = a.args();
    const auto& t = a.term();
    const auto n = args.count("workers", 1, a.command());
    if (n == 0 || n > 64) throw usage_error("--workers takes 1 to 64", a.command());
    // Open each data set alone first: one broken definition must not stop the others.
    std::vector<std::string> usable;
    for (const auto& [name, d] : a.config().datasets) {
        try {
            (void)a.warehouse({name});
            usable.push_back(name);
        } catch (const cli_error&) {
            throw;
        } catch (const std::exception& e) {
            std::fprintf(stderr, "mlpipe: warning: data set %s is skipped: %s\n", name.c_str(),
                         e.what());
        }
    }
    if (usable.empty()) {
        throw cli_error("no usable data set in the configuration",
                        "load one first: mlpipe data load FILE.csv --dataset NAME");
    }
    auto source = a.warehouse(usable);
    auto& queue = a.queue();
    auto& store = a.store();
    worker_options options;
    options.name = args.get_or("name", mlpipe::detail::process_name());
    options.lease = std::chrono::milliseconds(
        static_cast<std::int64_t>(1000.0 * args.number("lease", 60.0, a.command())));
    options.poll_wait = std::chrono::milliseconds(250);
    if (args.get("idle-exit")) {
        options.idle_exit = std::chrono::milliseconds(
            static_cast<std::int64_t>(1000.0 * args.number("idle-exit", 0.0, a.command())));
    }
    if (args.get("max-requests")) options.max_requests = args.count("max-requests", 0, a.command());
    if (args.flag("finish")) options.on_stop = stop_policy::finish;

    std::mutex print;
    progress_bar bar(t, "");
    const bool quiet_json = a.json();
    options.on_event = [&](const worker_event& e) {
        using kind = worker_event::kind;
        std::lock_guard lock(print);
        if (quiet_json) return;
        const std::string who = t.dim(e.worker);
        switch (e.type) {
            case kind::received:
                bar.finish();
                std::printf("%s  received %s (%s %s, attempt %u)\n", who.c_str(),
                            e.request_id.c_str(), e.model.c_str(), e.estimator.c_str(), e.attempt);
                break;
            case kind::progress:
                if (e.step != nullptr) {
                    bar.update(static_cast<std::uint64_t>(e.step->step),
                               static_cast<std::uint64_t>(e.step->steps),
                               e.request_id + " " + std::string(e.step->stage));
                }
                break;
            case kind::published:
            case kind::rejected: {
                bar.finish();
                const auto& o = *e.outcome;
                std::printf("%s  %s %s: %s %s, %s%s%s (%s)\n", who.c_str(),
                            e.type == kind::published ? t.green("published").c_str()
                                                      : t.yellow("rejected").c_str(),
                            o.version ? (o.model + " v" + std::to_string(*o.version)).c_str()
                                      : e.request_id.c_str(),
                            o.metric.c_str(), fixed4(o.score).c_str(), o.gate.c_str(),
                            o.promotion.empty() ? "" : "; ", o.promotion.c_str(),
                            human_seconds(o.seconds).c_str());
                break;
            }
            case kind::failed:
            case kind::cancelled:
                bar.finish();
                std::printf("%s  %s %s (attempt %u): %s\n", who.c_str(),
                            e.type == kind::failed ? t.red("failed").c_str()
                                                   : t.yellow("cancelled").c_str(),
                            e.request_id.c_str(), e.attempt, e.message.c_str());
                break;
            default:
                break;
        }
        std::fflush(stdout);
    };
    stop_on_signals();
    if (!a.json()) {
        std::printf("%s %llu worker%s on %s (Ctrl-C stops%s)\n", t.bold("starting").c_str(),
                    static_cast<unsigned long long>(n), n == 1 ? "" : "s", a.config().queue.c_str(),
                    options.idle_exit
                        ? ("; exits after " +
                           human_seconds(static_cast<double>(options.idle_exit->count()) / 1000.0) +
                           " idle")
                              .c_str()
                        : "");
        std::fflush(stdout);
    }
    const auto started = std::chrono::steady_clock::now();
    worker_pool pool(queue, source, store, static_cast<unsigned>(n), options);
    const auto summary = pool.run();
    bar.finish();
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    if (a.json()) {
        app::print_json({{"received", summary.received},
                         {"published", summary.published},
                         {"rejected", summary.rejected},
                         {"failed", summary.failed},
                         {"cancelled", summary.cancelled},
                         {"exit_reason", summary.exit_reason},
                         {"seconds", seconds}});
        return exit_ok;
    }
    std::printf(
        "stopped (%s) after %s: %llu received, %llu published, %llu rejected, %llu "
        "failed, %llu cancelled\n",
        summary.exit_reason.c_str(), human_seconds(seconds).c_str(),
        static_cast<unsigned long long>(summary.received),
        static_cast<unsigned long long>(summary.published),
        static_cast<unsigned long long>(summary.rejected),
        static_cast<unsigned long long>(summary.failed),
        static_cast<unsigned long long>(summary.cancelled));
    return exit_ok;
}

/// mlpipe retrain check
inline int retrain_check(app& a) {
    const auto& cfg = a.config();
    if (cfg.policies.empty()) {
        if (a.json()) {
            app::print_json(nlohmann::json::array());
        } else {
            std::printf(
                "no retraining policies in the configuration (see docs/cli.md, "
                "\"policies\")\n");
        }
        return exit_ok;
    }
    nlohmann::json out = nlohmann::json::array();
    table report({"model", "due", "new rows", "reason", "queued"});
    report.right(2);
    for (const auto& [model, doc] : cfg.policies.items()) {
        const auto policy = parse_policy(model, doc);
        auto source = a.warehouse({policy.candidates.front().dataset.name});
        const auto d = check_retraining(policy, source, a.registry(), a.queue(), a.journal());
        std::string queued;
        for (const auto& id : d.queued)
            queued += (queued.empty() ? "" : ", ") + id;
        out.push_back({{"model", d.model},
                       {"due", d.due},
                       {"reason", d.reason},
                       {"new_rows", d.new_rows},
                       {"queued", d.queued},
                       {"already_queued", d.already_queued}});
        report.add({model, a.term().status(d.due ? "due" : "no"), std::to_string(d.new_rows),
                    d.reason, queued.empty() ? "-" : queued});
    }
    if (a.json()) {
        app::print_json(out);
    } else {
        report.print(a.term());
    }
    return exit_ok;
}

/// `mlpipe train`, `estimators`, `schema`, `requests`, `worker` and `retrain`: names, usage, help
/// and options, beside the code that reads them.
inline std::vector<command> job_commands() {
    return {
        {"train",
         "--model NAME --dataset NAME [options] | --request FILE",
         "queue a training request (and follow it with --wait)",
         "Builds a training request (docs/training-request.md) from the flags, or reads it from\n"
         "FILE (\"-\": standard input), validates it, sends it to the training queue and prints\n"
         "its id. With --wait it follows the request until it is published, rejected by the gate\n"
         "or dead-lettered (exit code 1 for the last two); a worker must be running\n"
         "(mlpipe worker).\n\n"
         "examples:\n"
         "  mlpipe train --model iris --dataset iris --promote production --wait\n"
         "  mlpipe train --model iris --dataset iris --estimator linear_svm \\\n"
         "      --hyperparameters '{\"C\": 0.5}' --preprocess standard_scaler \\\n"
         "      --min-score 0.9 --champion production --promote production\n"
         "  mlpipe train --request request.json --wait --timeout 600",
         {{"model", "NAME", "the registry's model name"},
          {"dataset", "NAME", "a data set of the configuration"},
          {"estimator", "KIND",
           "one of: " + estimator_kinds() + " (default logistic_regression; mlpipe estimators)"},
          {"hyperparameters", "JSON", "the estimator's hyperparameters, e.g. '{\"C\": 0.5}'"},
          {"preprocess", "STEP",
           "a step before the estimator, one of: " + step_kinds() + " (repeat)", true},
          {"method", "METHOD", "holdout (default) or k_fold"},
          {"folds", "K", "folds of k_fold (default 5)"},
          {"test-fraction", "F", "share of rows held out (default 0.2)"},
          {"metric", "NAME", "accuracy (default), f1_macro, balanced_accuracy, ..."},
          {"min-score", "X", "the gate's minimum score"},
          {"champion", "ALIAS", "must beat the version ALIAS points to"},
          {"margin", "X", "by at least this much (default 0)"},
          {"promote", "ALIAS", "move ALIAS to the new version when the gate passes"},
          {"seed", "N", "seeds the hold-out, folds and estimator (default 0)"},
          {"request-id", "ID", "the request's id (default: MODEL-TIME-RANDOM)"},
          {"request", "FILE", "read the request document from FILE (- for standard input)"},
          {"wait", "", "follow the request to its end"},
          {"timeout", "SECONDS", "with --wait: give up after this long (exit code 1)"},
          json_option},
         train_command},
        {"estimators",
         "",
         "the estimator and preprocessing step kinds, with their defaults",
         "Lists what a training request may name (mlpipe train --estimator KIND --preprocess\n"
         "STEP, or the request document's estimator.kind and preprocessing[].kind) with the\n"
         "default hyperparameters of each (docs/training-request.md says what they mean).\n\n"
         "examples:\n  mlpipe estimators\n  mlpipe estimators --json | jq '.estimators[].kind'",
         {json_option},
         estimators_command,
         true},
        {"schema",
         "",
         "the JSON Schema of a training request document",
         "Prints the JSON Schema (2020-12) that a request document (mlpipe train --request\n"
         "FILE, or a message on the training queue) follows, with the estimator and step kinds\n"
         "and the metrics of this build (docs/training-request.md describes the fields).\n\n"
         "examples:\n  mlpipe schema > training-request.schema.json",
         {},
         schema_command,
         true},
        {"requests",
         "",
         "queued, in-flight, finished and dead-lettered requests",
         "Lists the requests the journal knows (newest first) with their state, attempts and\n"
         "last error, and the queue's counts. Dead letters can be sent again (requests retry)\n"
         "or dropped (requests drop).\n\n"
         "examples:\n  mlpipe requests\n  mlpipe requests --all --json",
         {{"all", "", "every request, not only the latest 20"},
          {"limit", "N", "show at most N requests (default 20)"},
          json_option},
         requests_list,
         true},
        {"requests retry",
         "ID",
         "send a dead-lettered request again",
         "The queue has no \"redrive\" operation: the dead letter's body is sent again as a new\n"
         "message, then the dead letter is deleted (sqlite:// queues; other queues keep listing\n"
         "it).\n\nexamples:\n  mlpipe requests retry iris-20260101T120000-1a2b",
         {json_option},
         [](app& a) { return requests_retry_or_drop(a, true); }},
        {"requests drop",
         "ID",
         "delete a dead-lettered request (sqlite:// queues)",
         "examples:\n  mlpipe requests drop iris-20260101T120000-1a2b",
         {json_option},
         [](app& a) { return requests_retry_or_drop(a, false); }},
        {"worker",
         "[options]",
         "run training workers in the foreground",
         "Runs N workers (threads) that take requests from the queue, train, validate, publish\n"
         "and promote, printing each step. Ctrl-C or SIGTERM stops them: the current request is\n"
         "given back to the queue (or finished first with --finish).\n\n"
         "examples:\n  mlpipe worker\n  mlpipe worker --workers 2 --idle-exit 30",
         {{"workers", "N", "number of workers (default 1)"},
          {"idle-exit", "SECONDS", "exit after this long without a request"},
          {"max-requests", "N", "exit after N requests"},
          {"lease", "SECONDS", "visibility timeout of a received request (default 60)"},
          {"name", "NAME", "the workers' name (default host:pid)"},
          {"finish", "", "on Ctrl-C/SIGTERM finish the current request before exiting"},
          json_option},
         worker_command,
         true},
        {"retrain check",
         "",
         "evaluate the retraining policies and queue what is due",
         "For each policy of the configuration (\"policies\"), counts the rows that arrived since\n"
         "the current version's watermark and its age, and queues the policy's candidates when\n"
         "due. Request ids derive from the model and watermark: checking twice never queues\n"
         "twice.\n\nexamples:\n  mlpipe retrain check\n  mlpipe retrain check --json",
         {json_option},
         retrain_check,
         true},
    };
}

}  // namespace mlpipe::cli
