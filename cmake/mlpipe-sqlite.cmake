# SPDX-License-Identifier: Apache-2.0
# The "sqlite" component of mlpipe's package, included by mlpipeConfig.cmake only when the component
# is requested: finds SQLite3, then defines mlpipe::sqlite.
find_package(SQLite3 QUIET)
if(NOT SQLite3_FOUND)
  set(${CMAKE_FIND_PACKAGE_NAME}_sqlite_FOUND FALSE)
  set(mlpipe_sqlite_NOT_FOUND_REASON
      "the mlpipe component \"sqlite\" needs SQLite3, which was not found: install SQLite's development package (Debian: libsqlite3-dev) or point SQLite3_ROOT at it.")
  return()
endif()
if(NOT TARGET mlpipe::sqlite)
  include("${CMAKE_CURRENT_LIST_DIR}/mlpipe-sqlite-targets.cmake")
endif()
set(${CMAKE_FIND_PACKAGE_NAME}_sqlite_FOUND TRUE)
set(mlpipe_sqlite_NOT_FOUND_REASON "")
