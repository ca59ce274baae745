// SPDX-License-Identifier: Apache-2.0
// The sqlite consumer project's program: a message round trip through a queue opened from a
// sqlite:// URI (which also proves that including the wing registers its scheme).
#include <filesystem>
#include <iostream>

#include <mlpipe/mlpipe.hpp>
#include <mlpipe/sqlite.hpp>

int main(int argc, char** argv) {
    if (argc != 2) {
        std::cerr << "usage: consumer_sqlite SCRATCH_DIR\n";
        return 2;
    }
    try {
        const auto dir = std::filesystem::path(argv[1]);
        std::filesystem::create_directories(dir);
        std::filesystem::remove(dir / "queue.db");
        auto queue =
            mlpipe::open_message_queue("sqlite://" + (dir / "queue.db").string() + "?queue=jobs");
        queue.send("train iris");
        const auto got = queue.receive({});
        if (got.size() != 1 || got[0].body != "train iris" || !queue.ack(got[0].receipt)) {
            std::cerr << "round trip failed\n";
            return 1;
        }
        std::cout << "sqlite queue round trip: ok (mlpipe " << mlpipe::version() << ")\n";
    } catch (const mlpipe::error& e) {
        std::cerr << e.what() << '\n';
        return 1;
    }
    return 0;
}
