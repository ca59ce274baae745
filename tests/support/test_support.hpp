// SPDX-License-Identifier: Apache-2.0
// Helpers shared by mlpipe's tests: paths of the test data, temporary directories, child processes.
#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <string>

#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

namespace mlpipe::test {

/// Path of a data set shipped in tests/data/sets ("iris.csv", ...).
inline std::filesystem::path data_path(const std::string& name) {
    return std::filesystem::path(MLPIPE_TEST_DATA_DIR) / name;
}

/// Path of a reference file in tests/data/reference (results of peer libraries, with the script
/// that made them).
inline std::filesystem::path reference_path(const std::string& name) {
    return std::filesystem::path(MLPIPE_TEST_DATA_DIR).parent_path() / "reference" / name;
}

/// A fresh directory, removed with everything in it when the object goes.
class temp_dir {
  public:
    temp_dir() {
        static std::atomic<unsigned> counter{0};
        const auto stamp = std::chrono::steady_clock::now().time_since_epoch().count();
        path_ = std::filesystem::temp_directory_path() /
                ("mlpipe-test-" + std::to_string(::getpid()) + "-" + std::to_string(stamp) + "-" +
                 std::to_string(counter++));
        std::filesystem::create_directories(path_);
    }
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;
    ~temp_dir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }
    [[nodiscard]] std::filesystem::path operator/(const std::string& name) const {
        return path_ / name;
    }

  private:
    std::filesystem::path path_;
};

/// Waits for a child process and returns its exit code, or 128 + the signal that ended it (as a
/// shell reports it).
inline int wait_exit(pid_t pid) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace mlpipe::test
