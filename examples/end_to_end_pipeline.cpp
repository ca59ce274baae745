// SPDX-License-Identifier: Apache-2.0
// The end-to-end pipeline on the embedded defaults (the README's main job): an SQLite warehouse
// whose rows arrive in batches, a retraining trigger, a durable SQLite training queue, a pool of
// training workers that train several estimator kinds, validate them, publish to a file model
// store and promote the best to "production", and a predictor that serves held-out rows and picks
// up each new production version without a restart.
//
//   end_to_end_pipeline DATA.csv [WORK_DIR]
//
// DATA.csv is a labelled CSV (column "label"), e.g. tests/data/sets/digits.csv. WORK_DIR (default:
// a fresh directory under /tmp) receives warehouse.db, queue.db and models/.
#include <cstdio>
#include <exception>
#include <filesystem>
#include <string>

#include <unistd.h>

#include "pipeline_demo.hpp"

int main(int argc, char** argv) {
    if (argc < 2) {
        std::fprintf(stderr, "usage: end_to_end_pipeline DATA.csv [WORK_DIR]\n");
        return 2;
    }
    try {
        std::filesystem::path dir;
        if (argc > 2) {
            dir = argv[2];
            std::filesystem::remove_all(dir);
        } else {
            dir = std::filesystem::temp_directory_path() /
                  ("mlpipe-demo-" + std::to_string(::getpid()));
        }
        std::filesystem::create_directories(dir);
        pipeline_example::pipeline_demo demo(argv[1], dir);
        return demo.run();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "end_to_end_pipeline: %s\n", e.what());
        return 1;
    }
}
