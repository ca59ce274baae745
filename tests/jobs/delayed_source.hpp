// SPDX-License-Identifier: Apache-2.0
// A data source whose fetch takes longer: long trainings for the worker tests, without burning CPU.
#pragma once

#include <chrono>
#include <cstdint>
#include <thread>

#include <mlpipe/storage/data_source.hpp>

namespace mlpipe::test {

/// Forwards to `inner`, sleeping `delay` before each fetch.
template <data_source Source>
struct delayed_source {
    Source& inner;
    std::chrono::milliseconds delay;

    fetch_result fetch(const fetch_request& r) {
        std::this_thread::sleep_for(delay);
        return inner.fetch(r);
    }
    mlpipe::watermark watermark(const fetch_request& r) { return inner.watermark(r); }
    std::uint64_t count_since(const fetch_request& r, const mlpipe::watermark& w) {
        return inner.count_since(r, w);
    }
};

}  // namespace mlpipe::test
