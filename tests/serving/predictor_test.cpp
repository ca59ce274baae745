// SPDX-License-Identifier: Apache-2.0
// The predictor: resolution by alias, version and "latest"; one load per digest; TTL re-checks and
// notifications; failed loads; every validation error; the verification hook.
#include <atomic>
#include <chrono>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include <mlpipe/serving.hpp>

#include "serving_models.hpp"

using namespace mlpipe;
using test::iris;

namespace {

feature_rows rows_of(const feature_matrix<double>& x) {
    feature_rows r;
    r.rows = static_cast<std::size_t>(x.rows());
    r.columns = static_cast<std::size_t>(x.cols());
    r.values.assign(x.data(), x.data() + x.size());
    return r;
}

feature_rows one_row(std::vector<double> values) {
    feature_rows r;
    r.rows = 1;
    r.columns = values.size();
    r.values = std::move(values);
    return r;
}

const feature_matrix<double>& sample() {
    static const feature_matrix<double> x = iris().data.features().topRows(5);
    return x;
}

/// A clock the test moves by hand.
struct manual_clock {
    std::chrono::steady_clock::time_point now{};
    std::function<std::chrono::steady_clock::time_point()> function() {
        return [this] { return now; };
    }
};

}  // namespace

TEMPLATE_LIST_TEST_CASE("a predictor resolves a model by alias, version number and latest",
                        "[serving][predictor]", test::store_fixtures) {
    TestType f;
    model_registry registry(f.store);
    REQUIRE(registry.publish("iris", iris().logistic).version == 1);
    REQUIRE(registry.publish("iris", iris().bayes).version == 2);
    registry.set_alias("iris", "production", 1, "test");
    predictor p(f.store);

    const auto by_alias = p.predict("iris", "production", sample());
    CHECK(by_alias.model() == "iris");
    CHECK(by_alias.version() == 1);
    CHECK(by_alias.digest() == detail::sha256_hex(iris().logistic));
    CHECK(by_alias.probabilities == test::iris_models::offline(iris().logistic, sample()));
    CHECK(by_alias.labels().name(static_cast<std::size_t>(by_alias.classes(0))) == "setosa");

    const auto by_version = p.predict("iris", "2", sample());
    CHECK(by_version.version() == 2);
    CHECK(by_version.probabilities == test::iris_models::offline(iris().bayes, sample()));
    CHECK(p.predict("iris", "latest", sample()).version() == 2);

    CHECK_THROWS_AS(p.get("iris", "staging"), not_found_error);
    CHECK_THROWS_AS(p.get("iris", "9"), not_found_error);
    CHECK_THROWS_AS(p.get("wine", "production"), not_found_error);
    CHECK_THROWS_AS(p.get("wine", "latest"), not_found_error);
    CHECK_THROWS_AS(p.get("../iris", "production"), invalid_input_error);
    CHECK_THROWS_AS(p.get("iris", "a/b"), invalid_input_error);
    CHECK_THROWS_AS(p.get("iris", "99999999999999999999999"), invalid_input_error);
    try {
        (void)p.get("../iris", "production");
    } catch (const not_found_error&) {
        FAIL("a malformed name is a bad request, not an unknown model");
    } catch (const invalid_input_error&) {
    }
}

TEST_CASE("a predictor loads each digest once however many callers ask at the same time",
          "[serving][predictor][cache]") {
    memory_blob_store store;
    model_registry registry(store);
    registry.publish("iris", iris().logistic);
    registry.set_alias("iris", "production", 1, "test");
    registry.set_alias("iris", "staging", 1, "test");
    predictor p(store);

    std::vector<std::thread> threads;
    std::atomic<int> ok{0};
    for (int t = 0; t < 8; ++t) {
        threads.emplace_back([&, t] {
            const char* reference = t % 3 == 0 ? "production" : t % 3 == 1 ? "1" : "staging";
            if (p.predict("iris", reference, sample()).version() == 1) ++ok;
        });
    }
    for (auto& t : threads)
        t.join();
    CHECK(ok == 8);
    CHECK(p.stats().loads == 1);
    CHECK(p.stats().load_failures == 0);

    // The same bytes published again as version 2: no new load, and the answer names version 2.
    REQUIRE(registry.publish("iris", iris().logistic).version == 2);
    const auto again = p.predict("iris", "2", sample());
    CHECK(again.version() == 2);
    CHECK(again.digest() == detail::sha256_hex(iris().logistic));
    CHECK(p.stats().loads == 1);
}

TEST_CASE("an alias is re-checked after its TTL and the new version swapped in",
          "[serving][predictor][ttl]") {
    memory_blob_store store;
    model_registry registry(store);
    registry.publish("iris", iris().logistic);
    registry.publish("iris", iris().bayes);
    registry.set_alias("iris", "production", 1, "test");
    manual_clock clock;
    predictor p(store, {.alias_ttl = std::chrono::seconds(30), .clock = clock.function()});

    const auto first = p.get("iris", "production");
    CHECK(first->info.version == 1);
    registry.set_alias("iris", "production", 2, "test");
    clock.now += std::chrono::seconds(29);
    CHECK(p.get("iris", "production")->info.version == 1);  // still within the TTL
    CHECK(p.get("iris", "latest")->info.version == 2);
    clock.now += std::chrono::seconds(2);
    const auto second = p.get("iris", "production");
    CHECK(second->info.version == 2);
    CHECK(first->info.version == 1);  // a holder of the old model keeps a complete model
    CHECK(first->model.predict_proba(sample()) ==
          test::iris_models::offline(iris().logistic, sample()));
    CHECK(p.stats().swaps == 3);  // production: none -> 1 -> 2; latest: none -> 2
    CHECK(p.stats().loads == 2);

    // A pinned version is never re-checked.
    const auto checks = p.stats().alias_checks;
    (void)p.get("iris", "1");
    clock.now += std::chrono::hours(1);
    (void)p.get("iris", "1");
    CHECK(p.stats().alias_checks == checks + 1);
}

TEMPLATE_LIST_TEST_CASE("notify and refresh swap an alias at once, whatever the TTL",
                        "[serving][predictor][notify]", test::store_fixtures) {
    TestType f;
    model_registry registry(f.store);
    registry.publish("iris", iris().logistic);
    registry.publish("iris", iris().bayes);
    registry.set_alias("iris", "production", 1, "test");
    predictor p(f.store, {.alias_ttl = std::chrono::hours(1)});

    CHECK(p.get("iris", "production")->info.version == 1);
    registry.set_alias("iris", "production", 2, "test");
    CHECK(p.get("iris", "production")->info.version == 1);
    CHECK(p.notify("registry/models/iris/aliases/production.json") == std::string("iris"));
    CHECK(p.get("iris", "production")->info.version == 2);

    registry.set_alias("iris", "production", 1, "test");
    CHECK(p.refresh("iris") == 1);
    CHECK(p.get("iris", "production")->info.version == 1);
    CHECK(p.refresh("iris") == 0);

    CHECK_FALSE(p.notify("elsewhere/models/iris/aliases/production.json").has_value());
    CHECK_FALSE(p.notify("registry/index/iris").has_value());
    CHECK_FALSE(p.notify("registry/models/").has_value());
    CHECK(p.notify("registry/models/wine/versions/0000000001.json") == std::string("wine"));
}

TEST_CASE("a failed load is not cached, and a served model survives a failed re-check",
          "[serving][predictor][cache]") {
    memory_blob_store store;
    model_registry registry(store);
    registry.publish("iris", iris().logistic);
    registry.publish("iris", "these bytes are not an artifact");
    registry.set_alias("iris", "production", 1, "test");
    manual_clock clock;
    predictor p(store, {.alias_ttl = std::chrono::seconds(1), .clock = clock.function()});

    CHECK_THROWS_AS(p.get("iris", "2"), model_unavailable_error);
    CHECK_THROWS_AS(p.get("iris", "2"), model_unavailable_error);
    CHECK(p.stats().load_failures == 2);  // tried again, not remembered

    CHECK(p.get("iris", "production")->info.version == 1);
    registry.set_alias("iris", "production", 2, "test");
    clock.now += std::chrono::seconds(2);
    CHECK(p.get("iris", "production")->info.version == 1);  // keeps serving
    CHECK(p.refresh("iris") == 0);
    CHECK(p.get("iris", "production")->info.version == 1);

    // The artifact deleted behind the registry's back: the version cannot be loaded.
    const auto info = registry.version_info("iris", 1);
    REQUIRE(info);
    predictor fresh(store);
    store.remove(info->artifact_key);
    CHECK_THROWS_AS(fresh.get("iris", "1"), model_unavailable_error);
    try {
        (void)fresh.get("iris", "1");
    } catch (const std::exception& e) {
        CHECK(status_of(e).status == 503);
    }
}

TEST_CASE("the verification hook sees the bytes before they are parsed and can refuse them",
          "[serving][predictor]") {
    memory_blob_store store;
    model_registry registry(store);
    registry.publish("iris", iris().logistic);
    int calls = 0;
    predictor p(store, {.verify = [&](std::span<const std::byte> bytes, const model_version& v) {
                    ++calls;
                    CHECK(bytes.size() == v.size);
                    throw format_error("unsigned", "sign it", {});
                }});
    CHECK_THROWS_AS(p.get("iris", "1"), model_unavailable_error);
    CHECK(calls == 1);
}

TEST_CASE("every request is validated before the model runs", "[serving][predictor][validation]") {
    memory_blob_store store;
    model_registry registry(store);
    registry.publish("iris", iris().logistic);
    registry.publish("iris", iris().imputing);
    predictor p(store, {.limits = {.max_rows = 3}});
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const double inf = std::numeric_limits<double>::infinity();

    SECTION("feature count") {
        CHECK_THROWS_AS(p.predict("iris", "1", one_row({5.1, 3.5, 1.4})), invalid_input_error);
        CHECK_THROWS_WITH(p.predict("iris", "1", one_row({5.1, 3.5, 1.4, 0.2, 1.0})),
                          Catch::Contains("expects 4") && Catch::Contains("sepal_length"));
    }
    SECTION("no rows, too many rows, ragged rows") {
        feature_rows none;
        none.columns = 4;
        CHECK_THROWS_AS(p.predict("iris", "1", none), invalid_input_error);
        CHECK_THROWS_AS(p.predict("iris", "1", rows_of(sample())), payload_too_large_error);
        auto ragged = one_row({1, 2, 3, 4});
        ragged.rows = 2;
        CHECK_THROWS_AS(p.predict("iris", "1", ragged), invalid_input_error);
    }
    SECTION("NaN is refused unless the pipeline imputes") {
        CHECK_THROWS_WITH(p.predict("iris", "1", one_row({5.1, nan, 1.4, 0.2})),
                          Catch::Contains("missing") && Catch::Contains("sepal_width"));
        const auto imputed = p.predict("iris", "2", one_row({5.1, nan, 1.4, 0.2}));
        CHECK(imputed.version() == 2);
        CHECK(std::isfinite(imputed.probabilities(0, 0)));
    }
    SECTION("infinity is always refused") {
        CHECK_THROWS_WITH(p.predict("iris", "2", one_row({5.1, inf, 1.4, 0.2})),
                          Catch::Contains("infinite"));
        CHECK_THROWS_AS(p.predict("iris", "2", one_row({-inf, 1, 1.4, 0.2})), invalid_input_error);
    }
    SECTION("the NaN policy can refuse always or pass NaN to the model") {
        predictor strict(store, {.missing_values = missing_value_policy::reject});
        CHECK_THROWS_AS(strict.predict("iris", "2", one_row({5.1, nan, 1.4, 0.2})),
                        invalid_input_error);
        predictor lenient(store, {.missing_values = missing_value_policy::pass_through});
        CHECK(lenient.predict("iris", "2", one_row({5.1, nan, 1.4, 0.2})).version() == 2);
        // The model itself refuses NaN: still a typed bad-input error.
        CHECK_THROWS_AS(lenient.predict("iris", "1", one_row({5.1, nan, 1.4, 0.2})),
                        invalid_input_error);
    }
    SECTION("named instances are put in the model's order") {
        feature_rows named = one_row({0.2, 1.4, 3.5, 5.1});
        named.names = {"petal_width", "petal_length", "sepal_width", "sepal_length"};
        const auto by_name = p.predict("iris", "1", named);
        const auto by_position = p.predict("iris", "1", one_row({5.1, 3.5, 1.4, 0.2}));
        CHECK(by_name.probabilities == by_position.probabilities);

        named.names[0] = "petal_colour";
        CHECK_THROWS_WITH(p.predict("iris", "1", named), Catch::Contains("petal_colour"));
        named.names[0] = "sepal_length";
        CHECK_THROWS_WITH(p.predict("iris", "1", named), Catch::Contains("twice"));
        feature_rows partial = one_row({5.1, 3.5});
        partial.names = {"sepal_length", "sepal_width"};
        CHECK_THROWS_WITH(p.predict("iris", "1", partial), Catch::Contains("petal_length"));
    }
}

TEST_CASE("named instances are refused by a model without feature names",
          "[serving][predictor][validation]") {
    memory_blob_store store;
    model_registry registry(store);
    auto data = make_classification<double>(
        {.n_samples = 60, .n_features = 3, .n_informative = 2, .n_redundant = 0, .seed = 3});
    logistic_regression<double> lr;
    (void)lr.fit(data);
    registry.publish("synthetic", test::artifact_bytes(lr));
    predictor p(store);
    const auto& names = p.get("synthetic", "1")->model.feature_names();
    feature_rows named = one_row({1, 2, 3});
    named.names = {"a", "b", "c"};
    if (names.empty()) {
        CHECK_THROWS_WITH(p.predict("synthetic", "1", named), Catch::Contains("no feature names"));
    } else {
        CHECK_THROWS_AS(p.predict("synthetic", "1", named), invalid_input_error);
    }
    CHECK(p.predict("synthetic", "1", one_row({1, 2, 3})).version() == 1);
}
