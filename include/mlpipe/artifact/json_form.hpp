// SPDX-License-Identifier: Apache-2.0
/// @file artifact/json_form.hpp The human form of an artifact: plain JSON with tensors as arrays,
/// for inspection and diffing, converting back to the same artifact bit for bit.
///
///     {"format": "mlpipe-artifact", "format_version": 1,
///      "manifest": {...the manifest, without its tensor table...},
///      "tensors": [{"name": "coef", "dtype": "f64", "shape": [3, 4], "data": [...]}, ...]}
///
/// "data" lists the elements in row-major order. Finite floats are JSON numbers written with
/// enough digits to read back exactly (an f32 is written as the double of the same value);
/// infinities are "Infinity" and "-Infinity"; the default quiet NaN is "NaN" and any other NaN
/// "NaN:0x" followed by its bits in hex, so even NaN payloads survive.
#pragma once

#include <bit>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "../error.hpp"
#include "artifact.hpp"
#include "codec.hpp"
#include "format.hpp"
#include "manifest.hpp"
#include "tensor.hpp"

namespace mlpipe {

namespace detail {

template <class T>
using float_bits_t = std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>;

template <tensor_element T>
[[nodiscard]] nlohmann::json element_to_json(T value) {
    if constexpr (std::is_floating_point_v<T>) {
        if (std::isfinite(value)) return static_cast<double>(value);
        if (std::isinf(value)) return value > 0 ? "Infinity" : "-Infinity";
        const auto bits = std::bit_cast<float_bits_t<T>>(value);
        if (bits == std::bit_cast<float_bits_t<T>>(std::numeric_limits<T>::quiet_NaN()))
            return "NaN";
        char hex[32];
        const auto r = std::to_chars(hex, hex + sizeof hex, bits, 16);
        return "NaN:0x" + std::string(hex, r.ptr);
    } else if constexpr (std::is_same_v<T, std::uint8_t>) {
        return static_cast<unsigned>(value);
    } else {
        return value;
    }
}

/// Reads one element of dtype T, or returns false.
template <tensor_element T>
[[nodiscard]] bool element_from_json(const nlohmann::json& j, T& out) {
    if constexpr (std::is_floating_point_v<T>) {
        if (j.is_number()) {
            const double d = j.get<double>();
            if (!std::isfinite(d)) return false;
            if constexpr (std::is_same_v<T, float>) {
                if (std::fabs(d) > static_cast<double>(std::numeric_limits<float>::max()))
                    return false;
            }
            out = static_cast<T>(d);
            return true;
        }
        if (!j.is_string()) return false;
        const auto& s = j.get_ref<const std::string&>();
        if (s == "Infinity") {
            out = std::numeric_limits<T>::infinity();
        } else if (s == "-Infinity") {
            out = -std::numeric_limits<T>::infinity();
        } else if (s == "NaN") {
            out = std::numeric_limits<T>::quiet_NaN();
        } else if (s.size() > 6 && s.compare(0, 6, "NaN:0x") == 0) {
            float_bits_t<T> bits = 0;
            const char* first = s.data() + 6;
            const char* last = s.data() + s.size();
            const auto r = std::from_chars(first, last, bits, 16);
            if (r.ec != std::errc{} || r.ptr != last) return false;
            out = std::bit_cast<T>(bits);
            if (!std::isnan(out)) return false;
        } else {
            return false;
        }
        return true;
    } else {
        if (j.is_number_unsigned()) {
            const auto v = j.get<std::uint64_t>();
            if (v > static_cast<std::uint64_t>(std::numeric_limits<T>::max())) return false;
            out = static_cast<T>(v);
            return true;
        }
        if (j.is_number_integer()) {
            const auto v = j.get<std::int64_t>();
            if (v < static_cast<std::int64_t>(std::numeric_limits<T>::min()) ||
                (v > 0 && static_cast<std::uint64_t>(v) >
                              static_cast<std::uint64_t>(std::numeric_limits<T>::max()))) {
                return false;
            }
            out = static_cast<T>(v);
            return true;
        }
        return false;
    }
}

template <tensor_element T>
[[nodiscard]] nlohmann::json tensor_data_to_json(const artifact_tensor& t) {
    nlohmann::json data = nlohmann::json::array();
    const auto values = t.values<T>();
    data.get_ref<nlohmann::json::array_t&>().reserve(values.size());
    for (const T v : values)
        data.push_back(element_to_json(v));
    return data;
}

template <tensor_element T>
[[nodiscard]] artifact_tensor tensor_from_json(std::string name, std::vector<std::uint64_t> shape,
                                               const nlohmann::json& data,
                                               const manifest_reader& r) {
    std::vector<T> values(data.size());
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (!element_from_json(data[i], values[i])) {
            r.fail("element " + std::to_string(i) + " of tensor \"" + name + "\" is not a valid " +
                   std::string(to_string(dtype_of<T>)) + " value");
        }
    }
    return artifact_tensor::copy_of<T>(std::move(name), std::span<const T>(values),
                                       std::move(shape));
}

}  // namespace detail

/// The human form of `a` (see the file comment).
/// Thread safety: reads `a` only. Complexity: O(size).
[[nodiscard]] MLPIPE_DECL nlohmann::json artifact_to_json(const artifact& a);

/// The artifact of a human form (artifact_to_json's output, possibly edited). Unknown fields are
/// ignored. The limits of the binary format apply, so whatever this accepts can be encoded.
/// @throws format_error saying what is wrong.
/// Complexity: O(size).
[[nodiscard]] MLPIPE_DECL artifact artifact_from_json(const nlohmann::json& j,
                                                      const decode_options& options = {});

/// Parses the text of a human form (nesting limited while parsing) and converts it.
/// @throws format_error for invalid JSON or content.
[[nodiscard]] MLPIPE_DECL artifact parse_artifact_json(std::string_view text,
                                                       const decode_options& options = {});

#if MLPIPE_DEFINE_FUNCTIONS  // header-only mode, or the compiled library (config.hpp)

MLPIPE_DECL nlohmann::json artifact_to_json(const artifact& a) {
    nlohmann::json j;
    j["format"] = "mlpipe-artifact";
    j["format_version"] = artifact_format_version;
    j["manifest"] = manifest_to_json(a.manifest());
    nlohmann::json tensors = nlohmann::json::array();
    for (const auto& t : a.tensors()) {
        nlohmann::json entry;
        entry["name"] = t.name();
        entry["dtype"] = std::string(to_string(t.dtype()));
        entry["shape"] = t.shape();
        switch (t.dtype()) {
            case tensor_dtype::f32:
                entry["data"] = detail::tensor_data_to_json<float>(t);
                break;
            case tensor_dtype::f64:
                entry["data"] = detail::tensor_data_to_json<double>(t);
                break;
            case tensor_dtype::i32:
                entry["data"] = detail::tensor_data_to_json<std::int32_t>(t);
                break;
            case tensor_dtype::i64:
                entry["data"] = detail::tensor_data_to_json<std::int64_t>(t);
                break;
            case tensor_dtype::u8:
                entry["data"] = detail::tensor_data_to_json<std::uint8_t>(t);
                break;
        }
        tensors.push_back(std::move(entry));
    }
    j["tensors"] = std::move(tensors);
    return j;
}

MLPIPE_DECL artifact artifact_from_json(const nlohmann::json& j, const decode_options& options) {
    const auto lim = options.limits.clamped();
    const source_position where{options.source};
    const detail::manifest_reader r(j, where);
    try {
        if (!j.is_object()) r.fail("the human form is not a JSON object");
        if (r.string_of(j, "format", true) != "mlpipe-artifact") {
            r.fail("the field \"format\" is not \"mlpipe-artifact\"");
        }
        const auto version = r.unsigned_of(j, "format_version", true);
        if (version < artifact_oldest_readable_version || version > artifact_format_version) {
            throw format_error("artifact format version " + std::to_string(version) +
                                   " is not one this library reads (1 to " +
                                   std::to_string(artifact_format_version) + ")",
                               "read it with the mlpipe that wrote it, or upgrade this one", where);
        }
        const auto* m = r.member(j, "manifest", true, {});
        artifact result(manifest_from_json(*m, where, lim));
        const auto* tensors = r.member(j, "tensors", true, {});
        if (!tensors->is_array()) r.fail("the field \"tensors\" is not an array");
        if (tensors->size() > lim.max_tensors) {
            r.fail("there are " + std::to_string(tensors->size()) +
                   " tensors, more than the limit of " + std::to_string(lim.max_tensors));
        }
        for (const auto& e : *tensors) {
            if (!e.is_object()) r.fail("a tensor is not an object");
            auto name = r.string_of(e, "name", true, "tensors[].");
            if (const auto why = detail::check_identifier(name, lim.max_name_bytes); !why.empty()) {
                r.fail("the tensor name \"" + name.substr(0, 64) + "\" " + why);
            }
            if (result.find_tensor(name)) r.fail("two tensors are named \"" + name + "\"");
            const auto dtype_name = r.string_of(e, "dtype", true, "tensors[].");
            const auto dtype = parse_dtype(dtype_name);
            if (!dtype)
                r.fail("tensor \"" + name + "\" has the unknown dtype \"" +
                       dtype_name.substr(0, 16) + "\"");
            const auto* shape_json = r.member(e, "shape", true, "tensors[].");
            if (!shape_json->is_array() || shape_json->size() > lim.max_rank) {
                r.fail("tensor \"" + name + "\": \"shape\" is not an array of at most " +
                       std::to_string(lim.max_rank) + " extents");
            }
            std::vector<std::uint64_t> shape;
            for (const auto& extent : *shape_json) {
                const auto value = detail::json_unsigned(extent);
                if (!value)
                    r.fail("tensor \"" + name + "\": an extent is not an integer in [0, 2^64)");
                shape.push_back(*value);
                if (shape.back() > lim.max_elements) {
                    r.fail("tensor \"" + name + "\": an extent is more than the limit of " +
                           std::to_string(lim.max_elements) + " elements");
                }
            }
            const auto elements = detail::shape_elements(shape);
            if (!elements || *elements > lim.max_elements) {
                r.fail("tensor \"" + name + "\" has more elements than the limit of " +
                       std::to_string(lim.max_elements));
            }
            const auto* data = r.member(e, "data", true, "tensors[].");
            if (!data->is_array() || data->size() != *elements) {
                r.fail("tensor \"" + name + "\": \"data\" is not an array of " +
                       std::to_string(*elements) + " elements (the product of the shape)");
            }
            switch (*dtype) {
                case tensor_dtype::f32:
                    result.add_tensor(detail::tensor_from_json<float>(std::move(name),
                                                                      std::move(shape), *data, r));
                    break;
                case tensor_dtype::f64:
                    result.add_tensor(detail::tensor_from_json<double>(std::move(name),
                                                                       std::move(shape), *data, r));
                    break;
                case tensor_dtype::i32:
                    result.add_tensor(detail::tensor_from_json<std::int32_t>(
                        std::move(name), std::move(shape), *data, r));
                    break;
                case tensor_dtype::i64:
                    result.add_tensor(detail::tensor_from_json<std::int64_t>(
                        std::move(name), std::move(shape), *data, r));
                    break;
                case tensor_dtype::u8:
                    result.add_tensor(detail::tensor_from_json<std::uint8_t>(
                        std::move(name), std::move(shape), *data, r));
                    break;
            }
        }
        try {
            check_manifest(result.manifest(), lim);
        } catch (const invalid_input_error& e) {
            r.fail(e.problem());
        }
        return result;
    } catch (const nlohmann::json::exception& e) {
        throw format_error("the human form cannot be read: " + std::string(e.what()),
                           "check it against docs/artifact-format.md", where);
    }
}

MLPIPE_DECL artifact parse_artifact_json(std::string_view text, const decode_options& options) {
    const auto lim = options.limits.clamped();
    // One level more than the binary manifest allows: the manifest sits inside "manifest".
    const auto j = detail::parse_json_limited(
        text, lim.max_json_depth + 1, source_position{options.source, 0, 0, 0}, "the human form");
    return artifact_from_json(j, options);
}

#endif  // MLPIPE_DEFINE_FUNCTIONS

}  // namespace mlpipe
