// SPDX-License-Identifier: Apache-2.0
// A wing's part of mlpipe's compiled library (separate compilation, docs/separate-compilation.md):
// its start-up registration (`register_backends`, config.hpp's MLPIPE_WING_DECL). The generated
// part includes this file and then the wing's header, e.g. <mlpipe/aws.hpp>. The wing's classes
// stay header-only: a translation unit compiles the backends it uses itself.
#if !defined(MLPIPE_SEPARATE_COMPILATION)
#error \
    "separate_compilation/wing.ipp is part of mlpipe's compiled library: define MLPIPE_SEPARATE_COMPILATION"
#endif
#define MLPIPE_COMPILING_WING
