// SPDX-License-Identifier: Apache-2.0
/// @file serving/predictor.hpp `predictor`: serves predictions of registry models by name and alias
/// or version, through a cache keyed by artifact digest, re-checking aliases after a TTL or on a
/// storage notification, and validating every request before any model code runs.
///
/// How a request is served: the (model, reference) pair is bound to a loaded model (a `binding`).
/// A binding to a version number never changes. A binding to an alias or "latest" is re-checked
/// when it is older than `alias_ttl` or after `notify`/`refresh`: the registry resolves the
/// reference, and when the digest changed the new artifact is loaded (through the cache) and
/// swapped in under a mutex. Requests hold a `std::shared_ptr` to the model they started with, so
/// a swap never disturbs a request in flight and no request ever sees a half-loaded model.
///
/// The cache holds loaded models by the SHA-256 digest of their artifact. At most one load per
/// digest runs at a time: concurrent callers wait for it (a `std::shared_future`), and a failed
/// load is forgotten so the next request tries again. While a TTL re-check runs, other requests
/// keep using the current model (one re-check per binding at a time; no thundering herd).
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include "../artifact/any_model.hpp"
#include "../artifact/codec.hpp"
#include "../artifact/kinds.hpp"
#include "../detail/names.hpp"
#include "../error.hpp"
#include "../log.hpp"
#include "../registry/model_registry.hpp"
#include "../storage/blob_store.hpp"
#include "serving_error.hpp"

namespace mlpipe {

/// What a predictor does with a missing value (NaN; `null` in a JSON request).
enum class missing_value_policy {
    reject_unless_imputer,  ///< accept NaN only when the model's pipeline has a simple_imputer
    reject,                 ///< always refuse NaN
    pass_through            ///< hand NaN to the model (which refuses it unless it imputes)
};

/// Size limits of a request. Infinite values are always refused (no imputer fills them).
struct serving_limits {
    /// Most instances (rows) in one request; more is a payload_too_large_error (HTTP 413).
    std::size_t max_rows = 10000;
    /// Most bytes of an event or request body (Lambda's synchronous payload limit is 6 MB).
    std::size_t max_payload_bytes = std::size_t{6} * 1024 * 1024;
    /// Deepest nesting of arrays and objects in an event (checked before parsing).
    std::size_t max_json_depth = 32;
};

/// Options of predictor.
struct predictor_options {
    /// How long an alias (or "latest") binding is trusted before it is re-checked against the
    /// registry. Zero re-checks on every request. Version-number bindings are never re-checked.
    std::chrono::milliseconds alias_ttl{std::chrono::seconds(30)};
    /// Request limits (the handler applies the byte and depth limits, the predictor the rows).
    serving_limits limits{};
    /// NaN policy (JSON requests send a missing value as null).
    missing_value_policy missing_values = missing_value_policy::reject_unless_imputer;
    /// Loaded models kept in the cache beyond those bound to a name (older ones are dropped).
    std::size_t max_cached_models = 8;
    /// Called with the artifact bytes (already checked against the registry's SHA-256) before they
    /// are parsed; throw to refuse them. Use it to require signatures, e.g. with
    /// `mlpipe::verify_artifact_signature(bytes, key)` from artifact/signature.hpp (which needs
    /// OpenSSL, so the core does not call it itself). Empty: no extra verification.
    std::function<void(std::span<const std::byte> bytes, const model_version& version)> verify{};
    /// Limits for decoding artifacts.
    artifact_limits artifact{};
    /// The clock of the TTL (tests pass a manual one). Empty: std::chrono::steady_clock::now.
    std::function<std::chrono::steady_clock::time_point()> clock{};
};

/// Request rows: row-major values, NaN for a missing value, and optionally the feature names of
/// the columns (named instances), in any order; the predictor puts them in the model's order.
struct feature_rows {
    std::vector<double> values;      ///< rows x columns, row-major
    std::size_t rows = 0;            ///< number of instances
    std::size_t columns = 0;         ///< values per instance
    std::vector<std::string> names;  ///< empty (positional), or `columns` feature names
};

/// A loaded model as the predictor serves it: the registry's version record, the model, and what
/// request validation needs. Immutable; shared between the cache, bindings and predictions.
struct served_model {
    model_version info;    ///< name, version, digest, metadata, ...
    any_model model;       ///< the loaded pipeline
    bool imputes = false;  ///< the pipeline has a simple_imputer (NaN is then allowed)
    std::shared_ptr<const std::unordered_map<std::string, std::size_t>>
        feature_index;  ///< name->column
};

/// The answer to one request; `source` names the model, version and digest that produced it.
struct prediction {
    std::shared_ptr<const served_model> source;  ///< the model that produced this prediction
    class_index_vector classes;                  ///< class index per instance
    probability_matrix<double> probabilities;    ///< instances x classes

    [[nodiscard]] const std::string& model() const noexcept { return source->info.model; }
    [[nodiscard]] std::uint64_t version() const noexcept { return source->info.version; }
    [[nodiscard]] const std::string& digest() const noexcept { return source->info.sha256; }
    /// The class labels (probabilities' columns are in this order).
    [[nodiscard]] const label_map& labels() const { return source->model.classes(); }
};

/// Counters of a predictor, for monitoring and tests.
struct predictor_stats {
    std::uint64_t loads = 0;          ///< artifacts fetched and loaded
    std::uint64_t load_failures = 0;  ///< loads that threw
    std::uint64_t cache_hits = 0;     ///< re-checks that found the digest loaded or loading
    std::uint64_t alias_checks = 0;   ///< resolutions of a reference against the registry
    std::uint64_t swaps = 0;          ///< bindings that changed model
};

/// Serves predictions of the models in a model_registry on any blob_store (see the file comment).
/// `Models` are the kinds it can load (a kind_list, artifact/kinds.hpp): every kind by default; a
/// function that serves one kind may name only it (`kind_list<logistic_regression>`), and compiles
/// the loading of that kind alone (an artifact of another kind is then a format_error).
/// Thread safety: every member may be called concurrently; predictions run concurrently on shared
/// immutable models. The registry's store must outlive the predictor.
/// Complexity: a request on a fresh binding costs a map lookup under a mutex plus validation and
/// the model; a re-check costs one or two store reads; a load costs a fetch, SHA-256, a decode.
template <blob_store Store, class Models = registered_models>
class predictor {
  public:
    using clock_type = std::chrono::steady_clock;

    /// A predictor over `registry`.
    explicit predictor(model_registry<Store> registry, predictor_options options = {})
        : registry_(std::move(registry)), options_(std::move(options)) {}

    /// A predictor over a registry on `store` (kept by reference).
    explicit predictor(Store& store, predictor_options options = {}, registry_options registry = {})
        : predictor(model_registry<Store>(store, std::move(registry)), std::move(options)) {}

    predictor(const predictor&) = delete;
    predictor& operator=(const predictor&) = delete;

    /// The loaded model `reference` names: "production" (any alias), "7" (a version) or "latest".
    /// @throws invalid_input_error for a malformed name; not_found_error for an unknown model,
    ///   alias or version; model_unavailable_error when the artifact cannot be fetched, verified
    ///   or loaded (a model already being served keeps being served when a re-check fails).
    [[nodiscard]] std::shared_ptr<const served_model> get(std::string_view model,
                                                          std::string_view reference) {
        check_reference(model, reference);
        const auto b = binding_for(model, reference);
        std::shared_ptr<const served_model> current;
        {
            std::lock_guard lock(bindings_mutex_);
            current = b->current;
            if (current && (b->pinned || (!b->stale && now() - b->checked_at < options_.alias_ttl)))
                return current;
        }
        if (current) {
            // Stale: one caller re-checks, the others keep serving the current model meanwhile.
            std::unique_lock refresh(b->refresh_mutex, std::try_to_lock);
            if (!refresh.owns_lock()) return current;
            try {
                recheck(*b);
            } catch (const std::exception& e) {
                keep_after_failure(*b, e);
            }
            std::lock_guard lock(bindings_mutex_);
            return b->current;
        }
        std::lock_guard refresh(b->refresh_mutex);
        {
            std::lock_guard lock(bindings_mutex_);
            if (b->current) return b->current;  // loaded while this caller waited
        }
        try {
            recheck(*b);
        } catch (...) {
            forget_binding(b);  // an unknown alias must not leave an entry behind
            throw;
        }
        std::lock_guard lock(bindings_mutex_);
        return b->current;
    }

    /// Checks `rows` against `m` and returns them as a matrix in the model's feature order.
    /// @throws invalid_input_error (feature count or names, NaN under the policy, infinity, no
    ///   rows); payload_too_large_error for more rows than limits.max_rows.
    /// Complexity: O(values).
    [[nodiscard]] feature_matrix<double> validate(const served_model& m,
                                                  const feature_rows& rows) const {
        if (rows.rows == 0) {
            throw invalid_input_error("the request holds no instances",
                                      "send at least one instance", "instances");
        }
        if (rows.rows > options_.limits.max_rows) {
            throw payload_too_large_error("the request holds " + std::to_string(rows.rows) +
                                              " instances, more than the limit of " +
                                              std::to_string(options_.limits.max_rows),
                                          "split it into smaller batches", "instances");
        }
        if (rows.values.size() / rows.rows != rows.columns || rows.values.size() % rows.rows != 0 ||
            (!rows.names.empty() && rows.names.size() != rows.columns)) {
            throw invalid_input_error("the request's values do not form rows x columns",
                                      "give every instance the same features", "instances");
        }
        const auto n = static_cast<std::size_t>(m.model.n_features());
        feature_matrix<double> x(static_cast<Eigen::Index>(rows.rows),
                                 static_cast<Eigen::Index>(n));
        if (rows.names.empty()) {
            if (rows.columns != n) {
                throw invalid_input_error(
                    "each instance has " + std::to_string(rows.columns) +
                        " features, but model \"" + m.info.model + "\" version " +
                        std::to_string(m.info.version) + " expects " + std::to_string(n),
                    "send " + std::to_string(n) + " values per instance" + describe_names(m),
                    "instances");
            }
            std::copy(rows.values.begin(), rows.values.end(), x.data());
        } else {
            if (!m.feature_index || m.feature_index->empty()) {
                throw invalid_input_error(
                    "model \"" + m.info.model +
                        "\" has no feature names, so named instances "
                        "cannot be mapped to its columns",
                    "send each instance as an array of " + std::to_string(n) + " numbers",
                    "instances");
            }
            std::vector<std::size_t> column_of(rows.columns);
            std::vector<bool> seen(n, false);
            for (std::size_t j = 0; j < rows.columns; ++j) {
                const auto it = m.feature_index->find(rows.names[j]);
                if (it == m.feature_index->end()) {
                    throw invalid_input_error(
                        "unknown feature \"" + rows.names[j].substr(0, 64) + "\"",
                        "use the model's feature names" + describe_names(m), "instances");
                }
                if (seen[it->second]) {
                    throw invalid_input_error("feature \"" + rows.names[j] + "\" is given twice",
                                              "give each feature once", "instances");
                }
                seen[it->second] = true;
                column_of[j] = it->second;
            }
            if (rows.columns != n) {
                std::string missing;
                const auto& names = m.model.feature_names();
                for (std::size_t k = 0, shown = 0; k < n && shown < 5; ++k) {
                    if (!seen[k]) {
                        missing += (shown++ ? ", " : "") + names[k];
                    }
                }
                throw invalid_input_error("instances lack " + std::to_string(n - rows.columns) +
                                              " of the model's features (" + missing + ")",
                                          "give every feature; send null for a missing value "
                                          "when the model imputes",
                                          "instances");
            }
            for (std::size_t r = 0; r < rows.rows; ++r) {
                for (std::size_t j = 0; j < rows.columns; ++j) {
                    x(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(column_of[j])) =
                        rows.values[r * rows.columns + j];
                }
            }
        }
        const bool nan_ok =
            options_.missing_values == missing_value_policy::pass_through ||
            (options_.missing_values == missing_value_policy::reject_unless_imputer && m.imputes);
        const double* v = x.data();
        for (std::size_t i = 0, size = rows.rows * n; i < size; ++i) {
            if (std::isfinite(v[i])) continue;
            const auto r = i / n;
            const auto c = i % n;
            const auto& names = m.model.feature_names();
            const std::string where =
                "instance " + std::to_string(r) + ", feature " +
                (c < names.size() ? "\"" + names[c] + "\"" : std::to_string(c));
            if (!std::isnan(v[i])) {
                throw invalid_input_error(where + " is infinite", "send finite numbers",
                                          "instances");
            }
            if (!nan_ok) {
                throw invalid_input_error(
                    where + " is missing (null or NaN) and model \"" + m.info.model +
                        "\" version " + std::to_string(m.info.version) +
                        " does not impute missing values",
                    "send a value, or serve a model whose pipeline has a simple_imputer",
                    "instances");
            }
        }
        return x;
    }

    /// Predicts `rows` with the model `reference` names: validation first, then the model.
    /// @throws as get() and validate(); invalid_input_error from the model for input it refuses.
    [[nodiscard]] prediction predict(std::string_view model, std::string_view reference,
                                     const feature_rows& rows) {
        auto m = get(model, reference);
        const auto x = validate(*m, rows);
        return run(std::move(m), x);
    }

    /// Predicts the rows of `x` (positional features).
    [[nodiscard]] prediction predict(std::string_view model, std::string_view reference,
                                     matrix_cref<double> x) {
        feature_rows rows;
        rows.rows = static_cast<std::size_t>(x.rows());
        rows.columns = static_cast<std::size_t>(x.cols());
        rows.values.assign(x.data(), x.data() + x.size());
        if (x.outerStride() != x.cols()) {
            for (Eigen::Index r = 0; r < x.rows(); ++r)
                for (Eigen::Index c = 0; c < x.cols(); ++c)
                    rows.values[static_cast<std::size_t>(r * x.cols() + c)] = x(r, c);
        }
        return predict(model, reference, rows);
    }

    /// Re-resolves every alias and "latest" binding of `model` now and swaps those whose artifact
    /// changed (the hook for storage events). A binding whose re-check fails keeps its model and is
    /// re-checked on its next request. Returns the number of bindings that changed model.
    /// Thread safety: concurrent with requests; re-checks of one binding are serialised.
    std::size_t refresh(std::string_view model) {
        std::vector<std::shared_ptr<binding>> targets;
        {
            std::lock_guard lock(bindings_mutex_);
            for (const auto& [key, b] : bindings_) {
                if (key.first == model && !b->pinned) targets.push_back(b);
            }
        }
        std::size_t changed = 0;
        for (const auto& b : targets) {
            std::lock_guard refresh_lock(b->refresh_mutex);
            std::shared_ptr<const served_model> before;
            {
                std::lock_guard lock(bindings_mutex_);
                before = b->current;
            }
            try {
                recheck(*b);
            } catch (const std::exception& e) {
                keep_after_failure(*b, e);
                std::lock_guard lock(bindings_mutex_);
                b->stale = true;
                continue;
            }
            std::lock_guard lock(bindings_mutex_);
            if (b->current != before) ++changed;
        }
        return changed;
    }

    /// A store key changed (an S3 event, an inotify watch, ...): when it lies under the registry's
    /// prefix as `models/<model>/...` (an alias move, a new version), refreshes that model's
    /// bindings. Returns the model name, or nullopt when the key does not concern this registry.
    std::optional<std::string> notify(std::string_view key) {
        const std::string& prefix = registry_.options().prefix;
        if (key.substr(0, prefix.size()) != prefix) return std::nullopt;
        key.remove_prefix(prefix.size());
        constexpr std::string_view models = "models/";
        if (key.substr(0, models.size()) != models) return std::nullopt;
        key.remove_prefix(models.size());
        const auto slash = key.find('/');
        if (slash == std::string_view::npos || slash == 0) return std::nullopt;
        std::string model(key.substr(0, slash));
        (void)refresh(model);
        return model;
    }

    /// The counters (each read atomically; together they are a near-snapshot).
    [[nodiscard]] predictor_stats stats() const noexcept {
        return predictor_stats{loads_.load(), load_failures_.load(), cache_hits_.load(),
                               alias_checks_.load(), swaps_.load()};
    }

    [[nodiscard]] const predictor_options& options() const noexcept { return options_; }
    [[nodiscard]] model_registry<Store>& registry() noexcept { return registry_; }

  private:
    struct binding {
        std::string model;
        std::string reference;
        bool pinned = false;       // a version number: never re-checked
        std::mutex refresh_mutex;  // one re-check at a time
        // Guarded by bindings_mutex_:
        std::shared_ptr<const served_model> current;
        clock_type::time_point checked_at{};
        bool stale = false;
    };

    using binding_key = std::pair<std::string, std::string>;
    struct binding_less {
        using is_transparent = void;
        template <class A, class B>
        bool operator()(const A& a, const B& b) const {
            const std::string_view am(a.first), bm(b.first);
            if (am != bm) return am < bm;
            return std::string_view(a.second) < std::string_view(b.second);
        }
    };

    struct cache_slot {
        std::shared_future<std::shared_ptr<const served_model>> future;
    };

    clock_type::time_point now() const {
        return options_.clock ? options_.clock() : clock_type::now();
    }

    static void check_reference(std::string_view model, std::string_view reference) {
        detail::validate_name(model, "model");
        if (!reference.empty() && std::all_of(reference.begin(), reference.end(),
                                              [](char c) { return c >= '0' && c <= '9'; })) {
            if (reference.size() > 18) {
                throw invalid_input_error(
                    "version \"" + std::string(reference) + "\" is out of range",
                    "name a published version", "version");
            }
            return;
        }
        detail::validate_name(reference, "alias");
    }

    static bool is_version_number(std::string_view reference) {
        return !reference.empty() && std::all_of(reference.begin(), reference.end(),
                                                 [](char c) { return c >= '0' && c <= '9'; });
    }

    static std::string describe_names(const served_model& m) {
        const auto& names = m.model.feature_names();
        if (names.empty()) return {};
        std::string text = " (";
        for (std::size_t k = 0; k < names.size() && k < 10; ++k)
            text += (k ? ", " : "") + names[k];
        if (names.size() > 10) text += ", ...";
        return text + ")";
    }

    std::shared_ptr<binding> binding_for(std::string_view model, std::string_view reference) {
        std::lock_guard lock(bindings_mutex_);
        const std::pair<std::string_view, std::string_view> key(model, reference);
        auto it = bindings_.find(key);
        if (it != bindings_.end()) return it->second;
        auto b = std::make_shared<binding>();
        b->model = std::string(model);
        b->reference = std::string(reference);
        b->pinned = is_version_number(reference);
        bindings_.emplace(binding_key(b->model, b->reference), b);
        return b;
    }

    void forget_binding(const std::shared_ptr<binding>& b) {
        std::lock_guard lock(bindings_mutex_);
        const auto it = bindings_.find(binding_key(b->model, b->reference));
        if (it != bindings_.end() && it->second == b && !b->current) bindings_.erase(it);
    }

    void keep_after_failure(binding& b, const std::exception& e) {
        log_message(log_level::warn, "serving",
                    "re-checking " + b.model + "@" + b.reference +
                        " failed; the current model keeps serving: " + e.what());
        std::lock_guard lock(bindings_mutex_);
        b.checked_at = now();  // try again after the TTL, not on every request
    }

    /// Resolves the binding's reference and swaps in the model it names. Caller holds
    /// b.refresh_mutex.
    void recheck(binding& b) {
        ++alias_checks_;
        std::uint64_t version = 0;
        std::optional<model_version> info;
        try {
            version = registry_.resolve_version(b.model, b.reference);
            info = registry_.version_info(b.model, version);
        } catch (const invalid_input_error& e) {
            throw not_found_error(e.problem(), e.remedy(), e.subject());
        }
        if (!info) {
            throw not_found_error(
                "model \"" + b.model + "\" has no version " + std::to_string(version),
                "name a published version (see model_registry::versions)", "version");
        }
        std::shared_ptr<const served_model> current;
        {
            std::lock_guard lock(bindings_mutex_);
            current = b.current;
        }
        if (!current || current->info.sha256 != info->sha256 ||
            current->info.version != info->version) {
            auto loaded = load_cached(*info);
            std::lock_guard lock(bindings_mutex_);
            if (b.current != loaded) ++swaps_;
            b.current = std::move(loaded);
            b.checked_at = now();
            b.stale = false;
        } else {
            std::lock_guard lock(bindings_mutex_);
            b.checked_at = now();
            b.stale = false;
        }
        evict_unused();
    }

    /// The model of `info` from the cache, loading it (once per digest at a time) if needed.
    std::shared_ptr<const served_model> load_cached(const model_version& info) {
        std::promise<std::shared_ptr<const served_model>> promise;
        std::shared_future<std::shared_ptr<const served_model>> future;
        bool loader = false;
        {
            std::lock_guard lock(cache_mutex_);
            const auto it = cache_.find(info.sha256);
            if (it != cache_.end()) {
                future = it->second.future;
                ++cache_hits_;
            } else {
                future = promise.get_future().share();
                cache_.emplace(info.sha256, cache_slot{future});
                loader = true;
            }
        }
        if (loader) {
            try {
                promise.set_value(load(info));
                ++loads_;
            } catch (...) {
                ++load_failures_;
                {
                    std::lock_guard lock(cache_mutex_);
                    cache_.erase(info.sha256);  // the next request tries again
                }
                promise.set_exception(std::current_exception());
            }
        }
        auto m = future.get();  // rethrows the loader's error
        if (m->info.version == info.version && m->info.model == info.model) return m;
        // The same bytes published as another version (or model): share the model, name this one.
        auto copy = std::make_shared<served_model>(*m);
        copy->info = info;
        return copy;
    }

    /// Fetches, verifies and loads one version.
    std::shared_ptr<const served_model> load(const model_version& info) {
        const std::string what = "model \"" + info.model + "\" version " +
                                 std::to_string(info.version) + " (sha256 " + info.sha256 + ")";
        resolved_artifact fetched;
        try {
            fetched = registry_.fetch(info.model, info.version);
        } catch (const invalid_input_error& e) {
            throw not_found_error(e.problem(), e.remedy(), e.subject());
        } catch (const storage_error& e) {
            throw model_unavailable_error(what + " cannot be fetched: " + e.problem(), e.remedy(),
                                          e.backend(), e.native_code());
        }
        auto m = std::make_shared<served_model>();
        try {
            // In place: models copy what they need, except those that can predict from the
            // tensors themselves (forests), which share the fetched bytes instead.
            const auto held = std::make_shared<const std::string>(std::move(fetched.bytes));
            const auto bytes = std::as_bytes(std::span<const char>(held->data(), held->size()));
            if (options_.verify) options_.verify(bytes, fetched.info);
            decode_options decode;
            decode.source = fetched.info.artifact_key;
            decode.limits = options_.artifact;
            m->model = load_any<Models>(decode_artifact_view(held, bytes, decode));
        } catch (const std::exception& e) {
            throw model_unavailable_error(what + " cannot be loaded: " + e.what(),
                                          "publish a valid artifact and move the alias to it",
                                          "serving");
        }
        m->info = std::move(fetched.info);
        const auto& manifest = m->model.manifest();
        for (const auto& step : manifest.preprocessing) {
            if (step.is_object() && step.value("kind", "") == "simple_imputer") m->imputes = true;
        }
        auto index = std::make_shared<std::unordered_map<std::string, std::size_t>>();
        const auto& names = m->model.feature_names();
        for (std::size_t k = 0; k < names.size(); ++k)
            index->emplace(names[k], k);
        m->feature_index = std::move(index);
        log_message(log_level::info, "serving", "loaded " + what);
        return m;
    }

    /// Drops cached models that no binding serves, beyond max_cached_models.
    void evict_unused() {
        std::set<std::string, std::less<>> in_use;
        {
            std::lock_guard lock(bindings_mutex_);
            for (const auto& [key, b] : bindings_) {
                if (b->current) in_use.insert(b->current->info.sha256);
            }
        }
        std::lock_guard lock(cache_mutex_);
        for (auto it = cache_.begin();
             it != cache_.end() && cache_.size() > options_.max_cached_models;) {
            const bool ready =
                it->second.future.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
            if (ready && !in_use.contains(it->first)) {
                it = cache_.erase(it);
            } else {
                ++it;
            }
        }
    }

    prediction run(std::shared_ptr<const served_model> m, const feature_matrix<double>& x) const {
        prediction p;
        auto both = m->model.predict_with_proba(x);  // one pass: classes and probabilities
        p.classes = std::move(both.classes);
        p.probabilities = std::move(both.probabilities);
        p.source = std::move(m);
        return p;
    }

    model_registry<Store> registry_;
    predictor_options options_;

    mutable std::mutex bindings_mutex_;  // lock order: bindings_mutex_ before cache_mutex_
    std::map<binding_key, std::shared_ptr<binding>, binding_less> bindings_;
    std::mutex cache_mutex_;
    std::map<std::string, cache_slot, std::less<>> cache_;

    std::atomic<std::uint64_t> loads_{0};
    std::atomic<std::uint64_t> load_failures_{0};
    std::atomic<std::uint64_t> cache_hits_{0};
    std::atomic<std::uint64_t> alias_checks_{0};
    std::atomic<std::uint64_t> swaps_{0};
};

}  // namespace mlpipe
