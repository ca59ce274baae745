// SPDX-License-Identifier: Apache-2.0
// The state one mlpipe command runs with: its arguments, the terminal, the configuration, and the
// storage handles (model store, registry, journal, queue, warehouse), opened from their URIs on
// first use.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <unistd.h>
#include <nlohmann/json.hpp>

#include <mlpipe/detail/clock.hpp>
#include <mlpipe/detail/host.hpp>
#include <mlpipe/detail/names.hpp>
#include <mlpipe/jobs/request_journal.hpp>
#include <mlpipe/registry/model_registry.hpp>
#include <mlpipe/sqlite.hpp>
#ifdef MLPIPE_CLI_WITH_AWS
#include <mlpipe/aws.hpp>  // s3://, sqs:// and postgresql:// URIs
#endif
#include <mlpipe/storage/any_blob_store.hpp>
#include <mlpipe/storage/any_data_source.hpp>
#include <mlpipe/storage/any_message_queue.hpp>

#include "args.hpp"
#include "settings.hpp"
#include "terminal.hpp"

namespace mlpipe::cli {

using registry_type = model_registry<any_blob_store>;
using journal_type = request_journal<any_blob_store>;

/// One command's run.
class app {
  public:
    app(std::string command, parsed_args args)
        : command_(std::move(command)),
          args_(std::move(args)),
          term_(terminal::detect(args_.flag("no-color"))) {}
    app(const app&) = delete;
    app& operator=(const app&) = delete;

    [[nodiscard]] const std::string& command() const noexcept { return command_; }
    [[nodiscard]] const parsed_args& args() const noexcept { return args_; }
    [[nodiscard]] const terminal& term() const noexcept { return term_; }
    [[nodiscard]] bool json() const { return args_.flag("json"); }

    /// The configuration (read on first use).
    [[nodiscard]] const settings& config() {
        if (!settings_) settings_ = load_settings(args_);
        return *settings_;
    }

    [[nodiscard]] any_blob_store& store() {
        if (!store_)
            store_.emplace(open_blob_store(require_uri(config(), config().models, "models")));
        return *store_;
    }
    [[nodiscard]] registry_type& registry() {
        if (!registry_) registry_.emplace(store());
        return *registry_;
    }
    [[nodiscard]] journal_type& journal() {
        if (!journal_) journal_.emplace(store());
        return *journal_;
    }
    [[nodiscard]] any_message_queue& queue() {
        if (!queue_)
            queue_.emplace(open_message_queue(require_uri(config(), config().queue, "queue")));
        return *queue_;
    }

    /// A data source on the warehouse with the given data sets (all configured ones when empty).
    [[nodiscard]] any_data_source warehouse(const std::vector<std::string>& names = {}) {
        const auto& uri = require_uri(config(), config().warehouse, "warehouse");
        std::vector<dataset_definition> definitions;
        if (names.empty()) {
            definitions = config().definitions();
        } else {
            for (const auto& n : names)
                definitions.push_back(config().dataset(n).definition);
        }
        const auto parsed = parse_storage_uri(uri);
        if (parsed.scheme == "sqlite") {
            const std::string path = mlpipe::sqlite::detail::database_path(parsed);
            if (!std::filesystem::exists(path)) {
                throw cli_error("the warehouse " + path + " does not exist yet",
                                "load data first: mlpipe data load FILE.csv --dataset NAME");
            }
        }
        return open_data_source(uri, std::move(definitions));
    }

    /// Who is acting (for audit records): $USER@host.
    [[nodiscard]] static std::string actor() {
        const char* user = std::getenv("USER");
        return std::string(user != nullptr && user[0] != '\0' ? user : "mlpipe") + "@" +
               mlpipe::detail::host_name() + " (mlpipe cli)";
    }

    /// Prints a JSON document on standard output.
    static void print_json(const nlohmann::json& j) { std::printf("%s\n", j.dump(2).c_str()); }

  private:
    std::string command_;
    parsed_args args_;
    terminal term_;
    std::optional<settings> settings_;
    std::optional<any_blob_store> store_;
    std::optional<registry_type> registry_;
    std::optional<journal_type> journal_;
    std::optional<any_message_queue> queue_;
};

/// "NAME[@REF]" split into the model and the reference ("latest" when none).
[[nodiscard]] inline std::pair<std::string, std::string> split_model_ref(const std::string& text) {
    const auto at = text.find('@');
    if (at == std::string::npos) return {text, "latest"};
    return {text.substr(0, at), text.substr(at + 1)};
}

/// Checks that `model` exists in the registry, or says which do.
inline void require_model(app& a, const std::string& model) {
    try {
        mlpipe::detail::validate_name(model, "model");
    } catch (const invalid_input_error& e) {
        throw cli_error(e.problem(), "model names are letters, digits, '.', '_' or '-'");
    }
    if (a.registry().versions(model).empty()) {
        std::string known;
        for (const auto& m : a.registry().models())
            known += (known.empty() ? "" : ", ") + m;
        throw cli_error(
            "no model named \"" + model + "\" in the model store" +
                (known.empty() ? std::string(" (it is empty)") : " (it has: " + known + ")"),
            "mlpipe models, or train one: mlpipe train --model " + model + " ...");
    }
}

/// The version `reference` names for `model`: a number, "latest" or an alias.
[[nodiscard]] inline std::uint64_t resolve_reference(app& a, const std::string& model,
                                                     const std::string& reference) {
    require_model(a, model);
    auto& r = a.registry();
    const bool number = !reference.empty() && reference.size() < 19 &&
                        std::all_of(reference.begin(), reference.end(),
                                    [](char c) { return c >= '0' && c <= '9'; });
    std::string ref = reference;
    if (!ref.empty() && (ref[0] == 'v' || ref[0] == 'V') && ref.size() > 1 &&
        std::all_of(ref.begin() + 1, ref.end(), [](char c) { return c >= '0' && c <= '9'; }) &&
        ref.size() < 20) {
        ref = ref.substr(1);
    }
    if (number || ref != reference) {
        const auto v = std::stoull(ref);
        if (!r.version_info(model, v)) {
            throw cli_error("model \"" + model + "\" has no version " + ref,
                            "mlpipe models show " + model + " lists its versions");
        }
        return v;
    }
    if (reference == "latest") return *r.latest_version(model);
    try {
        mlpipe::detail::validate_name(reference, "alias");
    } catch (const invalid_input_error& e) {
        throw cli_error(e.problem(), "name a version (7), \"latest\" or an alias (production)");
    }
    if (const auto v = r.alias(model, reference)) return *v;
    throw cli_error("model \"" + model + "\" has no version or alias \"" + reference + "\"",
                    "mlpipe models show " + model + " lists its versions and aliases");
}

/// The aliases of `model` and the version each points to.
[[nodiscard]] inline std::vector<std::pair<std::string, std::uint64_t>> aliases_of(
    app& a, const std::string& model) {
    std::vector<std::pair<std::string, std::uint64_t>> out;
    const std::string prefix = a.registry().options().prefix + "models/" + model + "/aliases/";
    for (const auto& key : list_all(a.store(), prefix)) {
        if (key.size() <= prefix.size() + 5 || key.compare(key.size() - 5, 5, ".json") != 0)
            continue;
        const std::string name = key.substr(prefix.size(), key.size() - prefix.size() - 5);
        if (const auto v = a.registry().alias(model, name)) out.emplace_back(name, *v);
    }
    return out;
}

/// One command of the `mlpipe` tool: its name, help and options, and the function that runs it.
/// Each command group's file lists its commands (data_commands(), job_commands(), ...) beside the
/// code that reads their options; main.cpp joins the lists.
struct command {
    std::string name;         ///< "models show"
    std::string usage;        ///< what follows the name
    std::string summary;      ///< one line
    std::string description;  ///< paragraphs and examples
    std::vector<option_spec> options;
    int (*run)(app&);
    bool no_positional = false;  ///< takes no positional arguments
};

/// The --json option most commands take.
inline const option_spec json_option = {"json", "", "print JSON (for scripts)"};

}  // namespace mlpipe::cli
