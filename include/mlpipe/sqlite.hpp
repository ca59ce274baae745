// SPDX-License-Identifier: Apache-2.0
/// @file sqlite.hpp The SQLite wing (target mlpipe::sqlite): the SQLite data source and durable
/// message queue, registered for `sqlite://` URIs in open_data_source and open_message_queue.
#pragma once

#if defined(MLPIPE_SEPARATE_COMPILATION) && !defined(MLPIPE_COMPILING_WING) && \
    !defined(MLPIPE_COMPILED_SQLITE)
#error \
    "mlpipe's compiled library was made without the sqlite wing: call find_package(mlpipe COMPONENTS sqlite) (or add the sqlite wing) before mlpipe_add_compiled_library()"
#endif

#include <string>

#include "storage/any_data_source.hpp"
#include "storage/any_message_queue.hpp"
#include "storage/uri.hpp"

#include "sqlite/connection.hpp"
#include "sqlite/sqlite_data_source.hpp"
#include "sqlite/sqlite_message_queue.hpp"

namespace mlpipe::sqlite {

namespace detail {
inline std::string database_path(const storage_uri& uri) {
    const std::string path = uri.authority.empty() ? uri.path : uri.authority + uri.path;
    if (path.empty()) {
        throw configuration_error("SQLite URI \"" + uri.text + "\" has no file path",
                                  "write sqlite:///absolute/path/to/file.db", "uri");
    }
    return path;
}
}  // namespace detail

/// Registers the `sqlite://` scheme with open_message_queue
/// (`sqlite:///path.db?queue=name&max_receives=5&durability=full|normal`) and open_data_source
/// (`sqlite:///path.db`). Including this header does it once at start-up; calling it again is
/// harmless.
/// Thread safety: may be called from any thread.
MLPIPE_WING_DECL void register_backends();

namespace detail {
/// Registers the backends during static initialisation of any program that includes this header.
inline const bool backends_registered = (register_backends(), true);
}  // namespace detail

#if MLPIPE_DEFINE_WING_FUNCTIONS
MLPIPE_WING_DECL void register_backends() {
    register_message_queue_scheme("sqlite", [](const storage_uri& uri) {
        sqlite_queue_options options;
        options.queue = uri.get("queue", "default");
        if (const auto max = uri.get("max_receives"); !max.empty()) {
            options.max_receives = static_cast<std::uint32_t>(std::stoul(max));
        }
        const auto durability = uri.get("durability", "normal");
        if (durability == "full") {
            options.durability = sqlite_durability::full;
        } else if (durability != "normal") {
            throw configuration_error(
                "unknown durability \"" + durability + "\" in \"" + uri.text + "\"",
                "use durability=normal or durability=full", "uri");
        }
        return any_message_queue::make<sqlite_message_queue>(detail::database_path(uri), options);
    });
    register_data_source_scheme(
        "sqlite", [](const storage_uri& uri, std::vector<dataset_definition> definitions) {
            return any_data_source::make<sqlite_data_source>(detail::database_path(uri),
                                                             std::move(definitions));
        });
}
#endif

}  // namespace mlpipe::sqlite
