// SPDX-License-Identifier: Apache-2.0
/// @file artifact/artifact.hpp `artifact`: a manifest and named tensors, the in-memory form of a
/// model file (encode_artifact / decode_artifact turn it into bytes and back).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include "../error.hpp"
#include "manifest.hpp"
#include "tensor.hpp"

namespace mlpipe {

/// A model's artifact in memory: a manifest (kind, scalar type, hyperparameters, features, labels,
/// preprocessing, metrics, lineage) and tensors with unique names, in the order they were added.
///
/// A classifier writes itself with `add_tensor` and reads itself back with `tensor(name)` and the
/// tensor's typed accessors (Eigen::Map views, no copies):
/// @code
///   mlpipe::artifact a;
///   a.manifest().kind = "logistic_regression";
///   a.add_tensor("coef", coef_);            // Eigen matrix: rank 2, row-major
///   a.add_tensor("intercept", intercept_);  // Eigen vector: rank 1
///   ...
///   coef_ = a.tensor("coef").matrix<double>();
/// @endcode
/// Thread safety: const member functions may be called concurrently; mutation needs exclusive
/// access. Copies share tensor bytes (immutable), not the manifest.
class artifact {
  public:
    /// An artifact with a default manifest and no tensors.
    artifact() = default;
    /// An artifact with `manifest` and no tensors.
    explicit artifact(artifact_manifest manifest) : manifest_(std::move(manifest)) {}

    /// The manifest.
    [[nodiscard]] const artifact_manifest& manifest() const noexcept { return manifest_; }
    /// The manifest, to fill in.
    [[nodiscard]] artifact_manifest& manifest() noexcept { return manifest_; }

    /// The tensors in the order they were added.
    [[nodiscard]] const std::vector<artifact_tensor>& tensors() const noexcept { return tensors_; }

    /// Adds `t`.
    /// @throws invalid_input_error when a tensor of that name exists or the tensor count limit is
    ///   reached.
    /// Complexity: amortised O(1).
    void add_tensor(artifact_tensor t) {
        if (index_.contains(t.name())) {
            throw invalid_input_error(
                "the artifact already has a tensor named \"" + t.name() + "\"",
                "give every tensor a unique name", "name");
        }
        if (tensors_.size() >= artifact_limits{}.max_tensors) {
            throw invalid_input_error("the artifact already holds " +
                                          std::to_string(tensors_.size()) + " tensors, the limit",
                                      "pack values into fewer, larger tensors", "tensors");
        }
        index_.emplace(t.name(), tensors_.size());
        tensors_.push_back(std::move(t));
    }

    /// Adds a copy of `values` with `shape` (row-major; an empty shape is a scalar).
    template <tensor_element T>
    void add_tensor(std::string name, std::span<const T> values, std::vector<std::uint64_t> shape) {
        add_tensor(artifact_tensor::copy_of<T>(std::move(name), values, std::move(shape)));
    }

    /// Adds a copy of an Eigen vector (rank 1) or matrix (rank 2, row-major).
    template <class Derived>
    requires tensor_element<typename Derived::Scalar>
    void add_tensor(std::string name, const Eigen::DenseBase<Derived>& values) {
        add_tensor(artifact_tensor::copy_of(std::move(name), values));
    }

    /// The tensor named `name`, or nullptr. Complexity: O(1) on average.
    [[nodiscard]] const artifact_tensor* find_tensor(std::string_view name) const {
        const auto it = index_.find(std::string(name));
        return it == index_.end() ? nullptr : &tensors_[it->second];
    }

    /// The tensor named `name`.
    /// @throws format_error when there is none: a model reading an artifact of another kind or
    ///   version.
    [[nodiscard]] const artifact_tensor& tensor(std::string_view name) const {
        if (const auto* t = find_tensor(name)) return *t;
        throw format_error("the artifact has no tensor named \"" + std::string(name) + "\"",
                           "check that the artifact's kind (\"" + manifest_.kind +
                               "\") is the one of the model reading it",
                           source_position{"artifact"});
    }

    /// The sum of the tensors' byte sizes.
    [[nodiscard]] std::uint64_t tensor_bytes() const noexcept {
        std::uint64_t total = 0;
        for (const auto& t : tensors_)
            total += t.byte_size();
        return total;
    }

    /// True when every tensor owns its bytes or keeps them alive (false after decode_artifact_view
    /// of a buffer the caller owns).
    [[nodiscard]] bool holds_its_bytes() const noexcept {
        for (const auto& t : tensors_) {
            if (!t.holds_its_bytes()) return false;
        }
        return true;
    }

    /// Same manifest and same tensors in the same order, bit for bit.
    friend bool operator==(const artifact& a, const artifact& b) {
        return a.manifest_ == b.manifest_ && a.tensors_ == b.tensors_;
    }

  private:
    artifact_manifest manifest_;
    std::vector<artifact_tensor> tensors_;
    std::unordered_map<std::string, std::size_t> index_;
};

}  // namespace mlpipe
