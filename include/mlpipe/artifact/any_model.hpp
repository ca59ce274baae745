// SPDX-License-Identifier: Apache-2.0
/// @file artifact/any_model.hpp `any_model`: a loaded model whose C++ type the caller does not
/// name, and `load_any`, which picks the type from the artifact's kind and scalar type.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include "../error.hpp"
#include "../models.hpp"
#include "../preprocessing.hpp"
#include "artifact.hpp"
#include "codec.hpp"
#include "kinds.hpp"
#include "model_io.hpp"

namespace mlpipe {

/// A fitted model (always a pipeline, possibly without steps) behind a type-erased handle. Inputs
/// and outputs are double; a float model converts on the way in and out.
/// Thread safety: const members may be called concurrently; copies share the model (immutable).
class any_model {
  public:
    /// Most probable class index per row. @throws as the model's predict
    [[nodiscard]] class_index_vector predict(matrix_cref<double> x) const {
        return self().predict(x);
    }
    /// Probabilities, n x n_classes. @throws as the model's predict_proba
    [[nodiscard]] probability_matrix<double> predict_proba(matrix_cref<double> x) const {
        return self().predict_proba(x);
    }
    /// predict(x) and predict_proba(x) in one pass (mlpipe::predict_with_proba): what a predictor
    /// answers. @throws as the model's predict_proba
    [[nodiscard]] classes_and_probabilities<double> predict_with_proba(
        matrix_cref<double> x) const {
        return self().predict_with_proba(x);
    }
    /// Probabilities of one row (float models allocate a small conversion buffer).
    void predict_proba_row(std::span<const double> row, std::span<double> out) const {
        self().predict_proba_row(row, out);
    }

    [[nodiscard]] Eigen::Index n_features() const { return self().n_features(); }
    [[nodiscard]] const label_map& classes() const { return manifest().labels; }
    [[nodiscard]] const std::vector<std::string>& feature_names() const {
        return manifest().features.names;
    }
    /// The classifier's kind ("logistic_regression", ...).
    [[nodiscard]] const std::string& kind() const { return manifest().kind; }
    /// The manifest the model was loaded from (metrics, lineage, hyperparameters, ...).
    [[nodiscard]] const artifact_manifest& manifest() const { return self().manifest; }
    [[nodiscard]] bool empty() const noexcept { return !impl_; }

    struct concept_t {
        virtual ~concept_t() = default;
        virtual class_index_vector predict(matrix_cref<double> x) const = 0;
        virtual probability_matrix<double> predict_proba(matrix_cref<double> x) const = 0;
        virtual classes_and_probabilities<double> predict_with_proba(
            matrix_cref<double> x) const = 0;
        virtual void predict_proba_row(std::span<const double> row,
                                       std::span<double> out) const = 0;
        virtual Eigen::Index n_features() const = 0;
        artifact_manifest manifest;
    };

    explicit any_model(std::shared_ptr<const concept_t> impl) : impl_(std::move(impl)) {}
    any_model() = default;

  private:
    const concept_t& self() const {
        if (!impl_)
            throw not_fitted_error("an empty any_model is used", "obtain one from load_any()");
        return *impl_;
    }
    std::shared_ptr<const concept_t> impl_;
};

namespace detail {

template <class Pipeline>
class any_model_holder final : public any_model::concept_t {
  public:
    using scalar = typename Pipeline::scalar_type;
    any_model_holder(Pipeline p, artifact_manifest m) : model_(std::move(p)) {
        manifest = std::move(m);
    }

    class_index_vector predict(matrix_cref<double> x) const override {
        if constexpr (std::is_same_v<scalar, double>) {
            return model_.predict(x);
        } else {
            return model_.predict(feature_matrix<scalar>(x.template cast<scalar>()));
        }
    }
    probability_matrix<double> predict_proba(matrix_cref<double> x) const override {
        if constexpr (std::is_same_v<scalar, double>) {
            return model_.predict_proba(x);
        } else {
            return model_.predict_proba(feature_matrix<scalar>(x.template cast<scalar>()))
                .template cast<double>();
        }
    }
    classes_and_probabilities<double> predict_with_proba(matrix_cref<double> x) const override {
        if constexpr (std::is_same_v<scalar, double>) {
            return model_.predict_with_proba(x);
        } else {
            auto both =
                model_.predict_with_proba(feature_matrix<scalar>(x.template cast<scalar>()));
            return {std::move(both.classes), both.probabilities.template cast<double>()};
        }
    }
    void predict_proba_row(std::span<const double> row, std::span<double> out) const override {
        if constexpr (std::is_same_v<scalar, double>) {
            model_.predict_proba_row(row, out);
        } else {
            std::vector<scalar> in(row.begin(), row.end());
            std::vector<scalar> result(out.size());
            model_.predict_proba_row(in, result);
            for (std::size_t k = 0; k < out.size(); ++k)
                out[k] = static_cast<double>(result[k]);
        }
    }
    Eigen::Index n_features() const override { return model_.n_features(); }

  private:
    Pipeline model_;
};

template <template <class> class Model>
bool try_load(const artifact& a, std::shared_ptr<const any_model::concept_t>& out) {
    if (a.manifest().kind != Model<double>::kind) return false;
    if (a.manifest().scalar_type == tensor_dtype::f32) {
        using p = pipeline<Model<float>>;
        out = std::make_shared<any_model_holder<p>>(load<p>(a), a.manifest());
    } else {
        using p = pipeline<Model<double>>;
        out = std::make_shared<any_model_holder<p>>(load<p>(a), a.manifest());
    }
    return true;
}

template <class Models>
std::shared_ptr<const any_model::concept_t> load_registered(const artifact& a, Models models) {
    std::shared_ptr<const any_model::concept_t> out;
    visit_kinds(models, [&]<template <class> class Model>(kind_tag<Model>) {
        return try_load<Model>(a, out);
    });
    return out;
}

}  // namespace detail

/// The model saved in `a`, whatever its kind and scalar type.
///
/// A template only so that its body, which instantiates the loading of every registered kind in
/// float and double, is compiled in the translation units that call it rather than in every one
/// that includes this header (about 4 s of g++ time); call it as load_any(a).
/// @tparam Models the kinds to try (registered_models, artifact/kinds.hpp)
/// @throws format_error for an unknown kind (naming the known ones) or inconsistent parts
template <class Models = registered_models>
[[nodiscard]] any_model load_any(const artifact& a) {
    auto impl = detail::load_registered(a, Models{});
    if (!impl) {
        detail::artifact_mismatch("unknown model kind \"" + a.manifest().kind +
                                      "\" (known: " + kind_names_text(Models{}) + ")",
                                  "load it with the mlpipe version that wrote it, or a later one");
    }
    return any_model(std::move(impl));
}

/// Verifies, decodes and loads artifact bytes (the tensors are copied into the model).
/// @throws format_error for malformed bytes, an unknown kind or inconsistent parts
template <class Models = registered_models>
[[nodiscard]] any_model load_any(std::span<const std::byte> bytes) {
    return load_any<Models>(decode_artifact(bytes));
}

/// Separate compilation (config.hpp): each model family's part of the compiled library holds its
/// loading through load_any (separate_compilation/model.ipp).
#define MLPIPE_TRY_LOAD_OF(prefix, Family)                         \
    prefix template bool detail::try_load<Family>(const artifact&, \
                                                  std::shared_ptr<const any_model::concept_t>&);
#if defined(MLPIPE_SEPARATE_COMPILATION)
#define MLPIPE_EXTERN_TRY_LOAD(Family) MLPIPE_TRY_LOAD_OF(extern, Family)
MLPIPE_FOR_EACH_MODEL_KIND(MLPIPE_EXTERN_TRY_LOAD)
#undef MLPIPE_EXTERN_TRY_LOAD
#endif

}  // namespace mlpipe
