// SPDX-License-Identifier: Apache-2.0
// The Lambda custom runtime under the project's Runtime API harness (lambda_harness.hpp): the loop
// in-process (answers, errors, init errors, exit when the API goes away), and the real `bootstrap`
// executable of examples/lambda_predict serving a published model from a file store.
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <chrono>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include <mlpipe/artifact.hpp>
#include <mlpipe/aws.hpp>
#include <mlpipe/data.hpp>
#include <mlpipe/models.hpp>
#include <mlpipe/registry.hpp>
#include <mlpipe/storage.hpp>

#include <catch2/catch.hpp>

#include "lambda_harness.hpp"
#include "test_support.hpp"

extern char** environ;

using mlpipe::test::lambda_harness;

TEST_CASE("the runtime loop answers invocations, reports errors and exits with the API",
          "[aws][lambda]") {
    lambda_harness harness;
    int exit_code = -1;
    int inits = 0;
    std::thread runtime([&] {
        exit_code = mlpipe::aws::run_lambda(
            [&] {
                ++inits;
                return [](std::string_view event) -> std::string {
                    if (event == "\"fail\"")
                        throw mlpipe::invalid_input_error("bad event", "send another", "event");
                    return "{\"echo\":" + std::string(event) + "}";
                };
            },
            harness.api());
    });
    const auto a = harness.invoke("1");
    CHECK(a.answered);
    CHECK(a.ok);
    CHECK(a.body == "{\"echo\":1}");
    const auto failed = harness.invoke("\"fail\"");
    CHECK(failed.answered);
    CHECK_FALSE(failed.ok);
    CHECK(failed.error_type == "mlpipe.InvalidInputError");
    const auto doc = nlohmann::json::parse(failed.body);
    CHECK_THAT(doc.at("errorMessage").get<std::string>(), Catch::Contains("bad event"));
    CHECK(doc.at("errorType") == "mlpipe.InvalidInputError");
    CHECK(doc.at("stackTrace").is_array());
    // The loop goes on after an error.
    CHECK(harness.invoke("[2]").body == "{\"echo\":[2]}");
    harness.stop();
    runtime.join();
    CHECK(exit_code == 0);
    CHECK(inits == 1);
}

TEST_CASE("an init failure is posted to init/error and ends the runtime", "[aws][lambda]") {
    lambda_harness harness;
    int exit_code = -1;
    std::thread runtime([&] {
        exit_code = mlpipe::aws::run_lambda(
            []() -> std::function<std::string(std::string_view)> {
                throw mlpipe::configuration_error("MLPIPE_MODEL_STORE is not set", "set it",
                                                  "MLPIPE_MODEL_STORE");
            },
            harness.api());
    });
    runtime.join();
    CHECK(exit_code == 1);
    const auto error = harness.wait_init_error(std::chrono::seconds(5));
    REQUIRE(error.has_value());
    CHECK(error->type == "mlpipe.ConfigurationError");
    CHECK_THAT(error->body, Catch::Contains("MLPIPE_MODEL_STORE is not set"));
}

TEST_CASE("without AWS_LAMBDA_RUNTIME_API the runtime says what it is and exits", "[aws][lambda]") {
    ::unsetenv("AWS_LAMBDA_RUNTIME_API");
    CHECK_THROWS_AS(mlpipe::aws::lambda_runtime_client(), mlpipe::configuration_error);
    CHECK(mlpipe::aws::run_lambda([] { return [](std::string_view) { return std::string(); }; }) ==
          1);
}

namespace {

/// Publishes a logistic regression on iris as "iris", alias production, in a file store.
void publish_iris(const std::filesystem::path& root) {
    mlpipe::file_blob_store store(root);
    const auto data = mlpipe::read_csv<double>(std::string(MLPIPE_TEST_DATA_DIR) + "/iris.csv", {});
    mlpipe::logistic_regression<double> lr;
    (void)lr.fit(data);
    const auto bytes = mlpipe::encode_artifact(mlpipe::to_artifact(lr));
    mlpipe::model_registry registry(store);
    const auto v = registry.publish(
        "iris", std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
    registry.set_alias("iris", "production", v.version, "lambda test");
}

/// Starts `bootstrap` with `env` added to this process's environment.
pid_t spawn_bootstrap(const std::vector<std::string>& env) {
    std::vector<std::string> all = env;
    for (char** e = environ; *e != nullptr; ++e)
        all.emplace_back(*e);
    std::vector<char*> envp;
    for (auto& s : all)
        envp.push_back(s.data());
    envp.push_back(nullptr);
    std::string exe = MLPIPE_TEST_BOOTSTRAP;
    char* argv[] = {exe.data(), nullptr};
    pid_t pid = 0;
    if (::posix_spawn(&pid, exe.c_str(), nullptr, nullptr, argv, envp.data()) != 0)
        throw std::runtime_error("cannot start " + exe);
    return pid;
}

}  // namespace

TEST_CASE("the bootstrap executable serves a published model through the Runtime API",
          "[aws][lambda][bootstrap]") {
    mlpipe::test::temp_dir dir;
    publish_iris(dir / "store");
    lambda_harness harness;
    const auto started = std::chrono::steady_clock::now();
    const pid_t pid = spawn_bootstrap({"AWS_LAMBDA_RUNTIME_API=" + harness.api(),
                                       "MLPIPE_MODEL_STORE=file://" + (dir / "store").string(),
                                       "MLPIPE_MODEL=iris", "AWS_EC2_METADATA_DISABLED=true"});
    const auto direct =
        harness.invoke(R"({"instances": [[5.1, 3.5, 1.4, 0.2], [6.7, 3.0, 5.2, 2.3]]})");
    const auto cold =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
            .count();
    REQUIRE(direct.answered);
    CHECK(direct.ok);
    const auto answer = nlohmann::json::parse(direct.body);
    INFO(direct.body);
    CHECK(answer.at("predictions") == nlohmann::json::array({"setosa", "virginica"}));
    CHECK(answer.at("model") == "iris");
    CHECK(answer.at("version") == 1);
    // An API Gateway (HTTP API, v2) event gets a proxy-shaped answer.
    const auto http = harness.invoke(
        R"({"version":"2.0","rawPath":"/v1/models/iris:predict","requestContext":{"http":{"method":"POST"}},)"
        R"("body":"{\"instances\": [[5.9, 3.0, 4.2, 1.5]]}","isBase64Encoded":false})");
    REQUIRE(http.ok);
    const auto proxy = nlohmann::json::parse(http.body);
    CHECK(proxy.at("statusCode") == 200);
    CHECK_THAT(proxy.at("body").get<std::string>(), Catch::Contains("versicolor"));
    // A bad request is an answer with a 400 error, not a crashed function.
    const auto bad = harness.invoke(R"({"instances": [[1, 2, 3]]})");
    CHECK(bad.ok);
    CHECK(nlohmann::json::parse(bad.body).at("error").at("status") == 400);
    harness.stop();
    CHECK(mlpipe::test::wait_exit(pid) == 0);
    std::cout << "bootstrap cold start to first answer: " << cold << " ms\n";
}

TEST_CASE("the bootstrap executable reports a missing model as an init error",
          "[aws][lambda][bootstrap]") {
    mlpipe::test::temp_dir dir;
    publish_iris(dir / "store");
    lambda_harness harness;
    const pid_t pid =
        spawn_bootstrap({"AWS_LAMBDA_RUNTIME_API=" + harness.api(),
                         "MLPIPE_MODEL_STORE=file://" + (dir / "store").string(),
                         "MLPIPE_MODEL=no-such-model", "AWS_EC2_METADATA_DISABLED=true"});
    const auto error = harness.wait_init_error(std::chrono::seconds(30));
    REQUIRE(error.has_value());
    CHECK_THAT(error->body, Catch::Contains("no-such-model"));
    CHECK(mlpipe::test::wait_exit(pid) == 1);
}
