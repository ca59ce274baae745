// SPDX-License-Identifier: Apache-2.0
/// @file artifact/codec.hpp Encoding an `artifact` to bytes and decoding it back: copying, in
/// place from a buffer the caller keeps alive, or from a memory-mapped file.
///
/// Decoding is safe on hostile input: the checksum is verified before the manifest is parsed, every
/// length, offset and shape product is checked with overflow-safe arithmetic against the bytes
/// present, the limits of artifact_limits are enforced, and every failure is a format_error. The
/// decoder never allocates more than the input's size justifies (the manifest's parsed JSON, and
/// for the copying decoder the tensors' bytes, which the input holds).
#pragma once

#include <algorithm>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "../detail/checked_math.hpp"
#include "../detail/endian.hpp"
#include "../detail/xxhash64.hpp"
#include "../error.hpp"
#include "artifact.hpp"
#include "format.hpp"
#include "manifest.hpp"
#include "mapped_file.hpp"
#include "tensor.hpp"

namespace mlpipe {

/// How to decode.
struct decode_options {
    std::string source = "<memory>";  ///< names the input in errors: a file name, a store key
    artifact_limits limits{};         ///< may lower the format's hard limits
};

namespace detail {

/// One validated row of the tensor table; `offset` is relative to the data section.
struct artifact_tensor_entry {
    std::string name;
    tensor_dtype dtype = tensor_dtype::u8;
    std::vector<std::uint64_t> shape;
    std::uint64_t offset = 0;
    std::uint64_t length = 0;
};

/// A verified artifact's layout: preamble, manifest, validated tensor table.
struct artifact_layout {
    artifact_info info;
    artifact_manifest manifest;
    std::vector<artifact_tensor_entry> entries;
};

/// Verifies the checksum, then parses and validates the manifest and tensor table.
[[nodiscard]] MLPIPE_DECL artifact_layout read_artifact_layout(std::span<const std::byte> bytes,
                                                               const decode_options& options);

/// Decodes tensors as views over `bytes` (little-endian hosts), holding `keep_alive` if given.
[[nodiscard]] MLPIPE_DECL artifact decode_in_place(std::span<const std::byte> bytes,
                                                   std::shared_ptr<const void> keep_alive,
                                                   const decode_options& options);

}  // namespace detail

/// Encodes `a` as format v1 bytes: preamble, manifest JSON (keys sorted, compact), tensors in the
/// order they were added, each at the next multiple of 64, then the XXH64 checksum. The same
/// artifact always gives the same bytes.
/// @throws invalid_input_error when the manifest is invalid (check_manifest), holds text that is
///   not UTF-8, or a limit is exceeded.
/// Thread safety: reads `a` only. Complexity: O(size); one allocation of the result.
[[nodiscard]] MLPIPE_DECL std::vector<std::byte> encode_artifact(
    const artifact& a, const artifact_limits& limits = {});

/// Decodes an artifact, copying its tensors (64-byte aligned): the result does not depend on
/// `bytes` afterwards.
/// @throws format_error for anything malformed, corrupt or past a limit.
/// Thread safety: reads `bytes` only. Complexity: O(size).
[[nodiscard]] MLPIPE_DECL artifact decode_artifact(std::span<const std::byte> bytes,
                                                   const decode_options& options = {});

/// Decodes an artifact whose tensors view `bytes` in place (no copy): the caller keeps `bytes`
/// alive and unchanged as long as the artifact or a copy of it is used. On big-endian hosts it
/// copies (as decode_artifact).
/// @throws format_error for anything malformed; invalid_input_error when `bytes` is not aligned to
///   the tensors' element sizes (std::vector and mapped files are).
[[nodiscard]] MLPIPE_DECL artifact decode_artifact_view(std::span<const std::byte> bytes,
                                                        const decode_options& options = {});

/// As decode_artifact_view, but the tensors hold `keep_alive` (the owner of `bytes`, for example a
/// shared buffer from a cache), so the artifact stays valid on its own.
[[nodiscard]] MLPIPE_DECL artifact decode_artifact_view(std::shared_ptr<const void> keep_alive,
                                                        std::span<const std::byte> bytes,
                                                        const decode_options& options = {});

/// Verifies an artifact and reads its manifest only (no tensor is copied): for listings and
/// registries.
/// @throws format_error as decode_artifact.
[[nodiscard]] MLPIPE_DECL artifact_manifest
read_artifact_manifest(std::span<const std::byte> bytes, const decode_options& options = {});

/// Maps the artifact file `path` and decodes it in place: the tensors hold the mapping, so the
/// result is valid on its own and loading costs one pass of the checksum over the file.
/// @throws storage_error when the file cannot be read; format_error when it is malformed.
[[nodiscard]] MLPIPE_DECL artifact load_artifact_file(const std::filesystem::path& path,
                                                      decode_options options = {});

/// Writes the encoded artifact to `path`: to a temporary file beside it first, then renamed over
/// `path`, so readers (and mappings) of the old file never see a partial one.
/// @throws invalid_input_error as encode_artifact; storage_error when writing fails.
MLPIPE_DECL void save_artifact_file(const std::filesystem::path& path, const artifact& a);

#if MLPIPE_DEFINE_FUNCTIONS  // header-only mode, or the compiled library (config.hpp)

namespace detail {

MLPIPE_DECL artifact_layout read_artifact_layout(std::span<const std::byte> bytes,
                                                 const decode_options& options) {
    const auto lim = options.limits.clamped();
    artifact_layout layout;
    layout.info = verify_artifact(bytes, options.source, lim);
    const std::string_view text(
        reinterpret_cast<const char*>(bytes.data()) + artifact_preamble_bytes,
        static_cast<std::size_t>(layout.info.manifest_length));
    const source_position at{options.source, 0, 0, artifact_preamble_bytes};
    const nlohmann::json j = parse_json_limited(text, lim.max_json_depth, at, "the manifest");
    try {
        layout.manifest = manifest_from_json(j, at, lim);
        const manifest_reader r(j, at);
        const auto* table = r.member(j, "tensors", true, {});
        if (!table->is_array()) r.fail("the field \"tensors\" is not an array");
        if (table->size() > lim.max_tensors) {
            r.fail("the tensor table has " + std::to_string(table->size()) +
                   " entries, more than the limit of " + std::to_string(lim.max_tensors));
        }
        layout.entries.reserve(table->size());
        std::unordered_set<std::string> names;
        names.reserve(table->size());
        std::size_t index = 0;
        for (const auto& e : *table) {
            const std::string path = "tensors[" + std::to_string(index++) + "].";
            if (!e.is_object())
                r.fail("\"" + path.substr(0, path.size() - 1) + "\" is not an object");
            artifact_tensor_entry entry;
            entry.name = r.string_of(e, "name", true, path);
            if (const auto why = check_identifier(entry.name, lim.max_name_bytes); !why.empty()) {
                r.fail("the tensor name \"" + entry.name.substr(0, 64) + "\" " + why);
            }
            const std::string tensor = "tensor \"" + entry.name + "\"";
            if (!names.insert(entry.name).second)
                r.fail("two tensors are named \"" + entry.name + "\"");
            const auto dtype_name = r.string_of(e, "dtype", true, path);
            const auto dtype = parse_dtype(dtype_name);
            if (!dtype)
                r.fail(tensor + " has the unknown dtype \"" + dtype_name.substr(0, 16) + "\"");
            entry.dtype = *dtype;
            const auto* shape = r.member(e, "shape", true, path);
            if (!shape->is_array()) r.fail(tensor + ": \"shape\" is not an array");
            if (shape->size() > lim.max_rank) {
                r.fail(tensor + " has rank " + std::to_string(shape->size()) +
                       ", more than the limit of " + std::to_string(lim.max_rank));
            }
            for (const auto& extent : *shape) {
                const auto value = json_unsigned(extent);
                if (!value) r.fail(tensor + ": an extent is not an integer in [0, 2^64)");
                entry.shape.push_back(*value);
                if (entry.shape.back() > lim.max_elements) {
                    r.fail(tensor + ": the extent " + std::to_string(entry.shape.back()) +
                           " is more than the limit of " + std::to_string(lim.max_elements) +
                           " elements");
                }
            }
            const auto elements = shape_elements(entry.shape);
            if (!elements) r.fail(tensor + ": the product of the shape overflows 64 bits");
            if (*elements > lim.max_elements) {
                r.fail(tensor + " has " + std::to_string(*elements) +
                       " elements, more than the limit of " + std::to_string(lim.max_elements));
            }
            entry.offset = r.unsigned_of(e, "offset", true, path);
            entry.length = r.unsigned_of(e, "length", true, path);
            const auto expected = checked_mul(*elements, dtype_size(entry.dtype));
            if (!expected || *expected != entry.length) {
                r.fail(tensor + ": length " + std::to_string(entry.length) +
                       " is not (product of the shape) x (dtype size)");
            }
            if (entry.offset % artifact_alignment != 0) {
                r.fail(tensor + ": offset " + std::to_string(entry.offset) +
                       " is not a multiple of 64 (tensors are 64-byte aligned)");
            }
            const auto end = checked_add(entry.offset, entry.length);
            if (!end || *end > layout.info.data_length) {
                r.fail(tensor + ": bytes [" + std::to_string(entry.offset) + ", offset + " +
                       std::to_string(entry.length) + ") lie outside the " +
                       std::to_string(layout.info.data_length) + "-byte data section");
            }
            layout.entries.push_back(std::move(entry));
        }
        std::vector<std::pair<std::uint64_t, std::size_t>> starts;
        for (std::size_t i = 0; i < layout.entries.size(); ++i) {
            if (layout.entries[i].length != 0) starts.emplace_back(layout.entries[i].offset, i);
        }
        std::sort(starts.begin(), starts.end());
        for (std::size_t k = 1; k < starts.size(); ++k) {
            const auto& before = layout.entries[starts[k - 1].second];
            const auto& after = layout.entries[starts[k].second];
            if (before.offset + before.length > after.offset) {
                r.fail("the bytes of tensors \"" + before.name + "\" and \"" + after.name +
                       "\" overlap");
            }
        }
    } catch (const nlohmann::json::exception& e) {
        // Not expected (every type is checked before use); kept so no JSON exception escapes.
        throw format_error("the manifest cannot be read: " + std::string(e.what()),
                           "the artifact is corrupt", at);
    }
    return layout;
}

MLPIPE_DECL artifact decode_in_place(std::span<const std::byte> bytes,
                                     std::shared_ptr<const void> keep_alive,
                                     const decode_options& options) {
    auto layout = read_artifact_layout(bytes, options);
    artifact result(std::move(layout.manifest));
    for (auto& e : layout.entries) {
        const auto view =
            bytes.subspan(static_cast<std::size_t>(layout.info.data_offset + e.offset),
                          static_cast<std::size_t>(e.length));
        result.add_tensor(artifact_tensor::view_of(std::move(e.name), e.dtype, std::move(e.shape),
                                                   view, keep_alive));
    }
    return result;
}

}  // namespace detail

MLPIPE_DECL std::vector<std::byte> encode_artifact(const artifact& a,
                                                   const artifact_limits& limits) {
    const auto lim = limits.clamped();
    check_manifest(a.manifest(), lim);
    if (a.tensors().size() > lim.max_tensors) {
        throw invalid_input_error("the artifact holds " + std::to_string(a.tensors().size()) +
                                      " tensors, more than the limit of " +
                                      std::to_string(lim.max_tensors),
                                  "pack values into fewer tensors", "tensors");
    }
    nlohmann::json j = manifest_to_json(a.manifest());
    nlohmann::json table = nlohmann::json::array();
    std::uint64_t cursor = 0;
    std::vector<std::uint64_t> offsets;
    offsets.reserve(a.tensors().size());
    for (const auto& t : a.tensors()) {
        if (t.rank() > lim.max_rank || t.element_count() > lim.max_elements) {
            throw invalid_input_error(
                "tensor \"" + t.name() + "\" exceeds the rank or element limit",
                "split or reshape it", "tensors");
        }
        const std::uint64_t offset = *detail::align_up_64(cursor);
        offsets.push_back(offset);
        cursor = offset + t.byte_size();
        table.push_back({{"name", t.name()},
                         {"dtype", std::string(to_string(t.dtype()))},
                         {"shape", t.shape()},
                         {"offset", offset},
                         {"length", t.byte_size()}});
    }
    j["tensors"] = std::move(table);
    std::string text;
    try {
        text = j.dump();
    } catch (const nlohmann::json::exception& e) {
        throw invalid_input_error("artifact manifest: " + std::string(e.what()),
                                  "store names and other text as valid UTF-8", "manifest");
    }
    if (text.size() > lim.max_manifest_bytes) {
        throw invalid_input_error(
            "the manifest is " + std::to_string(text.size()) + " bytes, more than the limit of " +
                std::to_string(lim.max_manifest_bytes),
            "keep bulk data (vocabularies, long lists) in tensors", "manifest");
    }
    const std::uint64_t data_offset =
        *detail::align_up_64(detail::artifact_preamble_bytes + text.size());
    const std::uint64_t checksum_offset = data_offset + cursor;
    std::vector<std::byte> out(
        static_cast<std::size_t>(checksum_offset + detail::artifact_checksum_bytes));
    std::memcpy(out.data(), detail::artifact_magic.data(), detail::artifact_magic.size());
    detail::store_le(out.data() + 8, artifact_format_version);
    detail::store_le(out.data() + 12, std::uint32_t{0});
    detail::store_le(out.data() + 16, static_cast<std::uint64_t>(text.size()));
    std::memcpy(out.data() + detail::artifact_preamble_bytes, text.data(), text.size());
    for (std::size_t i = 0; i < a.tensors().size(); ++i) {
        const auto& t = a.tensors()[i];
        detail::copy_little_endian(out.data() + data_offset + offsets[i], t.bytes().data(),
                                   t.element_count(), dtype_size(t.dtype()));
    }
    detail::store_le(out.data() + checksum_offset,
                     detail::xxh64(std::span<const std::byte>(out).first(
                         static_cast<std::size_t>(checksum_offset))));
    return out;
}

MLPIPE_DECL artifact decode_artifact(std::span<const std::byte> bytes,
                                     const decode_options& options) {
    auto layout = detail::read_artifact_layout(bytes, options);
    artifact result(std::move(layout.manifest));
    for (auto& e : layout.entries) {
        auto owned = detail::allocate_tensor_bytes(static_cast<std::size_t>(e.length));
        const auto size = dtype_size(e.dtype);
        detail::copy_little_endian(owned.get(), bytes.data() + layout.info.data_offset + e.offset,
                                   static_cast<std::size_t>(e.length) / size, size);
        const std::span<const std::byte> view(owned.get(), static_cast<std::size_t>(e.length));
        result.add_tensor(artifact_tensor::view_of(std::move(e.name), e.dtype, std::move(e.shape),
                                                   view, std::move(owned)));
    }
    return result;
}

MLPIPE_DECL artifact decode_artifact_view(std::span<const std::byte> bytes,
                                          const decode_options& options) {
    if constexpr (std::endian::native != std::endian::little)
        return decode_artifact(bytes, options);
    return detail::decode_in_place(bytes, {}, options);
}

MLPIPE_DECL artifact decode_artifact_view(std::shared_ptr<const void> keep_alive,
                                          std::span<const std::byte> bytes,
                                          const decode_options& options) {
    if constexpr (std::endian::native != std::endian::little)
        return decode_artifact(bytes, options);
    return detail::decode_in_place(bytes, std::move(keep_alive), options);
}

MLPIPE_DECL artifact_manifest read_artifact_manifest(std::span<const std::byte> bytes,
                                                     const decode_options& options) {
    return detail::read_artifact_layout(bytes, options).manifest;
}

MLPIPE_DECL artifact load_artifact_file(const std::filesystem::path& path, decode_options options) {
    if (options.source == "<memory>") options.source = path.string();
    auto file = std::make_shared<const mapped_file>(path);
    const auto bytes = file->bytes();
    return decode_artifact_view(std::shared_ptr<const void>(file), bytes, options);
}

MLPIPE_DECL void save_artifact_file(const std::filesystem::path& path, const artifact& a) {
    const auto bytes = encode_artifact(a);
    auto temporary = path;
    temporary += ".tmp-" + std::to_string(reinterpret_cast<std::uintptr_t>(&bytes));
    {
        std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
        out.write(reinterpret_cast<const char*>(bytes.data()),
                  static_cast<std::streamsize>(bytes.size()));
        out.flush();
        if (!out) {
            std::error_code ignored;
            std::filesystem::remove(temporary, ignored);
            throw storage_error("cannot write " + temporary.string(),
                                "check that the directory exists, is writable and has space",
                                "file", 0);
        }
    }
    std::error_code ec;
    std::filesystem::rename(temporary, path, ec);
    if (ec) {
        std::error_code ignored;
        std::filesystem::remove(temporary, ignored);
        throw storage_error(
            "cannot rename " + temporary.string() + " to " + path.string() + ": " + ec.message(),
            "check the directory's permissions", "file", ec.value());
    }
}

#endif  // MLPIPE_DEFINE_FUNCTIONS

}  // namespace mlpipe
