// SPDX-License-Identifier: Apache-2.0
// The concurrency fault test: 8 threads send requests while another thread moves the alias 50 times
// between two versions whose predictions differ. Every answer must come from a fully loaded model
// whose version it names: its probabilities equal what that version gives offline, bit for bit.
// Run under ThreadSanitizer by the ci-tsan preset (scripts/run-tests.sh, stage 4).
#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include <mlpipe/serving.hpp>

#include "serving_models.hpp"

using namespace mlpipe;
using nlohmann::json;
using test::iris;

TEMPLATE_LIST_TEST_CASE(
    "8 request threads and 50 alias moves: every answer is whole and names its version",
    "[serving][concurrency]", test::store_fixtures) {
    TestType f;
    model_registry registry(f.store);
    REQUIRE(registry.publish("iris", iris().logistic).version == 1);
    REQUIRE(registry.publish("iris", iris().bayes).version == 2);
    registry.set_alias("iris", "production", 1, "test");

    feature_matrix<double> x(3, 4);
    x << 5.1, 3.5, 1.4, 0.2, 5.9, 3.0, 4.2, 1.5, 6.7, 3.0, 5.2, 2.3;
    const probability_matrix<double> expected[3] = {{},
                                                    test::iris_models::offline(iris().logistic, x),
                                                    test::iris_models::offline(iris().bayes, x)};
    REQUIRE(expected[1] != expected[2]);
    const std::string digests[3] = {"", detail::sha256_hex(iris().logistic),
                                    detail::sha256_hex(iris().bayes)};
    const std::string request =
        R"({"model": "iris", "instances": [[5.1, 3.5, 1.4, 0.2], [5.9, 3.0, 4.2, 1.5],
            [6.7, 3.0, 5.2, 2.3]]})";

    // TTL zero: every request re-checks the alias (one at a time), racing the mover.
    predictor p(f.store, {.alias_ttl = std::chrono::milliseconds(0)});
    handler h(p);
    std::atomic<bool> moving{true};
    std::atomic<int> answers{0};
    std::atomic<int> failures{0};
    std::atomic<int> seen[3] = {0, 0, 0};

    std::vector<std::thread> clients;
    for (int t = 0; t < 8; ++t) {
        clients.emplace_back([&] {
            int mine = 0;
            while (moving.load() || mine < 20) {
                ++mine;
                const auto text = h.handle(request);
                const auto answer = json::parse(text, nullptr, false);
                const auto version = answer.is_object() ? answer.value("version", 0) : 0;
                bool ok = version == 1 || version == 2;
                if (ok) {
                    ok = answer["digest"] == digests[version] && answer["model"] == "iris";
                    const auto& probabilities = answer["probabilities"];
                    ok = ok && probabilities.size() == 3;
                    for (std::size_t r = 0; ok && r < 3; ++r) {
                        for (std::size_t k = 0; ok && k < 3; ++k) {
                            ok = probabilities[r][k].template get<double>() ==
                                 expected[version](static_cast<Eigen::Index>(r),
                                                   static_cast<Eigen::Index>(k));
                        }
                    }
                    ++seen[version];
                }
                if (!ok) {
                    ++failures;
                    UNSCOPED_INFO(text);
                }
                ++answers;
            }
        });
    }
    std::thread mover([&] {
        for (int move = 0; move < 50; ++move) {
            const std::uint64_t to = move % 2 == 0 ? 2 : 1;
            registry.set_alias("iris", "production", to, "mover");
            if (move % 5 == 0) (void)p.notify("registry/models/iris/aliases/production.json");
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
        moving = false;
    });
    mover.join();
    for (auto& t : clients)
        t.join();

    CHECK(failures == 0);
    CHECK(answers >= 160);
    CHECK(seen[1] > 0);
    CHECK(seen[2] > 0);
    CHECK(p.stats().loads == 2);  // two digests, each loaded once
    CHECK(registry.history("iris", "production").size() == 51);
    // After the last move (to version 1), the next request serves it.
    CHECK(json::parse(h.handle(request))["version"] == 1);
}
