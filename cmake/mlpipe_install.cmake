# SPDX-License-Identifier: Apache-2.0
# Install rules: headers, the exported targets, mlpipeConfig.cmake with components, the version
# file and a pkg-config file. The package is header-only, hence architecture-independent.
include(CMakePackageConfigHelpers)

set(MLPIPE_INSTALL_CMAKEDIR "${CMAKE_INSTALL_DATADIR}/cmake/mlpipe"
    CACHE STRING "Where mlpipeConfig.cmake is installed, relative to the prefix")

# The core headers; each wing's folder is installed with its component.
install(DIRECTORY "${PROJECT_SOURCE_DIR}/include/mlpipe"
        DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}"
        FILES_MATCHING PATTERN "*.hpp" PATTERN "*.ipp"
        PATTERN "sqlite" EXCLUDE
        PATTERN "sqlite.hpp" EXCLUDE
        PATTERN "aws" EXCLUDE
        PATTERN "aws.hpp" EXCLUDE)
install(TARGETS mlpipe EXPORT mlpipeTargets)
install(EXPORT mlpipeTargets NAMESPACE mlpipe:: DESTINATION "${MLPIPE_INSTALL_CMAKEDIR}")

configure_package_config_file(
  "${PROJECT_SOURCE_DIR}/cmake/mlpipeConfig.cmake.in"
  "${PROJECT_BINARY_DIR}/mlpipeConfig.cmake"
  INSTALL_DESTINATION "${MLPIPE_INSTALL_CMAKEDIR}"
  PATH_VARS CMAKE_INSTALL_INCLUDEDIR)
# 0.x: minor versions may break; from 1.0 on, SameMajorVersion.
write_basic_package_version_file(
  "${PROJECT_BINARY_DIR}/mlpipeConfigVersion.cmake"
  COMPATIBILITY SameMinorVersion
  ARCH_INDEPENDENT)
install(FILES "${PROJECT_BINARY_DIR}/mlpipeConfig.cmake" "${PROJECT_BINARY_DIR}/mlpipeConfigVersion.cmake"
              "${PROJECT_SOURCE_DIR}/cmake/mlpipe_compiled.cmake"
        DESTINATION "${MLPIPE_INSTALL_CMAKEDIR}")

configure_file("${PROJECT_SOURCE_DIR}/cmake/mlpipe.pc.in" "${PROJECT_BINARY_DIR}/mlpipe.pc" @ONLY)
install(FILES "${PROJECT_BINARY_DIR}/mlpipe.pc" DESTINATION "${CMAKE_INSTALL_DATADIR}/pkgconfig")
install(FILES "${PROJECT_SOURCE_DIR}/LICENSE" DESTINATION "${CMAKE_INSTALL_DATADIR}/doc/mlpipe")

# The sqlite component: its headers, its target in its own export set, and the component file that
# mlpipeConfig.cmake includes when the component is requested.
if("sqlite" IN_LIST MLPIPE_BUILT_COMPONENTS)
  install(DIRECTORY "${PROJECT_SOURCE_DIR}/include/mlpipe/sqlite"
          DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}/mlpipe"
          FILES_MATCHING PATTERN "*.hpp")
  install(FILES "${PROJECT_SOURCE_DIR}/include/mlpipe/sqlite.hpp" DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}/mlpipe")
  install(TARGETS mlpipe_sqlite EXPORT mlpipeSqliteTargets)
  install(EXPORT mlpipeSqliteTargets NAMESPACE mlpipe:: FILE mlpipe-sqlite-targets.cmake
          DESTINATION "${MLPIPE_INSTALL_CMAKEDIR}")
  install(FILES "${PROJECT_SOURCE_DIR}/cmake/mlpipe-sqlite.cmake" DESTINATION "${MLPIPE_INSTALL_CMAKEDIR}")
endif()

# The aws component, installed the same way.
if("aws" IN_LIST MLPIPE_BUILT_COMPONENTS)
  install(DIRECTORY "${PROJECT_SOURCE_DIR}/include/mlpipe/aws"
          DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}/mlpipe"
          FILES_MATCHING PATTERN "*.hpp")
  install(FILES "${PROJECT_SOURCE_DIR}/include/mlpipe/aws.hpp" DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}/mlpipe")
  install(TARGETS mlpipe_aws EXPORT mlpipeAwsTargets)
  install(EXPORT mlpipeAwsTargets NAMESPACE mlpipe:: FILE mlpipe-aws-targets.cmake
          DESTINATION "${MLPIPE_INSTALL_CMAKEDIR}")
  install(FILES "${PROJECT_SOURCE_DIR}/cmake/mlpipe-aws.cmake" DESTINATION "${MLPIPE_INSTALL_CMAKEDIR}")
endif()
