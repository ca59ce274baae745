// SPDX-License-Identifier: Apache-2.0
/// @file preprocessing/any_transformer.hpp `any_transformer`: any preprocessing step (anything
/// that models the transformer concept) behind one value type, as a pipeline holds its steps.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include "../data/dataset.hpp"
#include "../models/classifier.hpp"
#include "transformer.hpp"

namespace mlpipe {

/// A preprocessing step of any type, fitted or not. Copies are deep (a copy fits on its own).
/// The set of step types is open: a user's own transformer goes into a pipeline as mlpipe's do
/// (saving one in an artifact needs its kind in artifact/kinds.hpp and a model_io specialisation).
/// Thread safety: const members may be called concurrently.
template <class Scalar>
class any_transformer {
  public:
    using scalar_type = Scalar;

    /// Holds `step`.
    template <transformer Step>
    requires std::same_as<typename Step::scalar_type, Scalar> any_transformer(
        Step step)  // NOLINT(google-explicit-constructor): a step is a step
        : self_(std::make_unique<holder<Step>>(std::move(step))) {}

    any_transformer(const any_transformer& other) : self_(other.self_->clone()) {}
    any_transformer(any_transformer&&) noexcept = default;
    any_transformer& operator=(const any_transformer& other) {
        if (this != &other) self_ = other.self_->clone();
        return *this;
    }
    any_transformer& operator=(any_transformer&&) noexcept = default;
    ~any_transformer() = default;

    /// The step's kind ("standard_scaler", ...).
    [[nodiscard]] std::string_view kind() const noexcept { return self_->kind(); }
    /// Learns from `data`. @throws as the step's fit
    void fit(const dataset<Scalar>& data) { self_->fit(data); }
    /// The step's output for `x`. @throws as the step's transform
    [[nodiscard]] feature_matrix<Scalar> transform(matrix_cref<Scalar> x) const {
        return self_->transform(x);
    }
    /// The output of one row, into `out` (n_features_out() values). @throws as the step's
    void transform_row(std::span<const Scalar> in, std::span<Scalar> out) const {
        self_->transform_row(in, out);
    }
    [[nodiscard]] Eigen::Index n_features_in() const noexcept { return self_->n_features_in(); }
    [[nodiscard]] Eigen::Index n_features_out() const noexcept { return self_->n_features_out(); }
    [[nodiscard]] std::vector<std::string> feature_names_out() const {
        return self_->feature_names_out();
    }
    [[nodiscard]] bool fitted() const noexcept { return self_->fitted(); }

    /// The step as a `Step`, or null when it is another type (as std::function::target).
    template <class Step>
    [[nodiscard]] const Step* target() const noexcept {
        const auto* h = dynamic_cast<const holder<Step>*>(self_.get());
        return h == nullptr ? nullptr : &h->step;
    }

  private:
    struct concept_t {
        concept_t() = default;
        concept_t(const concept_t&) = default;
        concept_t& operator=(const concept_t&) = default;
        virtual ~concept_t() = default;
        [[nodiscard]] virtual std::unique_ptr<concept_t> clone() const = 0;
        [[nodiscard]] virtual std::string_view kind() const noexcept = 0;
        virtual void fit(const dataset<Scalar>& data) = 0;
        [[nodiscard]] virtual feature_matrix<Scalar> transform(matrix_cref<Scalar> x) const = 0;
        virtual void transform_row(std::span<const Scalar> in, std::span<Scalar> out) const = 0;
        [[nodiscard]] virtual Eigen::Index n_features_in() const noexcept = 0;
        [[nodiscard]] virtual Eigen::Index n_features_out() const noexcept = 0;
        [[nodiscard]] virtual std::vector<std::string> feature_names_out() const = 0;
        [[nodiscard]] virtual bool fitted() const noexcept = 0;
    };

    template <class Step>
    struct holder final : concept_t {
        explicit holder(Step s) : step(std::move(s)) {}
        std::unique_ptr<concept_t> clone() const override { return std::make_unique<holder>(step); }
        std::string_view kind() const noexcept override { return Step::kind; }
        void fit(const dataset<Scalar>& data) override { step.fit(data); }
        feature_matrix<Scalar> transform(matrix_cref<Scalar> x) const override {
            return step.transform(x);
        }
        void transform_row(std::span<const Scalar> in, std::span<Scalar> out) const override {
            step.transform_row(in, out);
        }
        Eigen::Index n_features_in() const noexcept override { return step.n_features_in(); }
        Eigen::Index n_features_out() const noexcept override { return step.n_features_out(); }
        std::vector<std::string> feature_names_out() const override {
            return step.feature_names_out();
        }
        bool fitted() const noexcept override { return step.fitted(); }

        Step step;
    };

    std::unique_ptr<concept_t> self_;
};

template <classifier Model>
class pipeline;

}  // namespace mlpipe
