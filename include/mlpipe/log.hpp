// SPDX-License-Identifier: Apache-2.0
/// @file log.hpp The log hook: mlpipe is silent until the user installs one.
///
/// The library never writes to stdout or stderr by itself. Install a hook to receive its records:
/// @code
///   mlpipe::set_log_hook([](const mlpipe::log_record& r) {
///       std::cerr << mlpipe::to_string(r.level) << ' ' << r.component << ": " << r.message <<
///       '\n';
///   }, mlpipe::log_level::info);
/// @endcode
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

#include "config.hpp"

namespace mlpipe {

/// Severity of a log record, in increasing order.
enum class log_level : int { trace = 0, debug = 1, info = 2, warn = 3, error = 4, off = 5 };

/// The lower-case name of a level ("trace", "debug", "info", "warn", "error", "off").
[[nodiscard]] constexpr std::string_view to_string(log_level level) noexcept {
    switch (level) {
        case log_level::trace:
            return "trace";
        case log_level::debug:
            return "debug";
        case log_level::info:
            return "info";
        case log_level::warn:
            return "warn";
        case log_level::error:
            return "error";
        case log_level::off:
            break;
    }
    return "off";
}

/// One record handed to the hook. The views are valid only during the call.
struct log_record {
    log_level level;
    std::string_view component;  ///< the part of mlpipe that speaks: "csv", "worker", ...
    std::string_view message;
};

/// The user's sink. It may be called from any thread, concurrently.
using log_hook = std::function<void(const log_record&)>;

namespace detail {
struct log_state {
    std::atomic<int> threshold{static_cast<int>(log_level::off)};
    std::mutex mutex;
    std::shared_ptr<const log_hook> hook;
};
MLPIPE_DECL log_state& log_state_instance();
}  // namespace detail

/// Installs `hook` to receive every record at `min_level` or above; an empty hook (or
/// log_level::off) silences the library again. Returns the previous hook.
/// Thread safety: may be called at any time from any thread; a record being delivered while the
/// hook changes goes to the old or the new hook, never to a destroyed one.
MLPIPE_DECL log_hook set_log_hook(log_hook hook, log_level min_level = log_level::info);

/// True when a record at `level` would reach a hook: use it to skip building costly messages.
/// Thread safety: lock-free.
[[nodiscard]] MLPIPE_DECL bool log_enabled(log_level level) noexcept;

/// Sends one record to the installed hook, if any and if `level` passes its threshold.
/// An exception thrown by the hook is swallowed: logging never changes what the library does.
/// Thread safety: any thread.
MLPIPE_DECL void log_message(log_level level, std::string_view component,
                             std::string_view message) noexcept;

#if MLPIPE_DEFINE_FUNCTIONS  // header-only mode, or the compiled library (config.hpp)

namespace detail {

MLPIPE_DECL log_state& log_state_instance() {
    static log_state state;
    return state;
}

}  // namespace detail

MLPIPE_DECL log_hook set_log_hook(log_hook hook, log_level min_level) {
    auto& state = detail::log_state_instance();
    std::shared_ptr<const log_hook> next;
    if (hook) next = std::make_shared<const log_hook>(std::move(hook));
    std::shared_ptr<const log_hook> previous;
    {
        std::lock_guard lock(state.mutex);
        previous = std::exchange(state.hook, next);
        state.threshold.store(next ? static_cast<int>(min_level) : static_cast<int>(log_level::off),
                              std::memory_order_release);
    }
    return previous ? *previous : log_hook{};
}

MLPIPE_DECL bool log_enabled(log_level level) noexcept {
    return level != log_level::off &&
           static_cast<int>(level) >=
               detail::log_state_instance().threshold.load(std::memory_order_acquire);
}

MLPIPE_DECL void log_message(log_level level, std::string_view component,
                             std::string_view message) noexcept {
    if (!log_enabled(level)) return;
    auto& state = detail::log_state_instance();
    std::shared_ptr<const log_hook> hook;
    {
        std::lock_guard lock(state.mutex);
        hook = state.hook;
    }
    if (!hook) return;
    try {
        (*hook)(log_record{level, component, message});
    } catch (...) {
        // A failing sink must not break training or serving.
    }
}

#endif  // MLPIPE_DEFINE_FUNCTIONS

}  // namespace mlpipe
