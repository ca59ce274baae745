// SPDX-License-Identifier: Apache-2.0
/// @file artifact/model_io.hpp Models and pipelines to artifacts and back: `to_artifact(model)` and
/// `load<Model>(artifact)`, with each kind's tensors written down in one place.
///
/// A plain model and a pipeline share one layout: the manifest's kind is the classifier's, its
/// `preprocessing` array lists the fitted steps in order (kind, params, input names), their tensors
/// are named "preprocessing.<i>.<name>", and the classifier's tensors keep their plain names.
///
/// The models and steps are only declared here (artifact/kinds.hpp): every specialisation depends
/// on its template parameter, so it is checked when used, with the model's own header included by
/// the caller. A translation unit parses the model families it includes, not all of them.
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <Eigen/Core>
#include <nlohmann/json.hpp>

#include "../detail/endian.hpp"
#include "../error.hpp"
#include "../preprocessing/any_transformer.hpp"
#include "artifact.hpp"
#include "kinds.hpp"

namespace mlpipe {

/// How one model or transformer type is written to and read from an artifact. Specialised per
/// type below; adding a model or a step means adding a specialisation (and its line in
/// artifact/kinds.hpp).
template <class T>
struct model_io;

namespace detail {

template <class Scalar>
class flat_forest;  // the trees' storage (models/tree/flat_forest.hpp)

[[noreturn]] inline void artifact_mismatch(const std::string& what, const std::string& remedy) {
    throw format_error(what, remedy, source_position{"artifact"});
}

/// The tensor `name` as an owning row-major matrix of T with the expected shape (-1: any).
template <class T>
Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> read_matrix(
    const artifact& a, const std::string& name, Eigen::Index rows, Eigen::Index cols) {
    const auto& t = a.tensor(name);
    if (t.rank() != 2)
        artifact_mismatch(
            "tensor \"" + name + "\" has rank " + std::to_string(t.rank()) + ", not 2",
            "the artifact is corrupt or of another kind");
    const auto m = t.matrix<T>();
    if ((rows >= 0 && m.rows() != rows) || (cols >= 0 && m.cols() != cols)) {
        artifact_mismatch("tensor \"" + name + "\" is " + std::to_string(m.rows()) + " x " +
                              std::to_string(m.cols()) + ", expected " + std::to_string(rows) +
                              " x " + std::to_string(cols),
                          "the artifact is corrupt or of another kind");
    }
    return m;
}

/// The tensor `name` as an owning vector of T with the expected length (-1: any).
template <class T>
Eigen::Matrix<T, Eigen::Dynamic, 1> read_vector(const artifact& a, const std::string& name,
                                                Eigen::Index size) {
    const auto& t = a.tensor(name);
    if (t.rank() != 1)
        artifact_mismatch(
            "tensor \"" + name + "\" has rank " + std::to_string(t.rank()) + ", not 1",
            "the artifact is corrupt or of another kind");
    const auto v = t.vector<T>();
    if (size >= 0 && v.size() != size) {
        artifact_mismatch("tensor \"" + name + "\" holds " + std::to_string(v.size()) +
                              " values, expected " + std::to_string(size),
                          "the artifact is corrupt or of another kind");
    }
    return v;
}

/// Hyperparameters read from an artifact: a bad value there is a format error of the artifact.
template <class Params>
Params params_from(const nlohmann::json& j) {
    try {
        return Params::from_json(j);
    } catch (const invalid_input_error& e) {
        artifact_mismatch("the artifact's hyperparameters are invalid: " + std::string(e.what()),
                          "the artifact is corrupt or was written by a newer mlpipe");
    }
}

MLPIPE_DECL Eigen::Index score_rows(const label_map& classes);

template <class Scalar>
constexpr tensor_dtype scalar_dtype =
    std::is_same_v<Scalar, float> ? tensor_dtype::f32 : tensor_dtype::f64;

}  // namespace detail

// ---- classifiers: write(model, artifact), read(artifact, params, classes, names) ----

template <class Scalar>
struct model_io<logistic_regression<Scalar>> {
    using model_type = logistic_regression<Scalar>;
    static void write(const model_type& m, artifact& a) {
        a.add_tensor("coef", m.coefficients());
        a.add_tensor("intercept", m.intercepts());
    }
    static model_type read(const artifact& a, const nlohmann::json& hyper, label_map classes,
                           std::vector<std::string> names) {
        const auto k = detail::score_rows(classes);
        const auto d = static_cast<Eigen::Index>(names.size());
        return model_type::restore(detail::params_from<detail::params_of<model_type>>(hyper),
                                   detail::read_matrix<Scalar>(a, "coef", k, d),
                                   detail::read_vector<Scalar>(a, "intercept", k),
                                   std::move(classes), std::move(names));
    }
};

template <class Scalar>
struct model_io<linear_svm<Scalar>> {
    using model_type = linear_svm<Scalar>;
    static void write(const model_type& m, artifact& a) {
        a.add_tensor("coef", m.coefficients());
        a.add_tensor("intercept", m.intercepts());
        if (m.platt().rows() > 0) a.add_tensor("platt", m.platt());
    }
    static model_type read(const artifact& a, const nlohmann::json& hyper, label_map classes,
                           std::vector<std::string> names) {
        const auto k = detail::score_rows(classes);
        const auto d = static_cast<Eigen::Index>(names.size());
        Eigen::Matrix<Scalar, Eigen::Dynamic, 2, Eigen::RowMajor> platt;
        if (a.find_tensor("platt") != nullptr)
            platt = detail::read_matrix<Scalar>(a, "platt", k, 2);
        return model_type::restore(detail::params_from<detail::params_of<model_type>>(hyper),
                                   detail::read_matrix<Scalar>(a, "coef", k, d),
                                   detail::read_vector<Scalar>(a, "intercept", k), std::move(platt),
                                   std::move(classes), std::move(names));
    }
};

template <class Scalar>
struct model_io<gaussian_naive_bayes<Scalar>> {
    using model_type = gaussian_naive_bayes<Scalar>;
    static void write(const model_type& m, artifact& a) {
        a.add_tensor("means", m.means());
        a.add_tensor("variances", m.variances());
        a.add_tensor("class_log_norms", m.class_log_norms());
    }
    static model_type read(const artifact& a, const nlohmann::json& hyper, label_map classes,
                           std::vector<std::string> names) {
        const auto k = static_cast<Eigen::Index>(classes.size());
        const auto d = static_cast<Eigen::Index>(names.size());
        return model_type::restore(detail::params_from<detail::params_of<model_type>>(hyper),
                                   detail::read_matrix<Scalar>(a, "means", k, d),
                                   detail::read_matrix<Scalar>(a, "variances", k, d),
                                   detail::read_vector<Scalar>(a, "class_log_norms", k),
                                   std::move(classes), std::move(names));
    }
};

template <class Scalar>
struct model_io<k_nearest_neighbors<Scalar>> {
    using model_type = k_nearest_neighbors<Scalar>;
    static void write(const model_type& m, artifact& a) {
        a.add_tensor("training_features", m.training_features());
        a.add_tensor("training_targets", m.training_targets());
    }
    static model_type read(const artifact& a, const nlohmann::json& hyper, label_map classes,
                           std::vector<std::string> names) {
        const auto d = static_cast<Eigen::Index>(names.size());
        auto x = detail::read_matrix<Scalar>(a, "training_features", -1, d);
        auto y = detail::read_vector<std::int32_t>(a, "training_targets", x.rows());
        return model_type::restore(detail::params_from<detail::params_of<model_type>>(hyper),
                                   std::move(x), std::move(y), std::move(classes),
                                   std::move(names));
    }
};

namespace detail {

/// Writes packed trees as flat tensors: nodes (u8 [N, record size]: each node's threshold
/// (Scalar), feature and child (i32), little-endian, no padding), tree_roots (i32), leaf_values
/// (Scalar, rows x n_classes) and feature_importances (f64).
template <class Scalar>
void write_forest(const flat_forest<Scalar>& forest, const Eigen::VectorXd& importances,
                  artifact& a) {
    using node = typename flat_forest<Scalar>::node;
    const auto nodes = forest.nodes();
    std::vector<std::uint8_t> records(nodes.size() * sizeof(node));
    if constexpr (std::endian::native == std::endian::little) {
        if (!nodes.empty()) std::memcpy(records.data(), nodes.data(), records.size());
    } else {
        for (std::size_t i = 0; i < nodes.size(); ++i) {
            std::uint8_t* r = records.data() + i * sizeof(node);
            detail::store_le(r, nodes[i].threshold);
            detail::store_le(r + sizeof(Scalar), static_cast<std::uint32_t>(nodes[i].feature));
            detail::store_le(r + sizeof(Scalar) + 4, static_cast<std::uint32_t>(nodes[i].child));
        }
    }
    a.add_tensor<std::uint8_t>("nodes", records, {nodes.size(), sizeof(node)});
    a.add_tensor<std::int32_t>("tree_roots", forest.roots(), {forest.roots().size()});
    a.add_tensor<Scalar>("leaf_values", forest.leaf_values(),
                         {forest.leaf_values().size() / forest.n_classes(), forest.n_classes()});
    a.add_tensor("feature_importances", importances);
}

/// A rank-1 tensor of T with `size` elements (-1: any), viewed in place (no copy).
template <class T>
std::span<const T> view_vector(const artifact& a, const std::string& name, Eigen::Index size) {
    const auto& t = a.tensor(name);
    if (t.rank() != 1)
        artifact_mismatch(
            "tensor \"" + name + "\" has rank " + std::to_string(t.rank()) + ", not 1",
            "the artifact is corrupt or of another kind");
    const auto v = t.values<T>();
    if (size >= 0 && v.size() != static_cast<std::size_t>(size)) {
        artifact_mismatch("tensor \"" + name + "\" holds " + std::to_string(v.size()) +
                              " values, expected " + std::to_string(size),
                          "the artifact is corrupt or of another kind");
    }
    return v;
}

/// The node records of a forest's artifact: viewed in place when the bytes are already the
/// memory layout (a little-endian machine, aligned tensor), else decoded into `decoded`.
/// Artifacts written before the records existed (mlpipe 0.x development builds: three parallel
/// tensors node_feature, node_child, node_threshold) are decoded too.
template <class Scalar>
std::span<const typename flat_forest<Scalar>::node> forest_nodes(
    const artifact& a, std::vector<typename flat_forest<Scalar>::node>& decoded) {
    using node = typename flat_forest<Scalar>::node;
    if (a.find_tensor("nodes") == nullptr && a.find_tensor("node_feature") != nullptr) {
        const auto feature = view_vector<std::int32_t>(a, "node_feature", -1);
        const auto n = static_cast<Eigen::Index>(feature.size());
        const auto child = view_vector<std::int32_t>(a, "node_child", n);
        const auto threshold = view_vector<Scalar>(a, "node_threshold", n);
        decoded.resize(feature.size());
        for (std::size_t i = 0; i < decoded.size(); ++i)
            decoded[i] = {threshold[i], feature[i], child[i]};
        return decoded;
    }
    const auto& t = a.tensor("nodes");
    if (t.rank() != 2 || t.shape()[1] != sizeof(node)) {
        artifact_mismatch("tensor \"nodes\" is not N x " + std::to_string(sizeof(node)) +
                              " bytes (records of a " +
                              std::string(std::is_same_v<Scalar, float> ? "float" : "double") +
                              " threshold, a feature and a child)",
                          "the artifact is corrupt or of another kind");
    }
    const auto bytes = t.values<std::uint8_t>();
    const std::size_t n = bytes.size() / sizeof(node);
    if constexpr (std::endian::native == std::endian::little) {
        if (reinterpret_cast<std::uintptr_t>(bytes.data()) % alignof(node) == 0)
            return {static_cast<const node*>(static_cast<const void*>(bytes.data())), n};
    }
    decoded.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
        const std::uint8_t* r = bytes.data() + i * sizeof(node);
        decoded[i] = {
            detail::load_le<Scalar>(r),
            static_cast<std::int32_t>(detail::load_le<std::uint32_t>(r + sizeof(Scalar))),
            static_cast<std::int32_t>(detail::load_le<std::uint32_t>(r + sizeof(Scalar) + 4))};
    }
    return decoded;
}

/// Reads what write_forest wrote, checked (flat_forest::restore). When the tensors keep their
/// bytes alive (an artifact built in memory, decode_artifact, or a mapped load_artifact_file) the
/// forest views them in place and shares them: loading a large forest copies nothing.
template <class Scalar>
flat_forest<Scalar> read_forest(const artifact& a, std::size_t k, Eigen::Index d,
                                std::string_view kind) {
    std::vector<typename flat_forest<Scalar>::node> decoded;
    const auto nodes = forest_nodes<Scalar>(a, decoded);
    const auto roots = view_vector<std::int32_t>(a, "tree_roots", -1);
    const auto& leaves = a.tensor("leaf_values");
    if (leaves.rank() != 2 || leaves.shape()[1] != k)
        artifact_mismatch("tensor \"leaf_values\" is not rows x " + std::to_string(k),
                          "the artifact is corrupt or of another kind");
    std::shared_ptr<const void> keep_alive;
    const artifact_tensor* records = a.find_tensor("nodes");
    if (records != nullptr && decoded.empty()) {  // the nodes point into the "nodes" tensor
        const std::array<const artifact_tensor*, 3> parts{records, &a.tensor("tree_roots"),
                                                          &leaves};
        if (std::all_of(parts.begin(), parts.end(),
                        [](const artifact_tensor* t) { return t->holds_its_bytes(); })) {
            auto handles = std::make_shared<std::array<artifact_tensor, 3>>();
            for (std::size_t i = 0; i < parts.size(); ++i)
                (*handles)[i] = *parts[i];  // a copy shares the bytes and holds them
            keep_alive = std::move(handles);
        }
    }
    return flat_forest<Scalar>::restore(nodes, roots, leaves.values<Scalar>(), k, d, kind,
                                        std::move(keep_alive));
}

}  // namespace detail

template <class Scalar>
struct model_io<decision_tree<Scalar>> {
    using model_type = decision_tree<Scalar>;
    static void write(const model_type& m, artifact& a) {
        detail::write_forest(m.packed(), m.feature_importances(), a);
    }
    static model_type read(const artifact& a, const nlohmann::json& hyper, label_map classes,
                           std::vector<std::string> names) {
        const auto d = static_cast<Eigen::Index>(names.size());
        auto forest = detail::read_forest<Scalar>(a, classes.size(), d, model_type::kind);
        return model_type::restore(detail::params_from<detail::params_of<model_type>>(hyper),
                                   std::move(forest),
                                   detail::read_vector<double>(a, "feature_importances", d),
                                   std::move(classes), std::move(names));
    }
};

template <class Scalar>
struct model_io<random_forest<Scalar>> {
    using model_type = random_forest<Scalar>;
    static void write(const model_type& m, artifact& a) {
        detail::write_forest(m.packed(), m.feature_importances(), a);
        if (!std::isnan(m.oob_score())) {
            const double oob = m.oob_score();
            a.add_tensor<double>("oob_score", std::span<const double>(&oob, 1), {1});
        }
    }
    static model_type read(const artifact& a, const nlohmann::json& hyper, label_map classes,
                           std::vector<std::string> names) {
        const auto d = static_cast<Eigen::Index>(names.size());
        auto forest = detail::read_forest<Scalar>(a, classes.size(), d, model_type::kind);
        double oob = std::numeric_limits<double>::quiet_NaN();
        if (a.find_tensor("oob_score") != nullptr)
            oob = detail::read_vector<double>(a, "oob_score", 1)[0];
        return model_type::restore(detail::params_from<detail::params_of<model_type>>(hyper),
                                   std::move(forest),
                                   detail::read_vector<double>(a, "feature_importances", d), oob,
                                   std::move(classes), std::move(names));
    }
};

/// An mlp's tensors: "layers.<i>.weights" (fan_out x fan_in) and "layers.<i>.biases" (fan_out)
/// per layer, input side first; the shapes follow from the hyperparameters, features and classes.
template <class Scalar>
struct model_io<mlp<Scalar>> {
    using model_type = mlp<Scalar>;
    static void write(const model_type& m, artifact& a) {
        for (std::size_t l = 0; l < m.weights().size(); ++l) {
            a.add_tensor("layers." + std::to_string(l) + ".weights", m.weights()[l]);
            a.add_tensor("layers." + std::to_string(l) + ".biases", m.biases()[l]);
        }
    }
    static model_type read(const artifact& a, const nlohmann::json& hyper, label_map classes,
                           std::vector<std::string> names) {
        auto params = detail::params_from<detail::params_of<model_type>>(hyper);
        std::vector<typename model_type::weight_matrix> weights;
        std::vector<typename model_type::bias_vector> biases;
        auto fan_in = static_cast<Eigen::Index>(names.size());
        const std::size_t layers = params.hidden_layer_sizes.size() + 1;
        for (std::size_t l = 0; l < layers; ++l) {
            const Eigen::Index fan_out =
                l + 1 < layers ? static_cast<Eigen::Index>(params.hidden_layer_sizes[l])
                               : detail::score_rows(classes);
            const std::string prefix = "layers." + std::to_string(l) + ".";
            weights.push_back(detail::read_matrix<Scalar>(a, prefix + "weights", fan_out, fan_in));
            biases.push_back(detail::read_vector<Scalar>(a, prefix + "biases", fan_out));
            fan_in = fan_out;
        }
        return model_type::restore(std::move(params), std::move(weights), std::move(biases),
                                   std::move(classes), std::move(names));
    }
};

// ---- transformers: write(step, artifact, prefix), read(artifact, prefix, params, names_in) ----

template <class Scalar>
struct model_io<standard_scaler<Scalar>> {
    using step_type = standard_scaler<Scalar>;
    static void write(const step_type& s, artifact& a, const std::string& prefix) {
        a.add_tensor(prefix + "means", s.means());
        a.add_tensor(prefix + "scales", s.scales());
    }
    static step_type read(const artifact& a, const std::string& prefix,
                          const nlohmann::json& params, std::vector<std::string> names) {
        const auto d = static_cast<Eigen::Index>(names.size());
        return step_type::restore(detail::params_from<detail::params_of<step_type>>(params),
                                  detail::read_vector<Scalar>(a, prefix + "means", d),
                                  detail::read_vector<Scalar>(a, prefix + "scales", d),
                                  std::move(names));
    }
};

template <class Scalar>
struct model_io<min_max_scaler<Scalar>> {
    using step_type = min_max_scaler<Scalar>;
    static void write(const step_type& s, artifact& a, const std::string& prefix) {
        a.add_tensor(prefix + "scales", s.scales());
        a.add_tensor(prefix + "offsets", s.offsets());
    }
    static step_type read(const artifact& a, const std::string& prefix,
                          const nlohmann::json& params, std::vector<std::string> names) {
        const auto d = static_cast<Eigen::Index>(names.size());
        return step_type::restore(detail::params_from<detail::params_of<step_type>>(params),
                                  detail::read_vector<Scalar>(a, prefix + "scales", d),
                                  detail::read_vector<Scalar>(a, prefix + "offsets", d),
                                  std::move(names));
    }
};

template <class Scalar>
struct model_io<simple_imputer<Scalar>> {
    using step_type = simple_imputer<Scalar>;
    static void write(const step_type& s, artifact& a, const std::string& prefix) {
        a.add_tensor(prefix + "fill_values", s.fill_values());
    }
    static step_type read(const artifact& a, const std::string& prefix,
                          const nlohmann::json& params, std::vector<std::string> names) {
        const auto d = static_cast<Eigen::Index>(names.size());
        return step_type::restore(detail::params_from<detail::params_of<step_type>>(params),
                                  detail::read_vector<Scalar>(a, prefix + "fill_values", d),
                                  std::move(names));
    }
};

template <class Scalar>
struct model_io<one_hot_encoder<Scalar>> {
    using step_type = one_hot_encoder<Scalar>;
    static void write(const step_type& s, artifact& a, const std::string& prefix) {
        std::vector<Scalar> flat;
        std::vector<std::int64_t> counts;
        for (std::size_t j = 0; j < static_cast<std::size_t>(s.n_features_in()); ++j) {
            const auto& cats = s.categories(j);
            flat.insert(flat.end(), cats.begin(), cats.end());
            counts.push_back(static_cast<std::int64_t>(cats.size()));
        }
        a.add_tensor<Scalar>(prefix + "categories", flat, {flat.size()});
        a.add_tensor<std::int64_t>(prefix + "category_counts", counts, {counts.size()});
    }
    static step_type read(const artifact& a, const std::string& prefix,
                          const nlohmann::json& params, std::vector<std::string> names) {
        const auto counts = detail::read_vector<std::int64_t>(
            a, prefix + "category_counts", static_cast<Eigen::Index>(names.size()));
        const auto flat = detail::read_vector<Scalar>(a, prefix + "categories", -1);
        std::vector<std::vector<Scalar>> categories(names.size());
        Eigen::Index at = 0;
        for (std::size_t j = 0; j < names.size(); ++j) {
            const auto count = counts[static_cast<Eigen::Index>(j)];
            if (count < 0 || count > flat.size() - at) {
                detail::artifact_mismatch(
                    "one_hot_encoder: category counts exceed the categories tensor",
                    "the artifact is corrupt");
            }
            categories[j].assign(flat.data() + at, flat.data() + at + count);
            at += count;
        }
        if (at != flat.size())
            detail::artifact_mismatch("one_hot_encoder: unused categories",
                                      "the artifact is corrupt");
        return step_type::restore(detail::params_from<detail::params_of<step_type>>(params),
                                  std::move(names), std::move(categories));
    }
};

namespace detail {

/// Input names of a fitted step (for its manifest entry).
template <class Step>
std::vector<std::string> step_names_in(const Step& step) {
    if constexpr (requires { step.feature_names_in(); }) {
        return step.feature_names_in();
    } else {
        return step.feature_names_out();  // width-preserving steps
    }
}

template <class Scalar>
any_transformer<Scalar> read_step(const artifact& a, std::size_t index,
                                  const nlohmann::json& entry) {
    const std::string where = "manifest preprocessing[" + std::to_string(index) + "]";
    if (!entry.is_object() || !entry.contains("kind") || !entry["kind"].is_string() ||
        !entry.contains("params") || !entry.contains("feature_names_in") ||
        !entry["feature_names_in"].is_array()) {
        artifact_mismatch(where + " is not {\"kind\", \"params\", \"feature_names_in\"}",
                          "the artifact is corrupt");
    }
    std::vector<std::string> names;
    for (const auto& n : entry["feature_names_in"]) {
        if (!n.is_string())
            artifact_mismatch(where + ".feature_names_in holds a non-string",
                              "the artifact is corrupt");
        names.push_back(n.get<std::string>());
    }
    const auto kind = entry["kind"].get<std::string>();
    const std::string prefix = "preprocessing." + std::to_string(index) + ".";
    const auto& params = entry["params"];
    std::optional<any_transformer<Scalar>> step;
    visit_kinds(registered_steps{}, [&]<template <class> class Step>(kind_tag<Step>) {
        if (kind != Step<Scalar>::kind) return false;
        step.emplace(model_io<Step<Scalar>>::read(a, prefix, params, std::move(names)));
        return true;
    });
    if (!step) {
        artifact_mismatch(where + " has unknown kind \"" + kind + "\"",
                          "load it with the mlpipe version that wrote it, or a later one");
    }
    return std::move(*step);
}

/// Writes a fitted step's manifest entry and tensors (as preprocessing step `index`).
/// @throws invalid_input_error for a step whose kind artifact/kinds.hpp does not list
template <class Scalar>
void write_step(const any_transformer<Scalar>& step, std::size_t index, artifact_manifest& m,
                artifact& a) {
    const bool written =
        visit_kinds(registered_steps{}, [&]<template <class> class Step>(kind_tag<Step>) {
            const auto* s = step.template target<Step<Scalar>>();
            if (s == nullptr) return false;
            m.preprocessing.push_back({{"kind", std::string(Step<Scalar>::kind)},
                                       {"params", s->params().to_json()},
                                       {"feature_names_in", step_names_in(*s)}});
            model_io<Step<Scalar>>::write(*s, a, "preprocessing." + std::to_string(index) + ".");
            return true;
        });
    if (!written) {
        throw invalid_input_error(
            "a pipeline step of kind \"" + std::string(step.kind()) + "\" cannot be saved",
            "save pipelines of the steps artifact/kinds.hpp lists");
    }
}

template <class T>
struct is_pipeline : std::false_type {};
template <class M>
struct is_pipeline<pipeline<M>> : std::true_type {};

/// The classifier inside a pipeline, or the model itself.
template <class T>
struct classifier_of {
    using type = T;
};
template <class M>
struct classifier_of<pipeline<M>> {
    using type = M;
};

}  // namespace detail

/// The artifact of a fitted model or pipeline: kind, scalar type, hyperparameters, feature schema,
/// label map, preprocessing steps and tensors. `base` supplies the rest of the manifest (metrics,
/// lineage); its kind, scalar type, schema, labels and preprocessing are overwritten.
/// @throws not_fitted_error for an unfitted model
template <class Model>
[[nodiscard]] artifact to_artifact(const Model& model, artifact_manifest base = {}) {
    if (!model.fitted()) {
        throw not_fitted_error("cannot save a model that was not fitted",
                               "fit it (or load it) first");
    }
    artifact a(std::move(base));
    auto& m = a.manifest();
    m.preprocessing = nlohmann::json::array();
    if constexpr (detail::is_pipeline<Model>::value) {
        for (std::size_t i = 0; i < model.steps().size(); ++i)
            detail::write_step(model.steps()[i], i, m, a);
        const auto& inner = model.model();
        using inner_type = std::decay_t<decltype(inner)>;
        m.kind = std::string(inner_type::kind);
        m.hyperparameters = inner.params().to_json();
        model_io<inner_type>::write(inner, a);
    } else {
        m.kind = std::string(Model::kind);
        m.hyperparameters = model.params().to_json();
        model_io<Model>::write(model, a);
    }
    m.scalar_type = detail::scalar_dtype<typename Model::scalar_type>;
    m.features = feature_schema{static_cast<std::uint64_t>(model.feature_names().size()),
                                model.feature_names()};
    m.labels = model.classes();
    return a;
}

/// The model `Model` (a classifier, or pipeline<classifier>) saved in `a`.
/// @throws format_error when the artifact's kind or scalar type is not Model's (saying which), when
///   a plain model is asked of an artifact with preprocessing steps, or when its parts disagree
template <class Model>
[[nodiscard]] Model load(const artifact& a) {
    using scalar = typename Model::scalar_type;
    const auto& m = a.manifest();
    using classifier_type = typename detail::classifier_of<Model>::type;
    if (m.kind != classifier_type::kind) {
        detail::artifact_mismatch("the artifact holds a \"" + m.kind + "\", not a \"" +
                                      std::string(classifier_type::kind) + "\"",
                                  "load it as its own kind, or with load_any()");
    }
    if (m.scalar_type != detail::scalar_dtype<scalar>) {
        detail::artifact_mismatch(
            std::string("the artifact's scalar type is ") + std::string(to_string(m.scalar_type)) +
                ", the requested model's is " +
                std::string(to_string(detail::scalar_dtype<scalar>)),
            "load it with the matching Scalar (float for f32, double for f64), or with load_any()");
    }
    if (m.features.names.size() != m.features.count) {
        detail::artifact_mismatch("the feature schema lists " +
                                      std::to_string(m.features.names.size()) + " names for " +
                                      std::to_string(m.features.count) + " features",
                                  "the artifact is corrupt");
    }
    if (!m.preprocessing.is_array())
        detail::artifact_mismatch("manifest preprocessing is not an array",
                                  "the artifact is corrupt");
    if constexpr (detail::is_pipeline<Model>::value) {
        std::vector<any_transformer<scalar>> steps;
        for (std::size_t i = 0; i < m.preprocessing.size(); ++i)
            steps.push_back(detail::read_step<scalar>(a, i, m.preprocessing[i]));
        // The classifier sees the last step's output names.
        std::vector<std::string> names = m.features.names;
        if (!steps.empty()) names = steps.back().feature_names_out();
        auto inner =
            model_io<classifier_type>::read(a, m.hyperparameters, m.labels, std::move(names));
        return Model::restore(std::move(steps), std::move(inner), m.features.names);
    } else {
        if (!m.preprocessing.empty()) {
            detail::artifact_mismatch(
                "the artifact holds a pipeline with " + std::to_string(m.preprocessing.size()) +
                    " preprocessing steps before its " + m.kind,
                "load it as pipeline<" + m.kind + "<...>>, or with load_any()");
        }
        return model_io<Model>::read(a, m.hyperparameters, m.labels, m.features.names);
    }
}

/// Separate compilation (config.hpp): each model family's part of the compiled library holds the
/// artifact round trips of its double and float classes (separate_compilation/model.ipp).
#define MLPIPE_ROUND_TRIP_OF(prefix, M)                                   \
    prefix template artifact to_artifact<M>(const M&, artifact_manifest); \
    prefix template M load<M>(const artifact&);
#define MLPIPE_ROUND_TRIPS_OF(prefix, Family) \
    MLPIPE_ROUND_TRIP_OF(prefix, Family<double>) MLPIPE_ROUND_TRIP_OF(prefix, Family<float>)
#if defined(MLPIPE_SEPARATE_COMPILATION)
#define MLPIPE_EXTERN_ROUND_TRIPS(Family) MLPIPE_ROUND_TRIPS_OF(extern, Family)
MLPIPE_FOR_EACH_MODEL_KIND(MLPIPE_EXTERN_ROUND_TRIPS)
#undef MLPIPE_EXTERN_ROUND_TRIPS
#endif

#if MLPIPE_DEFINE_FUNCTIONS  // header-only mode, or the compiled library (config.hpp)

namespace detail {

MLPIPE_DECL Eigen::Index score_rows(const label_map& classes) {
    return classes.size() == 2 ? 1 : static_cast<Eigen::Index>(classes.size());
}

}  // namespace detail

#endif  // MLPIPE_DEFINE_FUNCTIONS

}  // namespace mlpipe
