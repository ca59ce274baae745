// SPDX-License-Identifier: Apache-2.0
// The loopback servers the AWS wing's tests talk to, as started by tests/aws/servers/servers.sh
// (the CTest fixture "aws_servers" runs it before the tests and stops the servers after them).
//
// servers.sh writes KEY=VALUE lines to servers.env in its state directory:
//   MLPIPE_TEST_FAUXQS_ENDPOINT=http://127.0.0.1:PORT      (S3 fast lane + SQS, JSON 1.0)
//   MLPIPE_TEST_RGW_ENDPOINT=http://127.0.0.1:PORT         (Ceph radosgw: strict S3, SigV4)
//   MLPIPE_TEST_RGW_ACCESS_KEY=..., MLPIPE_TEST_RGW_SECRET_KEY=...
//   MLPIPE_TEST_POSTGRES_URI=postgresql://USER@127.0.0.1:PORT/DB
// and for a server that could not start, MLPIPE_TEST_<NAME>_UNAVAILABLE=<reason>.
// Environment variables of the same names override the file (to point the tests at other servers).
//
// A test that needs a server calls `require_server("RGW")`: when the server is not there it prints
// "mlpipe-test-skipped: <reason>" (CTest reports the test as skipped) and the test returns; with
// MLPIPE_REQUIRE_AWS_SERVERS=1 in the environment (CI) a missing server fails the test instead.
#pragma once

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <string>

#include <catch2/catch.hpp>

namespace mlpipe::test {

/// The KEY=VALUE lines of servers.env (empty when the file is missing).
inline const std::map<std::string, std::string>& aws_server_settings() {
    static const std::map<std::string, std::string> settings = [] {
        std::map<std::string, std::string> out;
        std::ifstream in(MLPIPE_TEST_AWS_SERVERS_ENV);
        std::string line;
        while (std::getline(in, line)) {
            const auto eq = line.find('=');
            if (eq != std::string::npos && !line.starts_with("#"))
                out[line.substr(0, eq)] = line.substr(eq + 1);
        }
        return out;
    }();
    return settings;
}

/// Setting `key` (environment first, then servers.env), or nullopt.
inline std::optional<std::string> aws_server_setting(const std::string& key) {
    if (const char* value = std::getenv(key.c_str()); value != nullptr && *value != '\0')
        return std::string(value);
    const auto& settings = aws_server_settings();
    const auto it = settings.find(key);
    if (it == settings.end() || it->second.empty()) return std::nullopt;
    return it->second;
}

/// Why server `name` ("FAUXQS", "RGW", "POSTGRES") is not available, or "" when it is.
inline std::string aws_server_missing(const std::string& name) {
    const std::string endpoint_key =
        name == "POSTGRES" ? "MLPIPE_TEST_POSTGRES_URI" : "MLPIPE_TEST_" + name + "_ENDPOINT";
    if (aws_server_setting(endpoint_key)) return {};
    if (const auto reason = aws_server_setting("MLPIPE_TEST_" + name + "_UNAVAILABLE"))
        return name + " server unavailable: " + *reason;
    return name + " server not started (no " + endpoint_key + " in " + MLPIPE_TEST_AWS_SERVERS_ENV +
           "; run the tests through ctest, which starts it)";
}

inline bool aws_servers_required() {
    const char* v = std::getenv("MLPIPE_REQUIRE_AWS_SERVERS");
    return v != nullptr && std::string(v) == "1";
}

}  // namespace mlpipe::test

/// Returns from the enclosing test case when server `name` is not available (see above).
#define MLPIPE_REQUIRE_SERVER(name)                                                 \
    do {                                                                            \
        const std::string mlpipe_missing_ = mlpipe::test::aws_server_missing(name); \
        if (!mlpipe_missing_.empty()) {                                             \
            if (mlpipe::test::aws_servers_required()) FAIL(mlpipe_missing_);        \
            std::cout << "mlpipe-test-skipped: " << mlpipe_missing_ << std::endl;   \
            return;                                                                 \
        }                                                                           \
    } while (false)
