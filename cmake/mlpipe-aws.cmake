# SPDX-License-Identifier: Apache-2.0
# The "aws" component of mlpipe's package, included by mlpipeConfig.cmake only when the component
# is requested: finds libcurl and libpq, then defines mlpipe::aws.
find_package(CURL 7.75 QUIET)
find_package(PostgreSQL QUIET)
if(NOT CURL_FOUND OR NOT PostgreSQL_FOUND)
  set(${CMAKE_FIND_PACKAGE_NAME}_aws_FOUND FALSE)
  set(mlpipe_aws_NOT_FOUND_REASON
      "the mlpipe component \"aws\" needs libcurl >= 7.75 and libpq, which were not found: install their development packages (Debian: libcurl4-openssl-dev libpq-dev).")
  return()
endif()
if(NOT TARGET mlpipe::aws)
  include("${CMAKE_CURRENT_LIST_DIR}/mlpipe-aws-targets.cmake")
endif()
set(${CMAKE_FIND_PACKAGE_NAME}_aws_FOUND TRUE)
set(mlpipe_aws_NOT_FOUND_REASON "")
