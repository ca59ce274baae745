// SPDX-License-Identifier: Apache-2.0
// Key and URI rules, SHA-256 against the NIST vectors, and the file store's own guarantees: racing
// processes, writers killed mid-write, a full disk.
#include <cerrno>
#include <csignal>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <mlpipe/detail/sha256.hpp>
#include <mlpipe/storage.hpp>

#include "test_support.hpp"

namespace {

/// Runs `body` in a forked child and returns its exit code (or 128 + signal).
template <class Body>
int in_child(Body body) {
    const pid_t pid = ::fork();
    if (pid == 0) {
        int code = 99;
        try {
            code = body();
        } catch (...) {
            code = 98;
        }
        ::_exit(code);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace

TEST_CASE("SHA-256 matches the NIST test vectors", "[storage][sha256]") {
    using mlpipe::detail::sha256_hex;
    CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
          "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    CHECK(sha256_hex("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmn"
                     "opqklmnopqrlmnopqrs"
                     "mnopqrstnopqrstu") ==
          "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
    // One million 'a', fed in uneven pieces to exercise the buffering.
    mlpipe::detail::sha256_hasher hasher;
    const std::string chunk(997, 'a');
    std::size_t left = 1000000;
    while (left > 0) {
        const std::size_t n = std::min(left, chunk.size());
        hasher.update(chunk.data(), n);
        left -= n;
    }
    CHECK(mlpipe::detail::to_hex(hasher.finish()) ==
          "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("SHA-256 gives the same digests with the processor's SHA extensions and without",
          "[storage][sha256]") {
    using mlpipe::detail::sha256_engine;
    using mlpipe::detail::sha256_hasher;
    // On a processor without the extensions both hashers run the portable code; the NIST vectors
    // above then check it, and this case checks the block-at-a-time path against byte buffering.
    std::string data(70000, '\0');
    std::uint64_t x = 88172645463325252u;  // xorshift64: any bytes will do
    for (auto& c : data) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        c = static_cast<char>(x);
    }
    for (const std::size_t length :
         {std::size_t{0}, std::size_t{55}, std::size_t{56}, std::size_t{64}, std::size_t{65},
          std::size_t{640}, std::size_t{4097}, data.size()}) {
        sha256_hasher fast;
        sha256_hasher portable(sha256_engine::portable);
        std::size_t at = 0;
        for (std::size_t step = 1; at < length; step = step * 3 + 1) {
            const std::size_t n = std::min(step, length - at);
            fast.update(data.data() + at, n);
            at += n;
        }
        portable.update(data.data(), length);
        INFO("length " << length);
        CHECK(fast.finish() == portable.finish());
    }
}

TEST_CASE("keys are relative paths without dot segments, NUL or backslash", "[storage][key]") {
    CHECK(mlpipe::is_valid_key("models/iris/versions/0000000001.json"));
    CHECK(mlpipe::is_valid_key("a"));
    CHECK(mlpipe::is_valid_key("a.b/c..d/.hidden"));
    CHECK_FALSE(mlpipe::is_valid_key(""));
    CHECK_FALSE(mlpipe::is_valid_key("/a"));
    CHECK_FALSE(mlpipe::is_valid_key("a/"));
    CHECK_FALSE(mlpipe::is_valid_key("a/../b"));
    CHECK_FALSE(mlpipe::is_valid_key("./a"));
    CHECK_FALSE(mlpipe::is_valid_key("a//b"));
    CHECK_FALSE(mlpipe::is_valid_key(std::string("a\0", 2)));
    CHECK_FALSE(mlpipe::is_valid_key("a\nb"));
    CHECK_FALSE(mlpipe::is_valid_key(".mlpipe-x/y"));
    CHECK_NOTHROW(mlpipe::validate_prefix(""));
    CHECK_NOTHROW(mlpipe::validate_prefix("models/"));
    CHECK_NOTHROW(mlpipe::validate_prefix("models/ir"));
    CHECK_THROWS_AS(mlpipe::validate_prefix("../"), mlpipe::invalid_input_error);
    try {
        mlpipe::validate_key("../../etc/passwd");
        FAIL("no error");
    } catch (const mlpipe::invalid_input_error& e) {
        CHECK(e.subject() == "key");
        CHECK_THAT(e.what(), Catch::Contains(".."));
        CHECK_FALSE(e.remedy().empty());
    }
}

TEST_CASE("storage URIs are parsed into scheme, authority, path and query", "[storage][uri]") {
    const auto uri =
        mlpipe::parse_storage_uri("SQLite:///var/lib/q.db?queue=train%20jobs&max_receives=5");
    CHECK(uri.scheme == "sqlite");
    CHECK(uri.authority.empty());
    CHECK(uri.path == "/var/lib/q.db");
    CHECK(uri.get("queue") == "train jobs");
    CHECK(uri.get("max_receives") == "5");
    CHECK(uri.get("missing", "fallback") == "fallback");
    const auto s3 = mlpipe::parse_storage_uri("s3://bucket/models/prod");
    CHECK(s3.authority == "bucket");
    CHECK(s3.path == "/models/prod");
    CHECK_THROWS_AS(mlpipe::parse_storage_uri("/just/a/path"), mlpipe::configuration_error);
    CHECK_THROWS_AS(mlpipe::parse_storage_uri("file:///bad%zz"), mlpipe::configuration_error);
}

TEST_CASE("unknown schemes and unlinked backends give a configuration_error that says what to do",
          "[storage][uri]") {
    try {
        (void)mlpipe::open_blob_store("ftp://host/x");
        FAIL("no error");
    } catch (const mlpipe::configuration_error& e) {
        CHECK_THAT(e.what(), Catch::Contains("unknown blob store URI scheme \"ftp\""));
        CHECK(e.key() == "uri");
    }
    try {
        (void)mlpipe::open_blob_store("s3://bucket/prefix");
        FAIL("no error");
    } catch (const mlpipe::configuration_error& e) {
        CHECK_THAT(e.what(), Catch::Contains("not linked"));
        CHECK_THAT(e.what(), Catch::Contains("mlpipe::aws"));
    }
    // This test program does not link the sqlite wing.
    CHECK_THROWS_WITH(mlpipe::open_message_queue("sqlite:///tmp/q.db"),
                      Catch::Contains("mlpipe::sqlite"));
    CHECK_THROWS_WITH(mlpipe::open_data_source("sqlite:///tmp/w.db", {}),
                      Catch::Contains("mlpipe::sqlite"));
    CHECK_THROWS_WITH(mlpipe::open_message_queue("sqs://queue"), Catch::Contains("mlpipe::aws"));
    CHECK_THROWS_WITH(mlpipe::open_data_source("postgresql://db/x", {}),
                      Catch::Contains("mlpipe::aws"));
    CHECK_THROWS_AS(mlpipe::open_message_queue("nope://x"), mlpipe::configuration_error);
    CHECK(mlpipe::open_blob_store("mem://").target<mlpipe::memory_blob_store>() != nullptr);
}

TEST_CASE("a file store keeps every blob inside its directory", "[storage][file_blob_store]") {
    mlpipe::test::temp_dir dir;
    mlpipe::file_blob_store store(dir / "store");
    CHECK_THROWS_AS(store.put("../outside", "x"), mlpipe::invalid_input_error);
    CHECK_THROWS_AS(store.put("a/../../outside", "x"), mlpipe::invalid_input_error);
    CHECK_FALSE(std::filesystem::exists(dir / "outside"));
    store.put("a/b/c", "deep");
    CHECK(std::filesystem::exists(dir / "store" / "a" / "b" / "c"));
    // A second object on the same directory sees the same blobs (another process would, too).
    mlpipe::file_blob_store again(dir / "store");
    CHECK(again.get("a/b/c")->bytes == "deep");
    CHECK(again.get("a/b/c")->etag == store.get("a/b/c")->etag);
    // A "folder" is not a blob.
    CHECK_FALSE(store.get("a/b").has_value());
    CHECK(mlpipe::list_all(store, "") == std::vector<std::string>{"a/b/c"});
}

TEST_CASE("a writer killed mid-write leaves no visible trace, only a temporary to collect",
          "[storage][file_blob_store][faults]") {
    mlpipe::test::temp_dir dir;
    mlpipe::file_blob_store store(dir / "store");
    store.put("k", "old");
    // Simulate what a SIGKILL mid-write leaves: a half-written temporary file.
    const auto orphan = dir / "store" / ".mlpipe" / "tmp" / "12345-1-0.tmp";
    std::ofstream(orphan) << "half a blo";
    CHECK(mlpipe::list_all(store, "") == std::vector<std::string>{"k"});
    CHECK(store.get("k")->bytes == "old");
    CHECK(store.remove_stale_temporaries(std::chrono::hours(1)) == 0);  // too fresh to be stale
    std::filesystem::last_write_time(
        orphan, std::filesystem::file_time_type::clock::now() - std::chrono::hours(2));
    CHECK(store.remove_stale_temporaries(std::chrono::hours(1)) == 1);
    CHECK_FALSE(std::filesystem::exists(orphan));

    // And a real one: children killed with SIGKILL while they overwrite a large blob.
    const std::string a(1 << 20, 'a');
    const std::string b(1 << 20, 'b');
    store.put("big", a);
    for (int round = 0; round < 5; ++round) {
        const pid_t pid = ::fork();
        if (pid == 0) {
            mlpipe::file_blob_store child(dir / "store");
            for (int i = 0;; ++i)
                child.put("big", i % 2 ? a : b);
        }
        ::usleep(static_cast<useconds_t>(2000 + 3000 * round));
        ::kill(pid, SIGKILL);
        int status = 0;
        ::waitpid(pid, &status, 0);
        CHECK(WIFSIGNALED(status));
        const auto got = store.get("big");
        REQUIRE(got.has_value());
        CHECK((got->bytes == a || got->bytes == b));
    }
    CHECK(mlpipe::list_all(store, "") == std::vector<std::string>{"big", "k"});
}

TEST_CASE("put_if_absent is create-only across processes", "[storage][file_blob_store][faults]") {
    mlpipe::test::temp_dir dir;
    const auto root = dir / "store";
    mlpipe::file_blob_store store(root);
    constexpr int processes = 4;
    constexpr int keys = 30;
    std::vector<pid_t> children;
    for (int p = 0; p < processes; ++p) {
        const pid_t pid = ::fork();
        if (pid == 0) {
            int code = 0;
            try {
                mlpipe::file_blob_store mine(root, {.sync = false});
                for (int k = 0; k < keys; ++k) {
                    if (mine.put_if_absent("claims/" + std::to_string(k),
                                           "process " + std::to_string(p))) {
                        std::ofstream(root.parent_path() / ("won-" + std::to_string(p)),
                                      std::ios::app)
                            << k << '\n';
                    }
                }
            } catch (...) {
                code = 1;
            }
            ::_exit(code);
        }
        children.push_back(pid);
    }
    for (const pid_t pid : children) {
        int status = 0;
        ::waitpid(pid, &status, 0);
        CHECK((WIFEXITED(status) && WEXITSTATUS(status) == 0));
    }
    std::vector<int> winner(keys, -1);
    int wins = 0;
    for (int p = 0; p < processes; ++p) {
        std::ifstream in(root.parent_path() / ("won-" + std::to_string(p)));
        int k = 0;
        while (in >> k) {
            ++wins;
            CHECK(winner[static_cast<std::size_t>(k)] == -1);
            winner[static_cast<std::size_t>(k)] = p;
        }
    }
    CHECK(wins == keys);
    for (int k = 0; k < keys; ++k) {
        CHECK(store.get("claims/" + std::to_string(k))->bytes ==
              "process " + std::to_string(winner[static_cast<std::size_t>(k)]));
    }
}

TEST_CASE("a full disk during a put gives a typed storage_error and keeps the previous blob",
          "[storage][file_blob_store][faults]") {
    mlpipe::test::temp_dir dir;
    const auto root = dir / "store";
    mlpipe::file_blob_store store(root);
    const std::string before(1000, 'p');
    store.put("model", before);
    store.put_if_absent("other", "o");
    // A child whose file size limit is 64 KiB (SIGXFSZ ignored, so write() fails with EFBIG, as
    // a full disk fails with ENOSPC) tries to replace and to create blobs of 1 MiB.
    const int code = in_child([&] {
        struct rlimit limit {};
        limit.rlim_cur = limit.rlim_max = 64 * 1024;
        std::signal(SIGXFSZ, SIG_IGN);
        if (::setrlimit(RLIMIT_FSIZE, &limit) != 0) return 2;
        mlpipe::file_blob_store child(root);
        const std::string big(1 << 20, 'x');
        int typed = 0;
        for (int attempt = 0; attempt < 3; ++attempt) {
            try {
                if (attempt == 0) child.put("model", big);
                if (attempt == 1) (void)child.put_if_absent("new", big);
                if (attempt == 2)
                    (void)child.compare_and_swap("model", child.get("model")->etag, big);
            } catch (const mlpipe::storage_error& e) {
                if (e.backend() == "file" && e.native_code() == EFBIG && !e.remedy().empty())
                    ++typed;
            }
        }
        return typed == 3 ? 0 : 1;
    });
    CHECK(code == 0);
    CHECK(store.get("model")->bytes == before);
    CHECK_FALSE(store.get("new").has_value());
    CHECK(mlpipe::list_all(store, "") == std::vector<std::string>{"model", "other"});
    CHECK(std::filesystem::is_empty(root / ".mlpipe" / "tmp"));
}
