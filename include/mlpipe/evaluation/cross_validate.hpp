// SPDX-License-Identifier: Apache-2.0
/// @file evaluation/cross_validate.hpp cross_validate: fit a fresh model on each fold's training
/// rows and score it on the fold's test rows, folds in parallel, with per-fold scores and times.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_set>
#include <vector>

#include "../data/dataset.hpp"
#include "../data/split.hpp"
#include "../detail/thread_pool.hpp"
#include "../error.hpp"
#include "../models/classifier.hpp"
#include "scorer.hpp"

namespace mlpipe {

/// How a cross-validation or a search ended.
enum class evaluation_status {
    complete,             ///< every fold was fitted and scored
    stopped_by_callback,  ///< fit_options::on_progress returned false; the rest was skipped
    time_limit,           ///< fit_options::time_limit ran out; the rest was skipped
};

/// The lower-case name of a status ("complete", "stopped_by_callback", "time_limit").
[[nodiscard]] constexpr std::string_view to_string(evaluation_status status) noexcept {
    switch (status) {
        case evaluation_status::complete:
            return "complete";
        case evaluation_status::stopped_by_callback:
            return "stopped_by_callback";
        case evaluation_status::time_limit:
            return "time_limit";
    }
    return "unknown";
}

/// One fold of a cross-validation.
struct fold_result {
    std::vector<double> scores;  ///< one per scorer, in the scorers' order; NaN unless completed
    double fit_seconds = 0.0;    ///< wall time of fit
    double score_seconds = 0.0;  ///< wall time of predict, predict_proba and the scorers
    fit_report fit;              ///< the model's own report (convergence, iterations, loss)
    bool completed = false;      ///< fitted and scored (false when stopped before or during fit)
};

/// What cross_validate returns: per-fold scores and times.
struct cross_validation_result {
    std::vector<std::string> scorer_names;  ///< the scorers' names, in order
    std::vector<fold_result> folds;         ///< one per fold, in the folds' order
    evaluation_status status = evaluation_status::complete;

    /// The index of scorer `name`. @throws invalid_input_error for an unknown name
    [[nodiscard]] std::size_t scorer_index(std::string_view name) const {
        const auto it = std::find(scorer_names.begin(), scorer_names.end(), name);
        if (it == scorer_names.end()) {
            throw invalid_input_error("no scorer named \"" + std::string(name) + "\"",
                                      "ask for one of the scorers passed to the evaluation",
                                      "scorer");
        }
        return static_cast<std::size_t>(it - scorer_names.begin());
    }
    /// The scores of scorer `name` of the completed folds, in fold order.
    [[nodiscard]] std::vector<double> scores(std::string_view name) const {
        const std::size_t s = scorer_index(name);
        std::vector<double> values;
        for (const auto& fold : folds)
            if (fold.completed) values.push_back(fold.scores[s]);
        return values;
    }
    /// The mean score of `name` over the completed folds (NaN when none completed).
    [[nodiscard]] double mean(std::string_view name) const { return mean_of(scores(name)); }
    /// The standard deviation (population, as scikit-learn's std_test_score) of `name` over the
    /// completed folds (NaN when none completed).
    [[nodiscard]] double std_dev(std::string_view name) const {
        const std::vector<double> values = scores(name);
        const double m = mean_of(values);
        double sum = 0.0;
        for (double v : values)
            sum += (v - m) * (v - m);
        return values.empty() ? m : std::sqrt(sum / static_cast<double>(values.size()));
    }

  private:
    static double mean_of(const std::vector<double>& values) {
        if (values.empty()) return std::numeric_limits<double>::quiet_NaN();
        double sum = 0.0;
        for (double v : values)
            sum += v;
        return sum / static_cast<double>(values.size());
    }
};

/// A callable that makes a fresh, unfitted classifier: `factory()`. Any type satisfying
/// mlpipe::classifier works (logistic_regression, trees, forests, networks, pipelines).
template <class F>
concept model_factory =
    std::invocable<const F&> && classifier<std::remove_cvref_t<std::invoke_result_t<const F&>>>;

/// The classifier type a model_factory makes.
template <class F>
using factory_model_t = std::remove_cvref_t<std::invoke_result_t<const F&>>;

namespace detail {

/// Shared state of one evaluation run: the fold counter, the user's callback (called under a
/// mutex, never concurrently), the stop flag and the deadline.
class evaluation_control {
  public:
    evaluation_control(const fit_options& options, std::int64_t total_steps)
        : options_(options), total_(total_steps), start_(std::chrono::steady_clock::now()) {}

    [[nodiscard]] double elapsed_seconds() const {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    }

    /// True once the callback asked to stop or the time limit ran out.
    [[nodiscard]] bool should_stop() {
        if (reason_.load(std::memory_order_acquire) != 0) return true;
        if (options_.time_limit && elapsed_seconds() >= options_.time_limit->count()) {
            request_stop(evaluation_status::time_limit);
            return true;
        }
        return false;
    }

    /// Reports one finished step (stage "fold") to the user's callback.
    void step_done() {
        std::lock_guard lock(mutex_);
        ++done_;
        if (options_.on_progress) {
            const progress p{.stage = "fold",
                             .step = done_,
                             .steps = total_,
                             .loss = std::numeric_limits<double>::quiet_NaN(),
                             .gradient_norm = std::numeric_limits<double>::quiet_NaN(),
                             .elapsed_seconds = elapsed_seconds()};
            if (!options_.on_progress(p)) request_stop(evaluation_status::stopped_by_callback);
        }
    }

    /// The options handed to each model's fit: `threads` threads, and a callback that stops the
    /// fit when this run stops.
    [[nodiscard]] fit_options inner_options(unsigned threads) {
        fit_options inner;
        inner.threads = threads;
        inner.on_progress = [this](const progress&) { return !should_stop(); };
        return inner;
    }

    /// Why the run stopped; complete when it did not.
    [[nodiscard]] evaluation_status stop_reason() const {
        const int reason = reason_.load(std::memory_order_acquire);
        return reason == 0 ? evaluation_status::complete : static_cast<evaluation_status>(reason);
    }

  private:
    void request_stop(evaluation_status why) {
        int expected = 0;
        reason_.compare_exchange_strong(expected, static_cast<int>(why), std::memory_order_acq_rel);
    }

    const fit_options& options_;
    std::int64_t total_;
    std::chrono::steady_clock::time_point start_;
    std::mutex mutex_;
    std::int64_t done_ = 0;
    std::atomic<int> reason_{0};
};

MLPIPE_DECL void check_evaluation_inputs(std::string_view who, Eigen::Index n_rows, bool labelled,
                                         const std::vector<split_indices>& folds,
                                         const std::vector<scorer>& scorers);

/// Fits `model` on the fold's training rows and scores it on its test rows.
template <class Model, class Scalar>
fold_result run_fold(Model& model, const dataset<Scalar>& data, const split_indices& fold,
                     const std::vector<scorer>& scorers, const fit_options& inner) {
    using clock = std::chrono::steady_clock;
    fold_result result;
    result.scores.assign(scorers.size(), std::numeric_limits<double>::quiet_NaN());
    {
        const dataset<Scalar> train = data.subset(fold.train);
        const auto start = clock::now();
        result.fit = model.fit(train, inner);
        result.fit_seconds = std::chrono::duration<double>(clock::now() - start).count();
    }
    // Our own callback is the only one the model sees: stopped means this run is stopping.
    if (result.fit.status == fit_status::stopped_by_callback) return result;
    const dataset<Scalar> test = data.subset(fold.test);
    const auto start = clock::now();
    const class_index_vector predicted = model.predict(test.features());
    const bool needs_proba =
        std::any_of(scorers.begin(), scorers.end(), [](const scorer& s) { return s.needs_proba; });
    probability_matrix<double> proba;
    if (needs_proba) proba = model.predict_proba(test.features()).template cast<double>();
    const scoring_input input{test.targets(), predicted, needs_proba ? &proba : nullptr,
                              data.n_classes()};
    for (std::size_t s = 0; s < scorers.size(); ++s)
        result.scores[s] = scorers[s].score(input);
    result.score_seconds = std::chrono::duration<double>(clock::now() - start).count();
    result.completed = true;
    return result;
}

/// Fits and scores models[t] on folds[t % folds.size()] for every t, on up to `threads` threads;
/// each model is destroyed once scored.
template <class Model, class Scalar>
std::vector<fold_result> run_fold_tasks(std::vector<std::optional<Model>>& models,
                                        const dataset<Scalar>& data,
                                        const std::vector<split_indices>& folds,
                                        const std::vector<scorer>& scorers, unsigned threads,
                                        evaluation_control& control) {
    const std::size_t tasks = models.size();
    std::vector<fold_result> results(tasks);
    for (auto& r : results)
        r.scores.assign(scorers.size(), std::numeric_limits<double>::quiet_NaN());
    const unsigned total = resolve_threads(threads);
    const auto used = static_cast<unsigned>(std::min<std::size_t>(total, tasks));
    const unsigned per_fit = std::max(1u, total / std::max(1u, used));
    detail::parallel_for(used, tasks, [&](std::size_t t) {
        if (control.should_stop()) return;
        const fit_options inner = control.inner_options(per_fit);
        results[t] = run_fold(*models[t], data, folds[t % folds.size()], scorers, inner);
        models[t].reset();
        if (results[t].completed) control.step_done();
    });
    return results;
}

/// complete when every task completed; else why the run stopped (a fit that stopped by itself
/// counts as stopped by the callback).
MLPIPE_DECL evaluation_status final_status(bool all_completed, const evaluation_control& control);

}  // namespace detail

/// Cross-validates the models `make_model` makes: for each fold, a fresh model is fitted on the
/// fold's `train` rows and scored on its `test` rows by every scorer.
///
/// Folds run in parallel on options.threads threads (0: one per hardware thread); a fit gets the
/// threads left over (options.threads / folds running at once, at least 1). The scores never
/// depend on the thread count: each fold's model sees the same rows in the same order. The factory
/// is called on the calling thread, once per fold, before any fit (it need not be thread-safe, and
/// a factory that throws stops the run before any work).
///
/// Progress: after each fold is scored, options.on_progress receives stage "fold", step = folds
/// finished so far, steps = folds (never concurrently; loss and gradient_norm NaN). Returning false
/// stops the run: folds not started are skipped and running fits are stopped (their folds count
/// as not completed); the result then has status stopped_by_callback. options.time_limit bounds
/// the whole run the same way (status time_limit). Scores of folds not completed are NaN.
///
/// @param folds train/test row indices of `data` (e.g. from stratified_k_fold)
/// @param scorers at least one, distinct names (e.g. make_scorers({"accuracy", "f1_macro"}))
/// @throws invalid_input_error for unlabelled data, no folds, an empty or out-of-range fold, no
/// scorers or duplicate names; whatever the factory, a fit or a scorer throws (from the lowest fold
/// index that threw)
/// Complexity: one fit and one prediction per fold. Thread safety: concurrent calls are fine when
/// the scorers are (built-in ones are).
template <class Factory, class Scalar>
requires model_factory<Factory> &&
    std::same_as<typename factory_model_t<Factory>::scalar_type, Scalar>
[[nodiscard]] cross_validation_result cross_validate(const Factory& make_model,
                                                     const dataset<Scalar>& data,
                                                     const std::vector<split_indices>& folds,
                                                     const std::vector<scorer>& scorers,
                                                     const fit_options& options = {}) {
    using model_type = factory_model_t<Factory>;
    detail::check_evaluation_inputs("cross_validate", data.n_samples(), data.labelled(), folds,
                                    scorers);
    std::vector<std::optional<model_type>> models(folds.size());
    for (auto& slot : models)
        slot.emplace(make_model());
    detail::evaluation_control control(options, static_cast<std::int64_t>(folds.size()));
    cross_validation_result result;
    for (const auto& s : scorers)
        result.scorer_names.push_back(s.name);
    result.folds = detail::run_fold_tasks(models, data, folds, scorers, options.threads, control);
    const bool all = std::all_of(result.folds.begin(), result.folds.end(),
                                 [](const fold_result& f) { return f.completed; });
    result.status = detail::final_status(all, control);
    return result;
}

#if MLPIPE_DEFINE_FUNCTIONS  // header-only mode, or the compiled library (config.hpp)

namespace detail {

MLPIPE_DECL void check_evaluation_inputs(std::string_view who, Eigen::Index n_rows, bool labelled,
                                         const std::vector<split_indices>& folds,
                                         const std::vector<scorer>& scorers) {
    const std::string name(who);
    if (!labelled) {
        throw invalid_input_error(name + ": the data set has no labels",
                                  "read it with a label column", "data");
    }
    if (folds.empty()) {
        throw invalid_input_error(name + ": no folds", "make them with stratified_k_fold", "folds");
    }
    for (std::size_t f = 0; f < folds.size(); ++f) {
        if (folds[f].train.empty() || folds[f].test.empty()) {
            throw invalid_input_error(name + ": fold " + std::to_string(f) + " has an empty " +
                                          (folds[f].train.empty() ? "training" : "test") + " part",
                                      "make the folds with stratified_k_fold", "folds");
        }
        for (const auto* part : {&folds[f].train, &folds[f].test}) {
            for (const Eigen::Index row : *part) {
                if (row < 0 || row >= n_rows) {
                    throw invalid_input_error(name + ": fold " + std::to_string(f) + " holds row " +
                                                  std::to_string(row) + ", outside [0, " +
                                                  std::to_string(n_rows) + ")",
                                              "make the folds from this data set", "folds");
                }
            }
        }
    }
    if (scorers.empty()) {
        throw invalid_input_error(name + ": no scorers",
                                  "pass at least one, e.g. make_scorer(\"accuracy\")", "scorers");
    }
    std::unordered_set<std::string> seen;
    for (const auto& s : scorers) {
        if (!s.score) {
            throw invalid_input_error(name + ": scorer \"" + s.name + "\" has no function",
                                      "give it a score function or use make_scorer", "scorers");
        }
        if (!seen.insert(s.name).second) {
            throw invalid_input_error(name + ": two scorers are named \"" + s.name + "\"",
                                      "give every scorer a distinct name", "scorers");
        }
    }
}

MLPIPE_DECL evaluation_status final_status(bool all_completed, const evaluation_control& control) {
    if (all_completed) return evaluation_status::complete;
    const evaluation_status reason = control.stop_reason();
    return reason == evaluation_status::complete ? evaluation_status::stopped_by_callback : reason;
}

}  // namespace detail

#endif  // MLPIPE_DEFINE_FUNCTIONS

}  // namespace mlpipe
