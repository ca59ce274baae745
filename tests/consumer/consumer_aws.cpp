// SPDX-License-Identifier: Apache-2.0
// The aws consumer project's program: reads an s3:// URI into S3 options and asks a closed
// loopback port for a postgresql:// data source (a typed storage error), which proves that the
// wing's headers compile, that libcurl and libpq link, and that including the wing registers its
// schemes. No traffic leaves the machine.
#include <iostream>

#include <mlpipe/aws.hpp>
#include <mlpipe/mlpipe.hpp>

int main() {
    try {
        const auto s3 = mlpipe::aws::s3_options_from_uri(
            mlpipe::parse_storage_uri("s3://my-models/registry?region=eu-west-1"));
        if (s3.bucket != "my-models" || s3.prefix != "registry" || s3.region != "eu-west-1") {
            std::cerr << "s3:// URI read wrongly\n";
            return 1;
        }
        try {
            static_cast<void>(
                mlpipe::open_data_source("postgresql://127.0.0.1:1/db?connect_timeout=2", {}));
            std::cerr << "connected to a closed port\n";
            return 1;
        } catch (const mlpipe::storage_error& e) {
            if (e.backend() != "postgresql") throw;
        }
        std::cout << "aws wing: ok (mlpipe " << mlpipe::version() << ", libpq " << PQlibVersion()
                  << ")\n";
    } catch (const mlpipe::error& e) {
        std::cerr << e.what() << '\n';
        return 1;
    }
    return 0;
}
