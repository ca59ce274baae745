# SPDX-License-Identifier: Apache-2.0
# The AWS wing: target mlpipe_aws (alias mlpipe::aws, exported as mlpipe::aws), header-only like the
# core, linking libcurl (HTTP and its AWS SigV4 signing) and libpq (PostgreSQL/RDS) from the
# distribution. Included from the top-level CMakeLists.txt when MLPIPE_WITH_AWS is ON; adds "aws" to
# MLPIPE_BUILT_COMPONENTS. Nothing in the core includes it.
find_package(CURL 7.75 REQUIRED)
find_package(PostgreSQL REQUIRED)
add_library(mlpipe_aws INTERFACE)
add_library(mlpipe::aws ALIAS mlpipe_aws)
set_target_properties(mlpipe_aws PROPERTIES EXPORT_NAME aws)
target_link_libraries(mlpipe_aws INTERFACE mlpipe CURL::libcurl PostgreSQL::PostgreSQL)
list(APPEND MLPIPE_BUILT_COMPONENTS aws)
