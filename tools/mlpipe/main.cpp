// SPDX-License-Identifier: Apache-2.0
// mlpipe: the command-line tool over the library (see docs/cli.md). The commands live in the
// headers beside this file and compile into this one translation unit.
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <mlpipe/error.hpp>
#include <mlpipe/version.hpp>

#include "app.hpp"
#include "args.hpp"
#include "data_commands.hpp"
#include "job_commands.hpp"
#include "model_commands.hpp"
#include "serve_commands.hpp"
#include "status_commands.hpp"

namespace mlpipe::cli {
namespace {

struct command {
    std::string name;         ///< "models show"
    std::string usage;        ///< what follows the name
    std::string summary;      ///< one line
    std::string description;  ///< paragraphs and examples
    std::vector<option_spec> options;
    int (*run)(app&);
    bool no_positional = false;  ///< takes no positional arguments
};

const option_spec json_option = {"json", "", "print JSON (for scripts)"};

const std::vector<command>& commands() {
    static const std::vector<command> list = {
        {"init",
         "[DIR]",
         "write a working local configuration (DIR/mlpipe.json)",
         "Writes mlpipe.json with the embedded defaults: an SQLite warehouse (warehouse.db), an\n"
         "SQLite training queue (queue.db, queue \"training\", dead letters after 3 receives) and\n"
         "a model store directory (models/), all relative to the file's directory.\n\n"
         "examples:\n  mlpipe init\n  mlpipe init ~/ml && cd ~/ml",
         {{"force", "", "overwrite an existing mlpipe.json"}, json_option},
         init_command},
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
    return list;
}

void print_options(const std::vector<option_spec>& options) {
    std::size_t width = 0;
    for (const auto& o : options)
        width = std::max(width, o.name.size() + (o.value.empty() ? 0 : o.value.size() + 1));
    for (const auto& o : options) {
        std::string left = "--" + o.name + (o.value.empty() ? "" : " " + o.value);
        std::printf("  %-*s  %s\n", static_cast<int>(width + 2), left.c_str(), o.help.c_str());
    }
}

void print_main_help() {
    std::printf("mlpipe %s: train, test and deploy models with the mlpipe pipeline\n\n",
                std::string(mlpipe::version()).c_str());
    std::printf("usage: mlpipe COMMAND [ARGS] [OPTIONS]     (mlpipe COMMAND --help for more)\n\n");
    std::printf("commands:\n");
    for (const auto& c : commands())
        std::printf("  %-16s %s\n", c.name.c_str(), c.summary.c_str());
    std::printf("\nglobal options:\n");
    print_options(global_options());
    std::printf(
        "\nenvironment: MLPIPE_CONFIG (configuration file), MLPIPE_WAREHOUSE, MLPIPE_QUEUE,\n"
        "MLPIPE_MODELS (URIs), NO_COLOR (no colour)\n");
    std::printf("exit codes: 0 ok, 1 error, 2 usage error\n");
    std::printf(
        "\nget started:\n  mlpipe init && mlpipe data load iris.csv --dataset iris\n"
        "  mlpipe worker --idle-exit 30 &\n"
        "  mlpipe train --model iris --dataset iris --promote production --wait\n");
}

void print_command_help(const command& c) {
    std::printf("usage: mlpipe %s%s%s [OPTIONS]\n\n%s\n\n", c.name.c_str(),
                c.usage.empty() ? "" : " ", c.usage.c_str(), c.summary.c_str());
    std::printf("%s\n", c.description.c_str());
    if (!c.options.empty()) {
        std::printf("\noptions:\n");
        print_options(c.options);
    }
    std::printf("\nglobal options:\n");
    print_options(global_options());
    std::printf("\nexit codes: 0 ok, 1 error, 2 usage error\n");
}

/// Library remedies end with a full stop; "(try: ...)" reads better without.
std::string trimmed(std::string s) {
    while (!s.empty() && (s.back() == '.' || s.back() == ' '))
        s.pop_back();
    return s;
}

void print_error(const std::string& problem, const std::string& remedy) {
    const terminal t = terminal::detect(false);
    const std::string head = t.err_color ? "\033[31mmlpipe: error:\033[0m" : "mlpipe: error:";
    std::fprintf(stderr, "%s %s%s\n", head.c_str(), trimmed(problem).c_str(),
                 remedy.empty() ? "" : (" (try: " + trimmed(remedy) + ")").c_str());
}

int run(int argc, char** argv) {
    std::vector<std::string> words(argv + 1, argv + argc);
    // The command's name: the first one or two words that are not options (nor option values).
    std::vector<std::size_t> name_at;
    for (std::size_t i = 0; i < words.size() && name_at.size() < 2; ++i) {
        const auto& w = words[i];
        if (w == "--") break;
        if (w.rfind("-", 0) == 0) {
            const bool takes_value =
                w.find('=') == std::string::npos &&
                (w == "--config" || w == "--warehouse" || w == "--queue" || w == "--models");
            if (takes_value) ++i;
            continue;
        }
        name_at.push_back(i);
    }
    if (std::find(words.begin(), words.end(), "--version") != words.end()) {
        std::printf("mlpipe %s\n", std::string(mlpipe::version()).c_str());
        return exit_ok;
    }
    if (name_at.empty()) {
        print_main_help();
        return words.empty() ? exit_usage : exit_ok;
    }
    std::string first = words[name_at[0]];
    if (first == "help") {
        if (name_at.size() < 2) {
            print_main_help();
            return exit_ok;
        }
        words.erase(words.begin() + static_cast<std::ptrdiff_t>(name_at[0]));
        words.push_back("--help");
        --name_at[1];
        name_at.erase(name_at.begin());
        first = words[name_at[0]];
    }
    const command* found = nullptr;
    std::size_t used = 0;
    if (name_at.size() == 2) {
        const std::string two = first + " " + words[name_at[1]];
        for (const auto& c : commands())
            if (c.name == two) found = &c, used = 2;
    }
    if (found == nullptr) {
        for (const auto& c : commands())
            if (c.name == first) found = &c, used = 1;
    }
    if (found == nullptr) {
        // A group without a command of its own ("data", "retrain"): list its commands.
        std::vector<const command*> group;
        for (const auto& c : commands())
            if (c.name.rfind(first + " ", 0) == 0) group.push_back(&c);
        if (!group.empty()) {
            std::FILE* out = name_at.size() == 1 ? stdout : stderr;
            if (name_at.size() == 2) {
                std::fprintf(out, "mlpipe: usage error: unknown command \"%s %s\"\n\n",
                             first.c_str(), words[name_at[1]].c_str());
            }
            std::fprintf(out, "mlpipe %s commands:\n", first.c_str());
            for (const auto* c : group)
                std::fprintf(out, "  %-16s %s\n", c->name.c_str(), c->summary.c_str());
            return name_at.size() == 1 &&
                           std::find(words.begin(), words.end(), "--help") != words.end()
                       ? exit_ok
                       : exit_usage;
        }
        throw usage_error("unknown command \"" + first + "\"", "");
    }
    for (std::size_t k = used; k-- > 0;)
        words.erase(words.begin() + static_cast<std::ptrdiff_t>(name_at[k]));
    parsed_args args = parse_arguments(words, found->options, found->name);
    if (args.flag("help")) {
        print_command_help(*found);
        return exit_ok;
    }
    if (found->no_positional && !args.positional.empty()) {
        throw usage_error("unexpected argument \"" + args.positional.front() + "\"", found->name);
    }
    app a(found->name, std::move(args));
    return found->run(a);
}

}  // namespace
}  // namespace mlpipe::cli

int main(int argc, char** argv) {
    using namespace mlpipe::cli;
    try {
        return run(argc, argv);
    } catch (const usage_error& e) {
        std::fprintf(stderr, "mlpipe: usage error: %s (try: mlpipe %s--help)\n", e.what(),
                     e.command().empty() ? "" : (e.command() + " ").c_str());
        return exit_usage;
    } catch (const cli_error& e) {
        print_error(e.what(), e.remedy());
    } catch (const mlpipe::error& e) {
        print_error((e.context().empty() ? "" : e.context() + ": ") + e.problem(), e.remedy());
    } catch (const nlohmann::json::exception& e) {
        print_error(std::string("malformed JSON: ") + e.what(), "check the JSON you passed");
    } catch (const std::exception& e) {
        print_error(e.what(), "");
    } catch (...) {
        print_error("an unknown error", "");
    }
    return exit_error;
}
