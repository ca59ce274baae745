// SPDX-License-Identifier: Apache-2.0
/// @file storage/file_blob_store.hpp `file_blob_store`: a blob_store in a local directory, with
/// atomic, crash-safe writes that several threads and processes may share (POSIX).
///
/// Layout: the blob with key "a/b/c" is the file `<root>/a/b/c`; the store's own bookkeeping sits
/// in `<root>/.mlpipe/` (`tmp/` for files being written, `locks/` for 256 lock files, each key
/// mapped to one by its hash, so their number stays bounded however many keys the store holds).
/// How each operation stays safe:
/// - every write goes to a fresh temporary file that is written, fsynced and closed first;
/// - `put` renames it over the key (atomic: a reader sees the old or the new bytes, never a mix);
/// - `put_if_absent` hard-links it to the key: link() fails with EEXIST when the key exists, so
///   exactly one of any number of concurrent writers, in any process, creates it;
/// - `put`, `compare_and_swap` and `remove` hold an exclusive flock() on the key's lock file
///   (flock works between processes, and between threads because each call opens its own file
///   description), so a compare-and-swap's check and replacement are one step;
/// - after each rename, link or unlink the directory is fsynced, so a completed call survives a
///   power loss (with `sync` on, the default).
/// A writer killed at any point leaves at most an orphan in `.mlpipe/tmp/` (see
/// remove_stale_temporaries), never a partial blob. Etags are the SHA-256 of the bytes.
/// Limitation (a file system is not S3): a key cannot also be a "folder" of other keys ("a" and
/// "a/b" cannot both exist); the second write fails with storage_error (ENOTDIR or EISDIR).
#pragma once

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../detail/sha256.hpp"
#include "../error.hpp"
#include "blob_store.hpp"
#include "key.hpp"

namespace mlpipe {

/// Options of file_blob_store.
struct file_blob_store_options {
    /// fsync files and directories so that a completed write survives a power loss. Turning it off
    /// keeps atomicity and crash safety against a killed process, not against a power loss.
    bool sync = true;
    /// File mode of new blobs (before the umask).
    unsigned file_mode = 0644;
};

namespace detail {

[[nodiscard]] inline std::string errno_text(int code) {
    return std::generic_category().message(code);
}

[[nodiscard]] inline std::string file_remedy(int code) {
    switch (code) {
        case ENOSPC:
        case EDQUOT:
        case EFBIG:
            return "free disk space (or raise the quota or file size limit) and retry";
        case EACCES:
        case EPERM:
        case EROFS:
            return "check that the store's directory is writable by this process";
        case ENOTDIR:
        case EISDIR:
            return "a key cannot also be a folder of other keys in a file store: rename one of "
                   "them";
        case EMFILE:
        case ENFILE:
            return "close files or raise the open file limit";
        default:
            return "check the store's directory and the file system";
    }
}

[[noreturn]] inline void throw_file_error(const std::string& what,
                                          const std::filesystem::path& path, int code) {
    throw storage_error(what + " " + path.string() + ": " + errno_text(code), file_remedy(code),
                        "file", code);
}

/// An open file descriptor, closed on destruction.
class unique_fd {
  public:
    unique_fd() = default;
    explicit unique_fd(int fd) noexcept : fd_(fd) {}
    unique_fd(unique_fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    unique_fd& operator=(unique_fd&& other) noexcept {
        if (this != &other) {
            reset();
            fd_ = std::exchange(other.fd_, -1);
        }
        return *this;
    }
    unique_fd(const unique_fd&) = delete;
    unique_fd& operator=(const unique_fd&) = delete;
    ~unique_fd() { reset(); }
    [[nodiscard]] int get() const noexcept { return fd_; }
    [[nodiscard]] explicit operator bool() const noexcept { return fd_ >= 0; }
    /// Closes and returns close()'s errno (0 on success).
    int close() noexcept {
        if (fd_ < 0) return 0;
        const int rc = ::close(std::exchange(fd_, -1));
        return rc == 0 ? 0 : errno;
    }
    void reset() noexcept { (void)close(); }

  private:
    int fd_ = -1;
};

inline void fsync_directory(const std::filesystem::path& dir) {
    unique_fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd) throw_file_error("cannot open directory", dir, errno);
    if (::fsync(fd.get()) != 0 && errno != EINVAL)
        throw_file_error("cannot fsync directory", dir, errno);
}

/// Writes all of `bytes` to `fd`, retrying short writes and EINTR. Returns 0 or the errno.
inline int write_all(int fd, std::string_view bytes) noexcept {
    const char* p = bytes.data();
    std::size_t left = bytes.size();
    while (left > 0) {
        const ssize_t n = ::write(fd, p, left);
        if (n < 0) {
            if (errno == EINTR) continue;
            return errno;
        }
        p += n;
        left -= static_cast<std::size_t>(n);
    }
    return 0;
}

/// Reads the whole file at `path`; nullopt when it does not exist (or is a folder).
inline std::optional<std::string> read_whole_file(const std::filesystem::path& path) {
    unique_fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) {
        const int code = errno;
        if (code == ENOENT || code == ENOTDIR) return std::nullopt;
        throw_file_error("cannot open", path, code);
    }
    struct stat info {};
    if (::fstat(fd.get(), &info) != 0) throw_file_error("cannot stat", path, errno);
    if (S_ISDIR(info.st_mode)) return std::nullopt;
    std::string bytes;
    bytes.resize(static_cast<std::size_t>(info.st_size));
    std::size_t got = 0;
    char more[4096];  // once the expected bytes are in: anything after them (the file grew)
    for (;;) {
        const bool full = got == bytes.size();
        const ssize_t n = full ? ::read(fd.get(), more, sizeof more)
                               : ::read(fd.get(), bytes.data() + got, bytes.size() - got);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw_file_error("cannot read", path, errno);
        }
        if (n == 0) break;
        if (full) bytes.append(more, static_cast<std::size_t>(n));
        got += static_cast<std::size_t>(n);
    }
    bytes.resize(got);
    return bytes;
}

}  // namespace detail

/// A blob_store in a directory. See the file comment for how writes stay atomic and safe between
/// processes.
/// Thread safety: every member may be called concurrently, from any number of threads and
/// processes sharing the directory (on a local file system: NFS does not honour flock reliably).
/// Complexity: get and put are linear in the blob's size plus a few system calls (and, with
/// `sync`, two fsyncs); list walks the folder of the prefix: linear in the keys below it.
class file_blob_store {
  public:
    /// Opens (creating when needed) the store at `root`.
    /// @throws storage_error when the directory cannot be created.
    explicit file_blob_store(std::filesystem::path root, file_blob_store_options options = {})
        : root_(std::move(root)), options_(options) {
        std::error_code ec;
        std::filesystem::create_directories(root_ / ".mlpipe" / "tmp", ec);
        if (!ec) std::filesystem::create_directories(root_ / ".mlpipe" / "locks", ec);
        if (ec) {
            throw storage_error(
                "cannot create the blob store directory " + root_.string() + ": " + ec.message(),
                "check the path and its permissions", "file", ec.value());
        }
    }

    /// The store's directory.
    [[nodiscard]] const std::filesystem::path& root() const noexcept { return root_; }

    /// See blob_store. Atomic replace (temporary file, fsync, rename, fsync of the directory).
    std::string put(std::string_view key, std::string_view bytes) {
        validate_key(key);
        const auto target = path_of(key);
        temporary tmp = write_temporary(bytes);
        const auto lock = lock_key(key);
        make_parent(target);
        if (::rename(tmp.path.c_str(), target.c_str()) != 0) {
            throw_file_error_for_key("cannot rename a new blob onto", target, errno);
        }
        tmp.path.clear();
        sync_directory(target.parent_path());
        return detail::sha256_hex(bytes);
    }

    /// See blob_store. Create-only through link(): exactly one concurrent writer wins.
    std::optional<std::string> put_if_absent(std::string_view key, std::string_view bytes) {
        validate_key(key);
        const auto target = path_of(key);
        struct stat info {};
        if (::stat(target.c_str(), &info) == 0) return std::nullopt;  // cheap early answer
        temporary tmp = write_temporary(bytes);
        make_parent(target);
        if (::link(tmp.path.c_str(), target.c_str()) != 0) {
            const int code = errno;
            if (code == EEXIST) return std::nullopt;
            throw_file_error_for_key("cannot create", target, code);
        }
        sync_directory(target.parent_path());
        return detail::sha256_hex(bytes);
    }

    /// See blob_store.
    [[nodiscard]] std::optional<blob> get(std::string_view key) const {
        validate_key(key);
        auto bytes = detail::read_whole_file(path_of(key));
        if (!bytes) return std::nullopt;
        std::string etag = detail::sha256_hex(*bytes);
        return blob{std::move(*bytes), std::move(etag)};
    }

    /// See blob_store. The check and the replacement happen under the key's lock file.
    std::optional<std::string> compare_and_swap(std::string_view key, std::string_view etag,
                                                std::string_view bytes) {
        validate_key(key);
        const auto target = path_of(key);
        temporary tmp = write_temporary(bytes);
        const auto lock = lock_key(key);
        const auto current = detail::read_whole_file(target);
        if (!current || detail::sha256_hex(*current) != etag) return std::nullopt;
        if (::rename(tmp.path.c_str(), target.c_str()) != 0) {
            throw_file_error_for_key("cannot rename a new blob onto", target, errno);
        }
        tmp.path.clear();
        sync_directory(target.parent_path());
        return detail::sha256_hex(bytes);
    }

    /// See blob_store.
    [[nodiscard]] blob_page list(std::string_view prefix, std::string_view token,
                                 std::size_t max_keys) const {
        validate_prefix(prefix);
        if (max_keys == 0) {
            throw invalid_input_error("a listing page of 0 keys", "ask for 1 to 1000 keys",
                                      "max_keys");
        }
        if (max_keys > max_list_page) max_keys = max_list_page;
        // Walk only the folder the prefix is in.
        const std::size_t slash = prefix.rfind('/');
        const std::string folder =
            slash == std::string_view::npos ? std::string{} : std::string(prefix.substr(0, slash));
        const auto start = folder.empty() ? root_ : root_ / folder;
        std::vector<std::string> keys;
        std::error_code ec;
        std::filesystem::recursive_directory_iterator it(
            start, std::filesystem::directory_options::skip_permission_denied, ec);
        if (ec) {
            if (ec == std::errc::no_such_file_or_directory || ec == std::errc::not_a_directory) {
                return {};
            }
            throw storage_error("cannot list " + start.string() + ": " + ec.message(),
                                "check the store's directory", "file", ec.value());
        }
        for (const std::filesystem::recursive_directory_iterator end; it != end; it.increment(ec)) {
            if (ec) {
                throw storage_error("cannot list " + start.string() + ": " + ec.message(),
                                    "check the store's directory", "file", ec.value());
            }
            const auto& entry = *it;
            if (it.depth() == 0 && folder.empty() && entry.path().filename() == ".mlpipe") {
                it.disable_recursion_pending();
                continue;
            }
            std::error_code type_ec;
            if (!entry.is_regular_file(type_ec)) continue;
            std::string key = entry.path().lexically_relative(root_).generic_string();
            if (key.compare(0, prefix.size(), prefix) != 0) continue;
            if (!token.empty() && key <= token) continue;
            keys.push_back(std::move(key));
        }
        std::sort(keys.begin(), keys.end());
        blob_page page;
        if (keys.size() > max_keys) {
            keys.resize(max_keys);
            page.next_token = keys.back();
        }
        page.keys = std::move(keys);
        return page;
    }

    /// See blob_store.
    void remove(std::string_view key) {
        validate_key(key);
        const auto target = path_of(key);
        const auto lock = lock_key(key);
        if (::unlink(target.c_str()) != 0) {
            const int code = errno;
            if (code == ENOENT || code == ENOTDIR) return;
            throw_file_error_for_key("cannot remove", target, code);
        }
        sync_directory(target.parent_path());
    }

    /// Removes temporary files older than `age` left by writers that were killed mid-write.
    /// Returns how many were removed. Safe while other writers run, as long as no write takes
    /// longer than `age`.
    std::size_t remove_stale_temporaries(std::chrono::seconds age = std::chrono::hours(1)) {
        std::size_t removed = 0;
        std::error_code ec;
        const auto now = std::filesystem::file_time_type::clock::now();
        for (const auto& entry :
             std::filesystem::directory_iterator(root_ / ".mlpipe" / "tmp", ec)) {
            std::error_code time_ec;
            const auto written = entry.last_write_time(time_ec);
            if (!time_ec && now - written > age && std::filesystem::remove(entry.path(), time_ec)) {
                ++removed;
            }
        }
        return removed;
    }

  private:
    /// A temporary file, unlinked on destruction unless its path was cleared.
    struct temporary {
        std::filesystem::path path;
        temporary() = default;
        temporary(temporary&& other) noexcept : path(std::move(other.path)) { other.path.clear(); }
        temporary& operator=(temporary&&) = delete;
        temporary(const temporary&) = delete;
        temporary& operator=(const temporary&) = delete;
        ~temporary() {
            if (!path.empty()) ::unlink(path.c_str());
        }
    };

    /// Holds an exclusive flock() on a key's lock file.
    class key_lock {
      public:
        explicit key_lock(detail::unique_fd fd) : fd_(std::move(fd)) {}
        key_lock(key_lock&&) noexcept = default;
        key_lock& operator=(key_lock&&) = delete;
        key_lock(const key_lock&) = delete;
        key_lock& operator=(const key_lock&) = delete;
        ~key_lock() {
            if (fd_) ::flock(fd_.get(), LOCK_UN);
        }

      private:
        detail::unique_fd fd_;
    };

    [[nodiscard]] std::filesystem::path path_of(std::string_view key) const { return root_ / key; }

    [[noreturn]] static void throw_file_error_for_key(const std::string& what,
                                                      const std::filesystem::path& path, int code) {
        detail::throw_file_error(what, path, code);
    }

    [[nodiscard]] key_lock lock_key(std::string_view key) const {
        const auto path =
            root_ / ".mlpipe" / "locks" / (detail::sha256_hex(key).substr(0, 2) + ".lock");
        detail::unique_fd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
        if (!fd) detail::throw_file_error("cannot open the lock file", path, errno);
        while (::flock(fd.get(), LOCK_EX) != 0) {
            if (errno != EINTR) detail::throw_file_error("cannot lock", path, errno);
        }
        return key_lock(std::move(fd));
    }

    void make_parent(const std::filesystem::path& target) const {
        const auto parent = target.parent_path();
        std::error_code ec;
        const bool created = std::filesystem::create_directories(parent, ec);
        if (ec) {
            throw storage_error("cannot create the folder " + parent.string() + ": " + ec.message(),
                                detail::file_remedy(ec.value()), "file", ec.value());
        }
        if (created && options_.sync) {
            // Make the new folders' entries durable, up to the root.
            for (auto dir = parent.parent_path();; dir = dir.parent_path()) {
                sync_directory(dir);
                if (dir == root_ || dir.native().size() <= root_.native().size()) break;
            }
        }
    }

    void sync_directory(const std::filesystem::path& dir) const {
        if (options_.sync) detail::fsync_directory(dir);
    }

    [[nodiscard]] temporary write_temporary(std::string_view bytes) const {
        static std::atomic<std::uint64_t> counter{0};
        const auto stamp =
            static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
        temporary tmp;
        tmp.path = root_ / ".mlpipe" / "tmp" /
                   (std::to_string(::getpid()) + "-" + std::to_string(stamp) + "-" +
                    std::to_string(counter.fetch_add(1)) + ".tmp");
        detail::unique_fd fd(::open(tmp.path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
                                    static_cast<mode_t>(options_.file_mode)));
        if (!fd) {
            const int code = errno;
            tmp.path.clear();
            detail::throw_file_error("cannot create a temporary file", root_ / ".mlpipe" / "tmp",
                                     code);
        }
        if (const int code = detail::write_all(fd.get(), bytes); code != 0) {
            detail::throw_file_error(
                "cannot write a new blob (" + std::to_string(bytes.size()) + " bytes) to", tmp.path,
                code);
        }
        if (options_.sync && ::fsync(fd.get()) != 0) {
            detail::throw_file_error("cannot fsync a new blob", tmp.path, errno);
        }
        if (const int code = fd.close(); code != 0) {
            detail::throw_file_error("cannot close a new blob", tmp.path, code);
        }
        return tmp;
    }

    std::filesystem::path root_;
    file_blob_store_options options_;
};

static_assert(blob_store<file_blob_store>);

}  // namespace mlpipe
