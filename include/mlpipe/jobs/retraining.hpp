// SPDX-License-Identifier: Apache-2.0
/// @file jobs/retraining.hpp Retraining triggers: per model, a policy (enough new rows since the
/// watermark the current version was trained at, or a version too old) checked against the data
/// source; when due, training requests are queued under ids derived from the model and the
/// watermark, so repeated checks never queue duplicate work.
#pragma once

#include <chrono>
#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "../error.hpp"
#include "../registry/model_registry.hpp"
#include "../storage/blob_store.hpp"
#include "../storage/data_source.hpp"
#include "../storage/message_queue.hpp"
#include "request_journal.hpp"
#include "trainer.hpp"
#include "training_request.hpp"

namespace mlpipe {

/// When a model is due for retraining, and what to train then.
struct retraining_policy {
    /// The requests to queue when due (one per candidate estimator; they share model, data set
    /// and validation). Their request_id is ignored: the trigger derives it.
    std::vector<training_request> candidates;
    /// Due when at least this many rows arrived after the current version's watermark.
    std::optional<std::uint64_t> min_new_rows;
    /// Due when the current version is older than this.
    std::optional<std::chrono::seconds> max_age;
    /// The alias naming the current version (the latest version when it is not set).
    std::string alias = "production";
};

/// What a check found and did.
struct retraining_decision {
    std::string model;
    bool due = false;
    std::string reason;  ///< why (not) due, in words
    std::optional<std::uint64_t> current_version;
    watermark trained_watermark;              ///< the current version's watermark (monostate: none)
    watermark data_watermark;                 ///< the data set's watermark now
    std::uint64_t new_rows = 0;               ///< rows past trained_watermark
    std::vector<std::string> queued;          ///< request ids sent now
    std::vector<std::string> already_queued;  ///< request ids found queued or published before
};

namespace detail {
[[nodiscard]] inline std::chrono::system_clock::time_point parse_utc_iso8601(const std::string& t) {
    std::tm tm{};
    if (t.size() < 19 || ::strptime(t.c_str(), "%Y-%m-%dT%H:%M:%S", &tm) == nullptr) return {};
    return std::chrono::system_clock::from_time_t(::timegm(&tm));
}
}  // namespace detail

/// The request id of candidate `index` of `count` for `model` at `data_watermark`:
/// "<model>@<watermark>" for one candidate, "<model>@<watermark>#<index+1>-<estimator>" for more;
/// `age_bucket` ("" unless due by age only) is appended as "~<bucket>".
[[nodiscard]] inline std::string retraining_request_id(const std::string& model,
                                                       const watermark& data_watermark,
                                                       std::size_t index, std::size_t count,
                                                       const std::string& estimator,
                                                       const std::string& age_bucket = {}) {
    std::string id = model + "@" + detail::watermark_text(data_watermark);
    if (count > 1) id += "#" + std::to_string(index + 1) + "-" + estimator;
    if (!age_bucket.empty()) id += "~" + age_bucket;
    return id;
}

/// Checks `policy` for one model and queues its candidates when due (see the file comment).
///
/// Duplicates: a candidate is skipped when the journal records it as queued or the registry as
/// published; it is sent with its request id as deduplication id, and recorded as queued after
/// the send (a crash in between re-sends the same id next time: harmless, publishing is
/// idempotent). Due by age only, the id gains the age window ("~<n>", n = now / max_age), so one
/// request per window is queued.
/// @throws invalid_input_error for a policy without candidates or with candidates of different
///   models or data sets; what the data source, queue and store throw
template <data_source Source, blob_store Store, message_queue Queue>
retraining_decision check_retraining(const retraining_policy& policy, Source& source,
                                     model_registry<Store>& registry, Queue& queue,
                                     request_journal<Store>& journal) {
    if (policy.candidates.empty()) {
        throw invalid_input_error("a retraining policy without candidates",
                                  "add at least one training request to the policy", "candidates");
    }
    const training_request& first = policy.candidates.front();
    for (const auto& c : policy.candidates) {
        if (c.model != first.model || c.dataset.name != first.dataset.name) {
            throw invalid_input_error(
                "the candidates of one retraining policy train different "
                "models or data sets",
                "use one policy per model", "candidates");
        }
    }
    retraining_decision d;
    d.model = first.model;
    const fetch_request data{first.dataset.name, first.dataset.parameters};
    d.current_version = registry.alias(first.model, policy.alias);
    if (!d.current_version) d.current_version = registry.latest_version(first.model);
    d.data_watermark = source.watermark(data);

    std::string age_bucket;
    if (!d.current_version) {
        d.due = true;
        d.new_rows = source.count_since(data, watermark{});
        d.reason = "no version yet";
    } else {
        const auto info = registry.version_info(first.model, *d.current_version);
        if (info) {
            if (const auto it = info->metadata.find("watermark"); it != info->metadata.end())
                d.trained_watermark = data_value_from_json(*it, "watermark");
        }
        d.new_rows = source.count_since(data, d.trained_watermark);
        const std::string v = "version " + std::to_string(*d.current_version);
        if (policy.min_new_rows && d.new_rows >= *policy.min_new_rows) {
            d.due = true;
            d.reason = std::to_string(d.new_rows) + " new rows since " + v +
                       " (policy: " + std::to_string(*policy.min_new_rows) + ")";
        } else if (policy.max_age && info) {
            const auto age =
                std::chrono::system_clock::now() - detail::parse_utc_iso8601(info->published_at);
            if (age >= *policy.max_age) {
                d.due = true;
                d.reason = v + " is older than " + std::to_string(policy.max_age->count()) + " s";
                if (d.new_rows == 0) {
                    const auto now_s = std::chrono::duration_cast<std::chrono::seconds>(
                        std::chrono::system_clock::now().time_since_epoch());
                    age_bucket = std::to_string(now_s.count() /
                                                std::max<std::int64_t>(1, policy.max_age->count()));
                }
            }
        }
        if (!d.due) {
            d.reason =
                std::to_string(d.new_rows) + " new rows since " + v +
                (policy.min_new_rows ? " (policy: " + std::to_string(*policy.min_new_rows) + ")"
                                     : "");
        }
    }
    if (!d.due) return d;

    for (std::size_t i = 0; i < policy.candidates.size(); ++i) {
        training_request r = policy.candidates[i];
        r.request_id = retraining_request_id(r.model, d.data_watermark, i, policy.candidates.size(),
                                             r.estimator, age_bucket);
        validate(r);
        if (journal.was_queued(r.request_id) || registry.published_version(r.model, r.request_id)) {
            d.already_queued.push_back(r.request_id);
            continue;
        }
        const auto body = to_json(r);
        (void)queue.send(body.dump(), r.request_id);
        (void)journal.record_queued(r.request_id, body);
        d.queued.push_back(r.request_id);
    }
    if (d.queued.empty()) d.reason += "; already queued";
    return d;
}

}  // namespace mlpipe
