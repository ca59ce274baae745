# SPDX-License-Identifier: Apache-2.0
# mlpipe_dev: warnings and sanitizers that only mlpipe's own tests, examples, tools and benchmarks
# link. It is never installed or exported: users' builds keep their own flags.
add_library(mlpipe_dev INTERFACE)
if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
  target_compile_options(mlpipe_dev INTERFACE
    -Wall -Wextra -Wpedantic -Wconversion -Wsign-conversion -Wshadow -Wnon-virtual-dtor
    -Wold-style-cast -Wcast-align -Woverloaded-virtual -Wimplicit-fallthrough -Wformat=2
    -Wundef)
  if(MLPIPE_WARNINGS_AS_ERRORS)
    target_compile_options(mlpipe_dev INTERFACE -Werror)
  endif()
  if(MLPIPE_SANITIZERS)
    target_compile_options(mlpipe_dev INTERFACE
      -fsanitize=${MLPIPE_SANITIZERS} -fno-sanitize-recover=all -fno-omit-frame-pointer)
    target_link_options(mlpipe_dev INTERFACE -fsanitize=${MLPIPE_SANITIZERS})
  endif()
elseif(MSVC)
  target_compile_options(mlpipe_dev INTERFACE /W4 /permissive-)
  if(MLPIPE_WARNINGS_AS_ERRORS)
    target_compile_options(mlpipe_dev INTERFACE /WX)
  endif()
endif()

# mlpipe_dev_library: mlpipe as its own tests, examples, tools and benchmarks link it, with the
# warnings and sanitizers above. By default the compiled library (separate compilation): the heavy
# templates are compiled once per build instead of once per translation unit, which makes the test
# suite build several times faster. Header-only mode stays tested by the header check, the consumer
# projects and tests/separate_compilation/ (a part of the suite built in the other mode).
option(MLPIPE_DEV_SEPARATE_COMPILATION
       "Build mlpipe's own tests, examples, tools and benchmarks against the compiled library (mlpipe::compiled) instead of the headers alone"
       ON)
# Compile options for these targets only, after the build type's (not for the compiled library they
# link, which keeps the build type's -O2 or -O1): the CI presets compile the test code less
# optimised than the library it tests. Most of a test's compile time is the optimiser's (2.4x with
# clang under AddressSanitizer), while most of its run time is in the library's fits and
# predictions. The sanitizer presets also leave out the test code's line tables (-g0: a fifth of a
# test's compile time under ASan+UBSan); the library keeps them, so a report still gives the lines
# of the library's frames and the names of the test's.
set(MLPIPE_DEV_CXX_FLAGS "" CACHE STRING
    "Compile options for mlpipe's own tests, examples, tools and benchmarks, not the compiled library they link (e.g. -Og)")
# As a list of options (the cache string is written like a command line, e.g. "-O0 -g0").
separate_arguments(MLPIPE_DEV_CXX_OPTIONS UNIX_COMMAND "${MLPIPE_DEV_CXX_FLAGS}")
add_library(mlpipe_dev_library INTERFACE)
target_compile_options(mlpipe_dev_library INTERFACE ${MLPIPE_DEV_CXX_OPTIONS})
if(MLPIPE_DEV_SEPARATE_COMPILATION)
  target_link_libraries(mlpipe_dev_library INTERFACE mlpipe::compiled mlpipe_dev)
else()
  target_link_libraries(mlpipe_dev_library INTERFACE mlpipe::mlpipe mlpipe_dev)
endif()
