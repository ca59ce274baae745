// SPDX-License-Identifier: Apache-2.0
// The mlpipe command line's argument parser: subcommands, --flags with or without a value
// (--name value, --name=value), positionals, and the usage_error that maps to exit code 2.
#pragma once

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mlpipe::cli {

/// Exit codes (documented in docs/cli.md and `mlpipe --help`).
inline constexpr int exit_ok = 0;
inline constexpr int exit_error = 1;
inline constexpr int exit_usage = 2;

/// A command line the user got wrong: printed with a pointer to --help, exit code 2.
class usage_error : public std::runtime_error {
  public:
    usage_error(const std::string& problem, std::string command)
        : std::runtime_error(problem), command_(std::move(command)) {}
    [[nodiscard]] const std::string& command() const noexcept { return command_; }

  private:
    std::string command_;
};

/// An error of the tool itself (not the library's), with the remedy printed after "try:".
class cli_error : public std::runtime_error {
  public:
    cli_error(const std::string& problem, std::string remedy)
        : std::runtime_error(problem), remedy_(std::move(remedy)) {}
    [[nodiscard]] const std::string& remedy() const noexcept { return remedy_; }

  private:
    std::string remedy_;
};

/// One --option a command accepts.
struct option_spec {
    std::string name;         ///< without the dashes: "model"
    std::string value;        ///< the value's placeholder ("NAME"); empty for a flag
    std::string help;         ///< one line
    bool repeatable = false;  ///< may be given several times
};

/// The parsed arguments of one command.
class parsed_args {
  public:
    std::vector<std::string> positional;

    [[nodiscard]] bool flag(const std::string& name) const {
        check(name);
        return values_.count(name) != 0;
    }
    [[nodiscard]] std::optional<std::string> get(const std::string& name) const {
        check(name);
        const auto it = values_.find(name);
        if (it == values_.end() || it->second.empty()) return std::nullopt;
        return it->second.back();
    }
    [[nodiscard]] std::string get_or(const std::string& name, std::string fallback) const {
        auto v = get(name);
        return v ? *v : std::move(fallback);
    }
    [[nodiscard]] std::vector<std::string> all(const std::string& name) const {
        check(name);
        const auto it = values_.find(name);
        return it == values_.end() ? std::vector<std::string>{} : it->second;
    }
    void set(const std::string& name, std::string value) {
        values_[name].push_back(std::move(value));
    }

    /// The value of --name as a number, or `fallback`; a usage_error names the option otherwise.
    [[nodiscard]] double number(const std::string& name, double fallback,
                                const std::string& command) const {
        const auto v = get(name);
        if (!v) return fallback;
        try {
            std::size_t used = 0;
            const double x = std::stod(*v, &used);
            if (used == v->size()) return x;
        } catch (const std::exception&) {
        }
        throw usage_error("--" + name + " takes a number, not \"" + *v + "\"", command);
    }
    [[nodiscard]] std::uint64_t count(const std::string& name, std::uint64_t fallback,
                                      const std::string& command) const {
        const auto v = get(name);
        if (!v) return fallback;
        const bool digits = !v->empty() && std::all_of(v->begin(), v->end(),
                                                       [](char c) { return c >= '0' && c <= '9'; });
        if (!digits || v->size() > 18) {
            throw usage_error("--" + name + " takes a whole number, not \"" + *v + "\"", command);
        }
        return std::stoull(*v);
    }

    /// The options the command declares: reading any other is a bug of the tool, not of its user
    /// (a misspelt name would silently read as absent). Empty: no check.
    void declare(std::vector<std::string> names) { declared_ = std::move(names); }

  private:
    void check(const std::string& name) const {
        if (!declared_.empty() &&
            std::find(declared_.begin(), declared_.end(), name) == declared_.end()) {
            throw std::logic_error("mlpipe: the command reads --" + name +
                                   ", which it does not declare");
        }
    }

    std::map<std::string, std::vector<std::string>> values_;
    std::vector<std::string> declared_;
};

/// Options every command accepts.
inline const std::vector<option_spec>& global_options() {
    static const std::vector<option_spec> options = {
        {"config", "FILE", "configuration file (default: $MLPIPE_CONFIG, else ./mlpipe.json)"},
        {"warehouse", "URI", "warehouse URI, overrides the file ($MLPIPE_WAREHOUSE)"},
        {"queue", "URI", "training queue URI, overrides the file ($MLPIPE_QUEUE)"},
        {"models", "URI", "model store URI, overrides the file ($MLPIPE_MODELS)"},
        {"no-color", "", "no colour (also when NO_COLOR is set or output is not a terminal)"},
        {"help", "", "show this help"},
    };
    return options;
}

/// Parses `words` (the arguments after the command's name) against `options` plus the global
/// options. "--" ends the options; "-" is a positional (standard input).
/// @throws usage_error for an unknown option or a missing value
inline parsed_args parse_arguments(const std::vector<std::string>& words,
                                   const std::vector<option_spec>& options,
                                   const std::string& command) {
    parsed_args out;
    std::vector<std::string> declared;
    for (const auto* list : {&options, &global_options()})
        for (const auto& o : *list)
            declared.push_back(o.name);
    out.declare(std::move(declared));
    const auto find = [&](const std::string& name) -> const option_spec* {
        for (const auto* list : {&options, &global_options()}) {
            for (const auto& o : *list)
                if (o.name == name) return &o;
        }
        return nullptr;
    };
    bool only_positional = false;
    for (std::size_t i = 0; i < words.size(); ++i) {
        const std::string& w = words[i];
        if (only_positional || w.size() < 2 || w[0] != '-') {
            out.positional.push_back(w);
            continue;
        }
        if (w == "--") {
            only_positional = true;
            continue;
        }
        if (w == "-h") {
            out.set("help", "");
            continue;
        }
        if (w.rfind("--", 0) != 0) {
            throw usage_error("unknown option \"" + w + "\" (options start with --)", command);
        }
        std::string name = w.substr(2);
        std::optional<std::string> value;
        if (const auto eq = name.find('='); eq != std::string::npos) {
            value = name.substr(eq + 1);
            name = name.substr(0, eq);
        }
        const option_spec* spec = find(name);
        if (spec == nullptr) throw usage_error("unknown option --" + name, command);
        if (spec->value.empty()) {
            if (value) throw usage_error("--" + name + " takes no value", command);
            out.set(name, "");
            continue;
        }
        if (!value) {
            if (i + 1 >= words.size()) {
                throw usage_error("--" + name + " needs a value (" + spec->value + ")", command);
            }
            value = words[++i];
        }
        if (!spec->repeatable && out.get(name)) {
            throw usage_error("--" + name + " was given twice", command);
        }
        out.set(name, *value);
    }
    return out;
}

}  // namespace mlpipe::cli
