// SPDX-License-Identifier: Apache-2.0
// Tests of detail/block_products.hpp: both paths against a long double reference on awkward shapes
// (every remainder of 4 and 8 columns, strides wider than the rows), and a row's result not
// depending on the rows around it.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <mlpipe/detail/block_products.hpp>
#include <mlpipe/detail/random.hpp>

using mlpipe::detail::simd_path;

namespace {

std::vector<simd_path> paths_here() {
    std::vector<simd_path> paths{simd_path::portable};
    if (mlpipe::detail::avx2_fma_available()) paths.push_back(simd_path::avx2_fma);
    return paths;
}

std::vector<double> random_values(std::size_t n, std::uint64_t seed) {
    mlpipe::detail::random_engine engine(seed);
    std::vector<double> v(n);
    for (auto& x : v)
        x = mlpipe::detail::uniform_real(engine, -1.0, 1.0);
    return v;
}

}  // namespace

TEST_CASE("rows_dot and weighted_row_sum agree with a long double reference on every path",
          "[core][block_products]") {
    INFO("AVX2 + FMA available: " << mlpipe::detail::avx2_fma_available());
    for (const simd_path path : paths_here()) {
        for (std::size_t d = 1; d <= 21; ++d) {
            for (std::size_t rows : {1U, 3U, 4U, 5U, 9U, 17U}) {
                const std::size_t stride = d + 3;
                const auto x = random_values(rows * stride, d * 100 + rows);
                const auto w = random_values(d, d);
                std::vector<double> z(rows, -1.0);
                mlpipe::detail::rows_dot(path, x.data(), stride, rows, d, w.data(), z.data());
                const auto r = random_values(rows, rows + 1000);
                std::vector<double> g(d, 99.0);  // overwritten, not added to
                mlpipe::detail::weighted_row_sum(path, x.data(), stride, rows, d, r.data(),
                                                 g.data());
                CAPTURE(static_cast<int>(path), d, rows);
                for (std::size_t i = 0; i < rows; ++i) {
                    long double ref = 0;
                    for (std::size_t j = 0; j < d; ++j)
                        ref += static_cast<long double>(x[i * stride + j]) * w[j];
                    CHECK(std::abs(z[i] - static_cast<double>(ref)) <=
                          1e-14 * static_cast<double>(d));
                }
                for (std::size_t j = 0; j < d; ++j) {
                    long double ref = 0;
                    for (std::size_t i = 0; i < rows; ++i)
                        ref += static_cast<long double>(r[i]) * x[i * stride + j];
                    CHECK(std::abs(g[j] - static_cast<double>(ref)) <=
                          1e-14 * static_cast<double>(rows));
                }
            }
        }
    }
}

TEST_CASE("a row's dot product is the same alone and among other rows", "[core][block_products]") {
    for (const simd_path path : paths_here()) {
        const std::size_t d = 103;
        const std::size_t rows = 11;
        const auto x = random_values(rows * d, 7);
        const auto w = random_values(d, 8);
        std::vector<double> together(rows);
        mlpipe::detail::rows_dot(path, x.data(), d, rows, d, w.data(), together.data());
        for (std::size_t i = 0; i < rows; ++i) {
            double alone = 0;
            mlpipe::detail::rows_dot(path, x.data() + i * d, d, 1, d, w.data(), &alone);
            CAPTURE(static_cast<int>(path), i);
            CHECK(alone == together[i]);
        }
    }
}

TEST_CASE("MLPIPE_SIMD=portable or a processor without AVX2 selects the portable path",
          "[core][block_products]") {
    const char* forced = std::getenv("MLPIPE_SIMD");
    const bool portable = (forced != nullptr && std::string(forced) == "portable") ||
                          !mlpipe::detail::avx2_fma_available();
    CHECK((mlpipe::detail::block_products_path() == simd_path::portable) == portable);
}
