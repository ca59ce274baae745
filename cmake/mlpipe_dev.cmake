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
