// SPDX-License-Identifier: Apache-2.0
/// @file models/neural_network/mlp.hpp A multi-layer perceptron classifier trained by mini-batch
/// SGD or Adam, with the hyperparameters of scikit-learn's MLPClassifier.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include "../../data/dataset.hpp"
#include "../../data/split.hpp"
#include "../../detail/dot.hpp"
#include "../../detail/random.hpp"
#include "../../detail/thread_pool.hpp"
#include "../../error.hpp"
#include "../classifier.hpp"
#include "../hyperparameters.hpp"

namespace mlpipe {

/// The activation of an mlp's hidden layers.
enum class mlp_activation {
    identity,  ///< f(z) = z
    logistic,  ///< f(z) = 1 / (1 + exp(-z))
    tanh,      ///< f(z) = tanh(z)
    relu,      ///< f(z) = max(z, 0)
};

/// JSON names of mlp_activation values (scikit-learn's).
inline constexpr enum_names<mlp_activation, 4> mlp_activation_names{
    {{mlp_activation::identity, "identity"},
     {mlp_activation::logistic, "logistic"},
     {mlp_activation::tanh, "tanh"},
     {mlp_activation::relu, "relu"}}};

/// The optimizer of an mlp.
enum class mlp_solver {
    sgd,   ///< stochastic gradient descent with (Nesterov) momentum and a learning-rate schedule
    adam,  ///< Adam (Kingma and Ba)
};

/// JSON names of mlp_solver values.
inline constexpr enum_names<mlp_solver, 2> mlp_solver_names{
    {{mlp_solver::sgd, "sgd"}, {mlp_solver::adam, "adam"}}};

/// The learning-rate schedule of the sgd solver (adam always uses learning_rate_init).
enum class mlp_learning_rate {
    constant,    ///< learning_rate_init throughout
    invscaling,  ///< learning_rate_init / (t + 1)^power_t, t = training rows seen so far
    adaptive,    ///< constant until n_iter_no_change epochs without progress, then divided by 5
};

/// JSON names of mlp_learning_rate values.
inline constexpr enum_names<mlp_learning_rate, 3> mlp_learning_rate_names{
    {{mlp_learning_rate::constant, "constant"},
     {mlp_learning_rate::invscaling, "invscaling"},
     {mlp_learning_rate::adaptive, "adaptive"}}};

/// Hyperparameters of mlp; each means what it means in scikit-learn's MLPClassifier (`seed` is its
/// random_state, `batch_size` -1 its "auto").
struct mlp_params {
    /// Width of each hidden layer, input side first (empty: no hidden layer).
    std::vector<std::int64_t> hidden_layer_sizes = {100};
    mlp_activation activation = mlp_activation::relu;  ///< of the hidden layers
    mlp_solver solver = mlp_solver::adam;
    /// L2 penalty: alpha / 2 * ||W||^2 / batch_size is added to a batch's mean loss (biases are not
    /// penalised).
    double alpha = 1e-4;
    std::int64_t batch_size = -1;  ///< rows per mini-batch; -1: min(200, rows)
    mlp_learning_rate learning_rate = mlp_learning_rate::constant;  ///< sgd's schedule
    double learning_rate_init = 1e-3;
    double power_t = 0.5;         ///< exponent of the invscaling schedule
    std::int64_t max_iter = 200;  ///< epochs
    bool shuffle = true;          ///< shuffle the training rows before each epoch
    std::uint64_t seed = 0;       ///< initial weights, shuffles and the validation split
    /// An epoch makes progress when it lowers the best training loss by more than tol (raises the
    /// best validation accuracy by at least tol with early stopping).
    double tol = 1e-4;
    double momentum = 0.9;           ///< sgd's momentum, in [0, 1)
    bool nesterovs_momentum = true;  ///< sgd: Nesterov's momentum
    bool early_stopping = false;     ///< hold out validation_fraction, keep the best epoch's model
    double validation_fraction = 0.1;    ///< stratified, seeded; in (0, 1)
    double beta_1 = 0.9;                 ///< adam's first-moment decay, in [0, 1)
    double beta_2 = 0.999;               ///< adam's second-moment decay, in [0, 1)
    double epsilon = 1e-8;               ///< adam's denominator guard, > 0
    std::int64_t n_iter_no_change = 10;  ///< epochs without progress that end the fit

    /// The kind these hyperparameters belong to (errors name a field "<kind>.<name>").
    static constexpr std::string_view kind = "mlp";
    /// The hyperparameters by their JSON names: to_json and from_json derive from this list.
    static constexpr auto fields() {
        using p = mlp_params;
        return std::tuple{
            hyperparameter("hidden_layer_sizes", &p::hidden_layer_sizes),
            hyperparameter("activation", &p::activation, mlp_activation_names),
            hyperparameter("solver", &p::solver, mlp_solver_names),
            hyperparameter("alpha", &p::alpha),
            hyperparameter("batch_size", &p::batch_size),
            hyperparameter("learning_rate", &p::learning_rate, mlp_learning_rate_names),
            hyperparameter("learning_rate_init", &p::learning_rate_init),
            hyperparameter("power_t", &p::power_t),
            hyperparameter("max_iter", &p::max_iter),
            hyperparameter("shuffle", &p::shuffle),
            hyperparameter("seed", &p::seed),
            hyperparameter("tol", &p::tol),
            hyperparameter("momentum", &p::momentum),
            hyperparameter("nesterovs_momentum", &p::nesterovs_momentum),
            hyperparameter("early_stopping", &p::early_stopping),
            hyperparameter("validation_fraction", &p::validation_fraction),
            hyperparameter("beta_1", &p::beta_1),
            hyperparameter("beta_2", &p::beta_2),
            hyperparameter("epsilon", &p::epsilon),
            hyperparameter("n_iter_no_change", &p::n_iter_no_change)};
    }
    /// The JSON form: every field by its name, enums by the names of their values.
    [[nodiscard]] nlohmann::json to_json() const { return params_to_json(*this); }
    /// Reads the JSON form; absent keys keep their defaults.
    /// @throws invalid_input_error naming an unknown key or a value of the wrong type
    [[nodiscard]] static mlp_params from_json(const nlohmann::json& j) {
        return params_from_json<mlp_params>(j);
    }
};

/// A multi-layer perceptron classifier: dense hidden layers with one activation, a logistic output
/// unit for two classes or a softmax over n_classes outputs, and the cross-entropy loss; trained by
/// mini-batch SGD or Adam as scikit-learn's MLPClassifier (same hyperparameters, same
/// initialisation scheme, same stopping rules).
///
/// Initialisation is scikit-learn's Glorot-uniform for every activation (relu included): weights
/// and biases of a layer uniform in +-sqrt(6 / (fan_in + fan_out)), 2 instead of 6 for logistic.
/// A batch's gradient is the weighted mean over its rows, so the learning rate does not depend on
/// the batch size. Training runs in Scalar precision (the loss is summed in double).
///
/// Each batch is split into fixed chunks of about 64 rows (by its size only); each chunk's forward
/// and backward passes are three Eigen matrix products per layer, the chunks run on
/// fit_options::threads threads and their gradients are added in chunk order: the model is the
/// same bit for bit whatever the thread count, and the same seed gives the same model.
///
/// Thread safety: const members (prediction) may be called concurrently; fit may not run
/// concurrently with anything else on the same object.
template <class Scalar = double>
class mlp {
  public:
    using scalar_type = Scalar;
    /// A layer's weights: fan_out x fan_in (row j holds unit j's input weights).
    using weight_matrix = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    /// A layer's biases: fan_out.
    using bias_vector = Eigen::Matrix<Scalar, Eigen::Dynamic, 1>;
    static constexpr std::string_view kind = "mlp";
    /// predict is the most probable class of predict_proba (see mlpipe::predict_with_proba).
    static constexpr bool predicts_most_probable = true;

    /// @throws invalid_input_error naming the first nonsensical hyperparameter
    explicit mlp(mlp_params params = {}) : params_(std::move(params)) { check_params(); }

    /// Fits on `data` with unit sample weights.
    /// @throws invalid_input_error for unusable data (one class, NaN, empty)
    fit_report fit(const dataset<Scalar>& data, const fit_options& options = {}) {
        return fit(data, std::span<const double>{}, options);
    }

    /// Fits on `data` with one weight per row (empty span: all 1). A batch's loss and gradient are
    /// then weighted means, and alpha's penalty is divided by the batch's weight sum.
    /// @returns status converged (tol / n_iter_no_change, or early stopping), max_iterations (the
    ///   counterpart of scikit-learn's ConvergenceWarning), stopped_by_callback, time_limit, or
    ///   no_progress (the loss became non-finite; the last finite epoch's model is kept);
    ///   iterations is the number of epochs, gradient_norm the max-norm of the last batch's
    ///   gradient
    /// @throws invalid_input_error for unusable data, weights, or a validation split that cannot
    ///   be stratified
    /// Complexity: max_iter epochs of O(rows * weights) each.
    fit_report fit(const dataset<Scalar>& data, std::span<const double> sample_weight,
                   const fit_options& options = {});

    /// Class probabilities, n x n_classes, rows summing to 1. Row by row with fixed-order dot
    /// products (the code predict_proba_row runs), so a row's probabilities never depend on the
    /// batch it came in.
    /// @throws not_fitted_error, invalid_input_error (feature count, NaN or infinity)
    /// Complexity: O(n * number of weights).
    [[nodiscard]] probability_matrix<Scalar> predict_proba(matrix_cref<Scalar> x) const;

    /// The most probable class index of each row.
    /// @throws as predict_proba
    [[nodiscard]] class_index_vector predict(matrix_cref<Scalar> x) const;

    /// Probabilities of one row into `out` (size n_classes); bit-identical to the same row of
    /// predict_proba. Does not allocate while every layer is at most max_stack_width units wide
    /// (two stack buffers); a wider network allocates one buffer per call.
    /// @throws as predict_proba; invalid_input_error when out has the wrong size
    void predict_proba_row(std::span<const Scalar> row, std::span<Scalar> out) const {
        const Eigen::Map<const Eigen::Matrix<Scalar, 1, Eigen::Dynamic>> v(
            row.data(), static_cast<Eigen::Index>(row.size()));
        detail::check_prediction_input(v, n_features(), fitted_, kind);
        if (out.size() != classes_.size()) {
            throw invalid_input_error(std::string(kind) + ": output span holds " +
                                          std::to_string(out.size()) + " values for " +
                                          std::to_string(classes_.size()) + " classes",
                                      "size it n_classes");
        }
        forward_row(row.data(), out.data());
    }

    /// Widest layer predict_proba_row handles without allocating.
    static constexpr std::size_t max_stack_width = 512;

    /// Whether the model was fitted or restored.
    [[nodiscard]] bool fitted() const noexcept { return fitted_; }
    /// Input features (0 before fitting).
    [[nodiscard]] Eigen::Index n_features() const noexcept {
        return weights_.empty() ? 0 : weights_.front().cols();
    }
    /// Class labels by index.
    [[nodiscard]] const label_map& classes() const noexcept { return classes_; }
    /// Names of the input features, in training order.
    [[nodiscard]] const std::vector<std::string>& feature_names() const noexcept {
        return feature_names_;
    }
    /// The hyperparameters.
    [[nodiscard]] const mlp_params& params() const noexcept { return params_; }
    /// Weights per layer, input side first: fan_out x fan_in (the transpose of scikit-learn's
    /// coefs_); the last layer has 1 output for two classes, n_classes otherwise.
    [[nodiscard]] const std::vector<weight_matrix>& weights() const noexcept { return weights_; }
    /// Biases per layer (scikit-learn's intercepts_).
    [[nodiscard]] const std::vector<bias_vector>& biases() const noexcept { return biases_; }
    /// Mean training loss (with the penalty) of each epoch of the last fit (empty after restore).
    [[nodiscard]] const std::vector<double>& loss_curve() const noexcept { return loss_curve_; }
    /// Validation accuracy of each epoch of the last fit with early stopping.
    [[nodiscard]] const std::vector<double>& validation_scores() const noexcept {
        return validation_scores_;
    }

    /// A fitted model from saved parts (see weights(), biases()).
    /// @throws format_error when the shapes disagree with each other, the hyperparameters, the
    ///   classes or the feature names, or a value is not finite; invalid_input_error for bad params
    [[nodiscard]] static mlp restore(mlp_params params, std::vector<weight_matrix> weights,
                                     std::vector<bias_vector> biases, label_map classes,
                                     std::vector<std::string> feature_names) {
        mlp m(std::move(params));
        const auto& hidden = m.params_.hidden_layer_sizes;
        const auto layers = hidden.size() + 1;
        detail::check_restore(
            classes.size() >= 2 && weights.size() == layers && biases.size() == layers, kind,
            "layer count, hidden_layer_sizes and classes");
        Eigen::Index fan_in = static_cast<Eigen::Index>(feature_names.size());
        for (std::size_t l = 0; l < layers; ++l) {
            const Eigen::Index fan_out =
                l + 1 < layers
                    ? static_cast<Eigen::Index>(hidden[l])
                    : (classes.size() == 2 ? 1 : static_cast<Eigen::Index>(classes.size()));
            detail::check_restore(weights[l].rows() == fan_out && weights[l].cols() == fan_in &&
                                      biases[l].size() == fan_out,
                                  kind, "the shape of layer " + std::to_string(l));
            detail::check_restore(weights[l].allFinite() && biases[l].allFinite(), kind,
                                  "layer " + std::to_string(l) + " holds non-finite values");
            fan_in = fan_out;
        }
        m.weights_ = std::move(weights);
        m.biases_ = std::move(biases);
        m.classes_ = std::move(classes);
        m.feature_names_ = std::move(feature_names);
        m.fitted_ = true;
        return m;
    }

  private:
    /// Rows per chunk of a batch (about): the unit of parallel work and of the gradient sum.
    static constexpr Eigen::Index chunk_rows = 64;

    using row_vector = Eigen::Matrix<Scalar, 1, Eigen::Dynamic>;
    using flat_vector = Eigen::Matrix<Scalar, Eigen::Dynamic, 1>;

    /// Where each layer's weights and biases sit in the flat parameter vector.
    struct layout {
        std::vector<Eigen::Index> widths;  // input, hidden..., output
        std::vector<Eigen::Index> weight_at;
        std::vector<Eigen::Index> bias_at;
        Eigen::Index size = 0;
        [[nodiscard]] std::size_t layers() const noexcept { return widths.size() - 1; }
    };

    /// One chunk's buffers (sized for the largest chunk), reused for every batch.
    struct chunk_work {
        weight_matrix x;                   // rows x inputs
        std::vector<weight_matrix> a;      // a[l]: output of layer l (the last: logits, deltas)
        std::vector<weight_matrix> delta;  // delta[l]: loss gradient w.r.t. layer l's output
        std::vector<flat_vector> delta_t;  // delta[l] transposed, for the weight gradient
        flat_vector grad;
        Eigen::Array<Scalar, Eigen::Dynamic, 1> top;
        Eigen::Array<Scalar, Eigen::Dynamic, 1> sum;
        std::vector<Scalar> w;
        std::vector<std::int32_t> y;
        double loss = 0.0;    // training: weighted loss sum; validation: weight of right answers
        double weight = 0.0;  // weight sum of the chunk's rows
    };

    using map_type = Eigen::Map<weight_matrix>;
    using cmap_type = Eigen::Map<const weight_matrix>;

    /// out = a * b. Every matrix product of fit goes through here with contiguous row-major
    /// operands (transposes are copied first): one Eigen GEMM instantiation instead of one per
    /// operand layout, which keeps the mlp's compile time down.
    static void multiply(map_type out, cmap_type a, cmap_type b) { out.noalias() = a * b; }

    void check_params() const;
    void forward_row(const Scalar* x, Scalar* out) const;
    static void activate_row(mlp_activation f, Scalar* v, Eigen::Index n) noexcept;

    mlp_params params_;
    std::vector<weight_matrix> weights_;
    std::vector<bias_vector> biases_;
    label_map classes_;
    std::vector<std::string> feature_names_;
    std::vector<double> loss_curve_;
    std::vector<double> validation_scores_;
    bool fitted_ = false;
};

// ---- implementation ----

template <class Scalar>
void mlp<Scalar>::check_params() const {
    const auto bad = [](const std::string& what, const std::string& fix, const std::string& name) {
        return invalid_input_error("mlp: " + what, fix, name);
    };
    const auto& p = params_;
    for (std::size_t l = 0; l < p.hidden_layer_sizes.size(); ++l) {
        const auto w = p.hidden_layer_sizes[l];
        if (w < 1 || w > 1'000'000'000) {
            throw bad("hidden layer " + std::to_string(l) + " has width " + std::to_string(w) +
                          "; widths must be positive",
                      "give each hidden layer at least one unit, e.g. {100}", "hidden_layer_sizes");
        }
    }
    if (!(p.alpha >= 0.0) || !std::isfinite(p.alpha))
        throw bad("alpha must be finite and >= 0", "use e.g. 1e-4", "alpha");
    if (p.batch_size == 0 || p.batch_size < -1)
        throw bad("batch_size is " + std::to_string(p.batch_size) +
                      "; it must be at least 1 (or -1: min(200, rows))",
                  "use e.g. 200", "batch_size");
    if (!(p.learning_rate_init > 0.0) || !std::isfinite(p.learning_rate_init))
        throw bad("learning_rate_init must be positive and finite", "use e.g. 1e-3",
                  "learning_rate_init");
    if (!(p.power_t >= 0.0) || !std::isfinite(p.power_t))
        throw bad("power_t must be finite and >= 0", "use e.g. 0.5", "power_t");
    if (p.max_iter < 1) throw bad("max_iter must be at least 1", "use e.g. 200", "max_iter");
    if (!(p.tol >= 0.0) || !std::isfinite(p.tol))
        throw bad("tol must be finite and >= 0", "use e.g. 1e-4", "tol");
    if (!(p.momentum >= 0.0 && p.momentum < 1.0))
        throw bad("momentum must lie in [0, 1)", "use e.g. 0.9", "momentum");
    if (!(p.validation_fraction > 0.0 && p.validation_fraction < 1.0))
        throw bad("validation_fraction must lie in (0, 1)", "use e.g. 0.1", "validation_fraction");
    if (!(p.beta_1 >= 0.0 && p.beta_1 < 1.0))
        throw bad("beta_1 must lie in [0, 1)", "use e.g. 0.9", "beta_1");
    if (!(p.beta_2 >= 0.0 && p.beta_2 < 1.0))
        throw bad("beta_2 must lie in [0, 1)", "use e.g. 0.999", "beta_2");
    if (!(p.epsilon > 0.0) || !std::isfinite(p.epsilon))
        throw bad("epsilon must be positive and finite", "use e.g. 1e-8", "epsilon");
    if (p.n_iter_no_change < 1)
        throw bad("n_iter_no_change must be at least 1", "use e.g. 10", "n_iter_no_change");
    const auto named = [](auto value, const auto& names) {
        for (const auto& [v, name] : names)
            if (v == value) return true;
        return false;
    };
    if (!named(p.activation, mlp_activation_names))
        throw bad("unknown activation", "use identity, logistic, tanh or relu", "activation");
    if (!named(p.solver, mlp_solver_names))
        throw bad("unknown solver", "use sgd or adam", "solver");
    if (!named(p.learning_rate, mlp_learning_rate_names))
        throw bad("unknown learning_rate schedule", "use constant, invscaling or adaptive",
                  "learning_rate");
}

template <class Scalar>
void mlp<Scalar>::activate_row(mlp_activation f, Scalar* v, Eigen::Index n) noexcept {
    // Element by element, so the result never depends on where the buffer sits (no vector head
    // peeled by alignment): batch and single-row prediction agree bit for bit.
    switch (f) {
        case mlp_activation::identity:
            break;
        case mlp_activation::logistic:
            for (Eigen::Index j = 0; j < n; ++j)
                v[j] = Scalar(1) / (Scalar(1) + std::exp(-v[j]));
            break;
        case mlp_activation::tanh:
            for (Eigen::Index j = 0; j < n; ++j)
                v[j] = std::tanh(v[j]);
            break;
        case mlp_activation::relu:
            for (Eigen::Index j = 0; j < n; ++j)
                v[j] = v[j] > Scalar(0) ? v[j] : Scalar(0);
            break;
    }
}

template <class Scalar>
#if defined(__GNUC__)
// One compiled copy serves batch and single-row prediction alike (bit-identical results).
__attribute__((noinline))
#endif
void mlp<Scalar>::forward_row(const Scalar* x, Scalar* out) const {
    Eigen::Index widest = 0;
    for (const auto& w : weights_)
        widest = std::max(widest, w.rows());
    alignas(64) std::array<Scalar, max_stack_width> first;
    alignas(64) std::array<Scalar, max_stack_width> second;
    std::vector<Scalar> heap;  // only for layers wider than max_stack_width
    Scalar* buffers[2] = {first.data(), second.data()};
    if (widest > static_cast<Eigen::Index>(max_stack_width)) {
        heap.resize(2 * static_cast<std::size_t>(widest));
        buffers[0] = heap.data();
        buffers[1] = heap.data() + widest;
    }
    const Scalar* in = x;
    const std::size_t layers = weights_.size();
    for (std::size_t l = 0; l < layers; ++l) {
        const auto& w = weights_[l];
        const auto& b = biases_[l];
        Scalar* o = buffers[l % 2];
        const auto fan_in = static_cast<std::size_t>(w.cols());
        for (Eigen::Index j = 0; j < w.rows(); ++j)
            o[j] = detail::dot_fixed_order(w.row(j).data(), in, fan_in) + b[j];
        if (l + 1 < layers) activate_row(params_.activation, o, w.rows());
        in = o;
    }
    const Eigen::Index k = weights_.back().rows();
    if (k == 1) {
        const Scalar z = in[0];
        // The logistic function, stably on both sides.
        const Scalar e = std::exp(-std::abs(z));
        const Scalar p1 = z >= Scalar(0) ? Scalar(1) / (Scalar(1) + e) : e / (Scalar(1) + e);
        out[0] = Scalar(1) - p1;
        out[1] = p1;
        return;
    }
    Scalar top = in[0];
    for (Eigen::Index c = 1; c < k; ++c)
        top = std::max(top, in[c]);
    Scalar sum = 0;
    for (Eigen::Index c = 0; c < k; ++c) {
        out[c] = std::exp(in[c] - top);
        sum += out[c];
    }
    for (Eigen::Index c = 0; c < k; ++c)
        out[c] /= sum;
}

template <class Scalar>
fit_report mlp<Scalar>::fit(const dataset<Scalar>& data, std::span<const double> sample_weight,
                            const fit_options& options) {
    detail::check_training_data(data, kind);
    const Eigen::Index n = data.n_samples();
    const Eigen::Index d = data.n_features();
    const auto n_classes = static_cast<Eigen::Index>(data.n_classes());
    if (!sample_weight.empty() && static_cast<Eigen::Index>(sample_weight.size()) != n) {
        throw invalid_input_error(std::string(kind) + ": " + std::to_string(sample_weight.size()) +
                                      " sample weights for " + std::to_string(n) + " rows",
                                  "give one weight per row", "sample_weight");
    }
    for (double w : sample_weight) {
        if (!(w >= 0.0) || !std::isfinite(w)) {
            throw invalid_input_error(
                std::string(kind) + ": a sample weight is negative or not finite",
                "use finite weights >= 0", "sample_weight");
        }
    }
    const detail::fit_monitor monitor(options);
    const mlp_params& p = params_;
    const auto weight_of = [&](Eigen::Index i) {
        return sample_weight.empty() ? 1.0 : sample_weight[static_cast<std::size_t>(i)];
    };

    // Layout of the flat parameter vector: per layer, weights (fan_out x fan_in) then biases.
    layout shape;
    shape.widths.push_back(d);
    for (auto h : p.hidden_layer_sizes)
        shape.widths.push_back(static_cast<Eigen::Index>(h));
    shape.widths.push_back(n_classes == 2 ? 1 : n_classes);
    const std::size_t layers = shape.layers();
    for (std::size_t l = 0; l < layers; ++l) {
        shape.weight_at.push_back(shape.size);
        shape.size += shape.widths[l + 1] * shape.widths[l];
        shape.bias_at.push_back(shape.size);
        shape.size += shape.widths[l + 1];
    }
    const auto weights_of = [&](flat_vector& v, std::size_t l) {
        return Eigen::Map<weight_matrix>(v.data() + shape.weight_at[l], shape.widths[l + 1],
                                         shape.widths[l]);
    };
    const auto cweights_of = [&](const flat_vector& v, std::size_t l) {
        return Eigen::Map<const weight_matrix>(v.data() + shape.weight_at[l], shape.widths[l + 1],
                                               shape.widths[l]);
    };
    const auto cbiases_of = [&](const flat_vector& v, std::size_t l) {
        return Eigen::Map<const row_vector>(v.data() + shape.bias_at[l], shape.widths[l + 1]);
    };

    // Glorot-uniform initialisation as scikit-learn's (weights and biases of a layer share the
    // bound), from the seed's own stream.
    flat_vector theta(shape.size);
    {
        detail::random_engine engine(p.seed);
        for (std::size_t l = 0; l < layers; ++l) {
            const double factor = p.activation == mlp_activation::logistic ? 2.0 : 6.0;
            const double bound =
                std::sqrt(factor / static_cast<double>(shape.widths[l] + shape.widths[l + 1]));
            const Eigen::Index end = shape.bias_at[l] + shape.widths[l + 1];
            for (Eigen::Index i = shape.weight_at[l]; i < end; ++i)
                theta[i] = static_cast<Scalar>(detail::uniform_real(engine, -bound, bound));
        }
    }

    // Training and validation rows.
    std::vector<Eigen::Index> train_rows;
    std::vector<Eigen::Index> validation_rows;
    if (p.early_stopping) {
        try {
            auto parts = split_rows(n, data.targets(), data.n_classes(),
                                    {.test_fraction = p.validation_fraction,
                                     .seed = detail::random_engine(p.seed).split(1)(),
                                     .stratify = true});
            train_rows = std::move(parts.train);
            validation_rows = std::move(parts.test);
        } catch (const invalid_input_error& e) {
            throw invalid_input_error(
                "mlp: early stopping cannot hold out a stratified "
                "validation set: " +
                    e.problem(),
                "use more rows per class, another validation_fraction, or "
                "early_stopping = false",
                "validation_fraction");
        }
    } else {
        train_rows.resize(static_cast<std::size_t>(n));
        for (Eigen::Index i = 0; i < n; ++i)
            train_rows[static_cast<std::size_t>(i)] = i;
    }
    const auto n_train = static_cast<Eigen::Index>(train_rows.size());
    const Eigen::Index batch =
        p.batch_size < 0 ? std::min<Eigen::Index>(200, n_train)
                         : std::min<Eigen::Index>(static_cast<Eigen::Index>(p.batch_size), n_train);

    // Chunks: a batch of b rows is cut into ceil(b / chunk_rows) nearly equal chunks.
    const auto chunks_of = [](Eigen::Index b) { return (b + chunk_rows - 1) / chunk_rows; };
    const auto chunk_range = [](Eigen::Index b, Eigen::Index chunks, Eigen::Index c) {
        const Eigen::Index base = b / chunks;
        const Eigen::Index extra = b % chunks;
        const Eigen::Index start = c * base + std::min(c, extra);
        return std::pair{start, base + (c < extra ? 1 : 0)};
    };
    const Eigen::Index slots = chunks_of(batch);
    const Eigen::Index slot_rows = std::min(batch, chunk_rows);
    std::vector<chunk_work> work(static_cast<std::size_t>(slots));
    for (auto& scratch : work) {
        scratch.x.resize(slot_rows, d);
        for (std::size_t l = 0; l < layers; ++l) {
            scratch.a.emplace_back(slot_rows, shape.widths[l + 1]);
            scratch.delta.emplace_back(slot_rows, shape.widths[l + 1]);
            scratch.delta_t.emplace_back(slot_rows * shape.widths[l + 1]);
        }
        scratch.grad.resize(shape.size);
        scratch.top.resize(slot_rows);
        scratch.sum.resize(slot_rows);
        scratch.w.resize(static_cast<std::size_t>(slot_rows));
        scratch.y.resize(static_cast<std::size_t>(slot_rows));
    }
    detail::thread_pool pool(static_cast<unsigned>(
        std::min<Eigen::Index>(detail::resolve_threads(options.threads), slots)));

    const auto& x_all = data.features();
    const auto& y_all = data.targets();
    const Eigen::Index k_out = shape.widths.back();
    const mlp_activation activation = p.activation;

    // The first r rows of a chunk buffer (contiguous: the buffers are row-major).
    const auto rows_of = [](weight_matrix& m, Eigen::Index r) {
        return map_type(m.data(), r, m.cols());
    };
    const auto crows_of = [](const weight_matrix& m, Eigen::Index r) {
        return cmap_type(m.data(), r, m.cols());
    };
    // Each layer's weights transposed (fan_in x fan_out, at the same offsets as in theta), for
    // the forward products; refreshed after every update.
    flat_vector theta_t(shape.size);
    const auto refresh_transposed = [&] {
        for (std::size_t l = 0; l < layers; ++l) {
            map_type(theta_t.data() + shape.weight_at[l], shape.widths[l], shape.widths[l + 1]) =
                cweights_of(theta, l).transpose();
        }
    };
    refresh_transposed();

    // Gathers `rows` rows and runs the forward pass; the last layer's logits end in a.back().
    const auto forward = [&](chunk_work& scratch, const Eigen::Index* rows, Eigen::Index r) {
        for (Eigen::Index i = 0; i < r; ++i) {
            const Eigen::Index row = rows[i];
            scratch.x.row(i) = x_all.row(row);
            scratch.y[static_cast<std::size_t>(i)] = y_all[row];
            scratch.w[static_cast<std::size_t>(i)] = static_cast<Scalar>(weight_of(row));
        }
        for (std::size_t l = 0; l < layers; ++l) {
            auto out = rows_of(scratch.a[l], r);
            multiply(out, crows_of(l == 0 ? scratch.x : scratch.a[l - 1], r),
                     cmap_type(theta_t.data() + shape.weight_at[l], shape.widths[l],
                               shape.widths[l + 1]));
            out.rowwise() += cbiases_of(theta, l);
            if (l + 1 == layers) break;
            auto v = out.array();
            switch (activation) {
                case mlp_activation::identity:
                    break;
                case mlp_activation::logistic:
                    v = (Scalar(1) + (-v).exp()).inverse();
                    break;
                case mlp_activation::tanh:
                    v = v.tanh();
                    break;
                case mlp_activation::relu:
                    v = v.max(Scalar(0));
                    break;
            }
        }
    };

    // One training chunk: forward, loss, backward into scratch.grad (unscaled sums).
    const auto train_chunk = [&](chunk_work& scratch, const Eigen::Index* rows, Eigen::Index r) {
        forward(scratch, rows, r);
        auto z = scratch.a.back().topRows(r);
        auto g = scratch.delta.back().topRows(r);
        double loss = 0.0;
        double weight = 0.0;
        if (k_out == 1) {
            for (Eigen::Index i = 0; i < r; ++i) {
                const Scalar zi = z(i, 0);
                const Scalar t =
                    scratch.y[static_cast<std::size_t>(i)] == 1 ? Scalar(1) : Scalar(0);
                const Scalar wi = scratch.w[static_cast<std::size_t>(i)];
                const Scalar e = std::exp(-std::abs(zi));
                // log(1 + exp(z)) - t z and the logistic function from one exponential.
                loss += static_cast<double>(wi) *
                        static_cast<double>(std::max(zi, Scalar(0)) + std::log1p(e) - t * zi);
                const Scalar prob =
                    zi >= Scalar(0) ? Scalar(1) / (Scalar(1) + e) : e / (Scalar(1) + e);
                g(i, 0) = wi * (prob - t);
                weight += static_cast<double>(wi);
            }
        } else {
            auto top = scratch.top.head(r);
            auto sum = scratch.sum.head(r);
            top = z.rowwise().maxCoeff().array();
            g.array() = (z.array().colwise() - top).exp();
            sum = g.rowwise().sum().array();
            for (Eigen::Index i = 0; i < r; ++i) {
                const auto yi = static_cast<Eigen::Index>(scratch.y[static_cast<std::size_t>(i)]);
                const Scalar wi = scratch.w[static_cast<std::size_t>(i)];
                loss += static_cast<double>(wi) *
                        static_cast<double>(std::log(sum[i]) + top[i] - z(i, yi));
                weight += static_cast<double>(wi);
                g.row(i) *= wi / sum[i];
                g(i, yi) -= wi;
            }
        }
        scratch.loss = loss;
        scratch.weight = weight;
        for (std::size_t l = layers; l-- > 0;) {
            const auto delta = crows_of(scratch.delta[l], r);
            const Eigen::Index fan_out = shape.widths[l + 1];
            map_type(scratch.delta_t[l].data(), fan_out, r) = delta.transpose();
            multiply(weights_of(scratch.grad, l), cmap_type(scratch.delta_t[l].data(), fan_out, r),
                     crows_of(l == 0 ? scratch.x : scratch.a[l - 1], r));
            Eigen::Map<row_vector>(scratch.grad.data() + shape.bias_at[l], fan_out) =
                delta.colwise().sum();
            if (l == 0) break;
            auto prev = rows_of(scratch.delta[l - 1], r);
            multiply(prev, delta, cweights_of(theta, l));
            const auto a = crows_of(scratch.a[l - 1], r).array();
            switch (activation) {
                case mlp_activation::identity:
                    break;
                case mlp_activation::logistic:
                    prev.array() *= a * (Scalar(1) - a);
                    break;
                case mlp_activation::tanh:
                    prev.array() *= Scalar(1) - a.square();
                    break;
                case mlp_activation::relu:
                    prev.array() = (a > Scalar(0)).select(prev.array(), Scalar(0));
                    break;
            }
        }
    };

    // Weighted accuracy on the validation rows (early stopping).
    const auto validation_accuracy = [&]() {
        const auto nv = static_cast<Eigen::Index>(validation_rows.size());
        const Eigen::Index per_pass = slots * slot_rows;
        double correct = 0.0;
        double total = 0.0;
        for (Eigen::Index start = 0; start < nv; start += per_pass) {
            const Eigen::Index b = std::min(per_pass, nv - start);
            const Eigen::Index chunks = (b + slot_rows - 1) / slot_rows;
            pool.parallel_for(static_cast<std::size_t>(chunks), [&](std::size_t c) {
                auto& scratch = work[c];
                const Eigen::Index first = start + static_cast<Eigen::Index>(c) * slot_rows;
                const Eigen::Index r = std::min(slot_rows, nv - first);
                forward(scratch, validation_rows.data() + first, r);
                double right = 0.0;
                double all = 0.0;
                const auto z = scratch.a.back().topRows(r);
                for (Eigen::Index i = 0; i < r; ++i) {
                    Eigen::Index best = 0;
                    if (k_out == 1) {
                        best = z(i, 0) > Scalar(0) ? 1 : 0;
                    } else {
                        z.row(i).maxCoeff(&best);
                    }
                    const double wi = static_cast<double>(scratch.w[static_cast<std::size_t>(i)]);
                    all += wi;
                    if (best == scratch.y[static_cast<std::size_t>(i)]) right += wi;
                }
                scratch.loss = right;
                scratch.weight = all;
            });
            for (Eigen::Index c = 0; c < chunks; ++c) {
                correct += work[static_cast<std::size_t>(c)].loss;
                total += work[static_cast<std::size_t>(c)].weight;
            }
        }
        return total > 0.0 ? correct / total : 0.0;
    };

    // Optimizer state.
    flat_vector grad(shape.size);
    flat_vector first_moment = flat_vector::Zero(shape.size);  // adam's m, sgd's velocity
    flat_vector second_moment;
    if (p.solver == mlp_solver::adam) second_moment = flat_vector::Zero(shape.size);
    double learning_rate = p.learning_rate_init;
    std::int64_t adam_steps = 0;
    double samples_seen = 0.0;

    const auto update = [&](double weight_sum) {
        // grad = (sum + alpha W) / weight_sum, biases unpenalised.
        const auto scale = static_cast<Scalar>(1.0 / weight_sum);
        const auto alpha = static_cast<Scalar>(p.alpha);
        for (std::size_t l = 0; l < layers; ++l) {
            const Eigen::Index at = shape.weight_at[l];
            const Eigen::Index count = shape.bias_at[l] - at;
            grad.segment(at, count) += alpha * theta.segment(at, count);
        }
        grad *= scale;
        if (p.solver == mlp_solver::adam) {
            ++adam_steps;
            const auto b1 = static_cast<Scalar>(p.beta_1);
            const auto b2 = static_cast<Scalar>(p.beta_2);
            first_moment = b1 * first_moment + (Scalar(1) - b1) * grad;
            second_moment = b2 * second_moment + (Scalar(1) - b2) * grad.cwiseAbs2();
            const double t = static_cast<double>(adam_steps);
            const auto step =
                static_cast<Scalar>(p.learning_rate_init * std::sqrt(1.0 - std::pow(p.beta_2, t)) /
                                    (1.0 - std::pow(p.beta_1, t)));
            const auto eps = static_cast<Scalar>(p.epsilon);
            theta.array() -= step * first_moment.array() / (second_moment.array().sqrt() + eps);
        } else {
            const auto mu = static_cast<Scalar>(p.momentum);
            const auto lr = static_cast<Scalar>(learning_rate);
            first_moment = mu * first_moment - lr * grad;
            if (p.nesterovs_momentum) {
                theta += mu * first_moment - lr * grad;
            } else {
                theta += first_moment;
            }
        }
    };

    const auto penalty = [&]() {
        double sq = 0.0;
        for (std::size_t l = 0; l < layers; ++l)
            sq += static_cast<double>(cweights_of(theta, l).squaredNorm());
        return 0.5 * p.alpha * sq;
    };

    detail::random_engine shuffler = detail::random_engine(p.seed).split(2);
    std::vector<Eigen::Index> order = train_rows;
    loss_curve_.clear();
    validation_scores_.clear();
    double best_loss = std::numeric_limits<double>::infinity();
    double best_score = -std::numeric_limits<double>::infinity();
    flat_vector best_theta;
    flat_vector epoch_start;
    std::int64_t no_improvement = 0;
    std::int64_t epoch = 0;
    double last_gradient_norm = 0.0;
    fit_status status = fit_status::max_iterations;

    while (epoch < p.max_iter) {
        if (p.shuffle) detail::shuffle(std::span(order), shuffler);
        epoch_start = theta;
        double loss_total = 0.0;
        double weight_total = 0.0;
        for (Eigen::Index start = 0; start < n_train; start += batch) {
            const Eigen::Index b = std::min(batch, n_train - start);
            const Eigen::Index chunks = chunks_of(b);
            pool.parallel_for(static_cast<std::size_t>(chunks), [&](std::size_t c) {
                const auto [first, r] = chunk_range(b, chunks, static_cast<Eigen::Index>(c));
                train_chunk(work[c], order.data() + start + first, r);
            });
            grad = work[0].grad;
            double loss = work[0].loss;
            double weight_sum = work[0].weight;
            for (std::size_t c = 1; c < static_cast<std::size_t>(chunks); ++c) {
                grad += work[c].grad;
                loss += work[c].loss;
                weight_sum += work[c].weight;
            }
            if (weight_sum <= 0.0) continue;  // a batch of zero-weight rows teaches nothing
            const double batch_loss = (loss + penalty()) / weight_sum;
            update(weight_sum);
            refresh_transposed();
            loss_total += batch_loss * weight_sum;
            weight_total += weight_sum;
            last_gradient_norm = static_cast<double>(grad.cwiseAbs().maxCoeff());
        }
        ++epoch;
        samples_seen += static_cast<double>(n_train);
        const double epoch_loss = weight_total > 0.0 ? loss_total / weight_total : 0.0;
        if (!std::isfinite(epoch_loss) || !theta.allFinite()) {
            theta = epoch_start;
            status = fit_status::no_progress;
            break;
        }
        loss_curve_.push_back(epoch_loss);
        double score = std::numeric_limits<double>::quiet_NaN();
        // scikit-learn's _update_no_improvement_count.
        if (p.early_stopping) {
            score = validation_accuracy();
            validation_scores_.push_back(score);
            no_improvement = score < best_score + p.tol ? no_improvement + 1 : 0;
            if (score > best_score) {
                best_score = score;
                best_theta = theta;
            }
        } else {
            no_improvement = epoch_loss > best_loss - p.tol ? no_improvement + 1 : 0;
            best_loss = std::min(best_loss, epoch_loss);
        }
        if (p.solver == mlp_solver::sgd && p.learning_rate == mlp_learning_rate::invscaling)
            learning_rate = p.learning_rate_init / std::pow(samples_seen + 1.0, p.power_t);
        if (auto stop = monitor.report({.stage = "epoch",
                                        .step = epoch,
                                        .steps = p.max_iter,
                                        .loss = epoch_loss,
                                        .gradient_norm = last_gradient_norm,
                                        .validation_score = score})) {
            status = *stop;
            break;
        }
        if (no_improvement > p.n_iter_no_change) {
            // scikit-learn's trigger_stopping: only sgd's adaptive schedule carries on, slower.
            if (p.solver == mlp_solver::sgd && p.learning_rate == mlp_learning_rate::adaptive &&
                learning_rate > 1e-6) {
                learning_rate /= 5.0;
                no_improvement = 0;
            } else {
                status = fit_status::converged;
                break;
            }
        }
    }
    if (p.early_stopping && best_theta.size() == theta.size()) theta = best_theta;

    weights_.clear();
    biases_.clear();
    for (std::size_t l = 0; l < layers; ++l) {
        weights_.emplace_back(cweights_of(theta, l));
        biases_.emplace_back(cbiases_of(theta, l).transpose());
    }
    classes_ = data.classes();
    feature_names_ = data.feature_names();
    fitted_ = true;
    return fit_report{.status = status,
                      .iterations = epoch,
                      .final_loss = loss_curve_.empty() ? std::numeric_limits<double>::quiet_NaN()
                                                        : loss_curve_.back(),
                      .gradient_norm = last_gradient_norm,
                      .elapsed_seconds = monitor.elapsed_seconds()};
}

template <class Scalar>
auto mlp<Scalar>::predict_proba(matrix_cref<Scalar> x) const -> probability_matrix<Scalar> {
    detail::check_prediction_input(x, n_features(), fitted_, kind);
    probability_matrix<Scalar> p(x.rows(), static_cast<Eigen::Index>(classes_.size()));
    for (Eigen::Index i = 0; i < x.rows(); ++i)
        forward_row(x.row(i).data(), p.row(i).data());
    return p;
}

template <class Scalar>
auto mlp<Scalar>::predict(matrix_cref<Scalar> x) const -> class_index_vector {
    return detail::most_probable(predict_proba(x));
}

MLPIPE_EXTERN_MODEL(mlp);

}  // namespace mlpipe
