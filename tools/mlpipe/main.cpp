// SPDX-License-Identifier: Apache-2.0
// mlpipe: the command-line tool over the library (see docs/cli.md). The commands, with their help
// and options, live in the headers beside this file (one per command group) and compile into this
// one translation unit; this file finds the command and prints the help.
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

/// Every command, in the order help lists them.
const std::vector<command>& commands() {
    static const std::vector<command> list = [] {
        std::vector<command> all;
        for (auto group : {init_commands(), data_commands(), job_commands(), model_commands(),
                           serve_commands(), status_commands()})
            all.insert(all.end(), group.begin(), group.end());
        return all;
    }();
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
