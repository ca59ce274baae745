// SPDX-License-Identifier: Apache-2.0
/// @file data/binary_matrix.hpp The binary matrix format: a fast, exact exchange format for
/// labelled numeric data.
///
/// Layout (all little-endian, no padding):
///
///     u64 n                 number of rows
///     u64 d                 number of features
///     f64 x[n * d]          features, row-major
///     i32 labels[n]         original integer labels
///
/// The file size must be exactly 16 + 8 n d + 4 n bytes. The reader checks that with overflow-safe
/// arithmetic before it allocates anything, so a lying header costs nothing.
#pragma once

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <limits>
#include <ostream>
#include <span>
#include <string>
#include <system_error>
#include <type_traits>
#include <vector>

#include "../detail/checked_math.hpp"
#include "../detail/endian.hpp"
#include "../error.hpp"
#include "dataset.hpp"

namespace mlpipe {

namespace detail {

inline constexpr std::uint64_t binary_matrix_header_bytes = 16;

/// The byte size a header (n, d) requires, or throws format_error when it overflows or differs
/// from `actual`.
inline void check_binary_matrix_size(std::uint64_t n, std::uint64_t d, std::uint64_t actual,
                                     const std::string& source) {
    const auto cells = checked_mul(n, d);
    const auto feature_bytes = cells ? checked_mul(*cells, 8) : std::nullopt;
    const auto label_bytes = checked_mul(n, 4);
    const auto body =
        (feature_bytes && label_bytes) ? checked_add(*feature_bytes, *label_bytes) : std::nullopt;
    const auto total = body ? checked_add(*body, binary_matrix_header_bytes) : std::nullopt;
    const std::string claim =
        "header claims " + std::to_string(n) + " rows x " + std::to_string(d) + " features";
    if (!total || n > static_cast<std::uint64_t>(std::numeric_limits<Eigen::Index>::max()) ||
        d > static_cast<std::uint64_t>(std::numeric_limits<Eigen::Index>::max())) {
        throw format_error(claim + ", a size no file can hold",
                           "the file is corrupt or not in the binary matrix format",
                           source_position{source, 0, 0, 0});
    }
    if (*total != actual) {
        throw format_error(claim + " (" + std::to_string(*total) + " bytes) but the input holds " +
                               std::to_string(actual) + " bytes",
                           actual < *total ? "the file is truncated: write it again"
                                           : "the file has trailing bytes: it is corrupt or not in "
                                             "the binary matrix format",
                           source_position{source, 0, 0, std::min(actual, *total)});
    }
}

template <class Scalar>
dataset<Scalar> make_binary_dataset(feature_matrix<Scalar> x,
                                    const std::vector<std::int32_t>& raw) {
    std::vector<std::int64_t> values(raw.begin(), raw.end());
    label_map classes = label_map::from_integers(values);
    class_index_vector targets(static_cast<Eigen::Index>(raw.size()));
    for (std::size_t i = 0; i < raw.size(); ++i) {
        targets[static_cast<Eigen::Index>(i)] = *classes.find(static_cast<std::int64_t>(raw[i]));
    }
    return dataset<Scalar>(std::move(x), std::move(targets), std::move(classes));
}

/// Checks what the binary format can hold and returns the labels as i32.
template <class Scalar>
std::vector<std::int32_t> binary_labels(const dataset<Scalar>& data) {
    if (!data.labelled()) {
        throw invalid_input_error("the binary matrix format needs labels; this dataset has none",
                                  "write unlabelled data as CSV");
    }
    std::vector<std::int32_t> labels(static_cast<std::size_t>(data.n_samples()));
    if (data.n_samples() == 0) return labels;
    if (data.classes().kind() != label_kind::integer) {
        throw invalid_input_error(
            "the binary matrix format stores integer labels; this dataset's "
            "labels are strings (" +
                data.classes().describe() + ")",
            "map the labels to integers first, or write CSV");
    }
    const auto& ints = data.classes().integers();
    if (ints.front() < std::numeric_limits<std::int32_t>::min() ||
        ints.back() > std::numeric_limits<std::int32_t>::max()) {
        throw invalid_input_error(
            "a label does not fit in 32 bits (the binary format's label type)",
            "map the labels to small integers first, or write CSV");
    }
    for (Eigen::Index i = 0; i < data.n_samples(); ++i) {
        labels[static_cast<std::size_t>(i)] =
            static_cast<std::int32_t>(ints[static_cast<std::size_t>(data.targets()[i])]);
    }
    return labels;
}

}  // namespace detail

/// Decodes a binary matrix held in memory (feature names become x0, x1, ...).
/// @throws format_error (with the byte offset) when the size disagrees with the header.
template <class Scalar = double>
[[nodiscard]] dataset<Scalar> parse_binary_matrix(std::span<const std::byte> bytes,
                                                  const std::string& source = "<memory>") {
    if (bytes.size() < detail::binary_matrix_header_bytes) {
        throw format_error(
            "input holds " + std::to_string(bytes.size()) + " bytes, less than the 16-byte header",
            "the file is truncated or empty: write it again", source_position{source, 0, 0, 0});
    }
    const auto n = detail::load_le<std::uint64_t>(bytes.data());
    const auto d = detail::load_le<std::uint64_t>(bytes.data() + 8);
    detail::check_binary_matrix_size(n, d, bytes.size(), source);
    feature_matrix<Scalar> x(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(d));
    const std::byte* cell = bytes.data() + detail::binary_matrix_header_bytes;
    Scalar* out = x.data();
    for (std::uint64_t k = 0; k < n * d; ++k, cell += 8) {
        out[k] = static_cast<Scalar>(detail::load_le<double>(cell));
    }
    std::vector<std::int32_t> labels(static_cast<std::size_t>(n));
    for (auto& label : labels) {
        label = detail::load_le<std::int32_t>(cell);
        cell += 4;
    }
    return detail::make_binary_dataset<Scalar>(std::move(x), labels);
}

/// Reads a binary matrix file. Reads straight into the matrix; allocates only after the header
/// has been checked against the file's size.
/// @throws storage_error when the file cannot be read; format_error when it is malformed.
template <class Scalar = double>
[[nodiscard]] dataset<Scalar> read_binary_matrix(const std::filesystem::path& path) {
    const std::string source = path.string();
    const auto io_failure = [&](const std::string& what) {
        const int code = errno;
        return storage_error(what + " " + source + ": " + std::generic_category().message(code),
                             "check that the file exists and is readable", "file", code);
    };
    std::ifstream in(path, std::ios::binary);
    if (!in) throw io_failure("cannot open");
    std::error_code ec;
    const std::uint64_t size = std::filesystem::file_size(path, ec);
    if (ec) {
        throw storage_error("cannot get the size of " + source + ": " + ec.message(),
                            "check that it is a regular file", "file", ec.value());
    }
    std::byte header[detail::binary_matrix_header_bytes];
    if (size < sizeof header || !in.read(reinterpret_cast<char*>(header), sizeof header)) {
        throw format_error(
            "file holds " + std::to_string(size) + " bytes, less than the 16-byte header",
            "the file is truncated or empty: write it again", source_position{source, 0, 0, 0});
    }
    const auto n = detail::load_le<std::uint64_t>(header);
    const auto d = detail::load_le<std::uint64_t>(header + 8);
    detail::check_binary_matrix_size(n, d, size, source);

    feature_matrix<Scalar> x(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(d));
    const auto truncated = [&] {
        return format_error("file ended early while reading (it changed while being read?)",
                            "write it again", source_position{source, 0, 0, size});
    };
    constexpr bool direct =
        std::is_same_v<Scalar, double> && std::endian::native == std::endian::little;
    if constexpr (direct) {
        if (n * d != 0 &&
            !in.read(reinterpret_cast<char*>(x.data()), static_cast<std::streamsize>(n * d * 8))) {
            throw truncated();
        }
    } else {
        std::vector<std::byte> chunk(std::size_t{1} << 16);
        std::uint64_t done = 0;
        while (done < n * d) {
            const std::uint64_t count = std::min<std::uint64_t>(chunk.size() / 8, n * d - done);
            if (!in.read(reinterpret_cast<char*>(chunk.data()),
                         static_cast<std::streamsize>(count * 8))) {
                throw truncated();
            }
            for (std::uint64_t k = 0; k < count; ++k) {
                x.data()[done + k] =
                    static_cast<Scalar>(detail::load_le<double>(chunk.data() + 8 * k));
            }
            done += count;
        }
    }
    std::vector<std::byte> raw(static_cast<std::size_t>(n) * 4);
    if (!raw.empty() &&
        !in.read(reinterpret_cast<char*>(raw.data()), static_cast<std::streamsize>(raw.size()))) {
        throw truncated();
    }
    std::vector<std::int32_t> labels(static_cast<std::size_t>(n));
    for (std::size_t i = 0; i < labels.size(); ++i)
        labels[i] = detail::load_le<std::int32_t>(raw.data() + 4 * i);
    return detail::make_binary_dataset<Scalar>(std::move(x), labels);
}

/// Writes `data` in the binary matrix format to a stream.
/// @throws invalid_input_error for unlabelled data or labels that are not 32-bit integers;
/// storage_error when the stream fails.
template <class Scalar>
void write_binary_matrix(std::ostream& out, const dataset<Scalar>& data) {
    const std::vector<std::int32_t> labels = detail::binary_labels(data);
    const auto n = static_cast<std::uint64_t>(data.n_samples());
    const auto d = static_cast<std::uint64_t>(data.n_features());
    char word[8];
    detail::store_le(word, n);
    out.write(word, 8);
    detail::store_le(word, d);
    out.write(word, 8);
    std::vector<char> chunk;
    chunk.reserve(std::size_t{1} << 16);
    const Scalar* cells = data.features().data();
    for (std::uint64_t k = 0; k < n * d; ++k) {
        detail::store_le(word, static_cast<double>(cells[k]));
        chunk.insert(chunk.end(), word, word + 8);
        if (chunk.size() >= (std::size_t{1} << 16)) {
            out.write(chunk.data(), static_cast<std::streamsize>(chunk.size()));
            chunk.clear();
        }
    }
    for (const std::int32_t label : labels) {
        detail::store_le(word, label);
        chunk.insert(chunk.end(), word, word + 4);
    }
    out.write(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    if (!out) {
        throw storage_error("writing the binary matrix failed",
                            "check free disk space and permissions", "file", 0);
    }
}

/// Writes `data` in the binary matrix format to `path` (replacing the file).
template <class Scalar>
void write_binary_matrix(const std::filesystem::path& path, const dataset<Scalar>& data) {
    (void)detail::binary_labels(data);  // refuse unrepresentable data before touching the file
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) {
        const int code = errno;
        throw storage_error("cannot open " + path.string() +
                                " for writing: " + std::generic_category().message(code),
                            "check that the directory exists and is writable", "file", code);
    }
    write_binary_matrix(out, data);
    out.flush();
    if (!out) {
        throw storage_error("writing " + path.string() + " failed", "check free disk space", "file",
                            errno);
    }
}

}  // namespace mlpipe
