// SPDX-License-Identifier: Apache-2.0
/// @file jobs/request_journal.hpp `request_journal`: what happened to each training request (every
/// attempt with its error or outcome) and which workers were seen, kept in a blob_store beside
/// the registry.
///
/// Layout under the prefix (default "jobs/"):
/// - `requests/<sha256(request id)>/queued.json`: the request as queued (written by triggers)
/// - `requests/<sha256(request id)>/attempts/<0000000003>.json`: attempt 3 (the message's receive
///   count): worker, times, status (published, rejected, failed, cancelled), error or outcome
/// - `workers/<worker name>.json`: the worker's latest heartbeat: state, request, time
///
/// The journal is informative: the queue and the registry alone decide what is trained and
/// published, so a journal write that fails never loses a request (workers log and go on).
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "../detail/clock.hpp"
#include "../detail/sha256.hpp"
#include "../registry/model_registry.hpp"
#include "../storage/blob_store.hpp"

namespace mlpipe {

/// One attempt at a request, as journaled.
struct request_attempt {
    std::string request_id;
    std::uint32_t attempt = 0;  ///< the message's receive count
    std::string worker;
    std::string started_at;
    std::string finished_at;
    std::string status;      ///< "published", "rejected", "failed", "cancelled"
    std::string error_type;  ///< for failed and cancelled: "invalid_input", "storage", ...
    std::string error;       ///< the error message
    nlohmann::json outcome;  ///< the training outcome (published, rejected), else null
};

/// Journal of requests and workers on a blob_store (see the file comment).
/// The store must outlive the journal. Thread safety: every member may be called concurrently,
/// from threads and processes sharing the store.
template <blob_store Store>
class request_journal {
  public:
    explicit request_journal(Store& store, std::string prefix = "jobs/")
        : store_(&store), prefix_(std::move(prefix)) {
        if (!prefix_.empty() && prefix_.back() != '/') prefix_ += '/';
    }

    /// Records that `request_json` (a training request document) was queued; false when it had
    /// been recorded before (the trigger's "already queued" test).
    bool record_queued(std::string_view request_id, const nlohmann::json& request_json) {
        return store_
            ->put_if_absent(request_key(request_id) + "queued.json",
                            nlohmann::json{{"request_id", std::string(request_id)},
                                           {"queued_at", detail::utc_now_iso8601()},
                                           {"request", request_json}}
                                .dump())
            .has_value();
    }

    /// Whether the request was recorded as queued.
    [[nodiscard]] bool was_queued(std::string_view request_id) {
        return store_->get(request_key(request_id) + "queued.json").has_value();
    }

    /// Records one attempt (overwrites an earlier record of the same attempt number).
    void record_attempt(const request_attempt& a) {
        nlohmann::json j = {{"request_id", a.request_id},   {"attempt", a.attempt},
                            {"worker", a.worker},           {"started_at", a.started_at},
                            {"finished_at", a.finished_at}, {"status", a.status},
                            {"error_type", a.error_type},   {"error", a.error},
                            {"outcome", a.outcome}};
        store_->put(
            request_key(a.request_id) + "attempts/" + detail::zero_padded(a.attempt) + ".json",
            j.dump());
    }

    /// Every recorded attempt of a request, in attempt order.
    [[nodiscard]] std::vector<request_attempt> attempts(std::string_view request_id) {
        std::vector<request_attempt> out;
        for (const auto& key : list_all(*store_, request_key(request_id) + "attempts/")) {
            const auto found = store_->get(key);
            if (!found) continue;
            const auto j = nlohmann::json::parse(found->bytes, nullptr, false);
            if (!j.is_object()) continue;
            request_attempt a;
            a.request_id = j.value("request_id", "");
            a.attempt = j.value("attempt", 0u);
            a.worker = j.value("worker", "");
            a.started_at = j.value("started_at", "");
            a.finished_at = j.value("finished_at", "");
            a.status = j.value("status", "");
            a.error_type = j.value("error_type", "");
            a.error = j.value("error", "");
            a.outcome = j.contains("outcome") ? j.at("outcome") : nlohmann::json();
            out.push_back(std::move(a));
        }
        std::sort(out.begin(), out.end(), [](const request_attempt& x, const request_attempt& y) {
            return x.attempt < y.attempt;
        });
        return out;
    }

    /// Records a worker's heartbeat: its state ("idle", "training", "stopped") and request.
    void record_worker(std::string_view worker, std::string_view state,
                       std::string_view request_id = {}) {
        store_->put(prefix_ + "workers/" + worker_file(worker),
                    nlohmann::json{{"worker", std::string(worker)},
                                   {"state", std::string(state)},
                                   {"request_id", std::string(request_id)},
                                   {"at", detail::utc_now_iso8601()}}
                        .dump());
    }

    /// Every worker's latest heartbeat document.
    [[nodiscard]] std::vector<nlohmann::json> workers() {
        std::vector<nlohmann::json> out;
        for (const auto& key : list_all(*store_, prefix_ + "workers/")) {
            if (const auto found = store_->get(key)) {
                auto j = nlohmann::json::parse(found->bytes, nullptr, false);
                if (j.is_object()) out.push_back(std::move(j));
            }
        }
        return out;
    }

  private:
    std::string request_key(std::string_view request_id) const {
        return prefix_ + "requests/" + detail::sha256_hex(request_id) + "/";
    }
    /// Worker names become one key segment: anything outside [A-Za-z0-9._-] becomes '_'.
    static std::string worker_file(std::string_view worker) {
        std::string name(worker.substr(0, 128));
        for (char& c : name) {
            const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                            (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
            if (!ok) c = '_';
        }
        if (name.empty() || name.front() == '.') name.insert(0, "w");
        return name + ".json";
    }

    Store* store_;
    std::string prefix_;
};

}  // namespace mlpipe
