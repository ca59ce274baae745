// SPDX-License-Identifier: Apache-2.0
/// @file artifact/tensor.hpp `artifact_tensor`: a named, typed, shaped block of numbers inside an
/// artifact, either owned (64-byte aligned) or viewed in place in a buffer the caller keeps alive.
#pragma once

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <new>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include "../detail/checked_math.hpp"
#include "../detail/endian.hpp"
#include "../error.hpp"

namespace mlpipe {

/// The element type of a tensor. Every dtype is stored little-endian in the artifact.
enum class tensor_dtype : std::uint8_t {
    f32,  ///< IEEE 754 binary32
    f64,  ///< IEEE 754 binary64
    i32,  ///< two's complement 32-bit integer
    i64,  ///< two's complement 64-bit integer
    u8    ///< byte
};

/// Bytes per element of `dtype` (4, 8, 4, 8, 1).
[[nodiscard]] constexpr std::size_t dtype_size(tensor_dtype dtype) noexcept {
    switch (dtype) {
        case tensor_dtype::f32:
            return 4;
        case tensor_dtype::f64:
            return 8;
        case tensor_dtype::i32:
            return 4;
        case tensor_dtype::i64:
            return 8;
        case tensor_dtype::u8:
            return 1;
    }
    return 1;
}

/// The name the manifest uses: "f32", "f64", "i32", "i64", "u8".
[[nodiscard]] constexpr std::string_view to_string(tensor_dtype dtype) noexcept {
    switch (dtype) {
        case tensor_dtype::f32:
            return "f32";
        case tensor_dtype::f64:
            return "f64";
        case tensor_dtype::i32:
            return "i32";
        case tensor_dtype::i64:
            return "i64";
        case tensor_dtype::u8:
            return "u8";
    }
    return "u8";
}

/// The dtype named `name` ("f32", ...), or nullopt.
[[nodiscard]] constexpr std::optional<tensor_dtype> parse_dtype(std::string_view name) noexcept {
    for (const auto d : {tensor_dtype::f32, tensor_dtype::f64, tensor_dtype::i32, tensor_dtype::i64,
                         tensor_dtype::u8}) {
        if (to_string(d) == name) return d;
    }
    return std::nullopt;
}

/// The C++ types a tensor can hold: float, double, std::int32_t, std::int64_t, std::uint8_t.
template <class T>
concept tensor_element =
    std::is_same_v<T, float> || std::is_same_v<T, double> || std::is_same_v<T, std::int32_t> ||
    std::is_same_v<T, std::int64_t> || std::is_same_v<T, std::uint8_t>;

/// The dtype of C++ type T.
template <tensor_element T>
inline constexpr tensor_dtype dtype_of = std::is_same_v<T, float>          ? tensor_dtype::f32
                                         : std::is_same_v<T, double>       ? tensor_dtype::f64
                                         : std::is_same_v<T, std::int32_t> ? tensor_dtype::i32
                                         : std::is_same_v<T, std::int64_t> ? tensor_dtype::i64
                                                                           : tensor_dtype::u8;

/// The hard limits of format v1 (docs/artifact-format.md, "Limits"). Readers enforce them on
/// every input and writers refuse to produce anything past them. A caller may lower a limit (for
/// example a predictor that only serves small models); values above the hard limit are clamped to
/// it.
struct artifact_limits {
    std::uint64_t max_manifest_bytes = std::uint64_t{16} << 20;  ///< 16 MiB of manifest JSON
    std::uint64_t max_tensors = 16384;                           ///< entries in the tensor table
    std::uint64_t max_rank = 8;                                  ///< dimensions of one tensor
    std::uint64_t max_elements = std::uint64_t{1} << 32;         ///< elements of one tensor
    std::uint64_t max_json_depth = 64;   ///< nesting of arrays and objects in the manifest JSON
    std::uint64_t max_name_bytes = 128;  ///< length of a tensor name or a kind

    /// These limits, each clamped to the hard limit of format v1.
    [[nodiscard]] artifact_limits clamped() const noexcept {
        const artifact_limits hard{};
        return {std::min(max_manifest_bytes, hard.max_manifest_bytes),
                std::min(max_tensors, hard.max_tensors),
                std::min(max_rank, hard.max_rank),
                std::min(max_elements, hard.max_elements),
                std::min(max_json_depth, hard.max_json_depth),
                std::min(max_name_bytes, hard.max_name_bytes)};
    }
};

namespace detail {

/// Why `name` is not a valid tensor name or kind (1..max bytes of [A-Za-z0-9_.:/-]), or empty.
[[nodiscard]] MLPIPE_DECL std::string check_identifier(std::string_view name,
                                                       std::uint64_t max_bytes);

/// The element count of `shape`, or nullopt when the product overflows 64 bits.
[[nodiscard]] MLPIPE_DECL std::optional<std::uint64_t> shape_elements(
    std::span<const std::uint64_t> shape) noexcept;

/// `size` bytes aligned to 64, owned by the returned pointer (null when size is 0).
[[nodiscard]] MLPIPE_DECL std::shared_ptr<std::byte> allocate_tensor_bytes(std::size_t size);

/// Copies `count` elements of `size` bytes, swapping each to or from little-endian on big-endian
/// hosts (a plain memcpy elsewhere).
MLPIPE_DECL void copy_little_endian(std::byte* target, const std::byte* source, std::size_t count,
                                    std::size_t size) noexcept;

}  // namespace detail

/// A named, typed, shaped tensor: `shape` lists the extents, elements are in row-major (C) order.
/// Rank 0 is a scalar (one element). Typed accessors check the dtype and return spans or
/// Eigen::Map views, never copies.
///
/// A tensor either owns its bytes (shared, immutable, 64-byte aligned: copies of the tensor share
/// them) or views bytes it does not own (decode_artifact_view): then whoever made the view keeps
/// the buffer alive, or the tensor holds a `keep_alive` handle (load_artifact_file holds the
/// mapping). Thread safety: immutable after construction; concurrent reads are safe.
class artifact_tensor {
  public:
    /// An empty rank-1 u8 tensor with no name.
    artifact_tensor() = default;

    /// A tensor owning a copy of `values` (row-major, `shape` extents; empty shape = scalar).
    /// @throws invalid_input_error when the name is invalid, the shape does not match the number
    ///   of values, or a limit is exceeded.
    /// Complexity: O(values).
    template <tensor_element T>
    [[nodiscard]] static artifact_tensor copy_of(std::string name, std::span<const T> values,
                                                 std::vector<std::uint64_t> shape) {
        check_new(name, shape, values.size());
        artifact_tensor t;
        t.name_ = std::move(name);
        t.dtype_ = dtype_of<T>;
        t.shape_ = std::move(shape);
        t.size_ = values.size() * sizeof(T);
        auto owned = detail::allocate_tensor_bytes(t.size_);
        if (t.size_ != 0) std::memcpy(owned.get(), values.data(), t.size_);
        t.data_ = owned.get();
        t.keep_alive_ = std::move(owned);
        return t;
    }

    /// A tensor owning a copy of an Eigen matrix or vector: a vector (compile-time one column or
    /// one row) becomes rank 1 [n], anything else rank 2 [rows, cols] in row-major order.
    template <class Derived>
    requires tensor_element<typename Derived::Scalar>
    [[nodiscard]] static artifact_tensor copy_of(std::string name,
                                                 const Eigen::DenseBase<Derived>& values) {
        using T = typename Derived::Scalar;
        const Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> dense = values;
        std::vector<std::uint64_t> shape;
        if constexpr (Derived::IsVectorAtCompileTime) {
            shape = {static_cast<std::uint64_t>(dense.size())};
        } else {
            shape = {static_cast<std::uint64_t>(dense.rows()),
                     static_cast<std::uint64_t>(dense.cols())};
        }
        return copy_of<T>(std::move(name),
                          std::span<const T>(dense.data(), static_cast<std::size_t>(dense.size())),
                          std::move(shape));
    }

    /// A tensor over `bytes` (native byte order, aligned to the element size) that it does not
    /// copy. `keep_alive`, when given, is held as long as the tensor or a copy of it lives.
    /// @throws invalid_input_error as copy_of, or when the bytes are misaligned or of the wrong
    /// size.
    [[nodiscard]] static artifact_tensor view_of(std::string name, tensor_dtype dtype,
                                                 std::vector<std::uint64_t> shape,
                                                 std::span<const std::byte> bytes,
                                                 std::shared_ptr<const void> keep_alive = {}) {
        const auto elements = detail::shape_elements(shape);
        if (!elements || bytes.size() % dtype_size(dtype) != 0 ||
            *elements != bytes.size() / dtype_size(dtype)) {
            throw invalid_input_error(
                "tensor \"" + name + "\": " + std::to_string(bytes.size()) +
                    " bytes do not match its shape and dtype " + std::string(to_string(dtype)),
                "give exactly (product of the shape) x (dtype size) bytes", "bytes");
        }
        check_new(name, shape, static_cast<std::size_t>(*elements));
        if (reinterpret_cast<std::uintptr_t>(bytes.data()) % dtype_size(dtype) != 0) {
            throw invalid_input_error("tensor \"" + name + "\": its bytes are not aligned to " +
                                          std::to_string(dtype_size(dtype)) + " bytes",
                                      "use an aligned buffer (std::vector, a mapped file) or the "
                                      "copying decode_artifact",
                                      "bytes");
        }
        artifact_tensor t;
        t.name_ = std::move(name);
        t.dtype_ = dtype;
        t.shape_ = std::move(shape);
        t.size_ = bytes.size();
        t.data_ = bytes.data();
        t.keep_alive_ = std::move(keep_alive);
        return t;
    }

    /// The name, unique within its artifact.
    [[nodiscard]] const std::string& name() const noexcept { return name_; }
    /// The element type.
    [[nodiscard]] tensor_dtype dtype() const noexcept { return dtype_; }
    /// The extents, outermost first (row-major). Empty for a scalar.
    [[nodiscard]] const std::vector<std::uint64_t>& shape() const noexcept { return shape_; }
    /// The number of dimensions.
    [[nodiscard]] std::size_t rank() const noexcept { return shape_.size(); }
    /// The number of elements (1 for a scalar).
    [[nodiscard]] std::size_t element_count() const noexcept { return size_ / dtype_size(dtype_); }
    /// The raw bytes in native byte order.
    [[nodiscard]] std::span<const std::byte> bytes() const noexcept { return {data_, size_}; }
    /// The size in bytes.
    [[nodiscard]] std::size_t byte_size() const noexcept { return size_; }

    /// The elements as a span of T.
    /// @throws format_error when the tensor does not hold T.
    template <tensor_element T>
    [[nodiscard]] std::span<const T> values() const {
        check_dtype(dtype_of<T>);
        return {reinterpret_cast<const T*>(data_), element_count()};
    }

    /// All elements, flat in row-major order, as an Eigen column vector view.
    /// @throws format_error when the tensor does not hold T.
    template <tensor_element T>
    [[nodiscard]] Eigen::Map<const Eigen::Matrix<T, Eigen::Dynamic, 1>> vector() const {
        const auto v = values<T>();
        return {v.data(), static_cast<Eigen::Index>(v.size())};
    }

    /// The tensor as a row-major matrix view: rank 2 is [rows, cols], rank 1 [n] is n x 1, a
    /// scalar is 1 x 1.
    /// @throws format_error when the tensor does not hold T or its rank is above 2.
    template <tensor_element T>
    [[nodiscard]] Eigen::Map<
        const Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>
    matrix() const {
        const auto v = values<T>();
        if (rank() > 2) {
            throw format_error(
                "tensor \"" + name_ + "\" has rank " + std::to_string(rank()) + ", not a matrix",
                "read it with values<T>() or vector<T>()", source_position{"tensor " + name_});
        }
        const auto rows = rank() == 0 ? Eigen::Index{1} : static_cast<Eigen::Index>(shape_[0]);
        const auto cols = rank() == 2 ? static_cast<Eigen::Index>(shape_[1]) : Eigen::Index{1};
        return {v.data(), rows, cols};
    }

    /// True when the tensor owns its bytes or holds a handle that keeps them alive.
    [[nodiscard]] bool holds_its_bytes() const noexcept {
        return keep_alive_ != nullptr || size_ == 0;
    }

    /// Same name, dtype, shape and bytes (bit for bit: NaN payloads and -0.0 count).
    friend bool operator==(const artifact_tensor& a, const artifact_tensor& b) noexcept {
        return a.name_ == b.name_ && a.dtype_ == b.dtype_ && a.shape_ == b.shape_ &&
               a.size_ == b.size_ && (a.size_ == 0 || std::memcmp(a.data_, b.data_, a.size_) == 0);
    }

  private:
    static void check_new(const std::string& name, const std::vector<std::uint64_t>& shape,
                          std::size_t values) {
        const artifact_limits limits;
        if (const auto why = detail::check_identifier(name, limits.max_name_bytes); !why.empty()) {
            throw invalid_input_error("tensor name \"" + name + "\" " + why,
                                      "use 1 to 128 characters of A-Z a-z 0-9 _ . : / -", "name");
        }
        if (shape.size() > limits.max_rank) {
            throw invalid_input_error(
                "tensor \"" + name + "\" has rank " + std::to_string(shape.size()) +
                    ", more than the limit of " + std::to_string(limits.max_rank),
                "reshape it to fewer dimensions", "shape");
        }
        for (const auto extent : shape) {
            if (extent > limits.max_elements) {
                throw invalid_input_error("tensor \"" + name + "\" has an extent of " +
                                              std::to_string(extent) + ", more than the limit of " +
                                              std::to_string(limits.max_elements) + " elements",
                                          "split it into several tensors", "shape");
            }
        }
        const auto elements = detail::shape_elements(shape);
        if (!elements || *elements != values) {
            throw invalid_input_error("tensor \"" + name + "\": the shape does not match the " +
                                          std::to_string(values) + " values given",
                                      "give a shape whose product is the number of values",
                                      "shape");
        }
        if (*elements > limits.max_elements) {
            throw invalid_input_error("tensor \"" + name + "\" has " + std::to_string(*elements) +
                                          " elements, more than the limit of " +
                                          std::to_string(limits.max_elements),
                                      "split it into several tensors", "shape");
        }
    }

    void check_dtype(tensor_dtype wanted) const {
        if (dtype_ != wanted) {
            throw format_error(
                "tensor \"" + name_ + "\" holds " + std::string(to_string(dtype_)) +
                    " values, not " + std::string(to_string(wanted)),
                "read it with the type its dtype names, or check that the artifact's "
                "kind and scalar type match the model reading it",
                source_position{"tensor " + name_});
        }
    }

    std::string name_;
    tensor_dtype dtype_ = tensor_dtype::u8;
    std::vector<std::uint64_t> shape_{0};
    std::size_t size_ = 0;
    const std::byte* data_ = nullptr;
    std::shared_ptr<const void> keep_alive_;
};

#if MLPIPE_DEFINE_FUNCTIONS  // header-only mode, or the compiled library (config.hpp)

namespace detail {

MLPIPE_DECL std::string check_identifier(std::string_view name, std::uint64_t max_bytes) {
    if (name.empty()) return "is empty";
    if (name.size() > max_bytes) {
        return "is " + std::to_string(name.size()) + " bytes long, more than the limit of " +
               std::to_string(max_bytes);
    }
    for (const char c : name) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '_' || c == '.' || c == ':' || c == '/' ||
                        c == '-';
        if (!ok) return "holds a character other than A-Z a-z 0-9 _ . : / -";
    }
    return {};
}

MLPIPE_DECL std::optional<std::uint64_t> shape_elements(
    std::span<const std::uint64_t> shape) noexcept {
    std::uint64_t count = 1;
    for (const auto extent : shape) {
        const auto next = checked_mul(count, extent);
        if (!next) return std::nullopt;
        count = *next;
    }
    return count;
}

MLPIPE_DECL std::shared_ptr<std::byte> allocate_tensor_bytes(std::size_t size) {
    if (size == 0) return {};
    auto* raw = static_cast<std::byte*>(::operator new (size, std::align_val_t{64}));
    return std::shared_ptr<std::byte>(
        raw, [](std::byte* p) { ::operator delete (p, std::align_val_t{64}); });
}

MLPIPE_DECL void copy_little_endian(std::byte* target, const std::byte* source, std::size_t count,
                                    std::size_t size) noexcept {
    if (count == 0) return;
    if constexpr (std::endian::native == std::endian::little) {
        std::memcpy(target, source, count * size);
    } else {
        for (std::size_t i = 0; i < count; ++i) {
            for (std::size_t b = 0; b < size; ++b)
                target[i * size + b] = source[i * size + size - 1 - b];
        }
    }
}

}  // namespace detail

#endif  // MLPIPE_DEFINE_FUNCTIONS

}  // namespace mlpipe
