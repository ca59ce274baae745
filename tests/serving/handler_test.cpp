// SPDX-License-Identifier: Apache-2.0
// The Lambda-shaped handler: direct invocations (positional and named instances), API Gateway
// proxy events v1 and v2, S3 notifications, and malformed events answered with structured errors.
#include <chrono>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <mlpipe/serving.hpp>

#include "serving_models.hpp"

using namespace mlpipe;
using nlohmann::json;
using test::iris;

namespace {

struct served {
    memory_blob_store store;
    model_registry<memory_blob_store> registry{store};
    predictor<memory_blob_store> p{store, {.alias_ttl = std::chrono::hours(1)}};

    served() {
        registry.publish("iris", iris().logistic);
        registry.publish("iris", iris().bayes);
        registry.publish("iris", iris().imputing);
        registry.set_alias("iris", "production", 1, "test");
    }
};

const std::string setosa = "[5.1, 3.5, 1.4, 0.2]";

json call(handler<memory_blob_store>& h, const std::string& event) {
    const auto text = h.handle(event);
    INFO(text);
    return json::parse(text);
}

/// The body and status of a proxy response.
std::pair<int, json> proxy(handler<memory_blob_store>& h, const json& event) {
    const auto response = json::parse(h.handle(event.dump()));
    REQUIRE(response.at("headers").at("content-type") == "application/json");
    return {response.at("statusCode").get<int>(),
            json::parse(response.at("body").get<std::string>())};
}

json v1_event(const std::string& method, const std::string& path, const std::string& body,
              bool base64 = false) {
    return {{"resource", "/{proxy+}"},
            {"httpMethod", method},
            {"path", path},
            {"headers", {{"content-type", "application/json"}}},
            {"body", body},
            {"isBase64Encoded", base64},
            {"requestContext", {{"stage", "prod"}}}};
}

json v2_event(const std::string& method, const std::string& path, const std::string& body) {
    return {{"version", "2.0"},
            {"routeKey", "$default"},
            {"rawPath", path},
            {"rawQueryString", ""},
            {"body", body},
            {"isBase64Encoded", false},
            {"requestContext", {{"http", {{"method", method}, {"path", path}}}}}};
}

void check_error(const json& answer, const std::string& type, int status) {
    INFO(answer.dump());
    REQUIRE(answer.contains("error"));
    CHECK(answer["error"]["type"] == type);
    CHECK(answer["error"]["status"] == status);
    CHECK(answer["error"]["message"].get<std::string>().size() > 10);
}

}  // namespace

TEST_CASE("a direct invocation answers labels, probabilities, model, version and digest",
          "[serving][handler]") {
    served s;
    handler h(s.p);
    const auto answer = call(h, R"({"model": "iris", "alias": "production", "instances": [)" +
                                    setosa + ", [6.7, 3.0, 5.2, 2.3]]}");
    CHECK(answer["model"] == "iris");
    CHECK(answer["version"] == 1);
    CHECK(answer["digest"] == detail::sha256_hex(iris().logistic));
    CHECK(answer["predictions"] == json({"setosa", "virginica"}));
    CHECK(answer["classes"] == json({"setosa", "versicolor", "virginica"}));
    REQUIRE(answer["probabilities"].size() == 2);
    feature_matrix<double> x(2, 4);
    x << 5.1, 3.5, 1.4, 0.2, 6.7, 3.0, 5.2, 2.3;
    const auto expected = test::iris_models::offline(iris().logistic, x);
    for (std::size_t r = 0; r < 2; ++r)
        for (std::size_t k = 0; k < 3; ++k)
            CHECK(answer["probabilities"][r][k].get<double>() ==
                  expected(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(k)));

    CHECK(call(h, R"({"model": "iris", "version": 2, "instances": [)" + setosa + "]}")["version"] ==
          2);
    CHECK(call(h, R"({"model": "iris", "version": "latest", "instances": [)" + setosa +
                      "]}")["version"] == 3);
    // Named instances, in any key order.
    const auto named = call(h, R"({"model": "iris", "instances": [{"petal_width": 0.2,
        "sepal_length": 5.1, "petal_length": 1.4, "sepal_width": 3.5}]})");
    CHECK(named["probabilities"][0][0].get<double>() == expected(0, 0));
}

TEST_CASE("a handler bound to one model needs no model name, and integer labels stay integers",
          "[serving][handler]") {
    memory_blob_store store;
    model_registry registry(store);
    const auto data = make_classification<double>({.n_samples = 80,
                                                   .n_features = 3,
                                                   .n_informative = 2,
                                                   .n_redundant = 0,
                                                   .n_classes = 3,
                                                   .n_clusters_per_class = 1,
                                                   .seed = 5});
    gaussian_naive_bayes<double> nb;
    (void)nb.fit(data);
    registry.publish("digits3", test::artifact_bytes(nb));
    registry.set_alias("digits3", "production", 1, "test");
    predictor p(store);
    handler h(p, {.model = "digits3", .only_default_model = true});
    const auto answer = call(h, R"({"instances": [[0.1, 0.2, 0.3]]})");
    CHECK(answer["model"] == "digits3");
    CHECK(answer["predictions"][0].is_number_integer());
    CHECK(answer["classes"] == json({0, 1, 2}));
    check_error(call(h, R"({"model": "iris", "instances": [[1, 2, 3]]})"), "not_found", 404);
}

TEST_CASE("API Gateway proxy events v1 and v2 are routed and answered in proxy shape",
          "[serving][handler][http]") {
    served s;
    handler h(s.p);
    const std::string body = R"({"instances": [)" + setosa + "]}";

    auto [status, answer] = proxy(h, v1_event("POST", "/v1/models/iris:predict", body));
    CHECK(status == 200);
    CHECK(answer["version"] == 1);
    CHECK(answer["predictions"][0] == "setosa");

    // Base64 bodies, stage prefixes, aliases and versions in the path.
    std::tie(status, answer) =
        proxy(h, v1_event("POST", "/prod/v1/models/iris/versions/2:predict",
                          "eyJpbnN0YW5jZXMiOiBbWzUuMSwgMy41LCAxLjQsIDAuMl1dfQ==", true));
    CHECK(status == 200);
    CHECK(answer["version"] == 2);
    std::tie(status, answer) =
        proxy(h, v2_event("POST", "/v1/models/iris/aliases/production:predict", body));
    CHECK(status == 200);
    CHECK(answer["version"] == 1);
    std::tie(status, answer) = proxy(h, v2_event("POST", "/v1/models/iris:predict", body));
    CHECK(status == 200);

    // Metadata.
    std::tie(status, answer) = proxy(h, v2_event("GET", "/v1/models/iris", ""));
    CHECK(status == 200);
    CHECK(answer["version"] == 1);
    CHECK(answer["kind"] == "logistic_regression");
    CHECK(answer["features"]["names"][0] == "sepal_length");
    std::tie(status, answer) = proxy(h, v1_event("GET", "/v1/models/iris/versions/3", ""));
    CHECK(answer["imputes_missing_values"] == true);

    // Errors.
    std::tie(status, answer) = proxy(h, v1_event("GET", "/v1/models/iris:predict", ""));
    CHECK(status == 405);
    check_error(answer, "method_not_allowed", 405);
    std::tie(status, answer) = proxy(h, v1_event("POST", "/v2/predict", body));
    CHECK(status == 404);
    std::tie(status, answer) = proxy(h, v1_event("POST", "/v1/models/wine:predict", body));
    CHECK(status == 404);
    check_error(answer, "not_found", 404);
    std::tie(status, answer) = proxy(h, v1_event("POST", "/v1/models/iris:predict", "{"));
    CHECK(status == 400);
    check_error(answer, "invalid_input", 400);
    std::tie(status, answer) = proxy(h, v1_event("POST", "/v1/models/iris:predict", "!!", true));
    CHECK(status == 400);
    std::tie(status, answer) = proxy(
        h, v1_event("POST", "/v1/models/iris:predict", R"({"model": "wine", "instances": [[1]]})"));
    CHECK(status == 400);
    std::tie(status, answer) =
        proxy(h, v2_event("POST", "/v1/models/iris:predict", R"({"instances": [[1, 2]]})"));
    CHECK(status == 400);
    CHECK(answer["error"]["message"].get<std::string>().find("expects 4") != std::string::npos);
}

TEST_CASE("an S3 notification of an alias move refreshes the model at once",
          "[serving][handler][storage]") {
    served s;
    handler h(s.p, {.model = "iris"});
    const std::string request = R"({"instances": [)" + setosa + "]}";
    CHECK(call(h, request)["version"] == 1);
    s.registry.set_alias("iris", "production", 2, "test");
    CHECK(call(h, request)["version"] == 1);  // the TTL is an hour
    const json event = {
        {"Records",
         {{{"eventSource", "aws:s3"},
           {"eventName", "ObjectCreated:Put"},
           {"s3",
            {{"bucket", {{"name", "models"}}},
             {"object", {{"key", "registry/models/iris/aliases/production%2Ejson"}}}}}},
          {{"eventSource", "aws:sqs"}}}}};
    const auto answer = call(h, event.dump());
    CHECK(answer["refreshed"] == json({"iris"}));
    CHECK(answer["ignored"] == 1);
    CHECK(call(h, request)["version"] == 2);
    check_error(call(h, R"({"Records": 3})"), "invalid_input", 400);
}

TEST_CASE("malformed events get structured errors, never a crash", "[serving][handler][hostile]") {
    served s;
    handler h(s.p, {.model = "iris"});
    SECTION("not JSON, not an object, wrong types") {
        check_error(call(h, "not json at all"), "invalid_input", 400);
        check_error(call(h, ""), "invalid_input", 400);
        check_error(call(h, "[1, 2]"), "invalid_input", 400);
        check_error(call(h, R"({"instances": 3})"), "invalid_input", 400);
        check_error(call(h, R"({"instances": []})"), "invalid_input", 400);
        check_error(call(h, R"({"instances": [["a", 1, 2, 3]]})"), "invalid_input", 400);
        check_error(call(h, R"({"instances": [[true, 1, 2, 3]]})"), "invalid_input", 400);
        check_error(call(h, R"({"instances": [[1, 2, 3, 4], [1, 2]]})"), "invalid_input", 400);
        check_error(call(h, R"({"instances": [[1, 2, 3, 4], {"a": 1}]})"), "invalid_input", 400);
        check_error(call(h, R"({"instances": [{"sepal_length": 1}, {"b": 1}]})"), "invalid_input",
                    400);
        check_error(call(h, R"({"instances": [3]})"), "invalid_input", 400);
        check_error(call(h, R"({"model": 7, "instances": [[1, 2, 3, 4]]})"), "invalid_input", 400);
        check_error(call(h, R"({"alias": "a", "version": 1, "instances": [[1, 2, 3, 4]]})"),
                    "invalid_input", 400);
        check_error(call(h, R"({"version": -1, "instances": [[1, 2, 3, 4]]})"), "invalid_input",
                    400);
        check_error(call(h, R"({"version": 1.5, "instances": [[1, 2, 3, 4]]})"), "invalid_input",
                    400);
        check_error(call(h, R"({"alias": "../x", "instances": [[1, 2, 3, 4]]})"), "invalid_input",
                    400);
    }
    SECTION("wrong feature count, NaN as null, infinity") {
        check_error(call(h, R"({"instances": [[1, 2, 3]]})"), "invalid_input", 400);
        check_error(call(h, R"({"instances": [[5.1, null, 1.4, 0.2]]})"), "invalid_input", 400);
        check_error(call(h, R"({"instances": [[5.1, 1e999, 1.4, 0.2]]})"), "invalid_input", 400);
        // null is a missing value the imputing pipeline (version 3) fills.
        CHECK(call(h, R"({"version": 3, "instances": [[5.1, null, 1.4, 0.2]]})")["version"] == 3);
        CHECK(call(h, R"({"version": 3, "instances": [{"sepal_length": 5.1, "sepal_width": null,
            "petal_length": 1.4, "petal_width": 0.2}]})")["version"] == 3);
    }
    SECTION("unknown names, unknown versions, corrupt artifacts") {
        check_error(call(h, R"({"model": "wine", "instances": [[1]]})"), "not_found", 404);
        check_error(call(h, R"({"alias": "staging", "instances": [[1, 2, 3, 4]]})"), "not_found",
                    404);
        check_error(call(h, R"({"version": 42, "instances": [[1, 2, 3, 4]]})"), "not_found", 404);
        s.registry.publish("iris", "corrupt");
        check_error(call(h, R"({"version": 4, "instances": [[1, 2, 3, 4]]})"), "model_unavailable",
                    503);
        handler nameless(s.p);
        check_error(call(nameless, R"({"instances": [[1, 2, 3, 4]]})"), "invalid_input", 400);
    }
    SECTION("a 10 MB payload is refused before parsing, in proxy shape for a proxy event") {
        std::string big = R"({"instances": [)";
        while (big.size() < 10 * 1024 * 1024)
            big += setosa + ",";
        big += setosa + "]}";
        check_error(call(h, big), "payload_too_large", 413);
        const auto event = v1_event("POST", "/v1/models/iris:predict", big).dump();
        const auto response = json::parse(h.handle(event));
        CHECK(response["statusCode"] == 413);
    }
    SECTION("too many rows is a 413") {
        predictor small(s.store, {.limits = {.max_rows = 2}});
        handler capped(small, {.model = "iris"});
        check_error(
            call(capped, R"({"instances": [)" + setosa + "," + setosa + "," + setosa + "]}"),
            "payload_too_large", 413);
    }
    SECTION("100 000 levels of nesting are refused in linear time") {
        const auto start = std::chrono::steady_clock::now();
        const std::string deep = std::string(100000, '[') + std::string(100000, ']');
        check_error(call(h, deep), "invalid_input", 400);
        check_error(call(h, R"({"instances": )" + deep + "}"), "invalid_input", 400);
        const std::string deep_objects = [] {
            std::string t;
            for (int i = 0; i < 100000; ++i)
                t += R"({"a":)";
            return t + "1" + std::string(100000, '}');
        }();
        check_error(call(h, deep_objects), "invalid_input", 400);
        // In a proxy body (a string inside the event), too.
        const auto [status, answer] = proxy(h, v1_event("POST", "/v1/models/iris:predict", deep));
        CHECK(status == 400);
        check_error(answer, "invalid_input", 400);
        CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(20));
    }
    SECTION("invalid UTF-8 echoed in a message does not break the answer") {
        const std::string event = "{\"instances\": [{\"\xff\xfe\": 1}]}";
        // nlohmann refuses invalid UTF-8 in the input, so this is a parse error, answered cleanly.
        check_error(call(h, event), "invalid_input", 400);
        check_error(call(h, "{\"model\": \"\xc3\xa9t\xc3\xa9\", \"instances\": [[1]]}"),
                    "invalid_input", 400);
    }
}
