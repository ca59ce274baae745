// SPDX-License-Identifier: Apache-2.0
// What every benchmark's main() shares: mlpipe's own flags (--mlpipe_smoke for the short CTest run,
// --mlpipe_NAME=VALUE for a benchmark's options) and Google Benchmark's start and end.
#pragma once

#include <cstring>
#include <map>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

namespace mlpipe::bench {

/// Set by --mlpipe_smoke: register small problems, so CTest's smoke run stays short.
inline bool smoke = false;

/// The arguments for Google Benchmark, without mlpipe's own: --mlpipe_smoke sets `smoke`, and
/// --mlpipe_NAME=VALUE goes to `flags` (NAME -> VALUE) when given.
inline std::vector<char*> take_mlpipe_flags(int argc, char** argv,
                                            std::map<std::string, std::string>* flags = nullptr) {
    std::vector<char*> args;
    for (int i = 0; i < argc; ++i) {
        const char* a = argv[i];
        if (std::strcmp(a, "--mlpipe_smoke") == 0) {
            smoke = true;
        } else if (flags != nullptr && std::strncmp(a, "--mlpipe_", 9) == 0 &&
                   std::strchr(a, '=') != nullptr) {
            const char* eq = std::strchr(a, '=');
            (*flags)[std::string(a + 9, eq)] = eq + 1;
        } else {
            args.push_back(argv[i]);
        }
    }
    return args;
}

/// Runs the registered benchmarks with `args` (from take_mlpipe_flags); main()'s exit code.
inline int run_benchmarks(std::vector<char*>& args) {
    int count = static_cast<int>(args.size());
    benchmark::Initialize(&count, args.data());
    if (benchmark::ReportUnrecognizedArguments(count, args.data())) return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}

}  // namespace mlpipe::bench
