// SPDX-License-Identifier: Apache-2.0
/// @file models/tree/tree_builder.hpp What the tree family shares at fit time: split criteria, the
/// max_features rule, the rank-coded feature table and the CART grower.
///
/// The grower sorts per node, as scikit-learn's BestSplitter, but on integer ranks rather than
/// values: every feature is ranked once per fit (dense ranks of its distinct values), a node's
/// (rank, position) pairs are packed into 64-bit keys and radix-sorted, and all per-node buffers
/// are allocated once per tree. Thresholds are placed halfway between the two values that surround
/// the split, as scikit-learn places them.
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include <Eigen/Core>
#include <nlohmann/json.hpp>

#include "../../data/dataset.hpp"
#include "../../detail/random.hpp"
#include "../../detail/thread_pool.hpp"
#include "../../error.hpp"
#include "../hyperparameters.hpp"

namespace mlpipe {

/// The impurity a tree minimises when it splits a node.
enum class split_criterion {
    gini,     ///< Gini impurity, 1 - sum_k p_k^2
    entropy,  ///< Shannon entropy, -sum_k p_k log p_k
};

/// JSON names of split_criterion values.
inline constexpr enum_names<split_criterion, 2> split_criterion_names{
    {{split_criterion::gini, "gini"}, {split_criterion::entropy, "entropy"}}};

/// How many features a split considers, as scikit-learn's `max_features`: all of them, sqrt(d),
/// log2(d) (each at least 1), a fraction of d (at least 1) or a count. JSON: "all" (or null),
/// "sqrt", "log2", a number in (0, 1] (a fraction) or an integer >= 1 (a count).
struct max_features_option {
    /// Which rule applies.
    enum class rule { all, sqrt, log2, fraction, count };
    rule kind = rule::all;   ///< the rule
    double fraction = 1.0;   ///< the fraction of d (rule::fraction)
    std::int64_t count = 1;  ///< the count (rule::count)

    /// Every feature.
    [[nodiscard]] static max_features_option all() { return {}; }
    /// floor(sqrt(d)), at least 1.
    [[nodiscard]] static max_features_option sqrt() { return {rule::sqrt, 1.0, 1}; }
    /// floor(log2(d)), at least 1.
    [[nodiscard]] static max_features_option log2() { return {rule::log2, 1.0, 1}; }
    /// floor(f * d), at least 1; f in (0, 1].
    [[nodiscard]] static max_features_option of_fraction(double f) {
        return {rule::fraction, f, 1};
    }
    /// Exactly n features (n <= d at fit time).
    [[nodiscard]] static max_features_option of_count(std::int64_t n) {
        return {rule::count, 1.0, n};
    }

    friend bool operator==(const max_features_option&, const max_features_option&) = default;

    /// JSON form: "all", "sqrt", "log2", the fraction or the count.
    [[nodiscard]] nlohmann::json to_json() const {
        switch (kind) {
            case rule::all:
                return "all";
            case rule::sqrt:
                return "sqrt";
            case rule::log2:
                return "log2";
            case rule::fraction:
                return fraction;
            case rule::count:
                return count;
        }
        return "all";
    }

    /// Reads the JSON form. @param field the name errors carry ("decision_tree.max_features")
    /// @throws invalid_input_error naming `field` for anything else
    [[nodiscard]] static max_features_option from_json(const nlohmann::json& j,
                                                       const std::string& field) {
        const auto wrong = [&] {
            return invalid_input_error(field +
                                           " must be \"all\", \"sqrt\", \"log2\", a fraction "
                                           "in (0, 1] or a count >= 1, not " +
                                           j.dump(),
                                       "fix the value in the hyperparameters", field);
        };
        if (j.is_null()) return all();
        if (j.is_string()) {
            const auto s = j.get<std::string>();
            if (s == "all") return all();
            if (s == "sqrt") return sqrt();
            if (s == "log2") return log2();
            throw wrong();
        }
        if (j.is_number_integer()) {
            if (j.is_number_unsigned() && j.get<std::uint64_t>() > std::uint64_t{1} << 40)
                throw wrong();
            return of_count(j.get<std::int64_t>());
        }
        if (j.is_number_float()) return of_fraction(j.get<double>());
        throw wrong();
    }

    /// Throws unless the option makes sense for some d. @param model the kind, for the message
    void check(std::string_view model) const {
        const std::string field = std::string(model) + ".max_features";
        if (kind == rule::fraction && !(fraction > 0.0 && fraction <= 1.0)) {
            throw invalid_input_error(field + " is the fraction " + std::to_string(fraction) +
                                          "; a fraction must lie in (0, 1]",
                                      "use e.g. 0.5, or \"sqrt\"", "max_features");
        }
        if (kind == rule::count && count < 1) {
            throw invalid_input_error(field + " is the count " + std::to_string(count) +
                                          "; a split needs at least 1 feature",
                                      "use a count >= 1, or \"sqrt\"", "max_features");
        }
    }

    /// The number of features a split considers among d.
    /// @throws invalid_input_error when a count exceeds d
    [[nodiscard]] std::int64_t resolve(std::int64_t d, std::string_view model) const {
        const auto at_least_one = [](double v) {
            return std::max<std::int64_t>(1, static_cast<std::int64_t>(v));
        };
        switch (kind) {
            case rule::all:
                return d;
            case rule::sqrt:
                return std::min(d, at_least_one(std::sqrt(static_cast<double>(d))));
            case rule::log2:
                return std::min(d, at_least_one(std::log2(static_cast<double>(d))));
            case rule::fraction:
                return std::min(d, at_least_one(fraction * static_cast<double>(d)));
            case rule::count:
                if (count > d) {
                    throw invalid_input_error(
                        std::string(model) + ".max_features is " + std::to_string(count) +
                            " but the data has " + std::to_string(d) + " features",
                        "use a count <= the number of features, or a fraction", "max_features");
                }
                return count;
        }
        return d;
    }
};

namespace detail {

/// The growth hyperparameters every tree model's params struct `P` has (criterion, depth, leaf and
/// split sizes, max_features, class weights, seed), for its fields().
template <class P>
[[nodiscard]] constexpr auto tree_growth_fields() {
    return std::tuple{hyperparameter("criterion", &P::criterion, split_criterion_names),
                      hyperparameter("max_depth", &P::max_depth),
                      hyperparameter("min_samples_split", &P::min_samples_split),
                      hyperparameter("min_samples_leaf", &P::min_samples_leaf),
                      hyperparameter("max_features", &P::max_features),
                      hyperparameter("class_weight", &P::class_weight, class_weighting_names),
                      hyperparameter("class_weights", &P::class_weights),
                      hyperparameter("seed", &P::seed)};
}

/// Checks the growth hyperparameters every tree model shares; errors name the parameter.
inline void check_tree_params(std::string_view model, std::int64_t max_depth,
                              std::int64_t min_samples_split, std::int64_t min_samples_leaf,
                              const max_features_option& max_features,
                              std::span<const double> class_weights) {
    const auto bad = [&](const std::string& what, const std::string& fix, const std::string& name) {
        return invalid_input_error(std::string(model) + ": " + what, fix, name);
    };
    if (max_depth < 0) {
        throw bad("max_depth is " + std::to_string(max_depth) + "; it must be >= 0",
                  "use 0 for unlimited depth, or a positive limit", "max_depth");
    }
    if (min_samples_split < 2) {
        throw bad("min_samples_split is " + std::to_string(min_samples_split) +
                      "; a split needs at least 2 rows",
                  "use e.g. 2", "min_samples_split");
    }
    if (min_samples_leaf < 1) {
        throw bad("min_samples_leaf is " + std::to_string(min_samples_leaf) +
                      "; a leaf holds at least 1 row",
                  "use e.g. 1", "min_samples_leaf");
    }
    max_features.check(model);
    for (double w : class_weights) {
        if (!(w >= 0.0) || !std::isfinite(w)) {
            throw bad("class_weights must be finite and >= 0", "fix the weights", "class_weights");
        }
    }
}

/// Every feature as dense ranks of its distinct values (rank r is the r-th smallest distinct
/// value), column by column, with the distinct values themselves.
template <class Scalar>
struct ranked_features {
    std::vector<std::uint32_t> ranks;         ///< d columns of n ranks: ranks[f * n + i]
    std::vector<std::vector<Scalar>> values;  ///< distinct values of each feature, ascending
    std::size_t n = 0;                        ///< rows
    std::size_t d = 0;                        ///< features

    [[nodiscard]] const std::uint32_t* column(std::size_t f) const noexcept {
        return ranks.data() + f * n;
    }
};

/// Ranks every feature of x (one sort per feature, features spread over `pool`).
/// Complexity: O(d n log n).
template <class Scalar>
[[nodiscard]] ranked_features<Scalar> rank_features(const feature_matrix<Scalar>& x,
                                                    thread_pool& pool) {
    ranked_features<Scalar> out;
    out.n = static_cast<std::size_t>(x.rows());
    out.d = static_cast<std::size_t>(x.cols());
    out.ranks.resize(out.n * out.d);
    out.values.resize(out.d);
    pool.parallel_for(out.d, [&](std::size_t f) {
        std::vector<std::pair<Scalar, std::uint32_t>> order(out.n);
        for (std::size_t i = 0; i < out.n; ++i) {
            order[i] = {x(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(f)),
                        static_cast<std::uint32_t>(i)};
        }
        std::sort(order.begin(), order.end(),
                  [](const auto& a, const auto& b) { return a.first < b.first; });
        auto& values = out.values[f];
        std::uint32_t* column = out.ranks.data() + f * out.n;
        for (std::size_t i = 0; i < out.n; ++i) {
            if (values.empty() || values.back() < order[i].first) values.push_back(order[i].first);
            column[order[i].second] = static_cast<std::uint32_t>(values.size() - 1);
        }
        values.shrink_to_fit();
    });
    return out;
}

/// Growth settings of one tree.
struct tree_settings {
    split_criterion criterion = split_criterion::gini;
    std::int64_t max_depth = 0;  ///< 0: unlimited
    std::int64_t min_samples_split = 2;
    std::int64_t min_samples_leaf = 1;
    std::int64_t max_features = 1;  ///< resolved count
};

/// A node of a grown tree: a split "rank <= low_rank goes left" (between the distinct values of
/// rank low_rank and high_rank), or a leaf (feature < 0, child = leaf index).
struct grown_node {
    std::int32_t feature = -1;
    std::uint32_t low_rank = 0;
    std::uint32_t high_rank = 0;
    std::int32_t child = 0;  ///< left child; the right one is child + 1
};

/// A grown tree before it is packed: nodes (children after their parent, siblings adjacent),
/// weighted class totals of each leaf, and the weighted impurity decrease of each feature.
struct grown_tree {
    std::vector<grown_node> nodes;
    std::vector<double> leaf_totals;  ///< n_leaves x n_classes
    std::vector<double> importances;  ///< d (not normalised)
    std::int64_t depth = 0;
};

/// Grows CART trees on one ranked data set. Holds the per-node buffers, allocated once.
/// Thread safety: one grower per thread.
template <class Scalar>
class tree_grower {
  public:
    tree_grower(const ranked_features<Scalar>& data, const class_index_vector& y,
                std::size_t n_classes, const tree_settings& settings)
        : data_(data), y_(y), k_(n_classes), settings_(settings) {
        samples_.reserve(data.n);
        keys_.resize(data.n);
        scratch_.resize(data.n);
        local_y_.resize(data.n);
        local_w_.resize(data.n);
        features_.resize(data.d);
        total_.resize(k_);
        left_.resize(k_);
        right_.resize(k_);
    }

    /// Grows one tree on the rows of positive weight. @param weight one weight per row
    [[nodiscard]] grown_tree grow(std::span<const double> weight, random_engine& rng) {
        grown_tree tree;
        tree.importances.assign(data_.d, 0.0);
        samples_.clear();
        for (std::size_t i = 0; i < data_.n; ++i)
            if (weight[i] > 0.0) samples_.push_back(static_cast<std::uint32_t>(i));
        for (std::size_t f = 0; f < data_.d; ++f)
            features_[f] = static_cast<std::uint32_t>(f);
        struct pending {
            std::uint32_t start, end;
            std::int32_t node;
            std::int32_t depth;
            std::int32_t parent_feature;
        };
        std::vector<pending> stack;
        stack.push_back({0, static_cast<std::uint32_t>(samples_.size()), 0, 0, -1});
        tree.nodes.emplace_back();
        while (!stack.empty()) {
            const pending p = stack.back();
            stack.pop_back();
            const std::uint32_t count = p.end - p.start;
            std::fill(total_.begin(), total_.end(), 0.0);
            for (std::uint32_t j = 0; j < count; ++j) {
                const std::uint32_t s = samples_[p.start + j];
                const auto c = static_cast<std::uint32_t>(y_[static_cast<Eigen::Index>(s)]);
                local_y_[j] = c;
                local_w_[j] = weight[s];
                total_[c] += weight[s];
            }
            double w = 0.0;
            std::size_t present = 0;
            for (double t : total_) {
                w += t;
                present += t > 0.0 ? 1 : 0;
            }
            const double impurity = weighted_impurity(total_, w);
            if (p.parent_feature >= 0)
                tree.importances[static_cast<std::size_t>(p.parent_feature)] -= impurity;
            tree.depth = std::max<std::int64_t>(tree.depth, p.depth);
            bool leaf = present <= 1 || count < settings_.min_samples_split ||
                        count < 2 * settings_.min_samples_leaf ||
                        (settings_.max_depth > 0 && p.depth >= settings_.max_depth);
            split best;
            if (!leaf) {
                best = best_split(p.start, count, w, rng);
                leaf = !best.found;
            }
            if (leaf) {
                tree.nodes[static_cast<std::size_t>(p.node)] = {
                    -1, 0, 0, static_cast<std::int32_t>(tree.leaf_totals.size() / k_)};
                tree.leaf_totals.insert(tree.leaf_totals.end(), total_.begin(), total_.end());
                continue;
            }
            // Partition the node's rows: rank <= low_rank to the left.
            const std::uint32_t* column = data_.column(static_cast<std::size_t>(best.feature));
            std::uint32_t i = p.start;
            std::uint32_t end = p.end;
            while (i < end) {
                if (column[samples_[i]] <= best.low_rank) {
                    ++i;
                } else {
                    std::swap(samples_[i], samples_[--end]);
                }
            }
            if (tree.nodes.size() >
                static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max()) - 2) {
                throw invalid_input_error("a tree has more than 2^31 nodes",
                                          "limit max_depth or raise min_samples_leaf");
            }
            const auto child = static_cast<std::int32_t>(tree.nodes.size());
            tree.nodes.resize(tree.nodes.size() + 2);
            tree.nodes[static_cast<std::size_t>(p.node)] = {best.feature, best.low_rank,
                                                            best.high_rank, child};
            tree.importances[static_cast<std::size_t>(best.feature)] += impurity;
            stack.push_back({i, p.end, child + 1, p.depth + 1, best.feature});
            stack.push_back({p.start, i, child, p.depth + 1, best.feature});
        }
        return tree;
    }

  private:
    struct split {
        bool found = false;
        std::int32_t feature = -1;
        std::uint32_t low_rank = 0;
        std::uint32_t high_rank = 0;
        double proxy = -std::numeric_limits<double>::infinity();
    };

    static double xlogx(double v) noexcept { return v > 0.0 ? v * std::log(v) : 0.0; }

    /// Node weight times its impurity (gini: W - sum c^2 / W; entropy: W log W - sum c log c).
    [[nodiscard]] double weighted_impurity(const std::vector<double>& totals,
                                           double w) const noexcept {
        if (!(w > 0.0)) return 0.0;
        double s = 0.0;
        if (settings_.criterion == split_criterion::gini) {
            for (double c : totals)
                s += c * c;
            return w - s / w;
        }
        for (double c : totals)
            s += xlogx(c);
        return xlogx(w) - s;
    }

    /// Sorts keys_[0, count) ascending; returns where the sorted keys are (keys_ or scratch_).
    std::uint64_t* sort_keys(std::uint32_t count, std::uint32_t low, std::uint32_t high) {
        std::uint64_t* a = keys_.data();
        if (count < 512) {
            std::sort(a, a + count);
            return a;
        }
        // LSD radix sort on (rank - low): keys are unique (their low half is the position) and the
        // input is in position order, so the stable passes give std::sort's order.
        const auto bits = static_cast<int>(std::bit_width(high - low));
        const int passes = (bits + 10) / 11;
        const int digit = (bits + passes - 1) / passes;
        const std::uint32_t buckets = 1u << digit;
        const std::uint32_t mask = buckets - 1;
        std::uint64_t* b = scratch_.data();
        for (int pass = 0; pass < passes; ++pass) {
            const int shift = pass * digit;
            std::fill(histogram_.begin(), histogram_.begin() + buckets, 0u);
            for (std::uint32_t j = 0; j < count; ++j)
                ++histogram_[((static_cast<std::uint32_t>(a[j] >> 32) - low) >> shift) & mask];
            std::uint32_t sum = 0;
            for (std::uint32_t h = 0; h < buckets; ++h)
                sum += std::exchange(histogram_[h], sum);
            for (std::uint32_t j = 0; j < count; ++j) {
                const std::uint64_t key = a[j];
                b[histogram_[((static_cast<std::uint32_t>(key >> 32) - low) >> shift) & mask]++] =
                    key;
            }
            std::swap(a, b);
        }
        return a;
    }

    /// The best split of the node's rows [start, start + count), or found = false.
    split best_split(std::uint32_t start, std::uint32_t count, double w, random_engine& rng) {
        split best;
        const std::size_t d = data_.d;
        const auto min_leaf = static_cast<std::uint32_t>(std::min<std::int64_t>(
            settings_.min_samples_leaf, std::numeric_limits<std::uint32_t>::max()));
        const bool gini = settings_.criterion == split_criterion::gini;
        double all_sq = 0.0;
        double all_xlogx = 0.0;
        for (double t : total_) {
            all_sq += t * t;
            all_xlogx += xlogx(t);
        }
        std::int64_t visited = 0;
        for (std::size_t i = 0; i < d && visited < settings_.max_features; ++i) {
            const auto pick = i + static_cast<std::size_t>(uniform_index(rng, d - i));
            std::swap(features_[i], features_[pick]);
            const std::uint32_t f = features_[i];
            const std::uint32_t* column = data_.column(f);
            std::uint32_t low = std::numeric_limits<std::uint32_t>::max();
            std::uint32_t high = 0;
            for (std::uint32_t j = 0; j < count; ++j) {
                const std::uint32_t r = column[samples_[start + j]];
                low = std::min(low, r);
                high = std::max(high, r);
                keys_[j] = (std::uint64_t{r} << 32) | j;
            }
            if (low == high) continue;  // constant in this node: does not count as visited
            ++visited;
            const std::uint64_t* keys = sort_keys(count, low, high);
            std::fill(left_.begin(), left_.end(), 0.0);
            std::copy(total_.begin(), total_.end(), right_.begin());
            double wl = 0.0;
            double wr = w;
            double sl = 0.0;  // gini: sum of squared class totals; entropy: sum of c log c
            double sr = gini ? all_sq : all_xlogx;
            for (std::uint32_t q = 0; q + 1 < count; ++q) {
                const std::uint64_t key = keys[q];
                const auto j = static_cast<std::uint32_t>(key);
                const std::uint32_t c = local_y_[j];
                const double wt = local_w_[j];
                if (gini) {
                    sl += wt * (2.0 * left_[c] + wt);
                    sr += wt * (wt - 2.0 * right_[c]);
                    left_[c] += wt;
                    right_[c] -= wt;
                } else {
                    sl += xlogx(left_[c] + wt) - xlogx(left_[c]);
                    sr += xlogx(right_[c] - wt) - xlogx(right_[c]);
                    left_[c] += wt;
                    right_[c] -= wt;
                }
                wl += wt;
                wr -= wt;
                const auto rank = static_cast<std::uint32_t>(key >> 32);
                const auto next = static_cast<std::uint32_t>(keys[q + 1] >> 32);
                if (rank == next) continue;
                const std::uint32_t n_left = q + 1;
                if (n_left < min_leaf || count - n_left < min_leaf) continue;
                const double proxy = gini ? sl / wl + sr / wr : sl - xlogx(wl) + sr - xlogx(wr);
                if (proxy > best.proxy) {
                    best = {true, static_cast<std::int32_t>(f), rank, next, proxy};
                }
            }
        }
        return best;
    }

    const ranked_features<Scalar>& data_;
    const class_index_vector& y_;
    std::size_t k_;
    tree_settings settings_;
    std::vector<std::uint32_t> samples_;
    std::vector<std::uint64_t> keys_;
    std::vector<std::uint64_t> scratch_;
    std::vector<std::uint32_t> local_y_;
    std::vector<double> local_w_;
    std::vector<std::uint32_t> features_;
    std::vector<double> total_;
    std::vector<double> left_;
    std::vector<double> right_;
    std::array<std::uint32_t, 2048> histogram_{};
};

}  // namespace detail

}  // namespace mlpipe
