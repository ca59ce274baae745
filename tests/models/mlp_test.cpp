// SPDX-License-Identifier: Apache-2.0
// Tests of models/neural_network/mlp.hpp: XOR, gradients against finite differences, determinism
// (threads, seeds), stopping rules, callbacks, accuracy on the shipped data sets, bad input.
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <mlpipe/data/csv.hpp>
#include <mlpipe/data/split.hpp>
#include <mlpipe/data/synthetic.hpp>
#include <mlpipe/models/neural_network/mlp.hpp>

#include "standardized.hpp"
#include "test_support.hpp"

static_assert(mlpipe::classifier<mlpipe::mlp<double>>);
static_assert(mlpipe::classifier<mlpipe::mlp<float>>);

using mlpipe::mlp;
using mlpipe::mlp_activation;
using mlpipe::mlp_params;
using mlpipe::mlp_solver;

namespace {

double accuracy(const mlpipe::class_index_vector& truth, const mlpipe::class_index_vector& guess) {
    return static_cast<double>((truth.array() == guess.array()).count()) /
           static_cast<double>(truth.size());
}

template <class Scalar>
bool same_model(const mlp<Scalar>& a, const mlp<Scalar>& b) {
    if (a.weights().size() != b.weights().size()) return false;
    for (std::size_t l = 0; l < a.weights().size(); ++l) {
        if (a.weights()[l] != b.weights()[l] || a.biases()[l] != b.biases()[l]) return false;
    }
    return true;
}

/// Mean cross-entropy of `model` on `data` plus alpha / 2 * ||W||^2 / n: the objective a full-batch
/// step descends, evaluated through the public prediction path.
double objective(const mlp<double>& model, const mlpipe::dataset<double>& data, double alpha) {
    const auto p = model.predict_proba(data.features());
    double loss = 0.0;
    for (Eigen::Index i = 0; i < p.rows(); ++i)
        loss -= std::log(p(i, data.targets()[i]));
    double squares = 0.0;
    for (const auto& w : model.weights())
        squares += w.squaredNorm();
    const auto n = static_cast<double>(p.rows());
    return loss / n + 0.5 * alpha * squares / n;
}

mlpipe::dataset<double> read_set(const std::string& name) {
    return mlpipe::test::standardized(mlpipe::read_csv(mlpipe::test::data_path(name + ".csv")));
}

}  // namespace

TEST_CASE("an mlp learns XOR", "[models][mlp]") {
    mlpipe::feature_matrix<double> x(4, 2);
    x << 0, 0, 0, 1, 1, 0, 1, 1;
    mlpipe::class_index_vector y(4);
    y << 0, 1, 1, 0;
    const mlpipe::dataset<double> data(x, y, mlpipe::label_map::from_integers({0, 1}));
    for (auto activation : {mlp_activation::tanh, mlp_activation::relu, mlp_activation::logistic}) {
        INFO(mlpipe::name_of(activation, mlpipe::mlp_activation_names));
        mlp<double> model({.hidden_layer_sizes = {8},
                           .activation = activation,
                           .learning_rate_init = 0.05,
                           .max_iter = 1000,
                           .seed = 3,
                           .tol = 1e-7,
                           .n_iter_no_change = 50});
        (void)model.fit(data);
        CHECK(model.predict(x) == y);
        // A linear model cannot do this: the hidden layer is doing the work.
        CHECK(model.loss_curve().back() < 0.1);
    }
}

TEST_CASE("backpropagation matches finite differences for every activation",
          "[models][mlp][gradient]") {
    // One full-batch SGD step without momentum moves the weights by -h * gradient. Two steps of
    // h and 2h from the same seeded start give the gradient and the start exactly (up to
    // rounding); the objective at the start, evaluated through restore + predict_proba, is then
    // differentiated numerically.
    const double alpha = 0.3;
    for (std::size_t n_classes : {2u, 3u}) {
        const auto data = mlpipe::make_classification({.n_samples = 12,
                                                       .n_features = 3,
                                                       .n_informative = 3,
                                                       .n_redundant = 0,
                                                       .n_classes = n_classes,
                                                       .seed = 5});
        for (auto activation : {mlp_activation::identity, mlp_activation::logistic,
                                mlp_activation::tanh, mlp_activation::relu}) {
            INFO(n_classes << " classes, "
                           << mlpipe::name_of(activation, mlpipe::mlp_activation_names));
            const double h = 1e-3;
            const auto step = [&](double lr) {
                mlp<double> m({.hidden_layer_sizes = {4, 3},
                               .activation = activation,
                               .solver = mlp_solver::sgd,
                               .alpha = alpha,
                               .batch_size = 12,
                               .learning_rate_init = lr,
                               .max_iter = 1,
                               .shuffle = false,
                               .seed = 11,
                               .momentum = 0.0});
                const auto report = m.fit(data);
                CHECK(report.status == mlpipe::fit_status::max_iterations);
                return m;
            };
            const auto one = step(h);
            const auto two = step(2 * h);
            std::vector<mlp<double>::weight_matrix> w0;
            std::vector<mlp<double>::bias_vector> b0;
            double worst = 0.0;
            double largest = 0.0;
            for (std::size_t l = 0; l < one.weights().size(); ++l) {
                w0.emplace_back(2 * one.weights()[l] - two.weights()[l]);
                b0.emplace_back(2 * one.biases()[l] - two.biases()[l]);
            }
            const auto at = [&](const auto& w, const auto& b) {
                return objective(
                    mlp<double>::restore(one.params(), w, b, data.classes(), data.feature_names()),
                    data, alpha);
            };
            const double eps = 1e-6;
            for (std::size_t l = 0; l < w0.size(); ++l) {
                for (Eigen::Index i = 0; i < w0[l].size(); ++i) {
                    auto plus = w0;
                    auto minus = w0;
                    plus[l].data()[i] += eps;
                    minus[l].data()[i] -= eps;
                    const double numeric = (at(plus, b0) - at(minus, b0)) / (2 * eps);
                    const double analytic =
                        (one.weights()[l].data()[i] - two.weights()[l].data()[i]) / h;
                    worst = std::max(worst, std::abs(numeric - analytic));
                    largest = std::max(largest, std::abs(analytic));
                }
                for (Eigen::Index i = 0; i < b0[l].size(); ++i) {
                    auto plus = b0;
                    auto minus = b0;
                    plus[l][i] += eps;
                    minus[l][i] -= eps;
                    const double numeric = (at(w0, plus) - at(w0, minus)) / (2 * eps);
                    const double analytic = (one.biases()[l][i] - two.biases()[l][i]) / h;
                    worst = std::max(worst, std::abs(numeric - analytic));
                    largest = std::max(largest, std::abs(analytic));
                }
            }
            CHECK(largest > 1e-3);  // the check compares something
            CHECK(worst < 1e-6 * std::max(1.0, largest));
        }
    }
}

TEST_CASE("an mlp is the same bit for bit whatever the thread count", "[models][mlp][threads]") {
    const auto data = mlpipe::make_classification(
        {.n_samples = 1200, .n_features = 10, .n_informative = 6, .n_classes = 3, .seed = 8});
    for (bool early : {false, true}) {
        INFO("early_stopping " << early);
        const mlp_params params{.hidden_layer_sizes = {16, 8},
                                .batch_size = 256,
                                .max_iter = 3,
                                .seed = 4,
                                .early_stopping = early,
                                .validation_fraction = 0.2};
        mlpipe::fit_options single;
        single.threads = 1;
        mlp<double> one(params);
        const auto r1 = one.fit(data, single);
        for (unsigned threads : {2u, 3u}) {
            mlpipe::fit_options options;
            options.threads = threads;
            mlp<double> many(params);
            const auto r = many.fit(data, options);
            CHECK(r.iterations == r1.iterations);
            CHECK(r.final_loss == r1.final_loss);
            CHECK(many.loss_curve() == one.loss_curve());
            CHECK(many.validation_scores() == one.validation_scores());
            CHECK(same_model(many, one));
        }
    }
}

TEST_CASE("the same seed gives the same mlp, another seed another", "[models][mlp]") {
    const auto data = mlpipe::make_classification({.n_samples = 300, .n_features = 6, .seed = 2});
    for (auto solver : {mlp_solver::adam, mlp_solver::sgd}) {
        const mlp_params params{
            .hidden_layer_sizes = {8}, .solver = solver, .max_iter = 4, .seed = 1};
        mlp<double> a(params);
        mlp<double> b(params);
        mlp_params other = params;
        other.seed = 2;
        mlp<double> c(other);
        (void)a.fit(data);
        (void)b.fit(data);
        (void)c.fit(data);
        CHECK(same_model(a, b));
        CHECK_FALSE(same_model(a, c));
    }
}

TEST_CASE("an mlp ends with a status: converged, max_iterations, early stopping", "[models][mlp]") {
    const auto data = mlpipe::make_classification(
        {.n_samples = 400, .n_features = 8, .n_informative = 4, .flip_y = 0.2, .seed = 9});
    mlp<double> limited({.hidden_layer_sizes = {8}, .max_iter = 3});
    const auto r = limited.fit(data);
    CHECK(r.status == mlpipe::fit_status::max_iterations);
    CHECK(r.iterations == 3);
    CHECK(limited.loss_curve().size() == 3);
    CHECK(limited.fitted());

    // A large tol: no epoch after the first counts as progress, so the fit ends when
    // n_iter_no_change + 1 epochs in a row made none (scikit-learn's rule).
    mlp<double> coarse(
        {.hidden_layer_sizes = {8}, .max_iter = 100, .tol = 10.0, .n_iter_no_change = 3});
    const auto rc = coarse.fit(data);
    CHECK(rc.status == mlpipe::fit_status::converged);
    CHECK(rc.iterations == 5);

    mlp<double> early({.hidden_layer_sizes = {16},
                       .learning_rate_init = 0.01,
                       .max_iter = 200,
                       .early_stopping = true,
                       .validation_fraction = 0.25,
                       .n_iter_no_change = 3});
    const auto re = early.fit(data);
    CHECK(re.status == mlpipe::fit_status::converged);
    CHECK(re.iterations < 200);
    REQUIRE(early.validation_scores().size() == static_cast<std::size_t>(re.iterations));
    // It stopped because the best validation score is n_iter_no_change + 1 epochs old.
    const auto& scores = early.validation_scores();
    const auto best = std::max_element(scores.begin(), scores.end()) - scores.begin();
    CHECK(re.iterations - best - 1 == 4);

    // sgd's adaptive schedule divides its rate by 5 instead of stopping (1e-3 -> 3.2e-7 after five
    // divisions, three epochs apart), and stops once it is at most 1e-6.
    mlp<double> adaptive({.hidden_layer_sizes = {8},
                          .solver = mlp_solver::sgd,
                          .learning_rate = mlpipe::mlp_learning_rate::adaptive,
                          .max_iter = 30,
                          .tol = 10.0,
                          .n_iter_no_change = 2});
    const auto ra = adaptive.fit(data);
    CHECK(ra.status == mlpipe::fit_status::converged);
    CHECK(ra.iterations == 19);
}

TEST_CASE("epoch callbacks see loss and validation score and can stop the fit", "[models][mlp]") {
    const auto data = mlpipe::make_classification({.n_samples = 300, .n_features = 6, .seed = 3});
    std::vector<mlpipe::progress> seen;
    mlpipe::fit_options options;
    options.on_progress = [&](const mlpipe::progress& p) {
        seen.push_back(p);
        return seen.size() < 3;
    };
    mlp<double> model({.hidden_layer_sizes = {8}, .max_iter = 50, .early_stopping = true});
    const auto r = model.fit(data, options);
    CHECK(r.status == mlpipe::fit_status::stopped_by_callback);
    CHECK(r.iterations == 3);
    REQUIRE(seen.size() == 3);
    for (std::size_t i = 0; i < seen.size(); ++i) {
        CHECK(seen[i].stage == "epoch");
        CHECK(seen[i].step == static_cast<std::int64_t>(i + 1));
        CHECK(seen[i].steps == 50);
        CHECK(seen[i].loss == model.loss_curve()[i]);
        CHECK(seen[i].validation_score == model.validation_scores()[i]);
        CHECK(seen[i].elapsed_seconds >= 0.0);
    }
    CHECK(model.fitted());

    seen.clear();
    mlp<double> plain({.hidden_layer_sizes = {8}, .max_iter = 50});
    CHECK(plain.fit(data, options).status == mlpipe::fit_status::stopped_by_callback);
    CHECK(std::isnan(seen[0].validation_score));
}

TEST_CASE("an mlp is accurate on the shipped real data sets", "[models][mlp][real]") {
    struct expectation {
        const char* name;
        double floor;
    };
    for (const auto& [name, floor] :
         {expectation{"iris", 0.86}, expectation{"wine", 0.94}, expectation{"breast_cancer", 0.94},
          expectation{"digits", 0.93}}) {
        INFO(name);
        const auto data = read_set(name);
        const auto [train, test] =
            mlpipe::train_test_split(data, {.test_fraction = 0.2, .seed = 0});
        mlp<double> model({.hidden_layer_sizes = {16},
                           .batch_size = 32,
                           .learning_rate_init = 0.01,
                           .max_iter = 30});
        (void)model.fit(train);
        const double acc = accuracy(test.targets(), model.predict(test.features()));
        WARN(name << " held-out accuracy " << acc);
        CHECK(acc >= floor);
    }
}

TEST_CASE("a float mlp trains and predicts like a double one", "[models][mlp]") {
    const auto data = read_set("wine");
    const mlp_params params{.hidden_layer_sizes = {8}, .learning_rate_init = 0.01, .max_iter = 20};
    mlp<double> d(params);
    mlp<float> f(params);
    (void)d.fit(data);
    (void)f.fit(data.cast<float>());
    const auto pd = d.predict_proba(data.features());
    const auto pf = f.predict_proba(data.features().cast<float>());
    CHECK((pd.cast<float>() - pf).cwiseAbs().maxCoeff() < 1e-3f);
}

TEST_CASE("mlp probabilities sum to one and the single-row path agrees bit for bit",
          "[models][mlp]") {
    for (std::size_t n_classes : {2u, 4u}) {
        const auto data = mlpipe::make_classification({.n_samples = 200,
                                                       .n_features = 5,
                                                       .n_informative = 3,
                                                       .n_classes = n_classes,
                                                       .seed = 6});
        for (auto activation : {mlp_activation::identity, mlp_activation::logistic,
                                mlp_activation::tanh, mlp_activation::relu}) {
            mlp<double> model(
                {.hidden_layer_sizes = {7, 5}, .activation = activation, .max_iter = 3});
            (void)model.fit(data);
            const auto p = model.predict_proba(data.features());
            REQUIRE(p.cols() == static_cast<Eigen::Index>(n_classes));
            CHECK((p.rowwise().sum().array() - 1.0).abs().maxCoeff() < 1e-12);
            std::vector<double> out(n_classes);
            for (Eigen::Index i = 0; i < data.n_samples(); ++i) {
                model.predict_proba_row(std::span<const double>(data.features().row(i).data(), 5),
                                        out);
                for (std::size_t k = 0; k < n_classes; ++k)
                    REQUIRE(out[k] == p(i, static_cast<Eigen::Index>(k)));
            }
        }
    }
    // Wider than the stack buffers: the fallback gives the same numbers.
    const auto data = mlpipe::make_classification({.n_samples = 20, .n_features = 4, .seed = 1});
    mlp<double> wide({.hidden_layer_sizes = {600}, .max_iter = 1});
    (void)wide.fit(data);
    const auto p = wide.predict_proba(data.features());
    std::vector<double> out(2);
    wide.predict_proba_row(std::span<const double>(data.features().row(3).data(), 4), out);
    CHECK(out[1] == p(3, 1));
}

TEST_CASE("sample weights act as repeated rows in a full-batch step", "[models][mlp]") {
    const auto data = mlpipe::make_classification({.n_samples = 30, .n_features = 4, .seed = 7});
    std::vector<Eigen::Index> rows;
    std::vector<double> weights;
    for (Eigen::Index i = 0; i < 30; ++i) {
        const int copies = static_cast<int>(i % 3);
        weights.push_back(copies);
        for (int c = 0; c < copies; ++c)
            rows.push_back(i);
    }
    const auto repeated = data.subset(rows);
    const mlp_params params{.hidden_layer_sizes = {5},
                            .solver = mlp_solver::sgd,
                            .batch_size = 1000,
                            .learning_rate_init = 0.1,
                            .max_iter = 5,
                            .shuffle = false,
                            .seed = 3};
    mlp<double> weighted(params);
    mlp<double> copied(params);
    (void)weighted.fit(data, weights);
    (void)copied.fit(repeated);
    for (std::size_t l = 0; l < weighted.weights().size(); ++l) {
        CHECK((weighted.weights()[l] - copied.weights()[l]).cwiseAbs().maxCoeff() < 1e-12);
        CHECK((weighted.biases()[l] - copied.biases()[l]).cwiseAbs().maxCoeff() < 1e-12);
    }
}

TEST_CASE("mlp hyperparameters round-trip through JSON and reject nonsense by name",
          "[models][mlp][hyperparameters]") {
    using nlohmann::json;
    const mlp_params changed{.hidden_layer_sizes = {64, 32},
                             .activation = mlp_activation::tanh,
                             .solver = mlp_solver::sgd,
                             .batch_size = 256,
                             .learning_rate = mlpipe::mlp_learning_rate::invscaling,
                             .max_iter = 10,
                             .seed = 7,
                             .nesterovs_momentum = false,
                             .early_stopping = true};
    CHECK(mlp_params::from_json(changed.to_json()).to_json() == changed.to_json());
    CHECK(mlp_params::from_json(json::object()).to_json() == mlp_params{}.to_json());

    const auto subject = [](const mlp_params& p) {
        try {
            mlp<double> m(p);
        } catch (const mlpipe::invalid_input_error& e) {
            return e.subject();
        }
        return std::string("no error");
    };
    CHECK(subject({.hidden_layer_sizes = {10, 0}}) == "hidden_layer_sizes");
    CHECK(subject({.learning_rate_init = 0.0}) == "learning_rate_init");
    CHECK(subject({.learning_rate_init = -1.0}) == "learning_rate_init");
    CHECK(subject({.batch_size = 0}) == "batch_size");
    CHECK(subject({.batch_size = -2}) == "batch_size");
    CHECK(subject({.max_iter = 0}) == "max_iter");
    CHECK(subject({.momentum = 1.0}) == "momentum");
    CHECK(subject({.momentum = -0.1}) == "momentum");
    CHECK(subject({.validation_fraction = 0.0}) == "validation_fraction");
    CHECK(subject({.validation_fraction = 1.0}) == "validation_fraction");
    CHECK(subject({.beta_1 = 1.0}) == "beta_1");
    CHECK(subject({.beta_2 = -0.5}) == "beta_2");
    CHECK(subject({.alpha = -1.0}) == "alpha");
    CHECK(subject({.epsilon = 0.0}) == "epsilon");
    CHECK(subject({.n_iter_no_change = 0}) == "n_iter_no_change");
    CHECK(subject({.tol = std::numeric_limits<double>::quiet_NaN()}) == "tol");
    CHECK(subject({.hidden_layer_sizes = {}}) == "no error");  // no hidden layer: a linear model

    const auto json_subject = [](const char* text) {
        try {
            (void)mlp_params::from_json(json::parse(text));
        } catch (const mlpipe::invalid_input_error& e) {
            return e.subject();
        }
        return std::string("no error");
    };
    CHECK(json_subject(R"({"activation": "softsign"})") == "mlp.activation");
    CHECK(json_subject(R"({"solver": "lbfgs"})") == "mlp.solver");
    CHECK(json_subject(R"({"learning_rate": "optimal"})") == "mlp.learning_rate");
    CHECK(json_subject(R"({"hidden_layer_sizes": [10, 2.5]})") == "mlp.hidden_layer_sizes");
    CHECK(json_subject(R"({"hidden_layer_sizes": 10})") == "mlp.hidden_layer_sizes");
    CHECK(json_subject(R"({"hidden_layers": [10]})") == "mlp.hidden_layers");
}

TEST_CASE("an mlp rejects bad data with typed errors", "[models][mlp]") {
    using Catch::Matchers::Contains;
    const auto data = mlpipe::make_classification({.n_samples = 40, .n_features = 4, .seed = 1});
    mlp<double> model({.hidden_layer_sizes = {4}, .max_iter = 2});
    CHECK_THROWS_AS(model.predict(data.features()), mlpipe::not_fitted_error);
    std::vector<double> out(2);
    std::vector<double> row(4);
    CHECK_THROWS_AS(model.predict_proba_row(row, out), mlpipe::not_fitted_error);

    auto x = data.features();
    x(3, 2) = std::numeric_limits<double>::quiet_NaN();
    CHECK_THROWS_WITH(model.fit({x, data.targets(), data.classes()}), Contains("is NaN"));
    mlpipe::class_index_vector one_class = mlpipe::class_index_vector::Zero(40);
    CHECK_THROWS_WITH(model.fit({data.features(), one_class, data.classes()}),
                      Contains("single class"));
    CHECK_THROWS_AS(model.fit(mlpipe::dataset<double>(data.features())),
                    mlpipe::invalid_input_error);
    CHECK_THROWS_AS(
        model.fit(mlpipe::dataset<double>(mlpipe::feature_matrix<double>(0, 4),
                                          mlpipe::class_index_vector(0), data.classes())),
        mlpipe::invalid_input_error);
    const std::vector<double> wrong_weights(3, 1.0);
    CHECK_THROWS_AS(model.fit(data, wrong_weights), mlpipe::invalid_input_error);
    const std::vector<double> negative(40, -1.0);
    CHECK_THROWS_AS(model.fit(data, negative), mlpipe::invalid_input_error);

    (void)model.fit(data);
    CHECK_THROWS_WITH(model.predict(mlpipe::feature_matrix<double>::Zero(2, 3)),
                      Contains("3 features but the model was trained on 4"));
    CHECK_THROWS_AS(model.predict_proba(x), mlpipe::invalid_input_error);
    auto inf = data.features();
    inf(7, 0) = std::numeric_limits<double>::infinity();
    CHECK_THROWS_AS(model.predict(inf), mlpipe::invalid_input_error);
    row[1] = std::numeric_limits<double>::quiet_NaN();
    CHECK_THROWS_AS(model.predict_proba_row(row, out), mlpipe::invalid_input_error);
    std::vector<double> short_row(3);
    CHECK_THROWS_AS(model.predict_proba_row(short_row, out), mlpipe::invalid_input_error);
    std::vector<double> good_row(4);
    std::vector<double> wrong_out(3);
    CHECK_THROWS_AS(model.predict_proba_row(good_row, wrong_out), mlpipe::invalid_input_error);

    // Early stopping needs two rows of each class to stratify the validation split.
    mlpipe::class_index_vector lonely = data.targets();
    lonely.setZero();
    lonely[5] = 1;
    mlp<double> early({.hidden_layer_sizes = {4}, .early_stopping = true});
    try {
        (void)early.fit({data.features(), lonely, data.classes()});
        FAIL("no error");
    } catch (const mlpipe::invalid_input_error& e) {
        CHECK(e.subject() == "validation_fraction");
    }
}
