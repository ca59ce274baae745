// SPDX-License-Identifier: Apache-2.0
/// @file fit.hpp What every fit speaks: how it ended (fit_status), the options it accepts
/// (fit_options: progress callback, time limit, threads), what it reports (fit_report), and the
/// progress it sends while it runs. Optimizers, models, preprocessing and the evaluation toolbox
/// all use it, so it sits below them all.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <string_view>

namespace mlpipe {

/// How a fit ended. Numerical outcomes are statuses, not exceptions.
enum class fit_status {
    converged,            ///< the convergence criterion was met
    max_iterations,       ///< the iteration limit was reached first (the model is usable)
    stopped_by_callback,  ///< a progress callback asked to stop (the model is usable)
    time_limit,           ///< fit_options::time_limit ran out (the model is usable)
    no_progress,          ///< the optimizer could not lower the loss further (numerical limit)
};

/// The lower-case name of a status ("converged", "max_iterations", ...).
[[nodiscard]] constexpr std::string_view to_string(fit_status status) noexcept {
    switch (status) {
        case fit_status::converged:
            return "converged";
        case fit_status::max_iterations:
            return "max_iterations";
        case fit_status::stopped_by_callback:
            return "stopped_by_callback";
        case fit_status::time_limit:
            return "time_limit";
        case fit_status::no_progress:
            return "no_progress";
    }
    return "unknown";
}

/// One progress report from a long computation (an optimizer iteration, an epoch, a tree, a fold).
struct progress {
    std::string_view stage;      ///< "lbfgs", "epoch", "tree", "fold", ...
    std::int64_t step = 0;       ///< 1-based iteration, epoch, tree or fold
    std::int64_t steps = 0;      ///< total when known, else 0
    double loss = 0.0;           ///< objective value (NaN when not applicable)
    double gradient_norm = 0.0;  ///< max-norm of the gradient (NaN when not applicable)
    double elapsed_seconds = 0.0;
    /// Score on held-out validation rows (an mlp's early stopping), NaN when there are none.
    double validation_score = std::numeric_limits<double>::quiet_NaN();
};

/// Receives progress; return false to stop the computation early (it then ends with
/// fit_status::stopped_by_callback and a usable model).
using progress_callback = std::function<bool(const progress&)>;

/// Options every fit accepts.
struct fit_options {
    progress_callback on_progress = {};  ///< called once per iteration/epoch/tree/fold
    std::optional<std::chrono::duration<double>> time_limit = {};  ///< stop after this long
    unsigned threads =
        1;  ///< worker threads (0: one per hardware thread); results never depend on it
};

/// What a fit did.
struct fit_report {
    fit_status status = fit_status::converged;
    std::int64_t iterations = 0;
    double final_loss = 0.0;
    double gradient_norm = 0.0;
    double elapsed_seconds = 0.0;
    [[nodiscard]] bool converged() const noexcept { return status == fit_status::converged; }
};

namespace detail {

/// Measures elapsed time and applies fit_options' callback and time limit.
class fit_monitor {
  public:
    explicit fit_monitor(const fit_options& options)
        : options_(options), start_(std::chrono::steady_clock::now()) {}

    [[nodiscard]] double elapsed_seconds() const {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    }

    /// Reports one step; returns the status that ends the fit now, if any.
    [[nodiscard]] std::optional<fit_status> report(progress p) const {
        p.elapsed_seconds = elapsed_seconds();
        if (options_.on_progress && !options_.on_progress(p))
            return fit_status::stopped_by_callback;
        if (options_.time_limit && p.elapsed_seconds >= options_.time_limit->count()) {
            return fit_status::time_limit;
        }
        return std::nullopt;
    }

  private:
    const fit_options& options_;
    std::chrono::steady_clock::time_point start_;
};

}  // namespace detail

}  // namespace mlpipe
