// SPDX-License-Identifier: Apache-2.0
/// @file registry/model_registry.hpp `model_registry`: immutable numbered model versions,
/// idempotent publishing, aliases moved by compare-and-swap with an audit log, on any blob_store.
///
/// The registry is model-agnostic: it stores artifact bytes and a JSON metadata document beside
/// them, and never parses an artifact. Layout under the prefix (default "registry/"):
///
/// - `index/<model>`: "" (marks a model name) (written with put_if_absent)
/// - `models/<model>/artifacts/<sha256>`: the artifact bytes (content-addressed) (written with
///   put_if_absent)
/// - `models/<model>/versions/<0000000007>.json`: the version record: digest, size, metadata,
///   request id, who, when (written with put_if_absent: **the commit point**)
/// - `models/<model>/requests/<sha256(request id)>.json`: claim, then the version of a request
///   (written with put_if_absent, then compare_and_swap)
/// - `models/<model>/aliases/<alias>.json`: current version, move sequence, the latest audit record
///   (written with put_if_absent / compare_and_swap)
/// - `models/<model>/audit/<alias>/<0000000003>.json`: one audit record per move (written with
///   put_if_absent)
///
/// Why it holds under crashes and concurrency: a version exists exactly when its record exists,
/// and the record is written (create-only) after the artifact it names, so a killed publisher
/// leaves at most an unreferenced artifact, never a visible partial version. Two publishers
/// claiming the same number race on put_if_absent: one wins, the other takes the next number, so
/// versions are never lost or overwritten. A request id is claimed first (put_if_absent); a
/// publisher that finds a finished claim returns its version and writes nothing; one that finds a
/// claim by a dead process (same host, process gone) or an expired one takes it over by
/// compare-and-swap and first looks for a version its predecessor may have committed. An alias
/// document carries its latest audit record, so a move killed between the alias write and the
/// audit write is completed by the next reader (history) or mover.
#pragma once

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <ctime>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <signal.h>
#include <unistd.h>
#include <nlohmann/json.hpp>

#include "../detail/clock.hpp"
#include "../detail/host.hpp"
#include "../detail/names.hpp"
#include "../detail/sha256.hpp"
#include "../error.hpp"
#include "../storage/blob_store.hpp"
#include "../storage/key.hpp"

namespace mlpipe {

/// Options of model_registry.
struct registry_options {
    /// Key prefix of the registry in the store ("" or ending with '/').
    std::string prefix = "registry/";
    /// A request claim older than this is taken over by another publisher of the same request id
    /// (a claim by a process that is gone on this host is taken over at once).
    std::chrono::milliseconds claim_timeout{std::chrono::seconds(60)};
};

/// A published version: everything but the artifact bytes.
struct model_version {
    std::string model;
    std::uint64_t version = 0;
    std::string sha256;        ///< hex digest of the artifact bytes
    std::uint64_t size = 0;    ///< artifact size in bytes
    std::string artifact_key;  ///< where the bytes are in the store
    nlohmann::json metadata;   ///< the caller's metadata (metrics, data digest, watermark, ...)
    std::string request_id;    ///< the publishing request ("" when none was given)
    std::string published_at;  ///< UTC, ISO 8601 with milliseconds
    std::string published_by;  ///< the actor who published
};

/// What publish did.
struct publish_result {
    std::uint64_t version = 0;
    bool created = false;  ///< false: the request id had already published this version
};

/// One alias move, as kept in the audit log.
struct alias_record {
    std::string model;
    std::string alias;
    std::uint64_t sequence = 0;         ///< 1 for the first move of this alias, then 2, 3, ...
    std::optional<std::uint64_t> from;  ///< the version before (none for the first move)
    std::uint64_t to = 0;               ///< the version after
    std::string actor;                  ///< who moved it
    std::string at;                     ///< when (UTC, ISO 8601 with milliseconds)
    std::string sha256;                 ///< digest of version `to`'s artifact
    std::string reason;                 ///< free text ("promotion", "rollback of move 4", ...)
};

/// Artifact bytes with their version record; the bytes were checked against the digest.
struct resolved_artifact {
    model_version info;
    std::string bytes;
};

namespace detail {

[[nodiscard]] inline std::string zero_padded(std::uint64_t n) {
    std::string digits = std::to_string(n);
    return std::string(digits.size() < 10 ? 10 - digits.size() : 0, '0') + digits;
}

[[nodiscard]] inline nlohmann::json parse_registry_document(const std::string& bytes,
                                                            std::string_view key) {
    auto doc = nlohmann::json::parse(bytes, nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) {
        throw storage_error("registry document " + std::string(key) + " is not a JSON object",
                            "the store was modified outside the registry: restore the document",
                            "registry");
    }
    return doc;
}

}  // namespace detail

/// A model registry on a blob_store (see the file comment for the layout and why it is safe).
/// The registry keeps a reference to the store: the store must outlive it.
/// Thread safety: every member may be called concurrently, from any number of threads and
/// processes (and machines, for a shared store) using the same store and prefix.
/// Copies share the store and a small cache of the latest version number per model.
/// Complexity: publish is a few puts (plus one listing of the model's versions the first time this
/// object publishes it, or when another publisher took the number it tried);
/// fetch is one get of the record and one of the artifact, plus hashing it.
template <blob_store Store>
class model_registry {
  public:
    explicit model_registry(Store& store, registry_options options = {})
        : store_(&store), options_(std::move(options)) {
        if (!options_.prefix.empty()) {
            validate_prefix(options_.prefix);
            if (options_.prefix.back() != '/') options_.prefix += '/';
        }
    }

    /// Publishes `artifact` as the next version of `model`.
    /// @param metadata any JSON (metrics, data digest, row count, watermark, hyperparameters)
    /// @param request_id makes the call idempotent: publishing the same request id again returns
    ///        the version it published (created = false) and writes nothing; "" disables that
    /// @param actor who publishes (kept in the version record)
    /// @throws invalid_input_error for a bad model name; storage_error when the store fails
    publish_result publish(std::string_view model, std::string_view artifact,
                           const nlohmann::json& metadata = nlohmann::json::object(),
                           std::string_view request_id = {}, std::string_view actor = {}) {
        detail::validate_name(model, "model");
        std::string claim_key;
        std::string claim_etag;
        bool took_over = false;
        // Versions a claimant of this request may have committed are all above `base`, the latest
        // version known when the request was first claimed (kept across take-overs).
        std::uint64_t base = 0;
        if (!request_id.empty()) {
            claim_key = model_key(model) + "requests/" + detail::sha256_hex(request_id) + ".json";
            const auto deadline =
                std::chrono::steady_clock::now() + options_.claim_timeout + std::chrono::seconds(1);
            for (;;) {
                base = next_version_hint(model) - 1;
                if (auto existing = store_->get(claim_key)) {
                    const auto doc = detail::parse_registry_document(existing->bytes, claim_key);
                    if (doc.contains("version")) {
                        return publish_result{doc.at("version").template get<std::uint64_t>(),
                                              false};
                    }
                    if (claim_is_stale(doc) || std::chrono::steady_clock::now() > deadline) {
                        base = std::min(base, doc.value("base", std::uint64_t{0}));
                        if (auto etag = store_->compare_and_swap(
                                claim_key, existing->etag, claim_document(request_id, base))) {
                            claim_etag = std::move(*etag);
                            took_over = true;
                            break;
                        }
                        continue;
                    }
                    // Another publisher of the same request is at work: wait for it (blocking
                    // sleep).
                    std::this_thread::sleep_for(std::chrono::milliseconds(20));
                    continue;
                }
                if (auto etag =
                        store_->put_if_absent(claim_key, claim_document(request_id, base))) {
                    claim_etag = std::move(*etag);
                    break;
                }
            }
            if (took_over) {
                if (const auto done = find_version_by_request(model, request_id, base)) {
                    finish_claim(claim_key, claim_etag, request_id, *done);
                    return publish_result{*done, false};
                }
            }
        }

        const std::string digest = detail::sha256_hex(artifact);
        const std::string artifact_key = model_key(model) + "artifacts/" + digest;
        (void)store_->put_if_absent(index_key(model), "");
        (void)store_->put_if_absent(artifact_key, artifact);  // present already: same bytes

        nlohmann::json record = {
            {"format", 1},
            {"model", std::string(model)},
            {"artifact", {{"key", artifact_key}, {"sha256", digest}, {"size", artifact.size()}}},
            {"metadata", metadata},
            {"request_id", std::string(request_id)},
            {"published_at", detail::utc_now_iso8601()},
            {"published_by", std::string(actor)}};
        // Claim the next number; the hint spares a listing, a taken number sends us to the latest.
        std::uint64_t version = next_version_hint(model);
        for (;;) {
            record["version"] = version;
            if (store_->put_if_absent(version_key(model, version), record.dump())) break;
            version = std::max(version + 1, latest_version(model).value_or(0) + 1);
        }
        remember_version(model, version);
        if (!claim_key.empty()) finish_claim(claim_key, claim_etag, request_id, version);
        return publish_result{version, true};
    }

    /// The version request `request_id` published, or nullopt when it has not finished publishing
    /// (never claimed, or claimed by a publisher that is still at work or died; publishing it
    /// again then settles it). Lets a worker skip retraining a redelivered request.
    [[nodiscard]] std::optional<std::uint64_t> published_version(std::string_view model,
                                                                 std::string_view request_id) {
        detail::validate_name(model, "model");
        if (request_id.empty()) return std::nullopt;
        const std::string key =
            model_key(model) + "requests/" + detail::sha256_hex(request_id) + ".json";
        const auto found = store_->get(key);
        if (!found) return std::nullopt;
        const auto doc = detail::parse_registry_document(found->bytes, key);
        if (!doc.contains("version")) return std::nullopt;
        return doc.at("version").template get<std::uint64_t>();
    }

    /// The versions of `model`, ascending (empty for an unknown model).
    [[nodiscard]] std::vector<std::uint64_t> versions(std::string_view model) {
        detail::validate_name(model, "model");
        const std::string prefix = model_key(model) + "versions/";
        std::vector<std::uint64_t> out;
        for (const auto& key : list_all(*store_, prefix)) {
            const auto number = parse_version_key(key, prefix);
            if (number) out.push_back(*number);
        }
        std::sort(out.begin(), out.end());
        return out;
    }

    /// The highest version of `model`, or nullopt when it has none.
    [[nodiscard]] std::optional<std::uint64_t> latest_version(std::string_view model) {
        const auto all = versions(model);
        if (all.empty()) return std::nullopt;
        return all.back();
    }

    /// The names of the models with at least one version, ascending.
    [[nodiscard]] std::vector<std::string> models() {
        std::vector<std::string> out;
        const std::string prefix = options_.prefix + "index/";
        for (const auto& key : list_all(*store_, prefix)) {
            std::string name = key.substr(prefix.size());
            if (store_->get(version_key(name, 1))) out.push_back(std::move(name));
        }
        return out;
    }

    /// The record of `version` of `model`, or nullopt when there is no such version.
    [[nodiscard]] std::optional<model_version> version_info(std::string_view model,
                                                            std::uint64_t version) {
        detail::validate_name(model, "model");
        const std::string key = version_key(model, version);
        const auto found = store_->get(key);
        if (!found) return std::nullopt;
        const auto doc = detail::parse_registry_document(found->bytes, key);
        model_version v;
        try {
            v.model = doc.at("model").template get<std::string>();
            v.version = doc.at("version").template get<std::uint64_t>();
            v.sha256 = doc.at("artifact").at("sha256").template get<std::string>();
            v.size = doc.at("artifact").at("size").template get<std::uint64_t>();
            v.artifact_key = doc.at("artifact").at("key").template get<std::string>();
            v.metadata = doc.at("metadata");
            v.request_id = doc.value("request_id", "");
            v.published_at = doc.value("published_at", "");
            v.published_by = doc.value("published_by", "");
        } catch (const nlohmann::json::exception& e) {
            throw storage_error("version record " + key + " is malformed: " + e.what(),
                                "restore it from a backup", "registry");
        }
        return v;
    }

    /// The artifact bytes of `version` of `model`, checked against their SHA-256 digest.
    /// @throws invalid_input_error for an unknown version; storage_error when the bytes are missing
    ///         or fail the digest check (they are never returned then)
    [[nodiscard]] resolved_artifact fetch(std::string_view model, std::uint64_t version) {
        auto info = version_info(model, version);
        if (!info) {
            throw invalid_input_error(
                "model \"" + std::string(model) + "\" has no version " + std::to_string(version),
                "list the versions with model_registry::versions", "version");
        }
        auto found = store_->get(info->artifact_key);
        if (!found) {
            throw storage_error("the artifact of " + std::string(model) + " version " +
                                    std::to_string(version) + " is missing (" + info->artifact_key +
                                    ")",
                                "restore it from a backup or publish the model again", "registry");
        }
        const std::string digest = detail::sha256_hex(found->bytes);
        if (digest != info->sha256 || found->bytes.size() != info->size) {
            throw storage_error(
                "the artifact of " + std::string(model) + " version " + std::to_string(version) +
                    " fails its digest check (expected " + info->sha256 + ", got " + digest + ")",
                "the stored bytes are corrupt: restore them from a backup or publish "
                "the model again",
                "registry");
        }
        return resolved_artifact{std::move(*info), std::move(found->bytes)};
    }

    /// The artifact named by `reference`: a version number ("7"), "latest", or an alias name.
    /// @throws invalid_input_error when the reference names nothing
    [[nodiscard]] resolved_artifact resolve(std::string_view model, std::string_view reference) {
        return fetch(model, resolve_version(model, reference));
    }

    /// The version `reference` names (a number, "latest" or an alias), without fetching bytes.
    [[nodiscard]] std::uint64_t resolve_version(std::string_view model,
                                                std::string_view reference) {
        if (!reference.empty() && std::all_of(reference.begin(), reference.end(),
                                              [](char c) { return c >= '0' && c <= '9'; })) {
            return std::stoull(std::string(reference));
        }
        if (reference == "latest") {
            if (const auto v = latest_version(model)) return *v;
            throw invalid_input_error("model \"" + std::string(model) + "\" has no versions",
                                      "publish a version first", "model");
        }
        if (const auto v = alias(model, reference)) return *v;
        throw invalid_input_error(
            "model \"" + std::string(model) + "\" has no alias \"" + std::string(reference) + "\"",
            "set it with model_registry::set_alias, or name a version", "alias");
    }

    /// The version `alias_name` points to, or nullopt when it was never set.
    [[nodiscard]] std::optional<std::uint64_t> alias(std::string_view model,
                                                     std::string_view alias_name) {
        detail::validate_name(model, "model");
        detail::validate_name(alias_name, "alias");
        const auto current = read_alias(model, alias_name);
        if (!current) return std::nullopt;
        return current->record.to;
    }

    /// Points `alias_name` at `version` whatever it pointed to before (the move is still a
    /// compare-and-swap, retried until it lands, and audited).
    /// @throws invalid_input_error when the version does not exist
    alias_record set_alias(std::string_view model, std::string_view alias_name,
                           std::uint64_t version, std::string_view actor,
                           std::string_view reason = {}) {
        for (;;) {
            const auto current = read_alias(model, alias_name);
            if (auto moved = try_move(model, alias_name, current, version, actor, reason))
                return *moved;
        }
    }

    /// Moves `alias_name` to `version` only if it points to `expected` now (nullopt: only if it
    /// was never set). Returns the audit record, or nullopt when the alias points elsewhere.
    std::optional<alias_record> move_alias_if(std::string_view model, std::string_view alias_name,
                                              std::optional<std::uint64_t> expected,
                                              std::uint64_t version, std::string_view actor,
                                              std::string_view reason = {}) {
        for (;;) {
            const auto current = read_alias(model, alias_name);
            const std::optional<std::uint64_t> now =
                current ? std::optional<std::uint64_t>(current->record.to) : std::nullopt;
            if (now != expected) return std::nullopt;
            if (auto moved = try_move(model, alias_name, current, version, actor, reason))
                return moved;
        }
    }

    /// Every move of `alias_name`, oldest first (empty when it was never set).
    [[nodiscard]] std::vector<alias_record> history(std::string_view model,
                                                    std::string_view alias_name) {
        detail::validate_name(model, "model");
        detail::validate_name(alias_name, "alias");
        const auto current = read_alias(model, alias_name);
        if (current) repair_audit(model, alias_name, current->record);
        std::vector<alias_record> out;
        for (const auto& key : list_all(*store_, audit_prefix(model, alias_name))) {
            if (const auto found = store_->get(key)) {
                out.push_back(
                    record_from_json(detail::parse_registry_document(found->bytes, key), key));
            }
        }
        std::sort(out.begin(), out.end(), [](const alias_record& a, const alias_record& b) {
            return a.sequence < b.sequence;
        });
        return out;
    }

    /// Undoes the latest move of `alias_name`: points it back to the version it had before that
    /// move (a new, audited move; rolling back twice therefore redoes the first rollback).
    /// @throws invalid_input_error when the alias was never set or its latest move has no "from"
    alias_record rollback(std::string_view model, std::string_view alias_name,
                          std::string_view actor) {
        for (;;) {
            const auto current = read_alias(model, alias_name);
            if (!current || !current->record.from) {
                throw invalid_input_error("alias \"" + std::string(alias_name) + "\" of model \"" +
                                              std::string(model) +
                                              "\" has no earlier version to roll back to",
                                          "set the alias to a version with set_alias", "alias");
            }
            const std::string reason =
                "rollback of move " + std::to_string(current->record.sequence);
            if (auto moved =
                    try_move(model, alias_name, current, *current->record.from, actor, reason)) {
                return *moved;
            }
        }
    }

    /// The registry's options (prefix normalised to end with '/').
    [[nodiscard]] const registry_options& options() const noexcept { return options_; }

  private:
    struct alias_state {
        alias_record record;
        std::string etag;
    };

    std::string index_key(std::string_view model) const {
        return options_.prefix + "index/" + std::string(model);
    }
    std::string model_key(std::string_view model) const {
        return options_.prefix + "models/" + std::string(model) + "/";
    }
    std::string version_key(std::string_view model, std::uint64_t v) const {
        return model_key(model) + "versions/" + detail::zero_padded(v) + ".json";
    }
    std::string alias_key(std::string_view model, std::string_view alias_name) const {
        return model_key(model) + "aliases/" + std::string(alias_name) + ".json";
    }
    std::string audit_prefix(std::string_view model, std::string_view alias_name) const {
        return model_key(model) + "audit/" + std::string(alias_name) + "/";
    }

    static std::optional<std::uint64_t> parse_version_key(const std::string& key,
                                                          const std::string& prefix) {
        if (key.size() != prefix.size() + 15 || key.compare(key.size() - 5, 5, ".json") != 0)
            return std::nullopt;
        std::uint64_t v = 0;
        for (std::size_t i = prefix.size(); i < prefix.size() + 10; ++i) {
            if (key[i] < '0' || key[i] > '9') return std::nullopt;
            v = v * 10 + static_cast<std::uint64_t>(key[i] - '0');
        }
        return v;
    }

    std::string claim_document(std::string_view request_id, std::uint64_t base) const {
        return nlohmann::json{{"request_id", std::string(request_id)},
                              {"base", base},
                              {"host", detail::host_name()},
                              {"pid", static_cast<std::int64_t>(::getpid())},
                              {"claimed_ms", detail::unix_time_ms()}}
            .dump();
    }

    bool claim_is_stale(const nlohmann::json& claim) const {
        const auto claimed = claim.value("claimed_ms", std::int64_t{0});
        if (detail::unix_time_ms() - claimed > options_.claim_timeout.count()) return true;
        if (claim.value("host", "") == detail::host_name()) {
            const auto pid = static_cast<pid_t>(claim.value("pid", std::int64_t{0}));
            if (pid > 0 && ::kill(pid, 0) != 0 && errno == ESRCH)
                return true;  // the claimant is gone
        }
        return false;
    }

    void finish_claim(const std::string& key, const std::string& etag, std::string_view request_id,
                      std::uint64_t version) {
        const std::string done =
            nlohmann::json{{"request_id", std::string(request_id)}, {"version", version}}.dump();
        // Fails only if another publisher took the claim over; it then finds this version itself.
        (void)store_->compare_and_swap(key, etag, done);
    }

    /// The version above `base` published by `request_id`, newest first (a claimant that died
    /// between its commit and finishing its claim).
    std::optional<std::uint64_t> find_version_by_request(std::string_view model,
                                                         std::string_view request_id,
                                                         std::uint64_t base) {
        const auto all = versions(model);
        for (auto it = all.rbegin(); it != all.rend() && *it > base; ++it) {
            const auto v = *it;
            const auto info = version_info(model, v);
            if (info && info->request_id == request_id) return v;
        }
        return std::nullopt;
    }

    static nlohmann::json record_to_json(const alias_record& r) {
        return nlohmann::json{{"model", r.model},
                              {"alias", r.alias},
                              {"sequence", r.sequence},
                              {"from", r.from ? nlohmann::json(*r.from) : nlohmann::json(nullptr)},
                              {"to", r.to},
                              {"actor", r.actor},
                              {"at", r.at},
                              {"sha256", r.sha256},
                              {"reason", r.reason}};
    }

    static alias_record record_from_json(const nlohmann::json& j, std::string_view key) {
        try {
            alias_record r;
            r.model = j.at("model").template get<std::string>();
            r.alias = j.at("alias").template get<std::string>();
            r.sequence = j.at("sequence").template get<std::uint64_t>();
            if (!j.at("from").is_null()) r.from = j.at("from").template get<std::uint64_t>();
            r.to = j.at("to").template get<std::uint64_t>();
            r.actor = j.value("actor", "");
            r.at = j.value("at", "");
            r.sha256 = j.value("sha256", "");
            r.reason = j.value("reason", "");
            return r;
        } catch (const nlohmann::json::exception& e) {
            throw storage_error(
                "audit record in " + std::string(key) + " is malformed: " + e.what(),
                "restore it from a backup", "registry");
        }
    }

    std::optional<alias_state> read_alias(std::string_view model, std::string_view alias_name) {
        const std::string key = alias_key(model, alias_name);
        const auto found = store_->get(key);
        if (!found) return std::nullopt;
        const auto doc = detail::parse_registry_document(found->bytes, key);
        if (!doc.contains("record")) {
            throw storage_error("alias document " + key + " has no record",
                                "restore it from a backup", "registry");
        }
        return alias_state{record_from_json(doc.at("record"), key), found->etag};
    }

    void repair_audit(std::string_view model, std::string_view alias_name,
                      const alias_record& latest) {
        (void)store_->put_if_absent(
            audit_prefix(model, alias_name) + detail::zero_padded(latest.sequence) + ".json",
            record_to_json(latest).dump());
    }

    /// One compare-and-swap attempt from `current` to `version`; nullopt when the alias moved.
    std::optional<alias_record> try_move(std::string_view model, std::string_view alias_name,
                                         const std::optional<alias_state>& current,
                                         std::uint64_t version, std::string_view actor,
                                         std::string_view reason) {
        detail::validate_name(model, "model");
        detail::validate_name(alias_name, "alias");
        const auto target = version_info(model, version);
        if (!target) {
            throw invalid_input_error(
                "model \"" + std::string(model) + "\" has no version " + std::to_string(version),
                "publish it first, or name an existing version", "version");
        }
        if (current) repair_audit(model, alias_name, current->record);
        alias_record r;
        r.model = std::string(model);
        r.alias = std::string(alias_name);
        r.sequence = current ? current->record.sequence + 1 : 1;
        if (current) r.from = current->record.to;
        r.to = version;
        r.actor = std::string(actor);
        r.at = detail::utc_now_iso8601();
        r.sha256 = target->sha256;
        r.reason = std::string(reason);
        const nlohmann::json doc = {
            {"format", 1}, {"version", version}, {"record", record_to_json(r)}};
        const std::string key = alias_key(model, alias_name);
        const auto written = current ? store_->compare_and_swap(key, current->etag, doc.dump())
                                     : store_->put_if_absent(key, doc.dump());
        if (!written) return std::nullopt;
        repair_audit(model, alias_name, r);
        return r;
    }

    /// latest known version + 1 (a listing the first time a model is seen by this object).
    std::uint64_t next_version_hint(std::string_view model) {
        {
            std::lock_guard lock(hints_->mutex);
            const auto it = hints_->latest.find(model);
            if (it != hints_->latest.end()) return it->second + 1;
        }
        const std::uint64_t latest = latest_version(model).value_or(0);
        remember_version(model, latest);
        return latest + 1;
    }

    void remember_version(std::string_view model, std::uint64_t version) {
        std::lock_guard lock(hints_->mutex);
        auto& latest = hints_->latest[std::string(model)];
        latest = std::max(latest, version);
    }

    struct version_hints {
        std::mutex mutex;
        std::map<std::string, std::uint64_t, std::less<>> latest;
    };

    Store* store_;
    registry_options options_;
    std::shared_ptr<version_hints> hints_ = std::make_shared<version_hints>();
};

}  // namespace mlpipe
