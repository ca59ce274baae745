// SPDX-License-Identifier: Apache-2.0
/// @file jobs/trainer.hpp `train`: one training request from data to a published (and possibly
/// promoted) model version: fetch, split, cross-validate, fit, evaluate, gate, publish, promote.
///
/// The steps, in order:
/// 1. If the registry already holds a version published by this request id, nothing is trained:
///    the outcome names that version (a redelivered request never creates a second version), and
///    a promotion the first run could not finish is finished.
/// 2. Fetch the request's data set from the data source (rows and their high watermark).
/// 3. Hold out about `validation.test_fraction` of the rows, chosen by a seeded hash of each row's
///    content (detail::stable_holdout): the part on which both the candidate and the champion are
///    scored. A row stays held out as the data set grows, so a champion trained earlier with the
///    same seed has never seen these rows.
/// 4. For k-fold validation, cross-validate on the training part (the gate then uses the mean
///    fold score; the held-out score is still reported).
/// 5. Fit the pipeline (preprocessing steps + estimator) on the training part.
/// 6. Gate: the score must reach `validation.min_score`, and beat the version the champion alias
///    points to by `margin` on the held-out part. A champion that cannot score these rows (other
///    features or classes) is reported and does not block.
/// 7. Publish the artifact (lineage and metrics in its manifest; metrics, watermark, row count,
///    gate and request in the version's metadata), idempotently by request id.
/// 8. Promote: move the `promote` alias by compare-and-swap from the champion it was compared
///    with. When another worker moved it meanwhile, the new champion is scored on the same rows
///    and the move is retried only if the candidate still wins, so concurrent trainings of one
///    model leave the alias on the best of them.
#pragma once

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "../artifact/any_model.hpp"
#include "../artifact/codec.hpp"
#include "../artifact/model_io.hpp"
#include "../data/split.hpp"
#include "../detail/clock.hpp"
#include "../detail/sha256.hpp"
#include "../detail/xxhash64.hpp"
#include "../error.hpp"
#include "../evaluation/cross_validate.hpp"
#include "../evaluation/scorer.hpp"
#include "../evaluation/stratified_k_fold.hpp"
#include "../registry/model_registry.hpp"
#include "../storage/blob_store.hpp"
#include "../storage/data_source.hpp"
#include "estimators.hpp"
#include "training_request.hpp"

namespace mlpipe {

/// How a training ended (a failure is an exception instead: a typed mlpipe::error).
enum class training_status {
    published,  ///< a version was published (or had been, by the same request id)
    rejected,   ///< the gate refused the candidate: nothing was published
};

[[nodiscard]] constexpr std::string_view to_string(training_status s) noexcept {
    return s == training_status::published ? "published" : "rejected";
}

/// What `train` did.
struct training_outcome {
    training_status status = training_status::rejected;
    std::string request_id;
    std::string model;
    std::string estimator;
    std::optional<std::uint64_t> version;  ///< the published version
    bool created = false;           ///< false when the request had published this version before
    std::string metric;             ///< the request's metric
    double score = std::nan("");    ///< the candidate's held-out score
    std::optional<double> cv_mean;  ///< mean fold score (k-fold validation)
    std::optional<double> cv_std;   ///< its standard deviation
    std::optional<std::uint64_t> champion_version;  ///< the version it was compared with
    std::optional<double> champion_score;           ///< that version's held-out score
    bool gate_passed = false;
    std::string gate;       ///< why the gate passed or refused, in words
    bool promoted = false;  ///< the promote alias now points to `version` by this call
    std::string promotion;  ///< what happened to the alias, in words ("" when none was asked)
    fit_report fit;
    std::uint64_t rows = 0;        ///< rows fetched
    std::uint64_t train_rows = 0;  ///< rows fitted on
    std::uint64_t test_rows = 0;   ///< rows held out
    watermark data_watermark;      ///< high watermark of the fetched rows
    double seconds = 0.0;          ///< wall time of the whole call
};

/// Options of `train`.
struct trainer_options {
    /// Progress of every step: stages "fetch", "fold" (cross-validation), the estimator's own
    /// ("lbfgs", "epoch", ...), "evaluate", "champion", "publish", "promote". Returning false
    /// stops the training: `train` then throws training_cancelled and publishes nothing.
    progress_callback on_progress = {};
    std::string actor = "mlpipe-trainer";  ///< recorded as publisher and alias mover
};

/// The outcome as JSON (for logs, journals and the command line).
[[nodiscard]] inline nlohmann::json to_json(const training_outcome& o) {
    const auto number = [](double x) {
        return std::isfinite(x) ? nlohmann::json(x) : nlohmann::json(nullptr);
    };
    nlohmann::json j = {{"status", std::string(to_string(o.status))},
                        {"request_id", o.request_id},
                        {"model", o.model},
                        {"estimator", o.estimator},
                        {"metric", o.metric},
                        {"score", number(o.score)},
                        {"gate_passed", o.gate_passed},
                        {"gate", o.gate},
                        {"promoted", o.promoted},
                        {"rows", o.rows},
                        {"seconds", o.seconds},
                        {"fit_status", std::string(to_string(o.fit.status))},
                        {"watermark", to_json(o.data_watermark)}};
    if (o.version) {
        j["version"] = *o.version;
        j["created"] = o.created;
    }
    if (o.cv_mean) j["cv_mean"] = number(*o.cv_mean);
    if (o.cv_std) j["cv_std"] = number(*o.cv_std);
    if (o.champion_version) j["champion_version"] = *o.champion_version;
    if (o.champion_score) j["champion_score"] = number(*o.champion_score);
    if (!o.promotion.empty()) j["promotion"] = o.promotion;
    return j;
}

namespace detail {

/// A digest of a data set's content: features, targets and labels (for lineage).
[[nodiscard]] inline std::string dataset_digest(const dataset<double>& d) {
    sha256_hasher h;
    const std::uint64_t shape[2] = {static_cast<std::uint64_t>(d.n_samples()),
                                    static_cast<std::uint64_t>(d.n_features())};
    h.update(shape, sizeof shape);
    h.update(d.features().data(), static_cast<std::size_t>(d.features().size()) * sizeof(double));
    h.update(d.targets().data(),
             static_cast<std::size_t>(d.targets().size()) * sizeof(d.targets()[0]));
    const std::string labels = d.classes().to_json().dump();
    h.update(labels.data(), labels.size());
    return "sha256:" + to_hex(h.finish());
}

[[nodiscard]] inline std::string watermark_text(const watermark& w) {
    if (const auto* i = std::get_if<std::int64_t>(&w)) return std::to_string(*i);
    if (const auto* d = std::get_if<double>(&w)) return nlohmann::json(*d).dump();
    if (const auto* s = std::get_if<std::string>(&w)) return *s;
    return "";
}

[[nodiscard]] inline std::string score_text(double x) {
    char text[32];
    std::snprintf(text, sizeof text, "%.4f", x);
    return text;
}

/// Splits rows into train and held-out parts by a seeded hash of each row's content (features and
/// label): a row's side never depends on the other rows, so as the data set grows every row stays
/// on its side, and a champion trained earlier with the same seed and fraction has never seen the
/// rows it is compared on. (A random split of the grown data would hold out rows the champion was
/// trained on and flatter it.) Every class keeps at least one training row.
/// @throws invalid_input_error when a part would be empty
[[nodiscard]] inline split_indices stable_holdout(const dataset<double>& data, double fraction,
                                                  std::uint64_t seed) {
    split_indices parts;
    const Eigen::Index n = data.n_samples();
    const Eigen::Index d = data.n_features();
    std::vector<double> row(static_cast<std::size_t>(d) + 1);
    std::vector<bool> class_in_train(data.n_classes(), false);
    for (Eigen::Index i = 0; i < n; ++i) {
        for (Eigen::Index j = 0; j < d; ++j)
            row[static_cast<std::size_t>(j)] = data.features()(i, j);
        row.back() = static_cast<double>(data.targets()[i]);
        const auto h = xxh64(std::as_bytes(std::span(row)), seed);
        const double u = static_cast<double>(h >> 11) * 0x1.0p-53;
        if (u < fraction) {
            parts.test.push_back(i);
        } else {
            parts.train.push_back(i);
            class_in_train[static_cast<std::size_t>(data.targets()[i])] = true;
        }
    }
    for (std::size_t c = 0; c < class_in_train.size(); ++c) {
        if (class_in_train[c]) continue;
        const auto it = std::find_if(parts.test.begin(), parts.test.end(), [&](Eigen::Index i) {
            return static_cast<std::size_t>(data.targets()[i]) == c;
        });
        if (it != parts.test.end()) {
            parts.train.push_back(*it);
            parts.test.erase(it);
        }
    }
    std::sort(parts.train.begin(), parts.train.end());
    if (parts.train.empty() || parts.test.empty()) {
        throw invalid_input_error("holding out " + std::to_string(fraction) + " of " +
                                      std::to_string(n) + " rows leaves a part empty",
                                  "train on more rows, or change validation.test_fraction",
                                  "validation.test_fraction");
    }
    return parts;
}

/// Scores a model that predicts class indices of `labels` on `test` with `s`.
template <class Model>
[[nodiscard]] double score_on(const Model& model, const dataset<double>& test, const scorer& s) {
    const class_index_vector predicted = model.predict(test.features());
    std::optional<probability_matrix<double>> proba;
    if (s.needs_proba) proba.emplace(model.predict_proba(test.features()));
    const scoring_input in{test.targets(), predicted, proba ? &*proba : nullptr, test.n_classes()};
    return s.score(in);
}

/// Why a champion cannot be scored on `test` ("" when it can).
[[nodiscard]] inline std::string champion_mismatch(const any_model& champion,
                                                   const dataset<double>& test) {
    if (champion.n_features() != test.n_features()) {
        return "it takes " + std::to_string(champion.n_features()) + " features, the data has " +
               std::to_string(test.n_features());
    }
    if (!(champion.classes() == test.classes())) return "its classes differ from the data's";
    return {};
}

/// Calls the user's callback; remembers a request to stop.
class progress_relay {
  public:
    explicit progress_relay(const progress_callback& user) : user_(user) {}
    bool operator()(const progress& p) {
        if (user_ && !user_(p)) stopped_ = true;
        return !stopped_;
    }
    void step(std::string_view stage, double elapsed) {
        progress p;
        p.stage = stage;
        p.step = 1;
        p.steps = 1;
        p.loss = std::nan("");
        p.gradient_norm = std::nan("");
        p.elapsed_seconds = elapsed;
        (*this)(p);
        throw_if_stopped(stage);
    }
    void throw_if_stopped(std::string_view where) const {
        if (stopped_) {
            throw training_cancelled("the training was stopped by its progress callback (during " +
                                     std::string(where) + ")");
        }
    }

  private:
    const progress_callback& user_;
    bool stopped_ = false;
};

/// What train's steps 4 to 6a give for the requested estimator.
struct fitted_candidate {
    fit_report fit;
    std::optional<double> cv_mean;
    std::optional<double> cv_std;
    double score = 0.0;              ///< on the held-out part
    nlohmann::json hyperparameters;  ///< all of them, defaults included
    artifact_manifest manifest;      ///< the artifact's, metrics and lineage filled in
    std::vector<std::byte> artifact_bytes;
};

/// Steps 4 to 6a of train() for one model type: cross-validates the requested pipeline of `Model`
/// on `train_part` (when the request asks for k-fold), fits it, scores it on `test_part` and
/// encodes its artifact with `manifest` (whose lineage the caller filled in). The only part of
/// train() that depends on the model type: in separate-compilation mode, the compiled library
/// holds it for every model family (separate_compilation/model.ipp).
/// @throws training_cancelled when the progress callback asked to stop
template <class Model>
fitted_candidate fit_candidate(const training_request& request, const dataset<double>& train_part,
                               const dataset<double>& test_part, const scorer& metric,
                               progress_relay& relay, std::chrono::steady_clock::time_point started,
                               artifact_manifest manifest) {
    using pipeline_type = pipeline<Model>;
    const auto elapsed = [&] {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    };
    const auto make = [&] {
        std::vector<any_transformer<double>> steps;
        for (std::size_t i = 0; i < request.preprocessing.size(); ++i) {
            const auto& s = request.preprocessing[i];
            steps.push_back(
                make_step<double>(s.kind, s.params, "preprocessing[" + std::to_string(i) + "]"));
        }
        return pipeline_type(std::move(steps),
                             make_estimator<Model>(request.hyperparameters, "estimator"));
    };
    fitted_candidate out;
    fit_options fit;
    fit.threads = request.threads;
    fit.on_progress = [&](const progress& p) { return relay(p); };

    // 4. Cross-validate.
    if (request.validation.method == validation_method::k_fold) {
        k_fold_options k;
        k.n_splits = request.validation.folds;
        k.seed = request.seed;
        const auto folds = stratified_k_fold(train_part, k);
        const auto cv = cross_validate(make, train_part, folds, {metric}, fit);
        relay.throw_if_stopped("cross-validation");
        out.cv_mean = cv.mean(metric.name);
        out.cv_std = cv.std_dev(metric.name);
    }

    // 5. Fit.
    pipeline_type model = make();
    out.fit = model.fit(train_part, fit);
    relay.throw_if_stopped("fit");
    out.hyperparameters = model.model().params().to_json();

    // 6a. Evaluate.
    relay.step("evaluate", elapsed());
    out.score = score_on(model, test_part, metric);

    // Member by member: clang 14 with AddressSanitizer leaks the object this replaced when it is
    // assigned a braced list here (one map per training; g++ does not).
    manifest.metrics = nlohmann::json::object();
    manifest.metrics["metric"] = metric.name;
    manifest.metrics["holdout_" + metric.name] = out.score;
    manifest.metrics["test_rows"] = static_cast<std::uint64_t>(test_part.n_samples());
    if (out.cv_mean) {
        manifest.metrics["cv_mean_" + metric.name] = *out.cv_mean;
        manifest.metrics["cv_std_" + metric.name] = *out.cv_std;
    }
    manifest.lineage.time_taken_seconds = out.fit.elapsed_seconds;
    manifest.lineage.created_at = utc_now_iso8601();
    out.artifact_bytes = encode_artifact(to_artifact(model, manifest));
    out.manifest = std::move(manifest);
    return out;
}

}  // namespace detail

namespace detail {

/// One call of train(): a member per step of the file comment's list, sharing the request, the
/// backends and what the earlier steps found.
template <data_source Source, blob_store Store>
class training_run {
  public:
    training_run(const training_request& request, Source& source, model_registry<Store>& registry,
                 const trainer_options& options)
        : request_(request),
          source_(source),
          registry_(registry),
          options_(options),
          started_(std::chrono::steady_clock::now()),
          relay_(options.on_progress),
          metric_(make_scorer(request.validation.metric)) {
        out_.request_id = request.request_id;
        out_.model = request.model;
        out_.estimator = request.estimator;
        out_.metric = request.validation.metric;
    }

    training_outcome run() {
        if (!published_before()) {
            fetch();
            split();
            fit();
            if (!gate()) {
                out_.status = training_status::rejected;
                return finish();
            }
            publish();
            promote();
        }
        return finish();
    }

  private:
    [[nodiscard]] double elapsed() const {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
    }

    training_outcome finish() {
        out_.seconds = elapsed();
        return std::move(out_);
    }

    /// 1. A redelivery: the request published a version before. The outcome names it, and a
    /// promotion the first run may not have finished is finished.
    bool published_before() {
        const auto done = registry_.published_version(request_.model, request_.request_id);
        if (!done) return false;
        const auto info = registry_.version_info(request_.model, *done);
        out_.status = training_status::published;
        out_.version = *done;
        out_.created = false;
        if (!info) return true;
        const nlohmann::json& m = info->metadata;
        out_.gate_passed = m.value("gate_passed", true);
        out_.gate = m.value("gate", "");
        if (const auto it = m.find("score"); it != m.end() && it->is_number())
            out_.score = it->template get<double>();
        if (const auto it = m.find("rows"); it != m.end() && it->is_number_unsigned())
            out_.rows = it->template get<std::uint64_t>();
        if (!request_.promote.empty() && out_.gate_passed) {
            std::optional<std::uint64_t> expected;
            if (const auto it = m.find("champion_version");
                it != m.end() && it->is_number_unsigned())
                expected = it->template get<std::uint64_t>();
            if (registry_.alias(request_.model, request_.promote) == *done) {
                already_promoted();
            } else if (!move_alias(expected, "", " (finishing an interrupted promotion)")) {
                out_.promotion =
                    request_.promote + " was moved by someone else meanwhile; left as is";
            }
        }
        return true;
    }

    /// 2. Fetch the data set.
    void fetch() {
        relay_.step("fetch", elapsed());
        fetched_ = source_.fetch(fetch_request{request_.dataset.name, request_.dataset.parameters});
        const dataset<double>& data = fetched_.data;
        if (!data.labelled()) {
            throw invalid_input_error(
                "data set \"" + request_.dataset.name + "\" has no label column",
                "define the data set with a label column", "dataset.name");
        }
        out_.rows = static_cast<std::uint64_t>(data.n_samples());
        out_.data_watermark = fetched_.high_watermark;
    }

    /// 3. Split: a stable hold-out (see detail::stable_holdout).
    void split() {
        const dataset<double>& data = fetched_.data;
        const split_indices parts =
            stable_holdout(data, request_.validation.test_fraction, request_.seed);
        train_part_ = data.subset(parts.train);
        test_part_ = data.subset(parts.test);
        out_.train_rows = parts.train.size();
        out_.test_rows = parts.test.size();
    }

    /// 4-6a. Cross-validate, fit and evaluate the requested pipeline.
    void fit() {
        artifact_manifest manifest;
        manifest.lineage.request_id = request_.request_id;
        manifest.lineage.dataset_name = request_.dataset.name;
        manifest.lineage.dataset_digest = dataset_digest(fetched_.data);
        manifest.lineage.row_count = out_.train_rows;
        manifest.lineage.watermark = watermark_text(fetched_.high_watermark);
        visit_estimator(request_.estimator, [&](auto type) {
            candidate_ = fit_candidate<typename decltype(type)::type>(
                request_, train_part_, test_part_, metric_, relay_, started_, std::move(manifest));
        });
        out_.fit = candidate_.fit;
        out_.cv_mean = candidate_.cv_mean;
        out_.cv_std = candidate_.cv_std;
        out_.score = candidate_.score;
    }

    /// 6b. Gate: the minimum score, then the champion. @returns whether the candidate passed
    bool gate() {
        const double gate_score = out_.cv_mean ? *out_.cv_mean : out_.score;
        std::string verdict;
        bool passed = true;
        if (request_.validation.min_score) {
            const bool ok = gate_score >= *request_.validation.min_score;
            verdict = metric_.name + (out_.cv_mean ? " (k-fold mean) " : " ") +
                      score_text(gate_score) + (ok ? " >= " : " < ") + "minimum " +
                      score_text(*request_.validation.min_score);
            passed = ok;
        }
        if (passed && request_.validation.champion) {
            const auto& spec = *request_.validation.champion;
            relay_.step("champion", elapsed());
            if (const auto v = registry_.alias(request_.model, spec.alias)) {
                out_.champion_version = *v;
                std::string note;
                out_.champion_score = score_champion(*v, note);
                std::string text;
                if (!out_.champion_score) {
                    text = note;
                } else {
                    passed = beats(*out_.champion_score, spec.margin);
                    text = "held-out " + metric_.name + " " + score_text(out_.score) +
                           (passed ? " beats " : " does not beat ") + "champion v" +
                           std::to_string(*v) + " (" + score_text(*out_.champion_score) + ")" +
                           (spec.margin != 0.0 ? " by the margin " + score_text(spec.margin) : "");
                }
                verdict += (verdict.empty() ? "" : "; ") + text;
            } else {
                verdict += std::string(verdict.empty() ? "" : "; ") + "no champion (" + spec.alias +
                           " not set)";
            }
        }
        if (verdict.empty()) verdict = "no verdict: " + metric_.name + " " + score_text(out_.score);
        out_.gate_passed = passed;
        out_.gate = verdict;
        return passed;
    }

    /// 7. Publish the artifact and its metadata, idempotently by request id.
    void publish() {
        relay_.step("publish", elapsed());
        const artifact_manifest& manifest = candidate_.manifest;
        nlohmann::json metadata = {{"request", mlpipe::to_json(request_)},
                                   {"estimator", request_.estimator},
                                   {"hyperparameters", candidate_.hyperparameters},
                                   {"metric", metric_.name},
                                   {"score", out_.score},
                                   {"metrics", manifest.metrics},
                                   {"gate", out_.gate},
                                   {"gate_passed", true},
                                   {"rows", out_.rows},
                                   {"train_rows", out_.train_rows},
                                   {"dataset", request_.dataset.name},
                                   {"dataset_digest", manifest.lineage.dataset_digest},
                                   {"watermark", mlpipe::to_json(fetched_.high_watermark)},
                                   {"fit_status", std::string(to_string(out_.fit.status))},
                                   {"fit_seconds", out_.fit.elapsed_seconds}};
        if (out_.champion_version) metadata["champion_version"] = *out_.champion_version;
        const auto& bytes = candidate_.artifact_bytes;
        const auto published = registry_.publish(
            request_.model,
            std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()), metadata,
            request_.request_id, options_.actor);
        out_.status = training_status::published;
        out_.version = published.version;
        out_.created = published.created;
    }

    /// 8. Promote: move the alias by compare-and-swap from the champion it was compared with; when
    /// another worker moved it meanwhile, compare with the new champion on the same rows.
    void promote() {
        if (request_.promote.empty()) return;
        relay_.step("promote", elapsed());
        const bool compare =
            request_.validation.champion && request_.validation.champion->alias == request_.promote;
        const double margin = compare ? request_.validation.champion->margin : 0.0;
        std::optional<std::uint64_t> expected =
            compare ? out_.champion_version : registry_.alias(request_.model, request_.promote);
        std::string why = out_.gate;
        for (int attempt = 0; attempt < 100; ++attempt) {
            if (expected == out_.version) {
                already_promoted();
                return;
            }
            if (move_alias(expected, ": " + why,
                           expected ? " from version " + std::to_string(*expected) : ""))
                return;
            // Moved meanwhile: compare with the new champion on the same rows.
            expected = registry_.alias(request_.model, request_.promote);
            if (compare && expected && *expected != *out_.version) {
                std::string note;
                const auto rival = score_champion(*expected, note);
                if (rival && !beats(*rival, margin)) {
                    out_.promotion = request_.promote + " left on version " +
                                     std::to_string(*expected) +
                                     ", which another worker promoted meanwhile and scores " +
                                     score_text(*rival);
                    return;
                }
                why = "held-out " + metric_.name + " " + score_text(out_.score) + " beats v" +
                      std::to_string(*expected) + ", promoted meanwhile (" +
                      (rival ? score_text(*rival) : note) + ")";
            }
        }
    }

    /// The one alias move (steps 1 and 8): the promote alias from `expected` to out_.version, by
    /// compare-and-swap, audited with the request id and `reason`. @returns whether it moved
    bool move_alias(std::optional<std::uint64_t> expected, const std::string& reason,
                    const std::string& suffix) {
        if (!registry_.move_alias_if(request_.model, request_.promote, expected, *out_.version,
                                     options_.actor,
                                     "promotion by request " + request_.request_id + reason))
            return false;
        out_.promoted = true;
        out_.promotion =
            request_.promote + " moved to version " + std::to_string(*out_.version) + suffix;
        return true;
    }

    void already_promoted() {
        out_.promotion =
            request_.promote + " already points to version " + std::to_string(*out_.version);
    }

    /// The held-out score of the champion `version`, or nullopt with `note` saying why it cannot
    /// be compared.
    std::optional<double> score_champion(std::uint64_t version, std::string& note) {
        const auto resolved = registry_.fetch(request_.model, version);
        const any_model champion = load_any(std::as_bytes(std::span(resolved.bytes)));
        if (auto why = champion_mismatch(champion, test_part_); !why.empty()) {
            note = "champion version " + std::to_string(version) + " not comparable (" + why + ")";
            return std::nullopt;
        }
        return score_on(champion, test_part_, metric_);
    }

    [[nodiscard]] bool beats(double champion_score, double margin) const {
        return out_.score >= champion_score + margin;
    }

    const training_request& request_;
    Source& source_;
    model_registry<Store>& registry_;
    const trainer_options& options_;
    std::chrono::steady_clock::time_point started_;
    progress_relay relay_;
    scorer metric_;
    training_outcome out_;
    fetch_result fetched_;
    dataset<double> train_part_;
    dataset<double> test_part_;
    fitted_candidate candidate_;
};

}  // namespace detail

/// Trains, validates, publishes and promotes as `request` says (see the file comment).
///
/// @returns published (with the version) or rejected by the gate (with the scores)
/// @throws invalid_input_error for a request the data cannot satisfy (unknown data set, too few
///   rows of a class to split, NaN without an imputer, ...), naming the field; storage_error when
///   a backend fails; training_cancelled when the progress callback asked to stop; format_error
///   when the champion's artifact is corrupt.
/// Thread safety: concurrent calls are safe when the data source and the store are (every mlpipe
/// backend is); the registry may be shared.
template <data_source Source, blob_store Store>
training_outcome train(const training_request& request, Source& source,
                       model_registry<Store>& registry, const trainer_options& options = {}) {
    validate(request);
    return detail::training_run<Source, Store>(request, source, registry, options).run();
}

/// Separate compilation (config.hpp): each model family's part of the compiled library holds its
/// fit_candidate (separate_compilation/model.ipp).
#define MLPIPE_FIT_CANDIDATE_OF(prefix, Family)                                                 \
    prefix template detail::fitted_candidate detail::fit_candidate<Family<double>>(             \
        const training_request&, const dataset<double>&, const dataset<double>&, const scorer&, \
        detail::progress_relay&, std::chrono::steady_clock::time_point, artifact_manifest);
#if defined(MLPIPE_SEPARATE_COMPILATION)
#define MLPIPE_EXTERN_FIT_CANDIDATE(Family) MLPIPE_FIT_CANDIDATE_OF(extern, Family)
MLPIPE_FOR_EACH_MODEL_KIND(MLPIPE_EXTERN_FIT_CANDIDATE)
#undef MLPIPE_EXTERN_FIT_CANDIDATE
#endif

}  // namespace mlpipe
