# SPDX-License-Identifier: Apache-2.0
# The SQLite wing: target mlpipe_sqlite (alias mlpipe::sqlite, exported as mlpipe::sqlite), header-only
# like the core, linking SQLite3 from the distribution. Included from the top-level CMakeLists.txt
# when MLPIPE_WITH_SQLITE is ON; adds "sqlite" to MLPIPE_BUILT_COMPONENTS.
find_package(SQLite3 REQUIRED)
add_library(mlpipe_sqlite INTERFACE)
add_library(mlpipe::sqlite ALIAS mlpipe_sqlite)
set_target_properties(mlpipe_sqlite PROPERTIES EXPORT_NAME sqlite)
target_link_libraries(mlpipe_sqlite INTERFACE mlpipe SQLite::SQLite3)
list(APPEND MLPIPE_BUILT_COMPONENTS sqlite)
