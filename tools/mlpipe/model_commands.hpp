// SPDX-License-Identifier: Apache-2.0
// `mlpipe models ...`: the registry from the command line: list, show, compare (re-scored on the
// same held-out rows), promote, rollback, history (the audit log), verify, export.
#pragma once

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <mlpipe/artifact/any_model.hpp>
#include <mlpipe/artifact/codec.hpp>
#include <mlpipe/artifact/format.hpp>
#include <mlpipe/data/csv.hpp>
#include <mlpipe/evaluation/scorer.hpp>
#include <mlpipe/jobs/trainer.hpp>
#ifdef MLPIPE_CLI_WITH_OPENSSL
#include <mlpipe/artifact/signature.hpp>
#endif

#include "app.hpp"

namespace mlpipe::cli {

namespace detail {

[[nodiscard]] inline std::span<const std::byte> bytes_of(const std::string& s) {
    return std::as_bytes(std::span<const char>(s.data(), s.size()));
}

[[nodiscard]] inline std::string version_label(std::uint64_t v) {
    return "v" + std::to_string(v);
}

[[nodiscard]] inline std::string aliases_text(
    const std::vector<std::pair<std::string, std::uint64_t>>& aliases, std::uint64_t version) {
    std::string out;
    for (const auto& [name, v] : aliases)
        if (v == version) out += (out.empty() ? "" : ", ") + name;
    return out;
}

}  // namespace detail

/// mlpipe models
inline int models_list(app& a) {
    auto& registry = a.registry();
    const auto models = registry.models();
    nlohmann::json out = nlohmann::json::array();
    table list({"model", "versions", "latest", "estimator", "score", "aliases", "published"});
    list.right(1);
    list.right(4);
    for (const auto& m : models) {
        const auto versions = registry.versions(m);
        const auto latest = versions.back();
        const auto info = registry.version_info(m, latest);
        const auto aliases = aliases_of(a, m);
        std::string alias_text;
        nlohmann::json alias_json = nlohmann::json::object();
        for (const auto& [name, v] : aliases) {
            alias_text += (alias_text.empty() ? "" : ", ") + name + "=v" + std::to_string(v);
            alias_json[name] = v;
        }
        const auto& md = info ? info->metadata : nlohmann::json::object();
        out.push_back({{"model", m},
                       {"versions", versions.size()},
                       {"latest", latest},
                       {"estimator", md.value("estimator", "")},
                       {"metric", md.value("metric", "")},
                       {"score", md.value("score", std::nan(""))},
                       {"aliases", alias_json},
                       {"published_at", info ? info->published_at : ""}});
        list.add({m, std::to_string(versions.size()), detail::version_label(latest),
                  md.value("estimator", ""),
                  md.value("metric", "") + " " + fixed4(md.value("score", std::nan(""))),
                  alias_text.empty() ? "-" : alias_text,
                  info ? human_age(info->published_at) : "-"});
    }
    if (a.json()) {
        app::print_json(out);
    } else if (models.empty()) {
        std::printf("no models yet (try: mlpipe train --help)\n");
    } else {
        list.print(a.term());
    }
    return exit_ok;
}

/// mlpipe models show NAME[@VERSION|@ALIAS]
inline int models_show(app& a) {
    if (a.args().positional.size() != 1) throw usage_error("name one model", a.command());
    const auto [model, ref] = split_model_ref(a.args().positional[0]);
    const auto version = resolve_reference(a, model, ref);
    auto& registry = a.registry();
    const auto resolved = registry.fetch(model, version);
    const auto manifest =
        read_artifact_manifest(detail::bytes_of(resolved.bytes),
                               decode_options{model + " v" + std::to_string(version), {}});
    const auto& info = resolved.info;
    const auto aliases = aliases_of(a, model);
    const auto versions = registry.versions(model);
    if (a.json()) {
        nlohmann::json alias_json = nlohmann::json::object();
        for (const auto& [name, v] : aliases)
            alias_json[name] = v;
        app::print_json({{"model", model},
                         {"version", version},
                         {"versions", versions},
                         {"aliases", alias_json},
                         {"sha256", info.sha256},
                         {"size", info.size},
                         {"request_id", info.request_id},
                         {"published_at", info.published_at},
                         {"published_by", info.published_by},
                         {"metadata", info.metadata},
                         {"manifest", manifest_to_json(manifest)}});
        return exit_ok;
    }
    const auto& t = a.term();
    const auto& md = info.metadata;
    const std::string here = detail::aliases_text(aliases, version);
    std::printf("%s %s  %s\n", t.bold(model).c_str(), t.bold("v" + std::to_string(version)).c_str(),
                here.empty() ? "" : t.cyan("[" + here + "]").c_str());
    std::printf("  estimator     %s (%s, %s)\n", manifest.kind.c_str(),
                std::string(to_string(manifest.scalar_type)).c_str(),
                manifest.hyperparameters.dump().c_str());
    if (!manifest.preprocessing.empty() && manifest.preprocessing.is_array()) {
        std::string steps;
        for (const auto& s : manifest.preprocessing)
            steps += (steps.empty() ? "" : " -> ") + s.value("kind", std::string("?"));
        std::printf("  preprocessing %s\n", steps.c_str());
    }
    std::printf("  features      %llu; classes %s\n",
                static_cast<unsigned long long>(manifest.features.count),
                manifest.labels.describe().c_str());
    std::printf("  published     %s by %s (%s)\n", info.published_at.c_str(),
                info.published_by.c_str(), human_age(info.published_at).c_str());
    std::printf("  request       %s\n", info.request_id.empty() ? "-" : info.request_id.c_str());
    std::printf("  artifact      %s, sha256 %s\n", human_bytes(info.size).c_str(),
                info.sha256.substr(0, 16).c_str());
    std::printf("  gate          %s\n", md.value("gate", "-").c_str());
    if (md.contains("champion_version"))
        std::printf("  champion      v%s\n", md["champion_version"].dump().c_str());
    std::printf("\n%s\n", t.bold("metrics").c_str());
    table metrics({"metric", "value"});
    metrics.right(1);
    if (manifest.metrics.is_object()) {
        for (const auto& [k, v] : manifest.metrics.items()) {
            metrics.add({k, v.is_number_float() ? fixed4(v.get<double>())
                            : v.is_string()     ? v.get<std::string>()
                                                : v.dump()});
        }
    }
    if (md.contains("fit_seconds") && md["fit_seconds"].is_number())
        metrics.add({"fit time", human_seconds(md["fit_seconds"].get<double>())});
    metrics.print(t, stdout, "  ");
    std::printf("\n%s\n", t.bold("lineage").c_str());
    std::printf("  dataset       %s (%s rows, %llu trained on)\n",
                manifest.lineage.dataset_name.c_str(),
                md.contains("rows") ? md["rows"].dump().c_str() : "?",
                static_cast<unsigned long long>(manifest.lineage.row_count));
    std::printf("  data digest   %s\n", manifest.lineage.dataset_digest.c_str());
    std::printf("  watermark     %s\n",
                manifest.lineage.watermark.empty() ? "-" : manifest.lineage.watermark.c_str());
    std::printf("  created       %s\n", manifest.lineage.created_at.c_str());
    std::string all;
    for (const auto v : versions)
        all += (all.empty() ? "" : " ") +
               (v == version ? t.bold("v" + std::to_string(v)) : "v" + std::to_string(v));
    std::string alias_list;
    for (const auto& [name, v] : aliases)
        alias_list += (alias_list.empty() ? "" : ", ") + name + " -> v" + std::to_string(v);
    std::printf("\n  versions      %s\n  aliases       %s\n", all.c_str(),
                alias_list.empty() ? "-" : alias_list.c_str());
    return exit_ok;
}

/// mlpipe models compare NAME A B
inline int models_compare(app& a) {
    const auto& args = a.args();
    if (args.positional.size() != 3)
        throw usage_error("name a model and two versions (or aliases)", a.command());
    const std::string model = args.positional[0];
    const std::vector<std::uint64_t> versions = {resolve_reference(a, model, args.positional[1]),
                                                 resolve_reference(a, model, args.positional[2])};
    auto& registry = a.registry();
    std::vector<resolved_artifact> artifacts;
    std::vector<any_model> loaded;
    for (const auto v : versions) {
        artifacts.push_back(registry.fetch(model, v));
        loaded.push_back(load_any(detail::bytes_of(artifacts.back().bytes)));
    }
    const auto& first = artifacts[0].info.metadata;
    const nlohmann::json request =
        first.contains("request") ? first["request"] : nlohmann::json::object();
    const std::string dataset_name = args.get_or("dataset", first.value("dataset", ""));
    const double fraction =
        request.contains("validation") ? request["validation"].value("test_fraction", 0.2) : 0.2;
    const std::uint64_t seed = request.value("seed", std::uint64_t{0});
    std::string note;
    for (std::size_t k = 1; k < artifacts.size(); ++k) {
        const auto& md = artifacts[k].info.metadata;
        const auto r = md.contains("request") ? md["request"] : nlohmann::json::object();
        const double f =
            r.contains("validation") ? r["validation"].value("test_fraction", 0.2) : 0.2;
        if (r.value("seed", std::uint64_t{0}) != seed || f != fraction) {
            note = "v" + std::to_string(versions[k]) +
                   " was trained with another seed or hold-out fraction: it may have seen some "
                   "of these rows";
        }
    }
    // Re-score both versions on the data set's stable hold-out (the rows neither trained on when
    // they share the seed and fraction).
    std::vector<std::string> metric_names = {"accuracy", "balanced_accuracy", "f1_macro",
                                             "neg_log_loss"};
    const std::string request_metric = first.value("metric", "accuracy");
    if (std::find(metric_names.begin(), metric_names.end(), request_metric) == metric_names.end())
        metric_names.insert(metric_names.begin(), request_metric);
    std::vector<std::vector<double>> rescored(versions.size());
    std::uint64_t test_rows = 0;
    std::string skipped;
    if (!dataset_name.empty() && a.config().datasets.count(dataset_name) != 0) {
        auto source = a.warehouse({dataset_name});
        const auto fetched = source.fetch(fetch_request{dataset_name, {}});
        const auto parts = mlpipe::detail::stable_holdout(fetched.data, fraction, seed);
        const auto test = fetched.data.subset(parts.test);
        test_rows = parts.test.size();
        for (std::size_t k = 0; k < loaded.size(); ++k) {
            const auto why = mlpipe::detail::champion_mismatch(loaded[k], test);
            for (const auto& name : metric_names) {
                if (!why.empty()) {
                    rescored[k].push_back(std::nan(""));
                    continue;
                }
                try {
                    rescored[k].push_back(
                        mlpipe::detail::score_on(loaded[k], test, make_scorer(name)));
                } catch (const std::exception&) {
                    rescored[k].push_back(std::nan(""));
                }
            }
            if (!why.empty()) skipped = "v" + std::to_string(versions[k]) + ": " + why;
        }
    } else {
        skipped = "data set \"" + dataset_name + "\" is not in the configuration: no re-scoring";
    }
    if (a.json()) {
        nlohmann::json out = {{"model", model},         {"dataset", dataset_name},
                              {"seed", seed},           {"test_fraction", fraction},
                              {"test_rows", test_rows}, {"versions", nlohmann::json::array()}};
        for (std::size_t k = 0; k < versions.size(); ++k) {
            nlohmann::json scores = nlohmann::json::object();
            for (std::size_t m = 0; m < rescored[k].size(); ++m) {
                scores[metric_names[m]] = std::isfinite(rescored[k][m])
                                              ? nlohmann::json(rescored[k][m])
                                              : nlohmann::json(nullptr);
            }
            const auto& md = artifacts[k].info.metadata;
            out["versions"].push_back({{"version", versions[k]},
                                       {"estimator", md.value("estimator", "")},
                                       {"recorded_metrics", md.value("metrics", nlohmann::json())},
                                       {"holdout_scores", scores}});
        }
        if (!note.empty()) out["note"] = note;
        if (!skipped.empty()) out["skipped"] = skipped;
        app::print_json(out);
        return exit_ok;
    }
    const auto& t = a.term();
    const std::string va = "v" + std::to_string(versions[0]);
    const std::string vb = "v" + std::to_string(versions[1]);
    table cmp({"", va, vb, "difference"});
    for (std::size_t c = 1; c < 4; ++c)
        cmp.right(c);
    const auto& ma = artifacts[0].info.metadata;
    const auto& mb = artifacts[1].info.metadata;
    cmp.add({"estimator", ma.value("estimator", ""), mb.value("estimator", ""), ""});
    cmp.add({"rows", ma.contains("rows") ? ma["rows"].dump() : "-",
             mb.contains("rows") ? mb["rows"].dump() : "-", ""});
    cmp.add({"published", human_age(artifacts[0].info.published_at),
             human_age(artifacts[1].info.published_at), ""});
    const auto diff = [&](double x, double y, bool lower_better) {
        if (!std::isfinite(x) || !std::isfinite(y)) return std::string("-");
        char text[32];
        std::snprintf(text, sizeof text, "%+.4f", y - x);
        const bool better = lower_better ? y < x : y > x;
        if (y == x) return std::string(text);
        return better ? t.green(text) : t.red(text);
    };
    const std::string recorded = "recorded " + ma.value("metric", std::string("score"));
    cmp.add({recorded, fixed4(ma.value("score", std::nan(""))),
             fixed4(mb.value("score", std::nan(""))),
             diff(ma.value("score", std::nan("")), mb.value("score", std::nan("")), false)});
    for (std::size_t m = 0; m < metric_names.size() && !rescored[0].empty(); ++m) {
        cmp.add({metric_names[m] + " (same hold-out)", fixed4(rescored[0][m]),
                 fixed4(rescored[1][m]), diff(rescored[0][m], rescored[1][m], false)});
    }
    std::printf("%s %s vs %s", t.bold(model).c_str(), va.c_str(), vb.c_str());
    if (test_rows != 0) {
        std::printf(" on the same %llu held-out rows of %s (seed %llu, fraction %.2f)",
                    static_cast<unsigned long long>(test_rows), dataset_name.c_str(),
                    static_cast<unsigned long long>(seed), fraction);
    }
    std::printf("\n\n");
    cmp.print(t, stdout, "  ");
    if (!note.empty()) std::printf("\nnote: %s\n", note.c_str());
    if (!skipped.empty()) std::printf("\nnote: %s\n", skipped.c_str());
    return exit_ok;
}

/// mlpipe models promote NAME VERSION --alias A
inline int models_promote(app& a) {
    const auto& args = a.args();
    if (args.positional.size() != 2) throw usage_error("name a model and a version", a.command());
    const std::string model = args.positional[0];
    const std::string alias = args.get_or("alias", "production");
    const auto version = resolve_reference(a, model, args.positional[1]);
    try {
        mlpipe::detail::validate_name(alias, "alias");
    } catch (const invalid_input_error& e) {
        throw cli_error(e.problem(), "alias names are letters, digits, '.', '_' or '-'");
    }
    if (a.registry().alias(model, alias) == version) {
        if (a.json()) {
            app::print_json({{"model", model},
                             {"alias", alias},
                             {"from", version},
                             {"to", version},
                             {"moved", false}});
        } else {
            std::printf("%s %s already points to v%llu: nothing moved\n", model.c_str(),
                        alias.c_str(), static_cast<unsigned long long>(version));
        }
        return exit_ok;
    }
    const auto record = a.registry().set_alias(model, alias, version, app::actor(),
                                               args.get_or("reason", "promoted with mlpipe cli"));
    if (a.json()) {
        app::print_json({{"model", model},
                         {"alias", alias},
                         {"from", record.from ? nlohmann::json(*record.from) : nlohmann::json()},
                         {"to", record.to},
                         {"moved", true},
                         {"sequence", record.sequence}});
        return exit_ok;
    }
    std::printf("%s %s %s: %s -> v%llu (move %llu)\n", a.term().green("moved").c_str(),
                model.c_str(), alias.c_str(),
                record.from ? ("v" + std::to_string(*record.from)).c_str() : "(unset)",
                static_cast<unsigned long long>(record.to),
                static_cast<unsigned long long>(record.sequence));
    return exit_ok;
}

/// mlpipe models rollback NAME --alias A
inline int models_rollback(app& a) {
    const auto& args = a.args();
    if (args.positional.size() != 1) throw usage_error("name one model", a.command());
    const std::string model = args.positional[0];
    const std::string alias = args.get_or("alias", "production");
    require_model(a, model);
    const auto current = a.registry().alias(model, alias);
    if (!current) {
        throw cli_error("model \"" + model + "\" has no alias \"" + alias + "\"",
                        "mlpipe models promote " + model + " VERSION --alias " + alias);
    }
    const auto history = a.registry().history(model, alias);
    if (history.empty() || !history.back().from) {
        throw cli_error(
            "alias \"" + alias + "\" of \"" + model + "\" has no earlier version to roll back to",
            "mlpipe models promote " + model + " VERSION --alias " + alias);
    }
    const auto record = a.registry().rollback(model, alias, app::actor());
    if (a.json()) {
        app::print_json({{"model", model},
                         {"alias", alias},
                         {"from", record.from ? nlohmann::json(*record.from) : nlohmann::json()},
                         {"to", record.to},
                         {"sequence", record.sequence},
                         {"reason", record.reason}});
        return exit_ok;
    }
    std::printf("%s %s %s: v%llu -> v%llu (%s)\n", a.term().green("rolled back").c_str(),
                model.c_str(), alias.c_str(),
                static_cast<unsigned long long>(record.from.value_or(0)),
                static_cast<unsigned long long>(record.to), record.reason.c_str());
    return exit_ok;
}

/// mlpipe models history NAME [--alias A]
inline int models_history(app& a) {
    const auto& args = a.args();
    if (args.positional.size() != 1) throw usage_error("name one model", a.command());
    const std::string model = args.positional[0];
    require_model(a, model);
    std::vector<std::string> aliases;
    if (const auto al = args.get("alias")) {
        aliases.push_back(*al);
    } else {
        for (const auto& [name, v] : aliases_of(a, model))
            aliases.push_back(name);
    }
    std::vector<alias_record> records;
    for (const auto& al : aliases) {
        try {
            mlpipe::detail::validate_name(al, "alias");
        } catch (const invalid_input_error& e) {
            throw cli_error(e.problem(), "alias names are letters, digits, '.', '_' or '-'");
        }
        for (auto& r : a.registry().history(model, al))
            records.push_back(std::move(r));
    }
    std::sort(records.begin(), records.end(),
              [](const alias_record& x, const alias_record& y) { return x.at < y.at; });
    if (a.json()) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto& r : records) {
            out.push_back({{"alias", r.alias},
                           {"sequence", r.sequence},
                           {"from", r.from ? nlohmann::json(*r.from) : nlohmann::json()},
                           {"to", r.to},
                           {"actor", r.actor},
                           {"at", r.at},
                           {"sha256", r.sha256},
                           {"reason", r.reason}});
        }
        app::print_json(out);
        return exit_ok;
    }
    if (records.empty()) {
        std::printf("no alias moves for %s yet (try: mlpipe models promote %s VERSION)\n",
                    model.c_str(), model.c_str());
        return exit_ok;
    }
    table out({"when", "alias", "move", "from", "to", "by", "reason"});
    out.right(2);
    for (const auto& r : records) {
        out.add({r.at.substr(0, 19), r.alias, std::to_string(r.sequence),
                 r.from ? "v" + std::to_string(*r.from) : "-", "v" + std::to_string(r.to), r.actor,
                 detail::shorten(r.reason, 70)});
    }
    out.print(a.term());
    return exit_ok;
}

/// mlpipe models verify FILE|NAME[@REF] [--key-file FILE]
inline int models_verify(app& a) {
    const auto& args = a.args();
    if (args.positional.size() != 1)
        throw usage_error("name one artifact file or model", a.command());
    const std::string target = args.positional[0];
    std::string bytes;
    std::string source;
    std::optional<model_version> info;
    std::error_code ec;
    if (std::filesystem::is_regular_file(target, ec)) {
        bytes = detail::read_text_file(target, "the artifact");
        source = target;
    } else {
        const auto [model, ref] = split_model_ref(target);
        const auto version = resolve_reference(a, model, ref);
        // fetch checks the registry's SHA-256 digest of the bytes (storage_error on a mismatch).
        auto resolved = a.registry().fetch(model, version);
        bytes = std::move(resolved.bytes);
        info = std::move(resolved.info);
        source = model + " v" + std::to_string(version);
    }
    const auto view = detail::bytes_of(bytes);
    const auto layout = verify_artifact(view, source);  // the XXH64 checksum and the lengths
    const auto manifest = read_artifact_manifest(view, decode_options{source, {}});
    std::string signature = layout.is_signed() ? "present, not checked (pass --key-file)" : "none";
    if (const auto key_file = args.get("key-file")) {
#ifdef MLPIPE_CLI_WITH_OPENSSL
        std::string key = detail::read_text_file(*key_file, "the key file");
        while (!key.empty() && (key.back() == '\n' || key.back() == '\r'))
            key.pop_back();
        (void)verify_artifact_signature(view, key_bytes(key), source);
        signature = "valid (HMAC-SHA256)";
#else
        throw cli_error(
            "this mlpipe was built without OpenSSL: it cannot check signatures",
            "rebuild with OpenSSL (libssl-dev) installed, or verify without --key-file");
#endif
    }
    // Integrity is settled; whether this mlpipe can load the model is reported beside it.
    std::string loads = "loads (" + std::to_string(manifest.features.count) + " features, " +
                        std::to_string(manifest.labels.size()) + " classes)";
    bool loadable = true;
    try {
        (void)load_any(view);
    } catch (const mlpipe::error& e) {
        loadable = false;
        loads = "does not load here: " + e.problem();
    }
    const std::string sha = mlpipe::detail::sha256_hex(bytes);
    if (a.json()) {
        nlohmann::json j = {{"source", source},      {"ok", true},
                            {"size", bytes.size()},  {"sha256", sha},
                            {"checksum", "ok"},      {"format_version", layout.format_version},
                            {"kind", manifest.kind}, {"signed", layout.is_signed()},
                            {"loads", loadable},     {"signature", signature}};
        if (info) j["registry_digest"] = "ok";
        app::print_json(j);
        return exit_ok;
    }
    const auto& t = a.term();
    std::printf("%s %s\n", t.green("ok").c_str(), source.c_str());
    std::printf("  kind        %s\n", manifest.kind.c_str());
    std::printf("  size        %s\n", human_bytes(bytes.size()).c_str());
    std::printf("  sha256      %s%s\n", sha.c_str(), info ? " (matches the registry)" : "");
    std::printf("  checksum    ok (XXH64, format %u)\n", layout.format_version);
    std::printf("  model       %s\n", loads.c_str());
    std::printf("  signature   %s\n", signature.c_str());
    return exit_ok;
}

/// mlpipe models export NAME[@REF] (--json | --output FILE)
inline int models_export(app& a) {
    const auto& args = a.args();
    if (args.positional.size() != 1) throw usage_error("name one model", a.command());
    const auto output = args.get("output");
    if (!a.json() && !output)
        throw usage_error("say what to export: --json (the manifest) or --output FILE",
                          a.command());
    const auto [model, ref] = split_model_ref(args.positional[0]);
    const auto version = resolve_reference(a, model, ref);
    const auto resolved = a.registry().fetch(model, version);
    const auto manifest =
        read_artifact_manifest(detail::bytes_of(resolved.bytes), decode_options{model, {}});
    if (output) {
        write_file_atomically(*output, resolved.bytes);
        if (!a.json()) {
            std::printf("%s %s v%llu to %s (%s)\n", a.term().green("wrote").c_str(), model.c_str(),
                        static_cast<unsigned long long>(version), output->c_str(),
                        human_bytes(resolved.bytes.size()).c_str());
            return exit_ok;
        }
    }
    nlohmann::json j = manifest_to_json(manifest);
    j["registry"] = {{"model", model},
                     {"version", version},
                     {"sha256", resolved.info.sha256},
                     {"size", resolved.info.size},
                     {"request_id", resolved.info.request_id},
                     {"published_at", resolved.info.published_at},
                     {"published_by", resolved.info.published_by}};
    app::print_json(j);
    return exit_ok;
}

/// The `mlpipe models` commands: names, usage, help and options, beside the code that reads them.
inline std::vector<command> model_commands() {
    return {
        {"models",
         "",
         "list the models of the registry",
         "examples:\n  mlpipe models\n  mlpipe models --json",
         {json_option},
         models_list,
         true},
        {"models show",
         "NAME[@VERSION|@ALIAS]",
         "metadata, metrics and lineage of a version",
         "Shows the latest version unless a version (7 or v7) or an alias is given.\n\n"
         "examples:\n  mlpipe models show iris\n  mlpipe models show iris@production\n"
         "  mlpipe models show iris@3 --json",
         {json_option},
         models_show},
        {"models compare",
         "NAME A B",
         "two versions side by side, on the same held-out rows",
         "Prints the recorded metrics of versions (or aliases) A and B, and scores both on the\n"
         "stable hold-out of the data set A was trained on (the rows neither saw in training\n"
         "when they share the seed and hold-out fraction).\n\n"
         "examples:\n  mlpipe models compare iris 1 2\n  mlpipe models compare iris production "
         "latest",
         {{"dataset", "NAME", "score on this data set instead"}, json_option},
         models_compare},
        {"models promote",
         "NAME VERSION --alias ALIAS",
         "point an alias at a version",
         "The move is a compare-and-swap and is recorded in the audit log.\n\n"
         "examples:\n  mlpipe models promote iris 3 --alias production",
         {{"alias", "ALIAS", "the alias (default production)"},
          {"reason", "TEXT", "recorded in the audit log"},
          json_option},
         models_promote},
        {"models rollback",
         "NAME --alias ALIAS",
         "undo the latest move of an alias",
         "examples:\n  mlpipe models rollback iris --alias production",
         {{"alias", "ALIAS", "the alias (default production)"}, json_option},
         models_rollback},
        {"models history",
         "NAME [--alias ALIAS]",
         "the audit log of a model's aliases",
         "examples:\n  mlpipe models history iris\n  mlpipe models history iris --alias production",
         {{"alias", "ALIAS", "only this alias"}, json_option},
         models_history},
        {"models verify",
         "FILE|NAME[@REF]",
         "check an artifact's checksum (and signature)",
         "Checks the registry's SHA-256 digest (for a model), the artifact's XXH64 checksum and\n"
         "lengths, and that the model loads. With --key-file, checks the HMAC-SHA256 signature\n"
         "(when this mlpipe was built with OpenSSL).\n\n"
         "examples:\n  mlpipe models verify iris@production\n  mlpipe models verify model.mlpa",
         {{"key-file", "FILE", "the HMAC key, to check the signature"}, json_option},
         models_verify},
        {"models export",
         "NAME[@REF] --json | --output FILE",
         "the manifest as JSON, or the bytes",
         "examples:\n  mlpipe models export iris@production --json\n"
         "  mlpipe models export iris@3 --output iris-v3.mlpa",
         {{"output", "FILE", "write the artifact to FILE"}, json_option},
         models_export},
    };
}

}  // namespace mlpipe::cli
