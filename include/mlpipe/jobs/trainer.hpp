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
    const auto started = std::chrono::steady_clock::now();
    const auto elapsed = [&] {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    };
    detail::progress_relay relay(options.on_progress);
    training_outcome out;
    out.request_id = request.request_id;
    out.model = request.model;
    out.estimator = request.estimator;
    out.metric = request.validation.metric;

    // 1. Published before (a redelivery): finish what the first run may have left.
    if (const auto done = registry.published_version(request.model, request.request_id)) {
        const auto info = registry.version_info(request.model, *done);
        out.status = training_status::published;
        out.version = *done;
        out.created = false;
        if (info) {
            const nlohmann::json& m = info->metadata;
            out.gate_passed = m.value("gate_passed", true);
            out.gate = m.value("gate", "");
            if (const auto it = m.find("score"); it != m.end() && it->is_number())
                out.score = it->template get<double>();
            if (const auto it = m.find("rows"); it != m.end() && it->is_number_unsigned())
                out.rows = it->template get<std::uint64_t>();
            if (!request.promote.empty() && out.gate_passed) {
                std::optional<std::uint64_t> expected;
                if (const auto it = m.find("champion_version");
                    it != m.end() && it->is_number_unsigned())
                    expected = it->template get<std::uint64_t>();
                const auto now = registry.alias(request.model, request.promote);
                if (now == *done) {
                    out.promotion =
                        request.promote + " already points to version " + std::to_string(*done);
                } else if (registry.move_alias_if(request.model, request.promote, expected, *done,
                                                  options.actor,
                                                  "promotion by request " + request.request_id)) {
                    out.promoted = true;
                    out.promotion = request.promote + " moved to version " + std::to_string(*done) +
                                    " (finishing an interrupted promotion)";
                } else {
                    out.promotion =
                        request.promote + " was moved by someone else meanwhile; left as is";
                }
            }
        }
        out.seconds = elapsed();
        return out;
    }

    // 2. Fetch.
    relay.step("fetch", elapsed());
    fetch_result fetched =
        source.fetch(fetch_request{request.dataset.name, request.dataset.parameters});
    const dataset<double>& data = fetched.data;
    if (!data.labelled()) {
        throw invalid_input_error("data set \"" + request.dataset.name + "\" has no label column",
                                  "define the data set with a label column", "dataset.name");
    }
    out.rows = static_cast<std::uint64_t>(data.n_samples());
    out.data_watermark = fetched.high_watermark;

    // 3. Split: a stable hold-out (see detail::stable_holdout).
    const split_indices parts =
        detail::stable_holdout(data, request.validation.test_fraction, request.seed);
    const dataset<double> train_part = data.subset(parts.train);
    const dataset<double> test_part = data.subset(parts.test);
    out.train_rows = parts.train.size();
    out.test_rows = parts.test.size();

    const scorer metric = make_scorer(request.validation.metric);
    artifact_manifest manifest;
    manifest.lineage.request_id = request.request_id;
    manifest.lineage.dataset_name = request.dataset.name;
    manifest.lineage.dataset_digest = detail::dataset_digest(data);
    manifest.lineage.row_count = out.train_rows;
    manifest.lineage.watermark = detail::watermark_text(fetched.high_watermark);

    // 4-6a. Cross-validate, fit, evaluate.
    detail::fitted_candidate candidate;
    visit_estimator(request.estimator, [&](auto type) {
        candidate = detail::fit_candidate<typename decltype(type)::type>(
            request, train_part, test_part, metric, relay, started, std::move(manifest));
    });
    out.fit = candidate.fit;
    out.cv_mean = candidate.cv_mean;
    out.cv_std = candidate.cv_std;
    out.score = candidate.score;
    manifest = std::move(candidate.manifest);
    const nlohmann::json& hyperparameters = candidate.hyperparameters;
    const std::vector<std::byte>& artifact_bytes = candidate.artifact_bytes;
    const double gate_score = out.cv_mean ? *out.cv_mean : out.score;

    // 6b. Gate: minimum score, then the champion.
    std::string gate;
    bool passed = true;
    if (request.validation.min_score) {
        const bool ok = gate_score >= *request.validation.min_score;
        gate = metric.name + (out.cv_mean ? " (k-fold mean) " : " ") +
               detail::score_text(gate_score) + (ok ? " >= " : " < ") + "minimum " +
               detail::score_text(*request.validation.min_score);
        passed = ok;
    }
    const auto score_champion = [&](std::uint64_t version,
                                    std::string& note) -> std::optional<double> {
        const auto resolved = registry.fetch(request.model, version);
        const any_model champion = load_any(std::as_bytes(std::span(resolved.bytes)));
        if (auto why = detail::champion_mismatch(champion, test_part); !why.empty()) {
            note = "champion version " + std::to_string(version) + " not comparable (" + why + ")";
            return std::nullopt;
        }
        return detail::score_on(champion, test_part, metric);
    };
    const auto beats = [&](double champion_score, double margin) {
        return out.score >= champion_score + margin;
    };
    if (passed && request.validation.champion) {
        const auto& spec = *request.validation.champion;
        relay.step("champion", elapsed());
        if (const auto v = registry.alias(request.model, spec.alias)) {
            out.champion_version = *v;
            std::string note;
            out.champion_score = score_champion(*v, note);
            std::string text;
            if (!out.champion_score) {
                text = note;
            } else {
                passed = beats(*out.champion_score, spec.margin);
                text =
                    "held-out " + metric.name + " " + detail::score_text(out.score) +
                    (passed ? " beats " : " does not beat ") + "champion v" + std::to_string(*v) +
                    " (" + detail::score_text(*out.champion_score) + ")" +
                    (spec.margin != 0.0 ? " by the margin " + detail::score_text(spec.margin) : "");
            }
            gate += (gate.empty() ? "" : "; ") + text;
        } else {
            gate +=
                std::string(gate.empty() ? "" : "; ") + "no champion (" + spec.alias + " not set)";
        }
    }
    if (gate.empty()) gate = "no gate: " + metric.name + " " + detail::score_text(out.score);
    out.gate_passed = passed;
    out.gate = gate;
    if (!passed) {
        out.status = training_status::rejected;
        out.seconds = elapsed();
        return out;
    }

    // 7. Publish.
    relay.step("publish", elapsed());
    nlohmann::json metadata = {{"request", to_json(request)},
                               {"estimator", request.estimator},
                               {"hyperparameters", hyperparameters},
                               {"metric", metric.name},
                               {"score", out.score},
                               {"metrics", manifest.metrics},
                               {"gate", gate},
                               {"gate_passed", true},
                               {"rows", out.rows},
                               {"train_rows", out.train_rows},
                               {"dataset", request.dataset.name},
                               {"dataset_digest", manifest.lineage.dataset_digest},
                               {"watermark", to_json(fetched.high_watermark)},
                               {"fit_status", std::string(to_string(out.fit.status))},
                               {"fit_seconds", out.fit.elapsed_seconds}};
    if (out.champion_version) metadata["champion_version"] = *out.champion_version;
    const std::string_view bytes_view(reinterpret_cast<const char*>(artifact_bytes.data()),
                                      artifact_bytes.size());
    const auto published =
        registry.publish(request.model, bytes_view, metadata, request.request_id, options.actor);
    out.status = training_status::published;
    out.version = published.version;
    out.created = published.created;

    // 8. Promote.
    if (!request.promote.empty()) {
        relay.step("promote", elapsed());
        const bool compare =
            request.validation.champion && request.validation.champion->alias == request.promote;
        const double margin = compare ? request.validation.champion->margin : 0.0;
        std::optional<std::uint64_t> expected =
            compare ? out.champion_version : registry.alias(request.model, request.promote);
        std::string why = gate;
        for (int attempt = 0; attempt < 100; ++attempt) {
            if (expected == out.version) {
                out.promotion =
                    request.promote + " already points to version " + std::to_string(*out.version);
                break;
            }
            if (registry.move_alias_if(request.model, request.promote, expected, *out.version,
                                       options.actor,
                                       "promotion by request " + request.request_id + ": " + why)) {
                out.promoted = true;
                out.promotion = request.promote + " moved to version " +
                                std::to_string(*out.version) +
                                (expected ? " from version " + std::to_string(*expected) : "");
                break;
            }
            // Moved meanwhile: compare with the new champion on the same rows.
            expected = registry.alias(request.model, request.promote);
            if (compare && expected && *expected != *out.version) {
                std::string note;
                const auto rival = score_champion(*expected, note);
                if (rival && !beats(*rival, margin)) {
                    out.promotion = request.promote + " left on version " +
                                    std::to_string(*expected) +
                                    ", which another worker promoted meanwhile and scores " +
                                    detail::score_text(*rival);
                    break;
                }
                why = "held-out " + metric.name + " " + detail::score_text(out.score) + " beats v" +
                      std::to_string(*expected) + ", promoted meanwhile (" +
                      (rival ? detail::score_text(*rival) : note) + ")";
            }
        }
    }
    out.seconds = elapsed();
    return out;
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
