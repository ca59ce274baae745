// SPDX-License-Identifier: Apache-2.0
// Where credentials and the region come from: environment, shared files with profiles, the
// container endpoint and IMDSv2 (served on loopback by a small server that speaks the instance
// metadata protocol: a PUT for a session token, then GETs that must carry it).
#include <cstdlib>
#include <fstream>
#include <string>

// Eigen (through mlpipe) before cpp-httplib: httplib pulls in <resolv.h>, whose `_res` macro
// breaks Eigen's product kernels, which name a parameter `_res`.
#include <mlpipe/aws.hpp>

#include <httplib.h>

#include "aws_test_support.hpp"
#include "test_support.hpp"

namespace {

/// Clears every variable the chain reads, and restores nothing: each test case runs in its own
/// process under CTest.
void clean_environment(const mlpipe::test::temp_dir& home) {
    for (const char* name :
         {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
          "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE",
          "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
          "AWS_CONTAINER_AUTHORIZATION_TOKEN", "AWS_EC2_METADATA_SERVICE_ENDPOINT"}) {
        ::unsetenv(name);
    }
    ::setenv("HOME", home.path().c_str(), 1);
    ::setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
}

void write(const std::filesystem::path& path, const std::string& text) {
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path) << text;
}

/// Serves the IMDSv2 protocol for one role on loopback.
class fake_instance {
  public:
    fake_instance() {
        server_.Put("/latest/api/token",
                    [this](const httplib::Request& req, httplib::Response& res) {
                        ++token_requests;
                        if (req.get_header_value("X-aws-ec2-metadata-token-ttl-seconds").empty()) {
                            res.status = 400;
                            return;
                        }
                        res.set_content("TOKEN-123", "text/plain");
                    });
        const auto authorised = [](const httplib::Request& req, httplib::Response& res) {
            if (req.get_header_value("X-aws-ec2-metadata-token") != "TOKEN-123") {
                res.status = 401;  // IMDSv2 refuses requests without the session token
                return false;
            }
            return true;
        };
        server_.Get("/latest/meta-data/iam/security-credentials/",
                    [=](const httplib::Request& req, httplib::Response& res) {
                        if (authorised(req, res)) res.set_content("worker-role", "text/plain");
                    });
        server_.Get("/latest/meta-data/iam/security-credentials/worker-role",
                    [=, this](const httplib::Request& req, httplib::Response& res) {
                        if (!authorised(req, res)) return;
                        ++credential_requests;
                        res.set_content(R"({"Code":"Success","AccessKeyId":"ASIAINSTANCE",)"
                                        R"("SecretAccessKey":"instance-secret","Token":"session",)"
                                        R"("Expiration":")" +
                                            expiration + R"("})",
                                        "application/json");
                    });
        server_.Get("/latest/meta-data/placement/region",
                    [=](const httplib::Request& req, httplib::Response& res) {
                        if (authorised(req, res)) res.set_content("ap-south-1", "text/plain");
                    });
        port_ = server_.bind_to_any_port("127.0.0.1");
        thread_ = std::thread([this] { server_.listen_after_bind(); });
        while (!server_.is_running())
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    ~fake_instance() {
        server_.stop();
        thread_.join();
    }
    [[nodiscard]] std::string endpoint() const {
        return "http://127.0.0.1:" + std::to_string(port_);
    }
    std::string expiration = "2099-01-01T00:00:00Z";
    std::atomic<int> token_requests{0};
    std::atomic<int> credential_requests{0};

  private:
    httplib::Server server_;
    int port_ = 0;
    std::thread thread_;
};

}  // namespace

TEST_CASE("environment variables come first, session token included", "[aws][credentials]") {
    mlpipe::test::temp_dir home;
    clean_environment(home);
    write(home / ".aws" / "credentials",
          "[default]\naws_access_key_id = AKIAFILE\n"
          "aws_secret_access_key = file-secret\n");
    ::setenv("AWS_ACCESS_KEY_ID", "AKIAENV", 1);
    ::setenv("AWS_SECRET_ACCESS_KEY", "env-secret", 1);
    ::setenv("AWS_SESSION_TOKEN", "env-token", 1);
    mlpipe::aws::default_credentials chain;
    const auto keys = chain.get();
    CHECK(keys.access_key_id == "AKIAENV");
    CHECK(keys.secret_access_key == "env-secret");
    CHECK(keys.session_token == "env-token");
    CHECK(chain.source() == "environment");
}

TEST_CASE("profiles come from the credentials and config files", "[aws][credentials]") {
    mlpipe::test::temp_dir home;
    clean_environment(home);
    write(home / ".aws" / "credentials",
          "# comment\n[default]\naws_access_key_id = AKIADEFAULT\naws_secret_access_key = s1\n\n"
          "[training]\naws_access_key_id=AKIATRAIN\naws_secret_access_key=s2\n"
          "aws_session_token=t2\n");
    write(home / ".aws" / "config",
          "[default]\nregion = eu-west-1\n[profile training]\n"
          "region = us-west-2\n");
    CHECK(mlpipe::aws::default_credentials().get().access_key_id == "AKIADEFAULT");
    CHECK(mlpipe::aws::default_region() == "eu-west-1");

    mlpipe::aws::credentials_options options;
    options.profile = "training";
    mlpipe::aws::default_credentials training(options);
    CHECK(training.get().access_key_id == "AKIATRAIN");
    CHECK(training.get().session_token == "t2");
    CHECK(training.source() == "profile training");
    CHECK(mlpipe::aws::default_region("training") == "us-west-2");

    ::setenv("AWS_PROFILE", "training", 1);
    CHECK(mlpipe::aws::default_credentials().get().access_key_id == "AKIATRAIN");
    ::setenv("AWS_REGION", "ca-central-1", 1);
    CHECK(mlpipe::aws::default_region() == "ca-central-1");

    // A named profile without keys is a mistake, said as such.
    ::setenv("AWS_PROFILE", "missing", 1);
    CHECK_THROWS_WITH(mlpipe::aws::default_credentials().get(),
                      Catch::Contains("profile \"missing\" has no keys"));
}

TEST_CASE("files named by AWS_SHARED_CREDENTIALS_FILE and AWS_CONFIG_FILE are used",
          "[aws][credentials]") {
    mlpipe::test::temp_dir home;
    clean_environment(home);
    write(home / "elsewhere" / "creds",
          "[default]\naws_access_key_id=AKIAOTHER\n"
          "aws_secret_access_key=s\n");
    write(home / "elsewhere" / "conf", "[default]\nregion=sa-east-1\n");
    ::setenv("AWS_SHARED_CREDENTIALS_FILE", (home / "elsewhere" / "creds").c_str(), 1);
    ::setenv("AWS_CONFIG_FILE", (home / "elsewhere" / "conf").c_str(), 1);
    CHECK(mlpipe::aws::default_credentials().get().access_key_id == "AKIAOTHER");
    CHECK(mlpipe::aws::default_region() == "sa-east-1");
}

TEST_CASE("IMDSv2 gives the instance role's keys with a session token", "[aws][credentials]") {
    mlpipe::test::temp_dir home;
    clean_environment(home);
    fake_instance instance;
    ::setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", instance.endpoint().c_str(), 1);
    ::unsetenv("AWS_EC2_METADATA_DISABLED");
    mlpipe::aws::default_credentials chain;
    const auto keys = chain.get();
    CHECK(keys.access_key_id == "ASIAINSTANCE");
    CHECK(keys.secret_access_key == "instance-secret");
    CHECK(keys.session_token == "session");
    CHECK(chain.source() == "instance metadata");
    CHECK(instance.token_requests >= 1);
    // Cached while valid.
    (void)chain.get();
    CHECK(instance.credential_requests == 1);
    CHECK(mlpipe::aws::default_region() == "ap-south-1");
}

TEST_CASE("temporary credentials are fetched again before they expire", "[aws][credentials]") {
    mlpipe::test::temp_dir home;
    clean_environment(home);
    fake_instance instance;
    instance.expiration = "2000-01-01T00:00:00Z";  // already within the refresh window
    ::setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", instance.endpoint().c_str(), 1);
    ::unsetenv("AWS_EC2_METADATA_DISABLED");
    mlpipe::aws::default_credentials chain;
    (void)chain.get();
    (void)chain.get();
    CHECK(instance.credential_requests == 2);
}

TEST_CASE("no credentials anywhere is a configuration error naming what was tried",
          "[aws][credentials]") {
    mlpipe::test::temp_dir home;
    clean_environment(home);
    try {
        (void)mlpipe::aws::default_credentials().get();
        FAIL("credentials appeared from nowhere");
    } catch (const mlpipe::configuration_error& e) {
        CHECK_THAT(e.what(), Catch::Contains("no AWS credentials found"));
        CHECK_THAT(e.what(), Catch::Contains("environment"));
        CHECK_THAT(e.what(), Catch::Contains("profile \"default\""));
    }
    CHECK_THROWS_WITH(mlpipe::aws::default_region(), Catch::Contains("no AWS region"));
    // Half-set environment keys are named without showing the secret.
    ::setenv("AWS_ACCESS_KEY_ID", "AKIAHALFSET", 1);
    CHECK_THROWS_WITH(mlpipe::aws::default_credentials().get(),
                      Catch::Contains("AKIA...") && !Catch::Contains("AKIAHALFSET"));
}
