// SPDX-License-Identifier: Apache-2.0
/// @file storage/any_message_queue.hpp `any_message_queue`: a type-erased message_queue handle,
/// chosen at run time from a URI (`mem://`; `sqlite:///path.db` with the sqlite wing; `sqs://`
/// with the aws wing).
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "../error.hpp"
#include "memory_message_queue.hpp"
#include "message_queue.hpp"
#include "uri.hpp"

namespace mlpipe {

/// A handle to any message_queue. Copies share the same queue. It satisfies message_queue itself.
/// Thread safety: that of the queue inside (every mlpipe queue is fully thread-safe).
class any_message_queue {
  public:
    /// Wraps a queue shared with the caller.
    template <message_queue Queue>
    explicit any_message_queue(std::shared_ptr<Queue> queue)
        : impl_(std::make_shared<model<Queue>>(std::move(queue))) {}

    /// Creates a `Queue` from `args` and wraps it.
    template <message_queue Queue, class... Args>
    [[nodiscard]] static any_message_queue make(Args&&... args) {
        return any_message_queue(std::make_shared<Queue>(std::forward<Args>(args)...));
    }

    std::string send(std::string_view body) { return impl_->send(body, {}); }
    std::string send(std::string_view body, std::string_view dedup_id) {
        return impl_->send(body, dedup_id);
    }
    std::vector<queue_message> receive(const receive_options& options) {
        return impl_->receive(options);
    }
    bool extend(std::string_view receipt, std::chrono::milliseconds visibility) {
        return impl_->extend(receipt, visibility);
    }
    bool ack(std::string_view receipt) { return impl_->ack(receipt); }
    bool release(std::string_view receipt) { return impl_->release(receipt); }
    [[nodiscard]] queue_stats stats() const { return impl_->stats(); }
    [[nodiscard]] std::vector<queue_message> dead_letters(std::size_t max_messages) const {
        return impl_->dead_letters(max_messages);
    }

    /// Deletes the dead letter `message_id` (an id of dead_letters()), where the queue can.
    /// @returns whether it was a dead letter; nullopt when the queue cannot delete dead letters
    ///          (an SQS dead-letter queue is purged with the service's own tools)
    std::optional<bool> remove_dead_letter(std::string_view message_id) {
        return impl_->remove_dead_letter(message_id);
    }

    /// The queue inside when it is a `Queue`, else nullptr.
    template <class Queue>
    [[nodiscard]] Queue* target() const noexcept {
        auto* m = dynamic_cast<model<Queue>*>(impl_.get());
        return m ? m->queue.get() : nullptr;
    }

  private:
    struct base {
        virtual ~base() = default;
        virtual std::string send(std::string_view, std::string_view) = 0;
        virtual std::vector<queue_message> receive(const receive_options&) = 0;
        virtual bool extend(std::string_view, std::chrono::milliseconds) = 0;
        virtual bool ack(std::string_view) = 0;
        virtual bool release(std::string_view) = 0;
        virtual queue_stats stats() = 0;
        virtual std::vector<queue_message> dead_letters(std::size_t) = 0;
        virtual std::optional<bool> remove_dead_letter(std::string_view) = 0;
    };
    template <class Queue>
    struct model final : base {
        explicit model(std::shared_ptr<Queue> q) : queue(std::move(q)) {}
        std::string send(std::string_view b, std::string_view d) override {
            return queue->send(b, d);
        }
        std::vector<queue_message> receive(const receive_options& o) override {
            return queue->receive(o);
        }
        bool extend(std::string_view r, std::chrono::milliseconds v) override {
            return queue->extend(r, v);
        }
        bool ack(std::string_view r) override { return queue->ack(r); }
        bool release(std::string_view r) override { return queue->release(r); }
        queue_stats stats() override { return queue->stats(); }
        std::vector<queue_message> dead_letters(std::size_t n) override {
            return queue->dead_letters(n);
        }
        std::optional<bool> remove_dead_letter(std::string_view id) override {
            if constexpr (requires { queue->remove_dead_letter(id); }) {
                return queue->remove_dead_letter(id);
            } else {
                return std::nullopt;
            }
        }
        std::shared_ptr<Queue> queue;
    };

    std::shared_ptr<base> impl_;
};

static_assert(message_queue<any_message_queue>);

/// Makes `scheme://` URIs open with `make` in open_message_queue (wings call this).
inline void register_message_queue_scheme(
    const std::string& scheme, std::function<any_message_queue(const storage_uri&)> make) {
    detail::scheme_table<any_message_queue>::instance().add(scheme, std::move(make));
}

/// Opens a message queue from a URI:
/// - `mem://` a new memory_message_queue (`?max_receives=N`);
/// - `sqlite:///path/queue.db?queue=name&max_receives=N` with the sqlite wing linked;
/// - `sqs://...` with the aws wing linked.
/// @throws configuration_error for an unknown scheme or a backend that is not linked.
[[nodiscard]] inline any_message_queue open_message_queue(std::string_view uri_text) {
    const storage_uri uri = parse_storage_uri(uri_text);
    if (uri.scheme == "mem") {
        queue_options options;
        const std::string max = uri.get("max_receives");
        if (!max.empty()) options.max_receives = static_cast<std::uint32_t>(std::stoul(max));
        return any_message_queue::make<memory_message_queue>(options);
    }
    static const std::map<std::string, std::string> wings = {{"sqlite", "mlpipe::sqlite"},
                                                             {"sqs", "mlpipe::aws"}};
    return detail::scheme_table<any_message_queue>::instance().open(uri, "message queue", wings);
}

}  // namespace mlpipe
