// SPDX-License-Identifier: Apache-2.0
/// @file aws/credentials.hpp Where AWS keys and the region come from, in the order AWS's own
/// tools use:
///
/// 1. environment: `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`;
/// 2. the shared files: `~/.aws/credentials` and `~/.aws/config` (or `AWS_SHARED_CREDENTIALS_FILE`,
///    `AWS_CONFIG_FILE`), profile `AWS_PROFILE` or "default" (`[profile name]` in the config file);
/// 3. the ECS/EKS container endpoint: `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` (on
///    169.254.170.2) or `AWS_CONTAINER_CREDENTIALS_FULL_URI` with
///    `AWS_CONTAINER_AUTHORIZATION_TOKEN`;
/// 4. the EC2 instance metadata service, IMDSv2 (a session token first, then the role's keys);
///    `AWS_EC2_METADATA_SERVICE_ENDPOINT` overrides its address, `AWS_EC2_METADATA_DISABLED=true`
///    turns it off.
///
/// Temporary credentials (container, instance) are cached and fetched again five minutes before
/// they expire. The region comes from `AWS_REGION`, `AWS_DEFAULT_REGION`, the profile's `region`,
/// then the instance metadata. Secrets never appear in messages or logs: errors name the source
/// and at most the first four characters of a key id.
#pragma once

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "../error.hpp"
#include "http.hpp"

namespace mlpipe::aws {

/// Gives credentials on demand. Implementations cache and refresh as needed.
/// Thread safety: `get` may be called concurrently.
class credentials_provider {
  public:
    virtual ~credentials_provider() = default;
    /// Current credentials.
    /// @throws configuration_error when no source has any
    virtual credentials get() = 0;
    /// Where they came from ("environment", "profile default", "instance metadata", ...).
    [[nodiscard]] virtual std::string source() const = 0;
};

namespace detail {

inline std::string env(const char* name) {
    const char* v = std::getenv(name);
    return v == nullptr ? std::string{} : std::string(v);
}

inline std::string trim(std::string s) {
    const auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string::npos) return {};
    const auto e = s.find_last_not_of(" \t\r\n");
    return s.substr(b, e - b + 1);
}

/// Sections of an INI file: section name -> key -> value ("" when the file is missing).
inline std::map<std::string, std::map<std::string, std::string>> read_ini(
    const std::filesystem::path& path) {
    std::map<std::string, std::map<std::string, std::string>> sections;
    std::ifstream in(path);
    std::string line;
    std::string section;
    while (std::getline(in, line)) {
        line = trim(line);
        if (line.empty() || line[0] == '#' || line[0] == ';') continue;
        if (line.front() == '[' && line.back() == ']') {
            section = trim(line.substr(1, line.size() - 2));
            sections[section];
            continue;
        }
        const auto eq = line.find('=');
        if (eq == std::string::npos || section.empty()) continue;
        sections[section][trim(line.substr(0, eq))] = trim(line.substr(eq + 1));
    }
    return sections;
}

inline std::filesystem::path aws_file(const char* variable, const char* name) {
    if (auto p = env(variable); !p.empty()) return p;
    const auto home = env("HOME");
    return home.empty() ? std::filesystem::path{} : std::filesystem::path(home) / ".aws" / name;
}

inline std::string profile_name(const std::string& profile) {
    if (!profile.empty()) return profile;
    if (auto p = env("AWS_PROFILE"); !p.empty()) return p;
    return "default";
}

/// The profile's settings: the credentials file's [name] over the config file's [profile name]
/// ([default] in both for the default profile).
inline std::map<std::string, std::string> profile_settings(const std::string& name) {
    std::map<std::string, std::string> out;
    const auto config = read_ini(aws_file("AWS_CONFIG_FILE", "config"));
    const auto section = name == "default" ? std::string("default") : "profile " + name;
    if (const auto it = config.find(section); it != config.end()) out = it->second;
    const auto creds = read_ini(aws_file("AWS_SHARED_CREDENTIALS_FILE", "credentials"));
    if (const auto it = creds.find(name); it != creds.end()) {
        for (const auto& [k, v] : it->second)
            out[k] = v;
    }
    return out;
}

/// "2026-11-25T12:00:00Z" -> time point; the epoch when it does not parse.
inline std::chrono::system_clock::time_point parse_iso8601(const std::string& text) {
    std::tm tm{};
    if (std::sscanf(text.c_str(), "%d-%d-%dT%d:%d:%d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                    &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6) {
        return {};
    }
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return std::chrono::system_clock::from_time_t(timegm(&tm));
}

/// The first four characters of a key id, for messages.
inline std::string key_hint(const std::string& key_id) {
    return key_id.size() <= 4 ? std::string("****") : key_id.substr(0, 4) + "...";
}

/// Keys from a JSON credentials document (ECS and IMDS use the same field names).
inline credentials parse_credentials_document(const std::string& body, const std::string& from) {
    try {
        const auto doc = nlohmann::json::parse(body);
        credentials c;
        c.access_key_id = doc.at("AccessKeyId").get<std::string>();
        c.secret_access_key = doc.at("SecretAccessKey").get<std::string>();
        c.session_token = doc.value("Token", std::string{});
        c.expiration = parse_iso8601(doc.value("Expiration", std::string{}));
        return c;
    } catch (const nlohmann::json::exception&) {
        throw configuration_error("the credentials from " + from +
                                      " are not a JSON document with AccessKeyId and "
                                      "SecretAccessKey",
                                  "check the role attached to the instance or task", "credentials");
    }
}

}  // namespace detail

/// Fixed keys (tests, or keys the application got elsewhere).
class static_credentials final : public credentials_provider {
  public:
    explicit static_credentials(credentials keys, std::string source = "static")
        : keys_(std::move(keys)), source_(std::move(source)) {}
    credentials get() override { return keys_; }
    [[nodiscard]] std::string source() const override { return source_; }

  private:
    credentials keys_;
    std::string source_;
};

/// Options of the default chain.
struct credentials_options {
    std::string profile = {};  ///< empty: AWS_PROFILE or "default"
    /// Timeouts for the container and instance metadata endpoints (short: off EC2 they are absent).
    http_options metadata_http = {std::chrono::milliseconds(1000), std::chrono::milliseconds(2000)};
    /// Fetch temporary credentials again this long before they expire.
    std::chrono::seconds refresh_before{std::chrono::minutes(5)};
};

/// The default chain (see the file comment), resolved at the first `get` and cached.
class default_credentials final : public credentials_provider {
  public:
    explicit default_credentials(credentials_options options = {}) : options_(std::move(options)) {}

    credentials get() override {
        std::lock_guard lock(mutex_);
        const auto now = std::chrono::system_clock::now();
        if (cached_ && (cached_->expiration == std::chrono::system_clock::time_point{} ||
                        cached_->expiration - options_.refresh_before > now)) {
            return *cached_;
        }
        cached_ = resolve();
        return *cached_;
    }

    [[nodiscard]] std::string source() const override {
        std::lock_guard lock(mutex_);
        return source_;
    }

  private:
    credentials resolve() {
        std::vector<std::string> tried;
        // 1. environment
        if (auto id = detail::env("AWS_ACCESS_KEY_ID"); !id.empty()) {
            auto secret = detail::env("AWS_SECRET_ACCESS_KEY");
            if (secret.empty()) {
                throw configuration_error(
                    "AWS_ACCESS_KEY_ID is set (" + detail::key_hint(id) +
                        ") but AWS_SECRET_ACCESS_KEY is not",
                    "set both, or neither to use a profile or the instance role",
                    "AWS_SECRET_ACCESS_KEY");
            }
            source_ = "environment";
            return credentials{
                std::move(id), std::move(secret), detail::env("AWS_SESSION_TOKEN"), {}};
        }
        tried.emplace_back("environment (AWS_ACCESS_KEY_ID)");
        // 2. shared files
        const auto name = detail::profile_name(options_.profile);
        const auto profile = detail::profile_settings(name);
        if (const auto id = profile.find("aws_access_key_id"); id != profile.end()) {
            const auto secret = profile.find("aws_secret_access_key");
            if (secret == profile.end()) {
                throw configuration_error("profile \"" + name +
                                              "\" has aws_access_key_id but no "
                                              "aws_secret_access_key",
                                          "add the secret to ~/.aws/credentials", "profile");
            }
            const auto token = profile.find("aws_session_token");
            source_ = "profile " + name;
            return credentials{id->second,
                               secret->second,
                               token == profile.end() ? std::string{} : token->second,
                               {}};
        }
        tried.emplace_back("profile \"" + name + "\" in " +
                           detail::aws_file("AWS_SHARED_CREDENTIALS_FILE", "credentials").string());
        if (!options_.profile.empty() || !detail::env("AWS_PROFILE").empty()) {
            // A named profile without keys is a configuration mistake, not a cue to look further.
            throw configuration_error("profile \"" + name + "\" has no keys",
                                      "add aws_access_key_id and aws_secret_access_key to it",
                                      "profile");
        }
        // 3. container endpoint
        const auto relative = detail::env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
        const auto full = detail::env("AWS_CONTAINER_CREDENTIALS_FULL_URI");
        if (!relative.empty() || !full.empty()) {
            http_client client("ecs-credentials", options_.metadata_http);
            http_request request;
            request.url = relative.empty() ? full : "http://169.254.170.2" + relative;
            if (auto token = detail::env("AWS_CONTAINER_AUTHORIZATION_TOKEN"); !token.empty())
                request.headers.emplace_back("Authorization", token);
            const auto response = client.perform(request);
            if (response.status != 200) {
                throw configuration_error("the container credentials endpoint answered HTTP " +
                                              std::to_string(response.status),
                                          "check the task role", "credentials");
            }
            source_ = "container endpoint";
            return detail::parse_credentials_document(response.body, source_);
        }
        tried.emplace_back("container endpoint (AWS_CONTAINER_CREDENTIALS_*)");
        // 4. instance metadata
        if (detail::env("AWS_EC2_METADATA_DISABLED") != "true") {
            if (auto keys = from_instance_metadata()) {
                source_ = "instance metadata";
                return std::move(*keys);
            }
            tried.emplace_back("instance metadata (IMDSv2 at " + metadata_endpoint() + ")");
        }
        std::string list;
        for (const auto& t : tried)
            list += (list.empty() ? "" : ", ") + t;
        throw configuration_error("no AWS credentials found (tried: " + list + ")",
                                  "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, configure a "
                                  "profile, or run on an instance or task with a role",
                                  "credentials");
    }

  public:
    /// The instance metadata address (AWS_EC2_METADATA_SERVICE_ENDPOINT or 169.254.169.254).
    [[nodiscard]] static std::string metadata_endpoint() {
        auto e = detail::env("AWS_EC2_METADATA_SERVICE_ENDPOINT");
        if (e.empty()) e = "http://169.254.169.254";
        while (!e.empty() && e.back() == '/')
            e.pop_back();
        return e;
    }

    /// A value from IMDSv2 (`path` like "/latest/meta-data/placement/region"), or nullopt when
    /// the service does not answer (not on EC2).
    static std::optional<std::string> instance_metadata(const std::string& path,
                                                        const http_options& http) {
        try {
            http_client client("imds", http);
            http_request token_request;
            token_request.method = "PUT";
            token_request.url = metadata_endpoint() + "/latest/api/token";
            token_request.headers.emplace_back("X-aws-ec2-metadata-token-ttl-seconds", "21600");
            const auto token = client.perform(token_request);
            if (token.status != 200 || token.body.empty()) return std::nullopt;
            http_request get;
            get.url = metadata_endpoint() + path;
            get.headers.emplace_back("X-aws-ec2-metadata-token", token.body);
            auto response = client.perform(get);
            if (response.status != 200) return std::nullopt;
            return std::move(response.body);
        } catch (const transport_error&) {
            return std::nullopt;
        }
    }

  private:
    std::optional<credentials> from_instance_metadata() const {
        const auto role = instance_metadata("/latest/meta-data/iam/security-credentials/",
                                            options_.metadata_http);
        if (!role || role->empty()) return std::nullopt;
        const auto name = detail::trim(role->substr(0, role->find('\n')));
        const auto doc = instance_metadata("/latest/meta-data/iam/security-credentials/" + name,
                                           options_.metadata_http);
        if (!doc) return std::nullopt;
        return detail::parse_credentials_document(*doc, "instance metadata role " + name);
    }

    credentials_options options_;
    mutable std::mutex mutex_;
    std::optional<credentials> cached_;
    std::string source_;
};

/// The region: `AWS_REGION`, `AWS_DEFAULT_REGION`, the profile's `region`, the instance metadata.
/// @throws configuration_error when none says
[[nodiscard]] inline std::string default_region(const std::string& profile = {},
                                                const http_options& metadata_http = {
                                                    std::chrono::milliseconds(1000),
                                                    std::chrono::milliseconds(2000)}) {
    if (auto r = detail::env("AWS_REGION"); !r.empty()) return r;
    if (auto r = detail::env("AWS_DEFAULT_REGION"); !r.empty()) return r;
    const auto settings = detail::profile_settings(detail::profile_name(profile));
    if (const auto it = settings.find("region"); it != settings.end()) return it->second;
    if (detail::env("AWS_EC2_METADATA_DISABLED") != "true") {
        if (auto r = default_credentials::instance_metadata("/latest/meta-data/placement/region",
                                                            metadata_http);
            r && !r->empty()) {
            return detail::trim(*r);
        }
    }
    throw configuration_error("no AWS region configured",
                              "set AWS_REGION, add region to the profile, or pass region= in the "
                              "URI",
                              "region");
}

}  // namespace mlpipe::aws
