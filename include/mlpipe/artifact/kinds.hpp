// SPDX-License-Identifier: Apache-2.0
/// @file artifact/kinds.hpp The one list of kinds: every model family and preprocessing step that
/// an artifact, a training request, the compiled library and the command line can name.
///
/// Loading (load_any, a pipeline's steps), construction from a training request (jobs/
/// estimators.hpp), the compiled library's parts (cmake/mlpipe_compiled.cmake reads the
/// `X(kind)` lines below), the training-request schema's enums and every help text derive from
/// these two lists. Adding a model family is its folder under models/ (the class template, with a
/// `kind` equal to its name, and its model_io specialisation), its header in models.hpp, and one
/// line here; the tests fail when the header or the specialisation is missing.
///
/// The templates are only declared here, so including this header parses no model.
#pragma once

#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

/// The model families, one `X(kind)` a line, in the order help texts list them.
#define MLPIPE_FOR_EACH_MODEL_KIND(X) \
    X(logistic_regression)            \
    X(linear_svm)                     \
    X(gaussian_naive_bayes)           \
    X(k_nearest_neighbors)            \
    X(decision_tree)                  \
    X(random_forest)                  \
    X(mlp)

/// The preprocessing steps, one `X(kind)` a line, in the order help texts list them.
#define MLPIPE_FOR_EACH_STEP_KIND(X) \
    X(standard_scaler)               \
    X(min_max_scaler)                \
    X(simple_imputer)                \
    X(one_hot_encoder)

namespace mlpipe {

#define MLPIPE_DECLARE_KIND(Kind) \
    template <class Scalar>       \
    class Kind;
MLPIPE_FOR_EACH_MODEL_KIND(MLPIPE_DECLARE_KIND)
MLPIPE_FOR_EACH_STEP_KIND(MLPIPE_DECLARE_KIND)
#undef MLPIPE_DECLARE_KIND

/// A list of kinds (class templates over the scalar type), for visiting them in order.
template <template <class> class... Kinds>
struct kind_list {};

/// One kind of a kind_list, as a value: what visit_kinds passes to its function.
template <template <class> class Kind>
struct kind_tag {};

namespace detail {

struct kind_list_begin {};

template <template <class> class... Kinds>
kind_list<Kinds...> make_kind_list(kind_list_begin, kind_tag<Kinds>...);

/// The hyperparameter struct of a model or step (what its params() returns).
template <class T>
using params_of = std::remove_cvref_t<decltype(std::declval<const T&>().params())>;

}  // namespace detail

#define MLPIPE_KIND_TAG(Kind) \
    , ::mlpipe::kind_tag<Kind> {}
/// Every model family, as a kind_list (from MLPIPE_FOR_EACH_MODEL_KIND).
using registered_models = decltype(detail::make_kind_list(
    detail::kind_list_begin {} MLPIPE_FOR_EACH_MODEL_KIND(MLPIPE_KIND_TAG)));
/// Every preprocessing step, as a kind_list (from MLPIPE_FOR_EACH_STEP_KIND).
using registered_steps = decltype(detail::make_kind_list(
    detail::kind_list_begin {} MLPIPE_FOR_EACH_STEP_KIND(MLPIPE_KIND_TAG)));
#undef MLPIPE_KIND_TAG

/// Calls `f(kind_tag<Kind>{})` for each kind of the list, in order, until one call returns true.
/// @returns whether a call returned true
template <template <class> class... Kinds, class F>
bool visit_kinds(kind_list<Kinds...>, F&& f) {
    return (static_cast<bool>(f(kind_tag<Kinds>{})) || ...);
}

/// The names of the kinds, in order ("logistic_regression", ...): the templates' names, which are
/// their `kind` (tests/artifact/kinds_test.cpp checks both).
#define MLPIPE_KIND_NAME(Kind) #Kind,
[[nodiscard]] inline std::vector<std::string> kind_names(registered_models) {
    return {MLPIPE_FOR_EACH_MODEL_KIND(MLPIPE_KIND_NAME)};
}
[[nodiscard]] inline std::vector<std::string> kind_names(registered_steps) {
    return {MLPIPE_FOR_EACH_STEP_KIND(MLPIPE_KIND_NAME)};
}
#undef MLPIPE_KIND_NAME
/// The names of another list's kinds (their `kind`, so their headers must be included).
template <template <class> class... Kinds>
[[nodiscard]] std::vector<std::string> kind_names(kind_list<Kinds...>) {
    return {std::string(Kinds<double>::kind)...};
}

/// The names of a list's kinds, comma-separated ("logistic_regression, linear_svm, ...").
template <class List>
[[nodiscard]] std::string kind_names_text(List list) {
    std::string text;
    for (const auto& name : kind_names(list))
        text += (text.empty() ? "" : ", ") + name;
    return text;
}

}  // namespace mlpipe
