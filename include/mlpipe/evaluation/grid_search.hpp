// SPDX-License-Identifier: Apache-2.0
/// @file evaluation/grid_search.hpp grid_search: cross-validate every combination of a JSON
/// hyperparameter grid in parallel, pick the best mean score and refit it on all the data.
#pragma once

#include <algorithm>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "../data/dataset.hpp"
#include "../data/split.hpp"
#include "../detail/checked_math.hpp"
#include "../error.hpp"
#include "../models/classifier.hpp"
#include "cross_validate.hpp"
#include "scorer.hpp"

namespace mlpipe {

/// A callable that makes a fresh, unfitted classifier from one JSON object of hyperparameters:
/// `factory(nlohmann::json{{"C", 0.1}, {"max_iter", 200}})`. It should reject unknown keys and
/// bad values with invalid_input_error naming the key. Any mlpipe::classifier works.
template <class F>
concept parametrized_model_factory = std::invocable<const F&, const nlohmann::json&> &&
    classifier<std::remove_cvref_t<std::invoke_result_t<const F&, const nlohmann::json&>>>;

/// The classifier type a parametrized_model_factory makes.
template <class F>
using parametrized_model_t =
    std::remove_cvref_t<std::invoke_result_t<const F&, const nlohmann::json&>>;

/// Expands a hyperparameter grid into its candidates, in scikit-learn's ParameterGrid order.
///
/// A grid is an object mapping each name to a non-empty array of values,
/// `{"C": [0.1, 1, 10], "fit_intercept": [true, false]}`, or an array of such objects (their
/// candidates one grid after the other). Within an object, names are taken in sorted order
/// (byte-wise, nlohmann::json's object order) and the last name varies fastest, so the example
/// gives {C: 0.1, fit_intercept: true}, {C: 0.1, fit_intercept: false}, {C: 1, ...}, ...
/// An empty object gives one candidate with no hyperparameters (the factory's defaults).
/// @throws invalid_input_error for anything else (a value that is not a non-empty array, a grid
/// that is neither object nor array, more than 2^32 candidates)
/// Complexity: O(candidates * names). Thread safety: pure function.
[[nodiscard]] MLPIPE_DECL std::vector<nlohmann::json> expand_grid(const nlohmann::json& grid);

/// Options of grid_search.
struct grid_search_options {
    /// The scorer whose mean picks the best candidate; empty: the first scorer.
    std::string select_by = {};
    /// Refit the best candidate on all the data (grid_search_result::best_model).
    bool refit = true;
};

/// One candidate of a grid search.
struct grid_candidate {
    nlohmann::json params;            ///< its hyperparameters, as given to the factory
    cross_validation_result cv;       ///< per-fold scores and times
    std::vector<double> mean_scores;  ///< per scorer, over the completed folds
    std::vector<double> std_scores;   ///< per scorer (population standard deviation)
    double mean_fit_seconds = 0.0;    ///< over the completed folds
    /// 1 for the best by the selection scorer, ties sharing the lowest rank (scikit-learn's
    /// rank_test_score); NaN means rank last; 0 when a fold was not completed (not ranked).
    std::size_t rank = 0;
};

/// What grid_search returns.
template <class Model>
struct grid_search_result {
    std::vector<std::string> scorer_names;   ///< the scorers' names, in order
    std::size_t selection_scorer = 0;        ///< index of the scorer that picked the best
    std::vector<grid_candidate> candidates;  ///< every candidate, in expand_grid order
    std::optional<std::size_t> best_index;   ///< the best candidate (none when none completed)
    nlohmann::json best_params;              ///< its hyperparameters (null when none)
    double best_score = std::numeric_limits<double>::quiet_NaN();  ///< its mean selection score
    std::optional<Model> best_model;         ///< refitted on all data (when refit and complete)
    std::optional<fit_report> refit_report;  ///< the refit's report
    evaluation_status status = evaluation_status::complete;
};

/// Searches a hyperparameter grid: every candidate of expand_grid(grid) is cross-validated on
/// `folds` with `scorers`; the best mean score of the selection scorer wins (ties: the first
/// candidate; candidates with a NaN mean or an unfinished fold never win); the winner is refitted
/// on all of `data`.
///
/// All (candidate, fold) fits run as one parallel batch on options.threads threads (0: one per
/// hardware thread), so candidates run in parallel and a slow candidate does not hold the others
/// up; scores and the choice never depend on the thread count. The factory is called on the
/// calling thread for every (candidate, fold) and for the refit, before the fits it serves (it
/// need not be thread-safe; one that throws for bad hyperparameters stops the search before any
/// fit). The refit runs on the calling thread with options.threads threads.
///
/// Progress: options.on_progress receives stage "fold" after each (candidate, fold) is scored,
/// step = fits finished, steps = candidates x folds, never concurrently. Returning false, or
/// options.time_limit running out, stops the search: the rest is skipped, the best is chosen
/// among the candidates that completed, and nothing is refitted (status says why). Stopping
/// during the refit stops that fit early: the model is kept, refit_report and status say so.
///
/// @throws invalid_input_error for a bad grid, unlabelled data, bad folds or scorers, an unknown
/// select_by; whatever the factory, a fit or a scorer throws
/// Complexity: candidates x folds fits and predictions, plus one refit.
/// Thread safety: concurrent calls are fine when the scorers are.
template <class Factory, class Scalar>
requires parametrized_model_factory<Factory> &&
    std::same_as<typename parametrized_model_t<Factory>::scalar_type, Scalar>
[[nodiscard]] grid_search_result<parametrized_model_t<Factory>> grid_search(
    const Factory& make_model, const nlohmann::json& grid, const dataset<Scalar>& data,
    const std::vector<split_indices>& folds, const std::vector<scorer>& scorers,
    const fit_options& options = {}, const grid_search_options& search = {}) {
    using model_type = parametrized_model_t<Factory>;
    const std::vector<nlohmann::json> candidates = expand_grid(grid);
    detail::check_evaluation_inputs("grid_search", data.n_samples(), data.labelled(), folds,
                                    scorers);
    grid_search_result<model_type> result;
    for (const auto& s : scorers)
        result.scorer_names.push_back(s.name);
    if (!search.select_by.empty()) {
        const auto it =
            std::find(result.scorer_names.begin(), result.scorer_names.end(), search.select_by);
        if (it == result.scorer_names.end()) {
            throw invalid_input_error(
                "grid_search: select_by names \"" + search.select_by + "\", not a scorer",
                "name one of the scorers passed, or leave it empty for the first", "select_by");
        }
        result.selection_scorer = static_cast<std::size_t>(it - result.scorer_names.begin());
    }

    const std::size_t k = folds.size();
    std::vector<std::optional<model_type>> models(candidates.size() * k);
    for (std::size_t t = 0; t < models.size(); ++t)
        models[t].emplace(make_model(candidates[t / k]));
    detail::evaluation_control control(options, static_cast<std::int64_t>(models.size()));
    std::vector<fold_result> fits =
        detail::run_fold_tasks(models, data, folds, scorers, options.threads, control);

    bool all = true;
    for (std::size_t c = 0; c < candidates.size(); ++c) {
        grid_candidate candidate;
        candidate.params = candidates[c];
        candidate.cv.scorer_names = result.scorer_names;
        candidate.cv.folds.assign(
            std::make_move_iterator(fits.begin() + static_cast<std::ptrdiff_t>(c * k)),
            std::make_move_iterator(fits.begin() + static_cast<std::ptrdiff_t>((c + 1) * k)));
        bool complete = true;
        double fit_seconds = 0.0;
        for (const auto& f : candidate.cv.folds) {
            complete = complete && f.completed;
            fit_seconds += f.fit_seconds;
        }
        all = all && complete;
        candidate.cv.status = detail::final_status(complete, control);
        for (const auto& name : result.scorer_names) {
            candidate.mean_scores.push_back(candidate.cv.mean(name));
            candidate.std_scores.push_back(candidate.cv.std_dev(name));
        }
        candidate.mean_fit_seconds = fit_seconds / static_cast<double>(k);
        result.candidates.push_back(std::move(candidate));
    }
    result.status = detail::final_status(all, control);

    // Ranks ("min" method, NaN last) and the best among the complete candidates.
    const std::size_t s = result.selection_scorer;
    const auto better = [s](const grid_candidate& a, const grid_candidate& b) {
        const double x = a.mean_scores[s];
        const double y = b.mean_scores[s];
        if (std::isnan(y)) return !std::isnan(x);
        return !std::isnan(x) && x > y;
    };
    for (auto& candidate : result.candidates) {
        if (candidate.cv.status != evaluation_status::complete) continue;
        std::size_t ahead = 0;
        for (const auto& other : result.candidates)
            if (other.cv.status == evaluation_status::complete && better(other, candidate)) ++ahead;
        candidate.rank = ahead + 1;
    }
    for (std::size_t c = 0; c < result.candidates.size(); ++c) {
        const auto& candidate = result.candidates[c];
        if (candidate.cv.status != evaluation_status::complete ||
            std::isnan(candidate.mean_scores[s]))
            continue;
        if (!result.best_index || better(candidate, result.candidates[*result.best_index]))
            result.best_index = c;
    }
    if (!result.best_index) return result;
    result.best_params = result.candidates[*result.best_index].params;
    result.best_score = result.candidates[*result.best_index].mean_scores[s];

    if (search.refit && result.status == evaluation_status::complete) {
        model_type model = make_model(result.best_params);
        result.refit_report =
            model.fit(data, control.inner_options(detail::resolve_threads(options.threads)));
        result.best_model.emplace(std::move(model));
        if (control.stop_reason() != evaluation_status::complete)
            result.status = control.stop_reason();
    }
    return result;
}

#if MLPIPE_DEFINE_FUNCTIONS  // header-only mode, or the compiled library (config.hpp)

MLPIPE_DECL std::vector<nlohmann::json> expand_grid(const nlohmann::json& grid) {
    const auto bad = [](const std::string& what) {
        return invalid_input_error("grid: " + what,
                                   "write the grid as {\"name\": [value, ...], ...} or an array of "
                                   "such objects",
                                   "grid");
    };
    std::vector<nlohmann::json> candidates;
    const auto expand_one = [&](const nlohmann::json& object) {
        if (!object.is_object()) throw bad("a grid is a " + std::string(object.type_name()));
        std::uint64_t count = 1;
        for (const auto& [name, values] : object.items()) {
            if (!values.is_array() || values.empty()) {
                throw bad("the values of \"" + name + "\" are not a non-empty array");
            }
            const auto next = detail::checked_mul(count, values.size());
            if (!next || *next > (std::uint64_t{1} << 32)) throw bad("more than 2^32 candidates");
            count = *next;
        }
        // Mixed-radix counter over the names, last name fastest.
        std::vector<std::pair<std::string, const nlohmann::json*>> axes;
        for (const auto& [name, values] : object.items())
            axes.emplace_back(name, &values);
        std::vector<std::size_t> digit(axes.size(), 0);
        for (std::uint64_t c = 0; c < count; ++c) {
            nlohmann::json candidate = nlohmann::json::object();
            for (std::size_t a = 0; a < axes.size(); ++a)
                candidate[axes[a].first] = (*axes[a].second)[digit[a]];
            candidates.push_back(std::move(candidate));
            for (std::size_t a = axes.size(); a-- > 0;) {
                if (++digit[a] < axes[a].second->size()) break;
                digit[a] = 0;
            }
        }
    };
    if (grid.is_array()) {
        if (grid.empty()) throw bad("the array of grids is empty");
        for (const auto& object : grid)
            expand_one(object);
    } else {
        expand_one(grid);
    }
    return candidates;
}

#endif  // MLPIPE_DEFINE_FUNCTIONS

}  // namespace mlpipe
