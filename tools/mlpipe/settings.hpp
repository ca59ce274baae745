// SPDX-License-Identifier: Apache-2.0
// The mlpipe command line's configuration: one JSON file (mlpipe.json) naming the warehouse, the
// training queue and the model store by URI, the named data sets and the retraining policies;
// flags and environment variables override the URIs. Relative file paths in sqlite:// and file://
// URIs are resolved against the configuration file's directory.
#pragma once

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>
#include <nlohmann/json.hpp>

#include <mlpipe/jobs/retraining.hpp>
#include <mlpipe/jobs/training_request.hpp>
#include <mlpipe/storage/data_source.hpp>
#include <mlpipe/storage/uri.hpp>

#include "args.hpp"

namespace mlpipe::cli {

/// A data set of the configuration (the warehouse table `table` when loaded by `data load`).
struct dataset_settings {
    dataset_definition definition;
    std::string table;  ///< the table `data load` writes ("" when the SQL is the user's own)
};

/// The configuration as read (URIs resolved).
struct settings {
    std::filesystem::path file;  ///< the configuration file ("" when none was found)
    nlohmann::json document = nlohmann::json::object();  ///< the file's content
    std::string warehouse;
    std::string queue;
    std::string models;
    std::map<std::string, dataset_settings> datasets;
    nlohmann::json policies = nlohmann::json::object();  ///< model name -> policy document

    /// The data set `name`, or a cli_error saying how to define it.
    [[nodiscard]] const dataset_settings& dataset(const std::string& name) const {
        const auto it = datasets.find(name);
        if (it != datasets.end()) return it->second;
        std::string known;
        for (const auto& [n, d] : datasets)
            known += (known.empty() ? "" : ", ") + n;
        throw cli_error("no data set named \"" + name + "\" in the configuration" +
                            (known.empty() ? std::string(" (it defines none yet)")
                                           : " (it has: " + known + ")"),
                        "mlpipe data load FILE.csv --dataset " + name +
                            ", or define it under \"datasets\" in " +
                            (file.empty() ? std::string("mlpipe.json") : file.string()));
    }

    /// Every data set definition (for a worker's data source).
    [[nodiscard]] std::vector<dataset_definition> definitions() const {
        std::vector<dataset_definition> out;
        for (const auto& [n, d] : datasets)
            out.push_back(d.definition);
        return out;
    }
};

/// The default configuration `mlpipe init` writes (paths relative to the file).
[[nodiscard]] inline nlohmann::json default_settings_document() {
    return nlohmann::json{
        {"format", 1},
        {"warehouse", "sqlite://warehouse.db"},
        {"queue", "sqlite://queue.db?queue=training&max_receives=3"},
        {"models", "file://models"},
        {"datasets", nlohmann::json::object()},
        {"policies", nlohmann::json::object()},
    };
}

namespace detail {

/// For sqlite:// and file:// URIs with a relative path: the URI with the path made absolute
/// against `base`. Other URIs come back unchanged. Checks the URI's syntax.
[[nodiscard]] inline std::string resolve_uri(const std::string& text,
                                             const std::filesystem::path& base,
                                             const std::string& key) {
    storage_uri uri;
    try {
        uri = parse_storage_uri(text);
    } catch (const configuration_error& e) {
        throw configuration_error(e.problem(), e.remedy(), key);
    }
    if (uri.scheme != "sqlite" && uri.scheme != "file") return text;
    const std::string path = uri.authority.empty() ? uri.path : uri.authority + uri.path;
    if (path.empty() || std::filesystem::path(path).is_absolute()) return text;
    std::string absolute = (base / path).lexically_normal().string();
    std::string escaped;
    for (const char c : absolute) {
        if (c == '%') {
            escaped += "%25";
        } else if (c == '?') {
            escaped += "%3F";
        } else {
            escaped += c;
        }
    }
    const auto q = text.find('?');
    return uri.scheme + "://" + escaped + (q == std::string::npos ? "" : text.substr(q));
}

[[nodiscard]] inline std::string quoted_identifier(const std::string& name) {
    std::string out = "\"";
    for (const char c : name) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

[[nodiscard]] inline std::string read_text_file(const std::filesystem::path& path,
                                                const std::string& what) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw cli_error("cannot read " + what + " " + path.string() + ": " +
                            std::generic_category().message(errno),
                        "check the path and its permissions");
    }
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

}  // namespace detail

/// Writes `text` to `path` atomically (a temporary file beside it, then renamed over it).
inline void write_file_atomically(const std::filesystem::path& path, const std::string& text) {
    auto temporary = path;
    temporary += ".tmp-" + std::to_string(::getpid());
    {
        std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
        out << text;
        out.flush();
        if (!out) {
            std::error_code ignored;
            std::filesystem::remove(temporary, ignored);
            throw cli_error("cannot write " + path.string(),
                            "check that the directory exists, is writable and has space");
        }
    }
    std::error_code ec;
    std::filesystem::rename(temporary, path, ec);
    if (ec) {
        std::error_code ignored;
        std::filesystem::remove(temporary, ignored);
        throw cli_error("cannot write " + path.string() + ": " + ec.message(),
                        "check the directory's permissions");
    }
}

/// Reads the data set definitions of a configuration document.
inline std::map<std::string, dataset_settings> parse_datasets(const nlohmann::json& doc,
                                                              const std::string& file) {
    std::map<std::string, dataset_settings> out;
    const auto it = doc.find("datasets");
    if (it == doc.end() || it->is_null()) return out;
    const auto bad = [&](const std::string& key, const std::string& problem) {
        throw configuration_error(problem, "fix \"" + key + "\" in " + file + " (see docs/cli.md)",
                                  key);
    };
    if (!it->is_object()) bad("datasets", "\"datasets\" is not an object of data sets by name");
    for (const auto& [name, d] : it->items()) {
        const std::string key = "datasets." + name;
        if (!d.is_object()) bad(key, "the data set is not a JSON object");
        dataset_settings s;
        s.definition.name = name;
        for (const auto& [k, v] : d.items()) {
            const bool text = v.is_string();
            if (k == "table" && text) {
                s.table = v.get<std::string>();
            } else if (k == "sql" && text) {
                s.definition.source = v.get<std::string>();
            } else if (k == "label" && text) {
                s.definition.label_column = v.get<std::string>();
            } else if (k == "watermark" && text) {
                s.definition.watermark_column = v.get<std::string>();
            } else if (k == "features" && v.is_array()) {
                for (const auto& f : v) {
                    if (!f.is_string()) bad(key + ".features", "a feature name is not a string");
                    s.definition.feature_columns.push_back(f.get<std::string>());
                }
            } else {
                bad(key + "." + k,
                    "unknown or mistyped field \"" + k +
                        "\" (a data set has: table, sql, label, watermark, features)");
            }
        }
        if (s.definition.source.empty()) {
            if (s.table.empty()) bad(key, "the data set has neither \"sql\" nor \"table\"");
            s.definition.source = "SELECT * FROM " + detail::quoted_identifier(s.table);
        }
        out.emplace(name, std::move(s));
    }
    return out;
}

/// The file to read: --config, else $MLPIPE_CONFIG, else ./mlpipe.json when it exists.
[[nodiscard]] inline std::filesystem::path settings_path(const parsed_args& args) {
    if (const auto c = args.get("config")) return *c;
    if (const char* env = std::getenv("MLPIPE_CONFIG"); env != nullptr && env[0] != '\0')
        return env;
    return "mlpipe.json";
}

/// Reads the configuration for a command (the file, then the flags and environment over it).
/// @throws cli_error / configuration_error naming the file and the key
[[nodiscard]] inline settings load_settings(const parsed_args& args) {
    settings s;
    const std::filesystem::path path = settings_path(args);
    const bool explicit_path =
        args.get("config").has_value() || std::getenv("MLPIPE_CONFIG") != nullptr;
    std::error_code ec;
    if (std::filesystem::exists(path, ec)) {
        s.file = std::filesystem::absolute(path);
        const std::string text = detail::read_text_file(path, "the configuration");
        s.document = nlohmann::json::parse(text, nullptr, false);
        if (s.document.is_discarded() || !s.document.is_object()) {
            throw cli_error(path.string() + " is not a JSON object",
                            "fix the file, or write a fresh one with: mlpipe init --force");
        }
    } else if (explicit_path) {
        throw cli_error("configuration file " + path.string() + " does not exist",
                        "mlpipe init " +
                            (path.has_parent_path() ? path.parent_path().string() : ".") +
                            ", or fix --config / $MLPIPE_CONFIG");
    }
    const std::filesystem::path base =
        s.file.empty() ? std::filesystem::current_path() : s.file.parent_path();
    const auto pick = [&](const char* key, const char* env) -> std::string {
        if (const auto v = args.get(key)) return detail::resolve_uri(*v, base, key);
        if (const char* e = std::getenv(env); e != nullptr && e[0] != '\0')
            return detail::resolve_uri(e, base, key);
        const auto it = s.document.find(key);
        if (it != s.document.end()) {
            if (!it->is_string()) {
                throw configuration_error(std::string("\"") + key + "\" is not a URI string",
                                          "write it as e.g. \"sqlite://warehouse.db\"", key);
            }
            return detail::resolve_uri(it->get<std::string>(), base, key);
        }
        return {};
    };
    s.warehouse = pick("warehouse", "MLPIPE_WAREHOUSE");
    s.queue = pick("queue", "MLPIPE_QUEUE");
    s.models = pick("models", "MLPIPE_MODELS");
    s.datasets = parse_datasets(s.document, s.file.empty() ? "mlpipe.json" : s.file.string());
    if (const auto it = s.document.find("policies"); it != s.document.end() && !it->is_null()) {
        if (!it->is_object()) {
            throw configuration_error("\"policies\" is not an object of policies by model name",
                                      "see docs/cli.md for the format", "policies");
        }
        s.policies = *it;
    }
    return s;
}

/// Checks that `uri` is set, or says how to set it.
inline const std::string& require_uri(const settings& s, const std::string& uri, const char* key) {
    if (uri.empty()) {
        if (s.file.empty()) {
            throw cli_error("no configuration found (no ./mlpipe.json, no $MLPIPE_CONFIG)",
                            "mlpipe init, or pass --config FILE");
        }
        throw cli_error(std::string("the configuration has no \"") + key + "\" URI",
                        std::string("add \"") + key + "\" to " + s.file.string() + " or pass --" +
                            key + " URI");
    }
    return uri;
}

/// The retraining policy of `model` from its configuration document.
/// {"min_new_rows": N, "max_age_seconds": S, "alias": "production", "candidates": [request...]}
[[nodiscard]] inline retraining_policy parse_policy(const std::string& model,
                                                    const nlohmann::json& doc) {
    const std::string key = "policies." + model;
    const auto bad = [&](const std::string& k, const std::string& problem) {
        throw configuration_error(problem, "fix it in the configuration (see docs/cli.md)", k);
    };
    if (!doc.is_object()) bad(key, "the policy is not a JSON object");
    retraining_policy p;
    for (const auto& [k, v] : doc.items()) {
        if (k == "min_new_rows") {
            if (!v.is_number_unsigned()) bad(key + "." + k, "must be a whole number >= 0");
            p.min_new_rows = v.get<std::uint64_t>();
        } else if (k == "max_age_seconds") {
            if (!v.is_number_unsigned()) bad(key + "." + k, "must be a whole number of seconds");
            p.max_age = std::chrono::seconds(v.get<std::int64_t>());
        } else if (k == "alias") {
            if (!v.is_string()) bad(key + "." + k, "must be an alias name");
            p.alias = v.get<std::string>();
        } else if (k == "candidates") {
            if (!v.is_array() || v.empty()) bad(key + "." + k, "must be a non-empty array");
            for (std::size_t i = 0; i < v.size(); ++i) {
                nlohmann::json c = v[i];
                if (!c.is_object()) bad(key + ".candidates", "a candidate is not a JSON object");
                if (!c.contains("model")) c["model"] = model;
                c["request_id"] = "policy";  // the trigger derives the real one
                try {
                    p.candidates.push_back(parse_training_request(c.dump()));
                } catch (const invalid_input_error& e) {
                    throw configuration_error(e.problem(), e.remedy(),
                                              key + ".candidates[" + std::to_string(i) + "]" +
                                                  (e.subject().empty() ? "" : "." + e.subject()));
                }
                if (p.candidates.back().model != model)
                    bad(key + ".candidates", "a candidate trains another model");
            }
        } else {
            bad(key + "." + k,
                "unknown field \"" + k +
                    "\" (a policy has: min_new_rows, max_age_seconds, alias, candidates)");
        }
    }
    if (p.candidates.empty()) bad(key + ".candidates", "the policy has no candidates");
    if (!p.min_new_rows && !p.max_age) {
        bad(key, "the policy has neither \"min_new_rows\" nor \"max_age_seconds\"");
    }
    return p;
}

}  // namespace mlpipe::cli
