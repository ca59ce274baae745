// SPDX-License-Identifier: Apache-2.0
/// @file artifact/mapped_file.hpp `mapped_file`: a read-only memory-mapped file (POSIX mmap, RAII),
/// so artifacts can be decoded with their tensors read in place.
#pragma once

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <span>
#include <string>
#include <system_error>
#include <utility>

#include "../error.hpp"

#if __has_include(<sys/mman.h>) && __has_include(<unistd.h>)
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#define MLPIPE_DETAIL_HAS_MMAP 1
#else
#define MLPIPE_DETAIL_HAS_MMAP 0
#endif

namespace mlpipe {

/// A whole file mapped read-only into memory; unmapped when the object goes. The bytes start at a
/// page boundary, so tensors of an artifact decoded in place are aligned.
///
/// The file must not be truncated or rewritten in place while mapped (the operating system would
/// signal a fault on access): write new versions to a new file and rename it over the old one, as
/// mlpipe's stores do. Where mmap is not available the file is read into memory instead.
/// Thread safety: immutable after construction; bytes() may be read concurrently.
class mapped_file {
  public:
    /// Maps `path`. An empty file gives an empty span.
    /// @throws storage_error (backend "file", with errno) when it cannot be opened or mapped.
    explicit mapped_file(const std::filesystem::path& path) : path_(path) {
#if MLPIPE_DETAIL_HAS_MMAP
        const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) throw failure("cannot open");
        struct stat st {};
        if (::fstat(fd, &st) != 0) {
            const auto e = failure("cannot stat");
            ::close(fd);
            throw e;
        }
        if (!S_ISREG(st.st_mode)) {
            ::close(fd);
            throw storage_error(path_.string() + " is not a regular file",
                                "give the path of an artifact file", "file", 0);
        }
        size_ = static_cast<std::size_t>(st.st_size);
        if (size_ != 0) {
            void* p = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
            if (p == MAP_FAILED) {
                const auto e = failure("cannot map");
                ::close(fd);
                throw e;
            }
            data_ = static_cast<const std::byte*>(p);
        }
        ::close(fd);
#else
        std::ifstream in(path, std::ios::binary);
        if (!in) throw failure("cannot open");
        std::error_code ec;
        size_ = static_cast<std::size_t>(std::filesystem::file_size(path, ec));
        if (ec)
            throw storage_error("cannot get the size of " + path_.string(), ec.message(), "file",
                                ec.value());
        fallback_ = std::make_unique<std::byte[]>(size_);
        if (size_ != 0 && !in.read(reinterpret_cast<char*>(fallback_.get()),
                                   static_cast<std::streamsize>(size_))) {
            throw failure("cannot read");
        }
        data_ = fallback_.get();
#endif
    }

    mapped_file(const mapped_file&) = delete;
    mapped_file& operator=(const mapped_file&) = delete;
    mapped_file(mapped_file&& other) noexcept {
        swap(other);
    }
    mapped_file& operator=(mapped_file&& other) noexcept {
        mapped_file moved(std::move(other));
        swap(moved);
        return *this;
    }
    ~mapped_file() {
#if MLPIPE_DETAIL_HAS_MMAP
        if (data_ != nullptr) ::munmap(const_cast<std::byte*>(data_), size_);
#endif
    }

    /// The file's bytes.
    [[nodiscard]] std::span<const std::byte> bytes() const noexcept {
        return {data_, size_};
    }
    /// The file's size in bytes.
    [[nodiscard]] std::size_t size() const noexcept {
        return size_;
    }
    /// The path it was opened with.
    [[nodiscard]] const std::filesystem::path& path() const noexcept {
        return path_;
    }

  private:
    void swap(mapped_file& other) noexcept {
        std::swap(path_, other.path_);
        std::swap(data_, other.data_);
        std::swap(size_, other.size_);
#if !MLPIPE_DETAIL_HAS_MMAP
        std::swap(fallback_, other.fallback_);
#endif
    }

    [[nodiscard]] storage_error failure(const std::string& what) const {
        const int code = errno;
        return storage_error(
            what + " " + path_.string() + ": " + std::generic_category().message(code),
            "check that the file exists and is readable", "file", code);
    }

    std::filesystem::path path_;
    const std::byte* data_ = nullptr;
    std::size_t size_ = 0;
#if !MLPIPE_DETAIL_HAS_MMAP
    std::unique_ptr<std::byte[]> fallback_;
#endif
};

}  // namespace mlpipe
