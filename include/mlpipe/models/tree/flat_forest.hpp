// SPDX-License-Identifier: Apache-2.0
/// @file models/tree/flat_forest.hpp The packed layout trees predict from (every node of every
/// tree in one array, leaf probabilities in one table) and the fit driver the tree models share.
#pragma once

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <Eigen/Core>

#include "../../config.hpp"
#include "../../data/dataset.hpp"
#include "../../detail/random.hpp"
#include "../../detail/thread_pool.hpp"
#include "../../error.hpp"
#include "../classifier.hpp"
#include "../hyperparameters.hpp"
#include "tree_builder.hpp"

namespace mlpipe::detail {

/// v, hidden from the optimiser: a comparison's 0/1 passed through it is used as a number, so the
/// compiler cannot turn the code that uses it into a branch on the comparison (which g++ does for
/// float, and which mispredicts on every other node of a tree walk).
template <class T>
[[nodiscard]] inline T opaque(T v) noexcept {
#if defined(__GNUC__)
    __asm__("" : "+r"(v));
#endif
    return v;
}

/// Trees packed for prediction, in the layout their artifact stores: every node of every tree in
/// one array of records {threshold, feature, child} (children after their parent, siblings
/// adjacent, each tree's nodes contiguous from its root) and a table of leaf probabilities
/// (n_classes per row). A node is a split "x[feature] <= threshold goes to child, else to
/// child + 1", or a leaf (feature -1) whose probabilities are row `child` of the table. The first
/// n_classes rows are the pure leaves (one-hot), which all pure leaves share. Predictions average
/// the trees' leaf rows in tree order. A node visit reads one record: one cache line.
///
/// A fitted forest owns its arrays; a restored one may instead view an artifact's tensors in place
/// (a mapped file), holding what keeps them alive, so loading copies nothing. Copies share the
/// arrays (they are immutable once built).
/// Thread safety: const members may be called concurrently.
template <class Scalar>
class flat_forest {
  public:
    /// One node. The artifact stores these records as they are in memory on a little-endian
    /// machine: threshold, feature, child, no padding (16 bytes for double, 12 for float).
    struct node {
        Scalar threshold;      ///< a split goes left when x[feature] <= threshold; 0 for a leaf
        std::int32_t feature;  ///< the split feature, or -1 for a leaf
        std::int32_t child;    ///< a split's left child (the right one follows), or a leaf's row
    };
    static_assert(sizeof(node) == sizeof(Scalar) + 8 && std::is_standard_layout_v<node>);

    flat_forest() = default;

    /// An empty forest for k classes and d features.
    flat_forest(std::size_t k, Eigen::Index d) : owned_(std::make_shared<storage>()), k_(k), d_(d) {
        owned_->leaf_values.assign(k * k, Scalar(0));
        for (std::size_t c = 0; c < k; ++c)
            owned_->leaf_values[c * k + c] = Scalar(1);
        view_owned();
    }

    /// Packs a grown tree: ranks become thresholds halfway between the surrounding values (as
    /// scikit-learn places them), leaf totals become probabilities.
    void append(const grown_tree& tree, const ranked_features<Scalar>& data) {
        if (owned_ == nullptr || owned_.use_count() > 1) owned_ = std::make_shared<storage>(copy());
        storage& s = *owned_;
        const std::size_t base = s.nodes.size();
        if (base + tree.nodes.size() >
            static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max())) {
            throw invalid_input_error("the forest has more than 2^31 nodes",
                                      "use fewer or shallower trees");
        }
        s.roots.push_back(static_cast<std::int32_t>(base));
        std::vector<std::int32_t> leaf_row(tree.leaf_totals.size() / k_);
        for (std::size_t l = 0; l < leaf_row.size(); ++l) {
            const double* totals = tree.leaf_totals.data() + l * k_;
            double sum = 0.0;
            std::size_t present = 0;
            std::size_t last = 0;
            for (std::size_t c = 0; c < k_; ++c) {
                sum += totals[c];
                if (totals[c] > 0.0) {
                    ++present;
                    last = c;
                }
            }
            if (present == 1) {
                leaf_row[l] = static_cast<std::int32_t>(last);
                continue;
            }
            leaf_row[l] = static_cast<std::int32_t>(s.leaf_values.size() / k_);
            for (std::size_t c = 0; c < k_; ++c)
                s.leaf_values.push_back(static_cast<Scalar>(totals[c] / sum));
        }
        for (const grown_node& g : tree.nodes) {
            if (g.feature < 0) {
                s.nodes.push_back({Scalar(0), -1, leaf_row[static_cast<std::size_t>(g.child)]});
            } else {
                const auto& values = data.values[static_cast<std::size_t>(g.feature)];
                const Scalar low = values[g.low_rank];
                const Scalar high = values[g.high_rank];
                Scalar t = low / Scalar(2) + high / Scalar(2);
                if (t == high || !std::isfinite(t)) t = low;
                s.nodes.push_back({t, g.feature, g.child + static_cast<std::int32_t>(base)});
            }
        }
        view_owned();
    }

    /// A forest from its saved parts (see the accessors below), checked so that every traversal
    /// ends inside the arrays: children lie after their parent and inside its tree. With a
    /// `keep_alive` handle the forest views the given arrays in place and holds the handle (which
    /// must keep them alive and unchanged); without one it copies them.
    /// @throws format_error when the parts disagree
    [[nodiscard]] static flat_forest restore(std::span<const node> nodes,
                                             std::span<const std::int32_t> roots,
                                             std::span<const Scalar> leaf_values, std::size_t k,
                                             Eigen::Index d, std::string_view kind,
                                             std::shared_ptr<const void> keep_alive = {}) {
        const std::size_t n = nodes.size();
        check_restore(k >= 2 && !roots.empty() && roots[0] == 0 && leaf_values.size() % k == 0 &&
                          n < static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max()),
                      kind, "node array, tree roots and leaf table");
        const std::size_t rows = leaf_values.size() / k;
        check_restore(rows >= k, kind, "leaf table without its one-hot rows");
        // The checks run per value: the message is only built on failure.
        for (std::size_t i = 0; i < k * k; ++i) {
            if (leaf_values[i] != Scalar(i % (k + 1) == 0 ? 1 : 0))
                check_restore(false, kind, "the first leaf rows are not the one-hot rows");
        }
        for (Scalar v : leaf_values) {
            if (!(std::isfinite(v) && v >= Scalar(0)))
                check_restore(false, kind, "a leaf value is not a probability");
        }
        for (std::size_t t = 0; t < roots.size(); ++t) {
            const auto begin = static_cast<std::size_t>(roots[t]);
            const std::size_t end =
                t + 1 < roots.size() ? static_cast<std::size_t>(roots[t + 1]) : n;
            check_restore(roots[t] >= 0 && begin < end && end <= n, kind,
                          "tree roots are not increasing inside the node array");
            for (std::size_t i = begin; i < end; ++i) {
                const node& v = nodes[i];
                const auto left = static_cast<std::size_t>(v.child);
                const bool good = v.feature < 0
                                      ? v.feature == -1 && v.child >= 0 && left < rows
                                      : static_cast<Eigen::Index>(v.feature) < d && v.child >= 0 &&
                                            left > i && left + 1 < end && !std::isnan(v.threshold);
                if (!good) {
                    check_restore(false, kind,
                                  "node " + std::to_string(i) +
                                      ": a feature, child, leaf row or threshold out of range");
                }
            }
        }
        flat_forest out;
        out.k_ = k;
        out.d_ = d;
        out.nodes_ = nodes;
        out.roots_ = roots;
        out.leaf_values_ = leaf_values;
        if (keep_alive != nullptr) {
            out.keep_alive_ = std::move(keep_alive);
        } else {
            out.owned_ = std::make_shared<storage>(out.copy());
            out.view_owned();
        }
        return out;
    }

    /// Mean of the trees' leaf probabilities for one row of n_features values, into out (k).
    /// Trees are walked in groups whose loads overlap; sums run in tree order. No allocation.
    void proba_row(const Scalar* x, Scalar* out) const noexcept {
        constexpr std::size_t group = 16;
        const std::size_t trees = roots_.size();
        const node* nodes = nodes_.data();
        std::fill(out, out + k_, Scalar(0));
        std::int32_t at[group];
        for (std::size_t t0 = 0; t0 < trees; t0 += group) {
            const std::size_t g = std::min(group, trees - t0);
            for (std::size_t i = 0; i < g; ++i)
                at[i] = roots_[t0 + i];
            for (bool moving = true; moving;) {
                moving = false;
                for (std::size_t i = 0; i < g; ++i) {
                    const node& v = nodes[at[i]];
                    if (v.feature >= 0) {
                        at[i] = v.child + (x[v.feature] > v.threshold ? 1 : 0);
                        moving = true;
                    }
                }
            }
            for (std::size_t i = 0; i < g; ++i)
                add_leaf(nodes[at[i]], out);
        }
        if (trees > 1) {
            for (std::size_t c = 0; c < k_; ++c)
                out[c] /= static_cast<Scalar>(trees);
        }
    }

    /// proba_row for `rows` rows at once (row i at x + i * stride, its probabilities at
    /// out + i * k), bit-identical to it: the trees are taken one after the other, each for all
    /// the rows while its nodes are in cache, so each row still sums its trees in tree order.
    ///
    /// A tree is evaluated one of two ways, chosen per call from how the rows flow through the
    /// first tree:
    /// - partitioned: the rows enter the root together and every split node divides its rows
    ///   (indices) between its two children, reading the split feature from a column copy of the
    ///   block; a leaf adds its row to all of its rows' sums. Cheap where many rows meet at a node
    ///   (forests whose rows follow a few long paths, as on make_hastie_10_2);
    /// - walked: 16 rows walk the tree at once with overlapping loads (see walk_trees). Cheaper
    ///   where the rows scatter over many small leaves.
    /// In batches of at least 256 rows through forests of at least 8 trees, the first tree is
    /// walked and measured; when its split nodes met at least 32 rows each on average, the other
    /// trees are partitioned. Smaller batches and forests are walked (a single tree partitioned
    /// costs several times its walk: docs/benchmarks.md). Both give the same bits; only the time
    /// differs.
    ///
    /// A forest whose leaves are all pure (every leaf one of the one-hot rows, as when trees grow
    /// until their leaves are pure) counts each row's votes in 16 bits instead of summing
    /// probabilities: a sum of ones is exact in any order, so the result is the same, and the
    /// counts take a quarter of the memory. Allocates the counts (rows * k * 2 bytes) and, when
    /// partitioning, the column copy and index arrays (about rows * (n_features * sizeof(Scalar) +
    /// 8) bytes).
    void proba_rows(const Scalar* x, std::size_t stride, std::size_t rows, Scalar* out) const {
        const std::size_t trees = roots_.size();
        const auto scale = [&](auto count) {
            const auto sum = static_cast<Scalar>(count);
            return trees > 1 ? sum / static_cast<Scalar>(trees) : sum;
        };
        if (leaf_values_.size() == k_ * k_ && trees <= std::numeric_limits<std::uint16_t>::max()) {
            std::vector<std::uint16_t> votes(rows * k_, 0);
            sum_trees(x, stride, rows, votes.data());
            std::transform(votes.begin(), votes.end(), out, scale);
        } else {
            std::fill(out, out + rows * k_, Scalar(0));
            sum_trees(x, stride, rows, out);
            std::transform(out, out + rows * k_, out, scale);
        }
    }

    /// The leaf row (k probabilities) tree `t` gives x.
    [[nodiscard]] const Scalar* leaf_of(std::size_t t, const Scalar* x) const noexcept {
        const node& leaf = leaf_below(&nodes_[static_cast<std::size_t>(roots_[t])], x);
        return leaf_values_.data() + static_cast<std::size_t>(leaf.child) * k_;
    }

    /// Depth of tree t (a lone leaf has depth 0).
    [[nodiscard]] std::int64_t depth(std::size_t t) const {
        std::vector<std::pair<std::size_t, std::int64_t>> stack{
            {static_cast<std::size_t>(roots_[t]), 0}};
        std::int64_t deepest = 0;
        while (!stack.empty()) {
            const auto [i, level] = stack.back();
            stack.pop_back();
            deepest = std::max(deepest, level);
            if (nodes_[i].feature >= 0) {
                const auto c = static_cast<std::size_t>(nodes_[i].child);
                stack.push_back({c, level + 1});
                stack.push_back({c + 1, level + 1});
            }
        }
        return deepest;
    }

    /// Nodes of tree t.
    [[nodiscard]] std::size_t node_count(std::size_t t) const noexcept {
        const std::size_t end =
            t + 1 < roots_.size() ? static_cast<std::size_t>(roots_[t + 1]) : nodes_.size();
        return end - static_cast<std::size_t>(roots_[t]);
    }

    /// Leaves of tree t.
    [[nodiscard]] std::size_t leaf_count(std::size_t t) const noexcept {
        return (node_count(t) + 1) / 2;
    }

    [[nodiscard]] std::size_t n_trees() const noexcept { return roots_.size(); }
    [[nodiscard]] std::size_t n_classes() const noexcept { return k_; }
    [[nodiscard]] Eigen::Index n_features() const noexcept { return d_; }
    /// Every node of every tree.
    [[nodiscard]] std::span<const node> nodes() const noexcept { return nodes_; }
    /// Each tree's first node.
    [[nodiscard]] std::span<const std::int32_t> roots() const noexcept { return roots_; }
    /// The leaf table, n_rows x n_classes, row-major.
    [[nodiscard]] std::span<const Scalar> leaf_values() const noexcept { return leaf_values_; }

  private:
    /// Asks for a tree's nodes, a few cache lines at a time, in the middle-level cache (hints; no
    /// effect on compilers without them): while one tree is evaluated, the next one is fetched, so
    /// it does not start from cold memory (a 100-tree forest of 51 MB does not fit in cache).
    class tree_prefetch {
      public:
        static constexpr std::size_t line = 64;

        /// Tree t's nodes; nothing when t is past the last tree.
        tree_prefetch(const flat_forest& f, std::size_t t) noexcept {
            if (t >= f.roots_.size()) return;
            const node* nodes = f.nodes_.data();
            next_ = static_cast<const char*>(static_cast<const void*>(nodes + f.roots_[t]));
            end_ = next_ + f.node_count(t) * sizeof(node);
        }

        /// Cache lines still to ask for.
        [[nodiscard]] std::size_t lines() const noexcept {
            return (static_cast<std::size_t>(end_ - next_) + line - 1) / line;
        }

        /// Asks for the next `count` lines.
        void fetch(std::size_t count) noexcept {
            for (; count > 0 && next_ < end_; --count, next_ += line) {
#if defined(__GNUC__)
                __builtin_prefetch(next_, 0, 2);
#endif
            }
        }

      private:
        const char* next_ = nullptr;
        const char* end_ = nullptr;
    };

    /// Adds the leaf row of `leaf` to one row's k sums. A one-hot row adds 1 to its class (adding
    /// the zeros would change nothing: the sums are never -0).
    void add_leaf(const node& leaf, Scalar* sum) const noexcept {
        const auto row = static_cast<std::size_t>(leaf.child);
        if (row < k_) {
            sum[row] += Scalar(1);
            return;
        }
        const Scalar* v = leaf_values_.data() + row * k_;
        for (std::size_t c = 0; c < k_; ++c)
            sum[c] += v[c];
    }

    /// Counts the vote of `leaf`, a pure leaf, in one row's k counts.
    static void add_leaf(const node& leaf, std::uint16_t* votes) noexcept {
        ++votes[static_cast<std::size_t>(leaf.child)];
    }

    /// Adds the leaf row of `leaf` to sums + i * k for every row index i in [first, last).
    template <class Sum>
    void add_leaf(const node& leaf, const std::uint32_t* first, const std::uint32_t* last,
                  Sum* sums) const noexcept {
        for (; first != last; ++first)
            add_leaf(leaf, sums + static_cast<std::size_t>(*first) * k_);
    }

    /// Adds every tree's leaf rows to sums (rows * k, probabilities or votes) for every row, the
    /// trees in order, each tree walked or partitioned as proba_rows describes.
    template <class Sum>
    void sum_trees(const Scalar* x, std::size_t stride, std::size_t rows, Sum* sums) const {
        constexpr std::size_t min_rows = 256;  // fewer rows or trees: walk every tree
        constexpr std::size_t min_trees = 8;
        constexpr std::size_t min_rows_per_split = 32;
        const std::size_t trees = roots_.size();
        std::size_t done = 0;
        if (rows >= min_rows && rows <= std::numeric_limits<std::uint32_t>::max() &&
            trees >= min_trees) {
            const flow first = walk_trees<true>(0, 1, x, stride, rows, sums);
            done = 1;
            if (first.splits * min_rows_per_split <= first.row_steps) {
                partition_workspace w(*this, x, stride, rows);
                for (; done < trees; ++done)
                    partition_tree(done, w, sums);
            }
        }
        (void)walk_trees<false>(done, trees, x, stride, rows, sums);
    }

    /// What partition_tree works in: the block's features by column, two arrays of row indices
    /// (a node reads its rows from one and writes its children's to the other) and the stack of
    /// segments still to divide.
    struct partition_workspace {
        struct segment {
            std::int32_t node;    // a split node
            std::uint32_t begin;  // its rows: order[side][begin, end)
            std::uint32_t end;
            std::uint32_t side;
        };
        partition_workspace(const flat_forest& f, const Scalar* x, std::size_t stride,
                            std::size_t rows)
            : n(rows), columns(static_cast<std::size_t>(f.d_) * rows) {
            const auto d = static_cast<std::size_t>(f.d_);
            for (std::size_t i = 0; i < rows; ++i) {
                for (std::size_t j = 0; j < d; ++j)
                    columns[j * rows + i] = x[i * stride + j];
            }
            order[0].resize(rows);
            order[1].resize(rows);
            // Each pending segment is a distinct split node of one tree.
            std::size_t most = 0;
            for (std::size_t t = 0; t < f.roots_.size(); ++t)
                most = std::max(most, f.node_count(t));
            pending.reserve(most / 2 + 1);
        }
        std::size_t n;
        std::vector<Scalar> columns;
        std::vector<std::uint32_t> order[2];
        std::vector<segment> pending;
    };

    /// Adds tree t's leaf rows to sums for every row of w's block (see proba_rows). Segments of
    /// one or two rows walk down instead.
    template <class Sum>
    void partition_tree(std::size_t t, partition_workspace& w, Sum* sums) const noexcept {
        constexpr std::uint32_t walk_at_most = 2;
        static_assert(walk_at_most >= 1, "a divided segment must have a first row");
        const node* nodes = nodes_.data();
        const auto n = static_cast<std::uint32_t>(w.n);
        for (std::uint32_t i = 0; i < n; ++i)
            w.order[0][i] = i;
        // Two lines of the next tree per divided node: rows are divided at a quarter or more of a
        // tree's nodes, so the next tree is asked for before this one ends.
        tree_prefetch next_tree(*this, t + 1);
        // Sends rows [begin, end) of order[side] (perhaps none) to node `at`: a leaf takes them at
        // once. Inlined, so that g++ does not make it a call.
        const auto send = [&](std::int32_t at, std::uint32_t begin, std::uint32_t end,
                              std::uint32_t side) MLPIPE_ALWAYS_INLINE {
            const node& v = nodes[at];
            const std::uint32_t* list = w.order[side].data();
            if (v.feature < 0) {
                add_leaf(v, list + begin, list + end, sums);
            } else if (end - begin <= walk_at_most) {
                // Read from the columns, where the rows' values are in cache.
                for (std::uint32_t i = begin; i < end; ++i)
                    add_leaf(leaf_below(&v, w.columns.data() + list[i], w.n),
                             sums + static_cast<std::size_t>(list[i]) * k_);
            } else {
                w.pending.push_back({at, begin, end, side});
            }
        };
        send(roots_[t], 0, n, 0);
        while (!w.pending.empty()) {
            const auto s = w.pending.back();
            w.pending.pop_back();
            const node& v = nodes[s.node];
            next_tree.fetch(2);
            const Scalar* column = w.columns.data() + static_cast<std::size_t>(v.feature) * w.n;
            const Scalar threshold = v.threshold;
            // The rows going left fill the other order array upwards from begin, those going
            // right downwards from end - 1. Each row is written to both of its places, and the
            // next row overwrites the wrong one. One count gives both places: when r rows before
            // the i-th went right, its left place is begin + i - r and its right place
            // end - 1 - r. The loop is a load, a compare and two stores a row (8 instructions with
            // g++; keeping two cursors took 17, and the whole call 12% longer on make_hastie_10_2).
            // *in: the next row's index; left_place[-r] and right_place[-r]: its two places.
            const std::uint32_t* in = w.order[s.side].data() + s.begin;
            const std::uint32_t* const in_end = in + (s.end - s.begin);
            std::uint32_t* left_place = w.order[s.side ^ 1U].data() + s.begin;
            std::uint32_t* const right_place = left_place + (s.end - s.begin - 1);
            std::ptrdiff_t minus_r = 0;
            const auto divide = [&](std::uint32_t index, std::ptrdiff_t offset) {
                left_place[offset + minus_r] = index;
                right_place[minus_r] = index;
                minus_r -= opaque<std::ptrdiff_t>(column[index] > threshold);
            };
            {
                // Two rows a round (independent stores overlap). An odd count divides its
                // first row here; an even one writes it to places the loop writes again, and
                // counts nothing (no branch to mispredict).
                const std::ptrdiff_t odd = (in_end - in) & 1;
                left_place[minus_r] = in[0];
                right_place[minus_r] = in[0];
                minus_r -= opaque<std::ptrdiff_t>(column[in[0]] > threshold) & odd;
                in += odd;
                left_place += odd;
            }
            for (; in < in_end; in += 2, left_place += 2) {
                divide(in[0], 0);
                divide(in[1], 1);
            }
            const auto left =
                static_cast<std::uint32_t>(static_cast<std::ptrdiff_t>(s.end) + minus_r);
            send(v.child + 1, left, s.end, s.side ^ 1U);
            send(v.child, s.begin, left, s.side ^ 1U);
        }
    }

    /// How rows flowed through a tree: the split nodes they met, and the rows those nodes met
    /// in all (the rows' steps).
    struct flow {
        std::size_t splits = 0;
        std::size_t row_steps = 0;
    };

    /// Adds trees [first, last)'s leaf rows to sums for every row (see proba_rows): a tree walks
    /// 16 rows at a time whose loads overlap (docs/benchmarks.md: why 16); a row
    /// that reaches its leaf hands its lane to the next row at once, so the lanes stay busy
    /// whatever the leaves' depths. Meanwhile the next tree's nodes are prefetched a few lines per
    /// finished row, so it does not start from cold memory (a 100-tree forest of 51 MB does not fit
    /// in cache). With `measure`, also returns the rows' flow through the trees (otherwise an empty
    /// one).
    template <bool measure, class Sum>
    flow walk_trees(std::size_t first, std::size_t last, const Scalar* x, std::size_t stride,
                    std::size_t rows, Sum* sums) const {
        constexpr std::size_t lanes = 16;
        static constexpr node parked{Scalar(0), -1, 0};  // where an idle lane waits
        const node* nodes = nodes_.data();
        flow seen_flow;
        std::vector<std::uint8_t> met;  // with `measure`: 1 for each split node met
        if (rows == 0) return seen_flow;
        for (std::size_t t = first; t < last; ++t) {
            tree_prefetch next_tree(*this, t + 1);
            const std::size_t ahead = (next_tree.lines() + rows - 1) / rows;  // lines per row
            const node* root = nodes + roots_[t];
            if constexpr (measure) met.assign(node_count(t), 0);
            const node* at[lanes];
            const Scalar* row[lanes];
            Sum* sum[lanes];  // the row's sums; null for an idle lane
            std::size_t taken = 0;
            std::size_t busy = 0;
            for (std::size_t i = 0; i < lanes; ++i) {
                at[i] = taken < rows ? root : &parked;
                row[i] = x + (taken < rows ? taken : 0) * stride;
                sum[i] = taken < rows ? sums + taken * k_ : nullptr;
                if (taken < rows) {
                    ++taken;
                    ++busy;
                }
            }
            while (busy > 0) {
                for (std::size_t i = 0; i < lanes; ++i) {
                    const node* v = at[i];
                    if (v->feature >= 0) [[likely]] {
                        if constexpr (measure) {
                            met[static_cast<std::size_t>(v - root)] = 1;
                            ++seen_flow.row_steps;
                        }
                        const Scalar value = row[i][static_cast<std::size_t>(v->feature)];
                        // ptrdiff_t: no sign extension between the compare and the next
                        // node's address.
                        at[i] = nodes + v->child + opaque<std::ptrdiff_t>(value > v->threshold);
                    } else if (sum[i] != nullptr) {
                        add_leaf(*v, sum[i]);
                        next_tree.fetch(ahead);
                        if (taken < rows) {
                            at[i] = root;
                            row[i] = x + taken * stride;
                            sum[i] = sums + taken * k_;
                            ++taken;
                        } else {
                            at[i] = &parked;
                            sum[i] = nullptr;
                            --busy;
                        }
                    }
                }
            }
            if constexpr (measure)
                seen_flow.splits += static_cast<std::size_t>(std::count(met.begin(), met.end(), 1));
        }
        return seen_flow;
    }

    /// The leaf reached from node `v` by a row whose feature j is x[j * step].
    [[nodiscard]] const node& leaf_below(const node* v, const Scalar* x,
                                         std::size_t step = 1) const noexcept {
        while (v->feature >= 0) {
            const Scalar value = x[static_cast<std::size_t>(v->feature) * step];
            v = &nodes_[static_cast<std::size_t>(v->child + (value > v->threshold ? 1 : 0))];
        }
        return *v;
    }

    struct storage {
        std::vector<node> nodes;
        std::vector<std::int32_t> roots;
        std::vector<Scalar> leaf_values;
    };

    [[nodiscard]] storage copy() const {
        return {{nodes_.begin(), nodes_.end()},
                {roots_.begin(), roots_.end()},
                {leaf_values_.begin(), leaf_values_.end()}};
    }

    void view_owned() noexcept {
        keep_alive_.reset();  // owned_ keeps the arrays alive
        nodes_ = owned_->nodes;
        roots_ = owned_->roots;
        leaf_values_ = owned_->leaf_values;
    }

    std::shared_ptr<storage> owned_;          // the arrays, when this forest built or copied them
    std::shared_ptr<const void> keep_alive_;  // what the views below point into
    std::span<const node> nodes_;
    std::span<const std::int32_t> roots_;
    std::span<const Scalar> leaf_values_;
    std::size_t k_ = 0;
    Eigen::Index d_ = 0;
};

/// What the tree models' fits share.
struct forest_settings {
    tree_settings tree;
    max_features_option max_features;
    std::int64_t n_trees = 1;
    bool bootstrap = false;
    bool oob_score = false;
    std::uint64_t seed = 0;
    class_weighting class_weight = class_weighting::none;
    std::vector<double> class_weights;
};

/// A fitted forest with its importances, report and (when asked) out-of-bag accuracy.
template <class Scalar>
struct forest_fit {
    flat_forest<Scalar> forest;
    Eigen::VectorXd importances;
    fit_report report;
    double oob_score = std::numeric_limits<double>::quiet_NaN();
};

/// Fits n_trees CART trees, tree t on its own engine random_engine(seed).split(t) (bootstrap draw,
/// then feature draws), spread over options.threads: the model is the same whatever the thread
/// count. A callback or time limit that stops the fit keeps the trees finished by then.
template <class Scalar>
[[nodiscard]] forest_fit<Scalar> fit_forest(const dataset<Scalar>& data,
                                            std::span<const double> sample_weight,
                                            const forest_settings& s, const fit_options& options,
                                            std::string_view kind) {
    check_training_data(data, kind);
    const std::string who(kind);
    const auto n = static_cast<std::size_t>(data.n_samples());
    const Eigen::Index d = data.n_features();
    const std::size_t k = data.n_classes();
    if (!sample_weight.empty() && sample_weight.size() != n) {
        throw invalid_input_error(who + ": " + std::to_string(sample_weight.size()) +
                                      " sample weights for " + std::to_string(n) + " rows",
                                  "give one weight per row", "sample_weight");
    }
    for (double w : sample_weight) {
        if (!(w >= 0.0) || !std::isfinite(w)) {
            throw invalid_input_error(who + ": a sample weight is negative or not finite",
                                      "use finite weights >= 0", "sample_weight");
        }
    }
    std::vector<double> per_class(k, 1.0);
    if (!s.class_weights.empty()) {
        if (s.class_weights.size() != k) {
            throw invalid_input_error(
                who + ": class_weights has " + std::to_string(s.class_weights.size()) +
                    " entries for " + std::to_string(k) + " classes",
                "give one weight per class, in class index order", "class_weights");
        }
        per_class = s.class_weights;
    } else if (s.class_weight == class_weighting::balanced) {
        const auto counts = data.class_counts();
        for (std::size_t c = 0; c < k; ++c) {
            per_class[c] = counts[c] == 0
                               ? 0.0
                               : static_cast<double>(n) /
                                     (static_cast<double>(k) * static_cast<double>(counts[c]));
        }
    }
    std::vector<double> base(n);
    double total = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
        base[i] =
            per_class[static_cast<std::size_t>(data.targets()[static_cast<Eigen::Index>(i)])] *
            (sample_weight.empty() ? 1.0 : sample_weight[i]);
        total += base[i];
    }
    if (!(total > 0.0) || !std::isfinite(total)) {
        throw invalid_input_error(
            who + ": the rows' weights (sample and class weights) sum to " + std::to_string(total),
            "give some rows a positive weight", "sample_weight");
    }
    if (n > std::numeric_limits<std::uint32_t>::max() / 2) {
        throw invalid_input_error(who + ": more than 2^31 training rows",
                                  "train on a sample of the rows");
    }
    tree_settings settings = s.tree;
    settings.max_features = s.max_features.resolve(d, kind);

    const fit_monitor monitor(options);
    const auto trees = static_cast<std::size_t>(s.n_trees);
    thread_pool pool(static_cast<unsigned>(std::max<std::size_t>(
        1, std::min<std::size_t>(resolve_threads(options.threads),
                                 std::max(trees, static_cast<std::size_t>(d))))));
    const ranked_features<Scalar> ranked = rank_features(data.features(), pool);

    std::vector<std::optional<grown_tree>> grown(trees);
    std::vector<std::vector<std::uint8_t>> in_bag(s.oob_score && s.bootstrap ? trees : 0);
    std::atomic<bool> stop{false};
    std::mutex report_mutex;
    std::int64_t finished = 0;
    std::optional<fit_status> ended;
    const random_engine root(s.seed);
    pool.parallel_for(trees, [&](std::size_t t) {
        if (stop.load(std::memory_order_relaxed)) return;
        random_engine rng = root.split(t);
        std::vector<double> weight = base;
        if (s.bootstrap) {
            std::vector<std::uint32_t> draws(n, 0);
            for (std::size_t i = 0; i < n; ++i)
                ++draws[static_cast<std::size_t>(uniform_index(rng, n))];
            for (std::size_t i = 0; i < n; ++i)
                weight[i] *= static_cast<double>(draws[i]);
            if (!in_bag.empty()) {
                in_bag[t].resize(n);
                for (std::size_t i = 0; i < n; ++i)
                    in_bag[t][i] = draws[i] > 0 ? 1 : 0;
            }
        }
        tree_grower<Scalar> grower(ranked, data.targets(), k, settings);
        grown[t] = grower.grow(weight, rng);
        std::lock_guard lock(report_mutex);
        ++finished;
        if (ended) return;
        if (const auto status = monitor.report({.stage = "tree",
                                                .step = finished,
                                                .steps = s.n_trees,
                                                .loss = std::nan(""),
                                                .gradient_norm = std::nan("")})) {
            ended = status;
            stop.store(true, std::memory_order_relaxed);
        }
    });

    forest_fit<Scalar> out;
    out.forest = flat_forest<Scalar>(k, d);
    out.importances = Eigen::VectorXd::Zero(d);
    std::vector<std::size_t> kept;
    std::size_t counted = 0;
    for (std::size_t t = 0; t < trees; ++t) {
        if (!grown[t]) continue;
        kept.push_back(t);
        out.forest.append(*grown[t], ranked);
        auto& imp = grown[t]->importances;
        double sum = 0.0;
        for (double v : imp)
            sum += v;
        if (grown[t]->nodes.size() > 1 && sum > 0.0) {
            for (Eigen::Index f = 0; f < d; ++f)
                out.importances[f] += imp[static_cast<std::size_t>(f)] / sum;
            ++counted;
        }
        grown[t].reset();
    }
    if (counted > 0) out.importances /= out.importances.sum();

    if (!in_bag.empty()) {
        constexpr std::size_t block = 1024;
        const std::size_t blocks = (n + block - 1) / block;
        std::vector<std::int64_t> correct(blocks, 0);
        std::vector<std::int64_t> scored(blocks, 0);
        pool.parallel_for(blocks, [&](std::size_t b) {
            std::vector<double> sum(k);
            for (std::size_t i = b * block; i < std::min(n, (b + 1) * block); ++i) {
                std::fill(sum.begin(), sum.end(), 0.0);
                bool any = false;
                const Scalar* x = data.features().row(static_cast<Eigen::Index>(i)).data();
                for (std::size_t j = 0; j < kept.size(); ++j) {
                    if (in_bag[kept[j]][i] != 0) continue;
                    any = true;
                    const Scalar* v = out.forest.leaf_of(j, x);
                    for (std::size_t c = 0; c < k; ++c)
                        sum[c] += static_cast<double>(v[c]);
                }
                if (!any) continue;
                ++scored[b];
                const auto best = std::max_element(sum.begin(), sum.end()) - sum.begin();
                if (best == data.targets()[static_cast<Eigen::Index>(i)]) ++correct[b];
            }
        });
        std::int64_t c = 0;
        std::int64_t m = 0;
        for (std::size_t b = 0; b < blocks; ++b) {
            c += correct[b];
            m += scored[b];
        }
        if (m > 0) out.oob_score = static_cast<double>(c) / static_cast<double>(m);
    }
    out.report = fit_report{.status = ended.value_or(fit_status::converged),
                            .iterations = static_cast<std::int64_t>(kept.size()),
                            .elapsed_seconds = monitor.elapsed_seconds()};
    return out;
}

/// Probabilities of every row of x (already checked), rows spread over `threads` in blocks (the
/// result does not depend on the blocks: each row sums its trees in tree order).
template <class Scalar>
[[nodiscard]] probability_matrix<Scalar> forest_predict_proba(const flat_forest<Scalar>& forest,
                                                              const matrix_cref<Scalar>& x,
                                                              unsigned threads) {
    probability_matrix<Scalar> p(x.rows(), static_cast<Eigen::Index>(forest.n_classes()));
    if (x.rows() == 0) return p;
    // One block per thread, of at most 16,384 rows: the more rows a tree takes while its nodes are
    // in cache, the fewer misses (20,000 rows: 64 ns per row and tree in one block, 100 ns in
    // blocks of 1,024), and the bound keeps the block's column copy small.
    const auto used = static_cast<Eigen::Index>(resolve_threads(threads));
    const Eigen::Index block = std::clamp<Eigen::Index>((x.rows() + used - 1) / used, 256, 16384);
    const Eigen::Index blocks = (x.rows() + block - 1) / block;
    parallel_for(threads, static_cast<std::size_t>(blocks), [&](std::size_t b) {
        const Eigen::Index start = static_cast<Eigen::Index>(b) * block;
        const Eigen::Index rows = std::min(x.rows() - start, block);
        forest.proba_rows(x.row(start).data(), static_cast<std::size_t>(x.outerStride()),
                          static_cast<std::size_t>(rows), p.row(start).data());
    });
    return p;
}

/// Checks one row and its output span for predict_proba_row.
template <class Scalar>
void check_tree_row(std::span<const Scalar> row, std::size_t out_size, bool fitted,
                    Eigen::Index n_features, std::size_t n_classes, std::string_view kind) {
    const std::string who(kind);
    if (!fitted) {
        throw not_fitted_error(who + " is used before it was fitted or loaded",
                               "call fit() or load a model first");
    }
    if (static_cast<Eigen::Index>(row.size()) != n_features) {
        throw invalid_input_error(who + ": row has " + std::to_string(row.size()) +
                                      " features but the model was trained on " +
                                      std::to_string(n_features),
                                  "pass the model's features, in the training order");
    }
    if (out_size != n_classes) {
        throw invalid_input_error(who + ": output span holds " + std::to_string(out_size) +
                                      " values for " + std::to_string(n_classes) + " classes",
                                  "size it n_classes");
    }
    for (Scalar v : row) {
        if (!std::isfinite(v)) {
            throw invalid_input_error(who + ": row holds NaN or infinite values",
                                      "impute missing values before predicting");
        }
    }
}

}  // namespace mlpipe::detail
